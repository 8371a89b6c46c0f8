// Sv32 address translation: the two-level page-table walk with the spec's checks, hardware A/D updates, and a small direct-mapped TLB.
//
// Choices the privileged spec leaves open (docs/design/privilege.md):
// - A/D bits are set by the walker (as QEMU does), never reported as page faults; the PTE write marks its
//   RAM page written like any store.
// - Physical addresses are 34 bits in Sv32; the bus is 32 bits, so PPN bits above 19 are dropped.
// - Page tables live in RAM: a PTE address outside RAM, or one the PMP does not let S-mode read (or write, to set
//   A/D), is an access fault of the access being translated.
// - The TLB holds one leaf per 4 KiB virtual page (a 4 MiB superpage fills it page by page), keeps the
//   PTE's permission bits and checks them on every access (privilege, SUM and MXR may change without a
//   flush). It is flushed whole by sfence.vma (any operands) and by satp writes: flushing more than asked is allowed.

import type { Ram } from './ram';
import { MSTATUS_MXR, MSTATUS_SUM, PRIV_U } from './priv';

export const enum Access { Fetch = 0, Load = 1, Store = 2 }

/** translate's answers besides a physical address. */
export const PAGE_FAULT = -1;
export const ACCESS_FAULT = -2;

const PTE_V = 1 << 0;
const PTE_R = 1 << 1;
const PTE_W = 1 << 2;
const PTE_X = 1 << 3;
const PTE_U = 1 << 4;
const PTE_A = 1 << 6;
const PTE_D = 1 << 7;
const LEVELS = 2;
const SATP_PPN_MASK = 0x3fffff;
/** TLB entries (a power of two), indexed by the low bits of the virtual page number. */
export const TLB_SIZE = 64;
const EMPTY = -1;

/** What the walker reads and tells: the CPU implements it. */
export interface MmuHost {
  readonly ram: Ram;
  readonly satp: number;
  readonly mstatus: number;
  /** The walker set A/D bits in the PTE at RAM offset `off` (the host marks the page written). */
  pteWritten(off: number, value: number): void;
  /** Physical memory protection lets the walker read (or write, for A/D) the PTE at physical `pa` (S-mode's permission). */
  ptePermitted(pa: number, write: boolean): boolean;
}

/** The TLB as plain data (snapshots): the virtual page number of each slot (-1: empty) and its leaf PTE. */
export interface TlbState { vpn: number[]; pte: number[] }

export class Mmu {
  private readonly vpns = new Int32Array(TLB_SIZE).fill(EMPTY);
  private readonly ptes = new Int32Array(TLB_SIZE);

  constructor(private readonly host: MmuHost) {}

  /**
   * The physical address of `va` for `access` at privilege `priv` (S or U; Sv32 on), or PAGE_FAULT /
   * ACCESS_FAULT. A store that hits a TLB entry without D walks again (which sets D).
   */
  translate(va: number, access: Access, priv: number): number {
    const vpn = va >>> 12, slot = vpn & (TLB_SIZE - 1);
    if (this.vpns[slot] !== vpn || (access === Access.Store && (this.ptes[slot] & PTE_D) === 0)) {
      const fault = this.walk(va, access, priv, slot);
      if (fault !== 0) return fault;
    } else if (!this.allowed(this.ptes[slot], access, priv)) {
      return PAGE_FAULT;
    }
    return (((this.ptes[slot] >>> 10) << 12) | (va & 0xfff)) >>> 0;
  }

  /** Drops every entry (sfence.vma, satp writes). */
  flush(): void {
    this.vpns.fill(EMPTY);
    this.ptes.fill(0);
  }

  getState(): TlbState {
    return { vpn: Array.from(this.vpns), pte: Array.from(this.ptes) };
  }

  setState(s: TlbState): void {
    if (s.vpn.length !== TLB_SIZE || s.pte.length !== TLB_SIZE) throw new Error(`Mmu.setState: ${s.vpn.length} TLB entries, expected ${TLB_SIZE}`);
    this.vpns.set(s.vpn);
    this.ptes.set(s.pte);
  }

