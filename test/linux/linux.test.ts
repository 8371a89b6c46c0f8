// Linux as a guest (examples/linux, built by `npm run linux`): it boots to /init on one VM and on the FT pair, the same run every time, and a failover keeps the console exact.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'lockstep.js');
const ELF = join(ROOT, 'examples', 'linux', 'linux.elf');
const SCENARIO = join(ROOT, 'examples', 'linux', 'failover.json');
const BOOT = join(ROOT, 'examples', 'linux', 'boot.json');
const missing = existsSync(ELF) ? false : 'examples/linux/linux.elf is not built: `npm run linux` builds it (CI does)';
const opts = { skip: missing, timeout: 300_000 };
const BANNER = 'lockstep /init: hello from Linux';

function lockstep(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'latin1', maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The console's lines from /init's banner on (the kernel's log before it depends on timing no test should pin). */
function initLines(console: string): string[] {
  const lines = console.split(/\r?\n/);
  const at = lines.indexOf(BANNER);
  assert.ok(at >= 0, `the console shows /init's banner: ${console.slice(-400)}`);
  return lines.slice(at).filter((l) => l !== '');
}

/** Every tick once, in order from 1: no line lost, none doubled. */
function assertTicksExact(lines: string[]): number {
  const ticks = lines.slice(1);
  ticks.forEach((l, i) => assert.equal(l, `tick ${i + 1}`, `line ${i + 2} after the banner`));
  return ticks.length;
}

test('one VM boots Linux to /init, and the same boot twice prints the same bytes at the same instruction count', opts, () => {
  const args = ['exec', ELF, '--ram', '64', '--max-instructions', '25000000'];
  const a = lockstep(args), b = lockstep(args);
  assert.equal(a.status, 4, `stopped by --max-instructions: ${a.stderr}`);
  assert.match(a.stdout, /Linux version 6\.1\./);
  assert.match(a.stdout, /Machine model: Lockstep FT VM \(RV32\)/, 'the kernel read the device tree Lockstep wrote');
  assert.match(a.stdout, /Memory: \d+K\/61440K available/, 'all of the 64 MiB above the firmware\'s 4 MiB');
  assert.ok(assertTicksExact(initLines(a.stdout)) >= 1, '/init runs and its timer sleeps end');
  assert.equal(b.stdout, a.stdout);
  assert.equal(b.stderr, a.stderr);
});

test('the protected pair boots Linux; the primary\'s host crashes after /init started; the secondary goes live and the console carries on exact', opts, () => {
  const a = lockstep(['run', SCENARIO, '--json']);
  assert.equal(a.status, 0, a.stderr);
  const r = JSON.parse(a.stdout) as { ok: boolean; traceHash: string; failovers: { fromHost: string; toHost: string; instret: number }[]; ftState: string; respawns: number; console: string };
  assert.equal(r.ok, true, 'every checker holds');
  assert.equal(r.failovers.length, 1);
  assert.deepEqual([r.failovers[0].fromHost, r.failovers[0].toHost], ['host-a', 'host-b']);
  const lines = initLines(r.console);
  const ticks = assertTicksExact(lines);
  assert.ok(ticks >= 15, `ticks before and after the failover (${ticks})`);
  assert.equal(r.respawns, 1, 'a new secondary (a 64 MiB copy) is spawned');
  assert.equal(r.ftState, 'Protected');
  const again = JSON.parse(lockstep(['run', SCENARIO, '--json']).stdout) as { traceHash: string };
  assert.equal(again.traceHash, r.traceHash, 'one seed, one configuration, one program: one run');
});

test('without the crash the console holds the same lines: the failover neither lost nor invented one', opts, () => {
  const crash = JSON.parse(lockstep(['run', SCENARIO, '--json']).stdout) as { console: string };
  const calm = JSON.parse(lockstep(['run', BOOT, '--json']).stdout) as { console: string; failovers: unknown[] };
  assert.equal(calm.failovers.length, 0);
  const withCrash = initLines(crash.console), without = initLines(calm.console);
  const n = Math.min(withCrash.length, without.length);
  assert.deepEqual(withCrash.slice(0, n), without.slice(0, n));
});
