// Recordings: written atomically, replayed bit for bit, corrupt/truncated/future files rejected with a clear message.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './run-cli';
import { decodeRecording, encodeRecording, RecordingError } from '../../src/replay/recording';
import { mulberry32 } from '../helpers/mulberry32';
import { SIMULATION_MODEL, UNNUMBERED_MODEL } from '../../src/ft/model';

const root = join(__dirname, '../..');
const failover = join(root, 'examples/kvstore/failover.json');

const dir = mkdtempSync(join(tmpdir(), 'lockstep-rec-'));

test('run --record writes a recording that replay --verify reproduces exactly', async () => {
  const file = join(dir, 'failover.lsrec');
  const run = await cli('run', failover, '--until-ms', '180', '--json', '--record', file);
  assert.equal(run.code, 0, run.err);
  const replay = await cli('replay', file, '--verify', '--json');
  assert.equal(replay.code, 0, replay.err);
  const s = JSON.parse(replay.out);
  assert.equal(s.verified, true);
  assert.equal(s.traceHash, JSON.parse(run.out).traceHash);
  assert.match(replay.err, /^verified/);
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), [], 'no temporary file left behind');
});

test('a cluster of several VMs records and replays bit for bit: every VM\'s program travels in the file, under unique names', async () => {
  const file = join(dir, 'cluster.lsrec');
  const run = await cli('run', join(root, 'examples/cluster/cluster.json'), '--until-ms', '200', '--json', '--record', file);
  assert.equal(run.code, 0, run.err);
  const rec = decodeRecording(readFileSync(file));
  assert.deepEqual(rec.programs!.map((p) => p.name).sort(), ['diskhog.elf', 'idle.elf', 'kvstore.elf', 'ticker.elf']);
  assert.ok(rec.scenario.vms!.every((v) => rec.programs!.some((p) => p.name === v.program)));
  const replay = await cli('replay', file, '--verify', '--json');
  assert.equal(replay.code, 0, replay.err);
  assert.equal(JSON.parse(replay.out).traceHash, JSON.parse(run.out).traceHash);
  const { programs, ...noPrograms } = rec;
  assert.throws(() => decodeRecording(encodeRecording(noPrograms)), /programs of the VMs are missing/);
  const oneShort = { ...rec, programs: programs!.filter((p) => p.name !== 'idle.elf') };
  assert.throws(() => decodeRecording(encodeRecording(oneShort)), /no program "idle.elf" for VM web-1/);
});

test('run --parallel-secondary prints the in-thread summary and records a run that replay --verify reproduces', async () => {
  const file = join(dir, 'parallel.lsrec');
  const here = await cli('run', failover, '--until-ms', '180', '--json');
  const there = await cli('run', failover, '--until-ms', '180', '--json', '--parallel-secondary', '--record', file);
  assert.equal(there.code, 0, there.err);
  assert.equal(there.err, '', 'no fall-back to the in-thread run');
  assert.deepEqual(JSON.parse(there.out), JSON.parse(here.out));
  const replay = await cli('replay', file, '--verify', '--json');
  assert.equal(replay.code, 0, replay.err);
  assert.equal(JSON.parse(replay.out).traceHash, JSON.parse(here.out).traceHash);
});

test('run --parallel-secondary says so when the run fell back to the in-thread secondary', async () => {
  const whatIf = join(dir, 'what-if.json');
  writeFileSync(whatIf, JSON.stringify({ ...JSON.parse(readFileSync(failover, 'utf8')), program: join(root, 'examples/kvstore/kvstore.elf'), untilMs: 60, faults: [], whatIf: { omitLogKinds: ['time'] } }));
  const here = await cli('run', whatIf, '--json');
  const there = await cli('run', whatIf, '--json', '--parallel-secondary');
  assert.match(there.err, /^note: the secondary ran in-thread after all \(.+\)\n$/);
  assert.deepEqual(JSON.parse(there.out), JSON.parse(here.out));
});

test('a recording holds the program bytes: it replays without the original files', () => {
  const rec = decodeRecording(readFileSync(join(dir, 'failover.lsrec')));
  assert.equal(rec.program.name, 'kvstore.elf');
  assert.deepEqual(Buffer.from(rec.program.bytes), readFileSync(join(root, 'examples/kvstore/kvstore.elf')));
});

test('corrupt, truncated, foreign and future-version files are rejected with a clear message', async () => {
  const good = readFileSync(join(dir, 'failover.lsrec'));
  const flipped = Buffer.from(good);
  flipped[flipped.length - 10] ^= 0x20;
  const cases: [Uint8Array, RegExp][] = [
    [flipped, /checksum mismatch/],
    [good.subarray(0, good.length - 100), /truncated/],
    [Buffer.from('hello world\n'), /not a Lockstep recording/],
    [Buffer.from(''), /no header line/],
    [Buffer.from(good.toString('latin1').replace('"version":1', '"version":9'), 'latin1'), /version 9 is newer/],
    [Buffer.concat([good, Buffer.from('xx')]), /trailing bytes/],
  ];
  for (const [bytes, message] of cases) {
    assert.throws(() => decodeRecording(bytes), (e: Error) => e instanceof RecordingError && message.test(e.message), String(message));
    const p = join(dir, 'bad.lsrec');
    writeFileSync(p, bytes);
    const r = await cli('replay', p);
    assert.equal(r.code, 2);
    assert.match(r.err, message);
  }
});

