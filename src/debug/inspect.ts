// Read-only views of the cluster for the debugger: register/CSR/FT/device tables, primary-vs-secondary comparison, the timeline as plain data.

import type { Machine } from '../machine/machine';
import type { ProgramSymbol } from '../machine/program';
import { PAGE_SIZE } from '../machine/ram';
import { ftState } from '../ft/ft-state';
import { describeFault } from '../ft/faults';
import type { VmInstance } from '../ft/protocol/vm';
import type { LogicalVm } from '../ft/logical-vm';
import { demandMipsOf, loadsByHost } from '../ft/drs-demand';
import { NS_PER_MS } from '../ft/cluster';
import { ABI_NAMES, hex } from './program-info';
import { csrNumber } from './evaluate';
import type { LockstepRuntime } from './runtime';
import { deviceValue, renderPair, type VmImage } from './vm-state-text';
import { cGlobalRows } from './c-vars';
import { FT_OFF, type CompareVmsReply, type HostsReply, type TimelineReply } from './requests';

export interface Row {
  name: string;
  value: string;
  /** Set when the value is an address inside guest RAM. */
  memoryReference?: string;
  /** Editable through setVariable. */
  editable?: boolean;
  /** Child rows (a nested structure, e.g. one device). */
  children?: Row[];
  /** A C expression for this row in its frame (Add to Watch, Copy as Expression; setVariable on a member). */
  evaluateName?: string;
  /** Children too many to list at once (a large array): read a page at a time. */
  indexed?: { count: number; rows(start: number, count: number): Row[] };
}

export const SHOWN_CSRS = [
  'mstatus', 'mie', 'mip', 'mtvec', 'mepc', 'mcause', 'mtval', 'mscratch', 'medeleg', 'mideleg',
  'sstatus', 'sie', 'sip', 'stvec', 'sepc', 'scause', 'stval', 'sscratch', 'satp',
];
const VECTOR_CSRS = new Set(['mtvec', 'mepc', 'stvec', 'sepc']);
const PRIV_NAMES: Record<number, string> = { 0: 'U (user)', 1: 'S (supervisor)', 3: 'M (machine)' };

function ref(m: Machine, v: number): string | undefined {
  return m.view.contains(v >>> 0, 1) ? hex(v) : undefined;
}

/**
 * Registers of the top frame; for a caller frame (`frame` given) its own pc and sp, and the registers call
 * frame information recovers (`saved`; the others `<not saved>`), or without it the rest as they are now.
 */
export function registerRows(m: Machine, frame?: { pc: number; sp: number }, saved?: ReadonlyMap<number, number>): Row[] {
  const pc = frame?.pc ?? m.cpu.pc;
  const rows: Row[] = [{ name: 'pc', value: hex(pc), memoryReference: ref(m, pc), editable: frame === undefined }];
  for (let i = 1; i < 32; i++) {
    const v = i === 2 && frame !== undefined ? frame.sp : saved !== undefined ? saved.get(i) : m.cpu.x[i];
    rows.push(v === undefined ? { name: ABI_NAMES[i], value: '<not saved>' } : { name: ABI_NAMES[i], value: hex(v), memoryReference: ref(m, v), editable: frame === undefined });
  }
  return rows;
}

export function csrRows(m: Machine): Row[] {
  const rows: Row[] = SHOWN_CSRS.map((name) => {
    const v = m.cpu.readCsr(csrNumber(name)!) >>> 0;
    return { name, value: hex(v), memoryReference: VECTOR_CSRS.has(name) ? ref(m, v) : undefined, editable: true };
  });
  rows.push({ name: 'privilege', value: PRIV_NAMES[m.cpu.priv] ?? String(m.cpu.priv) });
  rows.push({ name: 'instret', value: String(m.instret) });
  return rows;
}

