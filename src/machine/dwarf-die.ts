// Debugging information entries: the Die node with attribute lookup, and the reader of one unit's entry tree.

import { ByteReader, ProgramFormatError, hex } from './elf-bytes';
import type { AbbrevTable } from './dwarf-abbrev';
import { readForm, type AttrValue, type FormUnit } from './dwarf-forms';

/** Deepest nesting of entries accepted in one unit (C code nests blocks and inlined calls far less). */
export const MAX_DIE_DEPTH = 256;

export class Die {
  readonly children: Die[] = [];

  constructor(
    /** Absolute .debug_info offset. */
    readonly offset: number,
    readonly tag: number,
    private readonly names: readonly number[],
    readonly values: AttrValue[],
    readonly parent: Die | undefined,
  ) {}

  get(attr: number): AttrValue | undefined {
    const i = this.names.indexOf(attr);
    return i < 0 ? undefined : this.values[i];
  }

  has(attr: number): boolean {
    return this.names.includes(attr);
  }
}

/** Turns index forms (strx, addrx) into values once the unit's bases are known. */
export type ValueResolver = (v: AttrValue) => AttrValue;

/** Reads one entry at `r.pos`; undefined for a null entry (code 0). */
export function readDie(
  r: ByteReader, u: FormUnit, table: AbbrevTable, parent: Die | undefined, resolve?: ValueResolver,
): { die: Die; hasChildren: boolean } | undefined {
  const offset = r.pos;
  const code = r.uleb('abbreviation code');
  if (code === 0) return undefined;
  const a = table.get(code);
  if (a === undefined) throw new ProgramFormatError(`${r.what}: entry at ${hex(offset)} uses abbreviation ${code}, which its table lacks`);
  const values: AttrValue[] = new Array(a.forms.length);
  for (let i = 0; i < a.forms.length; i++) {
    const v = readForm(r, a.forms[i], u, a.implicit[i]);
    values[i] = resolve === undefined ? v : resolve(v);
  }
  return { die: new Die(offset, a.tag, a.attrs, values, parent), hasChildren: a.hasChildren };
}

/**
 * Reads the children of `root` (already read, ending at `r.pos`) down to the end of the unit.
 * Returns every entry by offset. Each step consumes input, and the nesting depth is bounded.
 */
export function readDieTree(r: ByteReader, u: FormUnit, table: AbbrevTable, root: Die, resolve: ValueResolver): Map<number, Die> {
  const byOffset = new Map<number, Die>([[root.offset, root]]);
  const stack: Die[] = [root];
  while (stack.length > 0 && r.pos < r.end) {
    const parent = stack[stack.length - 1];
    const read = readDie(r, u, table, parent, resolve);
    if (read === undefined) {
      stack.pop();
      continue;
    }
    parent.children.push(read.die);
    byOffset.set(read.die.offset, read.die);
    if (read.hasChildren) {
      if (stack.length >= MAX_DIE_DEPTH) throw new ProgramFormatError(`${r.what}: entries nest deeper than ${MAX_DIE_DEPTH} levels`);
      stack.push(read.die);
    }
  }
  return byOffset;
}
