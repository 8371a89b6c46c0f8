// The .debug_info model on the fixtures and kvstore: types, functions, scopes, inlined calls and lookups, checked against readelf facts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DebugInfo } from '../../src/machine/dwarf-debug-info';
import { loadElf } from '../../src/machine/elf';
import { stripTypedefs, type DwarfType, type StructType } from '../../src/machine/dwarf-types';
import { typeName, typeSize } from '../../src/machine/dwarf-type-util';
import type { Variable } from '../../src/machine/dwarf-scopes';
import type { MachineAccess } from '../../src/machine/dwarf-expr';
import { DWARF_ELFS, elfBytes } from '../helpers/dwarf-fixtures';

const load = (path: string): DebugInfo => DebugInfo.fromElf(elfBytes(path));
const names = (vs: Variable[]): string[] => vs.map((v) => v.name);
const NO_MACHINE: MachineAccess = { reg: () => undefined, readMemory: () => undefined, cfa: () => undefined };

function global(info: DebugInfo, name: string): Variable {
  const v = info.findVariable(name);
  assert.ok(v, name);
  return v;
}

function struct(t: DwarfType | undefined): StructType {
  const s = stripTypedefs(t);
  assert.ok(s !== undefined && (s.kind === 'struct' || s.kind === 'union'), `struct, got ${typeName(t)}`);
  return s;
}

function members(t: DwarfType | undefined): string[] {
  return struct(t).members.map((m) => `${m.name} ${typeName(m.type)} @${m.offset}${m.bitSize === undefined ? '' : ` bits ${m.bitOffset}+${m.bitSize}`}`);
}

for (const label of ['types4', 'types5'] as const) {
  const path = DWARF_ELFS[label];

  test(`${label}: globals and statics with their C types`, () => {
    const info = load(path);
    assert.deepEqual(info.units().map((u) => u.name), ['../../../examples/common/start.S', 'types.c', 'other.c']);
    const globals = info.globals().map((v) => `${v.external ? 'extern' : 'static'} ${typeName(v.type)} ${v.name}`);
    assert.deepEqual(globals, [
      'extern struct node [2] nodes', 'static int file_counter', 'extern const int answer', 'extern int [2][3] matrix',
      'extern int * volatile const vp', 'extern long long int big', 'extern const char * greeting', 'extern struct hidden * secret',
      'extern int shared_value', 'static struct flags other_flags', 'extern struct hidden hidden_instance',
    ]);
    const symbols = loadElf(elfBytes(path), path).symbols;
    for (const name of ['nodes', 'file_counter', 'matrix']) {
      const v = global(info, name);
      assert.deepEqual(info.locate(v, 0, NO_MACHINE), { kind: 'memory', addr: symbols.find((s) => s.name === name)!.addr }, name);
      assert.equal(typeSize(v.type), symbols.find((s) => s.name === name)!.size, `${name}: size`);
    }
    assert.equal(global(info, 'shared_value').declFile, 'other.c');
    assert.equal(global(info, 'nodes').declLine, 5);
  });

  test(`${label}: structs, bit fields, unions, arrays, enums, function pointers`, () => {
    const info = load(path);
    const node = (stripTypedefs(global(info, 'nodes').type) as { element: DwarfType }).element;
    assert.equal(typeSize(node), 64);
    assert.deepEqual(members(node), [
      'value int @0', 'next struct node * @4', 'name const char * @8', 'grid int [2][3] @12', 'f struct flags @36',
      'w union word @44', 'c enum color @48', 'cb int (*)(int, const char *) @52', 'notify void (*)(void) @56',
      'reg volatile uint32_t @60', 'tail char [] @64',
    ]);
    const next = struct(node).members[1].type;
    assert.ok(next.kind === 'pointer' && next.target === node, 'the list pointer points back at the same struct object');
    // Bit offsets as DWARF 5 writes them (data_bit_offset); DWARF 4's bit_offset must come out the same.
    assert.deepEqual(members(global(info, 'other_flags').type), [
      'ready unsigned int @0 bits 0+1', 'mode unsigned int @0 bits 1+3', 'level int @0 bits 4+4', 'wide uint16_t @2 bits 16+12',
      'tail uint8_t @4',
    ]);
    assert.deepEqual(members(struct(node).members[5].type), ['u uint32_t @0', 'h int16_t [2] @0', 'b uint8_t [4] @0']);
    const grid = struct(node).members[3].type;
    assert.ok(grid.kind === 'array' && grid.count === 2 && grid.element.kind === 'array' && grid.element.count === 3);
    assert.equal(typeSize(grid), 24);
    const tail = struct(node).members[10].type;
    assert.ok(tail.kind === 'array' && tail.count === undefined, 'flexible array member: unknown bound');
    const color = stripTypedefs(struct(node).members[6].type);
    assert.ok(color?.kind === 'enum');
    assert.deepEqual(color.enumerators, [{ name: 'RED', value: 0 }, { name: 'GREEN', value: 5 }, { name: 'BLUE', value: -3 }]);
    assert.equal(color.size, 4);
    const secret = global(info, 'secret').type;
    assert.ok(secret?.kind === 'pointer' && secret.target?.kind === 'struct' && secret.target.declaration);
    assert.equal(typeSize(secret.target), undefined, 'incomplete in types.c');
    assert.deepEqual(members(info.completeType(secret.target)), ['code int @0'], 'defined in other.c');
    assert.equal(info.completeType(node), node);
    const n = info.findVariable('n', 0x80000170);
    assert.equal(typeName(n?.type), 'count_t');
    assert.equal(typeName(stripTypedefs(n?.type)), 'unsigned int');
  });

  test(`${label}: functions, parameters, nested blocks and C scoping`, () => {
    const info = load(path);
    assert.deepEqual(info.functions().map((f) => f.name), ['callback', 'sum_list', 'main', 'trap_handler', 'twice']);
    const sum = info.findFunction('sum_list')!;
    assert.deepEqual(sum.ranges, [{ start: 0x800000e6, end: 0x80000162 }]);
    assert.equal(typeName(sum.returnType), 'int');
    assert.deepEqual(sum.variables.map((v) => `${v.kind} ${typeName(v.type)} ${v.name}`), [
      'parameter struct node * head', 'parameter int limit', 'static int calls', 'local int total',
    ]);
    // Line 22 (`int doubled = v * 2;`): three blocks deep.
    const scopes = info.scopesAt(0x8000011c);
    assert.deepEqual(scopes.map((s) => s.kind), ['block', 'block', 'block', 'function']);
    assert.deepEqual(scopes.map((s) => names(s.variables)), [['doubled'], ['v'], ['p'], ['head', 'limit', 'calls', 'total']]);
    const [frame] = info.framesAt(0x8000011c);
    assert.equal(frame.name, 'sum_list');
    assert.deepEqual(names(frame.parameters), ['head', 'limit']);
    assert.deepEqual(names(frame.locals), ['doubled', 'v', 'p', 'calls', 'total']);
    assert.equal(info.findVariable('doubled', 0x80000134), undefined, 'out of its block');
    assert.equal(info.findVariable('x', 0x800000c0)?.function?.name, 'callback');
    assert.equal(info.findVariable('x', 0x80000320)?.function?.name, 'twice');
    assert.equal(info.findVariable('x', 0x80000320)?.declFile, 'other.c');
    assert.equal(info.findVariable('file_counter', 0x80000320)?.name, 'file_counter', 'a static of another unit, as a last resort');
    assert.equal(info.functionAt(0x80000161)?.name, 'sum_list');
    assert.equal(info.functionAt(0x80000162)?.name, 'main');
  });

  test(`${label}: a static local and where prologues end`, () => {
    const info = load(path);
    const p = loadElf(elfBytes(path), path);
    const calls = info.findVariable('calls', 0x800000f4)!;
    assert.equal(calls.kind, 'static');
    assert.deepEqual(info.locate(calls, 0x800000f4, NO_MACHINE), { kind: 'memory', addr: p.symbols.find((s) => s.name === 'calls.0')!.addr });
    // GCC marks no prologue_end: the second row of each function (objdump --dwarf=decodedline).
    assert.equal(info.prologueEnd(0x800000e6, p.lines), 0x800000f4);
    assert.equal(info.prologueEnd(0x80000162, p.lines), 0x8000016c);
    assert.equal(info.prologueEnd(0x800000c0, p.lines), 0x800000ce);
  });
}

