// `lockstep exec` on a terminal: a paced progress line on stderr, cleared before the guest's lines and at the end; Ctrl-C stops with a summary and 130. Off a terminal: nothing extra.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execCommand } from '../../src/cli/exec-command';
import { ExecPacing, formatInterrupted, formatProgress, groupThousands, ProgressLine, PROGRESS_INTERVAL_MS } from '../../src/cli/exec-progress';
import type { Io } from '../../src/cli/io';

const root = join(__dirname, '../..');
const CRC32 = join(root, 'examples/bench/crc32-rv32imac.elf');
const POLL = join(root, 'test/fixtures/ft/poll-mtime.s');
const CLEAR = '\r\x1b[K';

/** What a command wrote, in order, to which stream. */
type Written = ['out' | 'err', string][];

function fakeIo(isTty: boolean): { io: Io; written: Written; out: () => string; err: () => string } {
  const written: Written = [];
  const io: Io = { stdout: (s) => written.push(['out', s]), stderr: (s) => written.push(['err', s]), isTty };
  const join_ = (k: 'out' | 'err') => () => written.filter(([w]) => w === k).map(([, s]) => s).join('');
  return { io, written, out: join_('out'), err: join_('err') };
}

/** A clock that moves `stepMs` at each reading, and a Ctrl-C after `interruptAfter` breaths (never when null). */
function fakePacing(stepMs: number, interruptAfter: number | null): ExecPacing & { listening: () => boolean; breaths: () => number } {
  let now = 0;
  let breaths = 0;
  let handler: (() => void) | null = null;
  return {
    nowMs: () => (now += stepMs),
    breathe: async () => {
      if (++breaths === interruptAfter) handler?.();
    },
    onInterrupt: (h) => {
      handler = h;
      return () => { handler = null; };
    },
    listening: () => handler !== null,
    breaths: () => breaths,
  };
}

function asmFile(name: string, src: string): string {
  const p = join(mkdtempSync(join(tmpdir(), 'lockstep-exec-')), name);
  writeFileSync(p, src);
  return p;
}

test('formatting: thousands grouped the same in every locale, MIPS from wall time', () => {
  assert.equal(groupThousands(0), '0');
  assert.equal(groupThousands(999), '999');
  assert.equal(groupThousands(1234567), '1,234,567');
  assert.equal(formatProgress(12_345_678, 1000, 1234), 'lockstep exec: 12,345,678 instructions · 12.3 MIPS · 1,234 UART bytes');
  assert.equal(formatProgress(5, 0, 0), 'lockstep exec: 5 instructions · 0.0 MIPS · 0 UART bytes');
  assert.equal(formatInterrupted(4_000_000, 41), 'lockstep exec: interrupted after 4,000,000 instructions, 41 UART bytes');
});

test('the progress line is drawn at most every PROGRESS_INTERVAL_MS, over itself, and cleared once', () => {
  const { io, err, written } = fakeIo(true);
  const line = new ProgressLine(io, 1000);
  line.update(1000 + PROGRESS_INTERVAL_MS - 1, 1, 0);
  line.clear();
  assert.equal(err(), '', 'a run shorter than the interval shows nothing, and clears nothing');
  line.update(1000 + PROGRESS_INTERVAL_MS, 2_000_000, 3);
  line.update(1000 + PROGRESS_INTERVAL_MS + 100, 3_000_000, 3);
  line.update(1000 + 2 * PROGRESS_INTERVAL_MS, 4_000_000, 4);
  line.clear();
  line.clear();
  assert.deepEqual(written.map(([, s]) => s), [
    `${CLEAR}lockstep exec: 2,000,000 instructions · 8.0 MIPS · 3 UART bytes`,
    `${CLEAR}lockstep exec: 4,000,000 instructions · 8.0 MIPS · 4 UART bytes`,
    CLEAR,
  ]);
  const held = fakeIo(true);
  new ProgressLine(held.io, 0, () => false).update(10 * PROGRESS_INTERVAL_MS, 1, 1);
  assert.equal(held.err(), '', 'never over the start of a guest line');
});

test('off a terminal: the guest output alone, byte for byte, and the usual messages', async () => {
  const crc = fakeIo(false);
  assert.equal(await execCommand([CRC32], crc.io), 0);
  assert.equal(crc.out(), readFileSync(join(root, 'examples/bench/crc32-rv32imac.expected.txt'), 'latin1'));
  assert.equal(crc.err(), '');
  const poll = fakeIo(false);
  const code = await execCommand([POLL, '--max-instructions', '3000000'], poll.io);
  assert.equal(code, 4);
  assert.match(poll.out(), /^\.+$/, 'a partial line is flushed at the end');
  assert.equal(poll.err(), 'lockstep: guest still running after 3000000 instructions (--max-instructions)\n');
});

test('on a terminal, a run that ends before the first interval prints exactly what it prints off a terminal', async () => {
  const plain = fakeIo(false);
  await execCommand([CRC32], plain.io);
  const tty = fakeIo(true);
  const pacing = fakePacing(0, null);
  assert.equal(await execCommand([CRC32], tty.io, pacing), 0);
  assert.equal(tty.out(), plain.out());
  assert.equal(tty.err(), '');
  assert.equal(pacing.listening(), false, 'Ctrl-C is the shell\'s again');
});

test('on a terminal: progress between the guest\'s lines (cleared before each), Ctrl-C stops with one summary line and 130', async () => {
  // A server's shape: works forever, a line now and then (about one per step of the run).
  const program = asmFile('lines.s', `
_start:
    li s1, 0x10000000
1:  li t0, 1500000
2:  addi t0, t0, -1
    bnez t0, 2b
    li t1, 'x'
    sb t1, 0(s1)
    li t1, 10
    sb t1, 0(s1)
    j 1b
`);
  const { io, written, out, err } = fakeIo(true);
  const pacing = fakePacing(PROGRESS_INTERVAL_MS, 6);
  const code = await execCommand([program], io, pacing);
  assert.equal(code, 130);
  assert.equal(pacing.listening(), false);
  let shown = false;
  let draws = 0;
  for (const [where, s] of written) {
    if (where === 'out') assert.ok(!shown, 'the progress line is cleared before guest output');
    else if (s === CLEAR) shown = false;
    else if (s.startsWith(`${CLEAR}lockstep exec: `)) {
      assert.match(s, /^\r\x1b\[Klockstep exec: [\d,]+ instructions · \d+\.\d MIPS · [\d,]+ UART bytes$/);
      shown = true;
      draws++;
    }
  }
  assert.ok(draws >= 1 && draws <= pacing.breaths(), `${draws} drawings`);
  assert.match(out(), /^(x\n)+$/);
  const last = err().split(CLEAR).pop()!;
  assert.match(last, /^lockstep exec: interrupted after [\d,]+ instructions, (\d+) UART bytes\n$/);
  assert.equal(Number(/(\d+) UART bytes/.exec(last)![1]), out().length);
});

test('Ctrl-C in the middle of a guest line: the line is flushed, and the summary starts a line of its own', async () => {
  const { io, out, err } = fakeIo(true);
  const code = await execCommand([POLL], io, fakePacing(0, 3));
  assert.equal(code, 130);
  assert.match(out(), /^\.+$/);
  assert.match(err(), /\nlockstep exec: interrupted after [\d,]+ instructions, [\d,]+ UART bytes\n$/);
  assert.ok(!err().includes(' MIPS '), 'a clock that never moves draws no progress');
});
