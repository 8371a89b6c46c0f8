// Figure 6: time travel — reverse-step latency deep into a two-VM kvstore run, and checkpoint memory against guest RAM.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster } from '../../src/ft/cluster';
import { parseScenario } from '../../src/ft/scenario';
import { TimeMachine } from '../../src/replay/time-machine';
import { SATURATING_WORKLOAD, SCENARIO, loadKvstore } from './ft';
import { round } from './util';

export interface ReverseRow { depthInstr: number; samples: number; medianMs: number; p95Ms: number; simMs: number; checkpoints: number; memoryOverRam: number }

const SAMPLES = 20;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** Runs the pair until the primary has retired `depth` instructions, then times `SAMPLES` reverse steps. */
function measureDepth(root: string, depth: number): ReverseRow {
  const raw = JSON.parse(readFileSync(join(root, SCENARIO), 'utf8'));
  const scenario = parseScenario({ ...raw, faults: [], untilMs: 600_000, workload: { ...raw.workload, ...SATURATING_WORKLOAD } });
  const tm = new TimeMachine(new Cluster(scenario, loadKvstore(root)));
  const p = tm.cluster.main.primary!;
  for (let t = 10e6; p.machine.instret < depth; t += 10e6) tm.forward(t, true);
  if (tm.seekInstret(p.id, depth).reason !== 'step') throw new Error(`could not reach instruction ${depth}`);
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = process.hrtime.bigint();
    const stop = tm.stepBack(p.id);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (stop.reason !== 'step' || p.machine.instret !== depth - i - 1) throw new Error(`step back ${i} at depth ${depth} landed at ${p.machine.instret}`);
  }
  const mem = tm.checkpointRamBytes();
  return {
    depthInstr: depth, samples: SAMPLES, medianMs: round(percentile(times, 50), 2), p95Ms: round(percentile(times, 95), 2),
    simMs: round(tm.frontierNs / 1e6, 1), checkpoints: tm.checkpointCount, memoryOverRam: round(mem.checkpointBytes / mem.ramBytes, 3),
  };
}

export function benchReverse(root: string, depths: number[]): ReverseRow[] {
  return depths.map((d) => measureDepth(root, d));
}
