// Pseudo-instruction expansion: li (GNU as load_const), la/lla, symbol loads/stores, call/tail,
// and branch/jump relaxation exactly as GNU as sizes them (2/4/6/8 bytes).
import type { BuildContext, CodeGen, GenEnv } from './codegen';
import { Emitted, word } from './words';
import { encodeCBranch, encodeCJump } from './compress';
import { baseOp, encode, Fields, noFields } from './encoding';
import { hi20, lo12, norm32 } from './expressions';
import { Matched } from './operands';
import { AsmError, Span } from './types';

const ADDI_FORMS = ['addi4spn', 'addi', 'nop', 'addi16sp', 'li', 'mvAddi'];
const INVERSE: Record<string, string> = { beq: 'bne', bne: 'beq', blt: 'bge', bge: 'blt', bltu: 'bgeu', bgeu: 'bltu' };

const f = (o: Partial<Fields>): Fields => ({ ...noFields(), ...o });
const enc = (op: string, o: Partial<Fields>): Emitted => ({ w: encode(baseOp(op), f(o)), n: 4 });
const isC = (r: number): boolean => r >= 8 && r <= 15;

/** GNU as `li`: addi for 12-bit values, else lui (+ addi), each compressed like the written instruction. */
export function liWords(rd: number, value: bigint, rvc: boolean, span: Span): Emitted[] {
  if (value < -0x80000000n || value > 0xffffffffn) throw new AsmError(`li value out of 32-bit range: ${value}`, span);
  const v = norm32(value);
  // GNU as tries c.li on the value as written, so 0xffffffff stays a 4-byte addi.
  if (v >= -2048n && v < 2048n) return [word('addi', f({ rd, imm: Number(v) }), v === value ? ['li'] : undefined, rvc)];
  const lower = lo12(v);
  const upper = v - lower;
  const out: Emitted[] = [];
  if (upper !== 0n) out.push(word('lui', f({ rd, imm: Number((upper >> 12n) & 0xfffffn) }), ['lui'], rvc));
  const hiReg = upper !== 0n ? rd : 0; // as in GNU as, `li zero, big` still ends with `addi zero, zero, lo`
  if (lower !== 0n || hiReg === 0) out.push(word('addi', f({ rd, rs1: hiReg, imm: Number(lower) }), ADDI_FORMS, rvc));
  return out;
}

/** auipc + second instruction with the low part of (target - pc). */
function pcrelPair(env: GenEnv, m: Matched, auipcRd: number, second: (lo: number) => Emitted): Emitted[] {
  const t = env.value(m.imm!, m.immSpan!);
  const off = t === undefined ? 0n : BigInt.asIntN(32, t - BigInt(env.pc));
  return [enc('auipc', { rd: auipcRd, imm: Number(hi20(off)) }), second(Number(lo12(off)))];
}

function checkJal(off: number, span: Span): void {
  if (off < -0x100000 || off > 0xfffff) throw new AsmError(`jump target out of range (±1 MiB): offset ${off}`, span);
  if (off & 1) throw new AsmError(`jump target not 2-byte aligned: offset ${off}`, span);
}

/** Conditional branch: c.b*z (2), b* (4), inverted c.b*z + jal (6) or inverted b* + jal (8), like GNU as. */
function branch(m: Matched, ctx: BuildContext): CodeGen {
  const { op } = m.entry;
  const { rs1, rs2 } = m.f;
  const rvcForm = ctx.rvc && !!m.entry.rvc && isC(rs1) && rs2 === 0;
  return {
    relax: true,
    gen: (env) => {
      const t = env.value(m.imm!, m.immSpan!);
      if (t === undefined) return [{ w: 0, n: rvcForm ? 2 : 4 }];
      const off = Number(BigInt.asIntN(32, t - BigInt(env.pc)));
      const same = env.sameSection(m.imm!);
      if (same && rvcForm && off >= -256 && off < 256) return [{ w: encodeCBranch(op === 'beq', rs1, off), n: 2 }];
      if (same && off >= -4096 && off < 4096) return [enc(op, { rs1, rs2, imm: off })];
      const head: Emitted = same && rvcForm
        ? { w: encodeCBranch(op !== 'beq', rs1, 6), n: 2 }
        : enc(INVERSE[op], { rs1, rs2, imm: 8 });
      const jalOff = off - head.n;
      if (env.final) checkJal(jalOff, m.immSpan!);
      return [head, enc('jal', { rd: 0, imm: jalOff })];
    },
  };
}

