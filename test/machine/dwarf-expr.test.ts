// The DWARF expression evaluator on hand-assembled expressions: every operation family, pieces, and the unavailable cases.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateExpression, type Location, type MachineAccess } from '../../src/machine/dwarf-expr';
import { evaluateLocation, readLocationBytes, isComplete } from '../../src/machine/dwarf-value';
import type { LocationDesc } from '../../src/machine/dwarf-scopes';

/** a0 = 0x1000, s0 = 0x2000, sp = 0x1ff0; memory 0x1000.. holds 0x11 0x22 0x33 ...; CFA 0x3000; frame base 0x2ff0. */
const REGS: Record<number, number> = { 2: 0x1ff0, 8: 0x2000, 10: 0x1000, 11: 0xdeadbeef };
const MEMORY_BASE = 0x1000;
const MEMORY = Uint8Array.from({ length: 64 }, (_, i) => (0x11 * (i + 1)) & 0xff);
const machine: MachineAccess = {
  reg: (n) => REGS[n],
  readMemory: (addr, len) => (addr >= MEMORY_BASE && addr + len <= MEMORY_BASE + MEMORY.length ? MEMORY.slice(addr - MEMORY_BASE, addr - MEMORY_BASE + len) : undefined),
  cfa: () => 0x3000,
  frameBase: () => 0x2ff0,
};

const run = (bytes: number[], m: MachineAccess = machine): Location => evaluateExpression(Uint8Array.from(bytes), m);
const mem = (addr: number): Location => ({ kind: 'memory', addr });
const value = (v: number): Location => ({ kind: 'value', value: v });
const reason = (loc: Location): string => (loc.kind === 'unavailable' ? loc.reason : `not unavailable: ${JSON.stringify(loc)}`);

const DW = {
  addr: 0x03, deref: 0x06, const1u: 0x08, const1s: 0x09, const2u: 0x0a, const2s: 0x0b, const4u: 0x0c, const4s: 0x0d, const8u: 0x0e,
  constu: 0x10, consts: 0x11, dup: 0x12, drop: 0x13, over: 0x14, pick: 0x15, swap: 0x16, rot: 0x17, abs: 0x19, and: 0x1a, div: 0x1b,
  minus: 0x1c, mod: 0x1d, mul: 0x1e, neg: 0x1f, not: 0x20, or: 0x21, plus: 0x22, plusUconst: 0x23, shl: 0x24, shr: 0x25, shra: 0x26,
  xor: 0x27, bra: 0x28, eq: 0x29, ge: 0x2a, gt: 0x2b, le: 0x2c, lt: 0x2d, ne: 0x2e, skip: 0x2f, lit0: 0x30, reg0: 0x50, breg0: 0x70,
  regx: 0x90, fbreg: 0x91, bregx: 0x92, piece: 0x93, derefSize: 0x94, nop: 0x96, callFrameCfa: 0x9c, bitPiece: 0x9d,
  implicitValue: 0x9e, stackValue: 0x9f, implicitPointer: 0xa0, addrx: 0xa1, entryValue: 0xa3, regvalType: 0xa5, gnuEntryValue: 0xf3,
} as const;

test('constants and addresses', () => {
  assert.deepEqual(run([DW.addr, 0x78, 0x56, 0x34, 0x12]), mem(0x12345678));
  assert.deepEqual(run([DW.lit0 + 7, DW.stackValue]), value(7));
  assert.deepEqual(run([DW.const1s, 0xff, DW.stackValue]), value(0xffffffff));
  assert.deepEqual(run([DW.const1u, 0xff, DW.stackValue]), value(0xff));
  assert.deepEqual(run([DW.const2s, 0xfe, 0xff, DW.stackValue]), value(0xfffffffe));
  assert.deepEqual(run([DW.const2u, 0x34, 0x12, DW.stackValue]), value(0x1234));
  assert.deepEqual(run([DW.const4s, 0xff, 0xff, 0xff, 0xff, DW.stackValue]), value(0xffffffff));
  assert.deepEqual(run([DW.const8u, 1, 0, 0, 0, 2, 0, 0, 0, DW.stackValue]), value(1), 'the generic type keeps the low 32 bits');
  assert.deepEqual(run([DW.constu, 0xe5, 0x8e, 0x26, DW.stackValue]), value(624485));
  assert.deepEqual(run([DW.consts, 0x7f, DW.stackValue]), value(0xffffffff));
});

