// C values as GDB prints them and C expressions over them, on hand-built types and bytes (no program needed).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DwarfType } from '../../src/machine/dwarf-types';
import { formatValue, type CValue, type ValueSource } from '../../src/debug/c-values';
import { evaluateC, CExprError } from '../../src/debug/c-expr';

const int: DwarfType = { kind: 'base', offset: 1, name: 'int', size: 4, encoding: 'signed' };
const uchar: DwarfType = { kind: 'base', offset: 2, name: 'unsigned char', size: 1, encoding: 'unsignedChar' };
const char: DwarfType = { kind: 'base', offset: 3, name: 'char', size: 1, encoding: 'signedChar' };
const perm: DwarfType = { kind: 'enum', offset: 4, name: 'perm', size: 4, signed: false, underlying: undefined, declaration: false,
  enumerators: [{ name: 'P_READ', value: 1 }, { name: 'P_WRITE', value: 2 }, { name: 'P_EXEC', value: 4 }] };
const point: DwarfType = { kind: 'struct', offset: 5, name: 'point', size: 8, declaration: false,
  members: [{ name: 'x', type: int, offset: 0 }, { name: 'y', type: int, offset: 4 }] };
const flags: DwarfType = { kind: 'struct', offset: 6, name: 'flags', size: 4, declaration: false,
  members: [{ name: 'lo', type: int, offset: 0, bitOffset: 0, bitSize: 3 }, { name: 'hi', type: int, offset: 0, bitOffset: 3, bitSize: 5 }] };

function value(type: DwarfType, bytes: number[], addr?: number): CValue {
  return { type, bytes: { bytes: new Uint8Array(bytes), known: new Uint8Array(bytes.length).fill(0xff) }, ...(addr !== undefined ? { addr } : {}) };
}
const le = (...words: number[]): number[] => words.flatMap((w) => [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, (w >>> 24) & 0xff]);

const RAM = new Map<number, number>();
const src: ValueSource = {
  readMemory: (addr, len) => {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      const b = RAM.get(addr + i);
      if (b === undefined) return undefined;
      out[i] = b;
    }
    return out;
  },
  symbolize: (addr) => (addr >= 0x1000 && addr < 0x1010 ? (addr === 0x1000 ? 'table' : `table+${addr - 0x1000}`) : undefined),
};
[...'hi there\0'].forEach((c, i) => RAM.set(0x2000 + i, c.charCodeAt(0)));
le(3, 4).forEach((b, i) => RAM.set(0x1000 + i, b));

test('scalars, chars, flag enums, bit fields, structs and arrays print as GDB prints them', () => {
  assert.equal(formatValue(value(int, le(-600)), src), '-600');
  assert.equal(formatValue(value(uchar, [200]), src), "200 '\\310'");
  assert.equal(formatValue(value(char, [10]), src), "10 '\\n'");
  assert.equal(formatValue(value(perm, le(2)), src), 'P_WRITE');
  assert.equal(formatValue(value(perm, le(5)), src), '(P_READ | P_EXEC)');
  assert.equal(formatValue(value(perm, le(9)), src), '(P_READ | unknown: 0x8)');
  assert.equal(formatValue(value(point, le(3, -4)), src), '{x = 3, y = -4}');
  assert.equal(formatValue(value(flags, [0b10110_101, 0, 0, 0]), src), '{lo = -3, hi = -10}');
  const zeros: DwarfType = { kind: 'array', offset: 7, element: int, lowerBound: 0, count: 12 };
  assert.equal(formatValue(value(zeros, le(1, ...new Array(11).fill(0))), src), '{1, 0 <repeats 11 times>}');
  const text: DwarfType = { kind: 'array', offset: 8, element: char, lowerBound: 0, count: 16 };
  assert.equal(formatValue(value(text, [...'abc'].map((c) => c.charCodeAt(0)).concat(new Array(13).fill(0))), src), `"abc", '\\000' <repeats 12 times>`);
  const unknown = value(int, le(0));
  unknown.bytes.known.fill(0);
  assert.equal(formatValue(unknown, src), '<optimized out>');
});

test('pointers: the type at the top level, the symbol they point into, the string behind a char *', () => {
  const pPoint: DwarfType = { kind: 'pointer', offset: 9, size: 4, target: point, reference: false };
  const pChar: DwarfType = { kind: 'pointer', offset: 10, size: 4, target: char, reference: false };
  assert.equal(formatValue(value(pPoint, le(0x1008)), src), '(struct point *) 0x1008 <table+8>');
  assert.equal(formatValue(value(pPoint, le(0x1008)), src, false), '0x1008 <table+8>');
  assert.equal(formatValue(value(pPoint, le(0)), src), '(struct point *) 0x0');
  assert.equal(formatValue(value(pChar, le(0x2000)), src), '0x2000 "hi there"');
});

test('C expressions: arithmetic with promotions, comparisons, members through pointers, indexing, & and @, and GDB\'s errors', () => {
  const pPoint: DwarfType = { kind: 'pointer', offset: 9, size: 4, target: point, reference: false };
  const vars: Record<string, CValue> = { neg: value(int, le(-300)), p: value(pPoint, le(0x1000)), pt: value(point, le(3, 4), 0x1000), c: value(uchar, [200]) };
  const ev = (e: string): string => formatValue(evaluateC(e, (n) => vars[n], src), src);
  assert.equal(ev('neg * 2'), '-600');
  assert.equal(ev('p->y - p->x + 1'), '2');
  assert.equal(ev('pt.y == 4 && c > 100'), '1');
  assert.equal(ev('(neg + 1) % 7'), '-5');
  assert.equal(ev('sizeof pt'), '8');
  assert.equal(ev('&pt.y'), '(int *) 0x1004 <table+4>');
  assert.equal(ev('p[0].y'), '4');
  assert.equal(ev('pt.x@2'), '{3, 4}');
  assert.equal(ev('~c'), '-201');
  assert.throws(() => ev('pt.z'), /There is no member named z\./);
  assert.throws(() => ev('*neg'), /Attempt to take contents of a non-pointer value\./);
  assert.throws(() => ev('nope + 1'), (e: unknown) => e instanceof CExprError && /No symbol "nope" in current context\./.test(e.message));
  assert.throws(() => ev('neg / 0'), /Division by zero/);
});

test('casts and sizeof of a type name', () => {
  const pPoint: DwarfType = { kind: 'pointer', offset: 9, size: 4, target: point, reference: false };
  const vars: Record<string, CValue> = { neg: value(int, le(-300)), addr: value(int, le(0x1000)) };
  const types: Record<string, DwarfType> = { 'struct point': point, int, 'unsigned char': uchar };
  const ev = (e: string): string => formatValue(evaluateC(e, (n) => vars[n], src, (n) => types[n]), src);
  assert.equal(ev('sizeof(struct point)'), '8');
  assert.equal(ev('sizeof(struct point *)'), '4');
  assert.equal(ev('(unsigned char)neg'), "212 '\\324'");
  assert.equal(ev('((struct point *)addr)->y'), '4');
  assert.equal(ev('(neg)'), '-300', 'a parenthesised variable is no cast');
  assert.equal(formatValue(evaluateC('(struct point *)addr', (n) => vars[n], src, (n) => types[n]), src), formatValue(value(pPoint, le(0x1000)), src));
  assert.throws(() => ev('(struct nope)neg'), /No symbol "struct nope" in current context\./);
});
