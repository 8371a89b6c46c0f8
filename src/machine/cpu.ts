// The hart: RV32IMAC + Zicsr + Zifencei with M, S and U modes and Sv32 — registers, CSRs, traps, interrupts, decode cache, run loop (interpreter, fast path, or translated).

import type { Bus } from './bus';
import type { Ram } from './ram';
import { PAGE_SHIFT } from './ram';
import type { Environment, FatalInfo, StopReason } from './types';
import { DC_BASE, DC_EMPTY, DC_MASK, DC_SIZE, DC_STRIDE, Op, RD_SINK, execute } from './cpu-exec';
import { doubleFaultFatal, noHandlerFatal } from './cpu-trap';
import { type CsrHost, SATP_MODE_SV32, csrAccessible, csrExists, csrPeek, csrPoke, csrRead, csrReadOnly, csrWrite } from './csr';
import { fetchThroughMmu, runTranslated, translateData } from './cpu-paged';
import { loadMisaligned, storeMisaligned } from './cpu-misaligned';
import { Access, Mmu, type MmuHost, type TlbState } from './mmu';
import { Pmp, type PmpState } from './pmp';
import {
  MSTATUS_MPP, MSTATUS_MPP_SHIFT, MSTATUS_RESET, MSTATUS_SPP, MSTATUS_TSR, MSTATUS_TVM, MSTATUS_TW, PRIV_M, PRIV_S, PRIV_U,
  dataPriv, mstatusOnMret, mstatusOnSret, mstatusOnTrap, pendingInterrupt, trapsToS,
} from './priv';
import { type Decoded, decode } from './decode';
import { HOST_LITTLE_ENDIAN, Jit, PAGE_JIT } from './jit';

/** Plain-data CPU state (structured-clone-able): snapshots and hashes. */
export interface CpuState {
  x: number[];
  pc: number;
  instret: number;
  /** Privilege level: 0 = U, 1 = S, 3 = M. */
  priv: number;
  csr: {
    mstatus: number; mie: number; mip: number; mtvec: number; mscratch: number;
    mepc: number; mcause: number; mtval: number;
    medeleg: number; mideleg: number; mcounteren: number;
    stvec: number; sscratch: number; sepc: number; scause: number; stval: number; satp: number; scounteren: number;
    cycleOffset: number; instretOffset: number; lastTime: number; lastCycle: number;
  };
  /** The TLB (its contents are observable when a guest changes a PTE without sfence.vma). */
  tlb: TlbState;
  /** Physical memory protection: pmpcfg bytes and pmpaddr values. */
  pmp: PmpState;
  /** LR reservation address, or -1. */
  reservation: number;
  /** Stopped in wfi, waiting for an interrupt. */
  waiting: boolean;
  exitCode: number | null;
  /** Entry pc and instret of the last trap (double-fault detection). */
  trapTarget: number;
  trapInstret: number;
}

export interface WatchRange { addr: number; len: number }
export interface WatchHit { addr: number; size: number; pc: number }

/** Decode-cache page flags (Cpu.codePage). */
const PAGE_CODE = 1;
const PAGE_TOHOST = 2;
/** Code on this page was decoded under translation (kept in odd-tagged decode-cache slots). */
const PAGE_VCODE = 8;
/** Odd-tagged decode-cache slots listed for dropping without a scan; more than this: a scan. */
const VSLOTS_MAX = 8192;

/** Encodings of the privileged instructions, for mtval when one is illegal in the current mode. */
const MRET_BITS = 0x30200073;
const SRET_BITS = 0x10200073;
const WFI_BITS = 0x10500073;

export class Cpu implements CsrHost, MmuHost {
  /**
   * Whether new Cpus run translated code (jit.ts) when no breakpoint or watchpoint is set. Results are
   * bit-identical either way; tests and benchmarks turn it off to measure or compare the interpreter.
   */
  static fastPathDefault = true;
  /** Registers (x0..x31, sink slot 32 for writes to x0) at 0..32, then the decode cache from DC_BASE. */
  readonly core: Int32Array;
  readonly regs: Int32Array;
  readonly x: Int32Array;
  /** Decode cache, DC_STRIDE int32s per slot: tag (pc, DC_EMPTY if none), packed word, immediate. */
  readonly dc: Int32Array;
  /** Whether the last fetch through the MMU may be kept (not an instruction straddling two pages), and its physical address. */
  fetchKeepable = false;
  fetchedPa = 0;
  /** Decode-cache slots given odd tags (code decoded under translation) since they were last dropped; vcount > VSLOTS_MAX: too many to list. */
  private readonly vslots = new Int32Array(VSLOTS_MAX);
  private vcount = 0;
  pc = 0;
  instret = 0;
  mip = 0; mie = 0; mstatus = MSTATUS_RESET; mtvec = 0; mscratch = 0; mepc = 0; mcause = 0; mtval = 0;
  medeleg = 0; mideleg = 0; mcounteren = 0;
  stvec = 0; sscratch = 0; sepc = 0; scause = 0; stval = 0; satp = 0; scounteren = 0;
  /** Privilege level: 0 = U, 1 = S, 3 = M (reset: M). */
  priv = PRIV_M;
  /**
   * 1 when some access is translated (satp is Sv32 and the hart, or M-mode loads and stores through
   * MPRV, run below M): the run loop then goes through cpu-paged.ts; 0 keeps every fast path.
   */
  xlate = 0;
  cycleOffset = 0; instretOffset = 0; lastTime = 0; lastCycle = 0;
  reservation = -1;
  waiting = false;
  fatal: FatalInfo | null = null;
  exitCode: number | null = null;
  lastWatchHit: WatchHit | null = null;

