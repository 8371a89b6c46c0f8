// Where the VMs of an HA/DRS cluster with Fault Tolerance may run: host choice, admission control, restart order and rule checks, after vSphere's documented rules.
//
// Pure and deterministic: plain data in, plain data out, no clock, no randomness; it imports only DRS's
// pure load measure. The rules and where they simplify vSphere are described in docs/design/cluster.md.

import { combinedLoad } from './drs-load';

export interface PlacementHost {
  name: string;
  /** Processor family: an FT secondary runs on the family of its primary's host. */
  family: string;
  up: boolean;
  ramMiB: number;
  /** has a storage path and is not cut off */
  reachable: boolean;
  /**
   * DRS's measure of its CPU load: its instances' demand over its speed (absent: DRS measures nothing,
   * and hosts are chosen by the RAM in use alone).
   */
  cpuLoad?: number;
}

export interface PlacedInstance {
  vm: string;
  role: 'primary' | 'secondary';
  host: string;
  /** The VM is fault tolerant: its instances count toward the per-host FT limits. */
  ft: boolean;
  ramMiB: number;
  vcpus: number;
  /** The VM's VM-host rule (null or absent: any host); only ruleViolations reads it. */
  allowedHosts?: string[] | null;
}

export interface PlacementRules {
  /** vSphere's das.maxftvmsperhost: FT primaries plus FT secondaries on one host (vSphere's default is 4). */
  maxFtVmsPerHost: number;
  /** vSphere's das.maxftvcpusperhost: vCPUs of FT instances on one host (vSphere's default is 8). */
  maxFtVcpusPerHost: number;
  /** Admission control's host failures cluster tolerates (0: admission control off). */
  hostFailuresTolerated: number;
  /** VM-VM anti-affinity rules: every instance of a group's VMs on a host of its own (primaries and secondaries alike). */
  vmAntiAffinity: string[][];
}

export interface VmToPlace {
  name: string;
  ft: boolean;
  ramMiB: number;
  vcpus: number;
  /** VM-host rule (must run on these hosts), for the primary and its secondary alike; null: any host. */
  allowedHosts: string[] | null;
}

/** The cluster as placement sees it. An instance of the VM and role being placed is ignored (the instance moves or restarts). */
export interface PlacementView {
  hosts: PlacementHost[];
  instances: PlacedInstance[];
  rules: PlacementRules;
}

export type Placement = { host: string } | { host: null; reason: string };

export type RestartPriority = 'highest' | 'high' | 'medium' | 'low' | 'lowest' | 'disabled';

type Role = PlacedInstance['role'];

/** What one host carries: the sums the RAM and FT rules compare with their limits. */
interface HostLoad {
  usedMiB: number;
  ftVms: number;
  ftVcpus: number;
}

/** One placement rule: which hosts pass it, and why none did when the hosts that reached it all fail it. */
interface Check {
  passes(host: PlacementHost, load: HostLoad): boolean;
  reason(reached: readonly PlacementHost[], loadOf: (host: PlacementHost) => HostLoad): string;
}

/**
 * The host for `vm`'s primary (power-on, or HA restart after its host failed), or why there is none.
 * Applies the VM-host rule, up and reachable hosts, none of `avoid` (a migration's source, its secondary's
 * host), VM-VM anti-affinity, the FT limits and free RAM,
 * but not admission control: vSphere does not block HA restarts with it, so callers ask admissionAllows.
 */
export function placePrimary(view: PlacementView, vm: VmToPlace, preferred?: string | null, avoid: readonly string[] = []): Placement {
  const index = checkView(view);
  checkVm(vm, index);
  checkHostName(preferred, index, 'preferred');
  const checks = [allowedCheck(vm), upCheck(vm), reachableCheck(vm), avoidCheck(vm, avoid), antiAffinityCheck(view, vm), ...limitChecks(view, vm)];
  return choose(view, index, vm, 'primary', checks, preferred ?? null);
}

/**
 * The host for `vm`'s FT secondary whose primary runs on `primaryHost`, or why there is none: never the
 * primary's host, the same processor family, a logging path (`canLog(primaryHost, host)`), the VM-host rule,
 * the FT limits and free RAM, none of `avoid`, and away from the instances of its anti-affinity groups
 * (see antiAffinityCheck). No admission control here either (see placePrimary).
 */
