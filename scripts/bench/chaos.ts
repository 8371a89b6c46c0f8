// Figure 5: chaos throughput — seeded fault campaigns of the failover scenario run in this process, runs per minute on one core.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chaosScenario } from '../../src/ft/chaos';
import { runScenario } from '../../src/ft/report';
import { parseScenario } from '../../src/ft/scenario';
import { SCENARIO, loadKvstore } from './ft';
import { round, timed } from './util';

export interface ChaosReport { seeds: number; wallMs: number; runsPerMinPerCore: number; checkersFailed: number }

/** Runs seeds 1..`seeds` of `lockstep chaos examples/kvstore/failover.json` one after the other on this thread. */
export function benchChaos(root: string, seeds: number): ChaosReport {
  const base = parseScenario(JSON.parse(readFileSync(join(root, SCENARIO), 'utf8')));
  const program = loadKvstore(root);
  const { value: failed, ms } = timed(() => {
    let n = 0;
    for (let seed = 1; seed <= seeds; seed++) if (!runScenario(chaosScenario(base, seed), program).summary.ok) n++;
    return n;
  });
  return { seeds, wallMs: round(ms, 1), runsPerMinPerCore: round((seeds * 60_000) / ms, 1), checkersFailed: failed };
}