  // ---- shared with cpu-exec.ts (internal) ----
  /** Something needs the run loop's attention (interrupt, stop, exit, watchpoint, breakpoint, fatal). */
  attn = false;
  /** The last slow-path access trapped (cpu.pc is the handler). */
  faulted = false;
  /** Decode result of the last fetchMiss. */
  missW = 0;
  missImm = 0;
  /** Per RAM page: PAGE_CODE if instructions were decoded from it, PAGE_TOHOST if it holds tohost. */
  readonly codePage: Uint8Array;
  watchRanges: WatchRange[] = [];
  /** Run translated code when possible (see Cpu.fastPathDefault). */
  fastPath = Cpu.fastPathDefault;
  /** The fast path: compiled regions of guest code and their invalidation. */
  readonly jit: Jit;
  /** Sv32 translation and the TLB. */
  readonly mmu: Mmu = new Mmu(this);
  /** Physical memory protection (pmpcfg/pmpaddr). */
  readonly pmp: Pmp;

  private readonly breakpoints = new Set<number>();
  private stopRequested = false;
  private watchHit = false;
  private bpHit = false;
  private bpSkipPc = DC_EMPTY;
  /** The pc of the last breakpoint stop (or of `stepOffBreakpoint`): the next run() steps off it. */
  private resumeSkipPc = DC_EMPTY;
  private runStartInstret = 0;
  private trapTarget = DC_EMPTY;
  private trapInstret = -1;
  private tohostAddr = -1;
  private readonly decoded: Decoded = { w: 0, imm: 0 };

  constructor(readonly ram: Ram, readonly bus: Bus, readonly env: Environment) {
    // The core and the page flags live beside RAM in its WebAssembly memory (ram.ts), where translated code reaches them.
    this.core = ram.core;
    this.regs = this.core.subarray(0, 33);
    this.x = this.core.subarray(0, 32);
    this.dc = this.core.subarray(DC_BASE);
    this.codePage = ram.codePage;
    this.pmp = new Pmp(ram.base, ram.size);
    // pc before the Jit: setting it changes this object's map (a small integer field becomes a double),
    // and the Jit's RegionEnv records the map of the Cpu it holds; every later Cpu then has that map.
    this.pc = ram.base;
    this.jit = new Jit(this);
    this.flushDecodeCache();
  }

  /** HTIF mailbox: a 32-bit store of v with bit 0 set to this address powers off with code v >>> 1 (-1 = none). */
  get tohost(): number {
    return this.tohostAddr;
  }

  set tohost(addr: number) {
    if (this.tohostAddr !== -1 && this.ram.contains(this.tohostAddr, 4)) {
      this.codePage[(this.tohostAddr - this.ram.base) >>> PAGE_SHIFT] &= ~PAGE_TOHOST;
    }
    this.tohostAddr = addr === -1 ? -1 : addr >>> 0;
    if (this.tohostAddr !== -1 && this.ram.contains(this.tohostAddr, 4)) {
      this.codePage[(this.tohostAddr - this.ram.base) >>> PAGE_SHIFT] |= PAGE_TOHOST;
    }
  }

  /**
   * Raises or lowers an interrupt-pending line: MSIP=3, MTIP=7, SEIP=9 (the PLIC's S-mode context), MEIP=11. SEIP is
   * also writable by M-mode software; the PLIC's line sets and clears the same bit (no firmware of ours writes it).
   */
  setIrq(bit: number, level: boolean): void {
    if (bit !== 3 && bit !== 7 && bit !== 9 && bit !== 11) throw new Error(`setIrq: no interrupt line ${bit}`);
    this.mip = level ? this.mip | (1 << bit) : this.mip & ~(1 << bit);
    this.checkIrq();
  }

  /** Flags the run loop when an interrupt can be taken (or ends a wfi). */
  checkIrq(): void {
    if ((this.mip & this.mie) !== 0 && (this.waiting || pendingInterrupt(this) >= 0)) this.attn = true;
  }

  /** After satp, mstatus, the privilege or the PMP changed: recomputes `xlate`; the run loop re-dispatches when it changed. */
  translationChanged(satpWritten: boolean): void {
    if (satpWritten) {
      this.mmu.flush();
      this.dropVirtualCode(); // the decodings kept under odd tags hold translations, like the TLB
    }
    const xlate = this.translating();
    if (xlate !== this.xlate) {
      this.xlate = xlate;
      this.attn = true;
    }
  }

  /**
   * What `xlate` should be now: 1 when satp is Sv32 and the hart, or its loads and stores (MPRV), run below M,
   * or when the PMP does not open all of RAM to the privilege of fetches or of loads and stores (pmp.ts).
   */
  private translating(): number {
    const d = dataPriv(this);
    if ((this.satp & SATP_MODE_SV32) !== 0 && (this.priv !== PRIV_M || d !== PRIV_M)) return 1;
    return this.pmp.ramOpen(this.priv) && this.pmp.ramOpen(d) ? 0 : 1;
  }

