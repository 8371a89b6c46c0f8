// A user's mistake is one line on stderr and exit 2, found before the run: output paths, empty values, programs that are no programs.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './run-cli';
import { UsageError, writeFileAtomic } from '../../src/cli/io';
import { loadProgramBytes, ProgramLoadError } from '../../src/asm/load-program';

const root = join(__dirname, '../..');
const failover = join(root, 'examples/kvstore/failover.json');
const work = mkdtempSync(join(tmpdir(), 'lockstep-user-errors-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** A fresh folder under the scratch folder. */
function folder(name: string): string {
  const d = join(work, name);
  mkdirSync(d, { recursive: true });
  return d;
}

/** Exit 2, one line on stderr naming the command and matching `want`, nothing on stdout (the run did not happen). */
function assertUsageError(r: { code: number; out: string; err: string }, command: string, want: RegExp): void {
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, new RegExp(`^lockstep ${command}: [^\\n]+\\n$`), r.err);
  assert.match(r.err, want);
  assert.equal(r.out, '', 'nothing ran');
}

test('run --record or --perfetto into a missing folder fails before the run, naming the folder', async () => {
  const missing = join(work, 'no-such-dir');
  assertUsageError(await cli('run', failover, '--record', join(missing, 'x.lsrec')), 'run', /--record .*: folder .*no-such-dir does not exist/);
  assertUsageError(await cli('run', failover, '--perfetto', join(missing, 'x.json')), 'run', /--perfetto .*: folder .*no-such-dir does not exist/);
  assertUsageError(await cli('replay', join(work, 'any.lsrec'), '--perfetto', join(missing, 'x.json')), 'replay', /--perfetto .*does not exist/);
});

test('run --record onto an existing folder fails before the run and leaves no temporary file', async () => {
  const dir = folder('record-onto-dir');
  const target = folder('record-onto-dir/target');
  assertUsageError(await cli('run', failover, '--record', target), 'run', /--record .*target: is a folder, not a file/);
  assert.deepEqual(readdirSync(dir), ['target']);
  assert.deepEqual(readdirSync(target), []);
  const file = join(dir, 'file.txt');
  writeFileSync(file, 'keep');
  assertUsageError(await cli('run', failover, '--perfetto', join(file, 'x.json')), 'run', /file\.txt is a file, not a folder/);
  assertUsageError(await cli('run', failover, '--record', join(dir, 'same'), '--perfetto', join(dir, 'same')), 'run', /name the same file/);
  assert.deepEqual(readdirSync(dir).sort(), ['file.txt', 'target']);
});

test('chaos --save-failures onto an existing file fails before the campaign; the file is untouched', async () => {
  const dir = folder('save-onto-file');
  const file = join(dir, 'failures');
  writeFileSync(file, 'keep');
  const r = await cli('chaos', failover, '--seeds', '4', '--jobs', '1', '--until-ms', '200', '--what-if-no-output-rule', '--save-failures', file);
  assertUsageError(r, 'chaos', /--save-failures .*failures: is a file, not a folder/);
  assert.equal(readFileSync(file, 'utf8'), 'keep');
  assertUsageError(await cli('chaos', failover, '--seeds', '1', '--save-failures', join(work, 'no-such-dir', 'f')), 'chaos', /folder .*no-such-dir does not exist/);
  assert.deepEqual(readdirSync(dir), ['failures']);
});

test('the atomic writer removes its temporary file when the write or the rename fails', () => {
  const dir = folder('atomic');
  const target = folder('atomic/a-folder');
  assert.throws(() => writeFileAtomic(target, new Uint8Array([1, 2, 3])), (e: unknown) => e instanceof UsageError && /^cannot write .*a-folder: E[A-Z]+$/.test(e.message));
  assert.deepEqual(readdirSync(dir), ['a-folder'], 'no .tmp- file left beside the target');
  assert.throws(() => writeFileAtomic(join(dir, 'gone', 'x'), new Uint8Array([1])), /cannot write .*: ENOENT/);
  assert.deepEqual(readdirSync(dir), ['a-folder']);
});

test('an empty value is no value: --seed= is an error, not seed 0; so are non-numbers and numbers out of range', async () => {
  assertUsageError(await cli('run', failover, '--seed='), 'run', /^lockstep run: --seed needs a value: an integer from 0 to 4294967295\n$/);
  assertUsageError(await cli('run', failover, '--seed', ''), 'run', /--seed needs a value/);
  assertUsageError(await cli('run', failover, '--seed', '7x'), 'run', /--seed expects an integer from 0 to 4294967295, got "7x"/);
  assertUsageError(await cli('run', failover, '--until-ms', '-5'), 'run', /--until-ms expects an integer from 1 to 600000, got "-5"/);
  assertUsageError(await cli('run', failover, '--record', '--json'), 'run', /--record needs a value: a file to write/);
  assertUsageError(await cli('run', failover, '--json=yes'), 'run', /--json takes no value/);
  assertUsageError(await cli('exec', join(root, 'examples/bench/crc32-rv32imac.elf'), '--seed', '4294967296'), 'exec', /--seed expects/);
  assertUsageError(await cli('chaos', failover, '--seeds', '2', '--first', '4294967295'), 'chaos', /go past the last seed/);
  assertUsageError(await cli('chaos', failover, '--seeds', '1', '--what-if-off', ','), 'chaos', /--what-if-off expects a comma-separated list of lagControl/);
});

test('a file named .elf must be an ELF; an empty file and a program without code are errors, not a guest that traps', async () => {
  const dir = folder('programs');
  const empty = join(dir, 'empty.elf');
  writeFileSync(empty, '');
  const text = join(dir, 'text.elf');
  writeFileSync(text, '_start: j _start\n');
  const noCode = join(dir, 'no-code.s');
  writeFileSync(noCode, '# a comment and some data only\n.data\n.word 1\n');
  assertUsageError(await cli('exec', empty), 'exec', /empty\.elf: the file is empty/);
  assertUsageError(await cli('exec', text), 'exec', /text\.elf: not an ELF file/);
  assertUsageError(await cli('exec', noCode), 'exec', /no-code\.s: no code/);
  const scenario = join(dir, 's.json');
  writeFileSync(scenario, JSON.stringify({ program: 'empty.elf', untilMs: 50 }));
  assertUsageError(await cli('run', scenario), 'run', /empty\.elf: the file is empty/);
  assert.throws(() => loadProgramBytes('x.ELF', new TextEncoder().encode('nop\n')), ProgramLoadError);
  assert.equal(loadProgramBytes('x.s', new TextEncoder().encode('nop\n')).segments.length, 1, 'assembly with code still loads');
});

test('a fault scheduled after the end of the run: one warning line, and the run goes on', async () => {
  const r = await cli('run', failover, '--until-ms', '60', '--json');
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /^lockstep: warning: .*failover\.json: a fault is scheduled after the run ends at 60 ms and may never fire \(hostCrash at 100 ms\); raise untilMs or --until-ms\n$/);
  assert.equal(JSON.parse(r.out).failovers.length, 0);
  const inTime = await cli('run', failover, '--until-ms', '100', '--json');
  assert.equal(inTime.err, '', 'a fault at the very end of the run is in time: no warning');
});

test('an invalid scenario is one line listing its problems; an unknown command is one line', async () => {
  const p = join(folder('scenarios'), 'bad.json');
  writeFileSync(p, JSON.stringify({ program: 'x.elf', seed: -1, ft: { heartbeat: 1 } }));
  assertUsageError(await cli('run', p), 'run', /bad\.json: invalid scenario: .*seed.*; .*ft\.heartbeat: unknown key/);
  for (const name of ['frobnicate', 'toString', 'constructor']) {
    const r = await cli(name);
    assert.equal(r.code, 2);
    assert.match(r.err, /^lockstep: unknown command "[a-zA-Z]+" \(one of [a-z, ]+; lockstep --help shows how to use them\)\n$/);
  }
});