export function ftRows(rt: LockstepRuntime, v: VmInstance): Row[] {
  const c = rt.cluster.ownerOf(v);
  const st = ftState(c);
  const peer = v.peer !== null ? c.vm(v.peer) : undefined;
  const isPrimary = v.role === 'primary';
  const applied = isPrimary ? (peer?.receiver.appliedSeq ?? 0) : v.receiver.appliedSeq;
  return [
    { name: 'role', value: v.role },
    { name: 'host', value: v.host },
    { name: 'status', value: v.status },
    { name: 'instret', value: String(v.machine.instret) },
    // Log positions are entry sequence numbers: produced ≥ sent ≥ acknowledged ≥ applied by the secondary.
    ...(isPrimary ? [
      { name: 'log produced', value: String(v.sender.nextSeq - 1) },
      { name: 'log sent', value: String(v.sender.unacked.length > 0 ? v.sender.unacked[v.sender.unacked.length - 1].seq : v.sender.ackedSeq) },
      { name: 'log acked', value: String(v.sender.ackedSeq) },
      { name: 'log bytes buffered', value: String(v.sender.bytes) },
    ] : [
      { name: 'log received', value: String(v.receiver.receivedSeq) },
      { name: 'log covers instret', value: String(v.receiver.coveredInstret) },
    ]),
    { name: 'log applied', value: String(applied) },
    { name: 'lag', value: `${(v.lagNs / NS_PER_MS).toFixed(3)} ms` },
    { name: 'held outputs', value: String(v.held.length) },
    // A storage path loss shows nowhere else until a VM needs the disk or the lock (arbitration waits for it).
    { name: 'shared storage', value: c.storage.reachable(v.host) ? 'reachable' : `unreachable from ${v.host} (storage path lost)` },
    { name: 'protection', value: st.label },
    { name: 'divergence', value: v.divergence ?? 'none' },
    { name: 'simulated time', value: `${(c.nowNs / NS_PER_MS).toFixed(6)} ms` },
  ];
}

export function deviceRows(m: Machine): Row[] {
  return Object.entries(m.describeDevices()).map(([name, regs]) => ({
    name,
    value: Object.entries(regs).slice(0, 3).map(([k, x]) => `${k}=${deviceValue(x)}`).join(' ') + (Object.keys(regs).length > 3 ? ' …' : ''),
    children: Object.entries(regs).map(([k, x]) => ({ name: k, value: deviceValue(x) })),
  }));
}

/** Most symbols the Globals scope lists. */
const GLOBALS_MAX = 200;

