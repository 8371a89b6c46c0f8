// Parity with QEMU: the C example ELFs print the same UART output and exit with the same code in Lockstep's machine.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadElf } from '../../src/machine/elf';
import { Machine } from '../../src/machine/machine';
import { runStandalone } from '../../src/machine/standalone';

const ROOT = join(__dirname, '..', '..');

/** ELF → UART output QEMU printed (captured by the Makefiles' `expected` targets; QEMU's exit code was 0). */
const CASES: [string, string][] = [
  ...['dwarf5', 'dwarf4', 'llvm'].map((v): [string, string] => [`test/fixtures/elf/hello-${v}.elf`, 'test/fixtures/elf/hello.expected.txt']),
  ...['sieve', 'crc32', 'matmul'].flatMap((b) =>
    ['rv32imac', 'rv32im'].map((a): [string, string] => [`examples/bench/${b}-${a}.elf`, `examples/bench/${b}-${a}.expected.txt`]),
  ),
];

for (const [elf, expected] of CASES) {
  test(`Lockstep matches QEMU on ${elf}`, { timeout: 300_000 }, () => {
    const machine = new Machine({ env: { read: () => 0, output: () => {} } });
    machine.load(loadElf(readFileSync(join(ROOT, elf)), elf));
    let uart = '';
    const result = runStandalone(machine, { maxInstructions: 1_000_000_000, onUart: (b) => (uart += String.fromCharCode(b)) });
    assert.equal(result.reason, 'exit', `stopped: ${result.reason} ${JSON.stringify(machine.fatal)}`);
    assert.equal(result.exitCode, 0);
    assert.equal(uart, readFileSync(join(ROOT, expected), 'latin1'));
  });
}
