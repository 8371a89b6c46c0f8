// Running with address translation or protection on (Sv32 below M, M-mode loads and stores through MPRV, or
// physical memory protection that does not open all of RAM): fetches and data accesses through the MMU and the PMP.
//
// The decode cache is tagged by pc. With translation on, `runTranslated` runs the interpreter loop, whose
// misses fetch through the MMU and PMP (`fetchThroughMmu`) and keep the decoding under an odd tag (pc | 1) with
// the privilege it was fetched at: physical pcs have even tags, so neither run takes the other's decodings.
// Kept decodings go with the TLB (satp, sfence.vma, PMP) and when their physical bytes change (Cpu.dropTranslated).
// Loads and stores take the slow paths (execute sees cpu.xlate), which call `translateData`. The bare-metal fast
// path (the JIT) is never consulted. docs/design/privilege.md has the rules and the figures.

import type { Cpu } from './cpu';
import { execute } from './cpu-exec';
import { type Decoded, decode } from './decode';
import { ACCESS_FAULT, Access, PAGE_FAULT } from './mmu';
import { PRIV_M, dataPriv } from './priv';
import { SATP_MODE_SV32 } from './csr';

/** Page-fault and access-fault causes by Access (fetch, load, store/AMO). */
const PAGE_FAULT_CAUSE = [12, 13, 15];
const ACCESS_FAULT_CAUSE = [1, 5, 7];

/**
 * Runs until instret reaches `limit` or cpu.attn is raised (the contract of `execute`): the interpreter loop itself,
 * whose decode-cache misses fetch through the MMU (Cpu.fetchMiss) and keep the decoding under an odd tag, the
 * virtual pc | 1, with the privilege it was fetched at: never confused with a physical pc's (even) tag.
 */
export function runTranslated(cpu: Cpu, limit: number): void {
  while (!cpu.attn && cpu.instret < limit) execute(cpu, limit);
}

/**
 * Fetches and decodes the instruction at virtual `pc` into cpu.missW/missImm; false after a fetch fault (trap taken).
 * Sets cpu.fetchKeepable (the decoding may be kept: it does not straddle two pages) and then flags the code's page,
 * so a store there drops what is kept (Cpu.invalidateRange).
 */
export function fetchThroughMmu(cpu: Cpu, out: Decoded, pc: number, instret: number): boolean {
  const lo = fetchParcel(cpu, pc >>> 0, pc, instret);
  if (lo < 0) return false;
  let bits = lo;
  const wide = (lo & 3) === 3;
  if (wide) {
    const hi = fetchParcel(cpu, (pc + 2) >>> 0, pc, instret); // may lie on the next page
    if (hi < 0) return false;
    bits = lo | (hi << 16);
  }
  decode(bits, out);
  cpu.missW = out.w;
  cpu.missImm = out.imm;
  cpu.fetchKeepable = !wide || (pc & 0xfff) !== 0xffe;
  if (cpu.fetchKeepable) cpu.markTranslatedCode(cpu.fetchedPa);
  return true;
}

/** The 16-bit parcel at virtual address `va` (its physical address in cpu.fetchedPa), or -1 after a fetch fault trap (tval = va). */
function fetchParcel(cpu: Cpu, va: number, pc: number, instret: number): number {
  const pa = translate(cpu, va, 2, Access.Fetch, cpu.priv, pc, instret);
  if (cpu.faulted) return -1;
  const ram = cpu.ram, off = pa - ram.base;
  if (off < 0 || off + 2 > ram.size) {
    cpu.trap(1, va, pc, instret);
    return -1;
  }
  if (va === pc >>> 0) cpu.fetchedPa = pa;
  return ram.bytes[off] | (ram.bytes[off + 1] << 8);
}

/** The physical address of a `size`-byte load or store at `va` (the privilege MPRV selects), or a trap (cpu.faulted set). */
export function translateData(cpu: Cpu, va: number, size: number, access: Access, pc: number, instret: number): number {
  return translate(cpu, va, size, access, dataPriv(cpu), pc, instret);
}

/** Sv32 (below M with paging on), then physical memory protection: the physical address, or a trap. */
function translate(cpu: Cpu, va: number, size: number, access: Access, priv: number, pc: number, instret: number): number {
  cpu.faulted = false;
  let pa = va;
  if (priv !== PRIV_M && (cpu.satp & SATP_MODE_SV32) !== 0) {
    pa = cpu.mmu.translate(va, access, priv);
    if (pa < 0) {
      if (pa !== PAGE_FAULT && pa !== ACCESS_FAULT) throw new Error(`invariant: translate answered ${pa}`);
      cpu.trap(pa === PAGE_FAULT ? PAGE_FAULT_CAUSE[access] : ACCESS_FAULT_CAUSE[access], va, pc, instret);
      return 0;
    }
  }
  if (!cpu.pmpAllows(pa, size, access, priv)) {
    cpu.trap(ACCESS_FAULT_CAUSE[access], va, pc, instret);
    return 0;
  }
  return pa;
}
