// The .debug_info entry reader against binutils: every entry of every fixture, with its tag, nesting, name, line and address.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DebugInfo } from '../../src/machine/dwarf-debug-info';
import { DW_AT, DW_TAG } from '../../src/machine/dwarf-const';
import { attrAddr, attrNumber, attrString } from '../../src/machine/dwarf-attr';
import type { Die } from '../../src/machine/dwarf-die';
import { DWARF_ELFS, elfBytes, readelf, readelfDies } from '../helpers/dwarf-fixtures';

const TAG_NAMES = new Map(Object.entries(DW_TAG).map(([k, v]) => [`DW_TAG_${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`, v]));

function depth(d: Die): number {
  let n = 0;
  for (let p = d.parent; p !== undefined; p = p.parent) n++;
  return n;
}

for (const [label, path] of Object.entries(DWARF_ELFS)) {
  test(`${label}: every entry matches readelf --debug-dump=info`, (t) => {
    const text = readelf(['--debug-dump=info'], path);
    if (text === undefined) return t.skip('riscv64-unknown-elf-readelf is not installed');
    const expected = readelfDies(text);
    const info = DebugInfo.fromElf(elfBytes(path));
    assert.deepEqual(info.errors(), []);
    const ours = new Set<number>();
    for (const u of info.units()) {
      const first = expected.find((e) => e.offset > u.offset && e.depth === 0);
      assert.ok(first, `unit at ${u.offset}`);
      for (const off of info.entry(first.offset)!.unit.entries().keys()) ours.add(off);
    }
    assert.equal(ours.size, expected.length, 'number of entries');
    for (const e of expected) {
      const found = info.entry(e.offset);
      assert.ok(found, `entry at 0x${e.offset.toString(16)}`);
      const d = found.die;
      const where = `0x${e.offset.toString(16)} ${e.tag}`;
      assert.equal(depth(d), e.depth, `${where}: depth`);
      if (TAG_NAMES.has(e.tag)) assert.equal(d.tag, TAG_NAMES.get(e.tag), `${where}: tag`);
      if (e.attrs.has('DW_AT_name')) assert.equal(attrString(d, DW_AT.name), e.attrs.get('DW_AT_name'), `${where}: name`);
      if (e.attrs.has('DW_AT_decl_line')) assert.equal(attrNumber(d, DW_AT.declLine), Number(e.attrs.get('DW_AT_decl_line')), `${where}: decl_line`);
      if (e.attrs.has('DW_AT_low_pc')) assert.equal(attrAddr(d, DW_AT.lowPc), parseInt(e.attrs.get('DW_AT_low_pc')!, 16), `${where}: low_pc`);
    }
  });
}
