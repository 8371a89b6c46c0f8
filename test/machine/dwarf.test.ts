// Tests for the DWARF .debug_line parser (v2–v5, DWARF64, every opcode) on hand-assembled line programs, and the lookups.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  findLineRow, joinPath, lineAddresses, normalizePath, parseDebugLine, resolveBreakpoint, sameSourceFile,
} from '../../src/machine/dwarf';
import { ProgramFormatError } from '../../src/machine/elf';
import type { LineRow } from '../../src/machine/program';

/** A little-endian byte writer. */
class W {
  b: number[] = [];
  u8(...v: number[]) { for (const x of v) this.b.push(x & 0xff); return this; }
  u16(v: number) { return this.u8(v, v >> 8); }
  u32(v: number) { return this.u8(v, v >>> 8, v >>> 16, v >>> 24); }
  u64(v: number) { return this.u32(v % 2 ** 32).u32(Math.floor(v / 2 ** 32)); }
  uleb(v: number) { do { const byte = v & 0x7f; v = Math.floor(v / 128); this.u8(v ? byte | 0x80 : byte); } while (v); return this; }
  sleb(v: number) {
    for (;;) {
      const byte = v & 0x7f;
      v = Math.floor(v / 128);
      if ((v === 0 && !(byte & 0x40)) || (v === -1 && byte & 0x40)) return this.u8(byte);
      this.u8(byte | 0x80);
    }
  }
  str(s: string) { for (const c of Buffer.from(s, 'utf8')) this.u8(c); return this.u8(0); }
  raw(bytes: number[]) { this.b.push(...bytes); return this; }
}

interface UnitSpec {
  version: number;
  dwarf64?: boolean;
  minInst?: number;
  maxOps?: number;
  lineBase?: number;
  lineRange?: number;
  opcodeBase?: number;
  stdLengths?: number[];
  /** Everything after standard_opcode_lengths up to the program (directory/file tables). */
  tables: W;
  program: W;
}

const STD_LENGTHS = [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1];

function unit(u: UnitSpec): number[] {
  const off = u.dwarf64 ? 8 : 4;
  const hdr = new W().u8(u.minInst ?? 2);
  if (u.version >= 4) hdr.u8(u.maxOps ?? 1);
  const opcodeBase = u.opcodeBase ?? 13;
  hdr.u8(1).u8(u.lineBase ?? -5).u8(u.lineRange ?? 14).u8(opcodeBase);
  hdr.raw((u.stdLengths ?? STD_LENGTHS).slice(0, opcodeBase - 1)).raw(u.tables.b);
  const afterLength = new W().u16(u.version);
  if (u.version >= 5) afterLength.u8(4, 0);
  if (u.dwarf64) afterLength.u64(hdr.b.length);
  else afterLength.u32(hdr.b.length);
  afterLength.raw(hdr.b).raw(u.program.b);
  const out = new W();
  if (u.dwarf64) out.u32(0xffffffff).u64(afterLength.b.length);
  else out.u32(afterLength.b.length);
  void off;
  return out.raw(afterLength.b).b;
}

const setAddress = (w: W, a: number) => w.u8(0, 5, 2).u32(a);
const endSequence = (w: W) => w.u8(0, 1, 1);

/** DWARF 2–4 tables: include dirs, then files (name, dir). */
function v4Tables(dirs: string[], files: [string, number][]): W {
  const w = new W();
  for (const d of dirs) w.str(d);
  w.u8(0);
  for (const [name, dir] of files) w.str(name).uleb(dir).uleb(0).uleb(0);
  return w.u8(0);
}

function rowsOf(bytes: number[], extra: Partial<Parameters<typeof parseDebugLine>[0]> = {}): LineRow[] {
  return parseDebugLine({ debugLine: new Uint8Array(bytes), ...extra });
}

const brief = (rows: LineRow[]) =>
  rows.map((r) => `${r.addr.toString(16)} ${r.file}:${r.line}:${r.column}${r.isStmt ? '' : ' !stmt'}${r.endSequence ? ' end' : ''}`);

