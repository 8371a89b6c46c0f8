// The DWARF sections the .debug_info reader uses, and how to find them in an ELF file.

import { ProgramFormatError } from './elf-bytes';
import { SHF_COMPRESSED, SHT_NOBITS, readSections } from './elf-sections';

/** Contents of the .debug_* sections (absent ones are undefined). */
export interface DebugSections {
  info?: Uint8Array;
  abbrev?: Uint8Array;
  str?: Uint8Array;
  lineStr?: Uint8Array;
  line?: Uint8Array;
  strOffsets?: Uint8Array;
  addr?: Uint8Array;
  ranges?: Uint8Array;
  rnglists?: Uint8Array;
  loc?: Uint8Array;
  loclists?: Uint8Array;
  aranges?: Uint8Array;
  frame?: Uint8Array;
}

const NAMES: Record<keyof DebugSections, string> = {
  info: '.debug_info', abbrev: '.debug_abbrev', str: '.debug_str', lineStr: '.debug_line_str', line: '.debug_line',
  strOffsets: '.debug_str_offsets', addr: '.debug_addr', ranges: '.debug_ranges', rnglists: '.debug_rnglists',
  loc: '.debug_loc', loclists: '.debug_loclists', aranges: '.debug_aranges', frame: '.debug_frame',
};

/** The section table of an ELF32 file. Throws ProgramFormatError. */
export function elfSections(bytes: Uint8Array): ReturnType<typeof readSections> {
  if (bytes.length < 52 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46 || bytes[4] !== 1 || bytes[5] !== 1) {
    throw new ProgramFormatError('ELF: not a little-endian ELF32 file');
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return readSections(bytes, {
    shoff: dv.getUint32(32, true), shentsize: dv.getUint16(46, true), shnum: dv.getUint16(48, true), shstrndx: dv.getUint16(50, true),
  });
}

/**
 * The .eh_frame section of an ELF32 file (the unwind tables of `-fasynchronous-unwind-tables` and C++) and
 * its address, which its pc-relative pointers need; undefined when there is none. Throws like debugSectionsFromElf.
 */
export function ehFrameFromElf(bytes: Uint8Array): { data: Uint8Array; addr: number } | undefined {
  const s = elfSections(bytes).find((x) => x.name === '.eh_frame' && x.type !== SHT_NOBITS && x.size > 0);
  return s === undefined ? undefined : { data: bytes.subarray(s.offset, s.offset + s.size), addr: s.addr };
}

/**
 * Views (no copies) of the .debug_* sections of an ELF32 file. Throws ProgramFormatError when the
 * section table is unreadable or a debug section is compressed.
 */
export function debugSectionsFromElf(bytes: Uint8Array): DebugSections {
  const sections = elfSections(bytes);
  const out: DebugSections = {};
  for (const key of Object.keys(NAMES) as (keyof DebugSections)[]) {
    const s = sections.find((x) => x.name === NAMES[key] && x.type !== SHT_NOBITS);
    if (s === undefined) continue;
    if ((s.flags & SHF_COMPRESSED) !== 0) {
      throw new ProgramFormatError(`ELF: section ${NAMES[key]} is compressed; link with --compress-debug-sections=none`);
    }
    out[key] = bytes.subarray(s.offset, s.offset + s.size);
  }
  return out;
}
