// Instruction decoder: RV32IMAC + Zicsr + Zifencei (machine mode) into packed decode-cache entries.
//
// A decoded instruction is two int32s: `w` (op | rd | rs1 | rs2 | length, see below) and `imm`.
//   bits 0..7   op (Op, declared in cpu-exec.ts so the interpreter switch gets literal cases)
//   bits 8..13  rd, 0..32: x0 as a destination becomes 32, a sink register nobody reads
//   bits 14..18 rs1 (for the CSR immediate forms: the 5-bit uimm)
//   bits 19..23 rs2
//   bits 24..31 instruction length in bytes (2 or 4)
// `imm` is the sign-extended immediate, the CSR number for Zicsr ops, or the raw bits for ILLEGAL.
// Compressed instructions decode to the op of their 32-bit expansion with length 2.

import { Op, RD_SINK } from './cpu-exec';

/** Output slot of `decode` (avoids allocating per instruction). */
export interface Decoded {
  w: number;
  imm: number;
}

/** Packs the fields of a decoded instruction into `w`. */
export function pack(op: Op, rd: number, rs1: number, rs2: number, len: 2 | 4): number {
  return op | ((rd === 0 ? RD_SINK : rd) << 8) | (rs1 << 14) | (rs2 << 19) | (len << 24);
}

export const wOp = (w: number): Op => w & 0xff;
export const wRd = (w: number): number => (w >>> 8) & 63;
export const wRs1 = (w: number): number => (w >>> 14) & 31;
export const wRs2 = (w: number): number => (w >>> 19) & 31;
export const wLen = (w: number): number => w >>> 24;

/** Length in bytes of the instruction whose first 16-bit parcel is `lo`. */
export function instLength(lo: number): 2 | 4 {
  return (lo & 3) === 3 ? 4 : 2;
}

/** Decodes `bits` (a 32-bit instruction, or a 16-bit parcel when the low two bits are not 11). */
export function decode(bits: number, out: Decoded): void {
  if ((bits & 3) === 3) decode32(bits | 0, out);
  else decode16(bits & 0xffff, out);
}

function set(out: Decoded, op: Op, rd: number, rs1: number, rs2: number, imm: number, len: 2 | 4): void {
  out.w = pack(op, rd, rs1, rs2, len);
  out.imm = imm | 0;
}

function illegal(out: Decoded, bits: number, len: 2 | 4): void {
  out.w = pack(Op.ILLEGAL, 0, 0, 0, len);
  out.imm = bits | 0;
}

// ---- 32-bit instructions ----

const immI = (i: number): number => i >> 20;
const immS = (i: number): number => ((i >> 25) << 5) | ((i >>> 7) & 31);
const immB = (i: number): number =>
  ((i >> 31) << 12) | (((i >>> 7) & 1) << 11) | (((i >>> 25) & 63) << 5) | (((i >>> 8) & 15) << 1);
const immU = (i: number): number => i & 0xfffff000;
const immJ = (i: number): number =>
  ((i >> 31) << 20) | (((i >>> 12) & 255) << 12) | (((i >>> 20) & 1) << 11) | (((i >>> 21) & 1023) << 1);

const BRANCH_OPS: (Op | -1)[] = [Op.BEQ, Op.BNE, -1, -1, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU];
const LOAD_OPS: (Op | -1)[] = [Op.LB, Op.LH, Op.LW, -1, Op.LBU, Op.LHU, -1, -1];
const STORE_OPS: (Op | -1)[] = [Op.SB, Op.SH, Op.SW, -1, -1, -1, -1, -1];
const OPIMM_OPS: Op[] = [Op.ADDI, Op.SLLI, Op.SLTI, Op.SLTIU, Op.XORI, Op.SRLI, Op.ORI, Op.ANDI];
const OP_OPS: Op[] = [Op.ADD, Op.SLL, Op.SLT, Op.SLTU, Op.XOR, Op.SRL, Op.OR, Op.AND];
const MUL_OPS: Op[] = [Op.MUL, Op.MULH, Op.MULHSU, Op.MULHU, Op.DIV, Op.DIVU, Op.REM, Op.REMU];
const CSR_OPS: (Op | -1)[] = [-1, Op.CSRRW, Op.CSRRS, Op.CSRRC, -1, Op.CSRRWI, Op.CSRRSI, Op.CSRRCI];

