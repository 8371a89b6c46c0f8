// Simulated time units and their one printed form (nanoseconds underneath, milliseconds for people).

export const NS_PER_MS = 1_000_000;
export const NS_PER_US = 1_000;

/** `12.345 ms`: simulated nanoseconds as milliseconds with microsecond precision. */
export function fmtMs(ns: number): string {
  return `${(ns / NS_PER_MS).toFixed(3)} ms`;
}
