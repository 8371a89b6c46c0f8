// The generated device tree: a valid FDT blob (header, blocks, alignment), and what dtc (the reference decompiler) reads from it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineDeviceTree } from '../../src/machine/device-tree';
import { node, writeFdt } from '../../src/machine/fdt';
import { Machine } from '../../src/machine/machine';
import { ProgramFitError, type Program } from '../../src/machine/program';

const dtcMissing = spawnSync('dtc', ['--version']).status !== 0 ? 'dtc (Debian device-tree-compiler) is not installed' : false;

const blob = machineDeviceTree({ ramSize: 64 << 20, bootargs: 'console=hvc0 earlycon=sbi', initrd: { start: 0x8300_0000, end: 0x8310_0000 } });

test('the blob has a version 17 header whose blocks lie inside it, 4-byte aligned', () => {
  const v = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  assert.equal(v.getUint32(0), 0xd00dfeed);
  assert.equal(v.getUint32(4), blob.length, 'totalsize');
  const offStruct = v.getUint32(8), offStrings = v.getUint32(12), offReserve = v.getUint32(16);
  assert.equal(v.getUint32(20), 17);
  assert.equal(v.getUint32(24), 16);
  assert.equal(offReserve, 40);
  assert.equal(offStruct % 4, 0);
  assert.equal(v.getUint32(offStruct), 1, 'the structure block opens the root node');
  assert.equal(offStruct + v.getUint32(36), offStrings, 'the strings follow the structure');
  assert.equal(offStrings + v.getUint32(32), blob.length);
  assert.equal(v.getUint32(offStrings - 4), 9, 'FDT_END closes the structure');
});

test('bad cells and names are refused with a message, not written', () => {
  assert.throws(() => writeFdt(node('', [['x', [-1]]])), /not a 32-bit unsigned integer/);
  assert.throws(() => writeFdt(node('', [['x', 'a\u0000b']])), /printable ASCII/);
  assert.throws(() => writeFdt(node('root')), /empty name/);
  assert.throws(() => machineDeviceTree({ ramSize: 1000, bootargs: '' }), /multiple of 4 KiB/);
});

test('dtc reads the machine: RAM, the Sv32 hart and its timebase, the devices at their addresses, the command line', { skip: dtcMissing }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-dtb-'));
  writeFileSync(join(dir, 'm.dtb'), blob);
  const r = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', join(dir, 'm.dtb')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'dtc finds nothing to warn about');
  const dts = r.stdout;
  assert.match(dts, /memory@80000000 \{\s*device_type = "memory";\s*reg = <0x80000000 0x4000000>;/);
  assert.match(dts, /timebase-frequency = <0x989680>;/);
  assert.match(dts, /riscv,isa = "rv32imac_zicsr_zifencei";\s*mmu-type = "riscv,sv32";/);
  assert.match(dts, /bootargs = "console=hvc0 earlycon=sbi";/);
  assert.match(dts, /linux,initrd-start = <0x83000000>;\s*linux,initrd-end = <0x83100000>;/);
  for (const at of ['test@100000', 'clint@2000000', 'plic@c000000', 'serial@10000000', 'ethernet@10001000', 'disk@10002000', 'rng@10003000']) {
    assert.ok(dts.includes(at), `${at} is in the tree`);
  }
  assert.match(dts, /poweroff \{\s*compatible = "syscon-poweroff";\s*regmap = <0x03>;\s*offset = <0x00>;\s*value = <0x5555>;/);
});

test('a program that asks for the tree in too small a buffer, or lies outside RAM, is refused with a ProgramFitError naming it', () => {
  const env = { read: () => 0, output: () => {} };
  const code = { addr: 0x8000_0000, data: new Uint8Array([0x73, 0x00, 0x50, 0x10]), memSize: 4, name: '.text', executable: true };
  const small: Program = { entry: 0x8000_0000, segments: [code, { addr: 0x8000_1000, data: new Uint8Array(16), memSize: 16, name: '.data', executable: false }],
    symbols: [{ name: '__lockstep_fdt', addr: 0x8000_1000, size: 16, kind: 'object', global: true }], lines: [], origin: 'tiny.s' };
  assert.throws(() => new Machine({ env }).load(small), (e: unknown) => e instanceof ProgramFitError && /^tiny\.s: the device tree needs \d+ bytes, but __lockstep_fdt has 16$/.test(e.message));
  const far: Program = { entry: 0x8000_0000, segments: [code, { addr: 0x8040_0000, data: new Uint8Array(4), memSize: 4, name: '.kernel', executable: true }], symbols: [], lines: [], origin: 'big.elf' };
  assert.throws(() => new Machine({ env, ramSize: 2 << 20 }).load(far), (e: unknown) => e instanceof ProgramFitError && /big\.elf: segment \.kernel .* lies outside RAM \[0x80000000, 0x80200000\) \(give the machine more RAM\)/.test(e.message));
  const plain: Program = { entry: 0x8000_0000, segments: [code], symbols: [], lines: [], origin: 'plain.s' };
  const m = new Machine({ env });
  m.load(plain);
  assert.equal(m.cpu.x[11], 0, 'a program without __lockstep_fdt gets no tree and a1 stays 0');
});