/** The program's data symbols with the 32-bit word at each (hex); the address is the memory reference. */
export function globalRows(m: Machine, symbols: readonly ProgramSymbol[]): Row[] {
  return symbols.filter((sym) => sym.kind === 'object').sort((a, b) => a.addr - b.addr).slice(0, GLOBALS_MAX).map((sym) => {
    const addr = sym.addr >>> 0;
    if (!m.view.contains(addr, 4)) return { name: sym.name, value: '<not in RAM>' };
    const b = m.view.readBytes(addr, 4);
    return { name: sym.name, value: hex((b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0), memoryReference: hex(addr) };
  });
}

/** What differs from the other VM of the pair at the same instruction count (compareVms); empty without a peer. */
export function peerDiffRows(rt: LockstepRuntime, v: VmInstance): Row[] {
  const peer = v.peer !== null ? rt.cluster.vm(v.peer) : undefined;
  if (peer === undefined || rt.isRunning) return [];
  let cmp: Comparison;
  try {
    cmp = compareVms(rt, 0, rt.cluster.ownerOf(v));
  } catch (e) {
    return [{ name: 'unavailable', value: (e as Error).message }];
  }
  const at = { name: 'instruction', value: String(cmp.instret) };
  if (cmp.same) return [at, { name: 'result', value: 'identical' }];
  const mine = v.role === 'primary' ? 'primary' : 'secondary';
  const other = mine === 'primary' ? 'secondary' : 'primary';
  return [
    at,
    ...[...cmp.registers, ...cmp.csrs, ...cmp.globals].map((r) => ({ name: r.name, value: `${r[mine]} (peer ${r[other]})` })),
    ...cmp.pages.map((pg) => ({ name: `page ${pg.addr}`, value: `${pg.bytesDiffering} bytes differ`, memoryReference: pg.addr })),
  ];
}

// ---- compare ---------------------------------------------------------------------------------------

/** One VM's machine as the diff shows it, with its FT rows at the same moment. */
function image(m: Machine, v: VmInstance, ft: Row[]): VmImage {
  return {
    label: v.name, vm: v.id, instret: m.instret, pc: m.cpu.pc >>> 0, x: Array.from(m.cpu.x, (r) => r >>> 0),
    csrs: SHOWN_CSRS.map((n) => [n, m.cpu.readCsr(csrNumber(n)!) >>> 0] as const), devices: m.describeDevices(),
    ft: ft.map((r) => ({ name: r.name, value: r.value })), hash: m.hash(), ramBase: m.ram.base, ram: m.ram.bytes.slice(),
  };
}

/** The `compareVMs` reply (src/debug/requests.ts). */
export type Comparison = CompareVmsReply;

/**
 * Both VMs of VM `member`'s pair at the same instruction count: the secondary where it is now (it lags), the primary
 * sought back to that count; the cluster returns to the present afterwards.
 */
function imagesAtCommonCount(rt: LockstepRuntime, member: LogicalVm): { p: VmInstance; s: VmInstance; k: number; pi: VmImage; si: VmImage; pg: Map<string, string>; sg: Map<string, string> } {
  const c = rt.cluster;
  const pair = rt.pair(member);
  if (pair === undefined || pair.s.status === 'copying') throw new Error(noPairReason(rt, member));
  const { p, s } = pair;
  const k = Math.min(s.machine.instret, p.machine.instret);
  const info = rt.programInfoOf(member); // the VM's own program: its C globals
  const globals = (m: Machine): Map<string, string> => new Map(cGlobalRows(m, info).map((r) => [r.name, r.value]));
  // Each side's image, FT rows included, is taken at the compared moment: the title's count is the FT section's.
  const side = (id: number): { img: VmImage; g: Map<string, string> } => {
    const v = c.vm(id)!;
    return { img: image(v.machine, v, ftRows(rt, v)), g: globals(v.machine) };
  };
  const { pi, si, pg, sg } = rt.visitAndReturn(() => {
    if (s.machine.instret !== k && rt.tm.seekInstret(s.id, k).reason !== 'step') throw new Error(`cannot reach instruction ${k} of the secondary`);
    const sec = side(s.id);
    if (rt.tm.seekInstret(p.id, k).reason !== 'step') throw new Error(`cannot reach instruction ${k} of the primary`);
    const pri = side(p.id);
    return { pi: pri.img, si: sec.img, pg: pri.g, sg: sec.g };
  });
  return { p, s, k, pi, si, pg, sg };
}

/**
 * Why VM `member` (default the first shown) has no pair to compare now, in one line (the `noPair` reply, the error
 * without `ifNoPair`, findDivergence's error): a VM of a cluster that is never fault tolerant has none at all.
 */
export function noPairReason(rt: LockstepRuntime, member: LogicalVm = rt.mainVm): string {
  if (member.neverFt) return `${member.name} is not fault tolerant (ft: false in the scenario): it has no secondary`;
  const pair = rt.pair(member);
  const state = ftState(member).label;
  const of = member.label === null ? '' : ` of ${member.label}`;
  if (pair?.s.status === 'copying') return `no secondary${of} to compare yet: it is still being copied (${state})`;
  return `no secondary${of} to compare now (${state}): compareVMs needs a live primary and secondary`;
}

/** Whether compareVms has a pair of VM `member` (default the first shown) to compare now. */
export function hasPair(rt: LockstepRuntime, member: LogicalVm = rt.mainVm): boolean {
  const pair = rt.pair(member);
  return pair !== undefined && pair.s.status !== 'copying';
}

const differing = (names: readonly string[], a: readonly number[], b: readonly number[]) =>
  names.flatMap((name, i) => (a[i] === b[i] ? [] : [{ name, primary: hex(a[i]), secondary: hex(b[i]) }]));

/**
 * Primary vs secondary of VM `member` (default the first shown; any VM of a cluster) at the same instruction count;
 * `dumpPages`: how many differing RAM pages the texts dump as hex.
 */
export function compareVms(rt: LockstepRuntime, dumpPages = 0, member: LogicalVm = rt.mainVm): Comparison {
  const { p, s, k, pi, si, pg, sg } = imagesAtCommonCount(rt, member);
  const { diffs, texts } = renderPair(pi, si, dumpPages);
  const registers = differing(['pc', ...ABI_NAMES.slice(1)], [pi.pc, ...pi.x.slice(1)], [si.pc, ...si.x.slice(1)]);
  const csrs = differing(SHOWN_CSRS, pi.csrs.map(([, v]) => v), si.csrs.map(([, v]) => v));
  const pages = diffs.map((d) => ({ addr: hex(pi.ramBase + d.index * PAGE_SIZE), bytesDiffering: d.bytesDiffering }));
  return {
    instret: k,
    primary: { vm: p.id, name: p.name, host: p.host },
    secondary: { vm: s.id, name: s.name, host: s.host },
    registers, csrs, pages,
    globals: [...pg].flatMap(([name, value]) => (sg.get(name) === value ? [] : [{ name, primary: value, secondary: sg.get(name) ?? '(none)' }])),
    same: registers.length === 0 && csrs.length === 0 && pages.length === 0,
    primaryText: texts[0],
    secondaryText: texts[1],
  };
}

export function formatComparison(cmp: Comparison): string {
  if (cmp.same) return `${cmp.primary.name} and ${cmp.secondary.name} are identical at instruction ${cmp.instret} (registers, CSRs, memory)`;
  const lines = [`${cmp.primary.name} vs ${cmp.secondary.name} at instruction ${cmp.instret}:`];
  for (const r of [...cmp.registers, ...cmp.csrs]) lines.push(`  ${r.name}: ${r.primary} vs ${r.secondary}`);
  for (const g of cmp.globals.slice(0, 20)) lines.push(`  ${g.name} = ${g.primary} vs ${g.secondary}`);
  for (const p of cmp.pages.slice(0, 20)) lines.push(`  page ${p.addr}: ${p.bytesDiffering} bytes differ`);
  if (cmp.pages.length > 20) lines.push(`  … ${cmp.pages.length - 20} more pages`);
  return lines.join('\n');
}

// ---- timeline --------------------------------------------------------------------------------------

/** Faults of the scenario and injected ones the explored history has not reached yet (their fault event not traced), up to the scenario's end. */
function scheduledFaults(rt: LockstepRuntime): TimelineReply['scheduled'] {
  const fired = new Set(rt.tm.events().filter((e) => e.kind === 'fault').map((e) => `${e.timeNs} ${String(e.data?.fault)}`));
  const all = [...rt.scenario.faults.map((f) => ({ atNs: f.atMs * NS_PER_MS, fault: f })), ...rt.cluster.injected];
  return all
    .filter((x) => x.atNs >= rt.tm.frontierNs && x.atNs <= rt.endNs && !fired.has(`${x.atNs} ${x.fault.kind}`))
    .sort((a, b) => a.atNs - b.atNs)
    .map((x) => ({ atNs: x.atNs, kind: x.fault.kind, ...(x.fault.host !== undefined ? { host: x.fault.host } : {}), text: describeFault(x.fault) }));
}

/** The `timeline` custom request: the explored history (events, lag samples) plus where the cluster is now. */
export function timeline(rt: LockstepRuntime): TimelineReply {
  const c = rt.cluster;
  return {
    nowNs: c.nowNs,
    frontierNs: rt.tm.frontierNs,
    endNs: rt.endNs,
    protection: ftState(rt.mainVm).label,
    hosts: [...c.hosts.values()].map((h) => ({ name: h.name, up: h.up, mips: h.mips, slowFactor: h.slowFactor })),
    vms: c.vms.map((v) => ({ id: v.id, role: v.role, host: v.host, status: v.status, instret: v.machine.instret, lagNs: v.lagNs, held: v.held.length, ...named(v.vmLabel) })),
    // The explored history, also after going back in time (the cluster's own trace ends at the present).
    events: rt.tm.events().map((e) => ({ ...e })),
    lag: rt.tm.lagSamples().map((x) => ({ ...x })),
    // A cluster of several VMs: each fault-tolerant VM's own lag, for the timeline's VM filter.
    ...(c.members.length > 1 ? { lagOf: rt.mainVm.label!, lagByVm: rt.tm.laggedVms.map((i) => ({ vm: c.members[i].label!, samples: rt.tm.lagSamples(i).map((x) => ({ ...x })) })) } : {}),
    loggingNic: { hosts: c.scenario.hosts.map((h) => ({ name: h.name, nicMbps: h.loggingNicMbps })), samples: rt.tm.nicSamples().map((x) => ({ timeNs: x.timeNs, bytes: [...x.bytes] })) },
    scheduled: scheduledFaults(rt),
    failovers: c.members.flatMap((m) => m.checkers.failovers.map((f) => ({ ...f, ...named(m.label) }))).sort((a, b) => a.liveAtNs - b.liveAtNs),
    checkpoints: rt.tm.listBookmarks().filter((b) => !b.name.startsWith('\u0000')),
  };
}

/** `{of: name}` for a VM of a cluster of several, nothing for the only VM (as trace events name it). */
function named(label: string | null): { of?: string } {
  return label === null ? {} : { of: label };
}

/** A VM's FT state label; an ordinary VM of a cluster (FT off in the scenario) says so. */
function ftLabel(m: LogicalVm): string {
  return m.neverFt ? FT_OFF : ftState(m).label;
}

/**
 * The Hosts view's data: every host with the VMs on it (by name in a cluster of several, with each VM's FT state), the
 * FT instances on it and what its logging NIC sent, and the logging/management links of each pair of hosts.
 */
export function hostsView(rt: LockstepRuntime): HostsReply {
  const c = rt.cluster;
  const names = [...c.hosts.keys()];
  const nics = new Map(c.scenario.hosts.map((h) => [h.name, h.loggingNicMbps]));
  const drs = c.drs;
  const loads = drs === null ? null : loadsByHost(c, drs);
  const hosts = [...c.hosts.values()].map((h) => {
    const here = c.vms.filter((v) => v.host === h.name);
    const demand = (v: VmInstance) => (drs === null || !v.alive ? {} : { demandMips: demandMipsOf(drs, v) });
    return {
      name: h.name, family: h.family, up: h.up, slowFactor: h.slowFactor, storageReachable: c.main.storage.reachable(h.name),
      vms: here.map((v) => ({ id: v.id, name: v.name, role: v.role, status: v.status, ...(v.vmLabel === null ? {} : { vm: v.vmLabel }), ftState: ftLabel(c.ownerOf(v)), ...demand(v) })),
      ...(loads?.has(h.name) === true ? { load: loads.get(h.name)! } : {}),
      ftVms: here.filter((v) => v.alive && c.ownerOf(v).scenario.ft.enabled).length,
      loggingBytes: c.network.state.loggingBytes[h.name] ?? 0,
      loggingNicMbps: nics.get(h.name) ?? null,
    };
  });
  const links: HostsReply['links'] = [];
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const [a, b] = [names[i], names[j]];
      const log = c.network.linkState('logging', a, b);
      links.push({
        a, b,
        logging: { up: c.network.canTalk('logging', a, b), latencyUs: log?.latencyUs ?? 0, lossRate: log?.lossRate ?? 0 },
        management: { up: c.network.canTalk('management', a, b) },
      });
    }
  }
  return { nowNs: c.nowNs, ftState: ftState(rt.mainVm).label, hosts, links, scheduled: scheduledFaults(rt) };
}