function decode32(i: number, out: Decoded): void {
  const rd = (i >>> 7) & 31, f3 = (i >>> 12) & 7, rs1 = (i >>> 15) & 31, rs2 = (i >>> 20) & 31;
  const f7 = i >>> 25;
  let op: Op | -1 = -1;
  switch ((i >>> 2) & 31) {
    case 0x0d: return set(out, Op.LUI, rd, 0, 0, immU(i), 4);
    case 0x05: return set(out, Op.AUIPC, rd, 0, 0, immU(i), 4);
    case 0x1b: return set(out, Op.JAL, rd, 0, 0, immJ(i), 4);
    case 0x19: if (f3 === 0) return set(out, Op.JALR, rd, rs1, 0, immI(i), 4); break;
    case 0x18: op = BRANCH_OPS[f3]; if (op !== -1) return set(out, op, 0, rs1, rs2, immB(i), 4); break;
    case 0x00: op = LOAD_OPS[f3]; if (op !== -1) return set(out, op, rd, rs1, 0, immI(i), 4); break;
    case 0x08: op = STORE_OPS[f3]; if (op !== -1) return set(out, op, 0, rs1, rs2, immS(i), 4); break;
    case 0x04: return decodeOpImm(i, rd, f3, rs1, f7, out);
    case 0x0c: return decodeOp(i, rd, f3, rs1, rs2, f7, out);
    case 0x03: return decodeMiscMem(i, f3, out);
    case 0x1c: return decodeSystem(i, rd, f3, rs1, out);
    case 0x0b: return decodeAmo(i, rd, f3, rs1, rs2, out);
  }
  illegal(out, i, 4);
}

function decodeOpImm(i: number, rd: number, f3: number, rs1: number, f7: number, out: Decoded): void {
  const op = OPIMM_OPS[f3];
  if (f3 === 1 || f3 === 5) {
    const shamt = (i >>> 20) & 31;
    if (f3 === 1 && f7 === 0) return set(out, Op.SLLI, rd, rs1, 0, shamt, 4);
    if (f3 === 5 && f7 === 0) return set(out, Op.SRLI, rd, rs1, 0, shamt, 4);
    if (f3 === 5 && f7 === 0x20) return set(out, Op.SRAI, rd, rs1, 0, shamt, 4);
    return illegal(out, i, 4);
  }
  set(out, op, rd, rs1, 0, immI(i), 4);
}

function decodeOp(i: number, rd: number, f3: number, rs1: number, rs2: number, f7: number, out: Decoded): void {
  if (f7 === 0) return set(out, OP_OPS[f3], rd, rs1, rs2, 0, 4);
  if (f7 === 1) return set(out, MUL_OPS[f3], rd, rs1, rs2, 0, 4);
  if (f7 === 0x20 && f3 === 0) return set(out, Op.SUB, rd, rs1, rs2, 0, 4);
  if (f7 === 0x20 && f3 === 5) return set(out, Op.SRA, rd, rs1, rs2, 0, 4);
  illegal(out, i, 4);
}

function decodeMiscMem(i: number, f3: number, out: Decoded): void {
  // FENCE ignores its (reserved) fields, as the spec asks of implementations.
  if (f3 === 0) return set(out, Op.FENCE, 0, 0, 0, 0, 4);
  if (f3 === 1) return set(out, Op.FENCE_I, 0, 0, 0, 0, 4);
  illegal(out, i, 4);
}

function decodeSystem(i: number, rd: number, f3: number, rs1: number, out: Decoded): void {
  if (f3 === 0) {
    switch (i >>> 0) {
      case 0x00000073: return set(out, Op.ECALL, 0, 0, 0, 0, 4);
      case 0x00100073: return set(out, Op.EBREAK, 0, 0, 0, 0, 4);
      case 0x30200073: return set(out, Op.MRET, 0, 0, 0, 0, 4);
      case 0x10200073: return set(out, Op.SRET, 0, 0, 0, 0, 4);
      case 0x10500073: return set(out, Op.WFI, 0, 0, 0, 0, 4);
    }
    if ((i & 0xfe007fff) === 0x12000073) return set(out, Op.SFENCE_VMA, 0, rs1, (i >>> 20) & 31, i, 4);
    return illegal(out, i, 4);
  }
  const op = CSR_OPS[f3];
  if (op === -1) return illegal(out, i, 4);
  set(out, op, rd, rs1, 0, i >>> 20, 4);
}

