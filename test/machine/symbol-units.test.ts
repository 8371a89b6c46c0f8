// SymbolUnits: which compile units may define a symbol, from the symbol table and the units' code ranges alone.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SymbolUnits } from '../../src/machine/symbol-units';
import type { SymbolEntry } from '../../src/machine/elf-sections';
import type { UnitSummary } from '../../src/machine/dwarf-debug-info';
import { DebugInfo } from '../../src/machine/dwarf-debug-info';

const unit = (offset: number, name: string, start?: number): UnitSummary => ({ offset, name, ranges: start === undefined ? [] : [{ start, end: start + 0x100 }], error: undefined });
/** Five units in link order; four.c has no code. */
const UNITS = [unit(0, 'a/one.c', 0x1000), unit(100, 'b/two.c', 0x1100), unit(200, 'c/three.c', 0x1200), unit(300, 'd/four.c'), unit(400, 'e/five.c', 0x1300)];

let index = 0;
const file = (name: string): SymbolEntry['file'] => ({ index: ++index, name });
const local = (f: SymbolEntry['file'], name: string, kind: 'func' | 'object', addr: number, section = 5): SymbolEntry => ({ name, addr, size: 4, kind, global: false, section, file: f });
const global = (name: string, kind: 'func' | 'object', addr: number, section = 5): SymbolEntry => ({ name, addr, size: 4, kind, global: true, section, file: undefined });

const one = file('one.c');
const two = file('two.c');
const three = file('three.c');
const five = file('five.c');
const SYMBOLS: SymbolEntry[] = [
  local(one, 'helper', 'func', 0x1010), local(one, 'count', 'object', 0x8000),
  local(two, 'helper2', 'func', 0x1110), local(two, 'count', 'object', 0x8100),
  local(three, 'table', 'object', 0x8200), // no function: its unit by its file's name, the only three.c
  local(five, 'helper5', 'func', 0x1310), local(five, 'state', 'object', 0x8400),
  global('f_two', 'func', 0x1150), global('g', 'object', 0x8180), global('h', 'object', 0x8300), global('first', 'object', 0x7000),
  global('last', 'object', 0x9000), global('elsewhere', 'object', 0x8180, 6), global('count', 'object', 0x8500),
];

test('a function\'s unit is the one whose code holds it; a file-static object\'s is its file\'s, known by the file\'s functions or its name', () => {
  const su = new SymbolUnits(SYMBOLS, UNITS);
  const of = (name: string, which = 0): number[] => su.candidates(su.symbols(name)[which], 8);
  assert.deepEqual(of('f_two'), [100]);
  assert.deepEqual(of('helper5'), [400]);
  assert.deepEqual(of('table'), [200]);
  assert.deepEqual(su.symbols('count').map((s) => [s.global, s.addr]), [[true, 0x8500], [false, 0x8000], [false, 0x8100]], 'the global first, then the statics in table order');
  assert.deepEqual(of('count', 1), [0]);
  assert.deepEqual(of('count', 2), [100]);
  assert.deepEqual(su.symbols('nothing'), []);
});

test('a global object is looked for in the units linked between the file-statics around it, from both ends inwards', () => {
  const su = new SymbolUnits(SYMBOLS, UNITS);
  const of = (name: string, max = 8): number[] => su.candidates(su.symbols(name)[0], max);
  assert.deepEqual(of('g'), [100, 200], 'between two.c\'s count and three.c\'s table');
  assert.deepEqual(of('h'), [200, 400, 300], 'between three.c and five.c: four.c (no statics there) last');
  assert.deepEqual(of('h', 2), [200, 400]);
  assert.deepEqual(of('first', 3), [0], 'before the section\'s first static: the units linked before it');
  assert.deepEqual(of('last'), [400], 'after the last one: the units linked after it');
  assert.deepEqual(of('elsewhere'), [], 'no static in its section: nothing to go by');
  assert.deepEqual(of('g', 0), []);
});

test('an ELF whose symbol table cannot be read gives no candidates', () => {
  const su = SymbolUnits.fromElf(new Uint8Array([1, 2, 3]), UNITS);
  assert.deepEqual(su.symbols('main'), []);
});

test('a small program\'s symbols: its functions and statics find their units (kvstore.elf)', () => {
  const bytes = new Uint8Array(readFileSync(join(__dirname, '../../examples/kvstore/kvstore.elf')));
  const d = DebugInfo.fromElf(bytes);
  assert.equal(d.large, false, `${d.unitCount} units`);
  const su = SymbolUnits.fromElf(bytes, d.units());
  const main = su.symbols('main')[0];
  assert.equal(main.kind, 'func');
  const [offset] = su.candidates(main, 8);
  assert.ok(d.compileUnitAt(offset)?.functions.some((f) => f.name === 'main'));
});
