// Determinism is sacred: one seed gives one exact run, and the secondary's state equals the primary's at the same instruction.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from '../../src/ft/cluster';
import { chaosScenario } from '../../src/ft/chaos';
import { runScenario } from '../../src/ft/report';
import { kvstore, scenario } from './helpers';
import type { Scenario } from '../../src/ft/scenario';

test('same seed and schedule twice ⇒ same trace hash, over many chaos seeds', () => {
  const base = scenario({ untilMs: 120 });
  const hashes = new Set<string>();
  for (let seed = 1; seed <= 24; seed++) {
    const s = chaosScenario(base, seed, { untilMs: base.untilMs });
    const a = runScenario(s, kvstore()).summary;
    const b = runScenario(s, kvstore()).summary;
    assert.equal(a.traceHash, b.traceHash, `seed ${seed}`);
    assert.deepEqual(a.vms, b.vms, `seed ${seed}`);
    hashes.add(a.traceHash);
  }
  assert.ok(hashes.size >= 20, "different seeds give different runs");
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
  const p = c.main.primary!;
  const sec = c.main.secondary!;
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

test('slicing time finely (every few microseconds) gives exactly the same run as one straight run', () => {
  const s = scenario({ untilMs: 40, faults: [{ atMs: 12, kind: 'slowHost', host: '@secondary', factor: 0.3 }, { atMs: 20, kind: 'hostCrash', host: '@primary' }] });
  const one = new Cluster(s, kvstore());
  one.run(40e6); // to the same end (runScenario would go on until the failover bound is decided)
  one.finish();
  const straight = one.trace.hash();
  const c = new Cluster(s, kvstore());
  let t = 0;
  for (let i = 0; t < 40e6; i++) c.run((t += 1_000 + ((i * 7919) % 23_000)));
  c.finish();
  assert.equal(c.trace.hash(), straight);
});

test('a slice boundary just before or after an output\'s instruction does not move the output in time', () => {
  // A quantum that ends right before the instruction making an output starts the next one at that instant;
  // the output's time must come from the VM's credit alone, never from where the quantum began.
  const s = scenario({ untilMs: 12 });
  const straight = new Cluster(s, kvstore());
  straight.run(12e6);
  const produced = straight.trace.events
    .filter((e) => e.kind === 'release' && e.timeNs > 2e6)
    .slice(0, 60)
    .map((e) => e.timeNs - (e.data as { heldNs: number }).heldNs);
  assert.ok(produced.length >= 20, `${produced.length} outputs`);
  const cuts = [...new Set(produced.flatMap((t) => [t - 1, t, t + 1, t + 2]))].sort((a, b) => a - b);
  const c = new Cluster(s, kvstore());
  for (const t of cuts) c.run(t);
  c.run(12e6);
  assert.equal(c.trace.hash(), straight.trace.hash());
});

test('slicing at seeded random points gives the straight run, over chaos seeds (failovers, partitions, outputs released at once)', () => {
  const base = scenario({ untilMs: 60 });
  for (let seed = 1; seed <= 20; seed++) assertSlicingKeepsRun(chaosScenario(base, seed, { untilMs: base.untilMs }), seed, 40_000);
});

test('links and storage faster than the longest quantum (5 µs): slicing still gives the straight run', () => {
  // Quanta are bounded by the lowest latency: a packet or disk request a VM sends never arrives inside the
  // quantum that sent it, where it would stop that VM short of its credit only when no slice ended first.
  const fast = { latencyUs: 5 };
  const base = scenario({ untilMs: 30, network: { logging: fast, client: fast, management: fast }, storage: fast });
  for (let seed = 1; seed <= 6; seed++) assertSlicingKeepsRun(seed === 1 ? base : chaosScenario(base, seed, { untilMs: base.untilMs }), seed, 30_000);
});

/** Runs `s` straight, then sliced at seeded random points 1 ns to `stepMaxNs` apart: the traces must be the same. */
function assertSlicingKeepsRun(s: Scenario, seed: number, stepMaxNs: number): void {
  const untilNs = s.untilMs * 1e6;
  const straight = new Cluster(s, kvstore());
  straight.run(untilNs);
  const c = new Cluster(s, kvstore());
  let r = seed * 7777;
  for (let t = 0, i = 0; t < untilNs && i < 100_000; i++) {
    r = (r * 1103515245 + 12345) % 2147483648;
    c.run((t = Math.min(untilNs, t + 1 + (r % stepMaxNs))));
  }
  assert.equal(c.trace.hash(), straight.trace.hash(), `seed ${seed}`);
}

test('on a host faster than one instruction per ns, a slice ending at an output\'s instant leaves the log as it was', () => {
  // The output's urgent flush cuts the quantum at that instant; the primary then runs on to its credit
  // there (several instructions at 3 000 MIPS), exactly as when a slice ends at that instant.
  const hosts = ['host-a', 'host-b', 'host-c'].map((name) => ({ name, mips: 3000, jitter: 0 }));
  const s = scenario({ untilMs: 12, hosts });
  const logCovers = (cuts: number[]): { covered: number[]; hash: string } => {
    const c = new Cluster(s, kvstore());
    const covered: number[] = [];
    const push = c.queue.push.bind(c.queue);
    c.queue.push = (t, ev, prio) => {
      if (ev.t === 'logMsg') covered.push(ev.covered);
      return push(t, ev, prio);
    };
    for (const t of cuts) c.run(t);
    c.run(12e6);
    return { covered, hash: c.trace.hash() };
  };
  const straight = logCovers([]);
  const probe = new Cluster(s, kvstore());
  probe.run(12e6);
  const instants = probe.trace.events.filter((e) => e.kind === 'release').map((e) => e.timeNs - (e.data as { heldNs: number }).heldNs);
  assert.ok(instants.length >= 20, `${instants.length} outputs`);
  assert.deepEqual(logCovers([...new Set(instants)].sort((a, b) => a - b)), straight);
});

test('a fault injected mid-run (even inside a quantum, after a step) replays exactly from its recorded time', () => {
  const s = scenario({ untilMs: 120 });
  const live = new Cluster(s, kvstore());
  live.run(30e6);
  const p = live.main.primary!;
  live.stepTargets.set(p.id, p.machine.instret + 1234);
  assert.equal(live.run(120e6).reason, 'step');
  live.inject({ atMs: 0, kind: 'hostCrash', host: '@primary' });
  live.run(60e6);
  live.inject({ atMs: 0, kind: 'linkDegrade', latencyUs: 300 });
  live.run(120e6);
  live.finish();
  assert.equal(live.main.checkers.failovers.length, 1);

  const again = new Cluster(s, kvstore());
  for (const { atNs, fault } of live.injected) again.scheduleInjected(atNs, fault);
  again.run(120e6);
  again.finish();
  assert.equal(again.trace.hash(), live.trace.hash());
});