test('a changed trace (a recording whose expectation does not match) fails --verify', async () => {
  const rec = decodeRecording(readFileSync(join(dir, 'failover.lsrec')));
  rec.expect.traceHash = '0000000000000000';
  const p = join(dir, 'wrong.lsrec');
  writeFileSync(p, encodeRecording(rec));
  const r = await cli('replay', p, '--verify', '--json');
  assert.equal(r.code, 3);
  assert.match(r.err, /NOT verified/);
});

test('recordings carry their simulation model; one from another model replays with the reason it may differ', async () => {
  const rec = decodeRecording(readFileSync(join(dir, 'failover.lsrec')));
  assert.equal(rec.expect.model, SIMULATION_MODEL);
  // JSON leaves an undefined model out: the file is as recordings were written before they carried one.
  const unnumbered = { ...rec, expect: { ...rec.expect, model: undefined as unknown as number } };
  const p = join(dir, 'old.lsrec');
  writeFileSync(p, encodeRecording(unnumbered));
  assert.ok(!readFileSync(p, 'latin1').includes('"model"'));
  assert.equal(decodeRecording(readFileSync(p)).expect.model, UNNUMBERED_MODEL);
  const same = await cli('replay', p, '--verify', '--json');
  assert.equal(same.code, 0, 'same trace: verified, whatever the model');
  assert.equal(JSON.parse(same.out).recordedModel, UNNUMBERED_MODEL);
  assert.match(same.err, /^verified/);
  writeFileSync(p, encodeRecording({ ...unnumbered, expect: { ...unnumbered.expect, traceHash: '0000000000000000' } }));
  const differs = await cli('replay', p, '--verify');
  assert.equal(differs.code, 3);
  assert.match(differs.err, /NOT verified: .*made before simulation models were numbered \(model 1\); this Lockstep runs model \d+/);
  const noted = await cli('replay', p);
  assert.match(noted.err, /^note: the recording was made before simulation models were numbered/);
  writeFileSync(p, encodeRecording({ ...rec, expect: { ...rec.expect, model: 0 } }));
  const bad = await cli('replay', p);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /expect\.model must be a positive integer, not 0/);
});

test('chaos --save-failures saves each failing seed; the recording replays to the same failure', async () => {
  const out = join(dir, 'failures');
  const r = await cli('chaos', failover, '--seeds', '12', '--jobs', '1', '--what-if-no-output-rule', '--save-failures', out, '--json');
  assert.equal(r.code, 1);
  const failing = JSON.parse(r.out).failing as { seed: number; recording: string; failed: { name: string }[] }[];
  assert.ok(failing.length > 0);
  for (const f of failing.slice(0, 2)) {
    const replay = await cli('replay', f.recording, '--verify', '--json');
    assert.equal(replay.code, 1, 'the failure reproduces: exit 1, verified');
    const s = JSON.parse(replay.out);
    assert.equal(s.verified, true);
    // The recording is the shrunk run (fewest faults that still fail one of the seed's checkers): it fails what it
    // recorded, some of what the seed failed.
    const replayed = s.invariants.filter((i: { ok: boolean }) => !i.ok).map((i: { name: string }) => i.name) as string[];
    assert.deepEqual(replayed, decodeRecording(readFileSync(f.recording)).expect.failed);
    assert.ok(replayed.length > 0 && replayed.every((n) => f.failed.some((x) => x.name === n)), `${replayed} among ${f.failed.map((x) => x.name)}`);
  }
});

test('fuzz: mutated and truncated recordings are rejected with RecordingError or decode, never anything else', () => {
  const good = readFileSync(join(dir, 'failover.lsrec'));
  const rnd = mulberry32(17);
  for (let i = 0; i < 400; i++) {
    const b = Buffer.from(good.subarray(0, Math.floor(rnd() * (good.length + 1))));
    const flips = Math.floor(rnd() * 4);
    for (let f = 0; f < flips && b.length > 0; f++) b[Math.floor(rnd() * b.length)] ^= 1 << Math.floor(rnd() * 8);
    try {
      decodeRecording(b);
    } catch (e) {
      assert.ok(e instanceof RecordingError, `case ${i}: ${String(e)}`);
    }
  }
});

test('a recording whose body checks out but whose content is wrong is rejected by name', () => {
  const rec = decodeRecording(readFileSync(join(dir, 'failover.lsrec')));
  const bad = encodeRecording({ ...rec, scenario: { ...rec.scenario, seed: -5 } } as never);
  assert.throws(() => decodeRecording(bad), (e: Error) => e instanceof RecordingError && /seed: must be at least 0/.test(e.message));
});