test('DWARF 2, 3 and 4 tables: directories joined with the compilation directory', () => {
  for (const version of [2, 3, 4]) {
    const program = new W();
    setAddress(program, 0x8000_0000);
    program.u8(1); // copy: row at line 1, file 1
    program.u8(4).uleb(2).u8(3).sleb(9).u8(1); // set_file 2, advance_line 9, copy
    program.u8(2).uleb(3); // advance_pc 3 (× min_inst 2 = 6)
    endSequence(program);
    const bytes = unit({ version, tables: v4Tables(['inc', '/abs/dir'], [['a.c', 0], ['b.h', 1], ['c.h', 2]]), program });
    const rows = rowsOf(bytes, { compDirs: new Map([[0, '/home/me/proj']]) });
    assert.deepEqual(brief(rows), [
      '80000000 /home/me/proj/a.c:1:0',
      '80000000 /home/me/proj/inc/b.h:10:0',
      '80000006 /home/me/proj/inc/b.h:10:0 end',
    ], `version ${version}`);
    // Without a known compilation directory, paths stay relative to it.
    assert.equal(rowsOf(bytes)[0].file, 'a.c');
  }
});

test('every standard and extended opcode (DWARF 4)', () => {
  const p = new W();
  setAddress(p, 0x1000);
  p.u8(5).uleb(7); // set_column 7
  p.u8(10, 11, 7); // prologue_end, epilogue_begin, basic_block (no effect on rows)
  p.u8(12).uleb(3); // set_isa
  p.u8(0, 2, 4, 9); // set_discriminator 9
  p.u8(0, 3, 0x80, 1, 2); // unknown extended opcode 0x80 with 2 operand bytes
  p.u8(1); // copy → 1000 a.c:1:7
  p.u8(6); // negate_stmt
  p.u8(13 + 5 + 14 * 2); // special: op advance 2 (→ +4), line += -5 + 5 = 0 → 1004 a.c:1 !stmt
  p.u8(6); // negate back
  p.u8(8); // const_add_pc: (255-13)/14 = 17 ops → +34 → 0x1026
  p.u8(9).u16(0x10); // fixed_advance_pc +0x10 → 0x1036
  p.u8(3).sleb(-1 + 41); // line 41
  p.u8(1); // copy → 1036 a.c:41:7
  p.u8(0).uleb(10).u8(3).str('new.c').uleb(1).uleb(0).uleb(0); // define_file "new.c" in dir 1 → file 3
  p.u8(4).uleb(3).u8(1); // set_file 3, copy → 1036 d/new.c:41:7
  p.u8(2).uleb(1); // advance_pc 1 → 0x1038
  endSequence(p);
  const rows = rowsOf(unit({ version: 4, tables: v4Tables(['d'], [['a.c', 0], ['b.c', 0]]), program: p }));
  assert.deepEqual(brief(rows), [
    '1000 a.c:1:7',
    '1004 a.c:1:7 !stmt',
    '1036 a.c:41:7',
    '1036 d/new.c:41:7',
    '1038 d/new.c:41:7 end',
  ]);
});

test('opcode_base 10 turns opcodes 10–12 into special opcodes; unknown standard opcodes are skipped', () => {
  const p = new W();
  setAddress(p, 0x2000);
  p.u8(3).sleb(20); // line 21
  p.u8(10); // special (adjusted 0): line += -5 → row at line 16
  p.u8(12); // special (adjusted 2): line += -3 → row at line 13
  endSequence(p);
  const rows10 = rowsOf(unit({ version: 3, opcodeBase: 10, tables: v4Tables([], [['x.c', 0]]), program: p }));
  assert.deepEqual(brief(rows10), ['2000 x.c:16:0', '2000 x.c:13:0', '2000 x.c:13:0 end']);
  const q = new W();
  setAddress(q, 0x3000);
  q.u8(3).sleb(20); // line 21
  q.u8(13).uleb(5).uleb(600); // opcode 13: unknown standard opcode with two ULEB operands (opcode_base 14)
  q.u8(14 + 3 + 14); // special: op advance 1 (+2), line += -5 + 3 = -2 → 19
  endSequence(q);
  const rows14 = rowsOf(unit({ version: 4, opcodeBase: 14, stdLengths: [...STD_LENGTHS, 2], tables: v4Tables([], [['y.c', 0]]), program: q }));
  assert.deepEqual(brief(rows14), ['3002 y.c:19:0', '3002 y.c:19:0 end']);
});

/** DWARF 5 tables with the given formats. */
function v5Tables(dirFormat: [number, number][], dirs: ((w: W) => void)[], fileFormat: [number, number][], files: ((w: W) => void)[]): W {
  const w = new W().u8(dirFormat.length);
  for (const [t, f] of dirFormat) w.uleb(t).uleb(f);
  w.uleb(dirs.length);
  for (const d of dirs) d(w);
  w.u8(fileFormat.length);
  for (const [t, f] of fileFormat) w.uleb(t).uleb(f);
  w.uleb(files.length);
  for (const f of files) f(w);
  return w;
}

