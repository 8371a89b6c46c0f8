// Seeded random RV32IMC programs for the fast-path differential test: ALU, RAM/MMIO/faulting memory, loops, calls, self-modifying code, traps.

import { E, Prog, R, li } from './cpu-encode';
import { IRQ_DEV, RAM_BASE, SCRATCH_DEV } from './cpu-harness';

/** Data area the random loads and stores address through x2 (±2 KiB around it). */
export const DATA = RAM_BASE + 0x4_0000;
const BODY_ITEMS_MIN = 40;
const BODY_ITEMS_MAX = 160;
/** Random destinations: x5..x27 (x1..x4 hold the handler temp and the bases, x28 return addresses, x29..x31 the generator's temps). */
const RD_LO = 5, RD_HI = 27;
const LINK = 28, TMP_JUMP = 29, TMP_SMC = 30, COUNTER = 31;

type Rand = () => number;

export interface RandomProgram {
  code: Uint8Array;
  /** Whether the prologue enables interrupts (mie = MSIE|MTIE|MEIE, mstatus.MIE = 1). */
  interrupts: boolean;
}

const int = (rand: Rand, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const rd = (rand: Rand): number => (rand() < 0.05 ? 0 : int(rand, RD_LO, RD_HI));
const rs = (rand: Rand): number => int(rand, 0, 31);
const creg = (rand: Rand): number => int(rand, 8, 15);

const R_OPS = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and',
  'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu'] as const;
const I_OPS = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi'] as const;
const SHIFT_OPS = ['slli', 'srli', 'srai'] as const;
const BRANCHES = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'] as const;
const LOADS = [['lb', 1], ['lbu', 1], ['lh', 2], ['lhu', 2], ['lw', 4]] as const;
const STORES = [['sb', 1], ['sh', 2], ['sw', 4]] as const;

/** A random ALU instruction word (also what self-modifying stores write). */
export function randomAlu(rand: Rand): number {
  const r = rand();
  if (r < 0.45) return E[pick(rand, R_OPS)](rd(rand), rs(rand), rs(rand));
  if (r < 0.75) return E[pick(rand, I_OPS)](rd(rand), rs(rand), int(rand, -2048, 2047));
  if (r < 0.9) return E[pick(rand, SHIFT_OPS)](rd(rand), rs(rand), int(rand, 0, 31));
  return rand() < 0.5 ? E.lui(rd(rand), int(rand, 0, 0xfffff)) : E.auipc(rd(rand), int(rand, 0, 0xfffff));
}

/** A random valid compressed instruction that does not transfer control. */
function randomCompressed(rand: Rand): number {
  const imm6 = int(rand, -32, 31) & 63, r = int(rand, RD_LO, RD_HI), cr = creg(rand);
  switch (int(rand, 0, 10)) {
    case 0: return (((imm6 >> 5) & 1) << 12) | (r << 7) | ((imm6 & 31) << 2) | 1; // c.addi
    case 1: return (2 << 13) | (((imm6 >> 5) & 1) << 12) | (r << 7) | ((imm6 & 31) << 2) | 1; // c.li
    case 2: return (4 << 13) | ((cr - 8) << 7) | (int(rand, 1, 31) << 2) | 1; // c.srli
    case 3: return (4 << 13) | (1 << 10) | ((cr - 8) << 7) | (int(rand, 1, 31) << 2) | 1; // c.srai
    case 4: return (4 << 13) | (((imm6 >> 5) & 1) << 12) | (2 << 10) | ((cr - 8) << 7) | ((imm6 & 31) << 2) | 1; // c.andi
    case 5: return (4 << 13) | (3 << 10) | ((cr - 8) << 7) | (int(rand, 0, 3) << 5) | ((creg(rand) - 8) << 2) | 1; // c.sub/xor/or/and
    case 6: return (r << 7) | (int(rand, 1, 31) << 2) | 2; // c.slli
    case 7: return (4 << 13) | (r << 7) | (int(rand, 1, 31) << 2) | 2; // c.mv
    case 8: return (4 << 13) | (1 << 12) | (r << 7) | (int(rand, 1, 31) << 2) | 2; // c.add
    case 9: { // c.lwsp (x2 is the data base)
      const u = int(rand, 0, 63) * 4;
      return (2 << 13) | (((u >> 5) & 1) << 12) | (r << 7) | (((u >> 2) & 7) << 4) | (((u >> 6) & 3) << 2) | 2;
    }
    default: { // c.swsp
      const u = int(rand, 0, 63) * 4;
      return (6 << 13) | (((u >> 2) & 15) << 9) | (((u >> 6) & 3) << 7) | (rs(rand) << 2) | 2;
    }
  }
}

