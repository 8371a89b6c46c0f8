// Calls and returns in guest code: the one decoder the forward stepper, reverse stepping and the unwinder share.

import type { Machine } from './machine';

/**
 * What an instruction does to the call depth. A call links the return address in `ra` (jal, jalr,
 * c.jal, c.jalr); a return jumps through `ra` with no link (ret, c.jr ra) or is `mret`. Millicode
 * links in `t0` (`jal t0, __riscv_save_N` … `jr t0`) are neither: they run as part of the caller's
 * prologue and epilogue, move sp, and make no frame of their own.
 */
export type ControlKind = 'call' | 'return' | 'other';

/** Classifies one instruction word (a 16-bit parcel when compressed). */
export function controlKind(w: number): ControlKind {
  if ((w & 3) !== 3) return compressedKind(w & 0xffff);
  const op = w & 0x7f;
  const rd = (w >>> 7) & 31;
  if (op === 0x6f) return rd === 1 ? 'call' : 'other';
  if (op === 0x67) {
    if (rd === 1) return 'call';
    return rd === 0 && ((w >>> 15) & 31) === 1 ? 'return' : 'other';
  }
  return (w >>> 0) === 0x30200073 ? 'return' : 'other'; // mret
}

function compressedKind(h: number): ControlKind {
  if ((h & 0xe003) === 0x2001) return 'call'; // c.jal (RV32)
  if ((h & 0xf07f) === 0x9002 && ((h >>> 7) & 31) !== 0) return 'call'; // c.jalr rs1
  return h === 0x8082 ? 'return' : 'other'; // c.jr ra
}

/** +1 for a call, -1 for a return, 0 otherwise. */
export function depthDelta(w: number): number {
  const k = controlKind(w);
  return k === 'call' ? 1 : k === 'return' ? -1 : 0;
}

/** The word at `addr` as the hart's current mode addresses memory (virtual under paging), or undefined. */
export function readWord(m: Machine, addr: number): number | undefined {
  return m.view.word(addr, 4);
}

export function readParcel(m: Machine, addr: number): number | undefined {
  return m.view.word(addr, 2);
}

/** The instruction at addr in guest RAM (the 16-bit parcel when compressed) and its length. */
export function fetchInstruction(m: Machine, addr: number): { w: number; len: 2 | 4 } | undefined {
  const lo = readParcel(m, addr);
  if (lo === undefined) return undefined;
  if ((lo & 3) !== 3) return { w: lo, len: 2 };
  const w = readWord(m, addr);
  return w === undefined ? undefined : { w, len: 4 };
}

/** The call at addr (its length, to find the return address), or undefined when that is no call. */
export function callAt(m: Machine, addr: number): { len: 2 | 4 } | undefined {
  const f = fetchInstruction(m, addr);
  return f !== undefined && controlKind(f.w) === 'call' ? { len: f.len } : undefined;
}

/** How the instruction at addr changes the call depth (0 where there is no readable instruction). */
export function depthChangeAt(m: Machine, addr: number): number {
  const f = fetchInstruction(m, addr);
  return f === undefined ? 0 : depthDelta(f.w);
}
