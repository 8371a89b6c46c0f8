// Small helpers of the Timeline page: binary searches over sorted arrays, defensive reads of the model, time labels (no DOM: the pure modules and their tests use them).

export const NS_PER_MS = 1e6;

/** What binary search runs over: plain and typed arrays alike. */
export type Sorted = ArrayLike<number>;

/** First index i with a[i] >= x (a sorted ascending). */
export function lowerBound(a: Sorted, x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** First index i with a[i] > x. */
export function upperBound(a: Sorted, x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** `v` as a finite number, else `dflt` (the model crossed a process boundary: every field is read defensively). */
export function num(v: unknown, dflt: number): number {
  const n = Number(v);
  return Number.isFinite(n) ? n : dflt;
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : String(v == null ? '' : v);
}

/** `12.345 ms`; with a tick step, as many decimals as the step needs. */
export function fmtTime(ns: number, stepNs?: number): string {
  const decimals = stepNs === undefined ? 3 : Math.max(0, Math.min(6, Math.ceil(-Math.log10(stepNs / NS_PER_MS) - 1e-9)));
  return (ns / NS_PER_MS).toFixed(decimals) + ' ms';
}