export function placeSecondary(
  view: PlacementView,
  vm: VmToPlace,
  primaryHost: string,
  canLog: (a: string, b: string) => boolean,
  preferred?: string | null,
  avoid: readonly string[] = [],
): Placement {
  const index = checkView(view);
  checkVm(vm, index);
  if (!vm.ft) throw new Error(`placement: ${vm.name} is not fault tolerant, so it has no secondary`);
  checkHostName(primaryHost, index, 'primaryHost');
  checkHostName(preferred, index, 'preferred');
  const family = view.hosts[index.get(primaryHost)!].family;
  const checks = [
    allowedCheck(vm),
    pairCheck(vm, primaryHost),
    avoidCheck(vm, avoid),
    antiAffinityCheck(view, vm),
    familyCheck(vm, family),
    secondaryUpCheck(vm, family),
    secondaryReachableCheck(vm, family),
    logCheck(primaryHost, canLog),
    ...limitChecks(view, vm),
  ];
  return choose(view, index, vm, 'secondary', checks, preferred ?? null);
}

/**
 * Admission control, the cluster resource percentage policy derived from `hostFailuresTolerated` = N:
 * the RAM of every instance, this one included, must fit in the up hosts' RAM minus that of the N largest
 * up hosts, so the N largest can fail and every VM still restarts. N = 0 turns it off (always allowed).
 * vSphere applies it to power-on and to creating a secondary, not to HA restarts.
 */
export function admissionAllows(view: PlacementView, vm: VmToPlace, role: 'primary' | 'secondary'): boolean {
  const index = checkView(view);
  checkVm(vm, index);
  if (role !== 'primary' && role !== 'secondary') throw new Error(`placement: unknown role ${JSON.stringify(role)}`);
  if (role === 'secondary' && !vm.ft) throw new Error(`placement: ${vm.name} is not fault tolerant, so it has no secondary`);
  const n = view.rules.hostFailuresTolerated;
  if (n === 0) return true;
  const upRamMiB = view.hosts.filter((h) => h.up).map((h) => h.ramMiB).sort((a, b) => b - a);
  let capacityMiB = 0;
  for (let i = n; i < upRamMiB.length; i++) capacityMiB += upRamMiB[i];
  let usedMiB = vm.ramMiB;
  for (const inst of view.instances) if (!isSelf(inst, vm.name, role)) usedMiB += inst.ramMiB;
  return usedMiB <= capacityMiB;
}

const PRIORITY_RANK: Record<Exclude<RestartPriority, 'disabled'>, number> = { highest: 0, high: 1, medium: 2, low: 3, lowest: 4 };

/** The order in which HA restarts VMs after a failure: highest priority first, stable within one priority; disabled VMs are not restarted. */
export function restartOrder<T extends { restartPriority: RestartPriority }>(vms: readonly T[]): T[] {
  for (const v of vms) {
    if (v.restartPriority !== 'disabled' && !Object.hasOwn(PRIORITY_RANK, v.restartPriority)) {
      throw new Error(`placement: unknown restart priority ${JSON.stringify(v.restartPriority)}`);
    }
  }
  const kept = vms.filter((v) => v.restartPriority !== 'disabled');
  return kept.sort((a, b) => rank(a.restartPriority) - rank(b.restartPriority)); // Array.prototype.sort is stable (ES2019)
}

/**
 * Every placement rule the current placement breaks, one sentence each (empty when none): an FT pair on one
 * host, a host over an FT limit or over its RAM, two primaries of an anti-affinity group on one host, an
 * instance outside its VM-host rule. Called by a checker every quantum: a few Maps per call, linear in hosts + instances.
 */
export function ruleViolations(view: PlacementView): string[] {
  const index = checkView(view);
  const loads = hostLoads(view, index, null, null);
  const out: string[] = [];
  const primaryHost = new Map<string, string>();
  for (const inst of view.instances) {
    if (inst.role === 'primary' && inst.ft) primaryHost.set(inst.vm, inst.host);
    if (inst.allowedHosts !== undefined && inst.allowedHosts !== null && !inst.allowedHosts.includes(inst.host)) {
      out.push(`${inst.vm}'s ${inst.role} runs on ${inst.host}, outside its VM-host rule (${inst.allowedHosts.join(', ')})`);
    }
  }
  for (const inst of view.instances) {
    if (inst.role === 'secondary' && primaryHost.get(inst.vm) === inst.host) {
      out.push(`${inst.vm}'s primary and secondary both run on ${inst.host}`);
    }
  }
  out.push(...antiAffinityViolations(view));
  view.hosts.forEach((h, i) => hostViolations(h, loads[i], view.rules, out));
  return out;
}

// ---- choosing among candidates ----

