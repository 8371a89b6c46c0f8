// `lockstep asm`: writes an ELF, reports diagnostics as file:line:col, exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asmCommand } from '../../src/cli/asm-command';
import { readElfHeader } from './elf-read';

function run(argv: string[]) {
  let out = '';
  let err = '';
  const code = asmCommand(argv, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; } });
  return { code, out, err };
}

test('assembles a file to an ELF executable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-asmcmd-'));
  try {
    writeFileSync(join(dir, 'a.s'), '.globl _start\n_start: j _start\n');
    const r = run([join(dir, 'a.s'), '-o', join(dir, 'a.elf')]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /\.text 4 bytes @ 0x80000000/);
    const h = readElfHeader(readFileSync(join(dir, 'a.elf')));
    assert.equal(h.entry, 0x80000000);
    const r2 = run([join(dir, 'a.s'), '--rvc']);
    assert.equal(r2.code, 0);
    assert.ok(existsSync(join(dir, 'a.elf')), 'default output name replaces .s by .elf');
    assert.equal(readElfHeader(readFileSync(join(dir, 'a.elf'))).flags, 1, 'c.j under --rvc sets EF_RISCV_RVC');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('errors: diagnostics on stderr as file:line:col, exit 2, no output file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-asmcmd-'));
  try {
    const src = join(dir, 'bad.s');
    writeFileSync(src, 'nop\n  frob a0\n');
    const r = run([src, '-o', join(dir, 'bad.elf')]);
    assert.equal(r.code, 2);
    assert.equal(r.err, `${src}:2:3: error: unknown instruction \`frob'\n`);
    assert.equal(existsSync(join(dir, 'bad.elf')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input exits 2 with one line, as in every other command: options, a missing file, an unwritable output, no code', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-asmcmd-'));
  try {
    const src = join(dir, 'a.s');
    writeFileSync(src, 'nop\n');
    writeFileSync(join(dir, 'empty.s'), '# nothing\n');
    const cases: [string[], RegExp][] = [
      [[], /missing input file/],
      [['--bogus'], /unknown option --bogus/],
      [['/nonexistent/x.s'], /cannot read \/nonexistent\/x\.s: ENOENT/],
      [[src, '-o'], /-o needs a value/],
      [[src, '-o', join(dir, 'no-such-dir', 'a.elf')], /folder .*no-such-dir does not exist/],
      [[src, '-o', dir], /is a folder, not a file/],
      [[src, '--text-base='], /--text-base needs a value/],
      [[src, '--text-base', 'x'], /--text-base expects an integer from 0 to 4294967295, got "x"/],
      [[src, '--text-base', '-4'], /--text-base expects/],
      [[src, '--rvc=yes'], /--rvc takes no value/],
      [[join(dir, 'empty.s')], /no code/],
    ];
    for (const [argv, want] of cases) {
      const r = run(argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err, /^lockstep asm: [^\n]+\n$/, argv.join(' '));
      assert.match(r.err, want, argv.join(' '));
      assert.equal(r.out, '');
    }
    assert.deepEqual(readdirSync(dir).sort(), ['a.s', 'empty.s'], 'nothing written, no temporary file left');
    const help = run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /^usage: lockstep asm/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
