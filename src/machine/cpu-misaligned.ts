// Misaligned loads and stores: performed, not trapped (what QEMU does), byte by byte on the slow path.
//
// The RAM fast paths (interpreter and translated code) only take aligned accesses; a misaligned one reaches
// Cpu.loadSlow/storeSlow, which come here. Every byte must lie in RAM: a misaligned access to a device or
// outside RAM raises the address-misaligned exception (cause 4 or 6, tval = the address), as before.
// With translation on, an access that crosses a page is translated page by page, the first part before the
// second; a fault in the second part reports that part's address (the first byte of the second page), as the
// privileged spec asks, and a store writes nothing unless both parts translate. LR, SC and AMOs still trap
// when misaligned (cpu.ts checks them before coming to the slow paths).

import type { Cpu } from './cpu';
import { translateData } from './cpu-paged';
import { Access } from './mmu';
import { PAGE_SHIFT, PAGE_SIZE } from './ram';

/** A misaligned load of `size` bytes at virtual address `va`: the value (sign-extended when `signed`), or 0 after a trap. */
export function loadMisaligned(cpu: Cpu, va: number, size: 2 | 4, signed: boolean, pc: number, instret: number): number {
  const n1 = firstPart(cpu, va, size);
  const pa1 = physical(cpu, va, va, n1, Access.Load, pc, instret);
  if (cpu.faulted) return 0;
  const pa2 = n1 === size ? pa1 + n1 : physical(cpu, va, (va + n1) >>> 0, size - n1, Access.Load, pc, instret);
  if (cpu.faulted) return 0;
  const bytes = cpu.ram.bytes, base = cpu.ram.base;
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = (v << 8) | bytes[(i < n1 ? pa1 + i : pa2 + i - n1) - base];
  if (size === 4) return v | 0;
  return signed ? (v << 16) >> 16 : v;
}

/** A misaligned store of the low `size` bytes of `value` at virtual address `va` (nothing written after a trap). */
export function storeMisaligned(cpu: Cpu, va: number, size: 2 | 4, value: number, pc: number, instret: number): void {
  const n1 = firstPart(cpu, va, size);
  const pa1 = physical(cpu, va, va, n1, Access.Store, pc, instret);
  if (cpu.faulted) return;
  const pa2 = n1 === size ? pa1 + n1 : physical(cpu, va, (va + n1) >>> 0, size - n1, Access.Store, pc, instret);
  if (cpu.faulted) return;
  for (let i = 0; i < size; i++) storeByte(cpu, i < n1 ? pa1 + i : pa2 + i - n1, value >>> (8 * i), pc, instret);
}

/** Bytes of the access that lie on its first page when translating (pages may map anywhere), else all of them. */
function firstPart(cpu: Cpu, va: number, size: number): number {
  if (cpu.xlate === 0) return size;
  return Math.min(size, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
}

/**
 * The physical address of the `n` bytes at virtual `partVa` (part of the access at `va`), or a trap: a page or
 * access fault of the part (tval = `partVa`), or address-misaligned (tval = `va`) when the bytes are not all RAM.
 */
function physical(cpu: Cpu, va: number, partVa: number, n: number, access: Access, pc: number, instret: number): number {
  cpu.faulted = false;
  const pa = cpu.xlate === 0 ? partVa : translateData(cpu, partVa, n, access, pc, instret);
  if (cpu.faulted) return 0;
  if (!cpu.ram.contains(pa, n)) {
    cpu.trap(access === Access.Load ? 4 : 6, va, pc, instret);
    return 0;
  }
  return pa;
}

/** One byte into RAM at physical `pa`, with the bookkeeping of any store (dirty bits, decoded code, the HTIF mailbox). */
function storeByte(cpu: Cpu, pa: number, value: number, pc: number, instret: number): void {
  const ram = cpu.ram, off = pa - ram.base, p = off >>> PAGE_SHIFT;
  ram.bytes[off] = value & 0xff;
  ram.dirty[p] = 1;
  ram.hashDirty[p] = 1;
  if (cpu.codePage[p] !== 0) cpu.storeHook(pa, 1, value & 0xff, pc, instret);
}
