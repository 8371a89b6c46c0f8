// A new CPU must not deoptimise the region functions other CPUs of the process compiled (they are shared: a pair, a chaos campaign, a debug session after another).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

test('building a second machine leaves the regions the first one optimised optimised', () => {
  // V8's own view, through its test natives (a child process: they need --allow-natives-syntax).
  // With the RegionEnv an object literal, every region was marked for deoptimisation here.
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', join(__dirname, 'region-env-probe.ts')], { encoding: 'utf8' });
  const r = JSON.parse(out) as { regions: number; before: number; after: number; lost: number };
  assert.ok(r.regions >= 2 && r.before >= 1, `the probe optimised no region (${out})`);
  assert.equal(r.lost, 0, `regions optimised before the second machine and not after: ${r.lost} of ${r.before} (${out})`);
});
