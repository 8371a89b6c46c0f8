// Privilege levels (M/S/U): mstatus fields and their WARL rules, the sstatus view, delegation masks, and which interrupt is taken.

/** Privilege levels as the spec encodes them (2 is reserved: the H extension is not implemented). */
export const PRIV_U = 0;
export const PRIV_S = 1;
export const PRIV_M = 3;

export const MSTATUS_SIE = 1 << 1;
export const MSTATUS_MIE = 1 << 3;
export const MSTATUS_SPIE = 1 << 5;
export const MSTATUS_MPIE = 1 << 7;
export const MSTATUS_SPP = 1 << 8;
export const MSTATUS_MPP_SHIFT = 11;
export const MSTATUS_MPP = 3 << MSTATUS_MPP_SHIFT;
export const MSTATUS_MPRV = 1 << 17;
export const MSTATUS_SUM = 1 << 18;
export const MSTATUS_MXR = 1 << 19;
export const MSTATUS_TVM = 1 << 20;
export const MSTATUS_TW = 1 << 21;
export const MSTATUS_TSR = 1 << 22;
/** Every mstatus field that holds state (FS, VS, XS, SD, UBE/SBE/MBE are read-only zero: no F, V or big-endian). */
export const MSTATUS_WRITABLE = MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP | MSTATUS_MPP
  | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR;
/** The fields sstatus shows and writes. */
export const SSTATUS_MASK = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR;
/** mstatus after reset: M-mode, MPP = M (an mret before any trap stays in M, as every bare-metal guest expects). */
export const MSTATUS_RESET = MSTATUS_MPP;

export const IRQ_SSI = 1;
export const IRQ_MSI = 3;
export const IRQ_STI = 5;
export const IRQ_MTI = 7;
export const IRQ_SEI = 9;
export const IRQ_MEI = 11;
/** mie/mip bits that exist: the S- and M-level software, timer and external interrupts. */
export const IRQ_MASK = (1 << IRQ_SSI) | (1 << IRQ_MSI) | (1 << IRQ_STI) | (1 << IRQ_MTI) | (1 << IRQ_SEI) | (1 << IRQ_MEI);
/** The S-level bits: writable in mip by M-mode software, delegable in mideleg (STIP set by M-mode is how an SBI timer works). */
export const IRQ_S_MASK = (1 << IRQ_SSI) | (1 << IRQ_STI) | (1 << IRQ_SEI);
/** The M-level bits: driven by devices (CLINT, PLIC) only. */
export const IRQ_M_MASK = (1 << IRQ_MSI) | (1 << IRQ_MTI) | (1 << IRQ_MEI);
/** Exceptions medeleg can delegate: causes 0-9, 12, 13, 15 (11, ecall from M, never leaves M; 10 and 14 are reserved). */
export const MEDELEG_MASK = 0x3ff | (1 << 12) | (1 << 13) | (1 << 15);
/** Interrupt priority, highest first (within one destination mode). */
const IRQ_ORDER = [IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI];

/** The privilege state interrupt selection reads (Cpu implements it). */
export interface PrivState {
  priv: number;
  mstatus: number;
  mip: number;
  mie: number;
  mideleg: number;
}

/** mstatus after a guest write of `v`: WARL — only existing fields, and a reserved MPP (2) keeps the old MPP. */
export function legalMstatus(old: number, v: number): number {
  let next = v & MSTATUS_WRITABLE;
  if ((next & MSTATUS_MPP) === 2 << MSTATUS_MPP_SHIFT) next = (next & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
  return next;
}

/** The privilege data loads and stores use: MPP while M-mode has MPRV set, else the current one. */
export function dataPriv(s: PrivState): number {
  return s.priv === PRIV_M && (s.mstatus & MSTATUS_MPRV) !== 0 ? (s.mstatus & MSTATUS_MPP) >>> MSTATUS_MPP_SHIFT : s.priv;
}

/**
 * The interrupt taken now, or -1. M-level (not delegated) interrupts are taken below M always and in M
 * with MIE; delegated ones below S always and in S with SIE, never in M. Interrupts for M come first,
 * then MEI > MSI > MTI > SEI > SSI > STI.
 */
export function pendingInterrupt(s: PrivState): number {
  const pending = s.mip & s.mie;
  if (pending === 0) return -1;
  const toM = pending & ~s.mideleg;
  if (toM !== 0 && (s.priv < PRIV_M || (s.mstatus & MSTATUS_MIE) !== 0)) return highest(toM);
  const toS = pending & s.mideleg;
  if (toS !== 0 && (s.priv < PRIV_S || (s.priv === PRIV_S && (s.mstatus & MSTATUS_SIE) !== 0))) return highest(toS);
  return -1;
}

function highest(bits: number): number {
  for (const irq of IRQ_ORDER) if ((bits & (1 << irq)) !== 0) return irq;
  throw new Error(`invariant: no interrupt among pending bits 0x${bits.toString(16)}`);
}

/** True when a trap of `cause` (bit 31 set: interrupt) raised in `priv` goes to S-mode. */
export function trapsToS(s: PrivState, medeleg: number, cause: number): boolean {
  if (s.priv > PRIV_S) return false;
  const code = cause & 0x7fffffff;
  return (((cause < 0 ? s.mideleg : medeleg) >>> code) & 1) !== 0;
}

/** mstatus on entering a trap handler in M (`toS` false) or S from privilege `priv`. */
export function mstatusOnTrap(mstatus: number, priv: number, toS: boolean): number {
  if (toS) {
    const spie = (mstatus & MSTATUS_SIE) !== 0 ? MSTATUS_SPIE : 0;
    const spp = priv === PRIV_S ? MSTATUS_SPP : 0;
    return (mstatus & ~(MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP)) | spie | spp;
  }
  const mpie = (mstatus & MSTATUS_MIE) !== 0 ? MSTATUS_MPIE : 0;
  return (mstatus & ~(MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP)) | mpie | (priv << MSTATUS_MPP_SHIFT);
}

/** mstatus after mret: MIE = MPIE, MPIE = 1, MPP = U, and MPRV cleared when returning below M. */
export function mstatusOnMret(mstatus: number): number {
  const target = (mstatus & MSTATUS_MPP) >>> MSTATUS_MPP_SHIFT;
  const mie = (mstatus & MSTATUS_MPIE) !== 0 ? MSTATUS_MIE : 0;
  const mprv = target === PRIV_M ? mstatus & MSTATUS_MPRV : 0;
  return (mstatus & ~(MSTATUS_MIE | MSTATUS_MPP | MSTATUS_MPRV)) | mie | MSTATUS_MPIE | mprv;
}

/** mstatus after sret: SIE = SPIE, SPIE = 1, SPP = U, MPRV cleared (the target is never M). */
export function mstatusOnSret(mstatus: number): number {
  const sie = (mstatus & MSTATUS_SPIE) !== 0 ? MSTATUS_SIE : 0;
  return (mstatus & ~(MSTATUS_SIE | MSTATUS_SPP | MSTATUS_MPRV)) | sie | MSTATUS_SPIE;
}
