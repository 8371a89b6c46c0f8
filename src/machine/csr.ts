// The CSR file (M- and S-mode): numbers, names, legality by privilege, and guest/debugger reads and writes (counters via the environment).

import type { Environment } from './types';
import type { Pmp } from './pmp';
import {
  IRQ_MASK, IRQ_S_MASK, IRQ_SSI, MEDELEG_MASK, MSTATUS_TVM, PRIV_M, PRIV_S, PRIV_U, type PrivState, SSTATUS_MASK, legalMstatus,
} from './priv';

export const enum Csr {
  sstatus = 0x100, sie = 0x104, stvec = 0x105, scounteren = 0x106, senvcfg = 0x10a,
  sscratch = 0x140, sepc = 0x141, scause = 0x142, stval = 0x143, sip = 0x144, satp = 0x180,
  medeleg = 0x302, mideleg = 0x303, mcounteren = 0x306, menvcfg = 0x30a, menvcfgh = 0x31a,
  mstatus = 0x300, misa = 0x301, mie = 0x304, mtvec = 0x305, mstatush = 0x310,
  mscratch = 0x340, mepc = 0x341, mcause = 0x342, mtval = 0x343, mip = 0x344,
  mcycle = 0xb00, minstret = 0xb02, mcycleh = 0xb80, minstreth = 0xb82,
  cycle = 0xc00, time = 0xc01, instret = 0xc02, cycleh = 0xc80, timeh = 0xc81, instreth = 0xc82,
  tselect = 0x7a0, tdata1 = 0x7a1, tdata2 = 0x7a2, tdata3 = 0x7a3, tinfo = 0x7a4,
  mvendorid = 0xf11, marchid = 0xf12, mimpid = 0xf13, mhartid = 0xf14, mconfigptr = 0xf15,
}

/** RV32 (MXL=1) with A, C, I, M, S and U. */
export const MISA_RV32IMAC_SU = (1 << 30) | (1 << 0) | (1 << 2) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20);
/** satp fields (Sv32): MODE (bit 31: 1 = Sv32), ASID (bits 30:22), root page table PPN (bits 21:0). */
export const SATP_MODE_SV32 = 1 << 31;

const PMPCFG0 = 0x3a0;
const PMPADDR0 = 0x3b0;
const TWO_POW_32 = 0x1_0000_0000;
const TWO_POW_64 = TWO_POW_32 * TWO_POW_32;

/** The CPU fields the CSR file reads and writes (Cpu implements it). */
export interface CsrHost extends PrivState {
  mtvec: number; mscratch: number; mepc: number; mcause: number; mtval: number;
  medeleg: number; mcounteren: number;
  stvec: number; sscratch: number; sepc: number; scause: number; stval: number; satp: number; scounteren: number;
  /** mcycle = environment cycle count + cycleOffset (mcycle is writable). */
  cycleOffset: number;
  /** minstret = instret + instretOffset (minstret is writable; instret itself never changes). */
  instretOffset: number;
  /** Last values the guest obtained from the environment (the debugger shows these; it never asks the environment). */
  lastTime: number;
  lastCycle: number;
  readonly env: Environment;
  /** Physical memory protection: pmpcfg0-15 and pmpaddr0-63 read and write it. */
  readonly pmp: Pmp;
  /** Called after mstatus, mie, mip or mideleg changed: an interrupt may have become takeable. */
  checkIrq(): void;
  /** Called after satp, mstatus or a PMP register changed: translation or protection may have been switched on or off (a satp write drops the TLB). */
  translationChanged(satpWritten: boolean): void;
}

