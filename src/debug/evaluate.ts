// A small expression language over one VM's state, for conditions, hovers and the Debug Console: registers, CSRs, symbols, *ADDR, arithmetic, comparisons.

import type { Machine } from '../machine/machine';
import { CSR_NAMES } from '../machine/csr';
import { ABI_NAMES, hex } from './program-info';
import { readWord } from '../machine/calls';
import type { ProgramInfo } from './program-info';

export class EvalError extends Error {}

export interface EvalResult {
  value: number;
  /** Address the value was loaded from or the symbol's address: a memory reference for the client. */
  address?: number;
}

const CSR_BY_NAME = new Map(Object.entries(CSR_NAMES).map(([n, name]) => [name, Number(n)]));

/** Register number of `name` (x0..x31, ABI names, fp), or -1. */
export function registerIndex(name: string): number {
  const m = /^x(\d{1,2})$/.exec(name);
  if (m !== null && Number(m[1]) < 32) return Number(m[1]);
  if (name === 'fp') return 8;
  return ABI_NAMES.indexOf(name);
}

export function csrNumber(name: string): number | undefined {
  return CSR_BY_NAME.get(name);
}

/** Whether the machine's evaluator knows `name`: pc, instret, a register, a CSR or a program symbol. */
export function machineName(name: string, info: ProgramInfo | undefined): boolean {
  return name === 'pc' || name === 'instret' || registerIndex(name) >= 0 || csrNumber(name) !== undefined || info?.symbol(name) !== undefined;
}

