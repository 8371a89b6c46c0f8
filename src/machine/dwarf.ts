// DWARF .debug_line (versions 2–5) → sorted LineRow[], plus address → row and file:line → address lookups.

import type { LineRow } from './program';
import { ByteReader, ProgramFormatError, hex, readCString } from './elf-bytes';
import { joinPath, sameSourceFile } from './dwarf-path';

export { joinPath, normalizePath, sameSourceFile } from './dwarf-path';

/** The sections the line-table parser reads (missing ones are simply absent). */
export interface DwarfSections {
  debugLine: Uint8Array;
  debugLineStr?: Uint8Array;
  debugStr?: Uint8Array;
  /** Compilation directory by .debug_line unit offset (from .debug_info; DWARF 2–4 tables need it). */
  compDirs?: Map<number, string>;
}

interface LineHeader {
  what: string;
  version: number;
  minInstLen: number;
  maxOps: number;
  defaultIsStmt: boolean;
  lineBase: number;
  lineRange: number;
  opcodeBase: number;
  stdLengths: number[];
  /** Full paths by file register value (index 0 unused before DWARF 5). */
  files: (string | undefined)[];
  /** Directories by index (DWARF 2–4: 0 is the compilation directory), for DW_LNE_define_file. */
  dirs: string[];
  programStart: number;
  unitEnd: number;
}

const DW_FORM = {
  block2: 0x03, block4: 0x04, data2: 0x05, data4: 0x06, data8: 0x07, string: 0x08, block: 0x09,
  block1: 0x0a, data1: 0x0b, flag: 0x0c, sdata: 0x0d, strp: 0x0e, udata: 0x0f, secOffset: 0x17,
  data16: 0x1e, lineStrp: 0x1f,
} as const;
const DW_LNCT_PATH = 1;
const DW_LNCT_DIRECTORY_INDEX = 2;

/** Rows as emitted, with the sequence each belongs to (for ordering ties). */
interface RowSink {
  rows: LineRow[];
  seq: number[];
  seqId: number;
}

/**
 * Parses every unit of .debug_line. Rows are sorted by address; on ties, rows that cover no bytes
 * (followed in their sequence by a row at the same address) come first, then end-of-sequence rows,
 * then the row that covers the address — so the last row at an address is the one in effect.
 */
export function parseDebugLine(sections: DwarfSections): LineRow[] {
  const data = sections.debugLine;
  const sink: RowSink = { rows: [], seq: [], seqId: 0 };
  let pos = 0;
  while (pos < data.length) {
    const { r, offSize, unitEnd } = unitAt(data, pos);
    if (unitEnd > r.pos) {
      const header = parseHeader(new ByteReader(data, r.pos, unitEnd, r.what), offSize, pos, sections);
      runProgram(new ByteReader(data, header.programStart, unitEnd, r.what), header, sink);
      sink.seqId++;
    }
    pos = unitEnd;
  }
  return sortRows(sink);
}

/**
 * The file table of the line-table unit at `offset` (.debug_info's DW_AT_stmt_list), indexed by
 * the values of DW_AT_decl_file and DW_AT_call_file. Throws ProgramFormatError.
 */
export function lineTableFiles(sections: DwarfSections, offset: number): (string | undefined)[] {
  const { r, offSize, unitEnd } = unitAt(sections.debugLine, offset);
  return parseHeader(new ByteReader(sections.debugLine, r.pos, unitEnd, r.what), offSize, offset, sections).files;
}

/** The unit at `pos`: a reader past its unit_length, the offset size (4 or 8), and where it ends. */
function unitAt(data: Uint8Array, pos: number): { r: ByteReader; offSize: number; unitEnd: number } {
  const r = new ByteReader(data, pos, data.length, `DWARF: .debug_line unit at ${hex(pos)}`);
  let offSize = 4;
  let length = r.u32('unit_length');
  if (length === 0xffffffff) {
    offSize = 8;
    length = r.u64('unit_length');
  } else if (length >= 0xfffffff0) {
    throw new ProgramFormatError(`${r.what}: reserved unit_length ${hex(length)}`);
  }
  if (length > r.remaining) {
    throw new ProgramFormatError(`${r.what}: unit_length ${hex(length)} runs past the end of the section (${hex(data.length)} bytes)`);
  }
  return { r, offSize, unitEnd: r.pos + length };
}