test('stack operations', () => {
  assert.deepEqual(run([DW.lit0 + 1, DW.lit0 + 2, DW.over, DW.stackValue, DW.piece, 4, DW.lit0, DW.piece, 4]).kind, 'composite');
  assert.deepEqual(run([DW.lit0 + 5, DW.dup, DW.plus, DW.stackValue]), value(10));
  assert.deepEqual(run([DW.lit0 + 5, DW.lit0 + 6, DW.drop, DW.stackValue]), value(5));
  assert.deepEqual(run([DW.lit0 + 1, DW.lit0 + 2, DW.over, DW.stackValue]), value(1));
  assert.deepEqual(run([DW.lit0 + 1, DW.lit0 + 2, DW.lit0 + 3, DW.pick, 2, DW.stackValue]), value(1));
  assert.deepEqual(run([DW.lit0 + 1, DW.lit0 + 2, DW.swap, DW.minus, DW.stackValue]), value(1));
  // rot: (1 2 3) → (3 1 2): top is 2.
  assert.deepEqual(run([DW.lit0 + 1, DW.lit0 + 2, DW.lit0 + 3, DW.rot, DW.stackValue]), value(2));
  assert.deepEqual(run([DW.lit0 + 1, DW.lit0 + 2, DW.lit0 + 3, DW.rot, DW.drop, DW.stackValue]), value(1));
});

test('arithmetic and logic wrap at 32 bits; div and comparisons are signed', () => {
  const bin = (a: number, b: number, op: number): Location => run([DW.consts, ...sleb(a), DW.consts, ...sleb(b), op, DW.stackValue]);
  assert.deepEqual(bin(-7, 2, DW.div), value(0xfffffffd));
  assert.deepEqual(bin(7, 3, DW.mod), value(1));
  assert.deepEqual(bin(0x10000, 0x10000, DW.mul), value(0));
  assert.deepEqual(bin(1, 2, DW.minus), value(0xffffffff));
  assert.deepEqual(bin(0xf0, 0x3c, DW.and), value(0x30));
  assert.deepEqual(bin(0xf0, 0x0f, DW.or), value(0xff));
  assert.deepEqual(bin(0xff, 0x0f, DW.xor), value(0xf0));
  assert.deepEqual(bin(1, 31, DW.shl), value(0x80000000));
  assert.deepEqual(bin(1, 32, DW.shl), value(0));
  assert.deepEqual(bin(-8, 1, DW.shr), value(0x7ffffffc));
  assert.deepEqual(bin(-8, 1, DW.shra), value(0xfffffffc));
  assert.deepEqual(bin(-1, 1, DW.lt), value(1));
  assert.deepEqual(bin(-1, 1, DW.gt), value(0));
  assert.deepEqual(bin(3, 3, DW.ge), value(1));
  assert.deepEqual(bin(3, 3, DW.le), value(1));
  assert.deepEqual(bin(3, 3, DW.eq), value(1));
  assert.deepEqual(bin(3, 4, DW.ne), value(1));
  assert.deepEqual(run([DW.consts, 0x7b, DW.abs, DW.stackValue]), value(5));
  assert.deepEqual(run([DW.lit0 + 5, DW.neg, DW.stackValue]), value(0xfffffffb));
  assert.deepEqual(run([DW.lit0, DW.not, DW.stackValue]), value(0xffffffff));
  assert.deepEqual(run([DW.lit0 + 1, DW.plusUconst, 0x80, 0x01, DW.stackValue]), value(129));
  assert.match(reason(bin(1, 0, DW.div)), /division by zero/);
  assert.match(reason(bin(1, 0, DW.mod)), /division by zero/);
});