const NAMES: Record<number, string> = {
  0x100: 'sstatus', 0x104: 'sie', 0x105: 'stvec', 0x106: 'scounteren', 0x10a: 'senvcfg',
  0x140: 'sscratch', 0x141: 'sepc', 0x142: 'scause', 0x143: 'stval', 0x144: 'sip', 0x180: 'satp',
  0x302: 'medeleg', 0x303: 'mideleg', 0x306: 'mcounteren', 0x30a: 'menvcfg', 0x31a: 'menvcfgh',
  0x300: 'mstatus', 0x301: 'misa', 0x304: 'mie', 0x305: 'mtvec', 0x310: 'mstatush',
  0x340: 'mscratch', 0x341: 'mepc', 0x342: 'mcause', 0x343: 'mtval', 0x344: 'mip',
  0xb00: 'mcycle', 0xb02: 'minstret', 0xb80: 'mcycleh', 0xb82: 'minstreth',
  0xc00: 'cycle', 0xc01: 'time', 0xc02: 'instret', 0xc80: 'cycleh', 0xc81: 'timeh', 0xc82: 'instreth',
  0xf11: 'mvendorid', 0xf12: 'marchid', 0xf13: 'mimpid', 0xf14: 'mhartid', 0xf15: 'mconfigptr',
};
for (let i = 3; i < 32; i++) {
  NAMES[0xb00 + i] = `mhpmcounter${i}`;
  NAMES[0xb80 + i] = `mhpmcounter${i}h`;
  NAMES[0xc00 + i] = `hpmcounter${i}`;
  NAMES[0xc80 + i] = `hpmcounter${i}h`;
  NAMES[0x320 + i] = `mhpmevent${i}`;
}
NAMES[0x320] = 'mcountinhibit';
// Physical memory protection (pmp.ts): 16 entries; pmpcfg4-15 and pmpaddr16-63 exist and read as zero.
for (let i = 0; i < 16; i++) NAMES[0x3a0 + i] = `pmpcfg${i}`;
for (let i = 0; i < 64; i++) NAMES[0x3b0 + i] = `pmpaddr${i}`;
// Debug triggers (Sdtrig): the registers exist with no trigger behind them — tselect reads 0, tdata1 reads type 0
// ("no trigger at this tselect"), tinfo reads 1 (only type 0), writes are ignored. Software that probes triggers
// (riscv-tests' breakpoint test, debug stubs) finds none instead of an illegal instruction.
NAMES[0x7a0] = 'tselect';
for (let i = 1; i <= 3; i++) NAMES[0x7a0 + i] = `tdata${i}`;
NAMES[0x7a4] = 'tinfo';

/** Name of every implemented CSR, by number (for the debugger and the disassembler). */
export const CSR_NAMES: Readonly<Record<number, string>> = NAMES;

/** The CSRs a debugger shows by default (the rest are zero counters). */
export const CSR_MAIN: readonly number[] = [
  0x300, 0x301, 0x302, 0x303, 0x304, 0x305, 0x306, 0x340, 0x341, 0x342, 0x343, 0x344,
  0x100, 0x104, 0x105, 0x106, 0x140, 0x141, 0x142, 0x143, 0x144, 0x180,
  0xb00, 0xb02, 0xb80, 0xb82, 0xf14,
];

export function csrExists(n: number): boolean {
  return NAMES[n] !== undefined;
}

/** CSRs with bits 11:10 = 11 are read-only; writing them is an illegal instruction. */
export function csrReadOnly(n: number): boolean {
  return n >>> 10 === 3;
}

/**
 * Whether the hart may access CSR `n` (which exists) now: bits 9:8 name the lowest privilege allowed;
 * satp needs TVM = 0 in S-mode; the user counters need their mcounteren (and, from U, scounteren) bit.
 */
export function csrAccessible(h: CsrHost, n: number): boolean {
  if (((n >>> 8) & 3) > h.priv) return false;
  if (n === Csr.satp) return h.priv !== PRIV_S || (h.mstatus & MSTATUS_TVM) === 0;
  if ((n & ~0x9f) !== 0xc00) return true; // not cycle..hpmcounter31(h)
  const bit = 1 << (n & 31);
  if (h.priv < PRIV_M && (h.mcounteren & bit) === 0) return false;
  return h.priv !== PRIV_U || (h.scounteren & bit) !== 0;
}

const low32 = (v: number): number => v >>> 0;
const high32 = (v: number): number => Math.floor(v / TWO_POW_32) >>> 0;
/** v modulo 2^64 (exact below 2^53, which is all a counter ever reaches). */
const wrap64 = (v: number): number => {
  const r = v % TWO_POW_64;
  return r < 0 ? r + TWO_POW_64 : r;
};