  /** Whether the PMP lets privilege `priv` access `size` bytes at physical `pa` (access: fetch, load, store). */
  pmpAllows(pa: number, size: number, access: Access, priv: number): boolean {
    return (this.pmp.ramOpen(priv) && this.ram.contains(pa, size)) || this.pmp.allows(pa, size, access, priv);
  }

  /** The page-table walker may read (or, for A/D, write) the PTE at physical `pa`: S-mode's PMP permission. */
  ptePermitted(pa: number, write: boolean): boolean {
    return this.pmpAllows(pa, 4, write ? Access.Store : Access.Load, PRIV_S);
  }

  /** The page-table walker set A/D bits: the PTE's page was written like by a store. */
  pteWritten(off: number, value: number): void {
    this.ram.markWritten(off, 4);
    if (this.codePage[off >>> PAGE_SHIFT] !== 0) this.storeHook(this.ram.base + off, 4, value, this.pc, this.instret);
  }

  requestStop(): void {
    this.stopRequested = true;
    this.attn = true;
  }

  /** The guest powered off (test device): run() returns 'exit' after the current instruction. */
  powerOff(code: number): void {
    this.exitCode = code;
    this.attn = true;
  }

  /** Makes the next run() execute the instruction at the current pc even if a breakpoint sits there (a debugger resuming). */
  stepOffBreakpoint(): void {
    this.resumeSkipPc = this.pc | 0;
  }

  /** Runs until instret reaches `limitInstret` or another stop. Never throws for guest reasons. */
  run(limitInstret: number): StopReason {
    if (!Number.isSafeInteger(limitInstret)) throw new Error(`run: bad instruction limit ${limitInstret}`);
    this.fatal = null;
    this.regs[0] = 0;
    if (this.exitCode !== null) return 'exit';
    // Step off a breakpoint only when resuming from a stop on it: a run that merely starts on a
    // breakpoint (a new time slice, a stop for another reason) must still hit it.
    this.bpSkipPc = this.resumeSkipPc === (this.pc | 0) ? this.resumeSkipPc : DC_EMPTY;
    this.resumeSkipPc = DC_EMPTY;
    this.runStartInstret = this.instret;
    for (;;) {
      if (this.stopRequested) {
        this.stopRequested = false;
        return 'requested';
      }
      if (this.instret >= limitInstret) return 'limit';
      if (this.waiting) {
        if ((this.mip & this.mie) === 0) return 'wfi';
        this.waiting = false;
      }
      this.attn = false;
      this.takeInterrupt();
      if (!this.attn) {
        if (this.xlate !== 0) runTranslated(this, limitInstret);
        else if (this.fastPath && HOST_LITTLE_ENDIAN && this.breakpoints.size === 0 && this.watchRanges.length === 0) this.jit.run(limitInstret);
        else execute(this, limitInstret);
      }
      const stop = this.pendingStop();
      if (stop !== null) return stop;
    }
  }

  /** The stop an event raised during execution calls for, if any (clears one-shot flags). */
  private pendingStop(): StopReason | null {
    if (this.fatal !== null) return 'fatal';
    if (this.exitCode !== null) return 'exit';
    if (this.watchHit) {
      this.watchHit = false;
      return 'watchpoint';
    }
    if (this.bpHit) {
      this.bpHit = false;
      this.resumeSkipPc = this.pc | 0;
      return 'breakpoint';
    }
    return null; // requested / wfi / limit / interrupts are handled at the top of run()'s loop
  }

  /** Takes the interrupt the spec's enables and priorities choose at this boundary, if any. */
  private takeInterrupt(): void {
    if ((this.mip & this.mie) === 0) return;
    const irq = pendingInterrupt(this);
    if (irq >= 0) this.trap((0x80000000 | irq) | 0, 0, this.pc, this.instret);
  }

  /**
   * Enters the trap handler for `cause` (bit 31 set for interrupts) raised at `pc`: in S-mode when
   * delegated (medeleg/mideleg) and raised below M, else in M-mode; returns the new pc. With no
   * handler (the vector CSR is 0) or an exception at the handler's entry, sets `fatal` and keeps pc.
   */
  trap(cause: number, tval: number, pc: number, instret: number): number {
    this.faulted = true;
    const interrupt = cause < 0;
    const code = cause & 0x7fffffff;
    const toS = trapsToS(this, this.medeleg, cause);
    const tvec = toS ? this.stvec : this.mtvec, vector = toS ? 'stvec' : 'mtvec';
    if (tvec === 0) return this.fail(noHandlerFatal(code, interrupt, pc, tval, vector), pc, instret);
    if (!interrupt && (pc | 0) === this.trapTarget && instret === this.trapInstret) {
      return this.fail(doubleFaultFatal(code, pc, tval, vector), pc, instret);
    }
    if (toS) {
      this.sepc = (pc & ~1) >>> 0;
      this.scause = cause >>> 0;
      this.stval = tval >>> 0;
    } else {
      this.mepc = (pc & ~1) >>> 0;
      this.mcause = cause >>> 0;
      this.mtval = tval >>> 0;
    }
    this.mstatus = mstatusOnTrap(this.mstatus, this.priv, toS);
    this.setPriv(toS ? PRIV_S : PRIV_M);
    const vectored = interrupt && (tvec & 1) !== 0;
    const target = ((tvec & ~3) + (vectored ? 4 * code : 0)) >>> 0;
    this.trapTarget = target | 0;
    this.trapInstret = instret;
    this.bpSkipPc = DC_EMPTY;
    this.pc = target;
    this.instret = instret;
    return target;
  }

