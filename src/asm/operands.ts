// Operand matching: checks a statement's comma-separated operands against a table entry's spec.
import { Token } from './lexer';
import { Cursor, Expr, norm32, parseExpr } from './expressions';
import { Fields, noFields } from './encoding';
import { Entry } from './instructions';
import { csrNumber, regNumber } from './registers';
import { AsmError, Span } from './types';

export interface Matched {
  entry: Entry;
  /** The whole statement (mnemonic and operands). */
  span: Span;
  f: Fields;
  /** The one expression operand (immediate, offset or target), when the spec has one. */
  imm?: Expr;
  immLetter?: string;
  immSpan?: Span;
}

/** What the matcher needs from the assembler: expression parsing and parse-time constant values. */
export interface OperandContext {
  cursor(toks: Token[], start: number, end: number): Cursor;
  constValue(e: Expr): bigint | undefined;
}

const REG_FIELD: Record<string, 'rd' | 'rs1' | 'rs2'> = { d: 'rd', s: 'rs1', t: 'rs2' };
/** Allowed relocation functions per immediate letter. */
const RELOCS: Record<string, string[]> = { j: ['lo', 'pcrel_lo'], o: ['lo', 'pcrel_lo'], q: ['lo', 'pcrel_lo'], u: ['hi', 'pcrel_hi'] };
const RANGES: Record<string, [bigint, bigint, string]> = {
  j: [-2048n, 2047n, 'immediate'], o: [-2048n, 2047n, 'offset'], q: [-2048n, 2047n, 'offset'],
  '>': [0n, 31n, 'shift amount'], u: [0n, 0xfffffn, 'upper immediate'], Z: [0n, 31n, 'CSR immediate'],
};

export function spanOf(toks: Token[]): Span {
  return { line: toks[0].line, col: toks[0].col, end: toks[toks.length - 1].end };
}

/** Checks an immediate against its letter's range and relocation rules; throws AsmError. */
export function checkImmediate(letter: string, e: Expr, value: bigint | undefined, span: Span): void {
  const allowed = RELOCS[letter] ?? [];
  if (e.k === 'rel' && !allowed.includes(e.fn)) throw new AsmError(`%${e.fn} not allowed in this operand`, span);
  if (e.k === 'rel' || value === undefined) return;
  const range = RANGES[letter];
  if (!range) return;
  const v = letter === 'u' ? value : norm32(value);
  if (v < range[0] || v > range[1]) throw new AsmError(`${range[2]} out of range (${range[0]}..${range[1]}): ${value}`, span);
}

function register(op: Token[]): number | undefined {
  return op.length === 1 && op[0].kind === 'ident' ? regNumber(op[0].text) : undefined;
}

function fenceSet(op: Token[]): number {
  const t = op.length === 1 ? op[0].text : '';
  let v = 0;
  for (const ch of t) {
    const bit = 'iorw'.indexOf(ch);
    if (bit < 0 || v & (8 >> bit)) throw new AsmError(`bad fence operand \`${t}'`, spanOf(op));
    v |= 8 >> bit;
  }
  if (!t) throw new AsmError('bad fence operand', spanOf(op));
  return v;
}

/** Splits `off(reg)` into the offset tokens and the base register; undefined when not of that shape. */
function memOperand(op: Token[]): { off: Token[]; reg: number } | undefined {
  const n = op.length;
  if (n < 3 || op[n - 1].text !== ')' || op[n - 3].text !== '(') return undefined;
  const reg = register([op[n - 2]]);
  return reg === undefined ? undefined : { off: op.slice(0, n - 3), reg };
}

class EntryMatcher {
  readonly m: Matched;
  constructor(entry: Entry, span: Span, private readonly ctx: OperandContext) {
    this.m = { entry, span, f: { ...noFields(), ...entry.fixed } };
  }

  operand(letter: string, op: Token[]): void {
    const span = spanOf(op);
    if (letter in REG_FIELD || letter === 'D') {
      const r = register(op);
      if (r === undefined) throw new AsmError(`expected a register, got \`${op.map((t) => t.text).join('')}'`, span);
      if (letter === 'D') this.m.f.rd = this.m.f.rs1 = r;
      else this.m.f[REG_FIELD[letter]] = r;
    } else if (letter === 'E') this.m.f.csr = this.csr(op, span);
    else if (letter === 'P') this.m.f.pred = fenceSet(op);
    else if (letter === 'Q') this.m.f.succ = fenceSet(op);
    else if (letter.endsWith('(s)')) this.mem(letter[0], op, span);
    else this.expression(letter, op, span);
  }

