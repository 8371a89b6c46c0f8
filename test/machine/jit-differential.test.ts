// Differential test of the fast path (src/machine/jit*.ts) against the interpreter: benchmark ELFs, kvstore, ISA programs and seeded random streams.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from '../../src/asm';
import { loadElf } from '../../src/machine/elf';
import { Machine } from '../../src/machine/machine';
import { mulberry32 } from '../helpers/mulberry32';
import { type PairStats, addStats, assertSameMachine, drive, emptyStats, rigPair, runRigPair, sliceLength, step } from './jit-pair';
import { randomProgram } from './jit-random';
import { Jit, type JitBackend } from '../../src/machine/jit';

/** Every test runs once per backend of the fast path (WebAssembly, JavaScript): both must equal the interpreter. */
const BACKENDS: JitBackend[] = ['wasm', 'js'];
function eachBackend(name: string, opts: { timeout?: number }, body: () => void): void {
  for (const backend of BACKENDS) {
    test(`[${backend}] ${name}`, opts, () => {
      const before = Jit.backendDefault;
      Jit.backendDefault = backend;
      try {
        body();
      } finally {
        Jit.backendDefault = before;
      }
    });
  }
}

const ROOT = join(__dirname, '..', '..');
const BENCH = ['sieve', 'crc32', 'matmul'].flatMap((b) => ['rv32imac', 'rv32im'].map((a) => `${b}-${a}`));
const NO_ENV = { read: () => 0, output: () => {} };

function report(what: string, s: PairStats): void {
  const pct = s.instructions > 0 ? ((100 * s.translated) / s.instructions).toFixed(1) : '0';
  console.log(`# ${what}: ${s.checkpoints} checkpoints, ${s.instructions} instructions (${pct}% in ${s.regions} compiled regions)`);
}

interface ElfRun {
  /** Longest random run limit increment; full comparison every `hashEvery` stops; instructions at most. */
  long: number; hashEvery: number; max: number;
  /** An input delivered to both machines before stop k, if any. */
  inputs?: (k: number) => Parameters<Machine['deliver']>[0] | null;
}

/** Runs an ELF on both paths with the same random limits (and optional inputs), comparing at every stop. */
function elfPair(elf: string, seed: number, opts: ElfRun): { stats: PairStats; uart: string } {
  const program = loadElf(readFileSync(elf), elf);
  const [a, b] = [false, true].map((fast) => {
    const m = new Machine({ env: NO_ENV });
    m.load(program);
    return drive(m, fast);
  });
  const rand = mulberry32(seed);
  const stats = emptyStats();
  for (let k = 0; ; k++) {
    const input = opts.inputs?.(k) ?? null;
    if (input !== null) {
      a.machine.deliver(input);
      b.machine.deliver(input);
    }
    const limit = Math.min(opts.max, a.machine.instret + sliceLength(rand, opts.long));
    const ra = step(a, limit), rb = step(b, limit);
    const where = `${elf} step ${k} limit ${limit}`;
    assert.equal(rb, ra, `${where}: stop reason`);
    const done = ra === 'exit' || ra === 'fatal' || a.machine.instret >= opts.max;
    assertSameMachine(a, b, where, done || k % opts.hashEvery === 0);
    stats.checkpoints++;
    if (done) break;
  }
  stats.instructions = a.machine.instret;
  stats.translated = b.machine.cpu.jit.retired;
  stats.regions = b.machine.cpu.jit.compiled;
  return { stats, uart: a.uart };
}

eachBackend('fast path = interpreter on the benchmark ELFs, run to power-off with random run limits', { timeout: 300_000 }, () => {
  const total = emptyStats();
  for (const [i, name] of BENCH.entries()) {
    const { stats: s, uart } = elfPair(join(ROOT, 'examples', 'bench', `${name}.elf`), 100 + i, { long: 3_000_000, hashEvery: 25, max: 1e9 });
    assert.equal(uart, readFileSync(join(ROOT, 'examples', 'bench', `${name}.expected.txt`), 'latin1'), `${name}: UART output`);
    assert.ok(s.translated > s.instructions / 2, `${name}: most instructions ran translated (${s.translated} of ${s.instructions})`);
    addStats(total, s);
  }
  report(`${BENCH.length} benchmark ELFs`, total);
});