const AMO_OPS: { [funct5: number]: Op } = {
  0x00: Op.AMOADD, 0x01: Op.AMOSWAP, 0x02: Op.LR, 0x03: Op.SC, 0x04: Op.AMOXOR,
  0x08: Op.AMOOR, 0x0c: Op.AMOAND, 0x10: Op.AMOMIN, 0x14: Op.AMOMAX, 0x18: Op.AMOMINU, 0x1c: Op.AMOMAXU,
};

function decodeAmo(i: number, rd: number, f3: number, rs1: number, rs2: number, out: Decoded): void {
  const op = AMO_OPS[i >>> 27];
  if (f3 !== 2 || op === undefined || (op === Op.LR && rs2 !== 0)) return illegal(out, i, 4);
  set(out, op, rd, rs1, rs2, 0, 4);
}

// ---- 16-bit (C extension) instructions ----

const bit = (c: number, n: number): number => (c >>> n) & 1;
const bits = (c: number, hi: number, lo: number): number => (c >>> lo) & ((1 << (hi - lo + 1)) - 1);
const sext = (v: number, width: number): number => (v << (32 - width)) >> (32 - width);
/** rd'/rs1'/rs2' (3-bit register fields naming x8..x15). */
const creg = (c: number, lo: number): number => 8 + bits(c, lo + 2, lo);

function decode16(c: number, out: Decoded): void {
  const f3 = c >>> 13;
  switch (c & 3) {
    case 0: return decodeQ0(c, f3, out);
    case 1: return decodeQ1(c, f3, out);
    default: return decodeQ2(c, f3, out);
  }
}

/** c.lw / c.sw offset: uimm[5:3] = c[12:10], uimm[2] = c[6], uimm[6] = c[5]. */
const clwImm = (c: number): number => (bits(c, 12, 10) << 3) | (bit(c, 6) << 2) | (bit(c, 5) << 6);

function decodeQ0(c: number, f3: number, out: Decoded): void {
  switch (f3) {
    case 0: {
      const nzuimm = (bits(c, 12, 11) << 4) | (bits(c, 10, 7) << 6) | (bit(c, 6) << 2) | (bit(c, 5) << 3);
      if (nzuimm === 0) break; // includes the all-zero parcel
      return set(out, Op.ADDI, creg(c, 2), 2, 0, nzuimm, 2);
    }
    case 2: return set(out, Op.LW, creg(c, 2), creg(c, 7), 0, clwImm(c), 2);
    case 6: return set(out, Op.SW, 0, creg(c, 7), creg(c, 2), clwImm(c), 2);
  }
  illegal(out, c, 2); // c.fld/c.flw/c.fsd/c.fsw (no F/D) and the reserved slot
}

/** c.j / c.jal offset[11|4|9:8|10|6|7|3:1|5]. */
const cjImm = (c: number): number =>
  sext(
    (bit(c, 12) << 11) | (bit(c, 11) << 4) | (bits(c, 10, 9) << 8) | (bit(c, 8) << 10) |
      (bit(c, 7) << 6) | (bit(c, 6) << 7) | (bits(c, 5, 3) << 1) | (bit(c, 2) << 5),
    12,
  );
/** c.beqz / c.bnez offset[8|4:3|7:6|2:1|5]. */
const cbImm = (c: number): number =>
  sext(
    (bit(c, 12) << 8) | (bits(c, 11, 10) << 3) | (bits(c, 6, 5) << 6) | (bits(c, 4, 3) << 1) | (bit(c, 2) << 5),
    9,
  );
/** 6-bit signed immediate imm[5] = c[12], imm[4:0] = c[6:2]. */
const ci6 = (c: number): number => sext((bit(c, 12) << 5) | bits(c, 6, 2), 6);

