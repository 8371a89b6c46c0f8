// ELF32 little-endian RISC-V executable loader: header, PT_LOAD segments, symbols, HTIF mailbox, line table.

import { DISK_IMAGE_SECTION, type LineRow, type Program, type ProgramSymbol, type Segment } from './program';
import { ByteReader, ProgramFormatError, hex } from './elf-bytes';
import { SHF_ALLOC, SHF_COMPRESSED, SHT_NOBITS, readSections, readSymbols, type Section } from './elf-sections';
import { parseDebugLine } from './dwarf';
import { readCompDirs } from './dwarf-info';

export { ProgramFormatError } from './elf-bytes';

const EHDR_SIZE = 52;
const PHDR_SIZE = 32;
const EM_RISCV = 243;
const ET_EXEC = 2;
const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const PF_X = 1;
const PN_XNUM = 0xffff;
const EF_RISCV_FLOAT_ABI = 0x6;
const TWO_32 = 0x1_0000_0000;

interface ElfHeader {
  entry: number;
  phoff: number;
  shoff: number;
  flags: number;
  phentsize: number;
  phnum: number;
  shentsize: number;
  shnum: number;
  shstrndx: number;
}

/**
 * Parses an ELF32 little-endian EM_RISCV executable. Throws `ProgramFormatError` (and nothing else)
 * when the file is malformed or not something this machine can run.
 */