function sortRows({ rows, seq }: RowSink): LineRow[] {
  const rank = rows.map((row, i) => {
    if (row.endSequence) return 1;
    const next = rows[i + 1];
    return next !== undefined && seq[i + 1] === seq[i] && next.addr === row.addr ? 0 : 2;
  });
  const order = rows.map((_, i) => i);
  order.sort((a, b) => rows[a].addr - rows[b].addr || rank[a] - rank[b] || a - b);
  return order.map((i) => rows[i]);
}

function parseHeader(r: ByteReader, offSize: number, unitOffset: number, s: DwarfSections): LineHeader {
  const what = r.what;
  const version = r.u16('version');
  if (version < 2 || version > 5) {
    throw new ProgramFormatError(`${what}: DWARF line table version ${version} is not supported (2–5 are)`);
  }
  if (version >= 5) {
    const addrSize = r.u8('address_size');
    if (addrSize !== 4 && addrSize !== 8) throw new ProgramFormatError(`${what}: address_size ${addrSize} is not 4 or 8`);
    r.u8('segment_selector_size');
  }
  const headerLength = r.uN(offSize, 'header_length');
  if (headerLength > r.remaining) {
    throw new ProgramFormatError(`${what}: header_length ${hex(headerLength)} runs past the end of the unit`);
  }
  const programStart = r.pos + headerLength;
  const h = new ByteReader(r.bytes, r.pos, programStart, `${what} header`);
  const minInstLen = h.u8('minimum_instruction_length');
  const maxOps = version >= 4 ? h.u8('maximum_operations_per_instruction') : 1;
  if (maxOps === 0) throw new ProgramFormatError(`${what}: maximum_operations_per_instruction is 0`);
  const defaultIsStmt = h.u8('default_is_stmt') !== 0;
  const lineBase = h.s8('line_base');
  const lineRange = h.u8('line_range');
  if (lineRange === 0) throw new ProgramFormatError(`${what}: line_range is 0`);
  const opcodeBase = h.u8('opcode_base');
  if (opcodeBase === 0) throw new ProgramFormatError(`${what}: opcode_base is 0`);
  const stdLengths: number[] = [];
  for (let i = 1; i < opcodeBase; i++) stdLengths.push(h.u8('standard_opcode_lengths'));
  const dirs: string[] = [];
  const files =
    version >= 5
      ? readFilesV5(h, offSize, s, dirs)
      : readFilesV2(h, s.compDirs?.get(unitOffset) ?? '', dirs);
  return {
    what, version, minInstLen, maxOps, defaultIsStmt, lineBase, lineRange, opcodeBase, stdLengths, files, dirs,
    programStart, unitEnd: r.end,
  };
}

/** DWARF 2–4: include_directories and file_names, both ended by an empty string. */
function readFilesV2(h: ByteReader, compDir: string, dirs: string[]): (string | undefined)[] {
  dirs.push(compDir);
  for (;;) {
    const d = h.cstr('include_directories entry');
    if (d === '') break;
    dirs.push(joinPath(compDir, d));
  }
  const files: (string | undefined)[] = [undefined];
  for (;;) {
    const name = h.cstr('file_names entry');
    if (name === '') break;
    files.push(fileEntryV2(h, name, dirs));
  }
  return files;
}

/** The rest of a DWARF 2–4 file entry (after its name): directory index, mtime, length. */
function fileEntryV2(h: ByteReader, name: string, dirs: string[]): string {
  const dirIndex = h.uleb('file entry directory index');
  h.uleb('file entry mtime');
  h.uleb('file entry length');
  if (dirIndex >= dirs.length) {
    throw new ProgramFormatError(`${h.what}: file "${name}" uses directory ${dirIndex} but there are ${dirs.length - 1}`);
  }
  return joinPath(dirs[dirIndex], name);
}

