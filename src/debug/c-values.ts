// C values as GDB prints them (numbers, chars, pointers, strings, structs, unions, arrays, enums, bit fields) from a DWARF type and the bytes its location holds.

import type { DwarfType, StructType, ArrayType, EnumType, BaseType } from '../machine/dwarf-types';
import { typeName, typeSize } from '../machine/dwarf-type-util';
import type { ValueBytes } from '../machine/dwarf-value';

/** What formatting needs of the stopped VM: memory (strings behind `char *`) and symbols (`<table+16>`). */
export interface ValueSource {
  readMemory(addr: number, len: number): Uint8Array | undefined;
  /** `name` or `name+off` for an address inside a known symbol. */
  symbolize(addr: number): string | undefined;
}

/** A typed value: its bytes (some maybe unknown) and, when it lives in memory, its address. */
export interface CValue {
  type: DwarfType | undefined;
  bytes: ValueBytes;
  /** Where it is in memory (an lvalue there), when it is. */
  addr?: number;
  /** A bit field in memory: its containing object's address, and its bits from there (little-endian order). */
  bits?: { addr: number; bitOffset: number; bitSize: number };
}

export const OPTIMIZED_OUT_TEXT = '<optimized out>';
/** GDB's defaults: `set print elements 200`, `set print repeats 10`. */
const PRINT_ELEMENTS = 200;
const REPEAT_THRESHOLD = 10;
const MAX_DEPTH = 8;

/** The type under typedefs and qualifiers. */
export function resolveType(t: DwarfType | undefined): DwarfType | undefined {
  for (let i = 0; i < 64 && t !== undefined && (t.kind === 'typedef' || t.kind === 'qualified'); i++) t = t.target;
  return t;
}

function known(v: ValueBytes, from = 0, to = v.bytes.length): boolean {
  for (let i = from; i < to; i++) if (v.known[i] !== 0xff) return false;
  return true;
}

/** The part of a value at byte `offset`, `size` bytes long. */
export function slice(v: CValue, offset: number, size: number, type: DwarfType | undefined): CValue {
  const bytes = { bytes: v.bytes.bytes.subarray(offset, offset + size), known: v.bytes.known.subarray(offset, offset + size) };
  return { type, bytes, ...(v.addr !== undefined ? { addr: (v.addr + offset) >>> 0 } : {}) };
}

/** Little-endian integer of the value's bytes (BigInt past 32 bits), signed when asked. */
export function integerOf(b: Uint8Array, signed: boolean): number | bigint {
  if (b.length <= 4) {
    let x = 0;
    for (let i = b.length - 1; i >= 0; i--) x = x * 256 + b[i];
    if (signed && b.length > 0 && b[b.length - 1] & 0x80) x -= 2 ** (8 * b.length);
    return x;
  }
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]);
  return signed && b[b.length - 1] & 0x80 ? x - (1n << BigInt(8 * b.length)) : x;
}

/** GDB's error for a value whose memory cannot be read at all (its address is outside RAM), else undefined. */
export function unreadable(v: CValue): string | undefined {
  const none = v.bytes.known.length > 0 && v.bytes.known.every((k) => k === 0);
  return v.addr !== undefined && none && v.bytes.reason?.startsWith('cannot read memory') === true ? `Cannot access memory at address 0x${v.addr.toString(16)}` : undefined;
}

/** The value as GDB's `print` shows it (`top`: with the `(type *)` prefix GDB gives a top-level pointer). */
export function formatValue(v: CValue, src: ValueSource, top = true, depth = 0): string {
  const t = resolveType(v.type);
  if (t === undefined) return '<void>';
  if (depth > MAX_DEPTH) return '{...}';
  // A scalar needs every bit; an aggregate prints member by member unless nothing of it is known (GDB's rule).
  const aggregate = t.kind === 'struct' || t.kind === 'union' || t.kind === 'class' || t.kind === 'array';
  const bad = unreadable(v);
  if (bad !== undefined) return `<error reading variable: ${bad}>`;
  if (aggregate ? v.bytes.known.length > 0 && v.bytes.known.every((k) => k === 0) : !known(v.bytes)) return OPTIMIZED_OUT_TEXT;
  switch (t.kind) {
    case 'base': return formatBase(t, v.bytes.bytes);
    case 'enum': return formatEnum(t, v.bytes.bytes);
    case 'pointer': return formatPointer(v, t.target, src, top);
    case 'struct': case 'union': case 'class': return formatStruct(t, v, src, depth);
    case 'array': return formatArray(t, v, src, depth);
    case 'function': return `{${typeName(t)}} ${v.addr === undefined ? '?' : addressText(v.addr, src)}`;
    case 'unknown': return `<${t.reason}>`;
    default: return '?';
  }
}

