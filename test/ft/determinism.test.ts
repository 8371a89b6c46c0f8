// Determinism is sacred: one seed gives one exact run, and the secondary's state equals the primary's at the same instruction.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from '../../src/ft/cluster';
import { chaosScenario } from '../../src/ft/chaos';
import { runScenario } from '../../src/ft/report';
import { kvstore, scenario } from './helpers';

test('same seed and schedule twice ⇒ same trace hash, over many chaos seeds', () => {
  const base = scenario({ untilMs: 120 });
  const hashes = new Set<string>();
  for (let seed = 1; seed <= 12; seed++) {
    const s = chaosScenario(base, seed);
    const a = runScenario(s, kvstore()).summary;
    const b = runScenario(s, kvstore()).summary;
    assert.equal(a.traceHash, b.traceHash, `seed ${seed}`);
    assert.deepEqual(a.vms, b.vms, `seed ${seed}`);
    hashes.add(a.traceHash);
  }
  assert.ok(hashes.size >= 10, 'different seeds give different runs');
});

test('stopping and resuming the cluster at arbitrary points does not change the run', () => {
  const s = scenario({ untilMs: 80, faults: [{ atMs: 30, kind: 'hostCrash', host: '@primary' }] });
  const straight = runScenario(s, kvstore()).summary.traceHash;
  const c = new Cluster(s, kvstore());
  for (let t = 0.37; t < 80; t += 3.91) c.run(t * 1e6);
  c.run(80e6);
  c.finish();
  assert.equal(c.trace.hash(), straight);
});

test('the secondary state hash equals the primary state hash at the same instruction count, at many points', () => {
  const c = new Cluster(scenario({ untilMs: 100 }), kvstore());
  const p = c.primary!;
  const sec = c.secondary!;
  let compared = 0;
  for (let k = 50_000; k < 2_000_000 && compared < 25; k = Math.max(k + 13_577, p.machine.instret + 977)) {
    c.stepTargets.set(p.id, k);
    const a = c.run(100e6);
    if (a.reason !== 'step') break;
    const primaryHash = p.machine.hash();
    assert.equal(p.machine.instret, k);
    c.stepTargets.set(sec.id, k);
    const b = c.run(100e6);
    assert.equal(b.reason, 'step', `secondary reached ${k}`);
    assert.equal(sec.machine.instret, k);
    assert.equal(sec.machine.hash(), primaryHash, `state at instruction ${k}`);
    compared++;
  }
  assert.ok(compared >= 10, `compared at ${compared} points`);
});