test('opt4 (GCC -O2): inlined calls are frames of their own, with call sites and origin names', () => {
  const info = load(DWARF_ELFS.opt4);
  const frames = info.framesAt(0x800000d4);
  assert.deepEqual(frames.map((f) => `${f.kind} ${f.name} ${f.callSite?.line ?? ''}:${f.callSite?.column ?? ''}`), [
    'inlined square 15:11', 'inlined add_squares 21:38', 'function compute :',
  ]);
  assert.deepEqual(names(frames[0].parameters), ['x']);
  assert.deepEqual(names(frames[1].parameters), ['a', 'b'], 'in the abstract origin\'s order (the concrete entry lists b first)');
  // GCC keeps the concrete `s` in a block of its own: GDB also lists the abstract `s` (<optimized out>); one source variable, one row here.
  assert.deepEqual(names(frames[1].locals), ['s']);
  assert.deepEqual(names(frames[2].locals), ['i', 'acc']);
  assert.ok(frames.every((f) => f.function.name === 'compute'));
  assert.equal(frames[1].callSite?.file, 'opt.c');
  assert.equal(info.findVariable('n', 0x800000d4, 0), undefined, 'the caller\'s parameters are not in scope inside an inlined body');
  assert.equal(info.findVariable('n', 0x800000d4, 2)?.name, 'n');
  assert.equal(info.findVariable('x', 0x800000cc)?.function?.name, 'compute');
});