export function loadElf(bytes: Uint8Array, origin: string, opts: LoadOptions = {}): Program {
  try {
    return parseElf(bytes, origin, opts.lines !== false);
  } catch (e) {
    if (e instanceof ProgramFormatError) throw e;
    // A safety net: a parser bug must still surface as a format error, never as a crash of the caller.
    throw new ProgramFormatError(`ELF: internal error while reading ${origin}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** What a symbol file gives the debugger: its symbols and line table, by the addresses the code runs at. */
export interface SymbolFile { symbols: ProgramSymbol[]; lines: LineRow[]; warnings: string[] }

/**
 * Reads only the symbols and the line table of an ELF (GDB's `symbol-file`): for code that runs at addresses other
 * than where the file loads, such as a kernel linked at virtual addresses and loaded by a firmware (vmlinux).
 */
export function loadElfSymbols(bytes: Uint8Array, origin: string): SymbolFile {
  try {
    const sections = readSections(bytes, readElfHeader(bytes));
    const { lines, warning } = readLinesOrWarn(bytes, sections);
    return { symbols: readSymbols(bytes, sections), lines, warnings: warning === undefined ? [] : [warning] };
  } catch (e) {
    if (e instanceof ProgramFormatError) throw e;
    throw new ProgramFormatError(`ELF: internal error while reading ${origin}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * `lines: false` leaves the line table unread (`lines` empty, no warning about it): what only runs a
 * program (the command line) needs no source lines, and reading them cold costs 8-45 ms.
 */
export interface LoadOptions { lines?: boolean }

function parseElf(bytes: Uint8Array, origin: string, withLines: boolean): Program {
  const h = readElfHeader(bytes);
  const sections = readSections(bytes, h);
  const phnum = h.phnum === PN_XNUM && sections.length > 0 ? sections[0].info : h.phnum;
  const segments = readSegments(bytes, h, phnum, sections);
  checkEntry(h.entry, segments);
  const symbols = readSymbols(bytes, sections);
  const tohost = symbols.find((s) => s.name === 'tohost');
  const fromhost = symbols.find((s) => s.name === 'fromhost');
  const { lines, warning } = withLines ? readLinesOrWarn(bytes, sections) : { lines: [], warning: undefined };
  const program: Program = { entry: h.entry, segments, symbols, lines, origin, ...(warning !== undefined ? { warnings: [warning] } : {}) };
  if (tohost !== undefined) program.tohost = tohost.addr;
  if (fromhost !== undefined) program.fromhost = fromhost.addr;
  const disk = readDiskImage(bytes, sections);
  if (disk !== undefined) program.diskImage = disk;
  return program;
}

/** The `.lockstep.disk` section's bytes (never loaded into RAM), or undefined without one. */
function readDiskImage(b: Uint8Array, sections: Section[]): Uint8Array | undefined {
  const s = sections.find((x) => x.name === DISK_IMAGE_SECTION);
  if (s === undefined) return undefined;
  if (s.type === SHT_NOBITS || (s.flags & SHF_ALLOC) !== 0) throw new ProgramFormatError(`ELF: section ${DISK_IMAGE_SECTION} must be file contents that are not loaded (it holds the disk's image)`);
  if (s.size === 0 || s.size % 512 !== 0) throw new ProgramFormatError(`ELF: section ${DISK_IMAGE_SECTION} is ${s.size} bytes, not a whole number of 512-byte sectors`);
  return b.subarray(s.offset, s.offset + s.size);
}

function readElfHeader(b: Uint8Array): ElfHeader {
  if (b.length < 4 || b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) {
    throw new ProgramFormatError('ELF: not an ELF file (the magic number 7f 45 4c 46 is missing)');
  }
  if (b.length < EHDR_SIZE) throw new ProgramFormatError(`ELF: file is ${b.length} bytes, shorter than the ${EHDR_SIZE}-byte ELF32 header`);
  if (b[4] !== 1) throw new ProgramFormatError(`ELF: class ${b[4]}${b[4] === 2 ? ' (64-bit)' : ''} is not supported; RV32 programs are ELF32 (class 1)`);
  if (b[5] !== 1) throw new ProgramFormatError(`ELF: data encoding ${b[5]}${b[5] === 2 ? ' (big endian)' : ''} is not supported; RISC-V is little endian (1)`);
  if (b[6] !== 1) throw new ProgramFormatError(`ELF: identification version ${b[6]} is not 1`);
  const r = new ByteReader(b, 16, EHDR_SIZE, 'ELF: header');
  const type = r.u16('e_type');
  const machine = r.u16('e_machine');
  const version = r.u32('e_version');
  if (type !== ET_EXEC) throw new ProgramFormatError(`ELF: type ${type} (${typeName(type)}) is not an executable (ET_EXEC); link the program first`);
  if (machine !== EM_RISCV) throw new ProgramFormatError(`ELF: machine ${machine} is not RISC-V (${EM_RISCV})`);
  if (version !== 1) throw new ProgramFormatError(`ELF: version ${version} is not 1`);
  const h: ElfHeader = {
    entry: r.u32('e_entry'), phoff: r.u32('e_phoff'), shoff: r.u32('e_shoff'), flags: r.u32('e_flags'),
    phentsize: 0, phnum: 0, shentsize: 0, shnum: 0, shstrndx: 0,
  };
  const ehsize = r.u16('e_ehsize');
  if (ehsize !== EHDR_SIZE) throw new ProgramFormatError(`ELF: header size is ${ehsize}, expected ${EHDR_SIZE}`);
  h.phentsize = r.u16('e_phentsize');
  h.phnum = r.u16('e_phnum');
  h.shentsize = r.u16('e_shentsize');
  h.shnum = r.u16('e_shnum');
  h.shstrndx = r.u16('e_shstrndx');
  if ((h.flags & EF_RISCV_FLOAT_ABI) !== 0) {
    throw new ProgramFormatError('ELF: the program uses a hardware floating-point ABI (ilp32f/ilp32d); this machine has no F/D extension (use -mabi=ilp32)');
  }
  return h;
}

function typeName(type: number): string {
  return ['none', 'relocatable object', 'executable', 'shared object / PIE', 'core dump'][type] ?? 'unknown';
}

/** PT_LOAD segments with memory size > 0, loaded at their physical address; checked for overlap. */
function readSegments(b: Uint8Array, h: ElfHeader, phnum: number, sections: Section[]): Segment[] {
  if (phnum === 0) throw new ProgramFormatError('ELF: the file has no program headers, so nothing to load');
  if (h.phentsize !== PHDR_SIZE) throw new ProgramFormatError(`ELF: program header size is ${h.phentsize}, expected ${PHDR_SIZE}`);
  if (h.phoff + phnum * PHDR_SIZE > b.length) {
    throw new ProgramFormatError(`ELF: program header table extends past the end of the file (${hex(h.phoff)} + ${phnum} × ${PHDR_SIZE} > ${hex(b.length)})`);
  }
  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const seg = readSegment(b, h.phoff + i * PHDR_SIZE, i, sections);
    if (seg !== undefined) segments.push(seg);
  }
  if (segments.length === 0) throw new ProgramFormatError('ELF: the file has no loadable (PT_LOAD) segment');
  segments.sort((x, y) => x.addr - y.addr);
  for (let i = 1; i < segments.length; i++) {
    const prev = segments[i - 1];
    if (prev.addr + prev.memSize > segments[i].addr) {
      throw new ProgramFormatError(`ELF: segments ${prev.name} and ${segments[i].name} overlap at ${hex(segments[i].addr)}`);
    }
  }
  return segments;
}

function readSegment(b: Uint8Array, at: number, index: number, sections: Section[]): Segment | undefined {
  const what = `ELF: program header ${index}`;
  const r = new ByteReader(b, at, at + PHDR_SIZE, what);
  const type = r.u32('p_type');
  const offset = r.u32('p_offset');
  const vaddr = r.u32('p_vaddr');
  const paddr = r.u32('p_paddr');
  const filesz = r.u32('p_filesz');
  const memsz = r.u32('p_memsz');
  const flags = r.u32('p_flags');
  if (type === PT_DYNAMIC || type === PT_INTERP) throw new ProgramFormatError(`${what}: dynamically linked programs are not supported`);
  if (type !== PT_LOAD || memsz === 0) return undefined;
  if (filesz > memsz) throw new ProgramFormatError(`${what}: file size ${hex(filesz)} exceeds memory size ${hex(memsz)}`);
  if (offset + filesz > b.length) {
    throw new ProgramFormatError(`${what}: segment data extends past the end of the file (offset ${hex(offset)} + ${hex(filesz)} > ${hex(b.length)})`);
  }
  if (paddr + memsz > TWO_32) throw new ProgramFormatError(`${what}: segment ${hex(paddr)} + ${hex(memsz)} wraps around the 32-bit address space`);
  const name = `${segmentName(sections, vaddr, memsz) || `segment ${index}`} @${hex(paddr)}`;
  return { addr: paddr, data: b.slice(offset, offset + filesz), memSize: memsz, name, executable: (flags & PF_X) !== 0 };
}

/** The allocated sections inside a segment, e.g. ".text .rodata" (at most four names). */
function segmentName(sections: Section[], vaddr: number, memsz: number): string {
  const names: string[] = [];
  for (const s of sections) {
    if ((s.flags & SHF_ALLOC) === 0 || s.size === 0 || s.addr < vaddr || s.addr >= vaddr + memsz) continue;
    if (names.length === 4) {
      names.push('…');
      break;
    }
    names.push(s.name || `#${s.index}`);
  }
  return names.join(' ');
}

function checkEntry(entry: number, segments: Segment[]): void {
  if (entry % 2 !== 0) throw new ProgramFormatError(`ELF: entry point ${hex(entry)} is not 2-byte aligned`);
  if (!segments.some((s) => entry >= s.addr && entry < s.addr + s.memSize)) {
    throw new ProgramFormatError(`ELF: entry point ${hex(entry)} is not inside any loadable segment`);
  }
}

/** The line table from .debug_line (with .debug_line_str / .debug_str / comp dirs from .debug_info). */
/** Debug information is optional: a line table we cannot read leaves the program runnable, without source lines. */
function readLinesOrWarn(b: Uint8Array, sections: Section[]): { lines: LineRow[]; warning?: string } {
  try {
    return { lines: readLines(b, sections) };
  } catch (e) {
    if (!(e instanceof ProgramFormatError)) throw e;
    return { lines: [], warning: `${e.message}; loading without source lines` };
  }
}

function readLines(b: Uint8Array, sections: Section[]): LineRow[] {
  const find = (name: string): Uint8Array | undefined => {
    const s = sections.find((x) => x.name === name && x.type !== SHT_NOBITS);
    if (s === undefined) return undefined;
    if ((s.flags & SHF_COMPRESSED) !== 0) {
      throw new ProgramFormatError(`ELF: section ${name} is compressed; link with --compress-debug-sections=none`);
    }
    return b.subarray(s.offset, s.offset + s.size);
  };
  const debugLine = find('.debug_line');
  if (debugLine === undefined) return [];
  const debugLineStr = find('.debug_line_str');
  const debugStr = find('.debug_str');
  const debugInfo = find('.debug_info');
  const debugAbbrev = find('.debug_abbrev');
  const compDirs =
    debugInfo !== undefined && debugAbbrev !== undefined
      ? readCompDirs({ debugInfo, debugAbbrev, debugStr, debugLineStr })
      : undefined;
  return parseDebugLine({ debugLine, debugLineStr, debugStr, compDirs });
}