  private fail(info: FatalInfo, pc: number, instret: number): number {
    this.fatal = info;
    this.attn = true;
    this.pc = pc >>> 0;
    this.instret = instret;
    return pc;
  }

  /**
   * Changes the privilege level. With translation on, the interpreter loop ends here and the run loop
   * re-dispatches (translation may have turned on or off); the loop's odd-tagged decodings carry the
   * privilege they were fetched at, so a U-mode fetch never takes an S-mode decoding.
   */
  private setPriv(priv: number): void {
    this.priv = priv;
    if (this.xlate !== 0) this.attn = true;
    this.translationChanged(false);
  }

  /** mret (M-mode only): back to MPP with MIE = MPIE, MPIE = 1, MPP = U; returns mepc. */
  mret(pc: number, instret: number): number {
    if (this.priv !== PRIV_M) return this.trap(2, MRET_BITS, pc, instret);
    const target = (this.mstatus & MSTATUS_MPP) >>> MSTATUS_MPP_SHIFT;
    this.mstatus = mstatusOnMret(this.mstatus);
    this.setPriv(target);
    this.checkIrq();
    return this.mepc;
  }

  /** sret (S-mode, unless TSR; or M-mode): back to SPP with SIE = SPIE, SPIE = 1, SPP = U; returns sepc. */
  sret(pc: number, instret: number): number {
    if (this.priv === PRIV_U || (this.priv === PRIV_S && (this.mstatus & MSTATUS_TSR) !== 0)) {
      return this.trap(2, SRET_BITS, pc, instret);
    }
    const target = (this.mstatus & MSTATUS_SPP) !== 0 ? PRIV_S : PRIV_U;
    this.mstatus = mstatusOnSret(this.mstatus);
    this.setPriv(target);
    this.checkIrq();
    return this.sepc;
  }

  /** wfi: illegal in U-mode and in S-mode with TW; else stops the run loop unless an enabled interrupt is already pending. */
  wfi(pc: number, instret: number): number {
    const npc = (pc + 4) | 0;
    if (this.priv === PRIV_U || (this.priv === PRIV_S && (this.mstatus & MSTATUS_TW) !== 0)) {
      return this.trap(2, WFI_BITS, pc, instret);
    }
    if ((this.mip & this.mie) === 0) {
      this.waiting = true;
      this.attn = true;
    }
    return npc;
  }

  /** sfence.vma (S-mode unless TVM, or M-mode): flushes the whole TLB whatever the operands ask. */
  sfenceVma(bits: number, pc: number, instret: number): number {
    if (this.priv === PRIV_U || (this.priv === PRIV_S && (this.mstatus & MSTATUS_TVM) !== 0)) {
      return this.trap(2, bits >>> 0, pc, instret);
    }
    this.mmu.flush();
    this.dropVirtualCode();
    return (pc + 4) | 0;
  }

  /**
   * Executes one of the rare instructions the interpreter loop does not inline (Zicsr, A, ecall,
   * ebreak, mret, wfi, fence.i, illegal). Returns the next pc, or with `faulted` set the trap
   * handler's pc (the instruction did not retire).
   */
  execSlow(w: number, imm: number, pc: number, instret: number): number {
    this.faulted = false;
    const op: Op = w & 0xff, rd = (w >>> 8) & 63, rs1 = (w >>> 14) & 31, rs2 = (w >>> 19) & 31;
    const npc = (pc + (w >>> 24)) | 0;
    switch (op) {
      case Op.FENCE_I: this.flushDecodeCache(); return npc;
      case Op.MRET: return this.mret(pc, instret) | 0;
      case Op.SRET: return this.sret(pc, instret) | 0;
      case Op.WFI: return this.wfi(pc, instret) | 0;
      case Op.SFENCE_VMA: return this.sfenceVma(imm, pc, instret) | 0;
      case Op.ECALL: return this.trap(8 + this.priv, 0, pc, instret) | 0;
      case Op.EBREAK: return this.trap(3, pc >>> 0, pc, instret) | 0;
      case Op.CSRRW: case Op.CSRRS: case Op.CSRRC: case Op.CSRRWI: case Op.CSRRSI: case Op.CSRRCI:
        this.csrInstr(op, imm, rd, rs1, pc, instret);
        return this.faulted ? this.pc | 0 : npc;
      case Op.LR: case Op.SC: case Op.AMOSWAP: case Op.AMOADD: case Op.AMOXOR: case Op.AMOAND:
      case Op.AMOOR: case Op.AMOMIN: case Op.AMOMAX: case Op.AMOMINU: case Op.AMOMAXU:
        this.amo(op, rd, rs1, rs2, pc, instret);
        return this.faulted ? this.pc | 0 : npc;
      case Op.ILLEGAL: return this.trap(2, imm >>> 0, pc, instret) | 0;
      default: throw new Error(`execSlow: op ${op} belongs to the interpreter loop`);
    }
  }

  // ---- decode cache ----

