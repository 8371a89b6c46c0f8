// Where a function's body starts (its breakpoint address) according to the line table.

import type { LineRow } from './program';
import { lastRowAtOrBefore } from './dwarf';

/**
 * The address after the prologue of the function at [start, end): the first row marked prologue_end
 * (clang), else the second statement row of the function (GCC marks none: the first row is the
 * opening line, the next one the first statement), else `start`. Without `end`, the search stops
 * at the end of the row sequence. Rows must be sorted by address.
 */
export function prologueEndFromLines(rows: readonly LineRow[], start: number, end = Infinity): number {
  const first = Math.max(0, lastRowAtOrBefore(rows, start));
  let second: number | undefined;
  for (let i = first; i < rows.length && rows[i].addr < end; i++) {
    const row = rows[i];
    if (row.endSequence && row.addr > start) break;
    if (row.addr < start || row.endSequence) continue;
    if (row.prologueEnd === true) return row.addr;
    if (second === undefined && row.addr > start && row.isStmt && row.line !== 0) second = row.addr;
  }
  return second ?? start;
}
