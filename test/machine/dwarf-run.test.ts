// Variables read through DWARF from a real run: the fixtures stop at a breakpoint and every value matches the C source.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DebugInfo } from '../../src/machine/dwarf-debug-info';
import { loadElf } from '../../src/machine/elf';
import { Machine } from '../../src/machine/machine';
import { StandaloneEnvironment } from '../../src/machine/standalone';
import type { MachineAccess } from '../../src/machine/dwarf-expr';
import { isComplete, readBitField } from '../../src/machine/dwarf-value';
import { stripTypedefs, type Member, type StructType } from '../../src/machine/dwarf-types';
import { DWARF_ELFS, elfBytes } from '../helpers/dwarf-fixtures';

interface Stop {
  info: DebugInfo;
  m: Machine;
  pc: number;
  access: MachineAccess;
}

/** Runs `path` to its `hits`-th arrival at `pc`. `cfa` tells the canonical frame address (no unwinder here). */
function stopAt(path: string, pc: number, cfa: (m: Machine) => number | undefined = () => undefined, hits = 1): Stop {
  const m = new Machine({ env: new StandaloneEnvironment({}, 0) });
  m.load(loadElf(elfBytes(path), path));
  m.cpu.setBreakpoints([pc]);
  for (let i = 0; i < hits; i++) assert.equal(m.run(m.instret + 1_000_000), 'breakpoint');
  const access: MachineAccess = {
    reg: (n) => (n < 32 ? m.cpu.regs[n] >>> 0 : undefined),
    readMemory: (addr, len) => (m.ram.contains(addr, len) ? m.ram.readBytes(addr, len) : undefined),
    cfa: () => cfa(m),
  };
  return { info: DebugInfo.fromElf(elfBytes(path)), m, pc, access };
}

/** The variable's value as a little-endian integer, signed unless asked otherwise (it must be complete). */
function int(s: Stop, name: string, frame = 0, signed = true): number {
  const v = s.info.findVariable(name, s.pc, frame);
  assert.ok(v, name);
  const bytes = s.info.readVariable(v, s.pc, s.access);
  assert.ok(isComplete(bytes), `${name}: ${bytes.reason}`);
  return littleEndian(bytes.bytes, signed);
}

function littleEndian(b: Uint8Array, signed: boolean): number {
  let v = 0;
  for (let i = b.length - 1; i >= 0; i--) v = v * 256 + b[i];
  return signed && b.length > 0 && b[b.length - 1] >= 0x80 ? v - 2 ** (8 * b.length) : v;
}

/** A bit field's value from its struct's bytes. */
function field(bytes: Uint8Array, m: Member, signed: boolean): number {
  return Number(readBitField(bytes, m.bitOffset!, m.bitSize!, signed));
}

/** GCC -O0 keeps s0 = CFA (the stack pointer at entry) once the prologue has run. */
const S0: (m: Machine) => number = (m) => m.cpu.regs[8] >>> 0;

for (const label of ['types4', 'types5'] as const) {
  test(`${label}: locals of three nested blocks and a static, in sum_list's first iteration`, () => {
    const s = stopAt(DWARF_ELFS[label], 0x80000126, S0); // line 23: total += doubled
    const nodes = s.info.findVariable('nodes')!;
    const nodesAddr = (s.info.locate(nodes, s.pc, s.access) as { addr: number }).addr;
    assert.equal(int(s, 'head', 0, false), nodesAddr);
    assert.equal(int(s, 'p', 0, false), nodesAddr);
    assert.equal(int(s, 'limit'), 2);
    assert.equal(int(s, 'v'), 3);
    assert.equal(int(s, 'doubled'), 6);
    assert.equal(int(s, 'total'), 0);
    assert.equal(int(s, 'calls'), 1);
  });

  test(`${label}: main's enum and typedef locals, and bit fields of two units' structs`, () => {
    const s = stopAt(DWARF_ELFS[label], 0x8000028c, S0); // line 47: return ...
    assert.equal(int(s, 'c'), -3);
    assert.equal(int(s, 'n'), 2);
    assert.equal(int(s, 'r'), 14);
    assert.equal(int(s, 'file_counter'), 7 + 28 + 66);
    assert.equal(int(s, 'shared_value'), 9 + 2);
    const flags = s.info.findVariable('other_flags')!;
    const t = stripTypedefs(flags.type) as StructType;
    const bytes = s.info.readVariable(flags, s.pc, s.access).bytes;
    assert.deepEqual(t.members.slice(0, 4).map((m, i) => field(bytes, m, i === 2)), [1, 2, -1, 0x123]);
    const nodes = s.info.findVariable('nodes')!;
    const all = s.info.readVariable(nodes, s.pc, s.access);
    assert.ok(isComplete(all));
    const node = (stripTypedefs(nodes.type) as { element: StructType }).element;
    const f = node.members.find((m) => m.name === 'f')!;
    const flagBytes = all.bytes.subarray(f.offset, f.offset + 8);
    assert.deepEqual((stripTypedefs(f.type) as StructType).members.slice(0, 4).map((m, i) => field(flagBytes, m, i === 2)), [1, 5, -2, 0xabc]);
    assert.equal(flagBytes[4], 9);
    const w = node.members.find((m) => m.name === 'w')!;
    assert.equal(littleEndian(all.bytes.subarray(w.offset, w.offset + 4), false), 0x11223344);
  });
}

for (const label of ['opt4', 'optLlvm'] as const) {
  test(`${label}: a 64-bit parameter split across a0 and a1 at its function's entry`, () => {
    const info = DebugInfo.fromElf(elfBytes(DWARF_ELFS[label]));
    const halves = info.findFunction('halves')!;
    const s = stopAt(DWARF_ELFS[label], halves.entryPc);
    assert.equal(int(s, 'v'), 7 * 2 ** 32 + 5);
  });
}

test('opt4: inside two inlined calls, values from registers and computed values; the rest unavailable', () => {
  const s = stopAt(DWARF_ELFS.opt4, 0x800000d4, undefined, 2); // square(a) in add_squares in compute, second iteration
  assert.deepEqual(s.info.framesAt(s.pc).map((f) => f.name), ['square', 'add_squares', 'compute']);
  assert.equal(int(s, 'i', 2), 1, 'DW_OP_breg15 -1; DW_OP_stack_value');
  assert.equal(int(s, 'acc', 2), 1);
  assert.equal(int(s, 'n', 2), 5);
  const arr = s.info.findVariable('arr', s.pc, 2)!;
  assert.match(s.info.readVariable(arr, s.pc, s.access).reason ?? '', /function entry/);
  const x = s.info.findVariable('x', s.pc, 0)!;
  assert.equal(s.info.readVariable(x, s.pc, s.access).reason, 'optimized out');
});
