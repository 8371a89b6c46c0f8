// The interpreter loop: runs decoded instructions from the decode cache until a limit or an event.
//
// Performance notes (the reason this is one long function, an exception to the one-screen rule):
// - `Op` is a `const enum` declared here so esbuild inlines it into the switch (a jump table).
// - The hot state (pc, instret, registers, RAM views) lives in locals; RAM loads/stores that are
//   aligned and inside RAM touch the DataView directly; everything else calls a slow path on Cpu.
// - Rare instructions (Zicsr, A, system, fence.i, illegal) go to Cpu.execSlow to keep this loop small.
// - Stores skip the dirty/code-page bookkeeping while they stay in the last plain (code-free) page.
// - Events (interrupt became takeable, stop request, power off, watchpoint, fatal) are raised by
//   slow paths through `cpu.attn`; the loop only looks at it after a slow path and then ends the
//   loop by setting `stopAt = 0` (the current instruction still completes).

import type { Cpu } from './cpu';

/** Operation ids of decoded instructions (see decode.ts for the packed entry layout). */
export const enum Op {
  ILLEGAL, LUI, AUIPC, JAL, JALR,
  BEQ, BNE, BLT, BGE, BLTU, BGEU,
  LB, LH, LW, LBU, LHU,
  SB, SH, SW,
  ADDI, SLTI, SLTIU, XORI, ORI, ANDI, SLLI, SRLI, SRAI,
  ADD, SUB, SLL, SLT, SLTU, XOR, SRL, SRA, OR, AND,
  MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU,
  FENCE, FENCE_I, ECALL, EBREAK, MRET, WFI,
  CSRRW, CSRRS, CSRRC, CSRRWI, CSRRSI, CSRRCI,
  LR, SC, AMOSWAP, AMOADD, AMOXOR, AMOAND, AMOOR, AMOMIN, AMOMAX, AMOMINU, AMOMAXU,
  SRET, SFENCE_VMA,
  COUNT,
}

/** Register index standing for x0 as a destination (the register file has 33 slots). */
export const RD_SINK = 32;

/** Decode cache geometry: direct mapped on pc/2. */
export const DC_BITS = 16;
export const DC_SIZE = 1 << DC_BITS;
export const DC_MASK = DC_SIZE - 1;
/** Entries per decode-cache slot in Cpu.dc: tag (pc, or pc | 1 for code fetched through the MMU), packed word, immediate, privilege (odd tags only). */
export const DC_STRIDE = 4;
/** Index of the decode cache in Cpu.core (registers occupy 0..32). */
export const DC_BASE = 64;
/** Most instructions one execute() call runs (keeps the counter an int32). */
const MAX_CHUNK = 0x3fff_ffff;
/** Tag of an empty decode-cache slot (odd, so no pc ever matches). */
export const DC_EMPTY = 1;