test('skip and bra, and a loop that never ends stops at the step bound', () => {
  // if (1) push 10 else push 20
  assert.deepEqual(run([DW.lit0 + 1, DW.bra, 4, 0, DW.lit0 + 20, DW.skip, 1, 0, DW.lit0 + 10, DW.stackValue]), value(10));
  assert.deepEqual(run([DW.lit0, DW.bra, 4, 0, DW.lit0 + 20, DW.skip, 1, 0, DW.lit0 + 10, DW.stackValue]), value(20));
  assert.match(reason(run([DW.skip, 0xfd, 0xff])), /longer than/);
  assert.match(reason(run([DW.skip, 0x10, 0x00])), /leaves the expression/);
});

test('registers, frame base, CFA and memory', () => {
  assert.deepEqual(run([DW.reg0 + 10]), { kind: 'register', reg: 10 });
  assert.deepEqual(run([DW.regx, 40]), { kind: 'register', reg: 40 });
  assert.deepEqual(run([DW.breg0 + 8, 0x74]), mem(0x2000 - 12));
  assert.deepEqual(run([DW.bregx, 2, 0x10]), mem(0x2000));
  assert.deepEqual(run([DW.fbreg, 0x7c]), mem(0x2ff0 - 4));
  assert.deepEqual(run([DW.callFrameCfa]), mem(0x3000));
  assert.deepEqual(run([DW.breg0 + 10, 0, DW.deref, DW.stackValue]), value(0x44332211));
  assert.deepEqual(run([DW.breg0 + 10, 1, DW.derefSize, 2, DW.stackValue]), value(0x3322));
  assert.match(reason(run([DW.breg0 + 5, 0])), /register t0 is not known/);
  assert.match(reason(run([DW.lit0, DW.deref])), /cannot read memory at 0x0/);
  assert.match(reason(run([DW.fbreg, 0], { ...machine, frameBase: undefined })), /frame base is not known/);
  assert.match(reason(run([DW.callFrameCfa], { ...machine, cfa: () => undefined })), /canonical frame address/);
});

test('pieces: registers, memory, values and optimized-out parts, assembled into bytes', () => {
  const loc = run([DW.reg0 + 10, DW.piece, 4, DW.piece, 2, DW.breg0 + 10, 4, DW.piece, 2, DW.lit0 + 9, DW.stackValue, DW.piece, 1]);
  assert.deepEqual(loc, {
    kind: 'composite', pieces: [
      { bits: 32, bitOffset: 0, location: { kind: 'register', reg: 10 } },
      { bits: 16, bitOffset: 0, location: { kind: 'unavailable', reason: 'optimized out' } },
      { bits: 16, bitOffset: 0, location: mem(0x1004) },
      { bits: 8, bitOffset: 0, location: value(9) },
    ],
  });
  const v = readLocationBytes(loc, 9, machine);
  assert.deepEqual([...v.bytes], [0x00, 0x10, 0x00, 0x00, 0, 0, 0x55, 0x66, 9]);
  assert.deepEqual([...v.known], [0xff, 0xff, 0xff, 0xff, 0, 0, 0xff, 0xff, 0xff]);
  assert.equal(v.reason, 'optimized out');
  assert.equal(isComplete(v), false);
});

test('bit pieces take bits from where their offset says', () => {
  // 4 bits from bit 4 of a1 (0xdeadbeef → 0xe), then 4 bits of the value 0x5.
  const loc = run([DW.reg0 + 11, DW.bitPiece, 4, 4, DW.lit0 + 5, DW.stackValue, DW.bitPiece, 4, 0]);
  const v = readLocationBytes(loc, 1, machine);
  assert.deepEqual([...v.bytes], [0x5e]);
  assert.ok(isComplete(v));
});

