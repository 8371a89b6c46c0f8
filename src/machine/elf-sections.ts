// ELF32 section headers and the .symtab symbol table, validated against the file bounds.

import type { ProgramSymbol } from './program';
import { ByteReader, ProgramFormatError, hex, readCString } from './elf-bytes';

export interface Section {
  index: number;
  name: string;
  /** Offset of the name in the section name table. */
  nameOff: number;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  entsize: number;
}

export const SHT_NULL = 0;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_NOBITS = 8;
export const SHF_ALLOC = 0x2;
export const SHF_COMPRESSED = 0x800;
const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;
const SHN_ABS = 0xfff1;
const SHN_XINDEX = 0xffff;
const SHDR_SIZE = 40;
const SYM_SIZE = 16;
const STT_FILE = 4;
const MAX_SYMBOL_NAME = 1024;

/** What the ELF header says about the section table. */
export interface SectionTableInfo {
  shoff: number;
  shentsize: number;
  shnum: number;
  shstrndx: number;
}

/** Reads and bounds-checks all section headers, with names; `[]` when the file has none. */
export function readSections(b: Uint8Array, t: SectionTableInfo): Section[] {
  if (t.shoff === 0) return [];
  if (t.shentsize !== SHDR_SIZE) {
    throw new ProgramFormatError(`ELF: section header size is ${t.shentsize}, expected ${SHDR_SIZE}`);
  }
  if (t.shoff + SHDR_SIZE > b.length) {
    throw new ProgramFormatError(`ELF: section header table at ${hex(t.shoff)} is past the end of the file (${hex(b.length)} bytes)`);
  }
  const first = readHeader(b, t.shoff, 0);
  const count = t.shnum === 0 ? first.size : t.shnum; // extended numbering keeps the count in section 0
  const strndx = t.shstrndx === SHN_XINDEX ? first.link : t.shstrndx;
  if (t.shoff + count * SHDR_SIZE > b.length) {
    throw new ProgramFormatError(
      `ELF: section header table extends past the end of the file (${hex(t.shoff)} + ${count} × ${SHDR_SIZE} > ${hex(b.length)})`,
    );
  }
  const sections: Section[] = [];
  for (let i = 0; i < count; i++) sections.push(readHeader(b, t.shoff + i * SHDR_SIZE, i));
  for (const s of sections) checkSectionBounds(s, b.length);
  nameSections(b, sections, strndx);
  return sections;
}

function readHeader(b: Uint8Array, at: number, index: number): Section {
  const r = new ByteReader(b, at, at + SHDR_SIZE, `ELF: section header ${index}`);
  const nameOff = r.u32('sh_name');
  const type = r.u32('sh_type');
  const flags = r.u32('sh_flags');
  const addr = r.u32('sh_addr');
  const offset = r.u32('sh_offset');
  const size = r.u32('sh_size');
  const link = r.u32('sh_link');
  const info = r.u32('sh_info');
  r.u32('sh_addralign');
  const entsize = r.u32('sh_entsize');
  return { index, name: '', nameOff, type, flags, addr, offset, size, link, info, entsize };
}

function checkSectionBounds(s: Section, fileLength: number): void {
  if (s.type === SHT_NULL || s.type === SHT_NOBITS) return;
  if (s.offset + s.size > fileLength) {
    throw new ProgramFormatError(
      `ELF: section header ${s.index} extends past the end of the file (offset ${hex(s.offset)} + ${hex(s.size)} > ${hex(fileLength)})`,
    );
  }
}

function nameSections(b: Uint8Array, sections: Section[], strndx: number): void {
  if (strndx === SHN_UNDEF) return;
  if (strndx >= sections.length) {
    throw new ProgramFormatError(`ELF: section name table index ${strndx} is out of range (${sections.length} sections)`);
  }
  const st = sections[strndx];
  if (st.type !== SHT_STRTAB) throw new ProgramFormatError(`ELF: section name table ${strndx} is not a string table`);
  for (const s of sections) {
    const off = s.nameOff;
    if (off >= st.size) {
      if (s.type === SHT_NULL && off === 0) continue;
      throw new ProgramFormatError(`ELF: section header ${s.index} name offset ${hex(off)} is outside the name table (${hex(st.size)} bytes)`);
    }
    s.name = readCString(b, st.offset + off, st.offset + st.size, 'ELF: section name table', `name of section ${s.index}`).text;
  }
}

