// Reads DW_AT_comp_dir / DW_AT_stmt_list of each compile unit in .debug_info (DWARF 2–5), for line-table paths.

import { ProgramFormatError } from './elf-bytes';
import { DW_AT } from './dwarf-const';
import { readAbbrevTable } from './dwarf-abbrev';
import { readUnitHeaders, Unit } from './dwarf-unit';
import { attrOffset, attrString } from './dwarf-attr';

export interface DebugInfoSections {
  debugInfo: Uint8Array;
  debugAbbrev: Uint8Array;
  debugStr?: Uint8Array;
  debugLineStr?: Uint8Array;
}

/**
 * Map from .debug_line offset to compilation directory. Best effort: it only refines paths, so a unit
 * whose root entry this reader cannot follow (damage, strings in tables it is not given) is skipped, not reported.
 */
export function readCompDirs(s: DebugInfoSections): Map<number, string> {
  const out = new Map<number, string>();
  const sections = { info: s.debugInfo, abbrev: s.debugAbbrev, str: s.debugStr, lineStr: s.debugLineStr };
  const strCache = new Map<number, string>();
  for (const slot of readUnitHeaders(s.debugInfo)) {
    if (!('header' in slot)) continue;
    try {
      const root = new Unit(slot.header, sections, strCache, readAbbrevTable(s.debugAbbrev, slot.header.abbrevOffset)).root;
      const stmtList = attrOffset(root, DW_AT.stmtList);
      const compDir = attrString(root, DW_AT.compDir);
      if (stmtList !== undefined && compDir !== undefined) out.set(stmtList, compDir);
    } catch (e) {
      if (!(e instanceof ProgramFormatError)) throw e;
    }
  }
  return out;
}
