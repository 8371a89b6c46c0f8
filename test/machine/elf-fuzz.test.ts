// Fuzz tests: random and mutated ELFs / line tables either load or throw ProgramFormatError — nothing else, never hang.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadElf, ProgramFormatError } from '../../src/machine/elf';
import { parseDebugLine } from '../../src/machine/dwarf';
import { mulberry32 } from '../helpers/mulberry32';

const ROOT = join(__dirname, '..', '..');
const CORPUS = [
  'test/fixtures/elf/hello-dwarf5.elf',
  'test/fixtures/elf/hello-dwarf4.elf',
  'test/fixtures/elf/hello-llvm.elf',
  'examples/kvstore/kvstore.elf',
].map((p) => new Uint8Array(readFileSync(join(ROOT, p))));

const prng = mulberry32;

const EXTREMES = [0, 1, 2, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** Offsets of fields worth hitting: ELF header, program and section headers, and section contents. */
function interestingOffsets(b: Uint8Array): number[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const offs: number[] = [];
  for (let i = 16; i < 52; i += 2) offs.push(i);
  const phoff = dv.getUint32(28, true);
  const phnum = dv.getUint16(44, true);
  for (let i = 0; i < phnum * 32; i += 4) offs.push(phoff + i);
  const shoff = dv.getUint32(32, true);
  const shnum = dv.getUint16(48, true);
  for (let s = 0; s < shnum; s++) {
    for (let i = 0; i < 40; i += 4) offs.push(shoff + s * 40 + i);
    const off = dv.getUint32(shoff + s * 40 + 16, true);
    const size = dv.getUint32(shoff + s * 40 + 20, true);
    for (let i = 0; i < Math.min(size, 96); i++) offs.push(off + i); // unit headers of .debug_* sections
  }
  return offs.filter((o) => o + 4 <= b.length);
}

function mutate(src: Uint8Array, rnd: () => number, offsets: number[]): Uint8Array {
  const pick = (n: number) => Math.floor(rnd() * n);
  const b = new Uint8Array(src);
  const dv = new DataView(b.buffer);
  const kind = pick(5);
  if (kind === 0) {
    for (let i = 0, n = 1 + pick(16); i < n; i++) b[pick(b.length)] ^= 1 << pick(8);
  } else if (kind === 1) {
    return b.slice(0, pick(b.length));
  } else if (kind === 2 || kind === 3) {
    for (let i = 0, n = 1 + pick(3); i < n; i++) {
      const at = offsets[pick(offsets.length)];
      const v = EXTREMES[pick(EXTREMES.length)];
      if (kind === 2) dv.setUint32(at, v >>> 0, true);
      else b[at] = v & 0xff;
    }
  } else {
    const at = pick(b.length);
    for (let i = at; i < Math.min(b.length, at + 1 + pick(64)); i++) b[i] = pick(256);
  }
  return b;
}

function checkOutcome(bytes: Uint8Array, label: string): 'ok' | 'error' {
  try {
    const p = loadElf(bytes, label);
    for (let i = 1; i < p.lines.length; i++) assert.ok(p.lines[i - 1].addr <= p.lines[i].addr, `${label}: rows sorted`);
    for (const s of p.segments) assert.ok(s.data.length <= s.memSize && s.addr + s.memSize <= 2 ** 32, label);
    return 'ok';
  } catch (e) {
    if (!(e instanceof ProgramFormatError)) assert.fail(`${label}: threw ${String(e)} (${(e as Error)?.stack})`);
    assert.ok(!e.message.includes('internal error'), `${label}: ${e.message}`);
    assert.ok(e.message.length > 0 && e.message.length < 500, `${label}: message length`);
    return 'error';
  }
}

test('mutated ELFs load or throw ProgramFormatError', { timeout: 300_000 }, () => {
  const rnd = prng(20261125);
  const counts = { ok: 0, error: 0 };
  const offsets = CORPUS.map(interestingOffsets);
  for (let i = 0; i < 4000; i++) {
    const which = i % CORPUS.length;
    counts[checkOutcome(mutate(CORPUS[which], rnd, offsets[which]), `mutant ${i}`)]++;
  }
  // Both outcomes must occur, or the mutations are not reaching the interesting code.
  assert.ok(counts.ok > 100 && counts.error > 100, JSON.stringify(counts));
});

test('random bytes (with and without an ELF header prefix) throw ProgramFormatError', { timeout: 120_000 }, () => {
  const rnd = prng(7);
  for (let i = 0; i < 1500; i++) {
    const b = new Uint8Array(Math.floor(rnd() * 2048));
    for (let j = 0; j < b.length; j++) b[j] = Math.floor(rnd() * 256);
    if (i % 2 === 0 && b.length >= 52) b.set(CORPUS[0].subarray(0, 20 + Math.floor(rnd() * 32)));
    checkOutcome(b, `random ${i}`);
  }
});

test('mutated .debug_line sections parse or throw ProgramFormatError', { timeout: 120_000 }, () => {
  const rnd = prng(99);
  for (const elf of CORPUS) {
    const dv = new DataView(elf.buffer, elf.byteOffset, elf.length);
    const shoff = dv.getUint32(32, true);
    const shnum = dv.getUint16(48, true);
    const strOff = dv.getUint32(shoff + dv.getUint16(50, true) * 40 + 16, true);
    const sec = (name: string) => {
      for (let s = 0; s < shnum; s++) {
        const h = shoff + s * 40;
        const n = new TextDecoder().decode(elf.subarray(strOff + dv.getUint32(h, true), strOff + dv.getUint32(h, true) + name.length + 1));
        if (n === `${name}\0`) return elf.slice(dv.getUint32(h + 16, true), dv.getUint32(h + 16, true) + dv.getUint32(h + 20, true));
      }
      return undefined;
    };
    const line = sec('.debug_line');
    const lineStr = sec('.debug_line_str');
    assert.ok(line);
    const offsets = Array.from({ length: Math.min(line.length - 4, 200) }, (_, i) => i);
    for (let i = 0; i < 800; i++) {
      const m = mutate(line, rnd, offsets);
      try {
        parseDebugLine({ debugLine: m, debugLineStr: lineStr });
      } catch (e) {
        if (!(e instanceof ProgramFormatError)) assert.fail(`debug_line mutant ${i}: ${String(e)}`);
      }
    }
  }
});