test('DWARF 5: line_strp/strp/string paths, MD5, file index 0, several forms for the directory index', () => {
  const lineStr = new W().str('/work/proj').str('src').str('main.c').b; // offsets 0, 11, 15
  const debugStr = new W().str('xx').str('util.h').b; // offset 3
  const tables = v5Tables(
    [[1, 0x1f]],
    [(w) => w.u32(0), (w) => w.u32(11)],
    [[1, 0x1f], [2, 0x0b], [5, 0x1e]],
    [(w) => w.u32(15).u8(1).raw(new Array(16).fill(0xaa)), (w) => w.u32(15).u8(1).raw(new Array(16).fill(0xbb))],
  );
  const p = new W();
  setAddress(p, 0x8000_0100);
  p.u8(4).uleb(0).u8(1); // file 0 (DWARF 5 numbering starts at 0)
  p.u8(4).uleb(1).u8(2).uleb(2).u8(1);
  endSequence(p);
  const rows = rowsOf(unit({ version: 5, tables, program: p }), { debugLineStr: new Uint8Array(lineStr) });
  assert.deepEqual(brief(rows), [
    '80000100 /work/proj/src/main.c:1:0',
    '80000104 /work/proj/src/main.c:1:0',
    '80000104 /work/proj/src/main.c:1:0 end',
  ]);
  // strp + string + udata/data2 directory indexes + block (vendor content type, skipped).
  const tables2 = v5Tables(
    [[1, 0x08]],
    [(w) => w.str('/c'), (w) => w.str('/inc')],
    [[1, 0x0e], [2, 0x0f], [0x2001, 0x09]],
    [(w) => w.u32(3).uleb(1).uleb(2).u8(7, 7), (w) => w.u32(3).uleb(0).uleb(0)],
  );
  const p2 = new W();
  setAddress(p2, 0x10);
  p2.u8(1);
  p2.u8(4).uleb(0).u8(1);
  endSequence(p2);
  const rows2 = rowsOf(unit({ version: 5, tables: tables2, program: p2 }), { debugStr: new Uint8Array(debugStr) });
  // Rows covering no bytes come first on ties, then the end of the sequence.
  assert.deepEqual(brief(rows2), ['10 /c/util.h:1:0', '10 /inc/util.h:1:0', '10 /inc/util.h:1:0 end']);
});

test('DWARF64 units, several units and sequences: rows sorted, end-of-sequence first on ties', () => {
  const a = new W();
  setAddress(a, 0x200);
  a.u8(1);
  a.u8(2).uleb(8);
  endSequence(a); // 0x210 end
  setAddress(a, 0x100);
  a.u8(3).sleb(4).u8(1);
  a.u8(2).uleb(8);
  endSequence(a); // 0x110 end
  const b = new W();
  setAddress(b, 0x210);
  b.u8(3).sleb(99).u8(1);
  b.u8(2).uleb(1);
  endSequence(b);
  const bytes = [
    ...unit({ version: 4, dwarf64: true, tables: v4Tables([], [['one.c', 0]]), program: a }),
    ...unit({ version: 3, tables: v4Tables([], [['two.c', 0]]), program: b }),
  ];
  assert.deepEqual(brief(rowsOf(bytes)), [
    '100 one.c:5:0', '110 one.c:5:0 end', '200 one.c:1:0', '210 one.c:1:0 end', '210 two.c:100:0', '212 two.c:100:0 end',
  ]);
});

