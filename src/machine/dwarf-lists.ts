// Range lists (.debug_ranges, .debug_rnglists) and location lists (.debug_loc, .debug_loclists) of a unit.

import { ByteReader, ProgramFormatError, hex } from './elf-bytes';
import { DW_AT, DW_LLE, DW_RLE } from './dwarf-const';
import type { Die } from './dwarf-die';
import type { AttrValue } from './dwarf-forms';
import type { Unit } from './dwarf-unit';

/** Addresses [start, end). */
export interface PcRange {
  start: number;
  end: number;
}

export interface LocListEntry extends PcRange {
  expr: Uint8Array;
}

export interface LocList {
  entries: LocListEntry[];
  /** DW_LLE_default_location: the location for pcs no entry covers. */
  defaultExpr?: Uint8Array;
}

/** Longest list read (each entry also consumes input, so this only caps memory). */
const MAX_LIST_ENTRIES = 1 << 16;
/** Size of a 32-bit DWARF 5 list table header: the first offset entry follows it. */
const LIST_HEADER_SIZE = 12;
const TWO_32 = 0x1_0000_0000;

/**
 * The code an entry covers, from DW_AT_ranges or DW_AT_low_pc/high_pc; undefined when it has no pc
 * attributes at all. Empty ranges are dropped. Throws ProgramFormatError for a damaged range list.
 */
export function entryRanges(unit: Unit, die: Die): PcRange[] | undefined {
  const list = die.get(DW_AT.ranges);
  if (list !== undefined) return readRanges(unit, list);
  const low = die.get(DW_AT.lowPc);
  if (low?.kind !== 'addr') return undefined;
  const high = die.get(DW_AT.highPc);
  const end = high?.kind === 'addr' ? high.value
    : high?.kind === 'data' || high?.kind === 'udata' || high?.kind === 'sdata' ? low.value + high.value : undefined;
  return end !== undefined && end > low.value && end <= TWO_32 ? [{ start: low.value, end }] : [];
}

/** .debug_aranges: the address ranges of each compile unit, by unit offset. Throws ProgramFormatError. */
export function readAranges(section: Uint8Array): Map<number, PcRange[]> {
  const out = new Map<number, PcRange[]>();
  let pos = 0;
  while (pos + 4 <= section.length) {
    const r = new ByteReader(section, pos, section.length, `DWARF: .debug_aranges set at ${hex(pos)}`);
    const length = r.u32('unit_length');
    if (length >= 0xfffffff0) throw new ProgramFormatError(`${r.what}: 64-bit DWARF is not supported`);
    r.need(length, 'set');
    const end = r.pos + length;
    const set = new ByteReader(section, r.pos, end, r.what);
    set.u16('version');
    const unitOffset = set.u32('debug_info_offset');
    const addrSize = set.u8('address_size');
    set.u8('segment_selector_size');
    if (addrSize !== 4) throw new ProgramFormatError(`${r.what}: address size ${addrSize}`);
    set.pos = pos + Math.ceil((set.pos - pos) / 8) * 8; // tuples are aligned to twice the address size
    const ranges = out.get(unitOffset) ?? [];
    while (set.remaining >= 8) {
      const start = set.u32('address');
      const size = set.u32('length');
      if (start === 0 && size === 0) break;
      if (size > 0 && start + size <= TWO_32) ranges.push({ start, end: start + size });
    }
    out.set(unitOffset, ranges);
    pos = end;
  }
  return out;
}

/** The ranges a DW_AT_ranges value names. Throws ProgramFormatError when the list is damaged. */
export function readRanges(unit: Unit, v: AttrValue): PcRange[] {
  const out: PcRange[] = [];
  walkList(unit, listPlace(unit, v, 'ranges'), false, (start, end) => out.push({ start, end }));
  return out;
}

/** The location list a DW_AT_location (or frame base) value names. Throws ProgramFormatError when damaged. */
export function readLocList(unit: Unit, v: AttrValue): LocList {
  const list: LocList = { entries: [] };
  walkList(unit, listPlace(unit, v, 'locations'), true, (start, end, expr) => {
    if (expr === undefined) return;
    if (start === -1) list.defaultExpr = expr;
    else list.entries.push({ start, end, expr });
  });
  return list;
}

interface ListPlace {
  section: Uint8Array;
  name: string;
  offset: number;
  v5: boolean;
}

