// C expressions over DWARF-typed values, as GDB's `print` evaluates them: variables, members, indexing, `*`, `&`, arithmetic, comparisons, logic, `sizeof`, and GDB's `p@n` arrays.

import type { DwarfType } from '../machine/dwarf-types';
import { typeSize } from '../machine/dwarf-type-util';
import { resolveType, memberValue, elements, integerOf, type CValue, type ValueSource } from './c-values';
import { deref } from './c-vars';

export class CExprError extends Error {}

const INT: DwarfType = { kind: 'base', offset: -1, name: 'int', size: 4, encoding: 'signed' };
const UINT: DwarfType = { kind: 'base', offset: -1, name: 'unsigned int', size: 4, encoding: 'unsigned' };
const LONG_LONG: DwarfType = { kind: 'base', offset: -1, name: 'long long', size: 8, encoding: 'signed' };
const ULONG_LONG: DwarfType = { kind: 'base', offset: -1, name: 'unsigned long long', size: 8, encoding: 'unsigned' };

/** Binary operators by precedence, loosest first (C's table). */
const LEVELS: string[][] = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%'], ['@']];
const TOKEN = /\s*(0[xX][0-9a-fA-F]+|\d+|'(?:\\.|[^'\\])'|[A-Za-z_]\w*@entry\b|[A-Za-z_]\w*|->|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^!~<>()[\].@])/y;

function tokenize(text: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (m === null) {
      if (text.slice(at).trim() === '') break;
      throw new CExprError(`unexpected ${JSON.stringify(text.slice(at).trim()[0])}`);
    }
    out.push(m[1]);
  }
  return out;
}

function intValue(n: bigint, type: DwarfType): CValue {
  const size = typeSize(type) ?? 4;
  const bytes = new Uint8Array(size);
  let x = BigInt.asUintN(size * 8, n);
  for (let i = 0; i < size; i++, x >>= 8n) bytes[i] = Number(x & 0xffn);
  return { type, bytes: { bytes, known: new Uint8Array(size).fill(0xff) } };
}

/** A scalar's integer value (pointers as addresses), as a condition tests it; undefined for aggregates or unknown bits. */
export function integerValue(v: CValue): bigint | undefined {
  return scalar(v)?.n;
}

/** A scalar's integer value (pointers as addresses); undefined for aggregates or unknown bits. */
function scalar(v: CValue): { n: bigint; wide: boolean; unsigned: boolean } | undefined {
  const t = resolveType(v.type);
  if (t === undefined || v.bytes.known.some((k) => k !== 0xff)) return undefined;
  if (t.kind === 'pointer') return { n: BigInt(integerOf(v.bytes.bytes, false)), wide: false, unsigned: true };
  if (t.kind === 'enum') return { n: BigInt(integerOf(v.bytes.bytes, t.signed)), wide: t.size > 4, unsigned: !t.signed };
  if (t.kind !== 'base' || t.encoding === 'float') return undefined;
  const signed = t.encoding === 'signed' || t.encoding === 'signedChar';
  return { n: BigInt(integerOf(v.bytes.bytes, signed)), wide: t.size > 4, unsigned: !signed && t.size >= 4 };
}

/** Words that begin a type name in a cast or `sizeof(…)`. */
const TYPE_WORDS = new Set(['struct', 'union', 'enum', 'unsigned', 'signed', 'char', 'short', 'int', 'long', 'float', 'double', '_Bool', 'void', 'const', 'volatile']);

/**
 * Evaluates `text`; `lookup` gives a C variable's value (undefined: no such variable here), `typeNamed` a type
 * by its C name (`struct shape`, `unsigned int`, a typedef) for casts and `sizeof(type)`.
 */
