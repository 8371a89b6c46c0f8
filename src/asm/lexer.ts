// Lexer: splits GNU as source into statements (newline / ';') of tokens, dropping comments.
import { Span } from './types';

export type TokKind = 'ident' | 'num' | 'str' | 'local' | 'op';

export interface Token extends Span {
  kind: TokKind;
  text: string;
  /** Numeric value (numbers, character literals, local label number). */
  value?: bigint;
  /** String contents as bytes (strings only). */
  bytes?: number[];
}

export interface Statement {
  line: number;
  tokens: Token[];
}

export interface LexResult {
  statements: Statement[];
  errors: { message: string; span: Span }[];
}

const UTF8 = new TextEncoder();
const TWO_CHAR_OPS = new Set(['<<', '>>', '==', '!=', '<>', '<=', '>=', '&&', '||']);
const ONE_CHAR_OPS = new Set([...',()+-*/%&|^~!:=<>@']);
const ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, b: 8, f: 12, v: 11, a: 7, e: 27, '\\': 92, '"': 34, "'": 39 };

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '.' || c === '$';
}
function isIdentChar(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9');
}

/** Parses the text of a number token; undefined when malformed. */
export function parseNumber(t: string): bigint | undefined {
  if (/^[1-9][0-9]{0,14}$/.test(t)) return BigInt(Number(t));
  if (/^0[xX][0-9a-fA-F]+$/.test(t) || /^0[bB][01]+$/.test(t)) return BigInt(t.toLowerCase());
  if (/^0[0-7]*$/.test(t)) return t.length === 1 ? 0n : BigInt('0o' + t.slice(1));
  if (/^[1-9][0-9]*$/.test(t)) return BigInt(t);
  return undefined;
}

class Lexer {
  private i = 0;
  private line = 1;
  private lineStart = 0;
  private cur: Token[] = [];
  private curLine = 1;
  readonly out: LexResult = { statements: [], errors: [] };

  constructor(private readonly src: string) {}

  run(): LexResult {
    const s = this.src;
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === '\n') { this.endStatement(); this.newLine(this.i + 1); this.i++; }
      else if (c === ';') { this.endStatement(); this.i++; }
      else if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') this.i++;
      else if (c === '#' || (c === '/' && s[this.i + 1] === '/')) this.skipLineComment();
      else if (c === '/' && s[this.i + 1] === '*') this.skipBlockComment();
      else if (c >= '0' && c <= '9') this.number();
      else if (isIdentStart(c)) this.ident();
      else if (c === '"') this.string();
      else if (c === "'") this.charLiteral();
      else this.operator();
    }
    this.endStatement();
    return this.out;
  }

  private newLine(start: number): void { this.line++; this.lineStart = start; }

  private push(kind: TokKind, text: string, start: number, value?: bigint, bytes?: number[]): void {
    if (this.cur.length === 0) this.curLine = this.line;
    const t: Token = { kind, text, line: this.line, col: start - this.lineStart, end: this.i - this.lineStart };
    if (value !== undefined) t.value = value;
    if (bytes !== undefined) t.bytes = bytes;
    this.cur.push(t);
  }

  private endStatement(): void {
    if (this.cur.length) this.out.statements.push({ line: this.curLine, tokens: this.cur });
    this.cur = [];
  }

  private error(message: string, start: number, endAbs = this.i): void {
    this.out.errors.push({ message, span: { line: this.line, col: start - this.lineStart, end: Math.max(endAbs - this.lineStart, start - this.lineStart + 1) } });
  }

  private skipLineComment(): void {
    while (this.i < this.src.length && this.src[this.i] !== '\n') this.i++;
  }

  private skipBlockComment(): void {
    const close = this.src.indexOf('*/', this.i + 2);
    const stop = close < 0 ? this.src.length : close + 2;
    if (close < 0) {
      const eol = this.src.indexOf('\n', this.i);
      this.error('unterminated comment', this.i, eol < 0 ? this.src.length : eol);
    }
    for (let j = this.i; j < stop; j++) {
      if (this.src[j] === '\n') { this.endStatement(); this.newLine(j + 1); }
    }
    this.i = stop;
  }

  private number(): void {
    const start = this.i;
    while (this.i < this.src.length && isIdentChar(this.src[this.i]) && this.src[this.i] !== '.' && this.src[this.i] !== '$') this.i++;
    const t = this.src.slice(start, this.i);
    const digits = /^[0-9]+/.exec(t)![0];
    const last = t[t.length - 1];
    if (digits.length === t.length - 1 && (last === 'f' || last === 'b')) { this.push('local', t, start, BigInt(digits)); return; }
    const v = parseNumber(t);
    if (v === undefined) this.error(`invalid number \`${t}'`, start);
    this.push('num', t, start, v ?? 0n);
  }

  private ident(): void {
    const start = this.i;
    while (this.i < this.src.length && isIdentChar(this.src[this.i])) this.i++;
    this.push('ident', this.src.slice(start, this.i), start);
  }

  /** Reads one (possibly escaped) character of a string or character literal; returns its code. */
  private escapedChar(): number {
    const s = this.src;
    if (s[this.i] !== '\\') return s.codePointAt(this.i++)!;
    this.i++;
    const c = s[this.i] ?? '';
    if (c in ESCAPES) { this.i++; return ESCAPES[c]; }
    if (c === 'x' || c === 'X') {
      const m = /^[0-9a-fA-F]+/.exec(s.slice(this.i + 1, this.i + 9));
      this.i += 1 + (m ? m[0].length : 0);
      return m ? parseInt(m[0], 16) & 0xff : 0;
    }
    const o = /^[0-7]{1,3}/.exec(s.slice(this.i, this.i + 3));
    if (o) { this.i += o[0].length; return parseInt(o[0], 8) & 0xff; }
    this.i++;
    return c.codePointAt(0) ?? 0;
  }

  private string(): void {
    const start = this.i++;
    const bytes: number[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '"' && this.src[this.i] !== '\n') {
      const escaped = this.src[this.i] === '\\';
      const code = this.escapedChar();
      if (escaped || code < 0x80) bytes.push(code & 0xff);
      else bytes.push(...UTF8.encode(String.fromCodePoint(code)));
      if (code > 0xffff) this.i++;
    }
    if (this.src[this.i] === '"') this.i++;
    else this.error('unterminated string', start);
    this.push('str', this.src.slice(start, this.i), start, undefined, bytes);
  }

  private charLiteral(): void {
    const start = this.i++;
    if (this.i >= this.src.length || this.src[this.i] === '\n') { this.error('bad character literal', start); return; }
    const code = this.escapedChar();
    if (this.src[this.i] === "'") this.i++;
    this.push('num', this.src.slice(start, this.i), start, BigInt(code));
  }

  private operator(): void {
    const start = this.i;
    const two = this.src.slice(this.i, this.i + 2);
    if (TWO_CHAR_OPS.has(two)) { this.i += 2; this.push('op', two, start); return; }
    const c = this.src[this.i++];
    if (ONE_CHAR_OPS.has(c)) this.push('op', c, start);
    else this.error(`unexpected character \`${c}'`, start);
  }
}

export function lex(src: string): LexResult {
  return new Lexer(src).run();
}
