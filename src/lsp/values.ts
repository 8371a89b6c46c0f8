// Small constant evaluation for hovers: `A + B` around a number, and the li/lui value of a base register.
import { Token } from '../asm/lexer';
import { Analysis, defsNamed } from './analysis';
import { registerDoc } from './data/registers';
import { Placed } from './scan';

const NO_WRITE = /^(s[bhw]|b[a-z]*|j|jr|ret|csrw|csrs|csrc|csrwi|csrsi|csrci|fence.*|ecall|ebreak|wfi|mret|nop|\.)/;
/** Calls clobber registers: the search for a base value stops there. */
const CLOBBER = /^(call|tail|jal|jalr|c\.jal|c\.jalr)$/;

/** Value of a single-token constant: a number, or a symbol defined as a known constant. */
function tokenValue(a: Analysis, t: Token | undefined): number | undefined {
  if (!t) return undefined;
  if (t.kind === 'num') return Number(t.value ?? 0n);
  if (t.kind !== 'ident') return undefined;
  return defsNamed(a, t.text).find((d) => d.kind === 'constant' && d.value !== undefined)?.value;
}

function statementOf(a: Analysis, p: Placed): Placed[] {
  return (a.tokens.get(p.tok.line) ?? []).filter((q) => q.head === p.head && q.role === 'operand');
}

/** `X + Y` with the hovered token as X or Y, both constants: the sum; else undefined. */
export function constantAround(a: Analysis, p: Placed): number | undefined {
  const ops = statementOf(a, p);
  const i = ops.indexOf(p);
  const prev = ops[i - 1]?.tok;
  const next = ops[i + 1]?.tok;
  const self = tokenValue(a, p.tok);
  if (self === undefined) return undefined;
  if (prev?.text === '+') { const x = tokenValue(a, ops[i - 2]?.tok); if (x !== undefined) return (x + self) >>> 0; }
  if (next?.text === '+') { const y = tokenValue(a, ops[i + 2]?.tok); if (y !== undefined) return (self + y) >>> 0; }
  return undefined;
}

/** The base register of the `off(reg)` operand the token belongs to. */
function baseRegister(ops: Placed[], i: number): number | undefined {
  for (let j = i; j < ops.length && j < i + 4; j++) {
    if (ops[j].tok.text === '(' && ops[j + 2]?.tok.text === ')') return registerDoc(ops[j + 1].tok.text)?.num;
    if (ops[j].tok.text === ')' && j >= 2 && ops[j - 2].tok.text === '(') return registerDoc(ops[j - 1].tok.text)?.num;
  }
  return undefined;
}

/** The value li/lui put in a register, searching earlier statements (at most 64 lines back). */
function registerValueBefore(a: Analysis, reg: number, line: number): number | undefined {
  for (let l = line - 1; l >= 1 && l >= line - 64; l--) {
    const placed = a.tokens.get(l) ?? [];
    for (const h of placed.filter((q) => q.role === 'head').reverse()) {
      const ops = placed.filter((q) => q.head === h.tok && q.role === 'operand');
      if (CLOBBER.test(h.tok.text.toLowerCase())) return undefined;
      if (registerDoc(ops[0]?.tok.text ?? '')?.num !== reg || NO_WRITE.test(h.tok.text.toLowerCase())) continue;
      const m = h.tok.text.toLowerCase();
      const v = ops.length === 3 ? tokenValue(a, ops[2].tok) : undefined;
      if (m === 'li' && v !== undefined) return v >>> 0;
      if (m === 'lui' && v !== undefined) return (v << 12) >>> 0;
      return undefined;
    }
    if (placed.some((q) => q.role === 'label' && q.tok.kind === 'ident')) return undefined; // a named label starts another routine
  }
  return undefined;
}

/** Base address of the `off(reg)` operand containing the token, when li/lui loaded reg shortly before. */
export function baseAddressFor(a: Analysis, p: Placed): number | undefined {
  if (p.role !== 'operand') return undefined;
  const ops = statementOf(a, p);
  const reg = baseRegister(ops, ops.indexOf(p));
  return reg === undefined || reg === 0 ? undefined : registerValueBefore(a, reg, p.tok.line);
}