  private csr(op: Token[], span: Span): number {
    if (op.length === 1 && op[0].kind === 'ident') {
      const n = csrNumber(op[0].text);
      if (n !== undefined) return n;
      if (regNumber(op[0].text) !== undefined) throw new AsmError(`expected a CSR, got register \`${op[0].text}'`, span);
    }
    const v = this.ctx.constValue(this.parse(op, 0, op.length));
    if (v === undefined) throw new AsmError(`unknown CSR \`${op.map((t) => t.text).join('')}'`, span);
    if (v < 0n || v > 4095n) throw new AsmError(`CSR number out of range: ${v}`, span);
    return Number(v);
  }

  private mem(letter: string, op: Token[], span: Span): void {
    const mo = memOperand(op);
    const n = op.length;
    if (!mo && n >= 3 && op[n - 3].text === '(' && op[n - 1].text === ')') throw new AsmError(`unknown register \`${op[n - 2].text}'`, op[n - 2]);
    if (!mo) throw new AsmError('expected `offset(register)\'', span);
    this.m.f.rs1 = mo.reg;
    if (mo.off.length === 0) return;
    const e = this.parse(mo.off, 0, mo.off.length);
    const offSpan = spanOf(mo.off);
    if (letter === '0') {
      if (this.ctx.constValue(e) !== 0n) throw new AsmError('offset must be 0', offSpan);
      return;
    }
    this.setImm(letter, e, offSpan);
  }

  private expression(letter: string, op: Token[], span: Span): void {
    if (register(op) !== undefined) throw new AsmError(`expected an expression, got register \`${op[0].text}'`, span);
    const n = op.length;
    if (letter === 'c' && n > 2 && op[n - 2].text === '@' && op[n - 1].text === 'plt') op = op.slice(0, n - 2); // call f@plt
    this.setImm(letter, this.parse(op, 0, op.length), span);
  }

  private setImm(letter: string, e: Expr, span: Span): void {
    checkImmediate(letter, e, this.ctx.constValue(e), span);
    Object.assign(this.m, { imm: e, immLetter: letter, immSpan: span });
  }

  private parse(op: Token[], start: number, end: number): Expr {
    const c = this.ctx.cursor(op, start, end);
    const e = parseExpr(c);
    if (!c.atEnd()) throw new AsmError(`unexpected \`${c.peek()!.text}'`, c.here());
    return e;
  }
}

/** Splits operand tokens at top-level commas. */
export function splitOperands(toks: Token[]): Token[][] {
  const out: Token[][] = [];
  let depth = 0;
  let cur: Token[] = [];
  for (const t of toks) {
    if (t.kind === 'op' && t.text === ',' && depth === 0) { out.push(cur); cur = []; continue; }
    if (t.kind === 'op' && t.text === '(') depth++;
    if (t.kind === 'op' && t.text === ')') depth--;
    cur.push(t);
  }
  if (cur.length || out.length) out.push(cur);
  return out;
}

/**
 * Tries each entry in order; returns the first that matches, else throws the error of the entry
 * that got furthest (or an operand-count error).
 */
export function matchEntries(mnemonic: Token, entries: Entry[], ops: Token[][], ctx: OperandContext): Matched {
  const last = ops.length ? ops[ops.length - 1] : [];
  const stmtSpan = { line: mnemonic.line, col: mnemonic.col, end: last.length ? last[last.length - 1].end : mnemonic.end };
  let best: { err: AsmError; depth: number } | undefined;
  for (const entry of entries) {
    const letters = entry.spec ? entry.spec.split(',') : [];
    if (letters.length !== ops.length) continue;
    const em = new EntryMatcher(entry, stmtSpan, ctx);
    let i = 0;
    try {
      for (; i < letters.length; i++) {
        if (ops[i].length === 0) throw new AsmError('missing operand', mnemonic);
        em.operand(letters[i], ops[i]);
      }
      return em.m;
    } catch (e) {
      if (!(e instanceof AsmError)) throw e;
      if (!best || i > best.depth) best = { err: e, depth: i };
    }
  }
  if (best) throw best.err;
  const counts = [...new Set(entries.map((e) => (e.spec ? e.spec.split(',').length : 0)))].join(' or ');
  const first = ops.find((o) => o.length)?.[0];
  const span = first ? { line: first.line, col: first.col, end: stmtSpan.end } : mnemonic;
  throw new AsmError(`\`${mnemonic.text}' takes ${counts} operand(s), got ${ops.length}`, span);
}