  /**
   * Decode-cache miss at `pc`: fetches and decodes (caching unless a breakpoint sits there) into
   * missW/missImm and returns true, or returns false after a breakpoint stop or a fetch fault trap.
   */
  fetchMiss(pc: number, instret: number): boolean {
    if (this.xlate !== 0) return this.fetchMissTranslated(pc, instret);
    const upc = pc >>> 0;
    if (this.breakpoints.size > 0 && this.breakpointStops(pc, instret)) return false;
    const ram = this.ram, off = upc - ram.base;
    if (off < 0 || off + 2 > ram.size) return this.fetchFault(upc, upc, instret);
    const b = ram.bytes, lo = b[off] | (b[off + 1] << 8);
    let bits = lo, len = 2;
    if ((lo & 3) === 3) {
      if (off + 4 > ram.size) return this.fetchFault(upc, upc + 2, instret);
      bits = lo | (b[off + 2] << 16) | (b[off + 3] << 24);
      len = 4;
    }
    decode(bits, this.decoded);
    this.missW = this.decoded.w;
    this.missImm = this.decoded.imm;
    if (this.breakpoints.size === 0 || !this.breakpoints.has(upc)) {
      const e = ((upc >>> 1) & DC_MASK) * DC_STRIDE;
      this.dc[e] = pc | 0;
      this.dc[e + 1] = this.missW;
      this.dc[e + 2] = this.missImm;
      this.codePage[off >>> PAGE_SHIFT] |= PAGE_CODE;
      this.codePage[(off + len - 1) >>> PAGE_SHIFT] |= PAGE_CODE;
    }
    return true;
  }

  /** True (and a breakpoint stop raised) when a breakpoint sits at `pc` and this is not the run stepping off it. */
  breakpointStops(pc: number, instret: number): boolean {
    const upc = pc >>> 0;
    if (!this.breakpoints.has(upc)) return false;
    if ((pc | 0) === this.bpSkipPc && instret === this.runStartInstret) return false;
    this.bpHit = true;
    this.attn = true;
    this.pc = upc;
    return true;
  }

  /**
   * A decode-cache miss with translation on: the fetch through the MMU (cpu-paged.ts), kept in the decode cache
   * under the odd tag pc | 1 with the privilege it was fetched at (execute matches both), unless a breakpoint sits
   * there, it straddles two pages, or its tag would read as an empty slot's.
   */
  private fetchMissTranslated(pc: number, instret: number): boolean {
    if (this.breakpoints.size > 0 && this.breakpointStops(pc, instret)) return false;
    if (!fetchThroughMmu(this, this.decoded, pc, instret)) return false;
    const tag = pc | 1;
    if (this.fetchKeepable && tag !== DC_EMPTY && (this.breakpoints.size === 0 || !this.breakpoints.has(pc >>> 0))) {
      const e = ((pc >>> 1) & DC_MASK) * DC_STRIDE;
      this.dc[e] = tag;
      this.dc[e + 1] = this.missW;
      this.dc[e + 2] = this.missImm;
      this.dc[e + 3] = this.priv;
      if (this.vcount < VSLOTS_MAX) this.vslots[this.vcount] = e;
      this.vcount++;
    }
    return true;
  }

  private fetchFault(pc: number, tval: number, instret: number): boolean {
    this.trap(1, tval, pc, instret);
    return false;
  }

  /** True when the decode cache holds the instruction at `pc`: the interpreter ran it since the last flush (unless evicted). */
  isDecoded(pc: number): boolean {
    return this.dc[((pc >>> 1) & DC_MASK) * DC_STRIDE] === (pc | 0);
  }

  /** Drops every decoded instruction and every translation (fence.i, setState). */
  flushDecodeCache(): void {
    this.dropDecoded();
    this.jit.flush();
  }

  private dropDecoded(): void {
    // Every slot word becomes DC_EMPTY: the tags are what matters, and one native fill beats a strided loop.
    this.dc.fill(DC_EMPTY);
    this.vcount = 0;
    const pages = this.codePage;
    for (let p = 0, n = pages.length; p < n; p++) pages[p] &= ~(PAGE_CODE | PAGE_VCODE);
  }

  /** Decode-cache invalidation after RAM in [addr, addr+len) changed behind the CPU (loader, DMA, debugger). */
  invalidateCode(addr: number, len: number): void {
    if (len <= 0) return;
    if (len >= DC_SIZE * 2) this.dropDecoded();
    else this.invalidateRange(addr >>> 0, len);
    this.jit.invalidate(addr >>> 0, len);
  }

  /** Drops decoded instructions overlapping [addr, addr+len), including a 32-bit one starting at addr-2. */
  private invalidateRange(addr: number, len: number): void {
    if (this.mayHoldDecoded(addr, len)) dropSlots(this.dc, addr, len);
    if (this.vcount > 0 && this.touchesTranslatedCode(addr, len)) this.dropTranslated();
  }

  /**
   * False when no RAM page of [addr-2, addr+len) (unsigned) has had an instruction decoded from it since the decode
   * cache was last emptied (PAGE_CODE, set with every even-tagged slot): then no slot can hold one of those pcs. A
   * program loaded into a new machine (segments of tens of KB, a slot check per halfword, in V8's cold tiers:
   * 5-9 ms of a one-off run per machine) skips the loop.
   */
  private mayHoldDecoded(addr: number, len: number): boolean {
    // Only instructions fetched from RAM are ever decoded into a slot: the parts of the range outside it hold none.
    const first = Math.max(0, addr - 2 - this.ram.base), last = Math.min(this.ram.size - 1, addr + len - 1 - this.ram.base);
    for (let p = first >>> PAGE_SHIFT; p <= last >>> PAGE_SHIFT; p++) if ((this.codePage[p] & PAGE_CODE) !== 0) return true;
    return false;
  }

