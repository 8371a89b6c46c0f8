// Expression parsing (GNU as precedence, %hi/%lo relocation functions) and evaluation over 64-bit values.
import { Token } from './lexer';
import { AsmError, Span } from './types';

export type RelocFn = 'hi' | 'lo' | 'pcrel_hi' | 'pcrel_lo';

export type Expr =
  | { k: 'num'; v: bigint; span: Span }
  | { k: 'sym'; name: string; shown: string; span: Span }
  | { k: 'dot'; span: Span }
  | { k: 'un'; op: string; e: Expr; span: Span }
  | { k: 'bin'; op: string; a: Expr; b: Expr; span: Span }
  | { k: 'rel'; fn: RelocFn; e: Expr; span: Span };

/** How symbol references are resolved: undefined means "not known (yet)". */
export interface EvalEnv {
  symbol(name: string): bigint | undefined;
  /** Address of the current statement ('.'). */
  dot(): bigint | undefined;
  /** The full pc-relative offset established by the auipc at `addr` (for %pcrel_lo). */
  pcrelHiAt?(addr: bigint, span: Span): bigint | undefined;
}

const RELOCS = new Set<string>(['hi', 'lo', 'pcrel_hi', 'pcrel_lo']);
/** Binary operator precedence (GNU as: * / % << >> bind tightest, then | & ^ !, then + - and comparisons, then && ||). */
const PREC: Record<string, number> = {
  '*': 4, '/': 4, '%': 4, '<<': 4, '>>': 4,
  '|': 3, '&': 3, '^': 3, '!': 3,
  '+': 2, '-': 2, '==': 2, '!=': 2, '<>': 2, '<': 2, '>': 2, '<=': 2, '>=': 2,
  '&&': 1, '||': 1,
};

/** A cursor over a token slice; `resolveLocal` maps `1f`/`1b` to internal label names. */
export class Cursor {
  /** Current nesting of parentheses / unary operators (bounded to keep recursion shallow). */
  depth = 0;
  constructor(
    readonly toks: Token[],
    public i: number,
    readonly end: number,
    readonly resolveLocal: (n: bigint, forward: boolean) => string = (n, f) => `${n}${f ? 'f' : 'b'}`,
  ) {}
  peek(): Token | undefined { return this.i < this.end ? this.toks[this.i] : undefined; }
  atEnd(): boolean { return this.i >= this.end; }
  isOp(text: string): boolean { const t = this.peek(); return t !== undefined && t.kind === 'op' && t.text === text; }
  next(): Token { return this.toks[this.i++]; }
  /** Span of the current token, or just past the previous one when at the end. */
  here(): Span {
    const t = this.peek();
    if (t) return t;
    const last = this.toks[Math.min(this.i, this.end) - 1] ?? this.toks[0];
    return last ? { line: last.line, col: last.end, end: last.end + 1 } : { line: 1, col: 0, end: 1 };
  }
  expectOp(text: string): Token {
    if (!this.isOp(text)) throw new AsmError(`expected \`${text}'`, this.here());
    return this.next();
  }
}

function join(a: Span, b: Span): Span {
  return { line: a.line, col: a.col, end: b.end };
}

export function parseExpr(c: Cursor, minPrec = 1): Expr {
  let left = parseUnary(c);
  for (;;) {
    const t = c.peek();
    const p = t && t.kind === 'op' ? PREC[t.text] : undefined;
    if (p === undefined || p < minPrec) return left;
    c.next();
    const right = parseExpr(c, p + 1);
    left = { k: 'bin', op: t!.text, a: left, b: right, span: join(left.span, right.span) };
  }
}

const MAX_DEPTH = 200;

function parseUnary(c: Cursor): Expr {
  const t = c.peek();
  if (++c.depth > MAX_DEPTH) throw new AsmError('expression too deeply nested', t ?? c.here());
  try {
    return parseUnaryInner(c, t);
  } finally {
    c.depth--;
  }
}

function parseUnaryInner(c: Cursor, t: Token | undefined): Expr {
  if (t && t.kind === 'op' && (t.text === '-' || t.text === '~' || t.text === '!' || t.text === '+')) {
    c.next();
    const e = parseUnary(c);
    return { k: 'un', op: t.text, e, span: join(t, e.span) };
  }
  return parsePrimary(c);
}

function parsePrimary(c: Cursor): Expr {
  const t = c.peek();
  if (!t) throw new AsmError('missing expression', c.here());
  if (t.kind === 'num') { c.next(); return { k: 'num', v: t.value ?? 0n, span: t }; }
  if (t.kind === 'local') {
    c.next();
    return { k: 'sym', name: c.resolveLocal(t.value ?? 0n, t.text.endsWith('f')), shown: t.text, span: t };
  }
  if (t.kind === 'ident') {
    c.next();
    if (t.text === '.') return { k: 'dot', span: t };
    return { k: 'sym', name: t.text, shown: t.text, span: t };
  }
  if (t.kind === 'op' && t.text === '(') {
    c.next();
    const e = parseExpr(c);
    const close = c.expectOp(')');
    return { ...e, span: join(t, close) } as Expr;
  }
  if (t.kind === 'op' && t.text === '%') return parseReloc(c);
  throw new AsmError(`unexpected \`${t.text}' in expression`, t);
}