export function evaluateC(text: string, lookup: (name: string) => CValue | undefined, src: ValueSource, typeNamed: (name: string) => DwarfType | undefined = () => undefined): CValue {
  const toks = tokenize(text);
  let i = 0;
  const peek = (): string | undefined => toks[i];
  const take = (want?: string): string => {
    const t = toks[i];
    if (t === undefined || (want !== undefined && t !== want)) throw new CExprError(`expected ${want ?? 'more'}${t === undefined ? ' at the end' : `, not ${JSON.stringify(t)}`}`);
    i++;
    return t;
  };
  const binary = (level: number): CValue => {
    if (level === LEVELS.length) return unary();
    let left = binary(level + 1);
    while (peek() !== undefined && LEVELS[level].includes(peek()!)) left = apply(take(), left, binary(level + 1), src);
    return left;
  };
  /** `( type-name )` at the cursor: the type (the cursor moves past it), else undefined (the cursor stays). */
  const typeInParens = (): DwarfType | undefined => {
    if (peek() !== '(' || (!TYPE_WORDS.has(toks[i + 1] ?? '') && (lookup(toks[i + 1] ?? '') !== undefined || typeNamed(toks[i + 1] ?? '') === undefined))) return undefined;
    let j = i + 1;
    const words: string[] = [];
    while (j < toks.length && /^[A-Za-z_]\w*$/.test(toks[j])) words.push(toks[j++]);
    let stars = 0;
    while (toks[j] === '*') (stars++, j++);
    if (toks[j] !== ')') return undefined;
    let type = typeNamed(words.filter((w) => w !== 'const' && w !== 'volatile').join(' '));
    if (type === undefined) throw new CExprError(`No symbol "${words.join(' ')}" in current context.`);
    for (let k = 0; k < stars; k++) type = { kind: 'pointer', offset: -1, size: 4, target: type, reference: false };
    i = j + 1;
    return type;
  };
  const unary = (): CValue => {
    const t = peek();
    if (t === '-' || t === '+' || t === '!' || t === '~' || t === '*' || t === '&') {
      take();
      return prefix(t, unary(), src);
    }
    if (t === 'sizeof') {
      take();
      const named = typeInParens();
      return intValue(BigInt(typeSize(named ?? unary().type) ?? 0), UINT);
    }
    const cast = typeInParens();
    if (cast !== undefined) return castTo(cast, unary());
    return postfix(primary());
  };
  const primary = (): CValue => {
    const t = take();
    if (t === '(') {
      const v = binary(0);
      take(')');
      return v;
    }
    if (/^\d/.test(t)) return intValue(BigInt(t), BigInt(t) > 0x7fffffffn ? LONG_LONG : INT);
    if (t.startsWith("'")) return intValue(BigInt(charCode(t)), { kind: 'base', offset: -1, name: 'char', size: 1, encoding: 'signedChar' });
    if (!/^[A-Za-z_]/.test(t)) throw new CExprError(`unexpected ${JSON.stringify(t)}`);
    const v = lookup(t);
    if (v === undefined && t.endsWith('@entry')) throw new CExprError(`${t}: the value on entry is not known here`);
    if (v === undefined) throw new CExprError(`No symbol "${t}" in current context.`);
    return v;
  };
  const postfix = (v: CValue): CValue => {
    for (let n = 0; n < 256; n++) {
      const t = peek();
      if (t === '.' || t === '->') {
        take();
        v = t === '->' ? arrow(v, take(), src) : member(v, take());
      } else if (t === '[') {
        take();
        const index = scalar(binary(0));
        take(']');
        if (index === undefined) throw new CExprError('the index is not an integer');
        v = subscript(v, index.n, src);
      } else return v;
    }
    throw new CExprError('expression too long');
  };
  const v = binary(0);
  if (i < toks.length) throw new CExprError(`unexpected ${JSON.stringify(toks[i])}`);
  return v;
}

/** `(type) v` for scalars: the integer (or address) re-encoded in the type's size; a pointer keeps its address. */
function castTo(type: DwarfType, v: CValue): CValue {
  const t = resolveType(type);
  const s = scalar(v);
  if (t === undefined || (t.kind !== 'base' && t.kind !== 'enum' && t.kind !== 'pointer') || s === undefined) throw new CExprError('Invalid cast.');
  return intValue(s.n, type);
}

function charCode(lit: string): number {
  const body = lit.slice(1, -1);
  const esc: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39 };
  return body.startsWith('\\') ? esc[body[1]] ?? body.charCodeAt(1) : body.charCodeAt(0);
}

function member(v: CValue, name: string): CValue {
  const t = resolveType(v.type);
  if (t?.kind !== 'struct' && t?.kind !== 'union' && t?.kind !== 'class') throw new CExprError(`Attempt to extract a component of a value that is not a structure.`);
  const m = t.members.find((x) => x.name === name);
  if (m === undefined) throw new CExprError(`There is no member named ${name}.`);
  return memberValue(v, m);
}

/**
 * `p->name`: the member read at its own address, as GDB reads it (a null `p` fails at the member's
 * address, not at 0); the whole pointee when the member is a bit field.
 */
function arrow(v: CValue, name: string, src: ValueSource): CValue {
  const t = resolveType(v.type);
  const target = t?.kind === 'pointer' ? resolveType(t.target) : undefined;
  const p = t?.kind === 'pointer' ? scalar(v) : undefined;
  const m = target?.kind === 'struct' || target?.kind === 'union' || target?.kind === 'class' ? target.members.find((x) => x.name === name) : undefined;
  const size = m === undefined ? undefined : typeSize(m.type);
  if (p === undefined || m === undefined || m.bitSize !== undefined || size === undefined) return member(prefix('*', v, src), name);
  const addr = Number(BigInt.asUintN(32, p.n + BigInt(m.offset)));
  const bytes = src.readMemory(addr, size) ?? fail(`Cannot access memory at address 0x${addr.toString(16)}`);
  return { type: m.type, bytes: { bytes, known: new Uint8Array(size).fill(0xff) }, addr };
}

/**
 * `a[i]`: an element of an array value within its bounds (also of one kept in registers, or partly
 * optimized out); past them, or through a pointer, the object at the address `a + i`.
 */
