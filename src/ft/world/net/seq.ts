// TCP sequence-number arithmetic modulo 2^32 (RFC 793 §3.3): comparisons hold across wraparound for distances below 2^31.

/** a + n modulo 2^32. */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** b - a modulo 2^32, as a signed distance in [-2^31, 2^31): positive when b is after a. */
export function seqDiff(a: number, b: number): number {
  return (b - a) | 0;
}

/** a before b. */
export function seqLt(a: number, b: number): boolean {
  return seqDiff(a, b) > 0;
}

/** a before or at b. */
export function seqLe(a: number, b: number): boolean {
  return seqDiff(a, b) >= 0;
}

/** a after b. */
export function seqGt(a: number, b: number): boolean {
  return seqLt(b, a);
}

/** a after or at b. */
export function seqGe(a: number, b: number): boolean {
  return seqLe(b, a);
}

/** lo ≤ x < hi, modulo 2^32 (an empty range when lo = hi). */
export function seqInRange(x: number, lo: number, hi: number): boolean {
  return seqLe(lo, x) && seqLt(x, hi);
}
