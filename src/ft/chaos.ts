// Chaos schedules: fault lists drawn from a seed, aimed at the worst moments (after an output, during respawn, both hosts).

import type { FaultSpec, Scenario } from './scenario';
import { Prng } from './sim/prng';

type Drawer = (p: Prng, atMs: number, s: Scenario) => FaultSpec[];

const hostNames = (s: Scenario) => s.hosts.map((h) => h.name);
const later = (p: Prng, atMs: number, s: Scenario) => Math.min(s.untilMs * 0.9, atMs + p.int(5, 120));

const DRAWERS: { weight: number; draw: Drawer }[] = [
  { weight: 4, draw: (p, at) => [{ atMs: at, kind: 'hostCrash', host: '@primary', when: p.pick(['now', 'afterOutput', 'afterOutput'] as const) }] },
  { weight: 2, draw: (p, at) => [{ atMs: at, kind: 'hostCrash', host: '@secondary', when: p.pick(['now', 'duringRespawn'] as const) }] },
  { weight: 1, draw: (p, at, s) => {
    const crash: FaultSpec[] = [{ atMs: at, kind: 'hostCrash', host: '@primary' }, { atMs: at + p.int(0, 3), kind: 'hostCrash', host: '@secondary' }];
    return [...crash, { atMs: later(p, at, s), kind: 'hostRestore', host: s.placement.primary }];
  } },
  { weight: 2, draw: (p, at, s) => [
    { atMs: at, kind: 'partition', groups: [['@primary'], hostNames(s).filter((h) => h !== s.placement.primary)] },
    { atMs: later(p, at, s), kind: 'heal' },
  ] },
  { weight: 2, draw: (p, at, s) => [{ atMs: at, kind: 'loggingLinkDown' }, { atMs: later(p, at, s), kind: 'loggingLinkUp' }] },
  { weight: 2, draw: (p, at) => [{ atMs: at, kind: 'linkDegrade', latencyUs: p.int(50, 2000), lossRate: p.int(0, 50) / 1000, bandwidthMbps: p.pick([1000, 2500, 10000]) }] },
  { weight: 1, draw: (p, at) => [{ atMs: at, kind: 'slowHost', host: p.pick(['@primary', '@secondary']), factor: p.int(20, 90) / 100 }] },
  { weight: 1, draw: (p, at, s) => [{ atMs: at, kind: 'storageLoss', host: s.placement.primary }, { atMs: later(p, at, s), kind: 'storageRestore', host: s.placement.primary }] },
  { weight: 1, draw: (_p, at) => [{ atMs: at, kind: 'testFailover' }] },
  { weight: 1, draw: (_p, at) => [{ atMs: at, kind: 'testRestartSecondary' }] },
];

/** The scenario for one chaos seed: the base scenario with `seed` and 1–3 drawn faults (replacing its own). */
export function chaosScenario(base: Scenario, seed: number): Scenario {
  const p = new Prng(seed, 'chaos');
  const total = DRAWERS.reduce((a, d) => a + d.weight, 0);
  const faults: FaultSpec[] = [];
  const count = p.int(1, 3);
  const firstMs = base.workload.startMs + 5;
  const lastMs = Math.max(firstMs + 1, base.untilMs * 0.6);
  for (let i = 0; i < count; i++) {
    let r = p.int(0, total - 1);
    const d = DRAWERS.find((x) => (r -= x.weight) < 0)!;
    faults.push(...d.draw(p, p.int(Math.ceil(firstMs), Math.floor(lastMs)), base));
  }
  faults.sort((a, b) => a.atMs - b.atMs);
  return { ...base, seed, faults };
}