/** Runs the checks as a filter pipeline: the first check no remaining host passes is the first blocking rule of the best host. */
function choose(
  view: PlacementView,
  index: Map<string, number>,
  vm: VmToPlace,
  role: Role,
  checks: readonly Check[],
  preferred: string | null,
): Placement {
  if (view.hosts.length === 0) return { host: null, reason: 'the cluster has no hosts' };
  const loads = hostLoads(view, index, vm.name, role);
  const loadOf = (h: PlacementHost): HostLoad => loads[index.get(h.name)!];
  let reached: readonly PlacementHost[] = view.hosts;
  for (const check of checks) {
    const next = reached.filter((h) => check.passes(h, loadOf(h)));
    if (next.length === 0) return { host: null, reason: check.reason(reached, loadOf) };
    reached = next;
  }
  if (preferred !== null && reached.some((h) => h.name === preferred)) return { host: preferred };
  return { host: leastLoaded(reached, loadOf, vm).name };
}

/**
 * Fewest FT instances (for an FT VM); then, where DRS measures load, the lowest DRS load with the VM
 * placed (the higher of the host's CPU load and its memory load with the VM's RAM; the VM's own demand
 * is not known yet); then least RAM in use; then the earliest host. `hosts` is in view order.
 */
function leastLoaded(hosts: readonly PlacementHost[], loadOf: (host: PlacementHost) => HostLoad, vm: VmToPlace): PlacementHost {
  const drsLoad = (h: PlacementHost): number => combinedLoad({ cpu: h.cpuLoad ?? 0, mem: h.ramMiB === 0 ? 0 : (loadOf(h).usedMiB + vm.ramMiB) / h.ramMiB });
  let best = hosts[0];
  for (const h of hosts) {
    const a = loadOf(h);
    const b = loadOf(best);
    if (vm.ft && a.ftVms !== b.ftVms) {
      if (a.ftVms < b.ftVms) best = h;
    } else if (h.cpuLoad !== undefined && best.cpuLoad !== undefined && drsLoad(h) !== drsLoad(best)) {
      if (drsLoad(h) < drsLoad(best)) best = h;
    } else if (a.usedMiB < b.usedMiB) {
      best = h;
    }
  }
  return best;
}

// ---- the checks, in the order they are applied ----

function allowedCheck(vm: VmToPlace): Check {
  return {
    passes: (h) => vm.allowedHosts === null || vm.allowedHosts.includes(h.name),
    reason: () => 'VM-host rule allows no host',
  };
}

function upCheck(vm: VmToPlace): Check {
  return {
    passes: (h) => h.up,
    reason: () => (vm.allowedHosts === null ? 'every host is down' : `${allowedOnly(vm)}, which ${isAre(vm.allowedHosts)} down`),
  };
}

function reachableCheck(vm: VmToPlace): Check {
  const what = 'unreachable (no storage path or cut off)';
  return {
    passes: (h) => h.reachable,
    reason: () => (vm.allowedHosts === null ? `every up host is ${what}` : `${allowedOnly(vm)}, which ${isAre(vm.allowedHosts)} down or ${what}`),
  };
}

/**
 * VM-VM anti-affinity: not on a host running any instance of another VM of `vm`'s groups. vSphere applies
 * the rule to primaries only and lets a failover break it until DRS moves a VM back; keeping every
 * instance of a group on its own host (secondaries too) means no failover ever puts two of the group's
 * primaries on one host, so the rule holds throughout.
 */
function antiAffinityCheck(view: PlacementView, vm: VmToPlace): Check {
  const apart = new Set<string>();
  for (const group of view.rules.vmAntiAffinity) if (group.includes(vm.name)) for (const name of group) apart.add(name);
  apart.delete(vm.name);
  const blocker = new Map<string, string>();
  for (const inst of view.instances) {
    if (apart.has(inst.vm) && !blocker.has(inst.host)) blocker.set(inst.host, inst.vm);
  }
  return {
    passes: (h) => !blocker.has(h.name),
    reason: (reached) => {
      const names = [...new Set(reached.map((h) => blocker.get(h.name)!))];
      return `every eligible host runs ${names.join(' or ')}, kept apart from ${vm.name} by VM-VM anti-affinity`;
    },
  };
}

