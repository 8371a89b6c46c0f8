// Which compile units may define a symbol, from the ELF symbol table and the units' code ranges alone (no unit is read):
// for the programs of many units (a kernel), where reading every unit to find one name took 15 s.

import type { UnitSummary } from './dwarf-debug-info';
import { elfSections } from './dwarf-sections';
import { readSymbolEntries, type SymbolEntry } from './elf-sections';

/** A file-static object whose unit is known: where that unit's data lies in its section. */
interface Anchor {
  addr: number;
  unit: number;
}

/**
 * The units that may define a symbol, found without reading any:
 * - a function's: the units whose code ranges (DW_AT_ranges, .debug_aranges) hold its address;
 * - a file-static object's: its file's (the STT_FILE before it in the symbol table), known by the file's functions'
 *   addresses, else by its name when one unit has it;
 * - a global object's: the linker lays each object file's data out in link order, the order .debug_info lists their
 *   units, so it is in a unit between those of the file-static objects around it in its section (our vmlinux: 627 of its
 *   640 global variables; 548 among the first 8 candidates). The caller reads them and checks name and address.
 */
export class SymbolUnits {
  private readonly byName = new Map<string, SymbolEntry[]>();
  /** Code ranges of every unit, by start. */
  private readonly code: { start: number; end: number; unit: number }[];
  /** The unit (index in `units`) of each object file's locals, by its STT_FILE symbol's index. */
  private readonly fileUnits = new Map<number, number>();
  /** File-static objects whose unit is known, by section, sorted by address. */
  private readonly anchors = new Map<number, Anchor[]>();

  /** From an ELF's symbol table; a file whose table cannot be read gives no candidates. */
  static fromElf(bytes: Uint8Array, units: readonly UnitSummary[]): SymbolUnits {
    try {
      return new SymbolUnits(readSymbolEntries(bytes, elfSections(bytes)), units);
    } catch {
      return new SymbolUnits([], units);
    }
  }

  constructor(symbols: readonly SymbolEntry[], private readonly units: readonly UnitSummary[]) {
    this.code = units.flatMap((u, unit) => u.ranges.map((r) => ({ start: r.start, end: r.end, unit }))).sort((a, b) => a.start - b.start);
    const votes = new Map<number, Map<number, number>>();
    const fileNames = new Map<number, string>();
    for (const s of symbols) {
      const list = this.byName.get(s.name);
      if (list === undefined) this.byName.set(s.name, [s]);
      else list.push(s);
      if (s.file === undefined) continue;
      fileNames.set(s.file.index, s.file.name);
      if (s.kind !== 'func') continue;
      const unit = this.codeUnits(s.addr)[0];
      if (unit === undefined) continue;
      const v = votes.get(s.file.index) ?? new Map<number, number>();
      v.set(unit, (v.get(unit) ?? 0) + 1);
      votes.set(s.file.index, v);
    }
    for (const [file, v] of votes) this.fileUnits.set(file, [...v].reduce((best, x) => (x[1] > best[1] ? x : best))[0]);
    const byBase = new Map<string, number[]>();
    units.forEach((u, i) => {
      const base = u.name?.replace(/^.*[\\/]/, '');
      if (base !== undefined) byBase.set(base, [...(byBase.get(base) ?? []), i]);
    });
    for (const [file, name] of fileNames) {
      const only = byBase.get(name);
      if (!this.fileUnits.has(file) && only?.length === 1) this.fileUnits.set(file, only[0]);
    }
    for (const list of this.byName.values()) list.sort((a, b) => Number(b.global) - Number(a.global)); // stable: table order within each
    for (const s of symbols) {
      const unit = s.kind === 'object' && s.file !== undefined ? this.fileUnits.get(s.file.index) : undefined;
      if (unit === undefined) continue;
      const list = this.anchors.get(s.section) ?? [];
      list.push({ addr: s.addr >>> 0, unit });
      this.anchors.set(s.section, list);
    }
    for (const list of this.anchors.values()) list.sort((a, b) => a.addr - b.addr);
  }

  /** The symbol table's symbols named `name`, global ones first. */
  symbols(name: string): readonly SymbolEntry[] {
    return this.byName.get(name) ?? [];
  }

  /** The offsets of at most `max` units that may define `s`, the likeliest first. */
  candidates(s: SymbolEntry, max: number): number[] {
    if (max <= 0) return [];
    const at = (units: readonly number[]): number[] => units.slice(0, max).map((i) => this.units[i].offset);
    if (s.kind === 'func' || s.kind === 'label') return at(this.codeUnits(s.addr));
    const own = s.file === undefined ? undefined : this.fileUnits.get(s.file.index);
    if (own !== undefined) return at([own]);
    const list = this.anchors.get(s.section) ?? [];
    const lo = firstAbove(list, (a) => a.addr, s.addr >>> 0);
    const below = list[lo - 1]?.unit;
    const above = list[lo]?.unit;
    if (below === undefined && above === undefined) return [];
    let first = Math.min(below ?? above!, above ?? below!);
    let last = Math.max(below ?? above!, above ?? below!);
    if (below === undefined) first = Math.max(0, last - max + 1); // before the section's first anchor: the units linked before it
    if (above === undefined) last = Math.min(this.units.length - 1, first + max - 1);
    const order: number[] = [];
    for (let i = first, j = last; i <= j && order.length < max; i++, j--) { // from both ends of the window inwards
      order.push(i);
      if (j !== i && order.length < max) order.push(j);
    }
    return at(order);
  }

  /** The units whose code ranges hold `pc` (overlapping ranges: each unit once). */
  private codeUnits(pc: number): number[] {
    const lo = firstAbove(this.code, (r) => r.start, pc);
    const out: number[] = [];
    for (let i = lo - 1; i >= 0 && lo - i <= 16; i--) { // ranges overlap little (an assembler's can run past relaxed code)
      const r = this.code[i];
      if (pc < r.end && !out.includes(r.unit)) out.push(r.unit);
    }
    return out;
  }
}

/** The index of the first element of `list` (sorted by `key`) whose key is above `x` (list.length if none). */
function firstAbove<T>(list: readonly T[], key: (t: T) => number, x: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(list[mid]) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
