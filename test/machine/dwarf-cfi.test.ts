// Call frame information from .debug_frame and .eh_frame: the CFA rule and saved registers at each pc, as readelf --debug-dump=frames-interp prints them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CallFrameInfo, cfiStep } from '../../src/machine/dwarf-cfi';
import { CALLEE_SAVED } from '../../src/machine/abi';
import { mulberry32 } from '../helpers/mulberry32';
import { debugSectionsFromElf, ehFrameFromElf } from '../../src/machine/dwarf-sections';

const ELF = join(__dirname, '../fixtures/c-debug/build/frames-clang-O0.elf');

test('rows of the first function: sp+0, sp+16 after the push, ra and s0 saved, then s0 as the CFA register', () => {
  const cfi = new CallFrameInfo(debugSectionsFromElf(readFileSync(ELF)).frame);
  assert.deepEqual(cfi.problems, []);
  const at = (pc: number) => {
    const r = cfi.rowAt(pc)!;
    return { cfa: `${r.cfaReg}+${r.cfaOffset}`, ra: r.rules.get(1), s0: r.rules.get(8) };
  };
  assert.deepEqual(at(0x800000d0), { cfa: '2+0', ra: undefined, s0: undefined });
  assert.deepEqual(at(0x800000d2), { cfa: '2+16', ra: undefined, s0: undefined });
  assert.deepEqual(at(0x800000d6), { cfa: '2+16', ra: { kind: 'offset', offset: -4 }, s0: { kind: 'offset', offset: -8 } });
  assert.deepEqual(at(0x800000e0), { cfa: '8+0', ra: { kind: 'offset', offset: -4 }, s0: { kind: 'offset', offset: -8 } });
  assert.equal(cfi.rowAt(0x10), undefined, 'no FDE covers it');
});

test('damaged call frame information is a problem reported, not an exception', () => {
  const bytes = new Uint8Array([0x10, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 9, 9, 9]);
  const cfi = new CallFrameInfo(bytes);
  assert.equal(cfi.problems.length, 1);
  assert.equal(cfi.rowAt(0x80000000), undefined);
});

test('.eh_frame (GCC -fasynchronous-unwind-tables: "zR", pc-relative FDE addresses) gives the rows .debug_frame gives for the same code', () => {
  const build = join(__dirname, '../fixtures/c-debug/build');
  const plain = new CallFrameInfo(debugSectionsFromElf(readFileSync(join(build, 'frames-gcc-Og.elf'))).frame);
  const bytes = readFileSync(join(build, 'frames-gcc-Og-eh.elf'));
  assert.equal(debugSectionsFromElf(bytes).frame, undefined, 'only unwind tables');
  const eh = ehFrameFromElf(bytes)!;
  const cfi = new CallFrameInfo(eh.data, { addr: eh.addr });
  assert.deepEqual(cfi.problems, []);
  let rows = 0;
  for (let pc = 0x800000d0; pc < 0x80000200; pc += 2) {
    assert.deepEqual(cfi.rowAt(pc), plain.rowAt(pc), `at 0x${pc.toString(16)}`);
    if (cfi.rowAt(pc) !== undefined) rows++;
  }
  assert.ok(rows > 100, `rows compared: ${rows}`);
  const wrongBase = new CallFrameInfo(eh.data, { addr: eh.addr + 0x100 });
  assert.notDeepEqual(wrongBase.rowAt(0x80000114), plain.rowAt(0x80000114), 'the section address matters: its pointers are pc-relative');
});

test('mutated .debug_frame and .eh_frame never make the reader throw or hang', () => {
  const build = join(__dirname, '../fixtures/c-debug/build');
  const plain = debugSectionsFromElf(readFileSync(join(build, 'frames-gcc-Og.elf'))).frame!;
  const eh = ehFrameFromElf(readFileSync(join(build, 'frames-gcc-Og-eh.elf')))!;
  const rnd = mulberry32(20261207);
  const regs = new Map(Array.from({ length: 32 }, (_, n) => [n, 0x80001000 + 4 * n] as [number, number]));
  let damaged = 0;
  for (let i = 0; i < 600; i++) {
    const src = i % 2 === 0 ? plain : eh.data;
    const b = new Uint8Array(src);
    for (let k = 0, n = 1 + Math.floor(rnd() * 4); k < n; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    const cut = rnd() < 0.2 ? b.subarray(0, Math.floor(rnd() * b.length)) : b;
    const cfi = i % 2 === 0 ? new CallFrameInfo(cut) : new CallFrameInfo(cut, { addr: eh.addr });
    if (cfi.problems.length > 0) damaged++;
    for (let pc = 0x800000d0; pc < 0x80000200; pc += 6) {
      const row = cfi.rowAt(pc);
      if (row !== undefined) cfiStep(row, regs, () => 0x80000100, CALLEE_SAVED);
    }
  }
  assert.ok(damaged > 0, 'some mutations were noticed');
});