/** The per-host FT limits (FT VMs only), then free RAM. */
function limitChecks(view: PlacementView, vm: VmToPlace): Check[] {
  const { maxFtVmsPerHost, maxFtVcpusPerHost } = view.rules;
  const ram: Check = {
    passes: (h, load) => load.usedMiB + vm.ramMiB <= h.ramMiB,
    reason: (reached, loadOf) => {
      const free = (h: PlacementHost): number => h.ramMiB - loadOf(h).usedMiB;
      const most = reached.reduce((a, b) => (free(b) > free(a) ? b : a));
      return `no host has ${vm.ramMiB} MiB free (most: ${Math.max(0, free(most))} MiB on ${most.name})`;
    },
  };
  if (!vm.ft) return [ram];
  const ftVms: Check = {
    passes: (_h, load) => load.ftVms + 1 <= maxFtVmsPerHost,
    reason: () => `every eligible host already runs ${maxFtVmsPerHost} FT VM${maxFtVmsPerHost === 1 ? '' : 's'} (maxFtVmsPerHost)`,
  };
  const ftVcpus: Check = {
    passes: (_h, load) => load.ftVcpus + vm.vcpus <= maxFtVcpusPerHost,
    reason: () => `every eligible host would run more than ${maxFtVcpusPerHost} FT vCPUs with ${vm.name}'s ${vm.vcpus} (maxFtVcpusPerHost)`,
  };
  return [ftVms, ftVcpus, ram];
}

/** FT pair anti-affinity: a secondary never shares its primary's host. */
function pairCheck(vm: VmToPlace, primaryHost: string): Check {
  return {
    passes: (h) => h.name !== primaryHost,
    reason: () => (vm.allowedHosts === null ? `no host other than the primary's ${primaryHost}` : `${allowedOnly(vm)}, which runs the primary`),
  };
}

/** Not where another instance of the VM is still alive (an orphan of its last pair, about to halt). */
function avoidCheck(vm: VmToPlace, avoid: readonly string[]): Check {
  return { passes: (h) => !avoid.includes(h.name), reason: () => `every eligible host still runs an instance of ${vm.name} (${avoid.join(', ')})` };
}

/** vLockstep replays on the same processor family as the primary's host. */
function familyCheck(vm: VmToPlace, family: string): Check {
  return { passes: (h) => h.family === family, reason: () => `no host outside the primary's host of family ${family}${allowedNote(vm)}` };
}

function secondaryUpCheck(vm: VmToPlace, family: string): Check {
  return { passes: (h) => h.up, reason: () => `every host of family ${family} other than the primary's is down${allowedNote(vm)}` };
}

function secondaryReachableCheck(vm: VmToPlace, family: string): Check {
  return {
    passes: (h) => h.reachable,
    reason: () => `every up host of family ${family} other than the primary's is unreachable (no storage path or cut off)${allowedNote(vm)}`,
  };
}

function logCheck(primaryHost: string, canLog: (a: string, b: string) => boolean): Check {
  return {
    passes: (h) => canLog(primaryHost, h.name),
    reason: (reached) => `no FT logging path from ${primaryHost} to ${reached.map((h) => h.name).join(', ')}`,
  };
}

// ---- rule violations ----

function antiAffinityViolations(view: PlacementView): string[] {
  const out: string[] = [];
  const groupsOf = new Map<string, number[]>();
  view.rules.vmAntiAffinity.forEach((group, g) => {
    for (const name of group) {
      const gs = groupsOf.get(name) ?? [];
      if (!gs.includes(g)) gs.push(g);
      groupsOf.set(name, gs);
    }
  });
  if (groupsOf.size === 0) return out;
  const first = new Map<string, string>(); // `${group} ${host}` → the first primary of that group seen there
  for (const inst of view.instances) {
    if (inst.role !== 'primary') continue;
    for (const g of groupsOf.get(inst.vm) ?? []) {
      const key = `${g} ${inst.host}`;
      const other = first.get(key);
      if (other === undefined) first.set(key, inst.vm);
      else if (other !== inst.vm) out.push(`${other} and ${inst.vm} both have their primary on ${inst.host}, against VM-VM anti-affinity rule ${g + 1}`);
    }
  }
  return out;
}

function hostViolations(h: PlacementHost, load: HostLoad, rules: PlacementRules, out: string[]): void {
  if (load.ftVms > rules.maxFtVmsPerHost) out.push(`${h.name} runs ${load.ftVms} FT VMs, over maxFtVmsPerHost ${rules.maxFtVmsPerHost}`);
  if (load.ftVcpus > rules.maxFtVcpusPerHost) out.push(`${h.name} runs ${load.ftVcpus} FT vCPUs, over maxFtVcpusPerHost ${rules.maxFtVcpusPerHost}`);
  if (load.usedMiB > h.ramMiB) out.push(`${h.name} runs ${load.usedMiB} MiB of VMs in ${h.ramMiB} MiB of RAM`);
}

// ---- shared helpers ----

