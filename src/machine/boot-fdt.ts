// A program that boots an operating system asks for the machine's device tree by symbols: the buffer it goes into, the command line, the RAM the OS must leave alone and its initramfs; the machine writes the tree there at load.

import { dmaBufferProblem, machineDeviceTree } from './device-tree';
import { ProgramFitError, type Program, type ProgramSymbol } from './program';
import type { Ram } from './ram';

/** The buffer the device tree is written into (an object symbol with its size). */
export const FDT_SYMBOL = '__lockstep_fdt';
/** The kernel command line, a NUL-terminated string in the program (optional: empty without it). */
export const BOOTARGS_SYMBOL = '__lockstep_bootargs';
/** The end of the resident firmware (its code, data and stacks), reserved from the OS in the tree (optional). */
export const FIRMWARE_END_SYMBOL = '__lockstep_fw_end';
/** A buffer the OS must leave alone for a user-space driver's DMA (an object symbol with its size; optional), reserved in the tree. */
export const DMA_BUFFER_SYMBOL = '__lockstep_dma';
/** An initramfs for the kernel (an object symbol with its size; optional, none when empty), named in the tree's /chosen. */
export const INITRD_SYMBOL = '__lockstep_initrd';
/** Longest command line read (Linux's COMMAND_LINE_SIZE on RISC-V). */
const BOOTARGS_MAX = 1024;

const symbolNamed = (p: Program, name: string): ProgramSymbol | undefined => p.symbols.find((s) => s.name === name);

/** The string at `sym` in RAM, up to its NUL (or its size, or BOOTARGS_MAX). */
function readString(ram: Ram, sym: ProgramSymbol): string {
  const limit = Math.min(sym.size > 0 ? sym.size : BOOTARGS_MAX, BOOTARGS_MAX);
  let s = '';
  for (let i = 0; i < limit; i++) {
    const b = ram.bytes[(sym.addr >>> 0) - ram.base + i];
    if (b === 0) break;
    s += String.fromCharCode(b);
  }
  return s;
}

/**
 * Writes the device tree of a machine with this RAM into the program's FDT_SYMBOL buffer, when it has one (after its
 * segments are loaded). Returns the blob's address, or undefined for a program that asks for none. Throws when the
 * buffer is too small or lies outside RAM, or the program's DMA buffer does not fit the machine (ProgramFitError).
 */
export function placeDeviceTree(program: Program, ram: Ram): number | undefined {
  const buf = symbolNamed(program, FDT_SYMBOL);
  if (buf === undefined) return undefined;
  const at = buf.addr >>> 0;
  const bootSym = symbolNamed(program, BOOTARGS_SYMBOL);
  const bootargs = bootSym === undefined || !ram.contains(bootSym.addr >>> 0, 1) ? '' : readString(ram, bootSym);
  const fwEnd = symbolNamed(program, FIRMWARE_END_SYMBOL);
  const firmwareBytes = fwEnd === undefined ? undefined : Math.ceil(((fwEnd.addr >>> 0) - ram.base) / 0x1000) * 0x1000;
  const dma = symbolNamed(program, DMA_BUFFER_SYMBOL);
  const dmaBuffer = dma === undefined ? undefined : { start: dma.addr >>> 0, size: dma.size };
  const rd = symbolNamed(program, INITRD_SYMBOL);
  const initrd = rd === undefined || rd.size === 0 ? undefined : { start: rd.addr >>> 0, end: (rd.addr >>> 0) + rd.size };
  if (initrd !== undefined && !ram.contains(initrd.start, initrd.end - initrd.start)) throw new ProgramFitError(`${program.origin}: ${INITRD_SYMBOL} [0x${initrd.start.toString(16)}, 0x${initrd.end.toString(16)}) lies outside RAM`);
  const config = { ramSize: ram.size, bootargs, firmwareBytes, dmaBuffer, initrd };
  const dmaProblem = dmaBufferProblem(config);
  if (dmaProblem !== null) throw new ProgramFitError(`${program.origin}: ${DMA_BUFFER_SYMBOL}: ${dmaProblem}`);
  const blob = machineDeviceTree(config);
  if (blob.length > buf.size) throw new ProgramFitError(`${program.origin}: the device tree needs ${blob.length} bytes, but ${FDT_SYMBOL} has ${buf.size}`);
  if (!ram.contains(at, buf.size)) throw new ProgramFitError(`${program.origin}: ${FDT_SYMBOL} at 0x${at.toString(16)} lies outside RAM`);
  ram.bytes.set(blob, at - ram.base);
  ram.markWritten(at - ram.base, blob.length);
  return at;
}