/** jal / j: c.j when GNU as would (written `j`, RVC on, target within ±2 KiB in the same section). */
function jump(m: Matched, ctx: BuildContext): CodeGen {
  const rd = m.f.rd;
  const rvcForm = ctx.rvc && !!m.entry.rvc && rd === 0;
  return {
    relax: true,
    gen: (env) => {
      const t = env.value(m.imm!, m.immSpan!);
      if (t === undefined) return [{ w: 0, n: rvcForm ? 2 : 4 }];
      const off = Number(BigInt.asIntN(32, t - BigInt(env.pc)));
      if (rvcForm && env.sameSection(m.imm!) && off >= -2048 && off < 2048) return [{ w: encodeCJump(false, off), n: 2 }];
      if (env.final) checkJal(off, m.immSpan!);
      return [enc('jal', { rd, imm: off })];
    },
  };
}

function li(m: Matched, ctx: BuildContext): CodeGen {
  const v = ctx.constValue(m.imm!);
  if (v !== undefined) return { words: liWords(m.f.rd, v, ctx.rvc, m.immSpan!) };
  return {
    gen: (env) => {
      const val = env.value(m.imm!, m.immSpan!);
      return val === undefined ? [{ w: 0, n: 4 }, { w: 0, n: 4 }] : liWords(m.f.rd, val, ctx.rvc, m.immSpan!);
    },
  };
}

/** Explicit c.j / c.jal / c.beqz / c.bnez: always 2 bytes, range errors instead of relaxation. */
function compressedJump(m: Matched, ctx: BuildContext): CodeGen {
  const { op } = m.entry;
  if (!ctx.rvc) throw new AsmError('compressed instruction needs RVC (.option rvc or -march with c)', m.span);
  const branch = op !== 'jal';
  if (branch && !isC(m.f.rs1)) throw new AsmError('c.beqz/c.bnez need a register in x8..x15', m.span);
  const reach = branch ? 256 : 2048;
  return {
    gen: (env) => {
      const t = env.value(m.imm!, m.immSpan!);
      const off = t === undefined ? 0 : Number(BigInt.asIntN(32, t - BigInt(env.pc)));
      if (env.final && (off < -reach || off >= reach || off & 1)) throw new AsmError(`branch target out of range (±${reach} bytes): offset ${off}`, m.immSpan!);
      return [{ w: branch ? encodeCBranch(op === 'beq', m.f.rs1, off) : encodeCJump(m.f.rd === 1, off), n: 2 }];
    },
  };
}

export function expandMacro(m: Matched, ctx: BuildContext): CodeGen {
  const { rd, rs1, rs2 } = m.f;
  const op = m.entry.op;
  switch (m.entry.macro!) {
    case 'li': return li(m, ctx);
    case 'branch': return branch(m, ctx);
    case 'jal': return jump(m, ctx);
    case 'cjump': return compressedJump(m, ctx);
    case 'la': return { gen: (env) => pcrelPair(env, m, rd, (lo) => enc('addi', { rd, rs1: rd, imm: lo })) };
    case 'load': return { gen: (env) => pcrelPair(env, m, rd, (lo) => enc(op, { rd, rs1: rd, imm: lo })) };
    case 'store': return { gen: (env) => pcrelPair(env, m, rs1, (lo) => enc(op, { rs1, rs2, imm: lo })) };
    case 'call': return { gen: (env) => pcrelPair(env, m, rs1, (lo) => enc('jalr', { rd, rs1, imm: lo })) };
  }
}