/** Per host, in view order: RAM in use and the FT instances, without the instance of (`skipVm`, `skipRole`). */
function hostLoads(view: PlacementView, index: Map<string, number>, skipVm: string | null, skipRole: Role | null): HostLoad[] {
  const loads = view.hosts.map(() => ({ usedMiB: 0, ftVms: 0, ftVcpus: 0 }));
  for (const inst of view.instances) {
    if (skipVm !== null && isSelf(inst, skipVm, skipRole!)) continue;
    const load = loads[index.get(inst.host)!];
    load.usedMiB += inst.ramMiB;
    if (inst.ft) {
      load.ftVms++;
      load.ftVcpus += inst.vcpus;
    }
  }
  return loads;
}

function isSelf(inst: PlacedInstance, vm: string, role: Role): boolean {
  return inst.vm === vm && inst.role === role;
}

function rank(p: RestartPriority): number {
  return PRIORITY_RANK[p as Exclude<RestartPriority, 'disabled'>];
}

function allowedOnly(vm: VmToPlace): string {
  return `VM-host rule allows only ${vm.allowedHosts!.join(', ')}`;
}

function allowedNote(vm: VmToPlace): string {
  return vm.allowedHosts === null ? '' : ` (${allowedOnly(vm)})`;
}

function isAre(names: readonly string[]): string {
  return names.length === 1 ? 'is' : 'are';
}

// ---- argument assertions ----

/** Asserts the view is well formed and returns host name → index in view.hosts. */
function checkView(view: PlacementView): Map<string, number> {
  checkRules(view.rules);
  const index = new Map<string, number>();
  view.hosts.forEach((h, i) => {
    if (typeof h.name !== 'string' || h.name === '') throw new Error(`placement: host ${i} has no name`);
    if (index.has(h.name)) throw new Error(`placement: host ${h.name} is listed twice`);
    checkAmount(h.ramMiB, `host ${h.name} ramMiB`);
    if (h.cpuLoad !== undefined) checkAmount(h.cpuLoad, `host ${h.name} cpuLoad`);
    index.set(h.name, i);
  });
  for (const inst of view.instances) {
    if (!index.has(inst.host)) throw new Error(`placement: ${inst.vm}'s ${inst.role} is on unknown host ${JSON.stringify(inst.host)}`);
    if (inst.role !== 'primary' && inst.role !== 'secondary') throw new Error(`placement: ${inst.vm} has unknown role ${JSON.stringify(inst.role)}`);
    if (inst.role === 'secondary' && !inst.ft) throw new Error(`placement: ${inst.vm} has a secondary but is not fault tolerant`);
    checkAmount(inst.ramMiB, `${inst.vm}'s ramMiB`);
    checkCount(inst.vcpus, `${inst.vm}'s vcpus`, 1);
  }
  return index;
}

function checkRules(rules: PlacementRules): void {
  checkCount(rules.maxFtVmsPerHost, 'maxFtVmsPerHost', 0);
  checkCount(rules.maxFtVcpusPerHost, 'maxFtVcpusPerHost', 0);
  checkCount(rules.hostFailuresTolerated, 'hostFailuresTolerated', 0);
  if (!Array.isArray(rules.vmAntiAffinity) || !rules.vmAntiAffinity.every((g) => Array.isArray(g))) {
    throw new Error('placement: vmAntiAffinity must be a list of groups of VM names');
  }
}

function checkVm(vm: VmToPlace, index: Map<string, number>): void {
  if (typeof vm.name !== 'string' || vm.name === '') throw new Error('placement: the VM has no name');
  checkAmount(vm.ramMiB, `${vm.name}'s ramMiB`);
  checkCount(vm.vcpus, `${vm.name}'s vcpus`, 1);
  for (const h of vm.allowedHosts ?? []) {
    if (!index.has(h)) throw new Error(`placement: ${vm.name}'s VM-host rule names unknown host ${JSON.stringify(h)}`);
  }
}

function checkHostName(name: string | null | undefined, index: Map<string, number>, what: string): void {
  if (name !== null && name !== undefined && !index.has(name)) throw new Error(`placement: ${what} ${JSON.stringify(name)} is not a host of the view`);
}

function checkCount(n: number, what: string, min: number): void {
  if (!Number.isInteger(n) || n < min) throw new Error(`placement: ${what} must be an integer ≥ ${min}, not ${n}`);
}

function checkAmount(n: number, what: string): void {
  if (!Number.isFinite(n) || n < 0) throw new Error(`placement: ${what} must be a finite number ≥ 0, not ${n}`);
}