  /** True when a page of [addr, addr+len) holds code decoded under translation. */
  private touchesTranslatedCode(addr: number, len: number): boolean {
    const first = ((addr >>> 0) - this.ram.base) >>> PAGE_SHIFT, last = (((addr >>> 0) - this.ram.base + Math.max(len, 1) - 1) >>> 0) >>> PAGE_SHIFT;
    for (let p = first; p <= last && p < this.codePage.length; p++) if ((this.codePage[p] & PAGE_VCODE) !== 0) return true;
    return false;
  }

  /**
   * Code decoded under translation changed its bytes: every odd-tagged decoding goes, and with them every page's
   * PAGE_VCODE, so later stores to those pages cost nothing.
   */
  private dropTranslated(): void {
    this.dropVirtualCode();
    const pages = this.codePage;
    for (let p = 0, n = pages.length; p < n; p++) pages[p] &= ~PAGE_VCODE;
  }

  /** Drops the decode-cache slots with odd tags (satp written, sfence.vma, PMP changed, breakpoints set, code changed). */
  private dropVirtualCode(): void {
    const dc = this.dc;
    if (this.vcount <= VSLOTS_MAX) {
      for (let i = 0; i < this.vcount; i++) {
        const e = this.vslots[i];
        if ((dc[e] & 1) !== 0) dc[e] = DC_EMPTY;
      }
    } else {
      for (let e = 0; e < DC_SIZE * DC_STRIDE; e += DC_STRIDE) if ((dc[e] & 1) !== 0) dc[e] = DC_EMPTY;
    }
    this.vcount = 0;
  }

  /** A decoding of the code at physical `pa` is kept under an odd tag: stores to its page must drop it. */
  markTranslatedCode(pa: number): void {
    const off = pa - this.ram.base;
    this.codePage[off >>> PAGE_SHIFT] |= PAGE_VCODE;
    this.codePage[(off + 3) >>> PAGE_SHIFT] |= PAGE_VCODE;
  }

  // ---- memory slow paths ----

  /**
   * Load that missed the RAM fast path: misaligned (performed byte by byte, see cpu-misaligned.ts), MMIO, or
   * unmapped (access fault). `faultCause` 7: the load half of an AMO (aligned; its faults are store/AMO faults).
   */
  loadSlow(a: number, size: 1 | 2 | 4, signed: boolean, pc: number, instret: number, faultCause = 5): number {
    this.faulted = false;
    const va = a >>> 0;
    if ((va & (size - 1)) !== 0) return loadMisaligned(this, va, size as 2 | 4, signed, pc, instret);
    const access = faultCause === 5 ? Access.Load : Access.Store;
    const ua = this.xlate === 0 ? va : translateData(this, va, size, access, pc, instret);
    if (this.faulted) return 0;
    let v: number;
    if (this.ram.contains(ua, size)) {
      v = this.ramRead(ua - this.ram.base, size);
    } else {
      // Translated accesses were checked; with xlate 0 all of RAM is open, a device may not be.
      if (this.xlate === 0 && !this.pmp.allows(ua, size, access, dataPriv(this))) return this.trap(faultCause, va, pc, instret) & 0;
      this.pc = pc >>> 0; // devices see the accessing instruction
      this.instret = instret;
      v = this.bus.read(ua, size);
      if (v === -1) return this.trap(faultCause, va, pc, instret) & 0;
    }
    if (size === 4) return v | 0;
    if (!signed) return v;
    return size === 1 ? (v << 24) >> 24 : (v << 16) >> 16;
  }

  private ramRead(off: number, size: 1 | 2 | 4): number {
    const dv = this.ram.dv;
    return size === 1 ? dv.getUint8(off) : size === 2 ? dv.getUint16(off, true) : dv.getUint32(off, true);
  }

  /** Store that missed the RAM fast path: misaligned (performed, see cpu-misaligned.ts), MMIO, unmapped, or any store while watchpoints are set. */
  storeSlow(a: number, size: 1 | 2 | 4, value: number, pc: number, instret: number): void {
    this.faulted = false;
    const va = a >>> 0;
    if ((va & (size - 1)) !== 0) {
      storeMisaligned(this, va, size as 2 | 4, value, pc, instret);
      if (!this.faulted && this.watchRanges.length > 0) this.checkWatch(va, size, pc);
      return;
    }
    const ua = this.xlate === 0 ? va : translateData(this, va, size, Access.Store, pc, instret);
    if (this.faulted) return;
    if (this.ram.contains(ua, size)) {
      const off = ua - this.ram.base, dv = this.ram.dv;
      if (size === 1) dv.setUint8(off, value & 0xff);
      else if (size === 2) dv.setUint16(off, value & 0xffff, true);
      else dv.setInt32(off, value, true);
      const p = off >>> PAGE_SHIFT;
      this.ram.dirty[p] = 1;
      this.ram.hashDirty[p] = 1;
      if (this.codePage[p] !== 0) this.storeHook(ua, size, value, pc, instret);
    } else {
      if (this.xlate === 0 && !this.pmp.allows(ua, size, Access.Store, dataPriv(this))) {
        this.trap(7, va, pc, instret);
        return;
      }
      this.pc = pc >>> 0; // devices see the accessing instruction
      this.instret = instret;
      if (!this.bus.write(ua, size, value)) {
        this.trap(7, va, pc, instret);
        return;
      }
    }
    if (this.watchRanges.length > 0) this.checkWatch(va, size, pc);
  }