/** A 64-bit counter value with its low or high half replaced. */
function withHalf(full: number, high: boolean, v: number): number {
  return high ? (v >>> 0) * TWO_POW_32 + low32(full) : high32(full) * TWO_POW_32 + (v >>> 0);
}

/** Guest read (instruction at `pc` with `instret` retired before it). Counter reads consult the environment once. */
export function csrRead(h: CsrHost, n: number, instret: number, pc: number): number {
  switch (n) {
    case Csr.mcycle: case Csr.cycle: case Csr.mcycleh: case Csr.cycleh: {
      h.lastCycle = h.env.read('cycle', instret, pc >>> 0);
      const full = wrap64(h.lastCycle + h.cycleOffset);
      return n === Csr.mcycle || n === Csr.cycle ? low32(full) : high32(full);
    }
    case Csr.time: case Csr.timeh:
      h.lastTime = h.env.read('time', instret, pc >>> 0);
      return n === Csr.time ? low32(h.lastTime) : high32(h.lastTime);
  }
  return csrPeek(h, n, instret);
}

/** Side-effect-free read (debugger, snapshot): counters from the environment show the last value the guest saw. */
export function csrPeek(h: CsrHost, n: number, instret: number): number {
  switch (n) {
    case Csr.mstatus: return h.mstatus >>> 0;
    case Csr.misa: return MISA_RV32IMAC_SU >>> 0;
    case Csr.mie: return h.mie >>> 0;
    case Csr.mip: return h.mip >>> 0;
    case Csr.medeleg: return h.medeleg >>> 0;
    case Csr.mideleg: return h.mideleg >>> 0;
    case Csr.mcounteren: return h.mcounteren >>> 0;
    case Csr.mtvec: return h.mtvec >>> 0;
    case Csr.mscratch: return h.mscratch >>> 0;
    case Csr.mepc: return h.mepc >>> 0;
    case Csr.mcause: return h.mcause >>> 0;
    case Csr.mtval: return h.mtval >>> 0;
    case Csr.minstret: case Csr.instret: return low32(wrap64(instret + h.instretOffset));
    case Csr.minstreth: case Csr.instreth: return high32(wrap64(instret + h.instretOffset));
    case Csr.mcycle: case Csr.cycle: return low32(wrap64(h.lastCycle + h.cycleOffset));
    case Csr.mcycleh: case Csr.cycleh: return high32(wrap64(h.lastCycle + h.cycleOffset));
    case Csr.time: return low32(h.lastTime);
    case Csr.timeh: return high32(h.lastTime);
  }
  return supervisorPeek(h, n);
}

function supervisorPeek(h: CsrHost, n: number): number {
  switch (n) {
    case Csr.sstatus: return (h.mstatus & SSTATUS_MASK) >>> 0;
    case Csr.sie: return (h.mie & h.mideleg) >>> 0;
    case Csr.sip: return (h.mip & h.mideleg) >>> 0;
    case Csr.stvec: return h.stvec >>> 0;
    case Csr.sscratch: return h.sscratch >>> 0;
    case Csr.sepc: return h.sepc >>> 0;
    case Csr.scause: return h.scause >>> 0;
    case Csr.stval: return h.stval >>> 0;
    case Csr.satp: return h.satp >>> 0;
    case Csr.scounteren: return h.scounteren >>> 0;
  }
  if (!csrExists(n)) throw new Error(`csrPeek: no CSR 0x${n.toString(16)}`);
  if (n >= PMPCFG0 && n < PMPCFG0 + 16) return h.pmp.readCfg(n - PMPCFG0);
  if (n >= PMPADDR0 && n < PMPADDR0 + 64) return h.pmp.readAddr(n - PMPADDR0);
  if (n === Csr.tinfo) return 1; // the selected trigger does not exist: only type 0
  return 0; // mstatush, envcfg, ids, hpm counters/events, mcountinhibit, triggers: hardwired zero
}

/**
 * Guest write of a legal, writable CSR (the caller checked csrExists/csrReadOnly). `instret` is
 * the count before the writing instruction retires: per the spec a written minstret is the value
 * the next instruction sees, so the writer's own increment is absorbed here.
 */
