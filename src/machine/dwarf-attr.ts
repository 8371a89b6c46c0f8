// Typed reads of entry attributes (strings, constants, flags, references) and the origin chain an entry inherits from.

import { DW_AT } from './dwarf-const';
import type { Die } from './dwarf-die';
import type { Unit } from './dwarf-unit';

/** Finds entries by absolute offset across units (reading a unit's tree on first use). */
export interface DieSource {
  /** The entry at `offset` and its unit; undefined when no readable unit holds one there. */
  entry(offset: number): { die: Die; unit: Unit } | undefined;
  /** The type entry of the type unit with this signature (DW_FORM_ref_sig8). */
  signature(sig: string): number | undefined;
}

/** Most abstract_origin / specification hops followed (they chain at most twice in practice). */
const MAX_ORIGIN_HOPS = 8;

export function attrString(die: Die, at: number): string | undefined {
  const v = die.get(at);
  return v?.kind === 'string' ? v.value : undefined;
}

/** A constant as an unsigned number (data forms), or as written (udata/sdata). */
export function attrNumber(die: Die, at: number): number | undefined {
  const v = die.get(at);
  return v?.kind === 'data' || v?.kind === 'udata' || v?.kind === 'sdata' ? v.value : undefined;
}

/** A constant with data forms sign-extended from their size (for bounds and enumerators of signed types). */
export function attrSigned(die: Die, at: number): number | undefined {
  const v = die.get(at);
  if (v?.kind !== 'data' || v.bytes.length > 8) return attrNumber(die, at);
  const bits = v.bytes.length * 8;
  if (bits >= 53) return v.bytes[v.bytes.length - 1] >= 0x80 ? v.value - 2 ** bits : v.value;
  return v.value >= 2 ** (bits - 1) ? v.value - 2 ** bits : v.value;
}

/** A section offset (sec_offset, or a data form as DWARF 2–3 wrote them). */
export function attrOffset(die: Die, at: number): number | undefined {
  const v = die.get(at);
  return v?.kind === 'secOffset' || v?.kind === 'data' || v?.kind === 'udata' ? v.value : undefined;
}

export function attrFlag(die: Die, at: number): boolean {
  const v = die.get(at);
  return v?.kind === 'flag' ? v.value : v?.kind === 'data' || v?.kind === 'udata' ? v.value !== 0 : false;
}

export function attrAddr(die: Die, at: number): number | undefined {
  const v = die.get(at);
  return v?.kind === 'addr' ? v.value : undefined;
}

/** The absolute offset a reference attribute names (ref_sig8 through the type units). */
export function attrRef(src: DieSource, die: Die, at: number): number | undefined {
  const v = die.get(at);
  if (v?.kind === 'ref') return v.value;
  if (v?.kind === 'sig8') return src.signature(v.value);
  return undefined;
}

/**
 * The entry itself, then what it inherits from through DW_AT_abstract_origin and DW_AT_specification
 * (an inlined or out-of-line instance, a definition of an earlier declaration), nearest first.
 */
export function originChain(src: DieSource, die: Die): Die[] {
  const chain = [die];
  let cur = die;
  for (let hop = 0; hop < MAX_ORIGIN_HOPS; hop++) {
    const next = attrRef(src, cur, DW_AT.abstractOrigin) ?? attrRef(src, cur, DW_AT.specification);
    const found = next === undefined ? undefined : src.entry(next)?.die;
    if (found === undefined || chain.includes(found)) break;
    chain.push(found);
    cur = found;
  }
  return chain;
}

/** The first entry of the chain that has `at`. */
export function inherited(chain: readonly Die[], at: number): Die | undefined {
  return chain.find((d) => d.has(at));
}
