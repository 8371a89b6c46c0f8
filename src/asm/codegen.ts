// Code generation for one matched instruction: static words when everything is known at parse time,
// otherwise a generator run at layout (sizes) and emit (final bytes) time.
import { baseOp, encode } from './encoding';
import { Expr, norm32 } from './expressions';
import { Matched, checkImmediate } from './operands';
import { expandMacro } from './pseudo';
import { AsmError, Span } from './types';
import { Emitted, word } from './words';

export type { Emitted };

/** What a generator sees: its own address and symbol values (final: undefined symbols throw). */
export interface GenEnv {
  pc: number;
  final: boolean;
  value(e: Expr, span: Span): bigint | undefined;
  /** True when `e` is a label (± constant) in the same section as the instruction. */
  sameSection(e: Expr): boolean;
}

export interface CodeGen {
  words?: Emitted[];
  gen?: (env: GenEnv) => Emitted[];
  /** For `auipc rd, %pcrel_hi(x)`: x, so %pcrel_lo can find this auipc's offset. */
  pcrelHi?: Expr;
  /** A branch/jump GNU as relaxes (its own frag). */
  relax?: boolean;
}

/** Parse-time knowledge: constant values (equ'd symbols and numbers only) and the RVC switch. */
export interface BuildContext {
  rvc: boolean;
  constValue(e: Expr): bigint | undefined;
}

export function immNumber(letter: string, v: bigint): number {
  return Number(letter === 'u' ? v : BigInt.asIntN(32, norm32(v)));
}

/** An explicit `c.*` instruction: RVC must be on, operands constant, and the one form must fit. */
function compressedOnly(m: Matched, ctx: BuildContext): CodeGen {
  const name = m.entry.op;
  if (!ctx.rvc) throw new AsmError(`compressed instruction needs RVC (.option rvc or -march with c)`, m.span);
  const v = m.imm ? ctx.constValue(m.imm) : 0n;
  if (v === undefined || m.imm?.k === 'rel') throw new AsmError('compressed instruction needs a constant operand', m.immSpan ?? m.span);
  const w = word(name, { ...m.f, imm: immNumber(m.immLetter ?? '', v) }, m.entry.cforms, true);
  if (w.n !== 2) throw new AsmError('operands do not fit the compressed encoding', m.span);
  return { words: [w] };
}

function simple(m: Matched, ctx: BuildContext): CodeGen {
  const { entry, imm, immLetter = '', immSpan } = m;
  if (!imm) return { words: [word(entry.op, m.f, entry.cforms, ctx.rvc)] };
  const pcrelHi = entry.op === 'auipc' && imm.k === 'rel' && imm.fn === 'pcrel_hi' ? imm.e : undefined;
  const v = pcrelHi || (imm.k === 'rel' && imm.fn === 'pcrel_lo') ? undefined : ctx.constValue(imm);
  if (v !== undefined) {
    // GNU as compresses only plain constants as written (not 0xffffffff for -1), never relocation functions.
    const f = { ...m.f, imm: immNumber(immLetter, v) };
    const plain = imm.k !== 'rel' && (immLetter === 'u' || norm32(v) === v);
    return { words: [word(entry.op, f, plain ? entry.cforms : undefined, ctx.rvc)] };
  }
  return {
    pcrelHi,
    gen: (env) => {
      const val = env.value(imm, immSpan!);
      if (val !== undefined && env.final) checkImmediate(immLetter, imm, val, immSpan!);
      const f = { ...m.f, imm: val === undefined ? 0 : immNumber(immLetter, val) };
      return [{ w: encode(baseOp(entry.op), f), n: 4 }];
    },
  };
}

export function buildCode(m: Matched, ctx: BuildContext): CodeGen {
  if (m.entry.macro) return expandMacro(m, ctx);
  return m.entry.compressed ? compressedOnly(m, ctx) : simple(m, ctx);
}