function parseReloc(c: Cursor): Expr {
  const pct = c.next();
  const name = c.peek();
  if (!name || name.kind !== 'ident' || !RELOCS.has(name.text)) {
    throw new AsmError(`unknown relocation function \`%${name?.text ?? ''}'`, name ? join(pct, name) : pct);
  }
  c.next();
  c.expectOp('(');
  const e = parseExpr(c);
  const close = c.expectOp(')');
  return { k: 'rel', fn: name.text as RelocFn, e, span: join(pct, close) };
}

export const sext = (v: bigint, bits: number): bigint => BigInt.asIntN(bits, v);
/** GNU as on RV32: a constant in [2^31, 2^32) is taken as its signed 32-bit value. */
export function norm32(v: bigint): bigint {
  return v >= 0x80000000n && v <= 0xffffffffn ? v - 0x100000000n : v;
}
export const hi20 = (v: bigint): bigint => ((v + 0x800n) >> 12n) & 0xfffffn;
export const lo12 = (v: bigint): bigint => sext(v, 12);

/** Evaluates an expression; undefined if some symbol is not (yet) known. Throws AsmError on bad arithmetic. */
export function evaluate(e: Expr, env: EvalEnv): bigint | undefined {
  switch (e.k) {
    case 'num': return e.v;
    case 'sym': return env.symbol(e.name);
    case 'dot': return env.dot();
    case 'un': {
      const v = evaluate(e.e, env);
      if (v === undefined) return undefined;
      return BigInt.asIntN(64, e.op === '-' ? -v : e.op === '~' ? ~v : e.op === '!' ? (v === 0n ? 1n : 0n) : v);
    }
    case 'bin': {
      const a = evaluate(e.a, env);
      const b = evaluate(e.b, env);
      if (a === undefined || b === undefined) return undefined;
      return BigInt.asIntN(64, binary(e.op, a, b, e.span));
    }
    case 'rel': return evalReloc(e, env);
  }
}

function binary(op: string, a: bigint, b: bigint, span: Span): bigint {
  const t = (x: boolean): bigint => (x ? -1n : 0n);
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': case '%':
      if (b === 0n) throw new AsmError('division by zero', span);
      return op === '/' ? a / b : a % b;
    case '<<': return b >= 64n || b < 0n ? 0n : a << b;
    case '>>': return b >= 64n || b < 0n ? 0n : BigInt.asUintN(64, a) >> b; // logical, as in GNU as
    case '&': return a & b;
    case '|': return a | b;
    case '^': return a ^ b;
    case '!': return a | ~b;
    case '==': return t(a === b);
    case '!=': case '<>': return t(a !== b);
    case '<': return t(a < b);
    case '>': return t(a > b);
    case '<=': return t(a <= b);
    case '>=': return t(a >= b);
    case '&&': return a !== 0n && b !== 0n ? 1n : 0n;
    case '||': return a !== 0n || b !== 0n ? 1n : 0n;
  }
  throw new AsmError(`unknown operator \`${op}'`, span);
}

function evalReloc(e: Extract<Expr, { k: 'rel' }>, env: EvalEnv): bigint | undefined {
  const v = evaluate(e.e, env);
  if (v === undefined) return undefined;
  switch (e.fn) {
    case 'hi': return hi20(v);
    case 'lo': return lo12(v);
    case 'pcrel_hi': {
      const pc = env.dot();
      return pc === undefined ? undefined : hi20(v - pc);
    }
    case 'pcrel_lo': {
      if (!env.pcrelHiAt) throw new AsmError('%pcrel_lo not allowed here', e.span);
      const off = env.pcrelHiAt(v, e.span);
      return off === undefined ? undefined : lo12(off);
    }
  }
}

/** The first symbol of `e` that `env` cannot resolve (for "undefined symbol" messages). */
export function firstUnresolved(e: Expr, env: EvalEnv): Extract<Expr, { k: 'sym' }> | undefined {
  switch (e.k) {
    case 'sym': return env.symbol(e.name) === undefined ? e : undefined;
    case 'un': case 'rel': return firstUnresolved(e.e, env);
    case 'bin': return firstUnresolved(e.a, env) ?? firstUnresolved(e.b, env);
    default: return undefined;
  }
}

/** True when the expression mentions any symbol or '.' (i.e. is not a pure number). */
export function usesSymbols(e: Expr): boolean {
  switch (e.k) {
    case 'num': return false;
    case 'sym': case 'dot': return true;
    case 'un': case 'rel': return usesSymbols(e.e);
    case 'bin': return usesSymbols(e.a) || usesSymbols(e.b);
  }
}
