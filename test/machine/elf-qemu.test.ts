// Runs the committed C example ELFs under QEMU (when installed) and compares the UART output with the fixtures.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const QEMU = 'qemu-system-riscv32';
const haveQemu = spawnSync(QEMU, ['--version'], { encoding: 'utf8' }).status === 0;

/** ELF path → expected UART output path (captured once from QEMU, committed). */
const QEMU_CASES: [string, string][] = [
  ...['dwarf5', 'dwarf4', 'llvm'].map((v): [string, string] => [
    `test/fixtures/elf/hello-${v}.elf`,
    'test/fixtures/elf/hello.expected.txt',
  ]),
  ...['sieve', 'crc32', 'matmul'].flatMap((b) =>
    ['rv32imac', 'rv32im'].map((a): [string, string] => [`examples/bench/${b}-${a}.elf`, `examples/bench/${b}-${a}.expected.txt`]),
  ),
];

for (const [elf, expected] of QEMU_CASES) {
  test(`QEMU runs ${elf}`, { skip: !haveQemu && `${QEMU} is not on PATH`, timeout: 180_000 }, () => {
    const r = spawnSync(QEMU, ['-M', 'virt', '-bios', 'none', '-nographic', '-icount', 'shift=0', '-kernel', join(ROOT, elf)], {
      encoding: 'latin1',
      timeout: 120_000,
    });
    assert.equal(r.error, undefined, String(r.error));
    assert.equal(r.status, 0, `exit status (stderr: ${r.stderr})`);
    assert.equal(r.stdout, readFileSync(join(ROOT, expected), 'latin1'));
  });
}