type Tok = { k: 'num'; v: number } | { k: 'id'; v: string } | { k: 'op'; v: string };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  const re = /\s*(?:(0x[0-9a-fA-F_]+|0b[01_]+|\d[\d_]*)|([A-Za-z_.$][\w.$]*)|(<<|>>|==|!=|<=|>=|&&|\|\||[-+*/%&|^~!<>()]))/y;
  let i = 0;
  while (i < src.length) {
    if (/^\s*$/.test(src.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(src);
    if (m === null) throw new EvalError(`unexpected ${JSON.stringify(src.slice(i).trim()[0])} at column ${i + 1}`);
    if (m[1] !== undefined) {
      const t = m[1].replace(/_/g, '');
      out.push({ k: 'num', v: t.startsWith('0b') ? parseInt(t.slice(2), 2) : Number(t) });
    } else if (m[2] !== undefined) out.push({ k: 'id', v: m[2] });
    else out.push({ k: 'op', v: m[3] });
    i = re.lastIndex;
  }
  return out;
}

const BINARY: [string[], (a: number, b: number) => number][] = [
  [['||'], (a, b) => (a !== 0 || b !== 0 ? 1 : 0)],
  [['&&'], (a, b) => (a !== 0 && b !== 0 ? 1 : 0)],
  [['|'], (a, b) => (a | b) >>> 0],
  [['^'], (a, b) => (a ^ b) >>> 0],
  [['&'], (a, b) => (a & b) >>> 0],
  [['==', '!='], () => 0],
  [['<', '<=', '>', '>='], () => 0],
  [['<<', '>>'], () => 0],
  [['+', '-'], () => 0],
  [['*', '/', '%'], () => 0],
];

function apply(op: string, a: number, b: number): number {
  switch (op) {
    case '||': return a !== 0 || b !== 0 ? 1 : 0;
    case '&&': return a !== 0 && b !== 0 ? 1 : 0;
    case '|': return (a | b) >>> 0;
    case '^': return (a ^ b) >>> 0;
    case '&': return (a & b) >>> 0;
    case '==': return a === b ? 1 : 0;
    case '!=': return a !== b ? 1 : 0;
    case '<': return a < b ? 1 : 0;
    case '<=': return a <= b ? 1 : 0;
    case '>': return a > b ? 1 : 0;
    case '>=': return a >= b ? 1 : 0;
    case '<<': return (a << b) >>> 0;
    case '>>': return a >>> b;
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': if (b === 0) throw new EvalError('division by zero'); return Math.trunc(a / b);
    case '%': if (b === 0) throw new EvalError('division by zero'); return a % b;
    default: throw new EvalError(`unknown operator ${op}`);
  }
}

/**
 * Evaluates `src` against machine `m`. Values are numbers; registers read as signed 32-bit (so `a0 > 0`
 * means what it says) except the pointers ra/sp/gp/tp, which read unsigned like addresses and loads. `*E` loads the 32-bit word at E; `&sym` is a
 * symbol's address; a bare data symbol reads its word (with its address as memory reference).
 */
export function evaluate(src: string, m: Machine, info: ProgramInfo | undefined): EvalResult {
  const toks = tokenize(src);
  if (toks.length === 0) throw new EvalError('empty expression');
  let pos = 0;
  let lastAddress: number | undefined;
  const peek = (): Tok | undefined => toks[pos];
  const isOp = (v: string): boolean => peek()?.k === 'op' && peek()!.v === v;

  const load = (addr: number): number => {
    const a = addr >>> 0;
    const w = readWord(m, a);
    if (w === undefined) throw new EvalError(`cannot read memory at 0x${a.toString(16)}`);
    lastAddress = a;
    return w;
  };

  const ident = (name: string): number => {
    if (name === 'pc') return m.cpu.pc >>> 0;
    const r = registerIndex(name);
    if (r >= 0) return r >= 1 && r <= 4 ? m.cpu.x[r] >>> 0 : m.cpu.x[r]; // ra, sp, gp, tp are pointers
    if (name === 'instret') return m.instret;
    const csr = csrNumber(name);
    if (csr !== undefined) return m.cpu.readCsr(csr) >>> 0;
    const sym = info?.symbol(name);
    if (sym !== undefined) {
      if (sym.kind === 'object') return load(sym.addr);
      lastAddress = sym.addr;
      return sym.addr >>> 0;
    }
    throw new EvalError(`unknown name ${JSON.stringify(name)} (registers, CSRs, pc, instret and program symbols are known)`);
  };

  const primary = (): number => {
    const t = toks[pos++];
    if (t === undefined) throw new EvalError('unexpected end of expression');
    if (t.k === 'num') return t.v;
    if (t.k === 'id') return ident(t.v);
    switch (t.v) {
      case '(': {
        const v = binary(0);
        if (!isOp(')')) throw new EvalError('missing )');
        pos++;
        return v;
      }
      case '-': return -primary();
      case '+': return primary();
      case '~': return ~primary() >>> 0;
      case '!': return primary() === 0 ? 1 : 0;
      case '*': return load(primary());
      case '&': {
        const id = toks[pos++];
        if (id?.k !== 'id') throw new EvalError('& needs a symbol name');
        const sym = info?.symbol(id.v);
        if (sym === undefined) throw new EvalError(`unknown symbol ${JSON.stringify(id.v)}`);
        lastAddress = sym.addr;
        return sym.addr >>> 0;
      }
      default: throw new EvalError(`unexpected ${t.v}`);
    }
  };

  const binary = (level: number): number => {
    if (level >= BINARY.length) return primary();
    let v = binary(level + 1);
    for (;;) {
      const t = peek();
      if (t?.k !== 'op' || !BINARY[level][0].includes(t.v)) return v;
      pos++;
      v = apply(t.v, v, binary(level + 1));
      lastAddress = undefined;
    }
  };

  const value = binary(0);
  if (pos < toks.length) throw new EvalError(`unexpected ${JSON.stringify(toks[pos].v)}`);
  if (!Number.isFinite(value)) throw new EvalError('not a finite number');
  return { value, address: lastAddress };
}

/**
 * `0x0000002a (42)`: hex for the bits, decimal for people: signed, except for an address (`unsigned`: a value that
 * points into guest RAM), whose negative decimal would mean nothing (`0x80ffff10 (2164260624)`).
 */
export function formatValue(v: number, unsigned = false): string {
  if (!Number.isInteger(v) || v < -0x8000_0000 || v > 0xffff_ffff) return String(v);
  return `${hex(v)} (${unsigned ? v >>> 0 : v | 0})`;
}