  /** After a RAM store to a page flagged in codePage: drop stale decoded code, watch the HTIF mailbox. */
  storeHook(a: number, size: number, value: number, pc: number, instret: number): void {
    const ua = a >>> 0;
    const flags = this.codePage[(ua - this.ram.base) >>> PAGE_SHIFT];
    if ((flags & (PAGE_CODE | PAGE_VCODE)) !== 0) this.invalidateRange(ua, size);
    if ((flags & PAGE_JIT) !== 0) this.jit.invalidate(ua, size);
    if ((flags & PAGE_TOHOST) !== 0 && ua === this.tohostAddr && size === 4 && (value & 1) !== 0) {
      const code = (value >>> 0) >>> 1;
      this.exitCode = code;
      this.attn = true;
      this.env.output({ kind: 'exit', code }, instret, pc >>> 0);
    }
  }

  private checkWatch(ua: number, size: number, pc: number): void {
    for (const r of this.watchRanges) {
      if (ua < r.addr + r.len && r.addr < ua + size) {
        this.lastWatchHit = { addr: ua, size, pc: pc >>> 0 };
        this.watchHit = true;
        this.attn = true;
        return;
      }
    }
  }

  // ---- A extension ----

  /** LR/SC/AMO*.W (single hart: an AMO is a load then a store). */
  amo(op: Op, rd: number, rs1: number, rs2: number, pc: number, instret: number): void {
    this.faulted = false;
    const x = this.regs, a = x[rs1] >>> 0, src = x[rs2];
    if (op === Op.LR) {
      if ((a & 3) !== 0) {
        this.trap(4, a, pc, instret); // LR/SC and AMOs stay aligned-only (as in QEMU)
        return;
      }
      const v = this.loadSlow(a, 4, true, pc, instret);
      if (this.faulted) return;
      x[rd] = v;
      this.reservation = a;
      return;
    }
    if ((a & 3) !== 0) {
      this.trap(6, a, pc, instret);
      return;
    }
    if (op === Op.SC) {
      const ok = this.reservation === a;
      this.reservation = -1;
      if (ok) this.storeSlow(a, 4, src, pc, instret);
      if (!this.faulted) x[rd] = ok ? 0 : 1;
      return;
    }
    const old = this.loadSlow(a, 4, true, pc, instret, 7);
    if (this.faulted) return;
    this.storeSlow(a, 4, amoResult(op, old, src), pc, instret);
    if (!this.faulted) x[rd] = old;
  }

  // ---- Zicsr ----

  /** csrrw/csrrs/csrrc and immediate forms; `src` is rs1 (register forms) or the uimm (immediate forms). */
  csrInstr(op: Op, csr: number, rd: number, src: number, pc: number, instret: number): void {
    this.faulted = false;
    const kind = (op - Op.CSRRW) % 3; // 0 write, 1 set, 2 clear
    const imm = op >= Op.CSRRWI;
    const writes = kind === 0 || src !== 0;
    if (!csrExists(csr) || (writes && csrReadOnly(csr)) || !csrAccessible(this, csr)) {
      this.trap(2, csrEncoding(op, csr, rd, src), pc, instret);
      return;
    }
    const value = imm ? src : this.regs[src];
    const old = kind === 0 && rd === RD_SINK ? 0 : csrRead(this, csr, instret, pc);
    if (writes) csrWrite(this, csr, kind === 0 ? value : kind === 1 ? old | value : old & ~value, instret, pc);
    this.regs[rd] = old;
  }

  /** Debugger/snapshot read of a CSR (never consults the environment). Throws for unknown numbers. */
  readCsr(n: number): number {
    return csrPeek(this, n, this.instret);
  }

  /** Debugger write of a CSR. Throws for unknown or read-only CSRs. */
  writeCsr(n: number, v: number): void {
    csrPoke(this, n, v, this.instret);
  }

  // ---- debugger ----

  /** Stops with 'breakpoint' before executing any of these pcs (except the one a run starts on). */
  setBreakpoints(pcs: Iterable<number>): void {
    this.breakpoints.clear();
    for (const pc of pcs) {
      if (!Number.isInteger(pc)) throw new Error(`setBreakpoints: bad pc ${pc}`);
      this.breakpoints.add(pc >>> 0);
      this.invalidateRange(pc >>> 0, 1);
    }
    this.dropVirtualCode(); // a breakpoint may sit at a virtual pc whose decoding is kept
  }

  /** Stops with 'watchpoint' after any store overlapping one of these ranges. */
  setWatchpoints(ranges: WatchRange[]): void {
    for (const r of ranges) {
      if (!Number.isInteger(r.addr) || !Number.isInteger(r.len) || r.len <= 0) {
        throw new Error(`setWatchpoints: bad range ${JSON.stringify(r)}`);
      }
    }
    this.watchRanges = ranges.map((r) => ({ addr: r.addr >>> 0, len: r.len }));
  }