function decodeQ1(c: number, f3: number, out: Decoded): void {
  const rd = bits(c, 11, 7);
  switch (f3) {
    case 0: return set(out, Op.ADDI, rd, rd, 0, ci6(c), 2); // c.addi (c.nop and HINTs write the sink)
    case 1: return set(out, Op.JAL, 1, 0, 0, cjImm(c), 2); // c.jal
    case 2: return set(out, Op.ADDI, rd, 0, 0, ci6(c), 2); // c.li
    case 3: return decodeLuiAddi16sp(c, rd, out);
    case 4: return decodeMiscAlu(c, out);
    case 5: return set(out, Op.JAL, 0, 0, 0, cjImm(c), 2); // c.j
    case 6: return set(out, Op.BEQ, 0, creg(c, 7), 0, cbImm(c), 2); // c.beqz
    default: return set(out, Op.BNE, 0, creg(c, 7), 0, cbImm(c), 2); // c.bnez
  }
}

function decodeLuiAddi16sp(c: number, rd: number, out: Decoded): void {
  if (rd === 2) {
    const nzimm = sext(
      (bit(c, 12) << 9) | (bit(c, 6) << 4) | (bit(c, 5) << 6) | (bits(c, 4, 3) << 7) | (bit(c, 2) << 5),
      10,
    );
    if (nzimm === 0) return illegal(out, c, 2);
    return set(out, Op.ADDI, 2, 2, 0, nzimm, 2);
  }
  const nzimm = sext((bit(c, 12) << 17) | (bits(c, 6, 2) << 12), 18);
  if (nzimm === 0) return illegal(out, c, 2);
  set(out, Op.LUI, rd, 0, 0, nzimm, 2);
}

const CALU_OPS: Op[] = [Op.SUB, Op.XOR, Op.OR, Op.AND];

function decodeMiscAlu(c: number, out: Decoded): void {
  const rd = creg(c, 7);
  switch (bits(c, 11, 10)) {
    case 0: if (bit(c, 12) === 0) return set(out, Op.SRLI, rd, rd, 0, bits(c, 6, 2), 2); break;
    case 1: if (bit(c, 12) === 0) return set(out, Op.SRAI, rd, rd, 0, bits(c, 6, 2), 2); break;
    case 2: return set(out, Op.ANDI, rd, rd, 0, ci6(c), 2);
    default: if (bit(c, 12) === 0) return set(out, CALU_OPS[bits(c, 6, 5)], rd, rd, creg(c, 2), 0, 2);
  }
  illegal(out, c, 2); // RV32: shamt[5] = 1 and c.subw/c.addw are not instructions
}

function decodeQ2(c: number, f3: number, out: Decoded): void {
  const rd = bits(c, 11, 7), rs2 = bits(c, 6, 2);
  switch (f3) {
    case 0: if (bit(c, 12) === 0) return set(out, Op.SLLI, rd, rd, 0, rs2, 2); break;
    case 2: {
      if (rd === 0) break; // c.lwsp with rd = x0 is reserved
      const uimm = (bit(c, 12) << 5) | (bits(c, 6, 4) << 2) | (bits(c, 3, 2) << 6);
      return set(out, Op.LW, rd, 2, 0, uimm, 2);
    }
    case 4: return decodeJrMvAdd(c, rd, rs2, out);
    case 6: return set(out, Op.SW, 0, 2, rs2, (bits(c, 12, 9) << 2) | (bits(c, 8, 7) << 6), 2);
  }
  illegal(out, c, 2);
}

function decodeJrMvAdd(c: number, rd: number, rs2: number, out: Decoded): void {
  if (bit(c, 12) === 0) {
    if (rs2 !== 0) return set(out, Op.ADD, rd, 0, rs2, 0, 2); // c.mv
    if (rd === 0) return illegal(out, c, 2); // c.jr x0 is reserved
    return set(out, Op.JALR, 0, rd, 0, 0, 2); // c.jr
  }
  if (rs2 !== 0) return set(out, Op.ADD, rd, rd, rs2, 0, 2); // c.add
  if (rd === 0) return set(out, Op.EBREAK, 0, 0, 0, 0, 2); // c.ebreak
  set(out, Op.JALR, 1, rd, 0, 0, 2); // c.jalr
}
