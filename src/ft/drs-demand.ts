// DRS's measurements: each VM instance's CPU demand, read from its instruction counter at DRS's looks only, and the cluster's hosts and instances as DRS's load model (drs-load.ts) weighs them.
//
// Demand is what an instance ran, not what it wanted: the instructions it retired over the last DRS
// interval, per µs. A guest asleep in `wfi` retires almost none; a busy one retires up to its host's speed.

import type { Cluster } from './cluster';
import type { VmInstance } from './protocol/vm';
import { hostLoads, type HostCapacity, type HostLoad, type InstanceDemand } from './drs-load';
import { assert } from './sim/assert';

/** What DRS keeps between its looks: plain data, copied into checkpoints. */
export interface DrsMemory {
  /** The move last recommended while DRS is manual (`<instance id> <host>`: traced once until it changes); null: none. */
  recommended: string | null;
  /** When the instruction counters were last read. */
  sampledAtNs: number;
  /** Instance id → instructions it had retired then, for each instance running then. */
  instret: Map<number, number>;
  /** Instance id → instructions per µs it retired over the last interval, for each instance that ran through it. */
  demandMips: Map<number, number>;
}

/** The cluster as DRS's load model sees it: the up hosts, and the live instances on them with their demand. */
export interface DrsView {
  hosts: HostCapacity[];
  /** The instances, in the cluster's order, beside what the load model reads of them. */
  vms: VmInstance[];
  demands: InstanceDemand[];
}

/**
 * DRS's memory at power-on: every instance is at instruction 0, its first secondaries too (their copy
 * of the primary, taken at this instant, is at instruction 0), so each is measured from here.
 */
export function newDrsMemory(w: Cluster): DrsMemory {
  const instret = new Map<number, number>();
  for (const vm of w.vms) {
    if (!vm.alive) continue;
    assert(vm.guest.instret === 0, 'no VM has run at power-on');
    instret.set(vm.id, 0);
  }
  return { recommended: null, sampledAtNs: w.nowNs, instret, demandMips: new Map() };
}

export function copyDrsMemory(mem: DrsMemory): DrsMemory {
  return { recommended: mem.recommended, sampledAtNs: mem.sampledAtNs, instret: new Map(mem.instret), demandMips: new Map(mem.demandMips) };
}

/**
 * At a DRS look: each instance that ran through the interval since the last look gets its demand (the
 * instructions it retired, per µs), and every counter is read again. No per-instruction cost: the
 * counters are the guests' own `instret`.
 */
export function measureDemand(w: Cluster, mem: DrsMemory): void {
  const intervalNs = w.nowNs - mem.sampledAtNs;
  assert(intervalNs > 0, 'DRS measures demand over an interval that has passed');
  mem.demandMips = new Map();
  for (const vm of w.vms) {
    const before = mem.instret.get(vm.id);
    if (before === undefined || vm.status !== 'running') continue;
    const retired = vm.guest.instret - before;
    assert(retired >= 0, 'an instance\'s instruction counter never goes back');
    mem.demandMips.set(vm.id, (retired * 1000) / intervalNs); // instructions per ns × 1000 = per µs
  }
  sampleCounters(w, mem);
}

/**
 * An instance's CPU demand in MIPS: as measured at the last look, else (born since, or copying then) its
 * peer's — a new secondary replays what its primary runs — else 0 (a VM HA restarted, booting anew).
 */
export function demandMipsOf(mem: DrsMemory, vm: VmInstance): number {
  return mem.demandMips.get(vm.id) ?? (vm.peer === null ? undefined : mem.demandMips.get(vm.peer)) ?? 0;
}

/**
 * The up hosts (in the scenario's order, each at its current speed) and the live instances on them. An
 * instance may be moved if it is running and not already migrating.
 */
export function drsView(w: Cluster, mem: DrsMemory): DrsView {
  const hosts: HostCapacity[] = [];
  const index = new Map<string, number>();
  for (const spec of w.scenario.hosts) {
    const h = w.hosts.get(spec.name)!;
    if (!h.up) continue;
    index.set(h.name, hosts.length);
    hosts.push({ name: h.name, mips: h.speed * h.slowFactor, ramMiB: spec.ramMiB });
  }
  const vms: VmInstance[] = [];
  const demands: InstanceDemand[] = [];
  for (const vm of w.vms) {
    const host = index.get(vm.host);
    if (!vm.alive || host === undefined) continue;
    vms.push(vm);
    demands.push({ host, demandMips: demandMipsOf(mem, vm), ramMiB: w.ownerOf(vm).scenario.ramMiB, movable: vm.status === 'running' && vm.migratingTo === null });
  }
  return { hosts, vms, demands };
}

/** Each up host's CPU and memory load by name, as DRS weighs them now (the Hosts view shows them). */
export function loadsByHost(w: Cluster, mem: DrsMemory): Map<string, HostLoad> {
  const view = drsView(w, mem);
  const loads = hostLoads(view.hosts, view.demands);
  return new Map(view.hosts.map((h, i) => [h.name, loads[i]]));
}

/** Each up host's CPU load (demand over capacity) by name, for placement's choice among eligible hosts. */
export function cpuLoads(w: Cluster, mem: DrsMemory): Map<string, number> {
  return new Map([...loadsByHost(w, mem)].map(([name, load]) => [name, load.cpu]));
}

function sampleCounters(w: Cluster, mem: DrsMemory): void {
  mem.sampledAtNs = w.nowNs;
  mem.instret = new Map();
  for (const vm of w.vms) if (vm.status === 'running') mem.instret.set(vm.id, vm.guest.instret);
}
