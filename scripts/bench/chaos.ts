// Figure 5: chaos throughput — seeded fault campaigns run in this process on one core: the failover scenario at its own horizon, and the four-guest campaign at drawn horizons.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chaosScenario } from '../../src/ft/chaos';
import { runScenario } from '../../src/ft/report';
import { parseScenario } from '../../src/ft/scenario';
import { loadElf } from '../../src/machine/elf';
import { RamPool } from '../../src/cli/ram-pool';
import { SCENARIO } from './ft';
import { round, timed } from './util';

export interface ChaosReport {
  seeds: number; wallMs: number; runsPerMinPerCore: number; checkersFailed: number;
  /** The campaign over the four example guests (seeds dealt in turn), horizons as drawn. */
  guests: { seeds: number; wallMs: number; runsPerMinPerCore: number; simSecondsPerMin: number; checkersFailed: number };
}

/** The example guests of `lockstep chaos` campaigns (scenario files). */
export const CHAOS_GUESTS = [SCENARIO, 'examples/ticker/ticker.json', 'examples/diskhog/diskhog.json', 'examples/bench/crc32.json'];

function loadGuest(root: string, file: string) {
  const base = parseScenario(JSON.parse(readFileSync(join(root, file), 'utf8')));
  const elf = join(root, file, '..', base.program);
  return { base, program: loadElf(readFileSync(elf), base.program) };
}

/**
 * Runs seeds 1..`seeds` of `lockstep chaos examples/kvstore/failover.json --until-ms 300` (the
 * scenario's own horizon: comparable across generators), then `seeds` seeds of the four-guest campaign.
 */
export function benchChaos(root: string, seeds: number): ChaosReport {
  const kv = loadGuest(root, SCENARIO);
  const pool = new RamPool(); // as lockstep chaos does: finished runs' RAM serves the next ones
  const run = (s: Parameters<typeof runScenario>[0], program: Parameters<typeof runScenario>[1]) => {
    const r = runScenario(s, program, { ramSource: pool });
    pool.recycle(r.cluster);
    return r.summary;
  };
  const { value: failed, ms } = timed(() => {
    let n = 0;
    for (let seed = 1; seed <= seeds; seed++) if (!run(chaosScenario(kv.base, seed, { untilMs: kv.base.untilMs }), kv.program).ok) n++;
    return n;
  });
  const guests = CHAOS_GUESTS.map((f) => loadGuest(root, f));
  let simMs = 0;
  const campaign = timed(() => {
    let n = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const g = guests[(seed - 1) % guests.length];
      const summary = run(chaosScenario(g.base, seed), g.program);
      simMs += summary.endMs;
      if (!summary.ok) n++;
    }
    return n;
  });
  return {
    seeds, wallMs: round(ms, 1), runsPerMinPerCore: round((seeds * 60_000) / ms, 1), checkersFailed: failed,
    guests: {
      seeds, wallMs: round(campaign.ms, 1), runsPerMinPerCore: round((seeds * 60_000) / campaign.ms, 1),
      simSecondsPerMin: round((simMs / 1000) * (60_000 / campaign.ms), 1), checkersFailed: campaign.value,
    },
  };
}