function subscript(v: CValue, index: bigint, src: ValueSource): CValue {
  const t = resolveType(v.type);
  if (t?.kind === 'array' && index >= 0n && t.count !== undefined && index < BigInt(t.count)) {
    const e = elements(t, v)[Number(index)];
    if (e !== undefined) return e;
  }
  if (t?.kind === 'array' && v.addr === undefined) throw new CExprError('no such vector element');
  return prefix('*', apply('+', v, intValue(index, INT), src), src);
}

function prefix(op: string, v: CValue, src: ValueSource): CValue {
  const t = resolveType(v.type);
  if (op === '*') {
    if (t?.kind === 'array') return elements(t, v)[0] ?? fail('empty array');
    if (t?.kind !== 'pointer') throw new CExprError('Attempt to take contents of a non-pointer value.');
    return deref(v, t, src) ?? fail(`Cannot access memory at address 0x${Number(integerOf(v.bytes.bytes, false)).toString(16)}`);
  }
  if (op === '&') {
    if (v.addr === undefined) throw new CExprError('Attempt to take address of value not located in memory.');
    return { ...intValue(BigInt(v.addr), UINT), type: { kind: 'pointer', offset: -1, size: 4, target: v.type, reference: false } };
  }
  const s = scalar(v) ?? fail('Argument to arithmetic operation not a number or boolean.');
  const type = s.wide ? (s.unsigned ? ULONG_LONG : LONG_LONG) : s.unsigned ? UINT : INT;
  switch (op) {
    case '-': return intValue(-s.n, type);
    case '+': return intValue(s.n, type);
    case '~': return intValue(~s.n, type);
    default: return intValue(s.n === 0n ? 1n : 0n, INT);
  }
}

function fail(msg: string): never {
  throw new CExprError(msg);
}

/** A binary operator; pointer arithmetic scales by the pointee's size; `p@n` makes an array of n objects from p on. */
function apply(op: string, a: CValue, b: CValue, src: ValueSource): CValue {
  if (op === '@') return artificialArray(a, b, src);
  const ta = resolveType(a.type);
  const base = ta?.kind === 'array' ? { ...intValue(BigInt(a.addr ?? 0), UINT), type: { kind: 'pointer', offset: -1, size: 4, target: ta.element, reference: false } as DwarfType } : a;
  const tb = resolveType(base.type);
  const x = scalar(base) ?? fail('Argument to arithmetic operation not a number or boolean.');
  const y = scalar(b) ?? fail('Argument to arithmetic operation not a number or boolean.');
  if (tb?.kind === 'pointer' && (op === '+' || op === '-')) {
    const size = BigInt(typeSize(tb.target) ?? 1);
    return { ...intValue(op === '+' ? x.n + y.n * size : x.n - y.n * size, UINT), type: base.type };
  }
  const wide = x.wide || y.wide;
  const unsigned = (x.unsigned && (x.wide || !y.wide)) || (y.unsigned && (y.wide || !x.wide));
  const type = wide ? (unsigned ? ULONG_LONG : LONG_LONG) : unsigned ? UINT : INT;
  const bits = wide ? 64 : 32;
  const norm = (n: bigint): bigint => (unsigned ? BigInt.asUintN(bits, n) : BigInt.asIntN(bits, n));
  const [p, q] = [norm(x.n), norm(y.n)];
  const bool = (c: boolean): CValue => intValue(c ? 1n : 0n, INT);
  switch (op) {
    case '+': return intValue(p + q, type);
    case '-': return intValue(p - q, type);
    case '*': return intValue(p * q, type);
    case '/': case '%':
      if (q === 0n) throw new CExprError('Division by zero');
      return intValue(op === '/' ? p / q : p % q, type);
    case '<<': return intValue(p << q, type);
    case '>>': return intValue(p >> q, type);
    case '&': return intValue(p & q, type);
    case '|': return intValue(p | q, type);
    case '^': return intValue(p ^ q, type);
    case '<': return bool(p < q);
    case '>': return bool(p > q);
    case '<=': return bool(p <= q);
    case '>=': return bool(p >= q);
    case '==': return bool(p === q);
    case '!=': return bool(p !== q);
    case '&&': return bool(p !== 0n && q !== 0n);
    default: return bool(p !== 0n || q !== 0n);
  }
}

/** GDB's `x@n`: n objects of x's type, from x's address on. */
function artificialArray(a: CValue, b: CValue, src: ValueSource): CValue {
  const n = scalar(b);
  const size = typeSize(a.type);
  if (a.addr === undefined) throw new CExprError('Only values in memory can be extended with \'@\'.');
  if (n === undefined || n.n <= 0n || size === undefined) throw new CExprError('Invalid number 0 of repetitions.');
  const count = Number(n.n);
  const bytes = src.readMemory(a.addr, size * count) ?? fail(`Cannot access memory at address 0x${a.addr.toString(16)}`);
  const type: DwarfType = { kind: 'array', offset: -1, element: a.type!, lowerBound: 0, count };
  return { type, bytes: { bytes, known: new Uint8Array(bytes.length).fill(0xff) }, addr: a.addr };
}
