// Pure Hosts-view logic (no `vscode` import, unit-tested): the adapter's `hosts` reply → plain tree nodes.
import { FT_OFF, type HostsReply, type VmRole, type VmStatus } from '../debug/requests';

/**
 * One row of the view, the argument of its context-menu commands: `host` is set on host rows; in a cluster `vm` on VM
 * rows and on the first VM's FT pair's link.
 */
export interface TreeNode {
  id: string;
  label: string;
  description: string;
  tooltip?: string;
  /** ThemeIcon id. */
  icon: string;
  contextValue: string;
  host?: string;
  vm?: string;
  children: TreeNode[];
}

/** Context value of a live instance of a fault-tolerant VM: its menu offers the VM's FT actions and Compare. */
export const FT_VM_CONTEXT = 'lockstep.vm.ft';

const ALIVE: ReadonlySet<VmStatus> = new Set(['running', 'copying']);

type Host = HostsReply['hosts'][number];
type Vm = Host['vms'][number];

/**
 * A VM incarnation: its name (`kv-1's primary @ esx-1` in a cluster: VM, role, host), status and its VM's FT state. The
 * tooltip (VS Code's accessible name of the row too) says it all.
 */
function vmNode(v: Vm): TreeNode {
  const alive = ALIVE.has(v.status);
  const demand = v.demandMips === undefined ? [] : [`CPU ${mipsText(v.demandMips)} MIPS`];
  const description = alive ? [v.status, v.ftState, ...demand].join(' · ') : v.status;
  return {
    id: `vm:${v.id}`, label: v.name, description, tooltip: `${v.name}: ${description} (VM ${v.id})`,
    icon: alive ? 'vm-running' : 'vm-outline', contextValue: alive && v.ftState !== FT_OFF ? FT_VM_CONTEXT : 'lockstep.vm',
    ...(v.vm === undefined ? {} : { vm: v.vm }), children: [],
  };
}

/** `4.52`, `0.005`, `87`: a demand in MIPS with about three significant digits. */
function mipsText(mips: number): string {
  return mips >= 100 ? mips.toFixed(0) : mips >= 1 ? mips.toFixed(2).replace(/\.?0+$/, '') : mips === 0 ? '0' : mips.toPrecision(1);
}

/** DRS's view of the host's load: its CPU (demand over speed) and memory (VMs' RAM over its own), as percentages. */
function loadNotes(h: Host): string[] {
  return h.load === undefined ? [] : [`CPU ${Math.round(h.load.cpu * 100)}%`, `memory ${Math.round(h.load.mem * 100)}%`];
}

/** `512 B`, `12.3 KiB`, `4.5 MiB`. */
export function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  return n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/** What the host's FT logging NIC carries: its FT instances, the bytes it sent, its bandwidth when the scenario sets one. */
function nicNotes(h: Host): string[] {
  return [`${h.ftVms} FT VM${h.ftVms === 1 ? '' : 's'}`, `logging ${bytesText(h.loggingBytes)} sent`, ...(h.loggingNicMbps === null ? [] : [`NIC ${h.loggingNicMbps} Mbit/s`])];
}

/**
 * `nic`: the description names the logging NIC's use (a cluster of several VMs shares it, or its bandwidth is set); the
 * tooltip (VS Code's accessible name of the row too) always does.
 */
function hostNode(h: Host, nic: boolean): TreeNode {
  const notes = [h.up ? 'up' : 'down', h.family];
  if (!h.storageReachable) notes.push('storage lost');
  if (h.slowFactor !== 1) notes.push(`slow ×${h.slowFactor}`);
  notes.push(...loadNotes(h));
  // VS Code remembers a tree item's collapsed state by id, and an item first seen without children stays
  // collapsed: a host that gains its first VM (a respawn) gets a new id so it opens expanded.
  return {
    id: `host:${h.name}${h.vms.length > 0 ? '' : ':empty'}`, label: h.name, description: [...notes, ...(nic ? nicNotes(h) : [])].join(' · '),
    tooltip: `${h.name}: ${[...notes, ...nicNotes(h)].join(' · ')}`, icon: h.up ? 'pass' : 'error',
    contextValue: h.up ? 'lockstep.host.up' : 'lockstep.host.down', host: h.name, children: h.vms.map(vmNode),
  };
}

/** The FT pair whose logging link the link faults of the link's menu concern: its hosts, and its VM's name in a cluster. */
interface Pair {
  hosts: [string, string];
  vm: string | undefined;
}

/**
 * The live primary and secondary of the first VM, if both exist. In a cluster the first VM is the one of the first
 * instance made (the lowest id), as VMs power on in order.
 */
function firstPair(body: HostsReply): Pair | undefined {
  const all = body.hosts.flatMap((h) => h.vms);
  const first = all.reduce<Vm | undefined>((a, v) => (a === undefined || v.id < a.id ? v : a), undefined)?.vm;
  const on = (role: VmRole): string | undefined => body.hosts.find((h) => h.vms.some((v) => v.vm === first && v.role === role && ALIVE.has(v.status)))?.name;
  const p = on('primary');
  const s = on('secondary');
  return p !== undefined && s !== undefined ? { hosts: [p, s], vm: first } : undefined;
}

/** A link between two hosts; the first VM's FT pair's link names that VM (its menu's link faults concern it). */
function linkNode(l: HostsReply['links'][number], pair: Pair | undefined): TreeNode {
  const isPair = pair !== undefined && [l.a, l.b].sort().join() === [...pair.hosts].sort().join();
  const log = l.logging.up ? `logging up ${l.logging.latencyUs} µs${l.logging.lossRate > 0 ? ` loss ${l.logging.lossRate}` : ''}` : 'logging down';
  return {
    id: `link:${l.a}:${l.b}`, label: `${l.a} ↔ ${l.b}${isPair ? ` (${pair.vm === undefined ? '' : `${pair.vm}'s `}FT pair)` : ''}`, description: `${log} · management ${l.management.up ? 'up' : 'down'}`,
    icon: l.logging.up && l.management.up ? 'plug' : 'debug-disconnect', contextValue: isPair ? 'lockstep.link.pair' : 'lockstep.link',
    ...(isPair && pair.vm !== undefined ? { vm: pair.vm } : {}), children: [],
  };
}

/** The whole tree: one node per host (its VMs below), then a Links node with one child per pair of hosts. */
export function hostsTree(body: HostsReply): TreeNode[] {
  const pair = firstPair(body);
  const links = body.links.map((l) => linkNode(l, pair));
  const down = links.filter((l) => l.icon !== 'plug').length;
  const cluster = body.hosts.some((h) => h.vms.some((v) => v.vm !== undefined));
  return [
    ...body.hosts.map((h) => hostNode(h, cluster || h.loggingNicMbps !== null)),
    { id: 'links', label: 'Links', description: down > 0 ? `${down} of ${links.length} impaired` : `${links.length} up`, icon: 'type-hierarchy', contextValue: 'lockstep.links', children: links },
  ];
}
