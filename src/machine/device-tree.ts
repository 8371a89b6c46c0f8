// The device tree of this machine, generated from its real configuration (RAM, hart, CLINT, PLIC, UART, test device, NIC, disk, entropy, virtio block and network), for an operating system to read at boot.

import { type FdtNode, node, writeFdt } from './fdt';
import { MemMap, PlicSource } from './types';

/** Guest timebase: mtime and the `time` CSR tick at 10 MHz, as on QEMU virt. */
export const TIMEBASE_HZ = 10_000_000;
/** The ISA string the hart implements (the kernel checks it for the extensions it needs). */
export const HART_ISA = 'rv32imac_zicsr_zifencei';

export interface DeviceTreeConfig {
  ramSize: number;
  /** The kernel command line (`/chosen/bootargs`). */
  bootargs: string;
  /** Where an initial RAM disk lies in RAM, when one is loaded apart from the kernel. */
  initrd?: { start: number; end: number };
  /** RAM the OS must leave alone (the firmware that stays resident in machine mode), from the start of RAM. */
  firmwareBytes?: number;
  /** RAM kept from the OS for a user-space driver's device DMA (Linux's /init drives Lockstep's NIC through /dev/mem). */
  dmaBuffer?: { start: number; size: number };
}

const PHANDLE_INTC = 1, PHANDLE_PLIC = 2, PHANDLE_TEST = 3;
/** Interrupt numbers of the hart's local interrupt controller (mip bits). */
const IRQ_M_SOFT = 3, IRQ_M_TIMER = 7, IRQ_S_EXT = 9, IRQ_M_EXT = 11;

const reg = (base: number, size: number): number[] => [base, size];

function hart(): FdtNode {
  const intc = node('interrupt-controller', [
    ['#address-cells', [0]], ['#interrupt-cells', [1]], ['interrupt-controller', true], ['compatible', 'riscv,cpu-intc'], ['phandle', [PHANDLE_INTC]],
  ]);
  const cpu = node('cpu@0', [
    ['device_type', 'cpu'], ['reg', [0]], ['status', 'okay'], ['compatible', 'riscv'],
    ['riscv,isa', HART_ISA], ['mmu-type', 'riscv,sv32'],
  ], [intc]);
  return node('cpus', [['#address-cells', [1]], ['#size-cells', [0]], ['timebase-frequency', [TIMEBASE_HZ]]], [cpu]);
}

/** Devices on the bus, by address (names and compatibles as QEMU virt gives them where the device is the same). */
function soc(): FdtNode {
  const irq = (source: number): [string, number[]][] => [['interrupt-parent', [PHANDLE_PLIC]], ['interrupts', [source]]];
  return node('soc', [['#address-cells', [1]], ['#size-cells', [1]], ['compatible', 'simple-bus'], ['ranges', true]], [
    node(`test@${MemMap.testDevice.toString(16)}`, [
      ['compatible', ['sifive,test1', 'sifive,test0', 'syscon']], ['reg', reg(MemMap.testDevice, 0x1000)], ['phandle', [PHANDLE_TEST]],
    ]),
    node(`clint@${MemMap.clint.toString(16)}`, [
      ['compatible', ['sifive,clint0', 'riscv,clint0']], ['reg', reg(MemMap.clint, 0x10000)],
      ['interrupts-extended', [PHANDLE_INTC, IRQ_M_SOFT, PHANDLE_INTC, IRQ_M_TIMER]],
    ]),
    // The PLIC's contexts in order: the hart's machine mode (MEIP), then its supervisor mode (SEIP), as on QEMU virt.
    node(`plic@${MemMap.plic.toString(16)}`, [
      ['compatible', ['sifive,plic-1.0.0', 'riscv,plic0']], ['reg', reg(MemMap.plic, 0x400_0000)],
      ['#address-cells', [0]], ['#interrupt-cells', [1]], ['interrupt-controller', true],
      ['riscv,ndev', [31]], ['interrupts-extended', [PHANDLE_INTC, IRQ_M_EXT, PHANDLE_INTC, IRQ_S_EXT]], ['phandle', [PHANDLE_PLIC]],
    ]),
    node(`serial@${MemMap.uart.toString(16)}`, [
      ['compatible', 'ns16550a'], ['reg', reg(MemMap.uart, 0x100)], ['clock-frequency', [3_686_400]], ...irq(PlicSource.uart),
    ]),
    node(`ethernet@${MemMap.nic.toString(16)}`, [['compatible', 'lockstep,nic'], ['reg', reg(MemMap.nic, 0x1000)], ...irq(PlicSource.nic)]),
    node(`disk@${MemMap.disk.toString(16)}`, [['compatible', 'lockstep,disk'], ['reg', reg(MemMap.disk, 0x1000)], ...irq(PlicSource.disk)]),
    node(`rng@${MemMap.entropy.toString(16)}`, [['compatible', 'lockstep,entropy'], ['reg', reg(MemMap.entropy, 0x1000)]]),
    node(`virtio_mmio@${MemMap.virtioNet.toString(16)}`, [['compatible', 'virtio,mmio'], ['reg', reg(MemMap.virtioNet, 0x1000)], ...irq(PlicSource.virtioNet)]),
    node(`virtio_mmio@${MemMap.virtioBlk.toString(16)}`, [['compatible', 'virtio,mmio'], ['reg', reg(MemMap.virtioBlk, 0x1000)], ...irq(PlicSource.virtioBlk)]),
  ]);
}

