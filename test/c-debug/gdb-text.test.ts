// Unit tests of reading GDB's `bt`, `info args`/`info locals` and `print` text (as GDB 13 printed it for the corpus) into facts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readBacktrace, readBindings, readPrinted } from './gdb-text';

const names = (list: { name: string; value: { text: string }; atEntry?: boolean }[]): string[] =>
  list.map((b) => `${b.name}${b.atEntry ? '@=' : '='}${b.value.text}`);

test('a backtrace through an inlined call: levels, names, files, lines, arguments', () => {
  const bt = [
    '#0  clamp_add (limit=100, b=40, a=30) at ./frames.c:20',
    '#1  probe_inline (a=30, b=40) at ./frames.c:25',
    '#2  0x80000330 in main () at ./frames.c:54',
    '',
  ].join('\n');
  const frames = readBacktrace(bt, [true, false, false]);
  assert.deepEqual(frames.map((f) => [f.level, f.function, f.file, f.line, f.inlined]), [
    [0, 'clamp_add', 'frames.c', 20, true], [1, 'probe_inline', 'frames.c', 25, false], [2, 'main', 'frames.c', 54, false],
  ]);
  assert.deepEqual(names(frames[0].args), ['limit=100', 'b=40', 'a=30']);
  assert.deepEqual(frames[2].args, []);
});

test('struct arguments and entry values in a backtrace (-O2)', () => {
  const line = '#0  probe_unions (w=<optimized out>, w@entry={u = 2712847316, half = {-15404, -24142}, bytes = "\\324ò\\241"}, ' +
    'pw=pw@entry=0x80000280 <g_shape+16>) at ./types.c:46';
  const [f] = readBacktrace(line, [false]);
  assert.deepEqual(names(f.args), [
    'w=<optimized out>', 'w@entry={u = 2712847316, half = {-15404, -24142}, bytes = "\\324ò\\241"}', 'pw@=0x80000280 <g_shape+16>',
  ]);
  assert.deepEqual([f.file, f.line], ['types.c', 46]);
});

test('a frame without line information, and the lines bt adds at its end', () => {
  const bt = '#0  0x800000c0 in add ()\n#1  0x8000015e in probe_callback (x=5) at ./frames.c:43\nBacktrace stopped: frame did not save the PC\n';
  const frames = readBacktrace(bt, [false, false]);
  assert.deepEqual(frames.map((f) => [f.function, f.file, f.line]), [['add', null, null], ['probe_callback', 'frames.c', 43]]);
});

test('info locals: one binding a line, shadowed names kept in block order; none', () => {
  assert.deepEqual(names(readBindings('y = 30\nx = 15\nz = 45\ny = 14\n')), ['y=30', 'x=15', 'z=45', 'y=14']);
  assert.deepEqual(names(readBindings('last = 0x80000310 "down"\n')), ['last=0x80000310 "down"']);
  assert.deepEqual(readBindings('No locals.\n'), []);
  assert.deepEqual(readBindings('No arguments.\n'), []);
  assert.deepEqual(readBindings('No symbol table info available.\n'), []);
});

test('print: the history number goes, the value stays; odd text is kept unparsed', () => {
  assert.equal(readPrinted('$12 = (struct shape *) 0x800004c0 <g_shape>\n').text, '(struct shape *) 0x800004c0 <g_shape>');
  assert.deepEqual(readPrinted('$3 = {x = 10, y = 20}\n').kind, 'struct');
  assert.deepEqual(readPrinted('something else\n'), { kind: 'unparsed', text: 'something else\n' });
  assert.deepEqual(readPrinted('$1 = {1, 2'), { kind: 'unparsed', text: '{1, 2' });
});
