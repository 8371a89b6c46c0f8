// The command line: run's JSON summary and exit codes, chaos campaigns, exec, and clear errors for bad input.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './run-cli';
import { durationText } from '../../src/cli/chaos-command';

const root = join(__dirname, '../..');

function scenarioFile(body: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-cli-'));
  const p = join(dir, 's.json');
  writeFileSync(p, JSON.stringify({ program: join(root, 'examples/kvstore/kvstore.elf'), untilMs: 120, ...body }));
  return p;
}

test('run --json: one object with the summary fields, exit 0 when every checker holds', async () => {
  const r = await cli('run', join(root, 'examples/kvstore/failover.json'), '--json', '--until-ms', '200');
  assert.equal(r.code, 0, r.err);
  const s = JSON.parse(r.out);
  for (const key of ['seed', 'endMs', 'failovers', 'respawns', 'ftState', 'log', 'outputs', 'clients', 'invariants', 'traceHash']) assert.ok(key in s, key);
  assert.equal(s.failovers.length, 1);
  const f = s.failovers[0];
  assert.deepEqual([f.fromHost, f.toHost], ['host-a', 'host-b']);
  assert.ok(f.detectedAtMs >= f.failedAtMs && f.liveAtMs >= f.detectedAtMs);
  assert.ok(s.invariants.every((i: { ok: boolean }) => i.ok));
  assert.equal(s.endMs, 200);
});

test('run prints a readable timeline and the checker verdicts', async () => {
  const r = await cli('run', join(root, 'examples/kvstore/failover.json'), '--until-ms', '200');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /goLive +secondary on host-b went live/);
  assert.match(r.out, /ok {3}no-split-brain/);
});

test('run exits 1 when a checker fails (the Output Rule switched off, crash right after an output)', async () => {
  const p = scenarioFile({ whatIf: { outputRule: false }, faults: [{ atMs: 40, kind: 'hostCrash', host: '@primary', when: 'afterOutput' }] });
  const r = await cli('run', p, '--json');
  assert.equal(r.code, 1);
  assert.ok(JSON.parse(r.out).invariants.some((i: { ok: boolean }) => !i.ok));
});

test('bad input exits 2 with a message naming the problem', async () => {
  assert.equal((await cli('run')).code, 2);
  const bad = await cli('run', scenarioFile({ ft: { heartbeat: 1 } }));
  assert.equal(bad.code, 2);
  assert.match(bad.err, /ft\.heartbeat: unknown key/);
  const missing = await cli('run', '/nonexistent/s.json');
  assert.equal(missing.code, 2);
  assert.match(missing.err, /cannot read scenario/);
  const noProgram = await cli('run', scenarioFile({ program: '/nonexistent.elf' }));
  assert.equal(noProgram.code, 2);
  assert.match(noProgram.err, /cannot read \/nonexistent\.elf/);
  assert.equal((await cli('frobnicate')).code, 2);
  const badFlag = await cli('run', scenarioFile({}), '--sed', '3');
  assert.match(badFlag.err, /unknown option --sed/);
});

test('chaos: a small campaign passes; with the Output Rule off it finds failing seeds and names the checker', async () => {
  const p = join(root, 'examples/kvstore/failover.json');
  const good = await cli('chaos', p, '--seeds', '6', '--jobs', '1', '--json');
  assert.equal(good.code, 0, good.out);
  assert.equal(JSON.parse(good.out).failures, 0);
  const bad = await cli('chaos', p, '--seeds', '16', '--jobs', '1', '--json', '--what-if-no-output-rule');
  assert.equal(bad.code, 1);
  const failing = JSON.parse(bad.out).failing;
  assert.ok(failing.length > 0);
  assert.ok(failing.every((f: { failed: { name: string }[] }) => f.failed.length > 0));
});

test('chaos over several guests deals the seeds in turn; --what-if-off finds failures, which are shrunk and saved as recordings that replay', async () => {
  const guests = ['examples/kvstore/failover.json', 'examples/ticker/ticker.json'].map((f) => join(root, f));
  const good = await cli('chaos', ...guests, '--seeds', '4', '--jobs', '1', '--until-ms', '300', '--json');
  assert.equal(good.code, 0, good.out + good.err);
  assert.deepEqual(JSON.parse(good.out).guests, ['failover.json', 'ticker.json']);
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-chaos-'));
  const bad = await cli('chaos', guests[0], '--seeds', '6', '--jobs', '1', '--until-ms', '400', '--what-if-off', 'detection', '--save-failures', dir);
  assert.equal(bad.code, 1, bad.out + bad.err);
  assert.match(bad.out, /seed \d+: .*(failover-bound|no-zombies)/);
  assert.match(bad.out, /fewest faults that still fail: /);
  assert.match(bad.out, /^6 seeds, \d+ failing, \d+ failovers {3}\((\d+ ms|\d+\.\d s|\d+ min \d+ s) on 1 core\)$/m, 'the summary says how long it took');
  const saved = /saved: (\S+\.lsrec)/.exec(bad.out);
  assert.ok(saved !== null, bad.out);
  const replay = await cli('replay', saved[1], '--verify');
  assert.equal(replay.code, 1, 'the replayed run fails its checker again');
  assert.match(replay.err, /verified: trace/);
  const unknown = await cli('chaos', guests[0], '--seeds', '1', '--what-if-off', 'gravity');
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown part "gravity"/);
});

test('exec runs one VM: UART to stdout, exit code from the guest', async () => {
  const r = await cli('exec', join(root, 'examples/bench/crc32-rv32imac.elf'), '--stats');
  assert.equal(r.code, 0, r.err);
  assert.ok(r.out.length > 0);
  const stats = JSON.parse(r.err.trim().split('\n').pop()!);
  assert.ok(stats.instret > 0 && stats.wallMs >= 0 && 'mips' in stats);
});

test('chaos durations read as a person reads them', () => {
  assert.deepEqual([840.4, 12_345, 1_044_000, 7_500_000].map(durationText), ['840 ms', '12.3 s', '17 min 24 s', '2 h 5 min']);
});

test('every command answers --help with its synopsis (exit 0); lockstep --help lists them all and the exit codes', async () => {
  for (const c of ['new', 'exec', 'run', 'chaos', 'replay', 'asm']) {
    const r = await cli(c, '--help');
    assert.equal(r.code, 0, `${c}: ${r.err}`);
    assert.match(r.out, new RegExp(`^usage: lockstep ${c} `));
    assert.equal(r.err, '');
  }
  const all = await cli('--help');
  assert.equal(all.code, 0);
  for (const c of ['new', 'exec', 'run', 'chaos', 'replay', 'asm']) assert.match(all.out, new RegExp(`^ {2}lockstep ${c} `, 'm'));
  assert.match(all.out, /exit codes: 0 success .* 2 bad input/s);
});