test('optLlvm (clang -O2, DWARF 5 index forms): the same inlining through addrx, strx, rnglists and loclistx', () => {
  const info = load(DWARF_ELFS.optLlvm);
  assert.deepEqual(info.errors(), []);
  const frames = info.framesAt(0x800000de);
  assert.deepEqual(frames.map((f) => `${f.name} ${f.callSite?.line ?? ''}:${f.callSite?.column ?? ''}`), ['square 15:23', 'add_squares 21:38', 'compute :']);
  const v = info.findVariable('v', 0x800000f8)!;
  assert.equal(v.location.kind, 'list');
  assert.deepEqual(info.locate(v, 0x800000f8, NO_MACHINE), {
    kind: 'composite', pieces: [
      { bits: 32, bitOffset: 0, location: { kind: 'register', reg: 10 } },
      { bits: 32, bitOffset: 0, location: { kind: 'register', reg: 11 } },
    ],
  });
  const p = loadElf(elfBytes(DWARF_ELFS.optLlvm), 'opt-llvm.elf');
  const main = info.findFunction('main')!;
  assert.equal(info.prologueEnd(main.entryPc, p.lines), 0x8000011e);
  assert.ok(p.lines.some((r) => r.addr === 0x8000011e && r.prologueEnd === true), 'clang marks it');
});

test('opt4: constants, entry values and pieces come out as DWARF says', () => {
  const info = load(DWARF_ELFS.opt4);
  const regs: MachineAccess = { reg: (n) => (n === 10 ? 5 : n === 11 ? 7 : undefined), readMemory: () => undefined, cfa: () => 0x1000 };
  const unused = info.findVariable('unused', 0x80000110)!;
  assert.deepEqual([...info.readVariable(unused, 0x80000110, regs).bytes], [0x39, 0x30, 0, 0]);
  const v = info.findVariable('v', 0x800000e6)!;
  const whole = info.readVariable(v, 0x800000e6, regs);
  assert.deepEqual([...whole.bytes], [5, 0, 0, 0, 7, 0, 0, 0]);
  // Past 0x800000ec GCC only knows v as the entry value of a typed a0 (DW_OP_GNU_regval_type), which no call
  // site can answer (GDB refuses it too): unavailable, not a guess.
  const later = info.readVariable(v, 0x800000ec, regs);
  assert.deepEqual([...later.known], [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.match(later.reason ?? '', /DW_OP_entry_value is supported only for a single register/);
  const mcause = info.findVariable('mcause', 0x800000fe)!;
  assert.match((info.locate(mcause, 0x800000fe, regs) as { reason: string }).reason, /function entry/);
});

test('kvstore (GCC -O2, DWARF 5): functions, structs and inlined helpers as readelf shows them', () => {
  const info = load(DWARF_ELFS.kvstore);
  assert.deepEqual(info.errors(), []);
  assert.deepEqual(info.functions().filter((f) => f.unitOffset !== 0).map((f) => f.name), [
    'uart_puts', 'find', 'table_put', 'send_reply', 'start_next_write', 'trap_handler', 'main',
  ]);
  const find = info.findFunction('find')!;
  assert.deepEqual(find.variables.map((v) => `${v.kind} ${typeName(v.type)} ${v.name}`), [
    'parameter const uint8_t * key', 'parameter uint32_t keyLen', 'local uint32_t i',
  ]);
  const fnv = find.children.find((c) => c.kind === 'inlined' && c.name === 'fnv1a');
  assert.ok(fnv?.kind === 'inlined');
  assert.deepEqual([fnv.callLine, fnv.callColumn, fnv.callFile, fnv.entryPc], [71, 16, 'kvstore.c', find.entryPc]);
  const table = global(info, 'table');
  assert.equal(typeName(table.type), 'struct slot [256]');
  assert.equal(table.external, false);
  const slot = (stripTypedefs(table.type) as { element: DwarfType }).element;
  assert.deepEqual(members(slot), ['state uint8_t @0', 'keyLen uint8_t @1', 'valLen uint16_t @2', 'key uint8_t [32] @4', 'val uint8_t [200] @36']);
  assert.equal(typeSize(slot), 236);
  const queue = global(info, 'queue');
  assert.deepEqual(members((stripTypedefs(queue.type) as { element: DwarfType }).element), [
    'clientId uint32_t @0', 'reqId uint32_t @4', 'op uint8_t @8', 'keyLen uint8_t @9', 'valLen uint16_t @10', 'key uint8_t [32] @12', 'val uint8_t [200] @44',
  ]);
  assert.equal(typeName(global(info, 'ticks').type), 'volatile uint32_t');
  const deep = info.framesAt(0x800006e2).map((f) => f.name);
  assert.deepEqual(deep, ['nic_recv', 'nic_interrupt', 'trap_handler']);
});

test('kvstore: time to read every unit in process (reported, not asserted)', (t) => {
  const bytes = elfBytes(DWARF_ELFS.kvstore);
  const times: number[] = [];
  for (let i = 0; i < 21; i++) {
    const started = performance.now();
    const info = DebugInfo.fromElf(bytes);
    assert.ok(info.compileUnits().length === 2 && info.globals().length > 0);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  t.diagnostic(`kvstore .debug_info, all units: median ${times[10].toFixed(2)} ms, range ${times[0].toFixed(2)}–${times[20].toFixed(2)} ms over 21 runs`);
});