/** Which section and offset a list attribute points to (sec_offset, DWARF 2–3 data4, or a DWARF 5 index). */
function listPlace(unit: Unit, v: AttrValue, what: 'ranges' | 'locations'): ListPlace {
  const v5 = unit.version >= 5;
  const name = what === 'ranges' ? (v5 ? '.debug_rnglists' : '.debug_ranges') : v5 ? '.debug_loclists' : '.debug_loc';
  const s = unit.sections;
  const section = what === 'ranges' ? (v5 ? s.rnglists : s.ranges) : v5 ? s.loclists : s.loc;
  if (section === undefined) throw new ProgramFormatError(`DWARF: unit at ${hex(unit.offset)} refers to ${name}, which the file lacks`);
  let offset: number;
  if (v.kind === 'secOffset' || (v.kind === 'data' && unit.version < 4)) offset = v.value;
  else if (v.kind === 'rnglistx' || v.kind === 'loclistx') {
    const base = (v.kind === 'rnglistx' ? unit.rnglistsBase : unit.loclistsBase) ?? LIST_HEADER_SIZE;
    const at = base + v.value * 4;
    if (!(at + 4 <= section.length)) throw new ProgramFormatError(`DWARF: list index ${v.value} is outside ${name}`);
    offset = base + new ByteReader(section, at, at + 4, name).u32('list offset');
  } else throw new ProgramFormatError(`DWARF: a ${what} attribute has a value of kind ${v.kind}`);
  if (offset >= section.length) throw new ProgramFormatError(`DWARF: list offset ${hex(offset)} is past the end of ${name}`);
  return { section, name, offset, v5 };
}

/** start === -1 marks a default location entry. */
type Visit = (start: number, end: number, expr: Uint8Array | undefined) => void;

function walkList(unit: Unit, p: ListPlace, withExpr: boolean, visit: Visit): void {
  const r = new ByteReader(p.section, p.offset, p.section.length, `DWARF: ${p.name} list at ${hex(p.offset)}`);
  const emit: Visit = (start, end, expr) => {
    if (start === -1 || (start < end && end <= TWO_32)) visit(start, end, expr);
  };
  if (p.v5) walkV5(r, unit, withExpr, emit);
  else walkPreV5(r, unit, withExpr, emit);
}

/** DWARF 2–4: address pairs relative to the base address, (0, 0) ends, (max, addr) selects a base. */
function walkPreV5(r: ByteReader, unit: Unit, withExpr: boolean, visit: Visit): void {
  let base = unit.baseAddress;
  for (let n = 0; n < MAX_LIST_ENTRIES; n++) {
    const begin = r.u32('begin address');
    const end = r.u32('end address');
    if (begin === 0 && end === 0) return;
    if (begin === 0xffffffff) {
      base = end;
      continue;
    }
    const expr = withExpr ? block(r, r.u16('expression length')) : undefined;
    visit(base + begin, base + end, expr);
  }
  throw new ProgramFormatError(`${r.what}: more than ${MAX_LIST_ENTRIES} entries`);
}

/** DWARF 5: typed entries (DW_RLE_* / DW_LLE_*; location kinds past default_location are one higher). */
function walkV5(r: ByteReader, unit: Unit, withExpr: boolean, visit: Visit): void {
  let base = unit.baseAddress;
  for (let n = 0; n < MAX_LIST_ENTRIES; n++) {
    let kind = r.u8('list entry kind');
    if (withExpr && kind === DW_LLE.defaultLocation) {
      visit(-1, 0, block(r, r.uleb('expression length')));
      continue;
    }
    if (withExpr && kind === DW_LLE.gnuViewPair) {
      r.uleb('view');
      r.uleb('view');
      continue;
    }
    if (withExpr && kind > DW_LLE.defaultLocation) kind -= 1;
    let start: number;
    let end: number;
    switch (kind) {
      case DW_RLE.endOfList: return;
      case DW_RLE.baseAddressx: base = unit.addrx(r.uleb('base address index')); continue;
      case DW_RLE.baseAddress: base = r.u32('base address'); continue;
      case DW_RLE.startxEndx: start = unit.addrx(r.uleb('start index')); end = unit.addrx(r.uleb('end index')); break;
      case DW_RLE.startxLength: start = unit.addrx(r.uleb('start index')); end = start + r.uleb('length'); break;
      case DW_RLE.offsetPair: start = base + r.uleb('start offset'); end = base + r.uleb('end offset'); break;
      case DW_RLE.startEnd: start = r.u32('start'); end = r.u32('end'); break;
      case DW_RLE.startLength: start = r.u32('start'); end = start + r.uleb('length'); break;
      default: throw new ProgramFormatError(`${r.what}: unknown list entry kind ${kind}`);
    }
    visit(start, end, withExpr ? block(r, r.uleb('expression length')) : undefined);
  }
  throw new ProgramFormatError(`${r.what}: more than ${MAX_LIST_ENTRIES} entries`);
}

function block(r: ByteReader, length: number): Uint8Array {
  const start = r.pos;
  r.skip(length, 'expression');
  return r.bytes.subarray(start, start + length);
}