test('implicit values and whole-value reads', () => {
  assert.deepEqual(run([DW.implicitValue, 2, 0x34, 0x12]), { kind: 'implicit', bytes: Uint8Array.from([0x34, 0x12]) });
  const r = readLocationBytes({ kind: 'register', reg: 10 }, 8, { ...machine, reg: (n) => (n === 10 ? 5 : n === 11 ? 7 : undefined) });
  assert.deepEqual([...r.bytes], [5, 0, 0, 0, 7, 0, 0, 0], 'a value wider than a register continues in the next one');
  const short = readLocationBytes({ kind: 'implicit', bytes: Uint8Array.from([1]) }, 2, machine);
  assert.deepEqual([...short.known], [0xff, 0]);
  const m = readLocationBytes(mem(0x1002), 3, machine);
  assert.deepEqual([...m.bytes], [0x33, 0x44, 0x55]);
  assert.ok(isComplete(m));
});

test('what cannot be known is unavailable, never a value', () => {
  assert.equal(reason(run([])), 'optimized out');
  assert.match(reason(run([DW.entryValue, 1, DW.reg0 + 10, DW.stackValue])), /function entry/);
  assert.match(reason(run([DW.gnuEntryValue, 1, DW.reg0 + 10, DW.stackValue])), /function entry/);
  assert.match(reason(run([DW.implicitPointer, 0, 0, 0, 0, 0])), /implicit pointer/);
  assert.match(reason(run([DW.regvalType, 10, 0x45])), /typed DWARF/);
  assert.match(reason(run([DW.addrx, 0])), /\.debug_addr entry 0/);
  assert.match(reason(run([0xff])), /operation 0xff is not supported/);
  assert.match(reason(run([DW.plus])), /stack underflow/);
  assert.match(reason(run([DW.addr, 1, 2])), /malformed DWARF expression/);
  assert.match(reason(run([DW.reg0 + 10, DW.lit0])), /after a register/);
  assert.match(reason(run([DW.reg0 + 10, DW.piece, 4, DW.lit0])), /without DW_OP_piece/);
  assert.match(reason(run(Array(1100).fill(DW.lit0))), /stack overflow/);
});

test('location lists are chosen by pc; const values are implicit; no location is optimized out', () => {
  const unit = { addrx: () => undefined };
  const list: LocationDesc = {
    kind: 'list', unit, list: {
      entries: [
        { start: 0x100, end: 0x110, expr: Uint8Array.from([DW.reg0 + 10]) },
        { start: 0x110, end: 0x120, expr: Uint8Array.from([DW.lit0 + 3, DW.stackValue]) },
      ],
    },
  };
  assert.deepEqual(evaluateLocation(list, 0x100, machine), { kind: 'register', reg: 10 });
  assert.deepEqual(evaluateLocation(list, 0x11f, machine), value(3));
  assert.deepEqual(evaluateLocation(list, 0x120, machine), { kind: 'unavailable', reason: 'optimized out' });
  const withDefault: LocationDesc = { ...list, list: { ...list.list, defaultExpr: Uint8Array.from([DW.lit0 + 1, DW.stackValue]) } };
  assert.deepEqual(evaluateLocation(withDefault, 0x200, machine), value(1));
  assert.deepEqual(evaluateLocation({ kind: 'const', bytes: Uint8Array.from([42]) }, 0, machine), { kind: 'implicit', bytes: Uint8Array.from([42]) });
  assert.equal(reason(evaluateLocation({ kind: 'none' }, 0, machine)), 'optimized out');
  assert.equal(reason(evaluateLocation({ kind: 'error', message: 'broken list' }, 0, machine)), 'broken list');
  assert.deepEqual(evaluateLocation({ kind: 'expr', unit: { addrx: (i) => 0x1000 + i }, expr: Uint8Array.from([DW.addrx, 4]) }, 0, machine), mem(0x1004));
});

function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}