function formatBase(t: BaseType, b: Uint8Array): string {
  switch (t.encoding) {
    case 'boolean': return integerOf(b, false) === 0 ? 'false' : 'true';
    case 'float': return formatFloat(b);
    case 'signedChar': case 'unsignedChar': {
      const n = Number(integerOf(b, t.encoding === 'signedChar'));
      return `${n} ${charLiteral(b[0], "'")}`;
    }
    case 'signed': return String(integerOf(b, true));
    default: return String(integerOf(b, false));
  }
}

function formatFloat(b: Uint8Array): string {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const x = b.length === 4 ? dv.getFloat32(0, true) : b.length === 8 ? dv.getFloat64(0, true) : NaN;
  if (Number.isNaN(x)) return b.length === 4 || b.length === 8 ? 'nan(0x...)' : '?';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return String(Number(x.toPrecision(b.length === 4 ? 9 : 17)));
}

const ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 27: '\\033' };

/** One byte as GDB writes it inside quotes `q` (`'A'`, `'\\000'`, `'\\377'`). */
export function charLiteral(c: number, q: string): string {
  return `${q}${charBody(c, q)}${q}`;
}

function charBody(c: number, q: string): string {
  if (c === q.charCodeAt(0) || c === 92) return `\\${String.fromCharCode(c)}`;
  if (ESCAPES[c] !== undefined) return ESCAPES[c];
  if (c >= 32 && c < 127) return String.fromCharCode(c);
  return `\\${c.toString(8).padStart(3, '0')}`;
}

function formatEnum(t: EnumType, b: Uint8Array): string {
  const n = Number(integerOf(b, t.signed));
  const e = t.enumerators.find((x) => x.value === n);
  if (e !== undefined) return e.name;
  return isFlagEnum(t) && n > 0 ? flagsText(t, n) : String(n);
}

/** GDB's flag enums: every enumerator a non-negative value whose bits no other enumerator shares. */
function isFlagEnum(t: EnumType): boolean {
  const vs = t.enumerators.map((e) => e.value);
  return vs.every((v, i) => v >= 0 && Number.isSafeInteger(v) && vs.every((w, j) => i === j || (v & w) === 0));
}

/** `(A | B)`, and `unknown: 0x…` for bits no enumerator names. */
function flagsText(t: EnumType, n: number): string {
  const names: string[] = [];
  let rest = n;
  for (const e of t.enumerators) {
    if (e.value !== 0 && (rest & e.value) === e.value) {
      names.push(e.name);
      rest &= ~e.value;
    }
  }
  if (rest !== 0) names.push(`unknown: 0x${(rest >>> 0).toString(16)}`);
  return `(${names.join(' | ')})`;
}

function addressText(addr: number, src: ValueSource): string {
  const s = src.symbolize(addr);
  return `0x${addr.toString(16)}${s === undefined ? '' : ` <${s}>`}`;
}

function formatPointer(v: CValue, target: DwarfType | undefined, src: ValueSource, top: boolean): string {
  const addr = Number(integerOf(v.bytes.bytes, false)) >>> 0;
  const to = resolveType(target);
  if (to?.kind === 'function') return `${top ? `(${typeName(v.type)}) ` : ''}${addressText(addr, src)}`;
  const prefix = top ? `(${typeName(v.type)}) ` : '';
  if (to?.kind === 'base' && (to.encoding === 'signedChar' || to.encoding === 'unsignedChar') && to.size === 1) {
    if (addr === 0) return '0x0';
    return `0x${addr.toString(16)} ${cString(addr, src)}`;
  }
  return `${prefix}${addr === 0 ? '0x0' : addressText(addr, src)}`;
}

/** The NUL-terminated string at `addr` (at most 200 characters, then `...`). */
function cString(addr: number, src: ValueSource): string {
  const bytes: number[] = [];
  for (let i = 0; i <= PRINT_ELEMENTS; i++) {
    const b = src.readMemory((addr + i) >>> 0, 1);
    if (b === undefined) return bytes.length === 0 ? `<error: Cannot access memory at address 0x${addr.toString(16)}>` : `${stringText(bytes)}...`;
    if (b[0] === 0) return stringText(bytes);
    bytes.push(b[0]);
  }
  return `${stringText(bytes.slice(0, PRINT_ELEMENTS))}...`;
}

/** Bytes as a quoted string, as GDB writes them with a UTF-8 charset: whole UTF-8 sequences as characters, other bytes escaped. */
function stringText(bytes: number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const n = utf8Length(bytes, i);
    if (n > 1) {
      out += new TextDecoder().decode(new Uint8Array(bytes.slice(i, i + n)));
      i += n;
    } else out += charBody(bytes[i++], '"');
  }
  return `"${out}"`;
}

/** Length of a valid multi-byte UTF-8 sequence of a printable character at `i`, else 1. */
function utf8Length(b: number[], i: number): number {
  const c = b[i];
  const n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 1;
  if (n === 1 || i + n > b.length) return 1;
  for (let k = 1; k < n; k++) if ((b[i + k] & 0xc0) !== 0x80) return 1;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(new Uint8Array(b.slice(i, i + n)));
  return text.length > 0 && !text.includes('\ufffd') && /\P{C}/u.test(text) ? n : 1;
}