  /**
   * The physical address `va` maps to under the current satp, or -1: a walk for the debugger, with no side effect (no
   * TLB fill, no A/D update) and no permission check (it shows what a page holds whatever the mode may do with it).
   */
  peek(va: number): number {
    const ram = this.host.ram;
    let table = ((this.host.satp & SATP_PPN_MASK) << 12) >>> 0;
    for (let level = LEVELS - 1; level >= 0; level--) {
      const off = ((table + ((va >>> (12 + 10 * level)) & 0x3ff) * 4) >>> 0) - ram.base;
      if (off < 0 || off + 4 > ram.size) return -1;
      const pte = ram.dv.getInt32(off, true);
      if ((pte & PTE_V) === 0 || ((pte & PTE_R) === 0 && (pte & PTE_W) !== 0)) return -1;
      if ((pte & (PTE_R | PTE_X)) !== 0) {
        if (level > 0 && ((pte >>> 10) & 0x3ff) !== 0) return -1; // misaligned superpage
        const pageMask = level > 0 ? 0x3f_ffff : 0xfff;
        return ((((pte >>> 10) << 12) & ~pageMask) | (va & pageMask)) >>> 0;
      }
      table = ((pte >>> 10) << 12) >>> 0;
    }
    return -1;
  }

  /** The two-level walk; on success the leaf is in TLB slot `slot` and 0 is returned. */
  private walk(va: number, access: Access, priv: number, slot: number): number {
    const ram = this.host.ram;
    let table = ((this.host.satp & SATP_PPN_MASK) << 12) >>> 0;
    for (let level = LEVELS - 1; level >= 0; level--) {
      const vpnPart = (va >>> (12 + 10 * level)) & 0x3ff;
      const off = ((table + vpnPart * 4) >>> 0) - ram.base;
      if (off < 0 || off + 4 > ram.size || !this.host.ptePermitted(ram.base + off, false)) return ACCESS_FAULT;
      const pte = ram.dv.getInt32(off, true);
      if ((pte & PTE_V) === 0 || ((pte & PTE_R) === 0 && (pte & PTE_W) !== 0)) return PAGE_FAULT;
      if ((pte & (PTE_R | PTE_X)) !== 0) return this.leaf(va, access, priv, level, pte, off, slot);
      table = ((pte >>> 10) << 12) >>> 0;
    }
    return PAGE_FAULT; // a pointer at the last level
  }

  /** Checks a leaf found at `level`, sets A (and D for stores) in RAM, and fills the TLB slot. */
  private leaf(va: number, access: Access, priv: number, level: number, pte: number, off: number, slot: number): number {
    if (!this.allowed(pte, access, priv)) return PAGE_FAULT;
    if (level > 0 && ((pte >>> 10) & 0x3ff) !== 0) return PAGE_FAULT; // misaligned superpage
    const ad = access === Access.Store ? PTE_A | PTE_D : PTE_A;
    let leafPte = pte;
    if ((pte & ad) !== ad) {
      if (!this.host.ptePermitted(this.host.ram.base + off, true)) return ACCESS_FAULT;
      leafPte = pte | ad;
      this.host.ram.dv.setInt32(off, leafPte, true);
      this.host.pteWritten(off, leafPte);
    }
    // A superpage's leaf for this 4 KiB page: VPN[0] goes into PPN[0].
    if (level > 0) leafPte |= ((va >>> 12) & 0x3ff) << 10;
    this.vpns[slot] = va >>> 12;
    this.ptes[slot] = leafPte;
    return 0;
  }

  /** R/W/X as the access needs them (MXR lets loads read executable pages), and the U bit against the privilege and SUM. */
  private allowed(pte: number, access: Access, priv: number): boolean {
    const mstatus = this.host.mstatus;
    const rwx = access === Access.Fetch ? (pte & PTE_X) !== 0
      : access === Access.Load ? (pte & PTE_R) !== 0 || ((mstatus & MSTATUS_MXR) !== 0 && (pte & PTE_X) !== 0)
        : (pte & PTE_W) !== 0;
    if (!rwx) return false;
    if ((pte & PTE_U) === 0) return priv !== PRIV_U;
    return priv === PRIV_U || (access !== Access.Fetch && (mstatus & MSTATUS_SUM) !== 0);
  }
}
