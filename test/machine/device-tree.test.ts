// The generated device tree: a valid FDT blob (header, blocks, alignment), and what dtc (the reference decompiler) reads from it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineDeviceTree } from '../../src/machine/device-tree';
import { node, writeFdt } from '../../src/machine/fdt';

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