test('malformed line tables throw ProgramFormatError with a useful message', () => {
  const good = () => {
    const p = new W();
    setAddress(p, 0x100);
    p.u8(1);
    endSequence(p);
    return unit({ version: 4, tables: v4Tables([], [['a.c', 0]]), program: p });
  };
  const expect = (bytes: number[], re: RegExp, extra = {}) =>
    assert.throws(() => rowsOf(bytes, extra), (e: unknown) => e instanceof ProgramFormatError && re.test(e.message), String(re));
  const version6 = good();
  version6[4] = 6;
  expect(version6, /version 6 is not supported/);
  expect(good().slice(0, 20), /runs past the end of the section/);
  const zeroRange = good();
  zeroRange[4 + 2 + 4 + 4] = 0; // line_range
  expect(zeroRange, /line_range is 0/);
  const p = new W();
  p.u8(4).uleb(7).u8(1);
  expect(unit({ version: 4, tables: v4Tables([], [['a.c', 0]]), program: p }), /uses file 7 but the unit has 1 files/);
  expect(unit({ version: 4, tables: v4Tables([], [['a.c', 3]]), program: new W() }), /uses directory 3/);
  const q = new W();
  q.u8(0, 5, 2).u32(0xfffffff0).u8(2).uleb(0x100);
  expect(unit({ version: 4, tables: v4Tables([], [['a.c', 0]]), program: q }), /address advances past 0xffffffff/);
  const strp = v5Tables([[1, 0x1f]], [(w) => w.u32(0)], [[1, 0x1f]], [(w) => w.u32(0)]);
  expect(unit({ version: 5, tables: strp, program: new W() }), /has no such section/);
  expect(unit({ version: 5, tables: strp, program: new W() }), /past the end of \.debug_line_str/, { debugLineStr: new Uint8Array(0) });
  const strx = v5Tables([[1, 0x25]], [(w) => w.u8(0)], [], []);
  expect(unit({ version: 5, tables: strx, program: new W() }), /form 0x25 is not supported/);
  expect([0xf0, 0xff, 0xff, 0xff], /reserved unit_length/);
  const hugeLeb = new W();
  hugeLeb.u8(2).raw(new Array(12).fill(0xff)).u8(1);
  expect(unit({ version: 4, tables: v4Tables([], [['a.c', 0]]), program: hugeLeb }), /LEB128\) is too large/);
});

const R = (addr: number, file: string, line: number, isStmt = true, endSequence = false): LineRow => ({ addr, file, line, column: 0, isStmt, endSequence });

test('address → row and file:line → breakpoint addresses', () => {
  const rows = [
    R(0x100, '/p/a.c', 10), R(0x104, '/p/a.c', 11), R(0x108, '/p/a.c', 11, false), R(0x10c, '/p/a.c', 12),
    R(0x110, '/p/a.c', 11), R(0x114, '/p/a.c', 0), R(0x118, '/p/a.c', 13), R(0x120, '/p/a.c', 13, false, true),
    R(0x200, 'lib/b.c', 5), R(0x200, 'lib/b.c', 6), R(0x208, 'lib/b.c', 6, false, true),
  ];
  assert.equal(findLineRow(rows, 0xff), undefined);
  assert.equal(findLineRow(rows, 0x100)?.line, 10);
  assert.equal(findLineRow(rows, 0x10a)?.line, 11);
  assert.equal(findLineRow(rows, 0x116), undefined, 'line 0 means no source line');
  assert.equal(findLineRow(rows, 0x120), undefined, 'end of sequence');
  assert.equal(findLineRow(rows, 0x1ff), undefined);
  assert.equal(findLineRow(rows, 0x200)?.line, 6, 'last row at an address wins');
  assert.deepEqual(lineAddresses(rows, '/p/a.c', 11), [0x104, 0x110]);
  assert.deepEqual(lineAddresses(rows, 'a.c', 11), [0x104, 0x110]);
  assert.deepEqual(lineAddresses(rows, '/x/a.c', 11), []);
  assert.deepEqual(lineAddresses(rows, '/home/u/lib/b.c', 5), [0x200]);
  assert.deepEqual(resolveBreakpoint(rows, 'a.c', 1), { line: 10, addrs: [0x100] });
  assert.equal(resolveBreakpoint(rows, 'a.c', 14), undefined);
  assert.equal(resolveBreakpoint(rows, 'a.c', 1, 5), undefined);
});

test('path helpers', () => {
  assert.equal(joinPath('/a/b', '../c.c'), '/a/c.c');
  assert.equal(joinPath('/a/b', '/abs/x.c'), '/abs/x.c');
  assert.equal(joinPath('.', './x.c'), 'x.c');
  assert.equal(joinPath('', 'x.c'), 'x.c');
  assert.equal(joinPath('.', '../../common/start.S'), '../../common/start.S');
  assert.equal(joinPath('C:\\src', 'x.c'), 'C:/src/x.c');
  assert.equal(normalizePath('/a//b/./c/..'), '/a/b');
  assert.equal(normalizePath('/..'), '/');
  assert.ok(sameSourceFile('src/a.c', '/home/u/src/a.c'));
  assert.ok(!sameSourceFile('rc/a.c', '/home/u/src/a.c'));
  assert.ok(!sameSourceFile('/a/x.c', '/b/x.c'));
  assert.ok(!sameSourceFile('../x.c', '/b/x.c'));
});
