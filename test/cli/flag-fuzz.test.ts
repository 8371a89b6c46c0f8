// Fuzzing the command line: every option of every command, given a bad value or a bad path among seeded random valid ones, is one line on stderr and exit 2, before anything runs or is written.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { cli } from './run-cli';
import { mulberry32 } from '../helpers/mulberry32';

const root = join(__dirname, '../..');
const failover = join(root, 'examples/kvstore/failover.json');
const elf = join(root, 'examples/bench/crc32-rv32imac.elf');
const U32 = 0xffffffff;

/** Scratch folder: `ok/` takes the valid outputs, `dir/` is a folder, `file.txt` a file, `no-such-dir` is missing. */
const work = mkdtempSync(join(tmpdir(), 'lockstep-flag-fuzz-'));
after(() => rmSync(work, { recursive: true, force: true }));
const okDir = join(work, 'ok');
const hello = join(work, 'hello.s');
const recording = join(work, 'r.lsrec');

type Kind = { t: 'int'; min: number; max: number } | { t: 'file' } | { t: 'dir' } | { t: 'list' } | { t: 'choice' } | { t: 'bool' };
/** An option as typed (`--seed`, `-o`), what it takes, and a valid value for when it keeps a bad one company. */
interface Flag { name: string; kind: Kind; good: string }
interface Command { name: string; positional: string[]; flags: Flag[]; required: string[]; follower: string }

const int = (min: number, max: number): Kind => ({ t: 'int', min, max });
const BOOL: Kind = { t: 'bool' };

/** The commands; `required` options are always given, `follower` is a boolean option to put right after a value-less one. */
const COMMANDS: Command[] = [
  {
    name: 'exec', positional: [elf], required: [], follower: '--stats', flags: [
      { name: '--ram', kind: int(1, 1024), good: '16' },
      { name: '--max-instructions', kind: int(1, Number.MAX_SAFE_INTEGER), good: '1000' },
      { name: '--seed', kind: int(0, U32), good: '5' },
      { name: '--stats', kind: BOOL, good: '' },
    ],
  },
  {
    name: 'run', positional: [failover], required: [], follower: '--json', flags: [
      { name: '--seed', kind: int(0, U32), good: '3' },
      { name: '--until-ms', kind: int(1, 600_000), good: '60' },
      { name: '--record', kind: { t: 'file' }, good: join(okDir, 'run.lsrec') },
      { name: '--perfetto', kind: { t: 'file' }, good: join(okDir, 'run.json') },
      { name: '--json', kind: BOOL, good: '' },
      { name: '--parallel-secondary', kind: BOOL, good: '' },
      { name: '--secondary', kind: { t: 'choice' }, good: 'auto' },
    ],
  },
  {
    name: 'chaos', positional: [failover], required: ['--seeds'], follower: '--json', flags: [
      { name: '--seeds', kind: int(1, 10_000_000), good: '1' },
      { name: '--first', kind: int(0, U32), good: '9' },
      { name: '--jobs', kind: int(1, 64), good: '1' },
      { name: '--until-ms', kind: int(1, 3_600_000), good: '50' },
      { name: '--save-failures', kind: { t: 'dir' }, good: join(okDir, 'failures') },
      { name: '--what-if-off', kind: { t: 'list' }, good: 'detection,respawn' },
      { name: '--json', kind: BOOL, good: '' },
      { name: '--what-if-no-output-rule', kind: BOOL, good: '' },
    ],
  },
  {
    name: 'replay', positional: [recording], required: [], follower: '--json', flags: [
      { name: '--perfetto', kind: { t: 'file' }, good: join(okDir, 'replay.json') },
      { name: '--verify', kind: BOOL, good: '' },
      { name: '--json', kind: BOOL, good: '' },
    ],
  },
  {
    name: 'asm', positional: [hello], required: [], follower: '--rvc', flags: [
      { name: '-o', kind: { t: 'file' }, good: join(okDir, 'hello.elf') },
      { name: '--text-base', kind: int(0, U32), good: '0x80000000' },
      { name: '--rvc', kind: BOOL, good: '' },
    ],
  },
];

