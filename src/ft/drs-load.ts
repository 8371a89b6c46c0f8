// DRS's load model: each host's CPU and memory load from its VMs' demand, the cluster's imbalance (standard deviation of host loads), and the moves that lower it most.
//
// Pure and deterministic: plain data in, plain data out, no clock, no randomness, no project imports.
// How demand is measured and where this simplifies vSphere is described in docs/design/cluster.md.

/** A host as DRS weighs it: what it can run. */
export interface HostCapacity {
  name: string;
  /** Guest instructions per µs it runs right now (its speed, slowed by a slow-host fault). */
  mips: number;
  ramMiB: number;
}

/** A VM instance as DRS weighs it: where it runs, what it asks for, whether DRS may move it now. */
export interface InstanceDemand {
  /** Index of its host in the host list. */
  host: number;
  /** Instructions it retired per µs over the last DRS interval. */
  demandMips: number;
  ramMiB: number;
  movable: boolean;
}

/** A host's load: CPU demand over capacity and configured VM memory over host memory (fractions; CPU may pass 1). */
export interface HostLoad {
  cpu: number;
  mem: number;
}

/** A move DRS may make: instance `instance` to host `to`, with the imbalance before and after. */
export interface RankedMove {
  instance: number;
  to: number;
  imbalanceBefore: number;
  imbalanceAfter: number;
}

/**
 * A host's load in one number: its scarcer resource (the higher of its CPU and memory load). A host is as
 * full as its fullest resource; an idle VM weighs only its memory, a busy one mostly its CPU.
 */
export function combinedLoad(load: HostLoad): number {
  return Math.max(load.cpu, load.mem);
}

/** Each host's CPU and memory load from the instances on it, in host order. */
export function hostLoads(hosts: readonly HostCapacity[], instances: readonly InstanceDemand[]): HostLoad[] {
  for (const h of hosts) checkHost(h);
  const cpuMips = hosts.map(() => 0);
  const usedMiB = hosts.map(() => 0);
  for (const inst of instances) {
    checkInstance(inst, hosts.length);
    cpuMips[inst.host] += inst.demandMips;
    usedMiB[inst.host] += inst.ramMiB;
  }
  return hosts.map((h, i) => ({ cpu: cpuMips[i] / h.mips, mem: usedMiB[i] / h.ramMiB }));
}

/** The cluster's imbalance: the population standard deviation of the hosts' combined loads (0 for fewer than two hosts). */
export function imbalance(loads: readonly number[]): number {
  if (loads.length < 2) return 0;
  let sum = 0;
  for (const l of loads) sum += l;
  const mean = sum / loads.length;
  let squares = 0;
  for (const l of loads) squares += (l - mean) * (l - mean);
  return Math.sqrt(squares / loads.length);
}

/**
 * Every move of one movable instance to another host that lowers the imbalance by at least `gainMin`,
 * the largest gain first (equal gains: instance order, then host order). Quadratic in hosts × instances
 * with small constants: a few thousand candidates for the largest examples, once per DRS interval.
 */
export function rankedMoves(hosts: readonly HostCapacity[], instances: readonly InstanceDemand[], gainMin: number): RankedMove[] {
  if (!(gainMin > 0)) throw new Error(`drs: the minimum gain must be positive, not ${gainMin}`);
  const loads = hostLoads(hosts, instances);
  const combined = loads.map(combinedLoad);
  const before = imbalance(combined);
  const moves: RankedMove[] = [];
  instances.forEach((inst, i) => {
    if (!inst.movable) return;
    for (let to = 0; to < hosts.length; to++) {
      if (to === inst.host) continue;
      const after = imbalanceAfterMove(hosts, loads, combined, inst, to);
      if (before - after >= gainMin) moves.push({ instance: i, to, imbalanceBefore: before, imbalanceAfter: after });
    }
  });
  return moves.sort((a, b) => (b.imbalanceBefore - b.imbalanceAfter) - (a.imbalanceBefore - a.imbalanceAfter)); // stable (ES2019)
}

/** The imbalance once `inst` runs on host `to` instead of its own (its demand and memory count there at that host's capacity). */
function imbalanceAfterMove(hosts: readonly HostCapacity[], loads: readonly HostLoad[], combined: readonly number[], inst: InstanceDemand, to: number): number {
  const after = combined.slice();
  const from = loads[inst.host];
  const dest = loads[to];
  after[inst.host] = combinedLoad({ cpu: from.cpu - inst.demandMips / hosts[inst.host].mips, mem: from.mem - inst.ramMiB / hosts[inst.host].ramMiB });
  after[to] = combinedLoad({ cpu: dest.cpu + inst.demandMips / hosts[to].mips, mem: dest.mem + inst.ramMiB / hosts[to].ramMiB });
  return imbalance(after);
}

function checkHost(h: HostCapacity): void {
  if (!(h.mips > 0 && Number.isFinite(h.mips))) throw new Error(`drs: host ${h.name} runs ${h.mips} MIPS`);
  if (!(h.ramMiB > 0 && Number.isFinite(h.ramMiB))) throw new Error(`drs: host ${h.name} has ${h.ramMiB} MiB`);
}

function checkInstance(inst: InstanceDemand, hostCount: number): void {
  if (!Number.isInteger(inst.host) || inst.host < 0 || inst.host >= hostCount) throw new Error(`drs: an instance is on unknown host ${inst.host}`);
  if (!(inst.demandMips >= 0 && Number.isFinite(inst.demandMips))) throw new Error(`drs: an instance demands ${inst.demandMips} MIPS`);
  if (!(inst.ramMiB >= 0 && Number.isFinite(inst.ramMiB))) throw new Error(`drs: an instance has ${inst.ramMiB} MiB`);
}