/** Symbols of every SHT_SYMTAB section (functions, objects and labels; no section/file/mapping symbols). */
export function readSymbols(b: Uint8Array, sections: Section[]): ProgramSymbol[] {
  const out: ProgramSymbol[] = readSymbolEntries(b, sections).map(({ name, addr, size, kind, global }) => ({ name, addr, size, kind, global }));
  out.sort((x, y) => x.addr - y.addr || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return out;
}

/** A symbol as the symbol table orders it, with the section it is in and, for a local one, the source file it came from. */
export interface SymbolEntry extends ProgramSymbol {
  /** Its section's index (st_shndx). */
  section: number;
  /**
   * A local symbol: the STT_FILE symbol before it (the linker keeps each object file's locals after its file's name,
   * in link order), as its index in the table and its name (`read_write.c`); undefined for global symbols.
   */
  file: { index: number; name: string } | undefined;
}

/** The symbols readSymbols gives, in the symbol table's order, with their sections and (locals) files. */
export function readSymbolEntries(b: Uint8Array, sections: Section[]): SymbolEntry[] {
  const out: SymbolEntry[] = [];
  for (const s of sections) {
    if (s.type === SHT_SYMTAB) readSymtab(b, s, sections, out);
  }
  return out;
}

function readSymtab(b: Uint8Array, s: Section, sections: Section[], out: SymbolEntry[]): void {
  const what = `ELF: symbol table (section ${s.index})`;
  if (s.entsize !== SYM_SIZE && s.entsize !== 0) throw new ProgramFormatError(`${what}: entry size ${s.entsize}, expected ${SYM_SIZE}`);
  if (s.size % SYM_SIZE !== 0) throw new ProgramFormatError(`${what}: size ${hex(s.size)} is not a multiple of ${SYM_SIZE}`);
  if (s.link >= sections.length || sections[s.link].type !== SHT_STRTAB) {
    throw new ProgramFormatError(`${what}: its string table (section ${s.link}) is missing or not a string table`);
  }
  const strtab = sections[s.link];
  const names = new Map<number, string>();
  const nameOf = (i: number, nameOff: number): string => {
    if (nameOff >= strtab.size) throw new ProgramFormatError(`${what}: symbol ${i} name offset ${hex(nameOff)} is outside its string table`);
    let name = names.get(nameOff);
    if (name === undefined) {
      name = readCString(b, strtab.offset + nameOff, strtab.offset + strtab.size, what, `name of symbol ${i}`, MAX_SYMBOL_NAME, true).text;
      names.set(nameOff, name);
    }
    return name;
  };
  let file: SymbolEntry['file'];
  const r = new ByteReader(b, s.offset, s.offset + s.size, what);
  for (let i = 0; i < s.size / SYM_SIZE; i++) {
    const nameOff = r.u32('st_name');
    const value = r.u32('st_value');
    const size = r.u32('st_size');
    const info = r.u8('st_info');
    r.u8('st_other');
    const shndx = r.u16('st_shndx');
    const bind = info >> 4;
    const global = bind === 1 || bind === 2 || bind === 10;
    if (i > 0 && (info & 0xf) === STT_FILE) file = { index: i, name: nameOff < strtab.size ? nameOf(i, nameOff) : '' };
    const kind = symbolKind(info & 0xf, shndx, sections.length);
    if (i === 0 || kind === undefined) continue;
    const name = nameOf(i, nameOff);
    if (!interesting(name)) continue;
    out.push({ name, addr: value, size, kind, global, section: shndx, file: global ? undefined : file });
  }
}

/** func/object/label for defined symbols worth showing; undefined for the rest. */
function symbolKind(type: number, shndx: number, sectionCount: number): ProgramSymbol['kind'] | undefined {
  if (shndx === SHN_UNDEF) return undefined;
  const inSection = shndx < Math.min(sectionCount, SHN_LORESERVE);
  if (type === 2) return 'func';
  if (type === 1) return 'object';
  if (type === 0 && inSection && shndx !== SHN_ABS) return 'label';
  return undefined;
}

/** Skips compiler-internal names: empty, `.L…` local labels, `$x`/`$d` mapping symbols. */
function interesting(name: string): boolean {
  return name !== '' && !name.startsWith('.L') && !name.startsWith('$') && !name.includes('\u0001');
}