export function csrWrite(h: CsrHost, n: number, v: number, instret: number, pc: number): void {
  switch (n) {
    case Csr.mstatus: h.mstatus = legalMstatus(h.mstatus, v); h.translationChanged(false); h.checkIrq(); return;
    case Csr.mie: h.mie = v & IRQ_MASK; h.checkIrq(); return;
    case Csr.mip: h.mip = (h.mip & ~IRQ_S_MASK) | (v & IRQ_S_MASK); h.checkIrq(); return;
    case Csr.medeleg: h.medeleg = v & MEDELEG_MASK; return;
    case Csr.mideleg: h.mideleg = v & IRQ_S_MASK; h.checkIrq(); return;
    case Csr.mcounteren: h.mcounteren = v >>> 0; return;
    case Csr.mtvec: h.mtvec = (v & ~2) >>> 0; return; // modes 2/3 are reserved: keep direct/vectored
    case Csr.mscratch: h.mscratch = v >>> 0; return;
    case Csr.mepc: h.mepc = (v & ~1) >>> 0; return;
    case Csr.mcause: h.mcause = v >>> 0; return;
    case Csr.mtval: h.mtval = v >>> 0; return;
    case Csr.minstret: case Csr.minstreth: {
      const next = instret + 1;
      const full = withHalf(wrap64(instret + h.instretOffset), n === Csr.minstreth, v);
      h.instretOffset = full - next;
      return;
    }
    case Csr.mcycle: case Csr.mcycleh: {
      h.lastCycle = h.env.read('cycle', instret, pc >>> 0);
      const full = withHalf(wrap64(h.lastCycle + h.cycleOffset), n === Csr.mcycleh, v);
      h.cycleOffset = full - h.lastCycle;
      return;
    }
  }
  supervisorWrite(h, n, v);
}

function supervisorWrite(h: CsrHost, n: number, v: number): void {
  switch (n) {
    case Csr.sstatus: h.mstatus = (h.mstatus & ~SSTATUS_MASK) | (v & SSTATUS_MASK); h.checkIrq(); return;
    case Csr.sie: h.mie = (h.mie & ~h.mideleg) | (v & h.mideleg); h.checkIrq(); return;
    case Csr.sip: {
      const writable = h.mideleg & (1 << IRQ_SSI);
      h.mip = (h.mip & ~writable) | (v & writable);
      h.checkIrq();
      return;
    }
    case Csr.stvec: h.stvec = (v & ~2) >>> 0; return;
    case Csr.sscratch: h.sscratch = v >>> 0; return;
    case Csr.sepc: h.sepc = (v & ~1) >>> 0; return;
    case Csr.scause: h.scause = v >>> 0; return;
    case Csr.stval: h.stval = v >>> 0; return;
    case Csr.satp: h.satp = v >>> 0; h.translationChanged(true); return;
    case Csr.scounteren: h.scounteren = v >>> 0; return;
  }
  if (n >= PMPCFG0 && n < PMPCFG0 + 16) h.pmp.writeCfg(n - PMPCFG0, v);
  else if (n >= PMPADDR0 && n < PMPADDR0 + 64) h.pmp.writeAddr(n - PMPADDR0, v);
  else return; // misa, mstatush, envcfg, hpm counters/events, mcountinhibit, triggers: writes ignored (WARL)
  // RAM may have become open or closed to a privilege: kept translations and decodings go, as for a satp write.
  h.translationChanged(true);

}

/** Debugger write: like a guest write but never consults the environment; read-only CSRs are refused. */
export function csrPoke(h: CsrHost, n: number, v: number, instret: number): void {
  if (!csrExists(n) || csrReadOnly(n)) throw new Error(`csrPoke: CSR 0x${n.toString(16)} is not writable`);
  if (n === Csr.mcycle || n === Csr.mcycleh) {
    const full = withHalf(wrap64(h.lastCycle + h.cycleOffset), n === Csr.mcycleh, v);
    h.cycleOffset = full - h.lastCycle;
    return;
  }
  if (n === Csr.minstret || n === Csr.minstreth) {
    const full = withHalf(wrap64(instret + h.instretOffset), n === Csr.minstreth, v);
    h.instretOffset = full - instret;
    return;
  }
  csrWrite(h, n, v, instret, 0);
}
