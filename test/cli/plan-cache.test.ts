// Region hints kept between runs (src/debug/plan-cache.ts): the second `lockstep exec` of a program translates its hot code at once, and no cache file, however wrong, changes what a run prints.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { clearPlans } from '../../src/machine/jit-plans';
import { PlanCache, planCacheDir, planCacheKey } from '../../src/debug/plan-cache';
import { loadElf } from '../../src/machine/elf';

const root = join(__dirname, '../..');
const elf = join(root, 'examples/suite/interp.elf');

/** `lockstep exec --stats` in-process with the cache in `dir`, as a new process would start it (no plans yet). */
async function exec(dir: string): Promise<{ code: number; out: string; stats: { instret: number; regions: number; fromHints: number } }> {
  clearPlans();
  let out = '', err = '';
  const code = await main(['exec', elf, '--stats'], { stdout: (s) => (out += s), stderr: (s) => (err += s), isTty: false, planCacheDir: dir });
  return { code, out, stats: JSON.parse(err.trim().split('\n').pop()!) };
}

test('the second exec of a program starts from the first one\'s hints and prints the same', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-plans-'));
  try {
    const first = await exec(dir);
    assert.equal(first.code, 0);
    assert.equal(first.stats.fromHints, 0);
    const files = readdirSync(dir);
    assert.equal(files.length, 1, `one file per program: ${files}`);
    assert.equal(files[0], `${planCacheKey(loadElf(readFileSync(elf), 'interp'))}.json`);
    const second = await exec(dir);
    assert.ok(second.stats.fromHints > 0, `regions from hints: ${second.stats.fromHints}`);
    assert.deepEqual([second.code, second.out, second.stats.instret], [first.code, first.out, first.stats.instret]);
    // A corrupt file, one of another format, one with hints of another shape: each is ignored.
    for (const text of ['{"format":1,"hints":[{"entry":', '{"format":99,"hints":[]}', '{"format":1,"hints":[{"entry":"x"}]}', '']) {
      writeFileSync(join(dir, files[0]), text);
      const again = await exec(dir);
      assert.deepEqual([again.code, again.out, again.stats.instret, again.stats.fromHints], [first.code, first.out, first.stats.instret, 0], text);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    clearPlans();
  }
});

test('the cache keeps the newest 64 programs, writes nothing with nowhere to write, and honours LOCKSTEP_CODE_CACHE=0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-plans-'));
  try {
    for (let i = 0; i < 70; i++) {
      const f = join(dir, `old-${String(i).padStart(2, '0')}.json`);
      writeFileSync(f, '{}');
      utimesSync(f, 1000 + i, 1000 + i);
    }
    await exec(dir);
    const left = readdirSync(dir).sort();
    assert.equal(left.length, 64);
    assert.ok(!left.includes('old-00.json') && left.includes('old-69.json'), 'the oldest went');
    const blocked = join(dir, 'a-file');
    writeFileSync(blocked, '');
    const program = loadElf(readFileSync(elf), 'interp');
    new PlanCache(program, join(blocked, 'plans')).save(); // the run's plans, into a folder that cannot be made: nothing thrown
    assert.equal(new PlanCache(program, null).load(), 0);
    assert.equal(planCacheDir({ LOCKSTEP_CODE_CACHE: '0' }), null);
    assert.equal(planCacheDir({ LOCKSTEP_CACHE_DIR: '/x' }), join('/x', 'plans'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    clearPlans();
  }
});
