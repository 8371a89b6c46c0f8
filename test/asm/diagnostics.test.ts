// Diagnostics: every kind of error is reported (never thrown) with its exact source range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../../src/asm';

/** "severity line:col-end message" for each diagnostic. */
function diags(src: string): string[] {
  return assemble(src, { fileName: 'd.s' }).diagnostics.map((d) => `${d.severity} ${d.line}:${d.column}-${d.endColumn} ${d.message}`);
}

const CASES: [string, string][] = [
  ['foo a0, a1', "error 1:0-3 unknown instruction `foo'"],
  ['addi a0, a1, 5000', 'error 1:13-17 immediate out of range (-2048..2047): 5000'],
  ['addi a0, a1', "error 1:5-11 `addi' takes 3 operand(s), got 2"],
  ['addi a0, q1, 4', "error 1:9-11 expected a register, got `q1'"],
  ['x: nop\nx: nop', "error 2:0-1 symbol `x' is already defined"],
  ['j nowhere', "error 1:2-9 undefined symbol `nowhere'"],
  ['  la a0, missing + 4', "error 1:9-16 undefined symbol `missing'"],
  ['.word 1, later', "error 1:9-14 undefined symbol `later'"],
  ['li a0, 0x100000000', 'error 1:7-18 li value out of 32-bit range: 4294967296'],
  ['slli a0, a0, 32', 'error 1:13-15 shift amount out of range (0..31): 32'],
  ['lui a0, 0x100000', 'error 1:8-16 upper immediate out of range (0..1048575): 1048576'],
  ['csrr a0, nocsr', "error 1:9-14 unknown CSR `nocsr'"],
  ['csrwi mstatus, 32', 'error 1:15-17 CSR immediate out of range (0..31): 32'],
  ['.word 1 +', 'error 1:9-10 missing expression'],
  ['.frob 3', "error 1:0-5 unknown directive `.frob'"],
  ['.macro m', 'error 1:0-8 .macro without .endm'],
  ['lw a0, 4(a9)', "error 1:9-11 unknown register `a9'"],
  ['sw a0, (x32)', "error 1:8-11 unknown register `x32'"],
  ['nop\nnop\n.org 4\n', 'error 3:0-6 .org 4 moves backwards (already at 8)'],
  ['.if 1', "error 1:0-3 `.if' without .endif"],
  ['.endif', "error 1:0-6 `.endif' without .if"],
  ['.if later\n.endif\nlater:', 'error 1:4-9 .if needs a constant expression'],
  ['.ifdef 3\n.endif', 'error 1:7-8 .ifdef needs a symbol name'],
  ['.include "x.s"', "error 1:0-8 unsupported directive `.include'"],
  ['.endr', "error 1:0-5 `.endr' must start its own line and be properly paired"],
  ['.rept x\nnop\n.endr', "error 1:0-7 bad .rept count `x'"],
  ['.macro bad\n  addi a0, a0, 9999\n.endm\nnop\nbad\n', 'error 5:0-3 immediate out of range (-2048..2047): 9999'],
  ['.macro r\nr\n.endm\nr', 'error 4:0-1 macro expansion nested too deeply'],
  ['lui a0, %lo(x)\nx:', 'error 1:8-14 %lo not allowed in this operand'],
  ['j 1f', "error 1:2-4 undefined symbol `1f'"],
  ['.text\n  j far\n .space 0x100000\nfar: nop', 'error 2:4-7 jump target out of range (±1 MiB): offset 1048580'],
  ['addi a0, a0, 1 )', "error 1:15-16 unexpected `)'"],
  ['.byte 300', 'warning 1:6-9 value 300 truncated to 1 byte(s)'],
  ['nop ; nop ; bogus', "error 1:12-17 unknown instruction `bogus'"],
  ['addi a0, a0, 4 / 0', 'error 1:13-18 division by zero'],
  ['addi a0, a0, %pcrel_lo(x)\nx: nop', 'error 1:13-25 %pcrel_lo: no auipc with %pcrel_hi at that label'],
  ['.bss\n add a0, a0, a1', 'error 2:1-15 instruction in .bss (no initialised data allowed)'],
  ['.option pop', 'error 1:8-11 .option pop without .option push'],
  ['  .equiv K, 1\n  .equiv K, 2', "error 2:9-10 symbol `K' is already defined"],
  ['/* never closed', 'error 1:0-15 unterminated comment'],
  ['c.addi a0, 1', 'error 1:0-12 compressed instruction needs RVC (.option rvc or -march with c)'],
  ['.option rvc\nc.lw t0, 0(a1)', 'error 2:0-14 operands do not fit the compressed encoding'],
  ['.option rvc\n c.j far\n.space 4000\nfar:', 'error 2:5-8 branch target out of range (±2048 bytes): offset 4002'],
  ['.option rvc\nc.beqz t0, x\nx:', 'error 2:0-12 c.beqz/c.bnez need a register in x8..x15'],
];

for (const [src, expected] of CASES) {
  test(`diagnostic for ${JSON.stringify(src)}`, () => {
    assert.deepEqual(diags(src), [expected]);
  });
}

test('errors make ok false and drop the program; warnings do not', () => {
  const bad = assemble('nop\nbogus\n');
  assert.equal(bad.ok, false);
  assert.equal(bad.program, undefined);
  const warn = assemble('.byte 256\n');
  assert.equal(warn.ok, true);
  assert.ok(warn.program);
});

test('several errors in one file are all reported, in line order', () => {
  const d = diags('bogus\nnop\naddi a0, a0, 9999\nj missing\n');
  assert.deepEqual(d.map((x) => x.split(' ')[1]), ['1:0-5', '3:13-17', '4:2-9']);
});

test('diagnostics carry file and 1-based endLine', () => {
  const [d] = assemble('\n\n  bogus a0\n', { fileName: 'x/y.s' }).diagnostics;
  assert.deepEqual({ file: d.file, line: d.line, endLine: d.endLine, column: d.column, endColumn: d.endColumn }, { file: 'x/y.s', line: 3, endLine: 3, column: 2, endColumn: 7 });
});
