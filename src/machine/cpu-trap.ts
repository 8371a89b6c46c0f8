// Human-readable descriptions of traps, for fatal stops and the debugger.

import type { FatalInfo } from './types';
import { hex8 } from './abi';

const INTERRUPT_NAMES: Record<number, string> = {
  1: 'supervisor software interrupt',
  5: 'supervisor timer interrupt',
  9: 'supervisor external interrupt',
  3: 'machine software interrupt',
  7: 'machine timer interrupt',
  11: 'machine external interrupt',
};

/** What happened, without where: "illegal instruction 0x00000000", "load access fault at 0x...". */
export function describeTrap(cause: number, interrupt: boolean, tval: number): string {
  if (interrupt) return INTERRUPT_NAMES[cause] ?? `interrupt ${cause}`;
  switch (cause) {
    case 0: return `instruction address misaligned (target ${hex8(tval)})`;
    case 1: return `instruction access fault at ${hex8(tval)}`;
    case 2: return `illegal instruction ${hex8(tval)}`;
    case 3: return 'breakpoint (ebreak)';
    case 4: return `misaligned load from ${hex8(tval)}`;
    case 5: return `load access fault at ${hex8(tval)}`;
    case 6: return `misaligned store to ${hex8(tval)}`;
    case 7: return `store access fault at ${hex8(tval)}`;
    case 8: return 'environment call from U-mode (ecall)';
    case 9: return 'environment call from S-mode (ecall)';
    case 11: return 'environment call (ecall)';
    case 12: return `instruction page fault at ${hex8(tval)}`;
    case 13: return `load page fault at ${hex8(tval)}`;
    case 15: return `store page fault at ${hex8(tval)}`;
    default: return `exception ${cause}`;
  }
}

/** FatalInfo for a trap that cannot be delivered because its vector CSR (mtvec, or stvec when delegated) is 0. */
export function noHandlerFatal(cause: number, interrupt: boolean, pc: number, tval: number, vector = 'mtvec'): FatalInfo {
  const message = `${describeTrap(cause, interrupt, tval)} at pc ${hex8(pc)} (no trap handler: ${vector} is 0)`;
  return { cause, interrupt, pc: pc >>> 0, tval: tval >>> 0, message };
}

/** FatalInfo for an exception raised by the first instruction of the trap handler (it would loop forever). */
export function doubleFaultFatal(cause: number, pc: number, tval: number, vector = 'mtvec'): FatalInfo {
  const what = describeTrap(cause, false, tval);
  const message = `double fault: ${what} at pc ${hex8(pc)}, the entry of the trap handler (${vector})`;
  return { cause, interrupt: false, pc: pc >>> 0, tval: tval >>> 0, message };
}
