// Fuzzing: random token soup and mutated corpus files never throw and never hit an internal error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from '../../src/asm';
import { allMnemonics } from '../../src/asm/instructions';
import { mulberry32 } from '../helpers/mulberry32';

const prng = mulberry32;

const corpusDir = join(__dirname, '..', 'fixtures', 'asm');
const corpus = readdirSync(corpusDir).filter((f) => f.endsWith('.s')).map((f) => readFileSync(join(corpusDir, f), 'utf8'));
const VOCAB = [
  ...allMnemonics(), '.text', '.data', '.bss', '.section', '.word', '.byte', '.half', '.ascii', '.asciz', '.align', '.balign',
  '.p2align', '.space', '.fill', '.equ', '.set', '.globl', '.option', 'rvc', 'norvc', 'push', 'pop', '.size', '.type', '.zero',
  'a0', 'a1', 'sp', 'zero', 'x31', 'fp', 't6', 'mstatus', 'mtvec', 'cycle', '0', '1', '-1', '2047', '-2048', '0x7fffffff',
  '0xffffffff', '0x100000000', '99999999999999999999', "'a'", "'\\n'", '"str"', '"\\x41\\101"', '1f', '1b', '2:', '1:', 'L:',
  'L', '.', '%hi(', '%lo(', '%pcrel_hi(', '%pcrel_lo(', '(', ')', ',', '+', '-', '*', '/', '%', '<<', '>>', '&', '|', '^', '~',
  '!', '=', ':', ';', '\n', '\n', '\n', '# c', '// c', '/*', '*/', '@function', 'iorw', 'rw',
  '\n.macro m a, b=2\n', '\n.endm\n', '\n.rept 3\n', '\n.rept 500\n', '\n.endr\n', '\n.irp r, a0, a1\n', '\n.irpc c, 12\n', '\\a', '\\@', '\\()', '\nm 1\n',
  '\n.if 1\n', '\n.if 0\n', '\n.ifdef L\n', '\n.else\n', '\n.elseif 1\n', '\n.endif\n', '.org', '.org 64', 'c.addi', 'c.j', 'c.lw', 'c.beqz', '.option rvc\n',
];

function tokenSoup(rnd: () => number): string {
  const n = 1 + Math.floor(rnd() * 60);
  let s = '';
  for (let i = 0; i < n; i++) s += VOCAB[Math.floor(rnd() * VOCAB.length)] + (rnd() < 0.7 ? ' ' : '');
  return s;
}

function mutate(src: string, rnd: () => number): string {
  let s = src;
  const edits = 1 + Math.floor(rnd() * 8);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rnd() * (s.length + 1));
    const len = Math.floor(rnd() * 12);
    const r = rnd();
    if (r < 0.3) s = s.slice(0, at) + s.slice(at + len);
    else if (r < 0.6) s = s.slice(0, at) + VOCAB[Math.floor(rnd() * VOCAB.length)] + s.slice(at);
    else if (r < 0.8) s = s.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 128)) + s.slice(at + 1);
    else {
      const lines = s.split('\n');
      const i = Math.floor(rnd() * lines.length);
      lines.splice(Math.floor(rnd() * lines.length), 0, lines[i]);
      s = lines.join('\n');
    }
  }
  return s;
}

function check(src: string, label: string): void {
  let r;
  try {
    r = assemble(src, { rvc: src.length % 2 === 0 });
  } catch (e) {
    assert.fail(`${label} threw ${(e as Error).stack}\n--- source ---\n${src}`);
  }
  const internal = r.diagnostics.find((d) => d.message.startsWith('internal'));
  assert.equal(internal, undefined, `${label}: ${internal?.message}\n--- source ---\n${src}`);
  for (const d of r.diagnostics) assert.ok(d.line >= 1 && d.column >= 0 && d.endColumn > d.column, `${label}: bad range ${JSON.stringify(d)}`);
}

test('random token soup never throws (2500 cases)', () => {
  const rnd = prng(0x5eed);
  for (let i = 0; i < 2500; i++) check(tokenSoup(rnd), `soup #${i}`);
});

test('mutated corpus files never throw (1500 cases)', () => {
  const rnd = prng(0xc0ffee);
  for (let i = 0; i < 1500; i++) check(mutate(corpus[i % corpus.length], rnd), `mutant #${i}`);
});

test('a 10k-line program assembles (its time is reported, never asserted)', (t) => {
  const lines = ['.text', '_start:'];
  for (let i = 0; i < 10000; i++) {
    lines.push([`addi a${i % 8}, a${(i + 1) % 8}, ${i % 2000}`, `1: beqz a0, 1f`, `lw t0, ${(i % 500) * 4}(sp)`, `li t1, ${i * 7919}`, `j 1b`][i % 5]);
  }
  lines.push('1: ret');
  const src = lines.join('\n');
  const t0 = performance.now();
  const r = assemble(src, { rvc: true });
  t.diagnostic(`10k lines in ${(performance.now() - t0).toFixed(0)} ms`);
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics.slice(0, 3)));
  assert.ok(r.listing !== undefined && r.program!.segments.length > 0);
});

test('pathological inputs become diagnostics, not crashes', () => {
  const cases = [
    '.word ' + '('.repeat(5000) + '1' + ')'.repeat(5000),
    '.word ' + '-'.repeat(5000) + '1',
    '.space 0x7fffffffffff',
    '.fill 0x10000000, 8, 1',
    '.rept 100000\n.rept 100000\nnop\n.endr\n.endr',
    '.macro m\nm\n.endm\nm',
    'x'.repeat(100000),
    '\u0000\u0001\uffff"\\',
    'li a0, 99999999999999999999999999',
    '.balign 3',
    '.p2align 40',
  ];
  for (const src of cases) check(src, JSON.stringify(src.slice(0, 40)));
});
