// From a location description to a Location at a pc (location lists, frame base), and from a Location to the value's bytes.

import { evaluateExpression, unavailable, OPTIMIZED_OUT, type Location, type MachineAccess, type SimpleLocation } from './dwarf-expr';
import type { DwarfFunction, LocationDesc } from './dwarf-scopes';
import { hex } from './elf-bytes';

/** Largest value read in one piece (bigger objects are read member by member or element by element). */
export const MAX_VALUE_BYTES = 1 << 20;

/** Where the value described by `desc` is when the frame's pc is `pc` (location lists are chosen by pc). */
export function evaluateLocation(desc: LocationDesc, pc: number, m: MachineAccess): Location {
  switch (desc.kind) {
    case 'expr': return evaluateExpression(desc.expr, m, { addrx: (i) => desc.unit.addrx(i) });
    case 'list': {
      const entry = desc.list.entries.find((e) => pc >= e.start && pc < e.end);
      const expr = entry?.expr ?? desc.list.defaultExpr;
      return expr === undefined ? unavailable(OPTIMIZED_OUT) : evaluateExpression(expr, m, { addrx: (i) => desc.unit.addrx(i) });
    }
    case 'const': return { kind: 'implicit', bytes: desc.bytes };
    case 'none': return unavailable(OPTIMIZED_OUT);
    case 'error': return unavailable(desc.message);
  }
}

/** The access's reads (entry values too) as functions that keep working apart from `m`, without its frame base. */
export function boundAccess(m: MachineAccess): MachineAccess {
  return {
    reg: (n) => m.reg(n), readMemory: (a, l) => m.readMemory(a, l), cfa: () => m.cfa(),
    ...(m.entryValue === undefined ? {} : { entryValue: (r: number, d: boolean) => m.entryValue!(r, d) }),
  };
}

/** The value of a function's DW_AT_frame_base at `pc` (a register's contents, or an address); undefined if unknown. */
export function frameBaseValue(fn: DwarfFunction, pc: number, m: MachineAccess): number | undefined {
  const loc = evaluateLocation(fn.frameBase, pc, boundAccess(m)); // no frameBase: DW_AT_frame_base cannot use itself
  switch (loc.kind) {
    case 'register': return m.reg(loc.reg);
    case 'memory': return loc.addr;
    case 'value': return loc.value;
    default: return undefined;
  }
}

/** A value's bytes (little-endian, as in memory) and which of their bits are known. */
export interface ValueBytes {
  bytes: Uint8Array;
  /** Bit mask over `bytes`: a set bit is known; 0xff everywhere for a complete value. */
  known: Uint8Array;
  /** Why some bits are unknown (the first reason met), when any are. */
  reason?: string;
}

/** True when every bit of the value is known. */
export function isComplete(v: ValueBytes): boolean {
  return v.known.every((b) => b === 0xff);
}

/** Reads `size` bytes of the value at `loc`. Unreadable or optimized-out parts stay unknown, never guessed. */
export function readLocationBytes(loc: Location, size: number, m: MachineAccess): ValueBytes {
  if (!(Number.isInteger(size) && size >= 0 && size <= MAX_VALUE_BYTES)) {
    return { bytes: new Uint8Array(0), known: new Uint8Array(0), reason: `a value of ${size} bytes is too large to read at once` };
  }
  const out: ValueBytes = { bytes: new Uint8Array(size), known: new Uint8Array(size) };
  const pieces = loc.kind === 'composite' ? loc.pieces : [{ bits: size * 8, bitOffset: 0, location: loc }];
  let at = 0;
  for (const p of pieces) {
    const bits = Math.min(p.bits, size * 8 - at);
    if (bits <= 0) break;
    const src = simpleBytes(p.location, Math.ceil((p.bitOffset + bits) / 8), m);
    copyBits(src, p.bitOffset, out, at, bits);
    if (src.reason !== undefined) out.reason ??= src.reason;
    at += p.bits;
  }
  if (at < size * 8) out.reason ??= OPTIMIZED_OUT;
  return out;
}

/** The first `n` bytes a simple location holds. */
function simpleBytes(loc: SimpleLocation, n: number, m: MachineAccess): ValueBytes {
  const bytes = new Uint8Array(n);
  const known = new Uint8Array(n);
  const have = (count: number, reason?: string): ValueBytes => {
    known.fill(0xff, 0, Math.min(count, n));
    return count >= n || reason === undefined ? { bytes, known } : { bytes, known, reason };
  };
  switch (loc.kind) {
    case 'memory': {
      const data = n === 0 ? new Uint8Array(0) : m.readMemory(loc.addr, n);
      if (data === undefined || data.length < n) return have(0, `cannot read memory at ${hex(loc.addr)}`);
      bytes.set(data.subarray(0, n));
      return have(n);
    }
    case 'register': {
      for (let i = 0; i * 4 < n; i++) {
        const v = m.reg(loc.reg + i);
        if (v === undefined) return have(i * 4, `register ${loc.reg + i} is not known in this frame`);
        for (let k = 0; k < 4 && i * 4 + k < n; k++) bytes[i * 4 + k] = (v >>> (8 * k)) & 0xff;
      }
      return have(n);
    }
    case 'value':
      for (let k = 0; k < 4 && k < n; k++) bytes[k] = (loc.value >>> (8 * k)) & 0xff;
      return have(n);
    case 'implicit':
      bytes.set(loc.bytes.subarray(0, n));
      return have(loc.bytes.length, OPTIMIZED_OUT);
    case 'unavailable':
      return have(0, loc.reason);
  }
}

/** Copies `n` bits (and their known marks) from bit `from` of `src` to bit `to` of `dst`, little-endian bit order. */
function copyBits(src: ValueBytes, from: number, dst: ValueBytes, to: number, n: number): void {
  if (from % 8 === 0 && to % 8 === 0) {
    const whole = Math.floor(n / 8);
    dst.bytes.set(src.bytes.subarray(from / 8, from / 8 + whole), to / 8);
    dst.known.set(src.known.subarray(from / 8, from / 8 + whole), to / 8);
    from += whole * 8;
    to += whole * 8;
    n -= whole * 8;
  }
  for (let i = 0; i < n; i++) {
    const s = from + i;
    const d = to + i;
    const bit = 1 << (d % 8);
    const set = (arr: Uint8Array, on: boolean): void => {
      arr[d >> 3] = on ? arr[d >> 3] | bit : arr[d >> 3] & ~bit;
    };
    set(dst.bytes, ((src.bytes[s >> 3] >> (s % 8)) & 1) === 1);
    set(dst.known, ((src.known[s >> 3] >> (s % 8)) & 1) === 1);
  }
}

/**
 * A bit field's value from its struct's bytes: `bitSize` bits from `bitOffset` (little-endian bit
 * order, as `Member.bitOffset` counts), sign-extended when `signed`.
 */
export function readBitField(bytes: Uint8Array, bitOffset: number, bitSize: number, signed: boolean): bigint {
  let v = 0n;
  for (let i = bitSize - 1; i >= 0; i--) {
    const bit = bitOffset + i;
    v = (v << 1n) | BigInt((bytes[bit >> 3] >> (bit & 7)) & 1);
  }
  return signed && bitSize > 0 && v >= 1n << BigInt(bitSize - 1) ? v - (1n << BigInt(bitSize)) : v;
}