  // ---- snapshots ----

  getState(): CpuState {
    return {
      x: Array.from(this.x),
      pc: this.pc >>> 0,
      instret: this.instret,
      priv: this.priv,
      csr: {
        mstatus: this.mstatus, mie: this.mie, mip: this.mip, mtvec: this.mtvec, mscratch: this.mscratch,
        mepc: this.mepc, mcause: this.mcause, mtval: this.mtval,
        medeleg: this.medeleg, mideleg: this.mideleg, mcounteren: this.mcounteren,
        stvec: this.stvec, sscratch: this.sscratch, sepc: this.sepc, scause: this.scause, stval: this.stval,
        satp: this.satp, scounteren: this.scounteren,
        cycleOffset: this.cycleOffset, instretOffset: this.instretOffset,
        lastTime: this.lastTime, lastCycle: this.lastCycle,
      },
      tlb: this.mmu.getState(),
      pmp: this.pmp.getState(),
      reservation: this.reservation,
      waiting: this.waiting,
      exitCode: this.exitCode,
      trapTarget: this.trapTarget,
      trapInstret: this.trapInstret,
    };
  }

  /** Restores a state from getState(); drops the decode cache (RAM may have been restored too). */
  /**
   * Restores the hart. `keepDecodeCache`: the caller has already invalidated every page of code that
   * changed (Machine.restore does, page by page), so decoded instructions stay valid.
   */
  setState(s: CpuState, keepDecodeCache = false): void {
    if (s.x.length !== 32) throw new Error(`setState: ${s.x.length} registers`);
    this.regs.set(s.x);
    this.regs[0] = 0;
    this.pc = s.pc >>> 0;
    this.instret = s.instret;
    const c = s.csr;
    this.mstatus = c.mstatus; this.mie = c.mie; this.mip = c.mip; this.mtvec = c.mtvec; this.mscratch = c.mscratch;
    this.mepc = c.mepc; this.mcause = c.mcause; this.mtval = c.mtval;
    this.medeleg = c.medeleg; this.mideleg = c.mideleg; this.mcounteren = c.mcounteren;
    this.stvec = c.stvec; this.sscratch = c.sscratch; this.sepc = c.sepc; this.scause = c.scause; this.stval = c.stval;
    this.satp = c.satp; this.scounteren = c.scounteren;
    if (s.priv !== PRIV_U && s.priv !== PRIV_S && s.priv !== PRIV_M) throw new Error(`setState: privilege level ${s.priv}`);
    this.priv = s.priv;
    this.mmu.setState(s.tlb);
    this.pmp.setState(s.pmp);
    this.cycleOffset = c.cycleOffset; this.instretOffset = c.instretOffset;
    this.lastTime = c.lastTime; this.lastCycle = c.lastCycle;
    this.reservation = s.reservation;
    this.waiting = s.waiting;
    this.exitCode = s.exitCode;
    this.trapTarget = s.trapTarget;
    this.trapInstret = s.trapInstret;
    this.fatal = null;
    this.xlate = this.translating();
    this.attn = false;
    this.resumeSkipPc = DC_EMPTY;
    if (!keepDecodeCache) this.flushDecodeCache();
  }
}

function amoResult(op: Op, old: number, src: number): number {
  switch (op) {
    case Op.AMOSWAP: return src;
    case Op.AMOADD: return (old + src) | 0;
    case Op.AMOXOR: return old ^ src;
    case Op.AMOAND: return old & src;
    case Op.AMOOR: return old | src;
    case Op.AMOMIN: return old < src ? old : src;
    case Op.AMOMAX: return old > src ? old : src;
    case Op.AMOMINU: return old >>> 0 < src >>> 0 ? old : src;
    case Op.AMOMAXU: return old >>> 0 > src >>> 0 ? old : src;
    default: throw new Error(`amoResult: op ${op} is not an AMO`);
  }
}

/** Re-encodes a Zicsr instruction (for mtval of an illegal-instruction trap). */
function csrEncoding(op: Op, csr: number, rd: number, src: number): number {
  const funct3 = [1, 2, 3, 5, 6, 7][op - Op.CSRRW];
  return ((csr << 20) | (src << 15) | (funct3 << 12) | ((rd === RD_SINK ? 0 : rd) << 7) | 0x73) >>> 0;
}

/**
 * Drops the decode-cache slots of [addr, addr+len) (unsigned), including a 32-bit instruction starting at addr-2.
 * A function of its own, with nothing after its loop: when the loop ran inside invalidateRange, the first long call
 * (a program's segments loaded) had V8 compile that method on-stack mid-loop, before the code after the loop had ever
 * run, and every later call (a store hook, four halfwords) entered that code at the loop and was deoptimised leaving
 * it: about 900 deoptimisations and 17 ms of a 0.3 s crc32 run.
 */
function dropSlots(dc: Int32Array, addr: number, len: number): void {
  for (let h = ((addr & ~1) >>> 0) - 2; h < addr + len; h += 2) {
    const e = ((h >>> 1) & DC_MASK) * DC_STRIDE;
    if (dc[e] === (h | 0)) dc[e] = DC_EMPTY;
  }
}
