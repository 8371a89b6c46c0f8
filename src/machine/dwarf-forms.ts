// Attribute values of .debug_info entries: one reader for every DW_FORM of DWARF 2–5 (32-bit DWARF).

import { ByteReader, ProgramFormatError, hex, readCString } from './elf-bytes';
import { DW_FORM } from './dwarf-const';

/** One attribute value, classified by what its form can mean (the attribute decides the rest). */
export type AttrValue =
  | { kind: 'addr'; value: number }
  /** data1/2/4/8/16: the unsigned value (inexact past 2^53) and the raw little-endian bytes. */
  | { kind: 'data'; value: number; bytes: Uint8Array }
  | { kind: 'udata'; value: number }
  /** sdata and implicit_const. */
  | { kind: 'sdata'; value: number }
  /** block, block1/2/4 and exprloc. */
  | { kind: 'block'; value: Uint8Array }
  | { kind: 'string'; value: string }
  /** A reference as an absolute .debug_info offset. */
  | { kind: 'ref'; value: number }
  /** A type signature (ref_sig8), as 16 hex digits. */
  | { kind: 'sig8'; value: string }
  | { kind: 'secOffset'; value: number }
  | { kind: 'flag'; value: boolean }
  /** Indexes resolved against the unit's bases once they are known. */
  | { kind: 'addrx' | 'strx' | 'loclistx' | 'rnglistx'; value: number }
  /** Forms that point into supplementary or alternate files: read past, not usable. */
  | { kind: 'unsupported'; form: number };

/** What reading a form needs to know about its unit. */
export interface FormUnit {
  /** Offset of the unit header in .debug_info (unit-relative references add it). */
  offset: number;
  version: number;
  addrSize: number;
  str: Uint8Array | undefined;
  lineStr: Uint8Array | undefined;
  /** .debug_str strings by offset, shared by all units. */
  strCache: Map<number, string>;
}

const MAX_INDIRECT = 4;

/** Reads one attribute value of `form` (`implicit` is the abbreviation's implicit_const). */
export function readForm(r: ByteReader, form: number, u: FormUnit, implicit = 0, depth = 0): AttrValue {
  switch (form) {
    case DW_FORM.addr: return { kind: 'addr', value: r.uN(u.addrSize, 'address') };
    case DW_FORM.data1: case DW_FORM.data2: case DW_FORM.data4: case DW_FORM.data8: case DW_FORM.data16:
      return readData(r, DATA_SIZE[form]);
    case DW_FORM.udata: return { kind: 'udata', value: r.uleb('udata') };
    case DW_FORM.sdata: return { kind: 'sdata', value: r.sleb('sdata') };
    case DW_FORM.implicitConst: return { kind: 'sdata', value: implicit };
    case DW_FORM.block1: return readBlock(r, r.u8('block1 length'));
    case DW_FORM.block2: return readBlock(r, r.u16('block2 length'));
    case DW_FORM.block4: return readBlock(r, r.u32('block4 length'));
    case DW_FORM.block: case DW_FORM.exprloc: return readBlock(r, r.uleb('block length'));
    case DW_FORM.string: return { kind: 'string', value: r.cstr('string') };
    case DW_FORM.strp: return { kind: 'string', value: debugStr(u, r.u32('strp')) };
    case DW_FORM.lineStrp: return { kind: 'string', value: stringIn(u.lineStr, '.debug_line_str', r.u32('line_strp')) };
    case DW_FORM.ref1: return ref(u, r.u8('ref1'));
    case DW_FORM.ref2: return ref(u, r.u16('ref2'));
    case DW_FORM.ref4: return ref(u, r.u32('ref4'));
    case DW_FORM.ref8: return ref(u, r.u64('ref8'));
    case DW_FORM.refUdata: return ref(u, r.uleb('ref_udata'));
    case DW_FORM.refAddr: return { kind: 'ref', value: r.uN(u.version <= 2 ? u.addrSize : 4, 'ref_addr') };
    case DW_FORM.refSig8: return { kind: 'sig8', value: readSignature(r) };
    case DW_FORM.secOffset: return { kind: 'secOffset', value: r.u32('sec_offset') };
    case DW_FORM.flag: return { kind: 'flag', value: r.u8('flag') !== 0 };
    case DW_FORM.flagPresent: return { kind: 'flag', value: true };
    case DW_FORM.strx: case DW_FORM.gnuStrIndex: return { kind: 'strx', value: r.uleb('strx') };
    case DW_FORM.strx1: case DW_FORM.strx2: case DW_FORM.strx3: case DW_FORM.strx4:
      return { kind: 'strx', value: readUnsigned(r, form - DW_FORM.strx1 + 1, 'strx') };
    case DW_FORM.addrx: case DW_FORM.gnuAddrIndex: return { kind: 'addrx', value: r.uleb('addrx') };
    case DW_FORM.addrx1: case DW_FORM.addrx2: case DW_FORM.addrx3: case DW_FORM.addrx4:
      return { kind: 'addrx', value: readUnsigned(r, form - DW_FORM.addrx1 + 1, 'addrx') };
    case DW_FORM.loclistx: return { kind: 'loclistx', value: r.uleb('loclistx') };
    case DW_FORM.rnglistx: return { kind: 'rnglistx', value: r.uleb('rnglistx') };
    case DW_FORM.refSup4: case DW_FORM.strpSup: case DW_FORM.gnuRefAlt: case DW_FORM.gnuStrpAlt:
      r.skip(4, 'supplementary reference');
      return { kind: 'unsupported', form };
    case DW_FORM.refSup8: r.skip(8, 'ref_sup8'); return { kind: 'unsupported', form };
    case DW_FORM.indirect: {
      const actual = r.uleb('indirect form');
      if (depth >= MAX_INDIRECT || actual === DW_FORM.implicitConst) {
        throw new ProgramFormatError(`${r.what}: DW_FORM_indirect names form ${hex(actual)}, which it may not`);
      }
      return readForm(r, actual, u, implicit, depth + 1);
    }
  }
  throw new ProgramFormatError(`${r.what}: attribute form ${hex(form)} is not a DWARF 2–5 form`);
}

