// Tests for the ELF loader on the committed fixtures, checked against binutils output captured once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadElf, ProgramFormatError } from '../../src/machine/elf';
import { findLineRow, lineAddresses, resolveBreakpoint } from '../../src/machine/dwarf';
import type { LineRow, Program } from '../../src/machine/program';
import { readSections } from '../../src/machine/elf-sections';
import { readCompDirs } from '../../src/machine/dwarf-info';

const FIXTURES = join(__dirname, '..', 'fixtures', 'elf');
const ROOT = join(__dirname, '..', '..');
const HELLOS = ['hello-dwarf5', 'hello-dwarf4', 'hello-llvm'];

function load(name: string): Program {
  return loadElf(readFileSync(join(FIXTURES, `${name}.elf`)), `${name}.elf`);
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Rows of `objdump --dwarf=decodedline` as "file line addr stmt" strings ("-" line = end of sequence). */
function objdumpRows(name: string): string[] {
  const rows: string[] = [];
  for (const line of readFileSync(join(FIXTURES, `${name}.decodedline.txt`), 'utf8').split('\n')) {
    const t = line.trim().split(/\s+/);
    if (t.length < 3 || !/^(\d+|-)$/.test(t[1]) || !/^0x[0-9a-f]+$/.test(t[2])) continue;
    const stmt = t[1] !== '-' && t[t.length - 1] === 'x';
    rows.push(`${basename(t[0])} ${t[1]} ${parseInt(t[2], 16)} ${stmt}`);
  }
  return rows.sort();
}

function ourRows(lines: LineRow[]): string[] {
  return lines
    .map((r) => `${basename(r.file)} ${r.endSequence ? '-' : r.line} ${r.addr} ${!r.endSequence && r.isStmt}`)
    .sort();
}

/** FUNC/OBJECT symbols from `readelf -s -W`: name → [addr, size, global]. */
function readelfSymbols(name: string): Map<string, [number, number, boolean]> {
  const out = new Map<string, [number, number, boolean]>();
  for (const line of readFileSync(join(FIXTURES, `${name}.symbols.txt`), 'utf8').split('\n')) {
    const t = line.trim().split(/\s+/);
    if (t.length < 8 || (t[3] !== 'FUNC' && t[3] !== 'OBJECT') || t[6] === 'UND') continue;
    out.set(t[7], [parseInt(t[1], 16), Number(t[2]), t[4] !== 'LOCAL']);
  }
  return out;
}

for (const name of HELLOS) {
  test(`${name}: header, segments, entry`, () => {
    const p = load(name);
    assert.equal(p.entry, 0x8000_0000);
    assert.equal(p.origin, `${name}.elf`);
    assert.ok(p.segments.length >= 1);
    const text = p.segments[0];
    assert.equal(text.addr, 0x8000_0000);
    assert.ok(text.executable);
    assert.ok(text.name.includes('.text'), text.name);
    const last = p.segments[p.segments.length - 1];
    assert.ok(last.memSize > last.data.length, 'the .bss tail is memory-only');
    // The first instructions are start.S's `auipc gp, ...` (0x00000197 with rd=gp).
    assert.equal(text.data[0] & 0x7f, 0x17);
  });

  test(`${name}: symbols match readelf`, () => {
    const p = load(name);
    const expected = readelfSymbols(name);
    assert.ok(expected.has('main'));
    for (const [sym, [addr, size, global]] of expected) {
      const ours = p.symbols.find((s) => s.name === sym);
      assert.ok(ours, `missing symbol ${sym}`);
      assert.deepEqual([ours.addr, ours.size, ours.global], [addr, size, global], sym);
    }
    assert.equal(p.symbols.find((s) => s.name === 'main')?.kind, 'func');
    assert.equal(p.symbols.find((s) => s.name === 'hello_counter')?.kind, 'object');
    assert.equal(p.symbols.find((s) => s.name === '_start')?.kind, 'label');
    assert.ok(!p.symbols.some((s) => s.name.startsWith('$') || s.name === ''), 'no mapping or empty symbols');
    assert.equal(p.tohost, p.symbols.find((s) => s.name === 'tohost')?.addr);
    assert.equal(p.fromhost, (p.tohost ?? 0) + 64);
    for (let i = 1; i < p.symbols.length; i++) assert.ok(p.symbols[i - 1].addr <= p.symbols[i].addr);
  });

  test(`${name}: line table equals objdump --dwarf=decodedline`, () => {
    const p = load(name);
    assert.deepEqual(ourRows(p.lines), objdumpRows(name));
    for (let i = 1; i < p.lines.length; i++) assert.ok(p.lines[i - 1].addr <= p.lines[i].addr, 'sorted');
    // Full paths: directory joined with the compilation directory "." (the ELF's directory).
    assert.deepEqual([...new Set(p.lines.map((r) => r.file))].sort(), [
      '../../../examples/common/lockstep.h', '../../../examples/common/start.S', 'hello.c',
    ]);
  });

  test(`${name}: main maps to hello.c:16, and back`, () => {
    const p = load(name);
    const main = p.symbols.find((s) => s.name === 'main');
    assert.ok(main);
    const row = findLineRow(p.lines, main.addr);
    assert.ok(row);
    assert.equal(row.file, 'hello.c');
    assert.equal(row.line, 16);
    assert.deepEqual(lineAddresses(p.lines, 'hello.c', 16), [main.addr]);
    // An absolute path from the editor matches the relative path recorded with comp dir ".".
    assert.deepEqual(lineAddresses(p.lines, '/home/user/project/hello.c', 16), [main.addr]);
    assert.deepEqual(lineAddresses(p.lines, 'other.c', 16), []);
    // Line 15 has no code: a breakpoint there moves to line 16.
    assert.deepEqual(resolveBreakpoint(p.lines, 'hello.c', 15), { line: 16, addrs: [main.addr] });
    // Inside a function body, mid-instruction addresses belong to the enclosing row.
    assert.equal(findLineRow(p.lines, main.addr + 2)?.file, 'hello.c');
    assert.equal(findLineRow(p.lines, 0x7000_0000), undefined);
    const start = findLineRow(p.lines, p.entry);
    assert.equal(start && basename(start.file), 'start.S');
  });
}

test('DWARF 4 and DWARF 5 builds give the same file:line mapping', () => {
  const v4 = load('hello-dwarf4');
  const v5 = load('hello-dwarf5');
  assert.deepEqual(v4.lines, v5.lines);
  assert.ok(v5.lines.some((r) => r.file.endsWith('lockstep.h')));
});

test('compilation directories come from .debug_info (DWARF 4 and 5, GCC and LLVM)', () => {
  for (const name of HELLOS) {
    const b = readFileSync(join(FIXTURES, `${name}.elf`));
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    const sections = readSections(b, { shoff: dv.getUint32(32, true), shentsize: 40, shnum: dv.getUint16(48, true), shstrndx: dv.getUint16(50, true) });
    const sec = (n: string) => {
      const s = sections.find((x) => x.name === n);
      return s && b.subarray(s.offset, s.offset + s.size);
    };
    const dirs = readCompDirs({ debugInfo: sec('.debug_info')!, debugAbbrev: sec('.debug_abbrev')!, debugStr: sec('.debug_str'), debugLineStr: sec('.debug_line_str') });
    const expected = name === 'hello-llvm' ? 1 : 2; // clang's DWARF 5 uses strx forms (not needed: v5 line tables carry the directory)
    assert.ok(dirs.size >= expected, `${name}: ${JSON.stringify([...dirs])}`);
    for (const d of dirs.values()) assert.equal(d, '.');
  }
});

test('kvstore.elf loads with its symbols and source lines', () => {
  const p = loadElf(readFileSync(join(ROOT, 'examples', 'kvstore', 'kvstore.elf')), 'kvstore.elf');
  for (const sym of ['main', 'trap_handler', 'send_reply', 'find', 'table', 'queue', 'tohost']) {
    assert.ok(p.symbols.some((s) => s.name === sym), sym);
  }
  const serve = p.symbols.find((s) => s.name === 'send_reply');
  assert.ok(serve);
  assert.equal(findLineRow(p.lines, serve.addr)?.file, 'kvstore.c');
});

test('bench ELFs load; rv32im builds contain no compressed instructions', () => {
  for (const b of ['sieve', 'crc32', 'matmul']) {
    for (const arch of ['rv32imac', 'rv32im']) {
      const p = loadElf(readFileSync(join(ROOT, 'examples', 'bench', `${b}-${arch}.elf`)), b);
      const text = p.segments.find((s) => s.executable);
      assert.ok(text);
      if (arch === 'rv32im') {
        const words = new DataView(text.data.buffer, text.data.byteOffset, text.data.length & ~3);
        const main = p.symbols.find((s) => s.name === 'main');
        assert.ok(main);
        assert.equal(words.getUint32(main.addr - text.addr, true) & 3, 3, 'main starts with a 32-bit instruction');
      }
    }
  }
});

test('errors are ProgramFormatError with clear messages', () => {
  const good = readFileSync(join(FIXTURES, 'hello-dwarf5.elf'));
  const expectError = (bytes: Uint8Array, re: RegExp) => {
    assert.throws(() => loadElf(bytes, 'x.elf'), (e: unknown) => e instanceof ProgramFormatError && re.test(e.message));
  };
  expectError(new Uint8Array(0), /not an ELF file/);
  expectError(good.subarray(0, 30), /shorter than the 52-byte/);
  const patch = (at: number, bytes: number[]) => {
    const b = new Uint8Array(good);
    b.set(bytes, at);
    return b;
  };
  expectError(patch(4, [2]), /class 2 \(64-bit\)/);
  expectError(patch(5, [2]), /big endian/);
  expectError(patch(16, [1, 0]), /relocatable object/);
  expectError(patch(18, [62, 0]), /machine 62 is not RISC-V/);
  expectError(patch(36, [5, 0, 0, 0]), /floating-point ABI/);
  expectError(patch(24, [1, 0, 0, 0x80]), /entry point 0x80000001 is not 2-byte aligned/);
  expectError(patch(24, [0, 0, 0, 0x90]), /entry point 0x90000000 is not inside/);
  expectError(good.subarray(0, good.length - 100), /section header table extends past the end of the file/);
  // A section whose data runs past the end of the file.
  const dv = new DataView(good.buffer, good.byteOffset, good.length);
  const shoff = dv.getUint32(32, true);
  const shnum = dv.getUint16(48, true);
  let lineSec = -1;
  for (let i = 0; i < shnum; i++) if (dv.getUint32(shoff + i * 40 + 4, true) === 1 && lineSec < 0 && i > 0) lineSec = i;
  const b = new Uint8Array(good);
  new DataView(b.buffer).setUint32(shoff + lineSec * 40 + 20, 0xfffffff0, true);
  expectError(b, new RegExp(`section header ${lineSec} extends past the end of the file \\(offset 0x[0-9a-f]+ \\+ 0xfffffff0 > 0x[0-9a-f]+\\)`));
});

test('an unreadable line table does not stop loading: the program runs without source lines and says why', () => {
  const bytes = new Uint8Array(readFileSync(join(__dirname, '../fixtures/elf/hello-dwarf5.elf')));
  const good = loadElf(bytes, 'hello-dwarf5.elf');
  assert.ok(good.lines.length > 0);
  assert.equal(good.warnings, undefined);
  const text = Buffer.from(bytes).toString('latin1');
  const sectionNames = text.indexOf('.debug_line\0');
  assert.ok(sectionNames > 0);
  // Corrupt the line table's version field: find .debug_line through the section headers of the good load.
  const shoff = new DataView(bytes.buffer).getUint32(32, true);
  const shnum = new DataView(bytes.buffer).getUint16(48, true);
  const shstrndx = new DataView(bytes.buffer).getUint16(50, true);
  const dv = new DataView(bytes.buffer);
  const strOff = dv.getUint32(shoff + shstrndx * 40 + 16, true);
  for (let i = 0; i < shnum; i++) {
    const nameOff = dv.getUint32(shoff + i * 40, true);
    if (text.startsWith('.debug_line\0', strOff + nameOff)) dv.setUint16(dv.getUint32(shoff + i * 40 + 16, true) + 4, 99, true);
  }
  const p = loadElf(bytes, 'broken.elf');
  assert.deepEqual(p.lines, []);
  assert.equal(p.segments.length, good.segments.length);
  assert.match(p.warnings![0], /loading without source lines/);
});

test('lines: false leaves the line table unread: the same program to run, no lines, no warning about them', () => {
  const bytes = new Uint8Array(readFileSync(join(__dirname, '../fixtures/elf/hello-dwarf5.elf')));
  const full = loadElf(bytes, 'hello-dwarf5.elf');
  const bare = loadElf(bytes, 'hello-dwarf5.elf', { lines: false });
  assert.deepEqual(bare.lines, []);
  assert.deepEqual({ ...bare, lines: full.lines }, full, 'entry, segments, symbols and HTIF addresses as before');
  const text = Buffer.from(bytes).toString('latin1');
  const dv = new DataView(bytes.buffer);
  const shoff = dv.getUint32(32, true), shnum = dv.getUint16(48, true), shstrndx = dv.getUint16(50, true);
  const strOff = dv.getUint32(shoff + shstrndx * 40 + 16, true);
  for (let i = 0; i < shnum; i++) {
    if (text.startsWith('.debug_line\0', strOff + dv.getUint32(shoff + i * 40, true))) dv.setUint16(dv.getUint32(shoff + i * 40 + 16, true) + 4, 99, true);
  }
  assert.equal(loadElf(bytes, 'broken.elf', { lines: false }).warnings, undefined, 'a line table never read raises no warning');
});
