// Builds the Program (segments, symbols, line table) and the listing from a laid-out assembly.
import type { LineRow, Program, ProgramSymbol, Segment } from '../machine/program';
import type { Assembler } from './assembler';
import { emit } from './emit';
import { Group, Layout } from './layout';
import { ListingRow, SymbolDefinition } from './types';

const isInternal = (name: string): boolean => name.includes('\u0002') || name.startsWith('.L');

function symbols(a: Assembler): ProgramSymbol[] {
  const out: ProgramSymbol[] = [];
  for (const s of a.syms.values()) {
    if (!s.label || s.addr === undefined || isInternal(s.name)) continue;
    const sz = s.size;
    const size = sz ? a.valueAt(sz.expr, sz.sect, sz.index) : 0n;
    out.push({ name: s.name, addr: Number(BigInt.asUintN(32, s.addr)), size: Number(BigInt.asUintN(32, size ?? 0n)), kind: s.kind ?? 'label', global: s.global });
  }
  return out.sort((x, y) => x.addr - y.addr || x.name.localeCompare(y.name));
}

function segments(groups: Group[]): Segment[] {
  return groups.filter((g) => g.size > 0).map((g) => ({
    addr: g.addr,
    data: g.bytes ?? new Uint8Array(0),
    memSize: g.size,
    name: g.name,
    executable: g.kind === 'code',
  }));
}

/** Label and constant definitions with their source spans, in source order. */
export function definitions(a: Assembler): SymbolDefinition[] {
  const out: SymbolDefinition[] = [];
  for (const s of a.syms.values()) {
    if (!s.span || s.name.includes('\u0002') || (!s.label && !s.equ)) continue;
    const v = a.symbolValue(s.name);
    const value = v === undefined ? undefined : s.label ? Number(BigInt.asUintN(32, v)) : Number(v);
    out.push({ name: s.name, kind: s.label ? 'label' : 'constant', line: s.span.line, column: s.span.col, endColumn: s.span.end, value });
  }
  return out.sort((x, y) => x.line - y.line || x.column - y.column);
}

export interface Output {
  program: Program;
  listing: ListingRow[];
  usesRvc: boolean;
}

export function buildOutput(a: Assembler, layout: Layout, fileName: string): Output {
  const lines: LineRow[] = [];
  const listing: ListingRow[] = [];
  let usesRvc = false;
  emit(layout, (it, addr, words) => {
    let pc = addr;
    for (const w of words) {
      lines.push({ addr: pc, file: fileName, line: it.span.line, column: it.span.col, isStmt: true, endSequence: false });
      if (w.n === 2) usesRvc = true;
      pc += w.n;
    }
  });
  for (const g of layout.groups) {
    for (const s of g.sections) for (const it of s.items) {
      if (it.t === 'align' || it.size === 0) continue;
      const off = s.addr + it.offset - g.addr;
      listing.push({ line: it.span.line, section: g.name, addr: s.addr + it.offset, bytes: g.bytes && g.bytes.length ? g.bytes.subarray(off, off + it.size) : new Uint8Array(it.size) });
    }
    if (g.kind === 'code' && g.size > 0) lines.push({ addr: g.addr + g.size, file: fileName, line: 0, column: 0, isStmt: false, endSequence: true });
  }
  lines.sort((x, y) => x.addr - y.addr || Number(x.endSequence) - Number(y.endSequence));
  const syms = symbols(a);
  const start = a.syms.get('_start');
  const text = layout.groups.find((g) => g.name === '.text');
  const find = (n: string) => syms.find((s) => s.name === n)?.addr;
  const program: Program = {
    entry: start?.label && start.addr !== undefined ? Number(start.addr) : text?.addr ?? layout.groups[0]?.addr ?? 0,
    segments: segments(layout.groups),
    symbols: syms,
    lines,
    origin: fileName,
  };
  const tohost = find('tohost');
  const fromhost = find('fromhost');
  if (tohost !== undefined) program.tohost = tohost;
  if (fromhost !== undefined) program.fromhost = fromhost;
  return { program, listing, usesRvc };
}