function formatStruct(t: StructType, v: CValue, src: ValueSource, depth: number): string {
  const parts = t.members.map((m) => `${m.name === undefined ? '' : `${m.name} = `}${formatValue(memberValue(v, m), src, false, depth + 1)}`);
  return `{${parts.join(', ')}}`;
}

/** A member's value; a bit field becomes a small integer value of its own. */
export function memberValue(v: CValue, m: StructType['members'][number]): CValue {
  if (m.bitSize === undefined) return slice(v, m.offset, typeSize(m.type) ?? 0, m.type);
  const bitOffset = m.bitOffset ?? m.offset * 8;
  let x = 0n;
  let allKnown = true;
  for (let i = 0; i < m.bitSize; i++) {
    const bit = bitOffset + i;
    const byte = bit >> 3;
    if (byte >= v.bytes.bytes.length || !(v.bytes.known[byte] & (1 << (bit & 7)))) allKnown = false;
    else if (v.bytes.bytes[byte] & (1 << (bit & 7))) x |= 1n << BigInt(i);
  }
  const base = resolveType(m.type);
  const signed = base?.kind === 'base' ? base.encoding === 'signed' || base.encoding === 'signedChar' : base?.kind === 'enum' ? base.signed : false;
  if (signed && m.bitSize > 0 && (x >> BigInt(m.bitSize - 1)) & 1n) x -= 1n << BigInt(m.bitSize);
  const size = typeSize(m.type) ?? 4;
  const bytes = new Uint8Array(size);
  let y = BigInt.asUintN(size * 8, x);
  for (let i = 0; i < size; i++, y >>= 8n) bytes[i] = Number(y & 0xffn);
  const out: CValue = { type: m.type, bytes: { bytes, known: new Uint8Array(size).fill(allKnown ? 0xff : 0) } };
  if (v.addr !== undefined) out.bits = { addr: v.addr, bitOffset, bitSize: m.bitSize };
  return out;
}

/** Elements of an array value (one dimension). */
export function elements(t: ArrayType, v: CValue): CValue[] {
  return elementsFrom(t, v, 0, Infinity);
}

/** How many elements of an array value its bytes hold (one dimension). */
export function elementCount(t: ArrayType, v: CValue): number {
  const size = typeSize(t.element) ?? 0;
  return Math.min(t.count ?? 0, size === 0 ? 0 : Math.floor(v.bytes.bytes.length / size));
}

/** Elements `start` .. `start + count - 1` of an array value (fewer at its end). */
export function elementsFrom(t: ArrayType, v: CValue, start: number, count: number): CValue[] {
  const size = typeSize(t.element) ?? 0;
  const end = Math.min(elementCount(t, v), start + count);
  return Array.from({ length: Math.max(0, end - start) }, (_, i) => slice(v, (start + i) * size, size, t.element));
}

function formatArray(t: ArrayType, v: CValue, src: ValueSource, depth: number): string {
  const el = resolveType(t.element);
  const items = elements(t, v);
  if (el?.kind === 'base' && el.size === 1 && (el.encoding === 'signedChar' || el.encoding === 'unsignedChar') && items.every((x) => known(x.bytes))) {
    return charArrayText(items.map((x) => x.bytes.bytes[0]));
  }
  const texts = items.slice(0, PRINT_ELEMENTS).map((x) => formatValue(x, src, false, depth + 1));
  const out: string[] = [];
  for (let i = 0; i < texts.length;) {
    let j = i + 1;
    while (j < texts.length && texts[j] === texts[i]) j++;
    if (j - i > REPEAT_THRESHOLD) out.push(`${texts[i]} <repeats ${j - i} times>`);
    else for (let k = i; k < j; k++) out.push(texts[k]);
    i = j;
  }
  return `{${out.join(', ')}${items.length > PRINT_ELEMENTS ? '...' : ''}}`;
}

/** A char array as GDB prints it: quoted runs, runs of 10 or more repeats as `'c' <repeats N times>`, the final NUL dropped. */
function charArrayText(bytes: number[]): string {
  let b = bytes.slice(0, PRINT_ELEMENTS);
  const truncated = bytes.length > PRINT_ELEMENTS;
  if (!truncated && b.length > 0 && b[b.length - 1] === 0) b = b.slice(0, -1);
  const segs: string[] = [];
  let run: number[] = [];
  const flush = (): void => {
    if (run.length > 0) segs.push(stringText(run));
    run = [];
  };
  for (let i = 0; i < b.length;) {
    let j = i + 1;
    while (j < b.length && b[j] === b[i]) j++;
    if (j - i > REPEAT_THRESHOLD) {
      flush();
      segs.push(`${charLiteral(b[i], "'")} <repeats ${j - i} times>`);
    } else for (let k = i; k < j; k++) run.push(b[k]);
    i = j;
  }
  flush();
  return (segs.length === 0 ? '""' : segs.join(', ')) + (truncated ? '...' : '');
}
