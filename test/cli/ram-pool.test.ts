// Reused guest RAM changes nothing: runs given the zeroed RAM of earlier runs give the trace and machine states of fresh runs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RamPool } from '../../src/cli/ram-pool';
import { chaosScenario } from '../../src/ft/chaos';
import { runScenario } from '../../src/ft/report';
import { scenario, kvstore } from '../ft/helpers';

test('chaos runs on recycled RAM give the same trace hashes and machine state hashes as on fresh RAM', () => {
  const base = scenario({ untilMs: 150 });
  const pool = new RamPool();
  let reused = 0;
  for (let seed = 1; seed <= 8; seed++) {
    const s = chaosScenario(base, seed, { untilMs: 150 });
    const fresh = runScenario(s, kvstore());
    const source = { take: (n: number) => { const b = pool.take(n); if (b !== undefined) reused++; return b; } };
    const pooled = runScenario(s, kvstore(), { ramSource: source });
    assert.equal(pooled.summary.traceHash, fresh.summary.traceHash, `seed ${seed}`);
    assert.deepEqual(pooled.cluster.vms.map((v) => v.machine.hash()), fresh.cluster.vms.map((v) => v.machine.hash()), `seed ${seed}`);
    pool.recycle(pooled.cluster);
  }
  assert.ok(reused >= 8, `machines given recycled RAM: ${reused}`);
});

test('a recycled buffer is all zeros, and only a buffer of the size asked for is handed out', () => {
  const pool = new RamPool();
  const { cluster } = runScenario(scenario({ untilMs: 20 }), kvstore());
  pool.recycle(cluster);
  assert.equal(pool.take(4096), undefined);
  const b = pool.take(16 * 1024 * 1024)!;
  assert.ok(b !== undefined && b.every((x) => x === 0));
});
