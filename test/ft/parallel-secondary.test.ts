// The secondary on another thread: the same trace and final state hashes as the in-thread secondary, with failovers and respawns.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chaosScenario } from '../../src/ft/chaos';
import { parseScenario, type Scenario } from '../../src/ft/scenario';
import { runScenario } from '../../src/ft/report';
import { runScenarioParallel } from '../../src/cli/parallel-secondary';
import { loadElf } from '../../src/machine/elf';
import { kvstore, scenario } from './helpers';

const failoverJson = () => JSON.parse(readFileSync(join(__dirname, '../../examples/kvstore/failover.json'), 'utf8'));

/** Runs `s` both ways and asserts the same summary (trace hash included) and the same final machine states. */
function compare(label: string, s: Scenario): { fallback: string | null; failovers: number; respawns: number } {
  const here = runScenario(s, kvstore());
  const there = runScenarioParallel(s, kvstore(), { stateHashes: true });
  assert.equal(there.summary.traceHash, here.summary.traceHash, `${label}: trace hash`);
  assert.deepEqual(there.summary, here.summary, `${label}: summary`);
  assert.deepEqual(there.stateHashes, here.cluster.vms.map((v) => v.machine.hash()), `${label}: final state hashes`);
  return { fallback: there.fallback, failovers: here.summary.failovers.length, respawns: here.summary.respawns };
}

test('examples/kvstore/failover.json: the parallel secondary gives the in-thread run, without falling back', () => {
  const r = compare('failover.json', parseScenario(failoverJson()));
  assert.equal(r.fallback, null);
  assert.equal(r.failovers, 1);
  assert.equal(r.respawns, 1);
});

test('chaos seeds with failovers and respawns: identical trace and state hashes, no fallback', () => {
  const base = scenario({ untilMs: 120 });
  let withFailover = 0;
  for (let seed = 1; seed <= 40 && withFailover < 5; seed++) {
    const s = chaosScenario(base, seed, { untilMs: base.untilMs });
    if (runScenario(s, kvstore()).summary.failovers.length === 0) continue;
    const r = compare(`seed ${seed}`, s);
    assert.equal(r.fallback, null, `seed ${seed}: ${r.fallback}`);
    withFailover++;
  }
  assert.equal(withFailover, 5, 'five seeds with a failover among the first 40');
});

test('a secondary halted before its copy arrived (then an HA restart): same state hashes, no fall-back', () => {
  // Test Restart Secondary at 75 ms starts a copy to host-c, host-a crashes at 78 ms, the new
  // secondary halts before the copy finished (it never reached the worker), HA restarts the VM.
  const s = scenario({ untilMs: 150, faults: [{ atMs: 75, kind: 'testRestartSecondary' }, { atMs: 78, kind: 'hostCrash', host: 'host-a' }] });
  const here = runScenario(s, kvstore());
  assert.ok(here.cluster.trace.events.some((e) => e.kind === 'halt' && /before the copy finished/.test(e.text)), 'the seed still halts a secondary mid-copy');
  assert.equal(compare('restart then crash', s).fallback, null);
});

test('a wrong log (what-if) voids the parallel run: it falls back to the in-thread run, with the same result', () => {
  const s = scenario({ untilMs: 60, whatIf: { omitLogKinds: ['time'] } });
  const r = compare('omit time', s);
  assert.notEqual(r.fallback, null);
});

test('a guest that powers off: the shadow predicts the exit where the real secondary stops', () => {
  const program = loadElf(readFileSync(join(__dirname, '../../examples/bench/crc32-rv32im.elf')), 'crc32-rv32im.elf');
  const s = parseScenario({ program: 'crc32-rv32im.elf', untilMs: 1200, workload: { clients: 0 } });
  const here = runScenario(s, program);
  const there = runScenarioParallel(s, program, { stateHashes: true });
  assert.equal(there.fallback, null);
  assert.deepEqual(there.summary, here.summary);
  assert.deepEqual(there.stateHashes, here.cluster.vms.map((v) => v.machine.hash()));
  assert.deepEqual(here.summary.vms.map((v) => v.status), ['exited', 'exited']);
});
