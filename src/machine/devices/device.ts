// What every guest device shares: the host interface it uses to reach the machine, its snapshot contract, interrupt lines.

import type { GuestOutput, ReadKind } from '../types';
import type { MmioDevice } from '../bus';
import type { Ram } from '../ram';

/**
 * The machine as a device sees it. Devices never hold the CPU or the environment directly:
 * the machine supplies them through this object, so the environment can be swapped and the
 * current instruction's instret/pc are always right.
 */
export interface DeviceHost {
  readonly ram: Ram;
  /** Environment read at the current instruction (time, cycle, entropy). */
  read(kind: ReadKind): number;
  /** Environment output at the current instruction. */
  output(out: GuestOutput): void;
  /** Raises or lowers a CPU interrupt-pending bit (MSIP=3, MTIP=7, SEIP=9, MEIP=11). */
  setCpuIrq(bit: number, level: boolean): void;
  /** The guest powered the machine off. */
  powerOff(code: number): void;
  /** RAM in [addr, addr+len) changed behind the CPU's back (DMA): drop decoded instructions there. */
  invalidateCode(addr: number, len: number): void;
}

/** One interrupt line into the PLIC. */
export interface IrqLine {
  set(level: boolean): void;
}

/** A memory-mapped device whose whole state is plain, structured-clone-able data. */
export interface Device<S> extends MmioDevice {
  /** A copy of the state; later device activity never changes it. */
  getState(): S;
  /** Replaces the state with a copy of `s`. Does not touch CPU interrupt bits (the CPU state carries mip). */
  setState(s: S): void;
  /** Human-readable registers for a debugger's Devices scope. */
  describe(): Record<string, string | number | boolean>;
}

/** True for a naturally aligned 32-bit access. */
export function isWord(offset: number, size: number): boolean {
  return size === 4 && (offset & 3) === 0;
}

/** Appends to a bounded queue; false when it is full (the caller counts the drop). */
export function pushBounded<T>(queue: T[], item: T, capacity: number): boolean {
  if (queue.length >= capacity) return false;
  queue.push(item);
  return true;
}
