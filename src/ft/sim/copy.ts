// Checkpoint copies: one level deep, for state whose leaves (log entries, packets, records) are never mutated once stored.

/** Copies arrays, maps, sets and plain objects one level deep (nested arrays of objects are sliced too). */
export function copyOneLevel(v: unknown): unknown {
  if (Array.isArray(v)) return v.slice();
  if (v instanceof Map) return new Map(v);
  if (v instanceof Set) return new Set(v);
  if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, Array.isArray(x) ? x.slice() : x]));
  }
  return v;
}
