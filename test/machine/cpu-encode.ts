// Hand encoder for RV32IMA + Zicsr instructions and a tiny program builder with labels (CPU tests and benchmark).

const r = (f7: number, rs2: number, rs1: number, f3: number, rd: number, opc: number): number =>
  ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc) >>> 0;
const i = (imm: number, rs1: number, f3: number, rd: number, opc: number): number =>
  (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc) >>> 0;
const s = (imm: number, rs2: number, rs1: number, f3: number, opc: number): number =>
  ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) | opc) >>> 0;
const b = (imm: number, rs2: number, rs1: number, f3: number): number =>
  ((((imm >> 12) & 1) << 31) | (((imm >> 5) & 63) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
    (((imm >> 1) & 15) << 8) | (((imm >> 11) & 1) << 7) | 0x63) >>> 0;
const u = (imm: number, rd: number, opc: number): number => ((imm & 0xfffff000) | (rd << 7) | opc) >>> 0;
const j = (imm: number, rd: number): number =>
  ((((imm >> 20) & 1) << 31) | (((imm >> 1) & 1023) << 21) | (((imm >> 11) & 1) << 20) |
    (((imm >> 12) & 255) << 12) | (rd << 7) | 0x6f) >>> 0;
const amo = (f5: number, rd: number, rs1: number, rs2: number): number => r(f5 << 2, rs2, rs1, 2, rd, 0x2f);

/** 32-bit instruction encoders; registers are numbers 0..31, immediates plain numbers. */
export const E = {
  lui: (rd: number, imm20: number) => u(imm20 << 12, rd, 0x37),
  auipc: (rd: number, imm20: number) => u(imm20 << 12, rd, 0x17),
  jal: (rd: number, off: number) => j(off, rd),
  jalr: (rd: number, rs1: number, off: number) => i(off, rs1, 0, rd, 0x67),
  beq: (rs1: number, rs2: number, off: number) => b(off, rs2, rs1, 0),
  bne: (rs1: number, rs2: number, off: number) => b(off, rs2, rs1, 1),
  blt: (rs1: number, rs2: number, off: number) => b(off, rs2, rs1, 4),
  bge: (rs1: number, rs2: number, off: number) => b(off, rs2, rs1, 5),
  bltu: (rs1: number, rs2: number, off: number) => b(off, rs2, rs1, 6),
  bgeu: (rs1: number, rs2: number, off: number) => b(off, rs2, rs1, 7),
  lb: (rd: number, rs1: number, off: number) => i(off, rs1, 0, rd, 0x03),
  lh: (rd: number, rs1: number, off: number) => i(off, rs1, 1, rd, 0x03),
  lw: (rd: number, rs1: number, off: number) => i(off, rs1, 2, rd, 0x03),
  lbu: (rd: number, rs1: number, off: number) => i(off, rs1, 4, rd, 0x03),
  lhu: (rd: number, rs1: number, off: number) => i(off, rs1, 5, rd, 0x03),
  sb: (rs2: number, rs1: number, off: number) => s(off, rs2, rs1, 0, 0x23),
  sh: (rs2: number, rs1: number, off: number) => s(off, rs2, rs1, 1, 0x23),
  sw: (rs2: number, rs1: number, off: number) => s(off, rs2, rs1, 2, 0x23),
  addi: (rd: number, rs1: number, imm: number) => i(imm, rs1, 0, rd, 0x13),
  slti: (rd: number, rs1: number, imm: number) => i(imm, rs1, 2, rd, 0x13),
  sltiu: (rd: number, rs1: number, imm: number) => i(imm, rs1, 3, rd, 0x13),
  xori: (rd: number, rs1: number, imm: number) => i(imm, rs1, 4, rd, 0x13),
  ori: (rd: number, rs1: number, imm: number) => i(imm, rs1, 6, rd, 0x13),
  andi: (rd: number, rs1: number, imm: number) => i(imm, rs1, 7, rd, 0x13),
  slli: (rd: number, rs1: number, sh: number) => i(sh, rs1, 1, rd, 0x13),
  srli: (rd: number, rs1: number, sh: number) => i(sh, rs1, 5, rd, 0x13),
  srai: (rd: number, rs1: number, sh: number) => i(sh | 0x400, rs1, 5, rd, 0x13),
  add: (rd: number, rs1: number, rs2: number) => r(0, rs2, rs1, 0, rd, 0x33),
  sub: (rd: number, rs1: number, rs2: number) => r(0x20, rs2, rs1, 0, rd, 0x33),
  sll: (rd: number, rs1: number, rs2: number) => r(0, rs2, rs1, 1, rd, 0x33),
  slt: (rd: number, rs1: number, rs2: number) => r(0, rs2, rs1, 2, rd, 0x33),
  sltu: (rd: number, rs1: number, rs2: number) => r(0, rs2, rs1, 3, rd, 0x33),
  xor: (rd: number, rs1: number, rs2: number) => r(0, rs2, rs1, 4, rd, 0x33),
  srl: (rd: number, rs1: number, rs2: number) => r(0, rs2, rs1, 5, rd, 0x33),
  sra: (rd: number, rs1: number, rs2: number) => r(0x20, rs2, rs1, 5, rd, 0x33),
  or: (rd: number, rs1: number, rs2: number) => r(0, rs2, rs1, 6, rd, 0x33),
  and: (rd: number, rs1: number, rs2: number) => r(0, rs2, rs1, 7, rd, 0x33),
  mul: (rd: number, rs1: number, rs2: number) => r(1, rs2, rs1, 0, rd, 0x33),
  mulh: (rd: number, rs1: number, rs2: number) => r(1, rs2, rs1, 1, rd, 0x33),
  mulhsu: (rd: number, rs1: number, rs2: number) => r(1, rs2, rs1, 2, rd, 0x33),
  mulhu: (rd: number, rs1: number, rs2: number) => r(1, rs2, rs1, 3, rd, 0x33),
  div: (rd: number, rs1: number, rs2: number) => r(1, rs2, rs1, 4, rd, 0x33),
  divu: (rd: number, rs1: number, rs2: number) => r(1, rs2, rs1, 5, rd, 0x33),
  rem: (rd: number, rs1: number, rs2: number) => r(1, rs2, rs1, 6, rd, 0x33),
  remu: (rd: number, rs1: number, rs2: number) => r(1, rs2, rs1, 7, rd, 0x33),
  fence: () => 0x0ff0000f,
  fenceI: () => 0x0000100f,
  ecall: () => 0x00000073,
  ebreak: () => 0x00100073,
  mret: () => 0x30200073,
  wfi: () => 0x10500073,
  csrrw: (rd: number, csr: number, rs1: number) => i(csr, rs1, 1, rd, 0x73),
  csrrs: (rd: number, csr: number, rs1: number) => i(csr, rs1, 2, rd, 0x73),
  csrrc: (rd: number, csr: number, rs1: number) => i(csr, rs1, 3, rd, 0x73),
  csrrwi: (rd: number, csr: number, uimm: number) => i(csr, uimm, 5, rd, 0x73),
  csrrsi: (rd: number, csr: number, uimm: number) => i(csr, uimm, 6, rd, 0x73),
  csrrci: (rd: number, csr: number, uimm: number) => i(csr, uimm, 7, rd, 0x73),
  lr: (rd: number, rs1: number) => amo(0x02, rd, rs1, 0),
  sc: (rd: number, rs1: number, rs2: number) => amo(0x03, rd, rs1, rs2),
  amoswap: (rd: number, rs1: number, rs2: number) => amo(0x01, rd, rs1, rs2),
  amoadd: (rd: number, rs1: number, rs2: number) => amo(0x00, rd, rs1, rs2),
  amoxor: (rd: number, rs1: number, rs2: number) => amo(0x04, rd, rs1, rs2),
  amoand: (rd: number, rs1: number, rs2: number) => amo(0x0c, rd, rs1, rs2),
  amoor: (rd: number, rs1: number, rs2: number) => amo(0x08, rd, rs1, rs2),
  amomin: (rd: number, rs1: number, rs2: number) => amo(0x10, rd, rs1, rs2),
  amomax: (rd: number, rs1: number, rs2: number) => amo(0x14, rd, rs1, rs2),
  amominu: (rd: number, rs1: number, rs2: number) => amo(0x18, rd, rs1, rs2),
  amomaxu: (rd: number, rs1: number, rs2: number) => amo(0x1c, rd, rs1, rs2),
};

/** Loads a full 32-bit constant into rd (lui + addi). */
export function li(rd: number, value: number): number[] {
  const lo = (value << 20) >> 20;
  const hi = ((value - lo) >>> 12) & 0xfffff;
  return hi === 0 ? [E.addi(rd, 0, lo)] : [E.lui(rd, hi), E.addi(rd, rd, lo)];
}

type BranchName = 'beq' | 'bne' | 'blt' | 'bge' | 'bltu' | 'bgeu';

/** A program under construction: 32-bit words, 16-bit parcels, labels and branch/jump fixups. */
export class Prog {
  private readonly parts: { kind: 'w' | 'h'; value: number }[] = [];
  private readonly labels = new Map<string, number>();
  private readonly fixups: { at: number; index: number; make: (off: number) => number; label: string }[] = [];
  private size = 0;

  constructor(readonly base = 0x8000_0000) {}

  /** Address of the next instruction. */
  get here(): number {
    return this.base + this.size;
  }

  label(name: string): this {
    this.labels.set(name, this.here);
    return this;
  }

  addr(name: string): number {
    const a = this.labels.get(name);
    if (a === undefined) throw new Error(`no label ${name}`);
    return a;
  }

  w(...words: (number | number[])[]): this {
    for (const v of words.flat()) {
      this.parts.push({ kind: 'w', value: v >>> 0 });
      this.size += 4;
    }
    return this;
  }

  /** 16-bit parcels (compressed instructions). */
  h(...parcels: number[]): this {
    for (const v of parcels) {
      this.parts.push({ kind: 'h', value: v & 0xffff });
      this.size += 2;
    }
    return this;
  }

  br(name: BranchName, rs1: number, rs2: number, label: string): this {
    return this.fix(label, (off) => E[name](rs1, rs2, off));
  }

  jal(rd: number, label: string): this {
    return this.fix(label, (off) => E.jal(rd, off));
  }

  /** la rd, label (auipc + addi). */
  la(rd: number, label: string): this {
    this.fix(label, (off) => E.auipc(rd, ((off + 0x800) >>> 12) & 0xfffff));
    return this.fix(label, (off) => E.addi(rd, rd, (off << 20) >> 20), -4);
  }

  /** A 32-bit word computed from `label`'s offset relative to this word's address, once every label is known. */
  ref(label: string, make: (off: number) => number): this {
    return this.fix(label, make);
  }

  private fix(label: string, make: (off: number) => number, pcAdjust = 0): this {
    this.fixups.push({ at: this.here + pcAdjust, index: this.parts.length, make, label });
    return this.w(0);
  }

  bytes(): Uint8Array {
    for (const f of this.fixups) this.parts[f.index].value = f.make(this.addr(f.label) - f.at) >>> 0;
    const out = new Uint8Array(this.size);
    const dv = new DataView(out.buffer);
    let off = 0;
    for (const p of this.parts) {
      if (p.kind === 'w') dv.setUint32(off, p.value, true);
      else dv.setUint16(off, p.value, true);
      off += p.kind === 'w' ? 4 : 2;
    }
    return out;
  }
}

/** ABI register numbers. */
export const R = {
  zero: 0, ra: 1, sp: 2, gp: 3, tp: 4, t0: 5, t1: 6, t2: 7, s0: 8, s1: 9,
  a0: 10, a1: 11, a2: 12, a3: 13, a4: 14, a5: 15, a6: 16, a7: 17,
  s2: 18, s3: 19, s4: 20, s5: 21, s6: 22, s7: 23, s8: 24, s9: 25, s10: 26, s11: 27,
  t3: 28, t4: 29, t5: 30, t6: 31,
} as const;