/** DWARF 5: self-describing directory and file tables. */
function readFilesV5(h: ByteReader, offSize: number, s: DwarfSections, dirs: string[]): (string | undefined)[] {
  const dirEntries = readEntryTable(h, offSize, s, 'directory');
  for (const e of dirEntries) {
    const path = typeof e.path === 'string' ? e.path : '';
    dirs.push(dirs.length === 0 ? path : joinPath(dirs[0], path));
  }
  const fileEntries = readEntryTable(h, offSize, s, 'file');
  return fileEntries.map((e, i) => {
    if (typeof e.path !== 'string') throw new ProgramFormatError(`${h.what}: file entry ${i} has no path`);
    const d = e.dir ?? 0;
    if (d >= dirs.length) {
      throw new ProgramFormatError(`${h.what}: file "${e.path}" uses directory ${d} but there are ${dirs.length}`);
    }
    return joinPath(dirs[d], e.path);
  });
}

interface Entry {
  path?: string;
  dir?: number;
}

function readEntryTable(h: ByteReader, offSize: number, s: DwarfSections, kind: string): Entry[] {
  const formatCount = h.u8(`${kind}_entry_format_count`);
  const format: [number, number][] = [];
  for (let i = 0; i < formatCount; i++) format.push([h.uleb(`${kind} content type`), h.uleb(`${kind} form`)]);
  const count = h.uleb(`${kind}s_count`);
  // Every supported form takes at least one byte, so a larger count cannot fit in the header.
  if (formatCount > 0 ? count > h.remaining : count > 0x10000) {
    throw new ProgramFormatError(`${h.what}: ${kind}s_count ${count} exceeds the header size`);
  }
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const e: Entry = {};
    for (const [type, form] of format) {
      const v = readFormValue(h, form, offSize, s);
      if (type === DW_LNCT_PATH) {
        if (typeof v !== 'string') throw new ProgramFormatError(`${h.what}: ${kind} path has non-string form ${hex(form)}`);
        e.path = v;
      } else if (type === DW_LNCT_DIRECTORY_INDEX) {
        if (typeof v !== 'number') throw new ProgramFormatError(`${h.what}: directory index has form ${hex(form)}`);
        e.dir = v;
      }
    }
    entries.push(e);
  }
  return entries;
}

/** One attribute value of a DWARF 5 entry format: string, number, or undefined (blocks, MD5). */
function readFormValue(h: ByteReader, form: number, offSize: number, s: DwarfSections): string | number | undefined {
  switch (form) {
    case DW_FORM.string: return h.cstr('string');
    case DW_FORM.lineStrp: return stringAt(s.debugLineStr, '.debug_line_str', h.uN(offSize, 'line_strp'), h.what);
    case DW_FORM.strp: return stringAt(s.debugStr, '.debug_str', h.uN(offSize, 'strp'), h.what);
    case DW_FORM.data1: case DW_FORM.flag: return h.u8('data1');
    case DW_FORM.data2: return h.u16('data2');
    case DW_FORM.data4: return h.u32('data4');
    case DW_FORM.data8: return h.u64('data8');
    case DW_FORM.secOffset: return h.uN(offSize, 'sec_offset');
    case DW_FORM.udata: return h.uleb('udata');
    case DW_FORM.sdata: return h.sleb('sdata');
    case DW_FORM.data16: h.skip(16, 'data16'); return undefined;
    case DW_FORM.block: h.skip(h.uleb('block length'), 'block'); return undefined;
    case DW_FORM.block1: h.skip(h.u8('block1 length'), 'block1'); return undefined;
    case DW_FORM.block2: h.skip(h.u16('block2 length'), 'block2'); return undefined;
    case DW_FORM.block4: h.skip(h.u32('block4 length'), 'block4'); return undefined;
    default:
      throw new ProgramFormatError(`${h.what}: form ${hex(form)} is not supported in a line table header`);
  }
}

