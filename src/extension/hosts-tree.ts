// Pure Hosts-view logic (no `vscode` import, unit-tested): the adapter's `hosts` reply → plain tree nodes.
import type { HostsReply, VmRole, VmStatus } from '../debug/requests';

/** One row of the view; `host` is set on host rows (the argument of the host context-menu commands). */
export interface TreeNode {
  id: string;
  label: string;
  description: string;
  tooltip?: string;
  /** ThemeIcon id. */
  icon: string;
  contextValue: string;
  host?: string;
  children: TreeNode[];
}

const ALIVE: ReadonlySet<VmStatus> = new Set(['running', 'copying']);

function vmNode(v: HostsReply['hosts'][number]['vms'][number], ftState: string): TreeNode {
  const alive = ALIVE.has(v.status);
  return {
    id: `vm:${v.id}`, label: v.name, description: alive ? `${v.status} · ${ftState}` : v.status,
    tooltip: `VM ${v.id}: ${v.role}, ${v.status}`, icon: alive ? 'vm-running' : 'vm-outline', contextValue: 'lockstep.vm', children: [],
  };
}

function hostNode(h: HostsReply['hosts'][number], ftState: string): TreeNode {
  const notes = [h.up ? 'up' : 'down', h.family];
  if (!h.storageReachable) notes.push('storage lost');
  if (h.slowFactor !== 1) notes.push(`slow ×${h.slowFactor}`);
  // VS Code remembers a tree item's collapsed state by id, and an item first seen without children stays
  // collapsed: a host that gains its first VM (a respawn) gets a new id so it opens expanded.
  return {
    id: `host:${h.name}${h.vms.length > 0 ? '' : ':empty'}`, label: h.name, description: notes.join(' · '), icon: h.up ? 'pass' : 'error',
    contextValue: h.up ? 'lockstep.host.up' : 'lockstep.host.down', host: h.name, children: h.vms.map((v) => vmNode(v, ftState)),
  };
}

/** Hosts of the live primary and secondary, if both exist (the pair whose logging link the link faults concern). */
function pairHosts(body: HostsReply): [string, string] | undefined {
  const on = (role: VmRole): string | undefined => body.hosts.find((h) => h.vms.some((v) => v.role === role && ALIVE.has(v.status)))?.name;
  const p = on('primary');
  const s = on('secondary');
  return p !== undefined && s !== undefined ? [p, s] : undefined;
}

function linkNode(l: HostsReply['links'][number], pair: [string, string] | undefined): TreeNode {
  const isPair = pair !== undefined && [l.a, l.b].sort().join() === [...pair].sort().join();
  const log = l.logging.up ? `logging up ${l.logging.latencyUs} µs${l.logging.lossRate > 0 ? ` loss ${l.logging.lossRate}` : ''}` : 'logging down';
  return {
    id: `link:${l.a}:${l.b}`, label: `${l.a} ↔ ${l.b}${isPair ? ' (FT pair)' : ''}`, description: `${log} · management ${l.management.up ? 'up' : 'down'}`,
    icon: l.logging.up && l.management.up ? 'plug' : 'debug-disconnect', contextValue: isPair ? 'lockstep.link.pair' : 'lockstep.link', children: [],
  };
}

/** The whole tree: one node per host (its VMs below), then a Links node with one child per pair of hosts. */
export function hostsTree(body: HostsReply): TreeNode[] {
  const pair = pairHosts(body);
  const links = body.links.map((l) => linkNode(l, pair));
  const down = links.filter((l) => l.icon !== 'plug').length;
  return [
    ...body.hosts.map((h) => hostNode(h, body.ftState)),
    { id: 'links', label: 'Links', description: down > 0 ? `${down} of ${links.length} impaired` : `${links.length} up`, icon: 'type-hierarchy', contextValue: 'lockstep.links', children: links },
  ];
}
