// `lockstep exec --disk IMAGE` and a program's own .lockstep.disk image: what the guest's disk holds, and clear usage errors for images that are no images.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './run-cli';

const root = join(__dirname, '../..');
const anyProgram = join(root, 'examples/bench/crc32-rv32imac.elf');
const GCC = 'riscv64-unknown-elf-gcc';
const noGcc = spawnSync(GCC, ['--version']).status !== 0 ? `${GCC} is not installed` : false;
const work = mkdtempSync(join(tmpdir(), 'lockstep-exec-disk-'));
after(() => rmSync(work, { recursive: true, force: true }));

/**
 * A guest for both assemblers: reads sector 1 of Lockstep's disk and prints it up to its NUL, writes it back to
 * sector 0, and exits with the disk's capacity in sectors as its code.
 */
const GUEST = `
    .equ DISK, 0x10002000
    .equ UART, 0x10000000
    .equ TEST, 0x100000
    .text
    .globl _start
_start:
    li   s0, DISK
    li   t0, 1
    sw   t0, 8(s0)
    sw   t0, 12(s0)
    la   s1, buf
    sw   s1, 16(s0)
    sw   t0, 20(s0)
    call wait
    li   s2, UART
    mv   t1, s1
1:  lbu  t0, 0(t1)
    beqz t0, 2f
    sb   t0, 0(s2)
    addi t1, t1, 1
    j    1b
2:  li   t0, 10
    sb   t0, 0(s2)
    sw   zero, 8(s0)
    li   t0, 2
    sw   t0, 20(s0)
    call wait
    lw   t0, 4(s0)
    slli t0, t0, 16
    li   t1, 0x3333
    or   t0, t0, t1
    li   t1, TEST
    sw   t0, 0(t1)
3:  j    3b
wait:
    lw   t0, 24(s0)
    andi t1, t0, 1
    bnez t1, wait
    andi t1, t0, 4
    bnez t1, fail
    li   t1, 1
    sw   t1, 32(s0)
    ret
fail:
    li   t0, 0x13333
    li   t1, TEST
    sw   t0, 0(t1)
4:  j    4b
    .bss
    .balign 4
buf:
    .space 512
`;

/** A disk image of `sectors` sectors with `message` (NUL-terminated) at the start of sector 1. */
function image(sectors: number, message: string): Uint8Array {
  const b = new Uint8Array(sectors * 512);
  b.set(new TextEncoder().encode(message), 512);
  return b;
}

function file(name: string, contents: Uint8Array | string): string {
  const p = join(work, name);
  writeFileSync(p, contents);
  return p;
}

/** Exit 2, one line on stderr naming exec and matching `want`, nothing on stdout. */
function assertUsageError(r: { code: number; out: string; err: string }, want: RegExp): void {
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^lockstep exec: [^\n]+\n$/, r.err);
  assert.match(r.err, want);
  assert.equal(r.out, '');
}

test('a --disk that is missing, a folder, empty or not whole sectors is a usage error before the run', async () => {
  assertUsageError(await cli('exec', anyProgram, '--disk', join(work, 'missing.img')), /--disk \S*missing\.img: .*ENOENT/);
  assertUsageError(await cli('exec', anyProgram, '--disk', file('short.img', new Uint8Array(100))), /--disk \S*short\.img: 100 bytes is not a whole number of 512-byte sectors/);
  assertUsageError(await cli('exec', anyProgram, '--disk', file('odd.img', new Uint8Array(1000))), /1000 bytes is not a whole number of 512-byte sectors/);
  assertUsageError(await cli('exec', anyProgram, '--disk', file('empty.img', '')), /--disk \S*empty\.img: 0 bytes is not a whole number/);
  const folder = join(work, 'folder.img');
  mkdirSync(folder, { recursive: true });
  assertUsageError(await cli('exec', anyProgram, '--disk', folder), /--disk \S*folder\.img: .*EISDIR/);
  assertUsageError(await cli('exec', anyProgram, '--disk'), /--disk needs a value: a disk image file/);
  assertUsageError(await cli('exec', anyProgram, '--disk='), /--disk needs a value/);
});

test('exec --disk IMAGE: the guest reads the image, its disk is that big, and its writes leave the file alone', async () => {
  const guest = file('guest.s', GUEST);
  const disk = image(9, 'from the image file');
  const img = file('nine.img', disk);
  const r = await cli('exec', guest, '--disk', img);
  assert.equal(r.err, '');
  assert.equal(r.out, 'from the image file\n');
  assert.equal(r.code, 9, 'capacity: 9 sectors');
  assert.ok(Buffer.from(readFileSync(img)).equals(Buffer.from(disk)), 'the file is as it was');
  const none = await cli('exec', guest);
  assert.equal(none.out, '\n', 'without an image the disk reads as zeros');
  assert.equal(none.code, 2048, 'the default capacity, 1 MiB');
});

test('exec of a program that carries a .lockstep.disk image uses it; --disk overrides it', { skip: noGcc }, async () => {
  const src = file('carries.S', `${GUEST}\n    .section .lockstep.disk, "", @progbits\n    .org 512\n    .asciz "from the program"\n    .org 3072\n`);
  const elf = join(work, 'carries.elf');
  const cc = spawnSync(GCC, ['-march=rv32imac_zicsr_zifencei', '-mabi=ilp32', '-nostdlib', '-nostartfiles', '-Wl,--no-warn-rwx-segments', '-Wl,--nmagic', '-Ttext=0x80000000', src, '-o', elf], { encoding: 'utf8' });
  assert.equal(cc.status, 0, cc.stderr);
  const own = await cli('exec', elf);
  assert.equal(own.err, '');
  assert.equal(own.out, 'from the program\n');
  assert.equal(own.code, 6, 'capacity: the image\'s 6 sectors');
  const over = await cli('exec', elf, '--disk', file('override.img', image(9, 'from the image file')));
  assert.equal(over.out, 'from the image file\n');
  assert.equal(over.code, 9);
});
