// Call frame information from .debug_frame: the CFA rule and saved registers at each pc of a clang -O0 function, as readelf --debug-dump=frames-interp prints them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CallFrameInfo } from '../../src/machine/dwarf-cfi';
import { debugSectionsFromElf } from '../../src/machine/dwarf-sections';

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