/** Base register and offset of a random memory access: mostly the data area, sometimes MMIO, unmapped or a random register. */
function address(rand: Rand, size: number): [number, number] {
  const r = rand();
  const aligned = rand() < 0.9;
  const off = (span: number): number => (aligned ? Math.floor(int(rand, -span, span - size) / size) * size : int(rand, -span, span - 1));
  if (r < 0.8) return [R.sp, off(2048)];
  if (r < 0.88) return [R.tp, Math.abs(off(64))]; // SCRATCH_DEV (MMIO)
  if (r < 0.93) return [R.zero, Math.abs(off(2048))]; // unmapped: access fault
  return [int(rand, RD_LO, RD_HI), off(2048)];
}

/**
 * The trap handler: skips the faulting instruction (2 or 4 bytes); restarts the body after an
 * instruction access fault; for an interrupt, lowers its line through IRQ_DEV.
 */
function handler(p: Prog): void {
  p.label('handler').w(E.csrrw(0, 0x340, 5), E.csrrs(1, 0x342, 0)); // mscratch = x5; x1 = mcause
  p.br('blt', 1, 0, 'irq');
  p.w(E.addi(5, 0, 1));
  p.br('beq', 1, 5, 'refetch');
  p.w(E.csrrs(1, 0x341, 0), E.lhu(5, 1, 0), E.andi(5, 5, 3), E.addi(1, 1, 2), E.addi(5, 5, -3)); // x1 = mepc + 2
  p.br('bne', 5, 0, 'skip');
  p.w(E.addi(1, 1, 2));
  p.label('skip').w(E.csrrw(0, 0x341, 1), E.csrrs(5, 0x340, 0), E.mret());
  p.label('refetch').la(1, 'top');
  p.w(E.csrrw(0, 0x341, 1), E.csrrs(5, 0x340, 0), E.mret());
  p.label('irq').w(E.andi(1, 1, 31), E.slli(1, 1, 1), E.lui(5, IRQ_DEV >>> 12), E.sw(1, 5, 0), E.csrrs(5, 0x340, 0), E.mret());
}

/** Item kinds are drawn first, so self-modifying stores can target items known to be one plain ALU word. */
const ALU_ITEM = 0.3;

/**
 * One random body item at index k, of kind `r` (labels i0..iN mark item starts; `end` loops back).
 * `aluItems` are the indices of the single-ALU-word items: the only code a self-modifying store
 * overwrites (with another ALU word), so the generator's own sequences (IRQ values, jumps) stay intact.
 */