const DATA_SIZE: Record<number, number> = {
  [DW_FORM.data1]: 1, [DW_FORM.data2]: 2, [DW_FORM.data4]: 4, [DW_FORM.data8]: 8, [DW_FORM.data16]: 16,
};

function readData(r: ByteReader, size: number): AttrValue {
  const start = r.pos;
  r.skip(size, `data${size}`);
  const bytes = r.bytes.subarray(start, start + size);
  let value = 0;
  for (let i = Math.min(size, 8) - 1; i >= 0; i--) value = value * 256 + bytes[i];
  return { kind: 'data', value, bytes };
}

function readBlock(r: ByteReader, length: number): AttrValue {
  const start = r.pos;
  r.skip(length, 'block');
  return { kind: 'block', value: r.bytes.subarray(start, start + length) };
}

/** Little-endian unsigned of 1–4 bytes (strx3/addrx3 have three). */
function readUnsigned(r: ByteReader, size: number, field: string): number {
  r.need(size, field);
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + r.bytes[r.pos + i];
  r.pos += size;
  return v;
}

function ref(u: FormUnit, rel: number): AttrValue {
  return { kind: 'ref', value: u.offset + rel };
}

/** An 8-byte type signature (ref_sig8, type unit headers) as 16 hex digits. */
export function readSignature(r: ByteReader): string {
  r.need(8, 'type signature');
  let s = '';
  for (let i = 7; i >= 0; i--) s += r.bytes[r.pos + i].toString(16).padStart(2, '0');
  r.pos += 8;
  return s;
}

/** A .debug_str string (cached: types and names repeat across units). */
export function debugStr(u: FormUnit, offset: number): string {
  const hit = u.strCache.get(offset);
  if (hit !== undefined) return hit;
  const s = stringIn(u.str, '.debug_str', offset);
  u.strCache.set(offset, s);
  return s;
}

function stringIn(section: Uint8Array | undefined, name: string, offset: number): string {
  if (section === undefined) throw new ProgramFormatError(`DWARF: a string refers to ${name} but the file has no such section`);
  if (offset >= section.length) throw new ProgramFormatError(`DWARF: string offset ${hex(offset)} is past the end of ${name}`);
  return readCString(section, offset, section.length, `DWARF: ${name}`, 'string', undefined, true).text;
}
