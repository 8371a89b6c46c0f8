// 64-bit FNV-1a-style hashing (word-wise, in two 32-bit halves) of plain state and of RAM pages, with a per-page cache.

import { PAGE_SIZE, type Ram } from './ram';

const OFFSET_HI = 0xcbf29ce4;
const OFFSET_LO = 0x84222325;
const PRIME_LO = 0x1b3; // the FNV-64 prime is 2^40 + 0x1b3
const TWO_POW_32 = 0x1_0000_0000;

/** An incremental 64-bit hash. Each step xors one 32-bit word in and multiplies by the FNV-64 prime. */
export class Hash64 {
  hi = OFFSET_HI;
  lo = OFFSET_LO;

  word(w: number): void {
    const x = (this.lo ^ w) >>> 0;
    const product = x * PRIME_LO; // < 2^41: exact
    this.hi = primeHi(this.hi, x, product);
    this.lo = product >>> 0;
  }

  /**
   * The trace's string step (`sim/trace.ts`): per char, its low byte is xored into the low half and its
   * high byte into the high half, then one multiplication. The carry is taken from the low half read as
   * a signed 32-bit value, so where that bit is set the high half differs from `word`'s by the prime's
   * low part. Kept exactly so: recorded trace hashes depend on it.
   */
  chars(s: string): void {
    let hi = this.hi;
    let lo = this.lo;
    for (let i = 0; i < s.length; i++) {
      const code = s.charCodeAt(i);
      hi ^= code >>> 8;
      const x = lo ^ (code & 0xff); // signed
      const product = x * PRIME_LO; // |product| < 2^41: exact
      hi = primeHi(hi, x, product);
      lo = product >>> 0;
    }
    this.hi = hi;
    this.lo = lo;
  }

  /** Any JS number, exactly (via its IEEE-754 bits). */
  number(n: number): void {
    F64[0] = n;
    this.word(U32[0]);
    this.word(U32[1]);
  }

  string(s: string): void {
    this.word(s.length);
    for (let i = 0; i < s.length; i++) this.word(s.charCodeAt(i));
  }

  bytes(b: Uint8Array): void {
    this.word(b.length);
    for (let i = 0; i < b.length; i++) this.word(b[i]);
  }

  /** 16 hex digits. */
  hex(): string {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }
}

/** High half of (hi:x) × the FNV-64 prime (2^40 + PRIME_LO) mod 2^64, given `product` = x × PRIME_LO. */
function primeHi(hi: number, x: number, product: number): number {
  return (Math.imul(hi, PRIME_LO) + (x << 8) + Math.floor(product / TWO_POW_32)) >>> 0;
}

/** 32-bit FNV-1a over a sequence of numbers, each xored in whole (bytes, or the int32 words of a key), unsigned. */
export function fnv1a32(xs: ArrayLike<number>): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < xs.length; i++) h = Math.imul(h ^ xs[i], 0x01000193);
  return h >>> 0;
}

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

const TAG = { undefined: 1, null: 2, false: 3, true: 4, number: 5, string: 6, bytes: 7, array: 8, object: 9, bigint: 10 } as const;

/** Hashes plain data canonically (object keys sorted; typed arrays by their bytes). Throws on functions and symbols. */
export function hashValue(h: Hash64, v: unknown): void {
  if (v === undefined) return h.word(TAG.undefined);
  if (v === null) return h.word(TAG.null);
  switch (typeof v) {
    case 'boolean': return h.word(v ? TAG.true : TAG.false);
    case 'number': h.word(TAG.number); return h.number(v);
    case 'string': h.word(TAG.string); return h.string(v);
    case 'bigint': h.word(TAG.bigint); return h.string(v.toString());
    case 'object': return hashObject(h, v);
    default: throw new Error(`cannot hash a ${typeof v}`);
  }
}

function hashObject(h: Hash64, v: object): void {
  if (ArrayBuffer.isView(v)) {
    h.word(TAG.bytes);
    h.string(v.constructor.name);
    return h.bytes(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  }
  if (Array.isArray(v)) {
    h.word(TAG.array);
    h.word(v.length);
    for (const item of v) hashValue(h, item);
    return;
  }
  const rec = v as Record<string, unknown>;
  const keys = Object.keys(rec).sort();
  h.word(TAG.object);
  h.word(keys.length);
  for (const k of keys) {
    h.string(k);
    hashValue(h, rec[k]);
  }
}

/** Hash of one page of bytes starting at a 4-byte aligned offset of `words` (a Uint32Array view). */
function hashPageWords(words: Uint32Array, firstWord: number): [number, number] {
  const h = new Hash64();
  const end = firstWord + PAGE_SIZE / 4;
  for (let i = firstWord; i < end; i++) h.word(words[i]);
  return [h.hi, h.lo];
}

function isZero(words: Uint32Array, firstWord: number): boolean {
  const end = firstWord + PAGE_SIZE / 4;
  for (let i = firstWord; i < end; i++) if (words[i] !== 0) return false;
  return true;
}

const ZERO_PAGE_HASH = hashPageWords(new Uint32Array(PAGE_SIZE / 4), 0);

/** Cached per-page hashes of a RAM; only pages flagged in `ram.hashDirty` are rehashed. */
export class PageHashCache {
  private readonly hashes: Uint32Array;
  private readonly words: Uint32Array;
  /** Pages rehashed so far (for tests and statistics). */
  rehashedPages = 0;

  constructor(private readonly ram: Ram) {
    this.hashes = new Uint32Array(ram.pageCount * 2);
    // Pages never written since the cache was made hold zeros (a fresh RAM) or are flagged in hashDirty.
    const [hi, lo] = ZERO_PAGE_HASH;
    for (let p = 0; p < ram.pageCount; p++) {
      this.hashes[2 * p] = hi;
      this.hashes[2 * p + 1] = lo;
    }
    this.words = new Uint32Array(ram.bytes.buffer, ram.bytes.byteOffset, ram.size / 4);
  }

  /** Brings the cache up to date and feeds every page hash, in address order, into `h`. */
  feed(h: Hash64): void {
    const { hashDirty, pageCount } = this.ram;
    for (let p = 0; p < pageCount; p++) {
      if (hashDirty[p]) this.rehash(p);
      h.word(this.hashes[2 * p]);
      h.word(this.hashes[2 * p + 1]);
    }
  }

  private rehash(p: number): void {
    const first = p * (PAGE_SIZE / 4);
    const [hi, lo] = isZero(this.words, first) ? ZERO_PAGE_HASH : hashPageWords(this.words, first);
    this.hashes[2 * p] = hi;
    this.hashes[2 * p + 1] = lo;
    this.ram.hashDirty[p] = 0;
    this.rehashedPages++;
  }
}