function item(p: Prog, rand: Rand, k: number, r: number, items: number, aluItems: number[]): void {
  const label = (j: number): string => (j >= items ? 'end' : `i${Math.max(0, j)}`);
  if (r < ALU_ITEM) { p.w(randomAlu(rand)); return; }
  if (r < 0.4) { p.h(randomCompressed(rand)); return; }
  if (r < 0.55) {
    const [name, size] = pick(rand, LOADS);
    const [base, off] = address(rand, size);
    p.w(E[name](rd(rand), base, off));
    return;
  }
  if (r < 0.68) {
    const [name, size] = pick(rand, STORES);
    const [base, off] = address(rand, size);
    p.w(E[name](rs(rand), base, off));
    return;
  }
  if (r < 0.76) { p.br(pick(rand, BRANCHES), rs(rand), rs(rand), label(k + int(rand, 1, 8))); return; }
  if (r < 0.80) { // counted loop back to an earlier item
    p.w(E.addi(COUNTER, COUNTER, -1));
    p.br('blt', 0, COUNTER, label(k - int(rand, 0, 10)));
    return;
  }
  if (r < 0.84) { p.jal(rand() < 0.5 ? 0 : rd(rand), label(k + int(rand, 1, 6))); return; }
  if (r < 0.87) { // jalr to an item through a register
    p.la(TMP_JUMP, label(k + int(rand, 1, 8)));
    p.w(E.jalr(rand() < 0.5 ? 0 : rd(rand), TMP_JUMP, 0));
    return;
  }
  if (r < 0.9) { // call a tiny subroutine and return through jalr (a return site inside the region)
    p.jal(LINK, `sub${k}`).jal(0, `ret${k}`).label(`sub${k}`).w(randomAlu(rand), E.jalr(0, LINK, 0)).label(`ret${k}`);
    return;
  }
  if (r < 0.915) { // self-modifying store of a fresh ALU instruction over an item (or into data sharing the code page)
    p.w(li(TMP_SMC, randomAlu(rand)));
    const target = rand() < 0.7 && aluItems.length > 0 ? label(pick(rand, aluItems)) : 'slots';
    const at = p.here, skew = rand() < 0.9 ? 0 : 1;
    // x3 (gp) holds the address of i0; the offset is clamped to the 12-bit immediate. A 2-byte
    // aligned target or a skew makes a misaligned store, performed byte by byte over two items.
    p.ref(target, (off) => E.sw(TMP_SMC, R.gp, Math.min(2044, off + at - p.addr('i0')) + skew));
    return;
  }
  if (r < 0.917) { p.w(E.fenceI()); return; }
  if (r < 0.955) { // raise or lower an interrupt line through the MMIO interrupt device
    p.w(E.addi(TMP_SMC, 0, (pick(rand, [3, 7, 11]) << 1) | (rand() < 0.7 ? 1 : 0)), E.lui(TMP_JUMP, IRQ_DEV >>> 12), E.sw(TMP_SMC, TMP_JUMP, 0));
    return;
  }
  if (r < 0.975) { // CSRs: counters, scratch, toggling mstatus.MIE
    p.w(pick(rand, [E.csrrs(rd(rand), 0xb00, 0), E.csrrs(rd(rand), 0xb02, 0), E.csrrw(rd(rand), 0x340, rs(rand)),
      E.csrrsi(0, 0x300, 8), E.csrrci(0, 0x300, 8), E.csrrs(rd(rand), 0xc01, 0)]));
    return;
  }
  p.w(pick(rand, [E.ecall(), E.ebreak(), 0xffffffff, E.wfi(), E.fence()]));
}

/** A random program: prologue (bases, registers, handler, interrupts), then a body that loops forever. */
export function randomProgram(rand: Rand): RandomProgram {
  const p = new Prog(RAM_BASE);
  const interrupts = rand() < 0.5;
  p.w(li(R.sp, DATA), li(R.tp, SCRATCH_DEV));
  p.la(R.gp, 'i0');
  p.la(1, 'handler');
  p.w(E.csrrw(0, 0x305, 1)); // mtvec
  if (interrupts) p.w(li(1, 0x888), E.csrrw(0, 0x304, 1), E.csrrsi(0, 0x300, 8));
  for (let r = RD_LO; r <= RD_HI; r++) p.w(li(r, (rand() * 0x1_0000_0000) | 0));
  p.jal(0, 'top');
  handler(p);
  const kinds = Array.from({ length: int(rand, BODY_ITEMS_MIN, BODY_ITEMS_MAX) }, () => rand());
  const aluItems = kinds.flatMap((r, k) => (r < ALU_ITEM ? [k] : []));
  p.label('top').w(E.addi(COUNTER, 0, 4));
  kinds.forEach((r, k) => {
    p.label(`i${k}`);
    item(p, rand, k, r, kinds.length, aluItems);
  });
  p.label('end').jal(0, 'top');
  p.label('slots').w(...new Array<number>(16).fill(0));
  return { code: p.bytes(), interrupts };
}
