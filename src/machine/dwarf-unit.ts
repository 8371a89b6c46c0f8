// .debug_info unit headers (DWARF 2–5, 32-bit DWARF) and the Unit: its bases, root entry and lazily read entry tree.

import { ByteReader, ProgramFormatError, hex, readU32 } from './elf-bytes';
import { DW_AT, DW_UT } from './dwarf-const';
import type { AbbrevTable } from './dwarf-abbrev';
import { Die, readDie, readDieTree } from './dwarf-die';
import { debugStr, readSignature, type AttrValue, type FormUnit } from './dwarf-forms';
import { attrOffset } from './dwarf-attr';
import type { DebugSections } from './dwarf-sections';

export interface UnitHeader {
  /** Offset of the unit header in .debug_info, and one past its last byte. */
  offset: number;
  end: number;
  version: number;
  unitType: number;
  addrSize: number;
  abbrevOffset: number;
  /** Offset of the first entry (the unit's root). */
  dieOffset: number;
  /** Type units: the signature and the absolute offset of the type entry. */
  typeSignature?: string;
  typeOffset?: number;
}

/** A unit's slot in .debug_info: its header, or why it cannot be read. */
export type UnitSlot = { offset: number; end: number; header: UnitHeader } | { offset: number; end: number; error: string };

/** Walks the unit headers of .debug_info. Damage in one header costs that unit; a bad length ends the walk. */
export function readUnitHeaders(info: Uint8Array): UnitSlot[] {
  const slots: UnitSlot[] = [];
  let pos = 0;
  while (pos + 4 <= info.length) {
    const what = `DWARF: .debug_info unit at ${hex(pos)}`;
    const length = readU32(info, pos);
    if (length === 0 && allZero(info, pos)) break; // padding at the end of the section
    if (length === 0xffffffff) {
      const end = pos + 12 > info.length ? info.length : pos + 12 + readU32(info, pos + 4) + readU32(info, pos + 8) * 0x1_0000_0000;
      slots.push({ offset: pos, end: Math.min(end, info.length), error: `${what}: 64-bit DWARF is not supported (compile with 32-bit DWARF, the default)` });
      if (end >= info.length) break;
      pos = end;
      continue;
    }
    if (length >= 0xfffffff0 || pos + 4 + length > info.length) {
      slots.push({ offset: pos, end: info.length, error: `${what}: unit_length ${hex(length)} runs past the end of the section` });
      break;
    }
    const end = pos + 4 + length;
    try {
      slots.push({ offset: pos, end, header: readHeader(new ByteReader(info, pos + 4, end, what), pos, end) });
    } catch (e) {
      if (!(e instanceof ProgramFormatError)) throw e;
      slots.push({ offset: pos, end, error: e.message });
    }
    pos = end;
  }
  return slots;
}

