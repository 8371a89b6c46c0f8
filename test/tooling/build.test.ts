// The build's source maps: a development build links them for the debugger; the release build a .vsix ships (without maps) links none.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = join(__dirname, '../..');
const LINK = /^\/\/# sourceMappingURL=(.+)$/m;

/** Builds with scripts/build.mjs into a scratch folder; returns the bundles' paths relative to it. */
function buildInto(dir: string, ...flags: string[]): string[] {
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), ...flags, '--outdir', dir], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  return ['', 'webview/'].flatMap((sub) => readdirSync(join(dir, sub)).filter((f) => f.endsWith('.js')).map((f) => `${sub}${f}`));
}

/** The bundles .vscodeignore lets into the .vsix, and whether it lets any map in. */
function shipped(): { bundles: string[]; maps: boolean } {
  const lines = readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n').filter((l) => l.startsWith('!dist/'));
  return { bundles: lines.filter((l) => l.endsWith('.js')).map((l) => l.slice('!dist/'.length)), maps: lines.some((l) => l.includes('.map')) };
}

test('the release build links no source map: the .vsix leaves the maps out, so a link would point at nothing', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-build-release-'));
  try {
    const bundles = buildInto(dir, '--release');
    const ship = shipped();
    assert.equal(ship.maps, false, '.vscodeignore ships no .map');
    for (const b of ship.bundles) assert.ok(bundles.includes(b), `${b} is built`);
    for (const b of bundles) {
      assert.doesNotMatch(readFileSync(join(dir, b), 'utf8'), LINK, `${b} links no map`);
      assert.ok(existsSync(join(dir, `${b}.map`)), `${b}.map is still written, beside the bundle, for reading a reported stack trace`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the development build links each bundle to its map, which exists', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-build-dev-'));
  try {
    for (const b of buildInto(dir)) {
      const link = LINK.exec(readFileSync(join(dir, b), 'utf8'));
      assert.ok(link !== null, `${b} links its map`);
      assert.equal(link[1], `${basename(b)}.map`);
      assert.ok(existsSync(join(dir, `${b}.map`)), `${b}.map exists`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the e2e setup packages the release build, then restores the development build', () => {
  const setup = readFileSync(join(root, 'scripts/e2e/setup.sh'), 'utf8');
  assert.match(setup, /node scripts\/build\.mjs --release\n\s*npm run package[^\n]*\n[\s\S]*npm run build/);
});
