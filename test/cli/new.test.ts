// `lockstep new DIR`: the project it writes builds with GCC (and Clang), runs protected through a failover, and its launch configuration debugs it in the real adapter; a folder it cannot use is one line and exit 2, with nothing left behind.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './run-cli';
import { launch, stoppedAfter, withClient } from '../debug/helpers';

function has(cmd: string, args = ['--version']): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

const GCC = has('riscv64-unknown-elf-gcc') && has('make');
const CLANG = GCC && has('clang') && has('ld.lld');

async function fresh(name = 'my-guest'): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'lockstep-new-')), name);
  const r = await cli('new', dir);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /next:\n {2}cd .*\n {2}make/);
  return dir;
}

test('the project: a C program named after the folder, Lockstep\'s start code, a Makefile, a scenario and a launch configuration', async () => {
  const dir = await fresh();
  const files = (d: string, at = ''): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(d, e.name), `${at}${e.name}/`) : [`${at}${e.name}`])).sort();
  assert.deepEqual(files(dir), ['.gitignore', '.vscode/launch.json', 'Makefile', 'README.md', 'lockstep/link.ld', 'lockstep/lockstep.h', 'lockstep/start.S', 'my_guest.c', 'scenario.json']);
  assert.equal(readFileSync(join(dir, 'lockstep/start.S'), 'utf8'), readFileSync(join(__dirname, '../../examples/common/start.S'), 'utf8'));
  const scenario = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8'));
  assert.equal(scenario.program, 'my_guest.elf');
  const config = JSON.parse(readFileSync(join(dir, '.vscode/launch.json'), 'utf8')).configurations[0];
  assert.equal(config.type, 'lockstep');
  assert.deepEqual(config.faults, scenario.faults, 'F5 runs the scenario\'s failover');
});

test('a folder it cannot use: one line, exit 2, nothing written or left behind', async () => {
  const dir = await fresh('taken');
  const before = readFileSync(join(dir, 'my_guest.c'.replace('my_guest', 'taken')), 'utf8');
  const again = await cli('new', dir);
  assert.equal(again.code, 2);
  assert.match(again.err, /^lockstep new: .*taken is not empty: choose a new or empty folder\n$/);
  assert.equal(readFileSync(join(dir, 'taken.c'), 'utf8'), before);
  const parent = mkdtempSync(join(tmpdir(), 'lockstep-new-'));
  writeFileSync(join(parent, 'file'), 'x');
  const under = await cli('new', join(parent, 'file', 'guest'));
  assert.equal(under.code, 2);
  assert.equal(under.err.split('\n').length, 2, under.err);
  assert.deepEqual(readdirSync(parent), ['file']);
  assert.equal((await cli('new')).code, 2);
  assert.equal((await cli('new', 'a', 'b')).code, 2);
  const empty = join(parent, 'empty');
  mkdirSync(empty);
  assert.equal((await cli('new', empty)).code, 0, 'an empty folder is fine');
  assert.ok(existsSync(join(empty, 'empty.c')));
});

test('make builds it with GCC, and `lockstep run scenario.json` runs it protected through the failover to its exit', { skip: GCC ? false : 'riscv64-unknown-elf-gcc or make is missing' }, async () => {
  const dir = await fresh();
  execFileSync('make', [], { cwd: dir, stdio: 'pipe', timeout: 60_000 });
  const r = await cli('run', join(dir, 'scenario.json'));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /goLive +secondary on host-b went live/);
  assert.match(r.out, /\| my_guest: done/);
  assert.match(r.out, /primary @ host-b powered off with code 0/);
  assert.doesNotMatch(r.out, /^FAIL/m);
});

test('make TOOLCHAIN=clang builds it with clang and ld.lld', { skip: CLANG ? false : 'clang or ld.lld is missing' }, async () => {
  const dir = await fresh();
  execFileSync('make', ['TOOLCHAIN=clang'], { cwd: dir, stdio: 'pipe', timeout: 60_000 });
  const r = await cli('run', join(dir, 'scenario.json'));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /\| my_guest: done/);
});

test('its launch configuration debugs it: F5 stops on entry, a breakpoint in the timer interrupt reads its C variables, the interrupted main below it', { skip: GCC ? false : 'riscv64-unknown-elf-gcc or make is missing' }, async () => {
  const dir = await fresh();
  execFileSync('make', [], { cwd: dir, stdio: 'pipe', timeout: 60_000 });
  const text = readFileSync(join(dir, '.vscode/launch.json'), 'utf8').replaceAll('${workspaceFolder}', dir);
  const config = JSON.parse(text).configurations[0];
  await withClient(async (dc) => {
    const entry = await launch(dc, config, async () => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'timer_interrupt' }] });
    });
    assert.equal(entry.body.reason, 'entry');
    const hit = await stoppedAfter(dc, () => dc.continueRequest({ threadId: entry.body.threadId! }));
    assert.equal(hit.body.reason, 'function breakpoint');
    const frames = (await dc.stackTraceRequest({ threadId: hit.body.threadId! })).body.stackFrames;
    assert.ok(frames.some((f) => f.name.startsWith('main')), frames.map((f) => f.name).join(' < '));
    const ticks = await dc.evaluateRequest({ expression: 'ticks', frameId: frames[0].id, context: 'watch' });
    assert.equal(ticks.body.result, '0');
  });
});