function stringAt(section: Uint8Array | undefined, name: string, offset: number, what: string): string {
  if (section === undefined) throw new ProgramFormatError(`${what}: refers to ${name} but the file has no such section`);
  if (offset >= section.length) {
    throw new ProgramFormatError(`${what}: string offset ${hex(offset)} is past the end of ${name} (${hex(section.length)} bytes)`);
  }
  return readCString(section, offset, section.length, what, `${name} string`).text;
}

/** The line-number state machine registers. */
interface LineState {
  address: number;
  opIndex: number;
  file: number;
  line: number;
  column: number;
  isStmt: boolean;
  /** DW_LNS_set_prologue_end was seen since the last row. */
  prologueEnd: boolean;
}

function initialState(h: LineHeader): LineState {
  return { address: 0, opIndex: 0, file: 1, line: 1, column: 0, isStmt: h.defaultIsStmt, prologueEnd: false };
}

/** Runs one unit's line-number program, appending rows. Each iteration consumes at least one byte. */
function runProgram(r: ByteReader, h: LineHeader, rows: RowSink): void {
  let st = initialState(h);
  while (r.pos < r.end) {
    const opcode = r.u8('opcode');
    if (opcode >= h.opcodeBase) {
      const adjusted = opcode - h.opcodeBase;
      advance(h, st, Math.floor(adjusted / h.lineRange), r);
      st.line += h.lineBase + (adjusted % h.lineRange);
      emit(h, st, false, rows, r);
    } else if (opcode === 0) {
      if (extendedOpcode(r, h, st, rows)) st = initialState(h);
    } else {
      standardOpcode(r, h, st, opcode, rows);
    }
  }
}

function advance(h: LineHeader, st: LineState, operationAdvance: number, r: ByteReader): void {
  const total = st.opIndex + operationAdvance;
  st.address += h.minInstLen * Math.floor(total / h.maxOps);
  st.opIndex = total % h.maxOps;
  if (st.address > 0xffffffff) throw new ProgramFormatError(`${h.what}: address advances past 0xffffffff at ${hex(r.pos)}`);
}

function emit(h: LineHeader, st: LineState, endSequence: boolean, sink: RowSink, r: ByteReader): void {
  const file = h.files[st.file];
  if (file === undefined) {
    throw new ProgramFormatError(`${h.what}: row at ${hex(r.pos)} uses file ${st.file} but the unit has ${h.files.length - (h.version >= 5 ? 0 : 1)} files`);
  }
  if (st.line < 0 || st.line > 0xffffffff) throw new ProgramFormatError(`${h.what}: line ${st.line} is out of range at ${hex(r.pos)}`);
  const row: LineRow = { addr: st.address, file, line: st.line, column: st.column, isStmt: st.isStmt, endSequence };
  if (st.prologueEnd) row.prologueEnd = true;
  st.prologueEnd = false;
  sink.rows.push(row);
  sink.seq.push(sink.seqId);
  if (endSequence) sink.seqId++;
}

function standardOpcode(r: ByteReader, h: LineHeader, st: LineState, opcode: number, rows: RowSink): void {
  switch (opcode) {
    case 1: emit(h, st, false, rows, r); break; // DW_LNS_copy
    case 2: advance(h, st, r.uleb('advance_pc'), r); break;
    case 3: st.line += r.sleb('advance_line'); break;
    case 4: st.file = r.uleb('set_file'); break;
    case 5: st.column = r.uleb('set_column'); break;
    case 6: st.isStmt = !st.isStmt; break; // DW_LNS_negate_stmt
    case 7: break; // DW_LNS_set_basic_block
    case 8: advance(h, st, Math.floor((255 - h.opcodeBase) / h.lineRange), r); break; // const_add_pc
    case 9: // DW_LNS_fixed_advance_pc
      st.address += r.u16('fixed_advance_pc');
      st.opIndex = 0;
      if (st.address > 0xffffffff) throw new ProgramFormatError(`${h.what}: address advances past 0xffffffff`);
      break;
    case 10: st.prologueEnd = true; break; // DW_LNS_set_prologue_end
    case 11: break; // DW_LNS_set_epilogue_begin
    case 12: r.uleb('set_isa'); break;
    default: // an opcode this parser does not know: skip its ULEB operands
      for (let i = 0; i < h.stdLengths[opcode - 1]; i++) r.uleb(`operand of standard opcode ${opcode}`);
  }
}

