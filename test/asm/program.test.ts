// Program output: entry, segments, symbols (.type/.size/.globl), line map, listing, local labels, options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../../src/asm';

function ok(src: string, opts: Parameters<typeof assemble>[1] = {}) {
  const r = assemble(src, { fileName: 'p.s', ...opts });
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
  return r;
}

test('entry is _start when defined, else the start of .text; textBase moves everything', () => {
  assert.equal(ok('nop\n_start: nop\n').program!.entry, 0x80000004);
  assert.equal(ok('nop\nnop\n').program!.entry, 0x80000000);
  const p = ok('_start: nop\n', { textBase: 0x1000 }).program!;
  assert.equal(p.entry, 0x1000);
  assert.equal(p.segments[0].addr, 0x1000);
});

test('segments: .text, .rodata, .data, .bss in order, 4-aligned, bss has no file bytes', () => {
  const p = ok('.data\n.byte 1\n.bss\n.zero 8\n.section .rodata\n.byte 2\n.text\nnop\n.byte 3\n').program!;
  assert.deepEqual(p.segments.map((s) => [s.name, s.addr.toString(16), s.data.length, s.memSize, s.executable]), [
    ['.text', '80000000', 8, 8, true],
    ['.rodata', '80000008', 1, 1, false],
    ['.data', '8000000c', 1, 1, false],
    ['.bss', '80000010', 0, 8, false],
  ]);
});

test('symbols: kind and size from .type/.size, global from .globl, no local labels', () => {
  const src = `.globl f
  .type f, @function
f: addi a0, a0, 1
  ret
  .size f, . - f
.L1: nop
1: nop
  .data
  .type obj, %object
  .size obj, 4
obj: .word 0
plain: .byte 0
`;
  const syms = ok(src).program!.symbols;
  assert.deepEqual(syms.map((s) => [s.name, s.addr.toString(16), s.size, s.kind, s.global]), [
    ['f', '80000000', 8, 'func', true],
    ['obj', '80000010', 4, 'object', false],
    ['plain', '80000014', 0, 'label', false],
  ]);
});

test('line map: one row per machine instruction (pseudo expansions too), sorted, with end of sequence', () => {
  const r = ok('_start:\n  li a0, 0x12345\n  nop\n  .word 7\n  call f\nf: ret\n');
  const rows = r.program!.lines.map((l) => [l.addr - 0x80000000, l.line, l.column, l.endSequence]);
  assert.deepEqual(rows, [[0, 2, 2, false], [4, 2, 2, false], [8, 3, 2, false], [16, 5, 2, false], [20, 5, 2, false], [24, 6, 3, false], [28, 0, 0, true]]);
  assert.ok(r.program!.lines.every((l) => l.file === 'p.s'));
});

test('listing: address and bytes per statement', () => {
  const r = ok('addi a0, a0, 1\n.data\n.half 0x1234\n');
  assert.deepEqual(r.listing!.map((l) => [l.line, l.section, l.addr.toString(16), Buffer.from(l.bytes).toString('hex')]), [
    [1, '.text', '80000000', '13051500'],
    [3, '.data', '80000004', '3412'],
  ]);
});

test('numeric local labels: nearest backward / forward definition', () => {
  const r = ok('1: nop\n j 1b\n j 1f\n1: nop\n j 1b\n');
  const words = Buffer.from(r.program!.segments[0].data).toString('hex').match(/.{8}/g)!;
  // nop; jal x0,-4; jal x0,+4; nop; jal x0,-4 (little endian)
  assert.deepEqual(words, ['13000000', '6ff0dfff', '6f004000', '13000000', '6ff0dfff']);
});

test('.option rvc / push / pop and the rvc option control compression', () => {
  const size = (src: string, rvc = false) => ok(src, { rvc }).program!.segments[0].data.length;
  assert.equal(size('addi a0, a0, 1\n'), 4);
  assert.equal(size('addi a0, a0, 1\n', true), 2, 'c.addi; .text alignment is 2 with RVC');
  assert.equal(size('addi a0, a0, 1\naddi a0, a0, 1\n', true), 4);
  assert.equal(size('.option rvc\naddi a0, a0, 1\naddi a0, a0, 1\n'), 4);
  assert.equal(size('.option push\n.option rvc\n.option pop\naddi a0, a0, 1\naddi a0, a0, 1\n'), 8);
  assert.equal(ok('c: addi a0, a0, 1\n', { rvc: true }).usesRvc, true);
});

test('tohost / fromhost are exported for HTIF', () => {
  const p = ok('nop\n.data\n.align 3\ntohost: .dword 0\nfromhost: .dword 0\n').program!;
  assert.equal(p.tohost, 0x80000008);
  assert.equal(p.fromhost, 0x80000010);
});

test('.set redefinition: each use sees the value at that point', () => {
  const d = ok('.data\n.set X, 1\n.word X\n.set X, 2\n.word X\n').program!.segments[0].data;
  assert.deepEqual([...d], [1, 0, 0, 0, 2, 0, 0, 0]);
});

test('comments and separators: #, //, /* */ across lines, ;', () => {
  const d = ok('nop # one\nnop // two\n/* three\n still */ nop ; nop\n').program!.segments[0].data;
  assert.equal(d.length, 16);
});

test('every 32-bit li value round-trips through the expansion (lui/addi arithmetic)', () => {
  for (const v of [0, 1, -1, 2047, 2048, -2048, -2049, 0x7fffffff, -0x80000000, 0x12345fff, 0xfffff800, 0x800, 0x7ffff800]) {
    const d = ok(`li a0, ${v}\n`).program!.segments[0].data;
    const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    let a0 = 0;
    for (let i = 0; i < d.length; i += 4) {
      const w = dv.getUint32(i, true);
      if ((w & 0x7f) === 0x37) a0 = w & 0xfffff000;
      else if ((w & 0x7f) === 0x13) a0 = (((w >> 15) & 31) === 0 ? 0 : a0) + (w >> 20);
    }
    assert.equal(a0 | 0, v | 0, `li ${v}`);
  }
});

test('definitions: labels and constants with spans and values, for the language server', () => {
  const r = ok('  .equ K, 5\n_start:\n  nop\n1: j 1b\nend: ret\n');
  assert.deepEqual(r.definitions, [
    { name: 'K', kind: 'constant', line: 1, column: 7, endColumn: 8, value: 5 },
    { name: '_start', kind: 'label', line: 2, column: 0, endColumn: 6, value: 0x80000000 },
    { name: 'end', kind: 'label', line: 5, column: 0, endColumn: 3, value: 0x80000008 },
  ]);
});

test('.comm / .lcomm reserve aligned zeroed storage in .bss without changing the current section', () => {
  const p = ok('.data\n.word buf\n.comm buf, 64, 8\n.lcomm small, 3\n.word 1\n').program!;
  assert.deepEqual(p.segments.map((s) => [s.name, s.data.length, s.memSize]), [['.data', 8, 8], ['.bss', 0, 67]]);
  assert.deepEqual(p.symbols.map((s) => [s.name, s.addr - 0x80000008, s.size, s.kind, s.global]), [['buf', 0, 64, 'object', true], ['small', 64, 3, 'object', false]]);
});