/** Values each kind of option must refuse. */
function badValues(kind: Kind): string[] {
  switch (kind.t) {
    case 'int': return [...new Set(['', ' ', 'abc', '12abc', '1.5', 'NaN', 'Infinity', '0x', '-1', ' 7', String(kind.min - 1), String(kind.max + 1), '1e30', '99999999999999999999999'])];
    case 'file': return ['', join(work, 'no-such-dir', 'x.out'), join(work, 'dir'), join(work, 'file.txt', 'x.out')];
    case 'dir': return ['', join(work, 'no-such-dir', 'sub'), join(work, 'file.txt'), join(work, 'file.txt', 'sub')];
    case 'list': return ['', ' ', ',', ',,', 'gravity', 'detection,gravity'];
    case 'choice': return ['', ' ', 'Worker', 'gpu', 'auto,thread'];
    case 'bool': return ['1', 'yes', ''];
  }
}

/** How a bad option is written: its tokens, and whether they must come last or right before another option. */
interface BadOption { flag: Flag; tokens: string[]; place: 'anywhere' | 'last' | 'beforeOption' }

/** Every bad way to give `flag`: each bad value (as `--f=v` or `--f v`, drawn), and for value options no value at all. */
function badOptions(flag: Flag, rand: () => number): BadOption[] {
  const canInline = flag.name.startsWith('--');
  if (flag.kind.t === 'bool') return badValues(flag.kind).map((v) => ({ flag, tokens: [`${flag.name}=${v}`], place: 'anywhere' }));
  const given = badValues(flag.kind).map((v): BadOption => ({
    flag, place: 'anywhere', tokens: canInline && rand() < 0.5 ? [`${flag.name}=${v}`] : [flag.name, v],
  }));
  return [...given, { flag, tokens: [flag.name], place: 'last' }, { flag, tokens: [flag.name], place: 'beforeOption' }];
}

/** A valid `flag` as tokens. */
function goodTokens(flag: Flag, rand: () => number): string[] {
  if (flag.kind.t === 'bool') return [flag.name];
  return flag.name.startsWith('--') && rand() < 0.5 ? [`${flag.name}=${flag.good}`] : [flag.name, flag.good];
}

function shuffle<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/** The command line: positional arguments, then a drawn set of valid options and the bad ones where they must go. */
function argvWith(cmd: Command, bad: BadOption[], rand: () => number): string[] {
  const badFlags = new Set(bad.map((b) => b.flag));
  const company = cmd.flags.filter((f) => !badFlags.has(f) && (cmd.required.includes(f.name) || rand() < 0.5));
  const groups = shuffle(company.map((f) => goodTokens(f, rand)), rand);
  for (const b of bad) {
    if (b.place === 'last') groups.push(b.tokens);
    else if (b.place === 'beforeOption') groups.push(b.tokens, [cmd.follower]);
    else groups.splice(Math.floor(rand() * (groups.length + 1)), 0, b.tokens);
  }
  // A value-less option must stay last even when another bad option was added after it.
  const last = bad.find((b) => b.place === 'last');
  if (last !== undefined) groups.push(...groups.splice(groups.indexOf(last.tokens), 1));
  return [...cmd.positional, ...groups.flat()];
}

/** Every file and folder under `dir` with its size and time: any write, temporary file or new folder changes it. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      out.push(st.isDirectory() ? `${relative(dir, p)}/` : `${relative(dir, p)} ${st.size} ${st.mtimeMs}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

let ready: Promise<string[]> | undefined;

/** The scratch folder's fixtures (a recording from a short run) and its snapshot, made once. */
function setup(): Promise<string[]> {
  ready ??= (async () => {
    mkdirSync(okDir);
    mkdirSync(join(work, 'dir'));
    writeFileSync(join(work, 'file.txt'), 'not a folder\n');
    writeFileSync(hello, '.globl _start\n_start: j _start\n');
    const r = await cli('run', failover, '--until-ms', '40', '--json', '--record', recording);
    assert.equal(r.code, 0, r.err);
    return snapshot(work);
  })();
  return ready;
}

