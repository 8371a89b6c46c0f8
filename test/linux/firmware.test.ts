// The SBI firmware (scripts/linux/firmware) with a stand-in kernel: the same console, timer and shutdown on Lockstep as on QEMU's virt board, and the device tree Lockstep writes for it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadElf } from '../../src/machine/elf';
import { Machine } from '../../src/machine/machine';
import { runStandalone } from '../../src/machine/standalone';
import { machineDeviceTree } from '../../src/machine/device-tree';

const FW = join(__dirname, '..', '..', 'scripts', 'linux', 'firmware');
const GCC = 'riscv64-unknown-elf-gcc';
const noGcc = spawnSync(GCC, ['--version']).status !== 0 ? `${GCC} is not installed` : false;
const noQemu = spawnSync('qemu-system-riscv32', ['--version']).status !== 0 ? 'qemu-system-riscv32 is not installed' : false;
const noDtc = spawnSync('dtc', ['--version']).status !== 0 ? 'dtc is not installed' : false;
const CFLAGS = ['-march=rv32imac_zicsr_zifencei', '-mabi=ilp32', '-nostdlib', '-nostartfiles', '-Wl,--no-warn-rwx-segments'];
const EXPECTED = 'sbi: legacy console ok\ndbcn ok\ntimer interrupt ok\n';

function cc(args: string[]): void {
  const r = spawnSync(GCC, [...CFLAGS, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

/** The firmware linked with the probe kernel; the embedded tree (for QEMU) describes `ramMiB`. */
function buildImage(dir: string, ramMiB: number): string {
  cc(['-Wl,-e,_kstart', '-Ttext=0x80400000', join(FW, 'probe-kernel.S'), '-o', join(dir, 'probe.elf')]);
  const bin = spawnSync('riscv64-unknown-elf-objcopy', ['-O', 'binary', join(dir, 'probe.elf'), join(dir, 'probe.bin')], { encoding: 'utf8' });
  assert.equal(bin.status, 0, bin.stderr);
  writeFileSync(join(dir, 'board.dtb'), machineDeviceTree({ ramSize: ramMiB << 20, bootargs: 'console=hvc0', firmwareBytes: 64 << 10 }));
  const out = join(dir, 'fw.elf');
  cc(['-T', join(FW, 'link.ld'), `-DKERNEL_IMAGE="${join(dir, 'probe.bin')}"`, `-DDTB_FILE="${join(dir, 'board.dtb')}"`,
    '-DBOOTARGS="console=hvc0 earlycon=sbi"', '-DFDT_BUFFER_BYTES=8192', join(FW, 'sbi.S'), '-o', out]);
  return out;
}

function runOnLockstep(elf: string, ramMiB: number): { uart: string; exitCode: number | null; machine: Machine } {
  const machine = new Machine({ env: { read: () => 0, output: () => {} }, ramSize: ramMiB << 20 });
  machine.load(loadElf(readFileSync(elf), 'fw.elf'));
  let uart = '';
  const r = runStandalone(machine, { maxInstructions: 1_000_000, onUart: (b) => (uart += String.fromCharCode(b)) });
  return { uart, exitCode: r.exitCode, machine };
}

test('on Lockstep the firmware boots the kernel in S-mode and serves console, DBCN, timer and shutdown', { skip: noGcc }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-fw-'));
  const r = runOnLockstep(buildImage(dir, 64), 32);
  assert.equal(r.uart, EXPECTED);
  assert.equal(r.exitCode, 0, 'SRST shutdown with no failure reason passes');
});

test('on QEMU virt the same image prints the same lines and powers off cleanly', { skip: noGcc || noQemu }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-fw-'));
  const q = spawnSync('qemu-system-riscv32', ['-M', 'virt', '-m', '64M', '-nographic', '-bios', 'none', '-kernel', buildImage(dir, 64)], { encoding: 'latin1', timeout: 20_000 });
  assert.equal(q.status, 0, q.stderr);
  assert.equal(q.stdout.replace(/\r\n/g, '\n'), EXPECTED);
});

test('Lockstep replaces the built-in tree with its own machine: RAM as configured, the firmware reserved, the command line kept', { skip: noGcc || noDtc }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-fw-'));
  const elf = buildImage(dir, 64);
  const program = loadElf(readFileSync(elf), 'fw.elf');
  const fdtAt = program.symbols.find((s) => s.name === '__lockstep_fdt')!.addr;
  const machine = new Machine({ env: { read: () => 0, output: () => {} }, ramSize: 32 << 20 });
  machine.load(program);
  assert.equal(machine.cpu.x[11] >>> 0, fdtAt >>> 0, 'a1 holds the tree, as a board passes it');
  const blob = machine.ram.bytes.slice(fdtAt - machine.ram.base, fdtAt - machine.ram.base + 8192);
  writeFileSync(join(dir, 'lockstep.dtb'), blob);
  const dts = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', join(dir, 'lockstep.dtb')], { encoding: 'utf8' });
  assert.equal(dts.status, 0, dts.stderr);
  assert.match(dts.stdout, /reg = <0x80000000 0x2000000>;/, '32 MiB, the machine\'s RAM, not the 64 MiB built in');
  assert.match(dts.stdout, /firmware@80000000 \{\s*reg = <0x80000000 0x\w+>;\s*no-map;/);
  assert.match(dts.stdout, /bootargs = "console=hvc0 earlycon=sbi";/);
});
