// The ELFs the DWARF reader tests read, and a parser of `readelf --debug-dump=info` to check them against.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** GCC -O0 DWARF 4 and 5, GCC -O2 DWARF 4, clang -O2 DWARF 5 (test/fixtures/dwarf), and kvstore (GCC -O2 DWARF 5). */
export const DWARF_ELFS = {
  types4: 'test/fixtures/dwarf/types-dwarf4.elf',
  types5: 'test/fixtures/dwarf/types-dwarf5.elf',
  opt4: 'test/fixtures/dwarf/opt-dwarf4.elf',
  optLlvm: 'test/fixtures/dwarf/opt-llvm.elf',
  kvstore: 'examples/kvstore/kvstore.elf',
} as const;

export function elfBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(join(ROOT, path)));
}

/** One entry as readelf prints it: attribute values as text (strings without their index prefix). */
export interface ReadelfDie {
  offset: number;
  depth: number;
  tag: string;
  attrs: Map<string, string>;
}

/** The binutils readelf, or undefined when the RISC-V binutils are not installed. */
export function readelf(args: string[], path: string): string | undefined {
  try {
    return execFileSync('riscv64-unknown-elf-readelf', [...args, join(ROOT, path)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch {
    return undefined;
  }
}

export function readelfDies(text: string): ReadelfDie[] {
  const out: ReadelfDie[] = [];
  let cur: ReadelfDie | undefined;
  for (const line of text.split('\n')) {
    const head = /^\s*<(\d+)><([0-9a-f]+)>: Abbrev Number: (\d+)(?: \((\w+)\))?/.exec(line);
    if (head !== null) {
      cur = head[3] === '0' ? undefined : { offset: parseInt(head[2], 16), depth: Number(head[1]), tag: head[4] ?? '?', attrs: new Map() };
      if (cur !== undefined) out.push(cur);
      continue;
    }
    const attr = /^\s*<[0-9a-f]+>\s+(DW_AT_\w+)\s*: (.*)$/.exec(line);
    if (attr !== null && cur !== undefined) cur.attrs.set(attr[1], stripIndex(attr[2].trim()));
  }
  return out;
}

function stripIndex(v: string): string {
  return v.replace(/^\((?:indirect (?:line )?string, offset: (?:0x)?[0-9a-f]+|indexed string: 0x[0-9a-f]+|index: 0x[0-9a-f]+)\): /, '');
}
