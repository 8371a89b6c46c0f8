// An ELF's .lockstep.disk section (built here with the GNU toolchain): the program's disk image, never loaded into RAM; only whole sectors of file contents.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadElf, ProgramFormatError } from '../../src/machine/elf';
import { Machine } from '../../src/machine/machine';

const GCC = 'riscv64-unknown-elf-gcc';
const noGcc = spawnSync(GCC, ['--version']).status !== 0 ? `${GCC} is not installed` : false;
const CFLAGS = ['-march=rv32imac_zicsr_zifencei', '-mabi=ilp32', '-nostdlib', '-nostartfiles', '-Wl,--no-warn-rwx-segments', '-Wl,--nmagic', '-Ttext=0x80000000'];
const work = mkdtempSync(join(tmpdir(), 'lockstep-elf-disk-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** A one-instruction program followed by `disk` (assembler lines), linked; returns the ELF's bytes. */
function elfWith(name: string, disk: string): Uint8Array {
  const src = join(work, `${name}.S`), out = join(work, `${name}.elf`);
  writeFileSync(src, `  .text\n  .globl _start\n_start:\n  j _start\n${disk}\n`);
  const r = spawnSync(GCC, [...CFLAGS, src, '-o', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return new Uint8Array(readFileSync(out));
}

/** loadElf fails with a ProgramFormatError whose message matches `want`. */
function assertRefused(bytes: Uint8Array, want: RegExp): void {
  assert.throws(() => loadElf(bytes, 'x.elf'), (e: unknown) => e instanceof ProgramFormatError && want.test(e.message));
}

test('a .lockstep.disk section of two sectors becomes the program\'s disk image, and is not loaded into RAM', { skip: noGcc }, () => {
  const p = loadElf(elfWith('two', '  .section .lockstep.disk, "", @progbits\n  .fill 512, 1, 0x5a\n  .ascii "sector one"\n  .org 1024'), 'two.elf');
  assert.ok(p.diskImage !== undefined, 'the program carries a disk image');
  assert.equal(p.diskImage.length, 1024);
  assert.ok(p.diskImage.subarray(0, 512).every((b) => b === 0x5a));
  assert.equal(Buffer.from(p.diskImage.subarray(512, 522)).toString('latin1'), 'sector one');
  assert.ok(p.diskImage.subarray(522).every((b) => b === 0));
  assert.equal(p.segments.length, 1, 'one segment: the code');
  assert.match(p.segments[0].name, /^\.text\b/);
  assert.ok(p.segments[0].memSize < 512, 'the disk image is no part of it');
  const m = new Machine({ env: { read: () => 0, output: () => {} } });
  m.load(p);
  assert.equal(m.pc, 0x8000_0000);
});

test('a program without the section has no disk image', { skip: noGcc }, () => {
  assert.equal(loadElf(elfWith('none', ''), 'none.elf').diskImage, undefined);
});

test('a section that is not whole sectors, is loaded, or has no file contents is a ProgramFormatError saying so', { skip: noGcc }, () => {
  assertRefused(elfWith('short', '  .section .lockstep.disk, "", @progbits\n  .fill 100, 1, 1'),
    /^ELF: section \.lockstep\.disk is 100 bytes, not a whole number of 512-byte sectors$/);
  assertRefused(elfWith('odd', '  .section .lockstep.disk, "", @progbits\n  .fill 513, 1, 1'), /is 513 bytes, not a whole number of 512-byte sectors/);
  assertRefused(elfWith('alloc', '  .section .lockstep.disk, "a", @progbits\n  .fill 512, 1, 1'), /section \.lockstep\.disk must be file contents that are not loaded/);
  assertRefused(elfWith('nobits', '  .section .lockstep.disk, "", @nobits\n  .zero 512'), /section \.lockstep\.disk must be file contents that are not loaded/);
});
