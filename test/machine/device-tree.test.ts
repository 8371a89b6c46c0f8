// The generated device tree: a valid FDT blob (header, blocks, alignment), and what dtc (the reference decompiler) reads from it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dtbCommand } from '../../src/cli/dtb-command';
import { UsageError } from '../../src/cli/io';
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

test('dtc reads the PLIC\'s M and S contexts (MEIP 11, then SEIP 9), the virtio network device on source 7 and the block device on source 8', { skip: dtcMissing }, () => {
  const dts = decompile(blob);
  assert.match(dts, /plic@c000000 \{[^}]*interrupts-extended = <0x01 0x0b 0x01 0x09>;/, 'context 0 is M-mode, context 1 S-mode, as on QEMU virt');
  assert.match(dts, /virtio_mmio@10007000 \{\s*compatible = "virtio,mmio";\s*reg = <0x10007000 0x1000>;\s*interrupt-parent = <0x02>;\s*interrupts = <0x07>;/);
  assert.match(dts, /virtio_mmio@10008000 \{\s*compatible = "virtio,mmio";\s*reg = <0x10008000 0x1000>;\s*interrupt-parent = <0x02>;\s*interrupts = <0x08>;/);
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

/** dtc's source for a blob. */
function decompile(dtb: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-dtb-'));
  writeFileSync(join(dir, 'm.dtb'), dtb);
  const r = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', join(dir, 'm.dtb')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'dtc finds nothing to warn about');
  return r.stdout;
}

const FIRMWARE_NODE = /firmware@80000000 \{\s*reg = <0x80000000 0x10000>;\s*no-map;\s*\};/;
const DMA_NODE = /dma@803ff000 \{\s*compatible = "lockstep,user-dma";\s*reg = <0x803ff000 0x1000>;\s*no-map;\s*\};/;

test('a DMA buffer for a user-space driver is reserved beside the firmware, no-map, so the kernel neither allocates nor maps it', { skip: dtcMissing }, () => {
  const dts = decompile(machineDeviceTree({ ramSize: 64 << 20, bootargs: '', firmwareBytes: 64 << 10, dmaBuffer: { start: 0x803f_f000, size: 0x1000 } }));
  assert.match(dts, /reserved-memory \{\s*#address-cells = <0x01>;\s*#size-cells = <0x01>;\s*ranges;/);
  assert.match(dts, FIRMWARE_NODE);
  assert.match(dts, DMA_NODE);
  const alone = decompile(machineDeviceTree({ ramSize: 64 << 20, bootargs: '', dmaBuffer: { start: 0x803f_f000, size: 0x1000 } }));
  assert.match(alone, DMA_NODE, 'without a firmware reservation too');
  assert.doesNotMatch(alone, /firmware@/);
  assert.doesNotMatch(decompile(machineDeviceTree({ ramSize: 64 << 20, bootargs: '' })), /reserved-memory/, 'nothing asked, nothing reserved');
});

test('a DMA buffer that is not whole pages, lies outside RAM or overlaps the firmware is refused', () => {
  const tree = (start: number, size: number) => () => machineDeviceTree({ ramSize: 16 << 20, bootargs: '', firmwareBytes: 64 << 10, dmaBuffer: { start, size } });
  assert.throws(tree(0x8020_0800, 0x1000), /DMA buffer \[0x80200800, 0x80201800\) is not whole 4 KiB pages/);
  assert.throws(tree(0x8020_0000, 100), /not whole 4 KiB pages/);
  assert.throws(tree(0x80ff_f000, 0x2000), /DMA buffer \[0x80fff000, 0x81001000\) lies outside RAM \[0x80000000, 0x81000000\)/);
  assert.throws(tree(0x7fff_f000, 0x1000), /lies outside RAM/);
  assert.throws(tree(0x8000_f000, 0x1000), /overlaps the firmware's 65536 bytes/);
  assert.doesNotThrow(tree(0x8001_0000, 0x1000), 'right after the firmware');
});

/** A program whose firmware asks for the tree and names a DMA buffer (__lockstep_dma, as scripts/linux/firmware/sbi.S does). */
function dmaProgram(dmaAt: number): Program {
  const code = { addr: 0x8000_0000, data: new Uint8Array([0x73, 0x00, 0x50, 0x10]), memSize: 4, name: '.text', executable: true };
  const data = { addr: 0x8000_1000, data: new Uint8Array(4096), memSize: 4096, name: '.data', executable: false };
  return {
    entry: 0x8000_0000, segments: [code, data], lines: [], origin: 'fw.elf',
    symbols: [
      { name: '__lockstep_fdt', addr: 0x8000_1000, size: 4096, kind: 'object', global: true },
      { name: '__lockstep_fw_end', addr: 0x8000_2000, size: 0, kind: 'label', global: true },
      { name: '__lockstep_dma', addr: dmaAt, size: 0x1000, kind: 'object', global: true },
    ],
  };
}

test('a program that names __lockstep_dma gets it reserved in the tree written at load; one outside RAM is a ProgramFitError', { skip: dtcMissing }, () => {
  const env = { read: () => 0, output: () => {} };
  const m = new Machine({ env, ramSize: 16 << 20 });
  m.load(dmaProgram(0x803f_f000));
  const at = m.cpu.x[11] >>> 0;
  assert.equal(at, 0x8000_1000, 'a1 points at the tree');
  const header = m.ram.readBytes(at, 8);
  const size = new DataView(header.buffer, header.byteOffset, 8).getUint32(4);
  const dts = decompile(m.ram.readBytes(at, size));
  assert.match(dts, /firmware@80000000 \{\s*reg = <0x80000000 0x2000>;\s*no-map;/);
  assert.match(dts, DMA_NODE);
  assert.throws(() => new Machine({ env, ramSize: 2 << 20 }).load(dmaProgram(0x803f_f000)),
    (e: unknown) => e instanceof ProgramFitError && /^fw\.elf: __lockstep_dma: DMA buffer \[0x803ff000, 0x80400000\) lies outside RAM/.test(e.message));
});

test('lockstep dtb --dma-at --dma-kib writes the same reservation (the tree linked in for QEMU); one without the other is a usage error', { skip: dtcMissing }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-dtb-'));
  const out: string[] = [];
  const io = { stdout: (s: string) => out.push(s), stderr: () => {}, isTty: false };
  const file = join(dir, 'board.dtb');
  assert.equal(dtbCommand(['-o', file, '--ram-mib', '64', '--firmware-kib', '64', '--dma-at', '0x803ff000', '--dma-kib', '4'], io), 0);
  const dts = decompile(readFileSync(file));
  assert.match(dts, FIRMWARE_NODE);
  assert.match(dts, DMA_NODE);
  assert.throws(() => dtbCommand(['-o', file, '--dma-at', '0x803ff000'], io), (e: unknown) => e instanceof UsageError && /--dma-at and --dma-kib go together/.test(e.message));
  assert.throws(() => dtbCommand(['-o', file, '--ram-mib', '2', '--dma-at', '0x803ff000', '--dma-kib', '4'], io), (e: unknown) => e instanceof UsageError && /lies outside RAM/.test(e.message));
});