function allZero(b: Uint8Array, from: number): boolean {
  for (let i = from; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

function readHeader(r: ByteReader, offset: number, end: number): UnitHeader {
  const version = r.u16('version');
  if (version < 2 || version > 5) throw new ProgramFormatError(`${r.what}: DWARF version ${version} is not supported (2–5 are)`);
  let unitType: number = DW_UT.compile;
  let addrSize: number;
  let abbrevOffset: number;
  if (version >= 5) {
    unitType = r.u8('unit_type');
    addrSize = r.u8('address_size');
    abbrevOffset = r.u32('debug_abbrev_offset');
  } else {
    abbrevOffset = r.u32('debug_abbrev_offset');
    addrSize = r.u8('address_size');
  }
  if (addrSize !== 4) throw new ProgramFormatError(`${r.what}: address size ${addrSize} (RV32 programs have 4)`);
  const h: UnitHeader = { offset, end, version, unitType, addrSize, abbrevOffset, dieOffset: 0 };
  if (unitType === DW_UT.type) {
    h.typeSignature = readSignature(r);
    h.typeOffset = offset + r.u32('type_offset');
  } else if (unitType === DW_UT.skeleton || unitType === DW_UT.splitCompile || unitType === DW_UT.splitType) {
    throw new ProgramFormatError(`${r.what}: split DWARF (.dwo files) is not supported; build without -gsplit-dwarf`);
  } else if (unitType !== DW_UT.compile && unitType !== DW_UT.partial) {
    throw new ProgramFormatError(`${r.what}: unit type ${unitType} is not supported`);
  }
  h.dieOffset = r.pos;
  return h;
}

/** One readable unit: header facts, bases from its root entry, and its entry tree (read on first use). */
export class Unit implements FormUnit {
  readonly offset: number;
  readonly version: number;
  readonly addrSize: number;
  readonly str: Uint8Array | undefined;
  readonly lineStr: Uint8Array | undefined;
  readonly root: Die;
  /** DWARF 5 bases (the defaults skip the 8-byte header of a table with one contribution). */
  strOffsetsBase = 8;
  addrBase = 8;
  rnglistsBase: number | undefined;
  loclistsBase: number | undefined;
  /** The unit's base address for range and location lists: its DW_AT_low_pc, else 0. */
  baseAddress = 0;
  private tree: Map<number, Die> | undefined;
  private readonly rootEnd: number;
  private readonly reader: ByteReader;

  constructor(
    readonly header: UnitHeader,
    readonly sections: DebugSections,
    readonly strCache: Map<number, string>,
    private readonly abbrevs: AbbrevTable,
  ) {
    this.offset = header.offset;
    this.version = header.version;
    this.addrSize = header.addrSize;
    this.str = sections.str;
    this.lineStr = sections.lineStr;
    const info = sections.info ?? new Uint8Array(0);
    this.reader = new ByteReader(info, header.dieOffset, header.end, `DWARF: .debug_info unit at ${hex(header.offset)}`);
    const first = readDie(this.reader, this, abbrevs, undefined);
    if (first === undefined) throw new ProgramFormatError(`${this.reader.what}: the unit has no entries`);
    this.root = first.die;
    this.rootEnd = first.hasChildren ? this.reader.pos : header.end;
    this.readBases();
    for (let i = 0; i < this.root.values.length; i++) this.root.values[i] = this.resolve(this.root.values[i]);
  }

  private readBases(): void {
    this.strOffsetsBase = attrOffset(this.root, DW_AT.strOffsetsBase) ?? 8;
    this.addrBase = attrOffset(this.root, DW_AT.addrBase) ?? 8;
    this.rnglistsBase = attrOffset(this.root, DW_AT.rnglistsBase);
    this.loclistsBase = attrOffset(this.root, DW_AT.loclistsBase);
    const low = this.resolve(this.root.get(DW_AT.lowPc) ?? { kind: 'addr', value: 0 });
    this.baseAddress = low.kind === 'addr' ? low.value : 0;
  }

  /** Every entry of the unit by absolute offset; reads the tree the first time. Throws ProgramFormatError. */
  entries(): Map<number, Die> {
    if (this.tree === undefined) {
      this.reader.pos = this.rootEnd;
      this.tree = readDieTree(this.reader, this, this.abbrevs, this.root, (v) => this.resolve(v));
    }
    return this.tree;
  }

  resolve(v: AttrValue): AttrValue {
    if (v.kind === 'strx') return { kind: 'string', value: debugStr(this, this.tableEntry(this.sections.strOffsets, '.debug_str_offsets', this.strOffsetsBase, v.value, 4)) };
    if (v.kind === 'addrx') return { kind: 'addr', value: this.addrx(v.value) };
    return v;
  }

  /** Entry `index` of .debug_addr for this unit. Throws ProgramFormatError when out of range. */
  addrx(index: number): number {
    return this.tableEntry(this.sections.addr, '.debug_addr', this.addrBase, index, this.addrSize);
  }

  private tableEntry(section: Uint8Array | undefined, name: string, base: number, index: number, size: number): number {
    const at = base + index * size;
    if (section === undefined || !(at + size <= section.length)) {
      throw new ProgramFormatError(`DWARF: unit at ${hex(this.offset)}: index ${index} is outside ${name}`);
    }
    return new ByteReader(section, at, at + size, name).uN(size, name);
  }
}
