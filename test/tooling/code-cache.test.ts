// bin/code-cache.js: the CLI's bundle compiled from V8's code cache: written by the first run, used by the next, replaced when stale or corrupt, never in the way.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOADER = join(__dirname, '../../bin/code-cache.js');

/** A bundle-like CommonJS module that reports whether it was loaded from cached code, and uses require and its own path. */
const BUNDLE = `
const path = require('node:path');
exports.answer = () => 6 * 7;
exports.where = () => path.basename(__filename);
exports.isMain = require.main === module;
`;

/** Loads the bundle through requireCached in a new node process; prints what it sees and whether V8 took the cache. */
function load(dir: string, bundle: string, env: Record<string, string> = {}): { answer: number; where: string; isMain: boolean; cache: string } {
  const code = `
    const cc = require(${JSON.stringify(LOADER)});
    const m = cc.requireCached(${JSON.stringify(bundle)});
    console.log(JSON.stringify({ answer: m.answer(), where: m.where(), isMain: m.isMain, cache: cc.lastLoad.cache }));`;
  const out = execFileSync(process.execPath, ['-e', code], { encoding: 'utf8', env: { ...process.env, LOCKSTEP_CACHE_DIR: dir, ...env } });
  return JSON.parse(out);
}

function setup(): { root: string; cache: string; bundle: string } {
  const root = mkdtempSync(join(tmpdir(), 'lockstep-cc-'));
  const bundle = join(root, 'cli.js');
  writeFileSync(bundle, BUNDLE);
  return { root, cache: join(root, 'cache'), bundle };
}

test('the first run writes one cache file per bundle; the next runs load the same module from it', () => {
  const { root, cache, bundle } = setup();
  try {
    assert.deepEqual(load(cache, bundle), { answer: 42, where: 'cli.js', isMain: false, cache: 'miss' });
    const files = readdirSync(cache);
    assert.equal(files.length, 1);
    assert.match(files[0], /^cli-[0-9a-f]{16}\.v8$/);
    assert.deepEqual(load(cache, bundle), { answer: 42, where: 'cli.js', isMain: false, cache: 'hit' });
    assert.deepEqual(readdirSync(cache), files, 'a cache that was taken is not written again');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a new build replaces the old cache file; a corrupt cache file is refused by V8 and written again', () => {
  const { root, cache, bundle } = setup();
  try {
    load(cache, bundle);
    const [first] = readdirSync(cache);
    writeFileSync(bundle, `${BUNDLE}\nexports.more = 1;\n`);
    assert.equal(load(cache, bundle).cache, 'miss');
    const [second, ...rest] = readdirSync(cache);
    assert.deepEqual(rest, [], 'one file per bundle');
    assert.notEqual(second, first, 'keyed by the bundle content');
    writeFileSync(join(cache, second), Buffer.from('not V8 code'));
    assert.deepEqual(load(cache, bundle), { answer: 42, where: 'cli.js', isMain: false, cache: 'rejected' }, 'a corrupt cache is only slower');
    assert.equal(load(cache, bundle).cache, 'hit', 'and written again');
    assert.notEqual(readdirSync(cache).length, 0);
    assert.ok(readdirSync(cache).every((f) => !f.endsWith('.tmp')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('LOCKSTEP_CODE_CACHE=0 writes nothing; a cache folder that cannot be created does not stop the command', () => {
  const { root, cache, bundle } = setup();
  try {
    assert.deepEqual(load(cache, bundle, { LOCKSTEP_CODE_CACHE: '0' }), { answer: 42, where: 'cli.js', isMain: false, cache: 'off' });
    assert.throws(() => readdirSync(cache), /ENOENT/);
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    assert.equal(load(join(file, 'cache'), bundle).answer, 42, 'a cache folder under a file cannot exist');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