/** Exit 2, exactly one line on stderr that names one of `mentions`, no stack, nothing on stdout (nothing ran), nothing written. */
async function assertRefused(cmd: string, argv: string[], mentions: string[]): Promise<void> {
  const before = await setup();
  const label = `lockstep ${cmd} ${argv.map((a) => JSON.stringify(a)).join(' ')}`;
  const r = await cli(cmd, ...argv).catch((e: Error) => ({ code: 70, out: '', err: `thrown: ${e.stack}` }));
  assert.equal(r.code, 2, `${label}: exit ${r.code}, stderr ${JSON.stringify(r.err)}`);
  assert.match(r.err, new RegExp(`^lockstep ${cmd}: [^\\n]+\\n$`), `${label}: one line on stderr, got ${JSON.stringify(r.err)}`);
  assert.doesNotMatch(r.err, /internal error|\bat .*:\d+:\d+/, `${label}: no stack trace`);
  assert.ok(mentions.some((m) => r.err.includes(m)), `${label}: the message names ${mentions.join(' or ')}: ${r.err}`);
  assert.equal(r.out, '', `${label}: nothing ran`);
  assert.deepEqual(snapshot(work), before, `${label}: nothing written, no temporary file left`);
}

for (const [i, cmd] of COMMANDS.entries()) {
  test(`${cmd.name}: every option with every bad value, bad path or no value is refused up front`, async (t) => {
    const rand = mulberry32(0x5eed0 + i);
    let cases = 0;
    for (const flag of cmd.flags) {
      for (const bad of badOptions(flag, rand)) {
        await assertRefused(cmd.name, argvWith(cmd, [bad], rand), [flag.name]);
        cases++;
      }
    }
    assert.ok(cases >= cmd.flags.length * 3, `${cases} cases`);
    t.diagnostic(`${cases} command lines refused`);
  });
}

test('unknown and misspelt options, and wrong numbers of arguments, are refused up front', async () => {
  const rand = mulberry32(0x0b0e);
  for (const cmd of COMMANDS) {
    const names = new Set(cmd.flags.map((f) => f.name));
    const misspelt = cmd.flags.filter((f) => f.name.length > 4).map((f) => {
      const k = 2 + Math.floor(rand() * (f.name.length - 2));
      return f.name.slice(0, k) + f.name.slice(k + 1);
    }).filter((n) => !names.has(n));
    for (const unknown of ['--bogus', '--bogus=1', '--', ...misspelt]) {
      const flag: Flag = { name: unknown, kind: BOOL, good: '' };
      await assertRefused(cmd.name, argvWith(cmd, [{ flag, tokens: [unknown], place: 'anywhere' }], rand), [unknown.split('=')[0]]);
    }
  }
  await assertRefused('exec', [], ['usage']);
  await assertRefused('exec', [elf, elf], ['usage']);
  await assertRefused('run', ['--json'], ['usage']);
  await assertRefused('run', [failover, failover], ['usage']);
  await assertRefused('chaos', [failover, '--jobs', '1'], ['usage']);
  await assertRefused('chaos', ['--seeds', '1'], ['usage']);
  await assertRefused('chaos', [failover, '--seeds', '2', '--first', String(U32)], ['--first']);
  await assertRefused('replay', [], ['usage']);
  await assertRefused('replay', [recording, recording], ['usage']);
  await assertRefused('replay', [recording, '--perfetto', recording], ['--perfetto']);
  await assertRefused('asm', [], ['missing input file']);
  await assertRefused('asm', [hello, hello], ['unexpected argument']);
  await assertRefused('run', [failover, '--record', join(okDir, 'same'), '--perfetto', join(okDir, 'same')], ['--record and --perfetto']);
});

test('two bad options at once: still one line, naming one of them', async () => {
  const rand = mulberry32(0x2b4d);
  for (let n = 0; n < 60; n++) {
    const cmd = COMMANDS[Math.floor(rand() * COMMANDS.length)];
    const flags = shuffle([...cmd.flags], rand).slice(0, 2);
    const bad = flags.map((f) => {
      const options = badOptions(f, rand).filter((b) => b.place !== 'beforeOption');
      return options[Math.floor(rand() * options.length)];
    });
    if (bad.filter((b) => b.place === 'last').length > 1) continue;
    await assertRefused(cmd.name, argvWith(cmd, bad, rand), flags.map((f) => f.name));
  }
});
