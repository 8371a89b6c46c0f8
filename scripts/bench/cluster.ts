// Figure 11: a large cluster as users run it: examples/cluster/large.json (16 hosts, 64 VMs: 8 FT VMs running kvstore under load, 56 idle guests in wfi) for 1 simulated second, one `lockstep run` process from start to exit.

import { join } from 'node:path';
import { median, round, spawnTimed } from './util';

export interface ClusterReport {
  scenario: string;
  hosts: number; vms: number; ftVms: number;
  simMs: number;
  /** Process wall time, spawn to exit: each run and their median (target: under 10 s for 1 s simulated). */
  wallMs: number[]; medianWallMs: number;
  /** Simulated time over wall time (1 = real time). */
  simPerWall: number;
  failovers: number; haRestarts: number;
  /** Every run ended with every checker ok and one trace hash. */
  ok: boolean;
  problems: string[];
}

export const CLUSTER_SCENARIO = 'examples/cluster/large.json';

/** `simMs`: the simulated time (1 000 ms for the figure; the quick mode's shorter run only checks it works). */
export function benchCluster(root: string, reps: number, simMs: number): ClusterReport {
  const wallMs: number[] = [];
  const hashes = new Set<string>();
  const problems: string[] = [];
  let last: { endMs: number; failovers: unknown[]; haRestarts: number; ok: boolean; cluster: { vms: { ft: boolean }[]; hosts: unknown[] } } | null = null;
  for (let i = 0; i < reps; i++) {
    const { ms, out } = spawnTimed(process.execPath, [join(root, 'bin', 'lockstep.js'), 'run', join(root, CLUSTER_SCENARIO), '--json', '--until-ms', String(simMs)]);
    wallMs.push(round(ms, 0));
    last = JSON.parse(out);
    hashes.add((last as unknown as { traceHash: string }).traceHash);
    if (!last!.ok) problems.push(`${CLUSTER_SCENARIO}: a checker failed`);
  }
  if (hashes.size > 1) problems.push(`${CLUSTER_SCENARIO}: ${hashes.size} different trace hashes over ${reps} runs`);
  const medianWallMs = round(median(wallMs), 0);
  return {
    scenario: CLUSTER_SCENARIO,
    hosts: last!.cluster.hosts.length, vms: last!.cluster.vms.length, ftVms: last!.cluster.vms.filter((v) => v.ft).length,
    simMs: last!.endMs, wallMs, medianWallMs, simPerWall: round(last!.endMs / medianWallMs, 3),
    failovers: last!.failovers.length, haRestarts: last!.haRestarts, ok: problems.length === 0, problems,
  };
}
