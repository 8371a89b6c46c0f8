// .debug_abbrev: the abbreviation tables that give each .debug_info entry its tag, children flag and attribute forms.

import { ByteReader, ProgramFormatError, hex } from './elf-bytes';
import { DW_FORM } from './dwarf-const';

export interface Abbrev {
  code: number;
  tag: number;
  hasChildren: boolean;
  /** Attribute names, forms, and implicit_const values, index by index. */
  attrs: number[];
  forms: number[];
  implicit: number[];
}

export type AbbrevTable = Map<number, Abbrev>;

/** Reads the table at `offset` (up to its terminating 0 code). Throws ProgramFormatError when damaged. */
export function readAbbrevTable(section: Uint8Array | undefined, offset: number): AbbrevTable {
  if (section === undefined) throw new ProgramFormatError('DWARF: the file has .debug_info but no .debug_abbrev');
  if (offset >= section.length) throw new ProgramFormatError(`DWARF: abbreviation table offset ${hex(offset)} is past the end of .debug_abbrev`);
  const r = new ByteReader(section, offset, section.length, `DWARF: .debug_abbrev table at ${hex(offset)}`);
  const table: AbbrevTable = new Map();
  for (;;) {
    const code = r.uleb('abbreviation code');
    if (code === 0) return table;
    const tag = r.uleb('tag');
    const children = r.u8('children flag');
    const a: Abbrev = { code, tag, hasChildren: children !== 0, attrs: [], forms: [], implicit: [] };
    for (;;) {
      const name = r.uleb('attribute name');
      const form = r.uleb('attribute form');
      if (name === 0 && form === 0) break;
      a.attrs.push(name);
      a.forms.push(form);
      a.implicit.push(form === DW_FORM.implicitConst ? r.sleb('implicit_const') : 0);
    }
    if (!table.has(code)) table.set(code, a);
  }
}
