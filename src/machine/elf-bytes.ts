// Bounds-checked little-endian byte reading for the ELF and DWARF parsers, and their one error type.

/** Malformed or unsupported program file. The only error `loadElf` and the DWARF parsers throw. */
export class ProgramFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProgramFormatError';
  }
}

/** `0x1f` style hex for messages. */
export function hex(n: number): string {
  return n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`;
}

const TWO_32 = 0x1_0000_0000;

/**
 * A cursor over `bytes[start, end)`. Every read checks the bounds and throws `ProgramFormatError`
 * naming `what` (e.g. "DWARF: .debug_line unit at 0x40") when it would run past `end`.
 */
export class ByteReader {
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly start: number,
    readonly end: number,
    readonly what: string,
  ) {
    if (!(start >= 0 && start <= end && end <= bytes.length)) {
      throw new ProgramFormatError(`${what}: range ${hex(start)}..${hex(end)} is outside the data (${hex(bytes.length)} bytes)`);
    }
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws unless `n` more bytes can be read. */
  need(n: number, field: string): void {
    if (!(n >= 0) || n > this.end - this.pos) {
      throw new ProgramFormatError(
        `${this.what}: ${field} at ${hex(this.pos)} needs ${n} bytes but only ${this.end - this.pos} remain`,
      );
    }
  }

  skip(n: number, field: string): void {
    this.need(n, field);
    this.pos += n;
  }

  u8(field: string): number {
    this.need(1, field);
    return this.bytes[this.pos++];
  }

  s8(field: string): number {
    const v = this.u8(field);
    return v >= 0x80 ? v - 0x100 : v;
  }

  u16(field: string): number {
    this.need(2, field);
    const b = this.bytes;
    const v = b[this.pos] | (b[this.pos + 1] << 8);
    this.pos += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const v = readU32(this.bytes, this.pos);
    this.pos += 4;
    return v;
  }

  /** A 64-bit value as a number (exact below 2^53; larger values are only ever compared against bounds). */
  u64(field: string): number {
    const lo = this.u32(field);
    const hi = this.u32(field);
    return hi * TWO_32 + lo;
  }

  /** Unsigned integer of `size` bytes (1, 2, 4 or 8). */
  uN(size: number, field: string): number {
    switch (size) {
      case 1: return this.u8(field);
      case 2: return this.u16(field);
      case 4: return this.u32(field);
      case 8: return this.u64(field);
      default: throw new ProgramFormatError(`${this.what}: ${field} has unsupported size ${size}`);
    }
  }

  /** Unsigned LEB128; values above 2^53 are rejected (padding continuation bytes are fine). */
  uleb(field: string): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8(field);
      const payload = b & 0x7f;
      if (payload !== 0) {
        value += payload * scale;
        if (value > Number.MAX_SAFE_INTEGER) throw new ProgramFormatError(`${this.what}: ${field} (LEB128) is too large`);
      }
      if ((b & 0x80) === 0) return value;
      scale = scale < 2 ** 70 ? scale * 128 : scale;
    }
  }

  /** Signed LEB128; values outside ±2^53 are rejected. */
  sleb(field: string): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8(field);
      const payload = b & 0x7f;
      if (payload !== 0) value += payload * scale;
      scale = scale < 2 ** 70 ? scale * 128 : scale;
      if ((b & 0x80) === 0) {
        if ((b & 0x40) !== 0) value -= scale;
        if (!Number.isSafeInteger(value)) throw new ProgramFormatError(`${this.what}: ${field} (LEB128) is too large`);
        return value;
      }
    }
  }

  /** NUL-terminated string (UTF-8) that must end before `end`. */
  cstr(field: string): string {
    const s = readCString(this.bytes, this.pos, this.end, this.what, field);
    this.pos = s.next;
    return s.text;
  }
}

export function readU32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

/** Longest string the parsers accept (paths, names); keeps hostile files from costing O(n²). */
export const MAX_STRING = 4096;

/**
 * Reads a NUL-terminated string from `bytes[pos, end)`; `next` is the position after the NUL.
 * Strings longer than `maxLen` bytes are rejected, or cut (with "…") when `truncate` is set.
 */
export function readCString(
  bytes: Uint8Array,
  pos: number,
  end: number,
  what: string,
  field: string,
  maxLen = MAX_STRING,
  truncate = false,
): { text: string; next: number } {
  if (!(pos >= 0 && pos <= end && end <= bytes.length)) {
    throw new ProgramFormatError(`${what}: ${field} at ${hex(pos)} is outside its section`);
  }
  const limit = Math.min(end, pos + maxLen);
  let i = pos;
  while (i < limit && bytes[i] !== 0) i++;
  if (i < limit) return { text: decodeUtf8(bytes, pos, i), next: i + 1 };
  if (limit === end) throw new ProgramFormatError(`${what}: ${field} at ${hex(pos)} is not NUL-terminated`);
  if (truncate) return { text: `${decodeUtf8(bytes, pos, limit)}…`, next: limit };
  throw new ProgramFormatError(`${what}: ${field} at ${hex(pos)} is longer than ${maxLen} bytes`);
}

/** Lenient UTF-8 decoding (invalid sequences become U+FFFD); pure and bounded. */
export function decodeUtf8(b: Uint8Array, start: number, end: number): string {
  let out = '';
  let i = start;
  while (i < end) {
    const c = b[i];
    if (c < 0x80) {
      out += String.fromCharCode(c);
      i++;
      continue;
    }
    const n = c >= 0xf0 && c < 0xf8 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : -1;
    let cp = n === 3 ? c & 0x07 : n === 2 ? c & 0x0f : c & 0x1f;
    let ok = n > 0 && i + n < end;
    for (let k = 1; ok && k <= n; k++) {
      const cc = b[i + k];
      if ((cc & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (cc & 0x3f);
    }
    if (!ok || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      out += '\ufffd';
      i++;
      continue;
    }
    out += String.fromCodePoint(cp);
    i += n + 1;
  }
  return out;
}