/** Returns true at the end of a sequence (the caller resets the registers). */
function extendedOpcode(r: ByteReader, h: LineHeader, st: LineState, rows: RowSink): boolean {
  const len = r.uleb('extended opcode length');
  r.need(len, 'extended opcode');
  if (len === 0) return false;
  const end = r.pos + len;
  const sub = r.u8('extended opcode');
  switch (sub) {
    case 1: // DW_LNE_end_sequence
      emit(h, st, true, rows, r);
      r.pos = end;
      return true;
    case 2: { // DW_LNE_set_address
      const size = len - 1;
      if (size !== 4 && size !== 8) throw new ProgramFormatError(`${h.what}: set_address with a ${size}-byte operand`);
      const addr = r.uN(size, 'set_address');
      if (addr > 0xffffffff) throw new ProgramFormatError(`${h.what}: set_address ${hex(addr)} does not fit in 32 bits`);
      st.address = addr;
      st.opIndex = 0;
      break;
    }
    case 3: // DW_LNE_define_file (DWARF 2–4)
      defineFile(r, h, end);
      break;
    default: // DW_LNE_set_discriminator and anything unknown: skip
      break;
  }
  r.pos = end;
  return false;
}

function defineFile(r: ByteReader, h: LineHeader, end: number): void {
  const sub = new ByteReader(r.bytes, r.pos, end, h.what);
  const name = sub.cstr('define_file name');
  const dir = sub.uleb('define_file directory');
  sub.uleb('define_file mtime');
  sub.uleb('define_file length');
  if (dir >= h.dirs.length) throw new ProgramFormatError(`${h.what}: define_file "${name}" uses directory ${dir}`);
  h.files.push(joinPath(h.dirs[dir], name));
}

// ---- lookups -------------------------------------------------------------------------------

/** Index of the last row whose address is <= addr, or -1. Rows must be sorted by address. */
export function lastRowAtOrBefore(rows: readonly LineRow[], addr: number): number {
  let lo = 0;
  let hi = rows.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid].addr <= addr) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** The row whose code range contains `addr` (undefined outside any sequence or for line 0). */
export function findLineRow(rows: readonly LineRow[], addr: number): LineRow | undefined {
  const i = lastRowAtOrBefore(rows, addr);
  if (i < 0) return undefined;
  const row = rows[i];
  return row.endSequence || row.line === 0 ? undefined : row;
}

/** Breakpoint addresses for file:line: is_stmt rows that start a run of that line (deduplicated, ascending). */
export function lineAddresses(rows: readonly LineRow[], file: string, line: number): number[] {
  const out: number[] = [];
  let prev: LineRow | undefined;
  for (const row of rows) {
    const continues = prev !== undefined && !prev.endSequence && prev.isStmt && prev.line === row.line && prev.file === row.file;
    if (!row.endSequence && row.isStmt && row.line === line && !continues && sameFile(row.file, file)) {
      if (out.length === 0 || out[out.length - 1] !== row.addr) out.push(row.addr);
    }
    prev = row;
  }
  return out;
}

/**
 * Where a breakpoint requested at file:line lands: that line if it has code, else the next line of
 * the same file that has (within `maxForward` lines). Undefined when nothing fits.
 */
export function resolveBreakpoint(
  rows: readonly LineRow[],
  file: string,
  line: number,
  maxForward = 100,
): { line: number; addrs: number[] } | undefined {
  let best = Infinity;
  for (const row of rows) {
    if (!row.endSequence && row.isStmt && row.line >= line && row.line < best && row.line - line <= maxForward && sameFile(row.file, file)) {
      best = row.line;
    }
  }
  if (best === Infinity) return undefined;
  return { line: best, addrs: lineAddresses(rows, file, best) };
}

function sameFile(rowFile: string, wanted: string): boolean {
  return rowFile === wanted || sameSourceFile(rowFile, wanted);
}