eachBackend('fast path = interpreter on the real-program suite (many functions, calls through pointers, soft float), run to power-off', { timeout: 300_000 }, () => {
  const dir = join(ROOT, 'examples', 'suite');
  const names = readdirSync(dir).filter((f) => f.endsWith('.elf')).map((f) => f.slice(0, -4)).sort();
  assert.ok(names.length >= 8, `${names.length} suite programs`);
  const total = emptyStats();
  for (const [i, name] of names.entries()) {
    const { stats: s, uart } = elfPair(join(dir, `${name}.elf`), 200 + i, { long: 4_000_000, hashEvery: 10, max: 1e9 });
    assert.equal(uart, readFileSync(join(dir, `${name}.expected.txt`), 'latin1'), `${name}: UART output`);
    assert.ok(s.translated > s.instructions * 0.9, `${name}: most instructions ran translated (${s.translated} of ${s.instructions})`);
    addStats(total, s);
  }
  report(`${names.length} suite programs`, total);
});

/** A kvstore request packet (see examples/kvstore/PROTOCOL.md). */
function kvRequest(reqId: number, op: number, key: string, val: string): Uint8Array {
  const b = Buffer.alloc(12 + key.length + val.length);
  b.writeUInt32LE(9, 0);
  b.writeUInt32LE(reqId, 4);
  b[8] = op;
  b[9] = key.length;
  b.writeUInt16LE(val.length, 10);
  b.write(key, 12, 'latin1');
  b.write(val, 12 + key.length, 'latin1');
  return new Uint8Array(b);
}

eachBackend('fast path = interpreter on kvstore: boot, log replay, requests over the NIC, disk, timer', { timeout: 120_000 }, () => {
  const rand = mulberry32(7);
  const inputs = (k: number) => {
    if (k === 0 || k % 15 !== 0) return null;
    const op = 1 + Math.floor(rand() * 3);
    return { kind: 'nicRx' as const, packet: kvRequest(k, op, `key${k % 7}`, op === 2 ? 'v'.repeat(k % 50) : '') };
  };
  const { stats, uart } = elfPair(join(ROOT, 'examples', 'kvstore', 'kvstore.elf'), 8, { long: 200_000, hashEvery: 50, max: 5_000_000, inputs });
  assert.match(uart, /kvstore: 0 records replayed/);
  report('kvstore', stats);
});

eachBackend('fast path = interpreter on the ISA programs (test/isa), compiled at once and after warming up', {}, () => {
  const dir = join(ROOT, 'test', 'isa');
  const total = emptyStats();
  let programs = 0;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.s')).sort()) {
    const r = assemble(readFileSync(join(dir, f), 'utf8'), { fileName: f });
    assert.ok(r.ok && r.program !== undefined, `${f} assembles`);
    for (const threshold of [0, 500]) {
      const { interp, fast } = rigPair(new Uint8Array(0), threshold, 4 << 20);
      for (const rig of [interp, fast]) {
        for (const seg of r.program.segments) rig.ram.writeBytes(seg.addr, seg.data);
        rig.cpu.invalidateCode(rig.ram.base, rig.ram.size);
        rig.cpu.pc = r.program.entry;
        if (r.program.tohost !== undefined) rig.cpu.tohost = r.program.tohost;
      }
      const s = runRigPair(interp, fast, mulberry32(programs + 1), 50_000_000, 300, `${f} (threshold ${threshold})`);
      assert.equal(fast.cpu.exitCode, 0, `${f}: passes on the fast path`);
      addStats(total, s);
      programs++;
    }
  }
  report(`${programs} ISA program runs`, total);
});

eachBackend('fast path = interpreter on seeded random RV32IMC streams (loads/stores, MMIO, traps, interrupts, self-modifying code, fence.i)', {}, () => {
  const total = emptyStats();
  const STREAMS = 100;
  for (let seed = 1; seed <= STREAMS; seed++) {
    const rand = mulberry32(seed * 7919);
    const { code } = randomProgram(rand);
    // Odd seeds: a RAM size that is not a power of two (the generated range checks take the other form).
    const { interp, fast } = rigPair(code, [0, 1, 30, 300][seed % 4], seed % 2 === 1 ? 0x60000 : 0x80000, seed % 3 === 0 ? 8 : 1);
    addStats(total, runRigPair(interp, fast, rand, 100_000, 20_000, `random stream ${seed}`));
  }
  assert.ok(total.translated > total.instructions / 3, `a good share ran translated (${total.translated} of ${total.instructions})`);
  report(`${STREAMS} random streams`, total);
});