/**
 * RAM kept from the OS (no-map: not even mapped, as OpenSBI asks of Linux): the firmware's, and a DMA buffer that a
 * user-space driver maps through /dev/mem (the kernel must neither allocate nor map those pages itself).
 */
function reservedMemory(c: DeviceTreeConfig): FdtNode[] {
  const regions: FdtNode[] = [];
  if (c.firmwareBytes !== undefined) {
    regions.push(node(`firmware@${MemMap.ramBase.toString(16)}`, [['reg', reg(MemMap.ramBase, c.firmwareBytes)], ['no-map', true]]));
  }
  if (c.dmaBuffer !== undefined) {
    const { start, size } = c.dmaBuffer;
    regions.push(node(`dma@${start.toString(16)}`, [['compatible', 'lockstep,user-dma'], ['reg', reg(start, size)], ['no-map', true]]));
  }
  if (regions.length === 0) return [];
  return [node('reserved-memory', [['#address-cells', [1]], ['#size-cells', [1]], ['ranges', true]], regions)];
}

/** Why the DMA buffer cannot be reserved in this machine's RAM, or null when it can. */
export function dmaBufferProblem(c: DeviceTreeConfig): string | null {
  if (c.dmaBuffer === undefined) return null;
  const { start, size } = c.dmaBuffer;
  const end = start + size, ramEnd = MemMap.ramBase + c.ramSize;
  const what = `DMA buffer [0x${start.toString(16)}, 0x${end.toString(16)})`;
  if (size <= 0 || size % 0x1000 !== 0 || start % 0x1000 !== 0) return `${what} is not whole 4 KiB pages`;
  if (start < MemMap.ramBase || end > ramEnd) return `${what} lies outside RAM [0x${MemMap.ramBase.toString(16)}, 0x${ramEnd.toString(16)})`;
  if (c.firmwareBytes !== undefined && start < MemMap.ramBase + c.firmwareBytes) return `${what} overlaps the firmware's ${c.firmwareBytes} bytes`;
  return null;
}

function chosen(c: DeviceTreeConfig): FdtNode {
  const props: [string, string | number[]][] = [['bootargs', c.bootargs], ['stdout-path', `/soc/serial@${MemMap.uart.toString(16)}`]];
  if (c.initrd !== undefined) props.push(['linux,initrd-start', [c.initrd.start]], ['linux,initrd-end', [c.initrd.end]]);
  return node('chosen', props);
}

/** The blob describing a machine with `c.ramSize` bytes of RAM. */
export function machineDeviceTree(c: DeviceTreeConfig): Uint8Array {
  if (c.ramSize <= 0 || c.ramSize % 0x1000 !== 0) throw new Error(`RAM size ${c.ramSize} is not a positive multiple of 4 KiB`);
  if (c.firmwareBytes !== undefined && (c.firmwareBytes <= 0 || c.firmwareBytes % 0x1000 !== 0 || c.firmwareBytes >= c.ramSize)) {
    throw new Error(`firmware size ${c.firmwareBytes} is not a positive multiple of 4 KiB below the RAM size`);
  }
  const dmaProblem = dmaBufferProblem(c);
  if (dmaProblem !== null) throw new Error(dmaProblem);
  return writeFdt(node('', [
    ['#address-cells', [1]], ['#size-cells', [1]], ['compatible', 'lockstep,ft-vm'], ['model', 'Lockstep FT VM (RV32)'],
  ], [
    chosen(c),
    node(`memory@${MemMap.ramBase.toString(16)}`, [['device_type', 'memory'], ['reg', reg(MemMap.ramBase, c.ramSize)]]),
    ...reservedMemory(c),
    hart(),
    soc(),
    // Power-off and reboot write the test device's magic values (outside the bus node: they have no registers of their own).
    node('poweroff', [['compatible', 'syscon-poweroff'], ['regmap', [PHANDLE_TEST]], ['offset', [0]], ['value', [0x5555]]]),
    node('reboot', [['compatible', 'syscon-reboot'], ['regmap', [PHANDLE_TEST]], ['offset', [0]], ['value', [0x7777]]]),
  ]));
}