/** High 32 bits of the unsigned 64-bit product of a and b. */
export function mulhu(a: number, b: number): number {
  const aL = a & 0xffff, aH = a >>> 16, bL = b & 0xffff, bH = b >>> 16;
  const lh = aL * bH, hl = aH * bL;
  const mid = ((aL * bL) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (aH * bH + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) | 0;
}

/** High 32 bits of the signed 64-bit product. */
export function mulh(a: number, b: number): number {
  return (mulhu(a, b) - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
}

/** High 32 bits of signed a times unsigned b. */
export function mulhsu(a: number, b: number): number {
  return (mulhu(a, b) - (a < 0 ? b : 0)) | 0;
}

export function div(a: number, b: number): number {
  if (b === 0) return -1;
  if (a === -0x80000000 && b === -1) return a;
  return (a / b) | 0;
}

export function divu(a: number, b: number): number {
  if (b === 0) return -1;
  return ((a >>> 0) / (b >>> 0)) | 0;
}

export function rem(a: number, b: number): number {
  if (b === 0) return a;
  if (a === -0x80000000 && b === -1) return 0;
  return a % b | 0;
}

export function remu(a: number, b: number): number {
  if (b === 0) return a;
  return (a >>> 0) % (b >>> 0) | 0;
}

/**
 * Runs from cpu.pc until cpu.instret reaches `limit` or a slow path raises cpu.attn. With
 * `loopsBeforeStop` > 0 (the fast path's dispatcher) it also stops after that many taken backward
 * branches or jals, and after any instruction of Cpu.execSlow (CSR, mret, ecall, fence.i...), so the
 * dispatcher samples the loop heads the interpreter runs and sees where a trap handler returns.
 */
export function execute(cpu: Cpu, limit: number, loopsBeforeStop = 0): void {
  // Registers and decode cache share one Int32Array (`x`): one map check per instruction instead of two.
  const x = cpu.core, codePage = cpu.codePage;
  const ram = cpu.ram, dv = ram.dv, dirty = ram.dirty, hashDirty = ram.hashDirty;
  const base = ram.base | 0;
  // With address translation on (cpu-paged.ts) every load and store takes a slow path, which translates.
  const direct = cpu.xlate === 0;
  // Decodings of physical pcs have even tags, those fetched through the MMU odd ones (pc | 1, with the privilege they
  // were fetched at in the slot's fourth word): a translated run never takes a physical pc's decoding, nor the reverse.
  const tagBit = direct ? 0 : 1;
  const lim1 = direct ? ram.size - 1 : -1, lim2 = direct ? ram.size - 2 : -1, lim4 = direct ? ram.size - 4 : -1;
  const watching = cpu.watchRanges.length > 0;
  // Stores take the slow path for every address while watchpoints are set (-1 never matches).
  const st1 = watching ? -1 : lim1, st2 = watching ? -1 : lim2, st4 = watching ? -1 : lim4;
  let pc = cpu.pc | 0;
  // Instructions are counted in an int32 (`n`) relative to instret0 so the loop test stays cheap;
  // slow paths get the exact count as `instret0 + n`.
  const instret0 = cpu.instret;
  let stopAt = cpu.attn ? 0 : Math.min(limit - instret0, MAX_CHUNK) | 0;
  let n = 0;
  // The last page a store marked dirty that holds no decoded code: further stores to it need no
  // bookkeeping. Reset whenever an instruction is decoded (its page may have become a code page).
  let plainPage = -1;
  // Taken branches and jals with an offset below `loopStop` count down `loops` (0: backward ones; never otherwise).
  const loopStop = loopsBeforeStop > 0 ? 0 : -0x7fff_ffff;
  let loops = loopsBeforeStop;

  while (n < stopAt) {
    const e = DC_BASE + (((pc >>> 1) & DC_MASK) << 2);
    let w: number, imm: number;
    const tag = pc | tagBit;
    if (x[e] === tag && (tagBit === 0 || (tag !== DC_EMPTY && x[e + 3] === cpu.priv))) {
      w = x[e + 1];
      imm = x[e + 2];
    } else {
      plainPage = -1;
      if (!cpu.fetchMiss(pc, instret0 + n)) {
        pc = cpu.pc | 0; // a fetch fault entered the trap handler, or a breakpoint stops us
        if (cpu.attn) stopAt = 0;
        continue;
      }
      w = cpu.missW;
      imm = cpu.missImm;
    }
    const rd = (w >>> 8) & 63, rs1 = (w >>> 14) & 31, rs2 = (w >>> 19) & 31;
    let npc = (pc + (w >>> 24)) | 0;

    switch (w & 0xff) {
      case Op.ADDI: x[rd] = (x[rs1] + imm) | 0; break;
      case Op.ADD: x[rd] = (x[rs1] + x[rs2]) | 0; break;
      case Op.LW: {
        const a = (x[rs1] + imm) | 0, off = (a - base) | 0;
        if ((off >>> 0) <= lim4 && (off & 3) === 0) { x[rd] = dv.getInt32(off, true); break; }
        const v = cpu.loadSlow(a, 4, true, pc, instret0 + n);
        if (cpu.faulted) { pc = cpu.pc | 0; if (cpu.attn) stopAt = 0; continue; }
        x[rd] = v;
        if (cpu.attn) stopAt = 0;
        break;
      }
      case Op.SW: {
        const a = (x[rs1] + imm) | 0, off = (a - base) | 0;
        if ((off >>> 0) <= st4 && (off & 3) === 0) {
          dv.setInt32(off, x[rs2], true);
          const p = off >>> 12;
          if (p !== plainPage) {
            dirty[p] = 1;
            hashDirty[p] = 1;
            if (codePage[p] === 0) plainPage = p;
            else { cpu.storeHook(a, 4, x[rs2], pc, instret0 + n); if (cpu.attn) stopAt = 0; }
          }
          break;
        }
        cpu.storeSlow(a, 4, x[rs2], pc, instret0 + n);
        if (cpu.faulted) { pc = cpu.pc | 0; if (cpu.attn) stopAt = 0; continue; }
        if (cpu.attn) stopAt = 0;
        break;
      }
      case Op.BEQ: if (x[rs1] === x[rs2]) { npc = (pc + imm) | 0; if (imm < loopStop && --loops === 0) stopAt = 0; } break;
      case Op.BNE: if (x[rs1] !== x[rs2]) { npc = (pc + imm) | 0; if (imm < loopStop && --loops === 0) stopAt = 0; } break;
      case Op.BLT: if (x[rs1] < x[rs2]) { npc = (pc + imm) | 0; if (imm < loopStop && --loops === 0) stopAt = 0; } break;
      case Op.BGE: if (x[rs1] >= x[rs2]) { npc = (pc + imm) | 0; if (imm < loopStop && --loops === 0) stopAt = 0; } break;
      case Op.BLTU: if (x[rs1] >>> 0 < x[rs2] >>> 0) { npc = (pc + imm) | 0; if (imm < loopStop && --loops === 0) stopAt = 0; } break;
      case Op.BGEU: if (x[rs1] >>> 0 >= x[rs2] >>> 0) { npc = (pc + imm) | 0; if (imm < loopStop && --loops === 0) stopAt = 0; } break;
      case Op.JAL: x[rd] = npc; npc = (pc + imm) | 0; if (imm < loopStop && --loops === 0) stopAt = 0; break;
      case Op.JALR: { const t = (x[rs1] + imm) & ~1; x[rd] = npc; npc = t; break; }
      case Op.LUI: x[rd] = imm; break;
      case Op.AUIPC: x[rd] = (pc + imm) | 0; break;
      case Op.SLTI: x[rd] = x[rs1] < imm ? 1 : 0; break;
      case Op.SLTIU: x[rd] = x[rs1] >>> 0 < imm >>> 0 ? 1 : 0; break;
      case Op.XORI: x[rd] = x[rs1] ^ imm; break;
      case Op.ORI: x[rd] = x[rs1] | imm; break;
      case Op.ANDI: x[rd] = x[rs1] & imm; break;
      case Op.SLLI: x[rd] = x[rs1] << imm; break;
      case Op.SRLI: x[rd] = x[rs1] >>> imm; break;
      case Op.SRAI: x[rd] = x[rs1] >> imm; break;
      case Op.SUB: x[rd] = (x[rs1] - x[rs2]) | 0; break;
      case Op.SLL: x[rd] = x[rs1] << (x[rs2] & 31); break;
      case Op.SLT: x[rd] = x[rs1] < x[rs2] ? 1 : 0; break;
      case Op.SLTU: x[rd] = x[rs1] >>> 0 < x[rs2] >>> 0 ? 1 : 0; break;
      case Op.XOR: x[rd] = x[rs1] ^ x[rs2]; break;
      case Op.SRL: x[rd] = x[rs1] >>> (x[rs2] & 31); break;
      case Op.SRA: x[rd] = x[rs1] >> (x[rs2] & 31); break;
      case Op.OR: x[rd] = x[rs1] | x[rs2]; break;
      case Op.AND: x[rd] = x[rs1] & x[rs2]; break;
      case Op.MUL: x[rd] = Math.imul(x[rs1], x[rs2]); break;
      case Op.MULH: x[rd] = mulh(x[rs1], x[rs2]); break;
      case Op.MULHSU: x[rd] = mulhsu(x[rs1], x[rs2]); break;
      case Op.MULHU: x[rd] = mulhu(x[rs1], x[rs2]); break;
      case Op.DIV: x[rd] = div(x[rs1], x[rs2]); break;
      case Op.DIVU: x[rd] = divu(x[rs1], x[rs2]); break;
      case Op.REM: x[rd] = rem(x[rs1], x[rs2]); break;
      case Op.REMU: x[rd] = remu(x[rs1], x[rs2]); break;
      case Op.LB: case Op.LBU: {
        const a = (x[rs1] + imm) | 0, off = (a - base) | 0;
        if ((off >>> 0) <= lim1) { x[rd] = (w & 0xff) === Op.LB ? dv.getInt8(off) : dv.getUint8(off); break; }
        const v = cpu.loadSlow(a, 1, (w & 0xff) === Op.LB, pc, instret0 + n);
        if (cpu.faulted) { pc = cpu.pc | 0; if (cpu.attn) stopAt = 0; continue; }
        x[rd] = v;
        if (cpu.attn) stopAt = 0;
        break;
      }
      case Op.LH: case Op.LHU: {
        const a = (x[rs1] + imm) | 0, off = (a - base) | 0;
        if ((off >>> 0) <= lim2 && (off & 1) === 0) {
          x[rd] = (w & 0xff) === Op.LH ? dv.getInt16(off, true) : dv.getUint16(off, true);
          break;
        }
        const v = cpu.loadSlow(a, 2, (w & 0xff) === Op.LH, pc, instret0 + n);
        if (cpu.faulted) { pc = cpu.pc | 0; if (cpu.attn) stopAt = 0; continue; }
        x[rd] = v;
        if (cpu.attn) stopAt = 0;
        break;
      }
      case Op.SB: {
        const a = (x[rs1] + imm) | 0, off = (a - base) | 0;
        if ((off >>> 0) <= st1) {
          dv.setInt8(off, x[rs2]);
          const p = off >>> 12;
          if (p !== plainPage) {
            dirty[p] = 1;
            hashDirty[p] = 1;
            if (codePage[p] === 0) plainPage = p;
            else { cpu.storeHook(a, 1, x[rs2], pc, instret0 + n); if (cpu.attn) stopAt = 0; }
          }
          break;
        }
        cpu.storeSlow(a, 1, x[rs2], pc, instret0 + n);
        if (cpu.faulted) { pc = cpu.pc | 0; if (cpu.attn) stopAt = 0; continue; }
        if (cpu.attn) stopAt = 0;
        break;
      }
      case Op.SH: {
        const a = (x[rs1] + imm) | 0, off = (a - base) | 0;
        if ((off >>> 0) <= st2 && (off & 1) === 0) {
          dv.setInt16(off, x[rs2], true);
          const p = off >>> 12;
          if (p !== plainPage) {
            dirty[p] = 1;
            hashDirty[p] = 1;
            if (codePage[p] === 0) plainPage = p;
            else { cpu.storeHook(a, 2, x[rs2], pc, instret0 + n); if (cpu.attn) stopAt = 0; }
          }
          break;
        }
        cpu.storeSlow(a, 2, x[rs2], pc, instret0 + n);
        if (cpu.faulted) { pc = cpu.pc | 0; if (cpu.attn) stopAt = 0; continue; }
        if (cpu.attn) stopAt = 0;
        break;
      }
      case Op.FENCE: break;
      default: {
        // Rare instructions (Zicsr, A, system, fence.i, illegal) live in Cpu.execSlow: a smaller loop runs faster.
        const next = cpu.execSlow(w, imm, pc, instret0 + n);
        if (cpu.attn || loopStop === 0) stopAt = 0;
        if (cpu.faulted) { pc = next; continue; }
        npc = next;
        break;
      }
    }
    pc = npc;
    n++;
  }
  cpu.pc = pc >>> 0;
  cpu.instret = instret0 + n;
}
