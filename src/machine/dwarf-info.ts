// Reads DW_AT_comp_dir / DW_AT_stmt_list of each compile unit in .debug_info (DWARF 2–5), for line-table paths.

import { ByteReader, ProgramFormatError, readCString } from './elf-bytes';

export interface DebugInfoSections {
  debugInfo: Uint8Array;
  debugAbbrev: Uint8Array;
  debugStr?: Uint8Array;
  debugLineStr?: Uint8Array;
}

const DW_AT_STMT_LIST = 0x10;
const DW_AT_COMP_DIR = 0x1b;
const DW_FORM_IMPLICIT_CONST = 0x21;
const DW_FORM_INDIRECT = 0x16;

/**
 * Map from .debug_line offset to compilation directory. Best effort: it only refines paths, so a unit
 * this reader cannot follow (unknown form, string index forms, damage) is skipped, not reported.
 */
export function readCompDirs(s: DebugInfoSections): Map<number, string> {
  const out = new Map<number, string>();
  let pos = 0;
  while (pos + 4 <= s.debugInfo.length) {
    let next: number;
    try {
      next = readUnit(s, pos, out);
    } catch (e) {
      if (e instanceof ProgramFormatError) break;
      throw e;
    }
    if (next <= pos) break;
    pos = next;
  }
  return out;
}

/** Reads the unit at `pos`, records its stmt_list → comp_dir; returns the offset of the next unit. */
function readUnit(s: DebugInfoSections, pos: number, out: Map<number, string>): number {
  const r = new ByteReader(s.debugInfo, pos, s.debugInfo.length, 'DWARF: .debug_info unit');
  let offSize = 4;
  let length = r.u32('unit_length');
  if (length === 0xffffffff) {
    offSize = 8;
    length = r.u64('unit_length');
  }
  r.need(length, 'unit');
  const end = r.pos + length;
  const u = new ByteReader(s.debugInfo, r.pos, end, r.what);
  const version = u.u16('version');
  if (version < 2 || version > 5) return end;
  let addrSize: number;
  let abbrevOffset: number;
  if (version >= 5) {
    const unitType = u.u8('unit_type');
    if (unitType !== 1 && unitType !== 3) return end; // only full and partial compile units
    addrSize = u.u8('address_size');
    abbrevOffset = u.uN(offSize, 'debug_abbrev_offset');
  } else {
    abbrevOffset = u.uN(offSize, 'debug_abbrev_offset');
    addrSize = u.u8('address_size');
  }
  const code = u.uleb('abbrev code');
  const attrs = findAbbrev(s.debugAbbrev, abbrevOffset, code);
  let stmtList: number | undefined;
  let compDir: string | undefined;
  for (const [attr, form] of attrs) {
    const v = readAttr(u, form, { offSize, addrSize, version }, s);
    if (attr === DW_AT_STMT_LIST && typeof v === 'number') stmtList = v;
    if (attr === DW_AT_COMP_DIR && typeof v === 'string') compDir = v;
  }
  if (stmtList !== undefined && compDir !== undefined) out.set(stmtList, compDir);
  return end;
}

/** The attribute (name, form) list of abbreviation `code` in the table at `offset`. */
function findAbbrev(abbrev: Uint8Array, offset: number, code: number): [number, number][] {
  const r = new ByteReader(abbrev, Math.min(offset, abbrev.length), abbrev.length, 'DWARF: .debug_abbrev');
  for (;;) {
    const c = r.uleb('abbrev code');
    if (c === 0) throw new ProgramFormatError(`${r.what}: abbreviation ${code} not found`);
    r.uleb('tag');
    r.u8('children');
    const attrs: [number, number][] = [];
    for (;;) {
      const name = r.uleb('attribute');
      const form = r.uleb('form');
      if (name === 0 && form === 0) break;
      if (form === DW_FORM_IMPLICIT_CONST) r.sleb('implicit_const');
      attrs.push([name, form]);
    }
    if (c === code) return attrs;
  }
}

interface UnitShape {
  offSize: number;
  addrSize: number;
  version: number;
}

/** Reads (or skips) one attribute value; strings and constants are returned, the rest undefined. */
function readAttr(u: ByteReader, form: number, shape: UnitShape, s: DebugInfoSections, depth = 0): string | number | undefined {
  const fixed = FIXED_SIZE.get(form);
  if (fixed !== undefined) {
    if (fixed === 0 || fixed === 3) {
      u.skip(fixed, 'attribute');
      return undefined;
    }
    return u.uN(fixed, 'attribute');
  }
  switch (form) {
    case 0x01: return u.uN(shape.addrSize, 'addr'); // DW_FORM_addr
    case 0x08: return u.cstr('string');
    case 0x0e: return strAt(s.debugStr, u.uN(shape.offSize, 'strp'));
    case 0x1f: return strAt(s.debugLineStr, u.uN(shape.offSize, 'line_strp'));
    case 0x17: case 0x1d: case 0x1f20: case 0x1f21: return u.uN(shape.offSize, 'offset');
    case 0x10: return u.uN(shape.version <= 2 ? shape.addrSize : shape.offSize, 'ref_addr');
    case 0x0d: return u.sleb('sdata');
    case 0x0f: case 0x15: case 0x1a: case 0x1b: case 0x22: case 0x23: case 0x1f01: case 0x1f02:
      return u.uleb('udata');
    case 0x09: case 0x18: u.skip(u.uleb('block length'), 'block'); return undefined;
    case 0x0a: u.skip(u.u8('block1 length'), 'block1'); return undefined;
    case 0x03: u.skip(u.u16('block2 length'), 'block2'); return undefined;
    case 0x04: u.skip(u.u32('block4 length'), 'block4'); return undefined;
    case 0x1e: u.skip(16, 'data16'); return undefined;
    case DW_FORM_INDIRECT:
      if (depth > 2) break;
      return readAttr(u, u.uleb('indirect form'), shape, s, depth + 1);
  }
  throw new ProgramFormatError(`DWARF: .debug_info form 0x${form.toString(16)} is not supported`);
}

/** Forms with a fixed size in bytes (0 = no data). */
const FIXED_SIZE = new Map<number, number>([
  [0x05, 2], [0x06, 4], [0x07, 8], [0x0b, 1], [0x0c, 1], [0x11, 1], [0x12, 2], [0x13, 4], [0x14, 8],
  [0x19, 0], [0x20, 8], [0x21, 0], [0x24, 8], [0x25, 1], [0x26, 2], [0x27, 3], [0x28, 4], [0x29, 1],
  [0x2a, 2], [0x2b, 3], [0x2c, 4], [0x1c, 4],
]);

function strAt(section: Uint8Array | undefined, offset: number): string | undefined {
  if (section === undefined || offset >= section.length) return undefined;
  return readCString(section, offset, section.length, 'DWARF', 'string').text;
}
