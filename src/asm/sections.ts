// Sections, the items they hold (code, bytes, data words, alignment) and symbols.
import { CodeGen } from './codegen';
import { Expr } from './expressions';
import { Span } from './types';
import { Emitted } from './words';

interface ItemBase {
  offset: number;
  size: number;
  span: Span;
}

export type Item =
  | (ItemBase & { t: 'code'; cg: CodeGen; words: Emitted[] })
  | (ItemBase & { t: 'bytes'; bytes: Uint8Array })
  | (ItemBase & { t: 'data'; width: number; exprs: Expr[] })
  | (ItemBase & { t: 'align'; bytes: number; fill: number | null; max: number })
  | (ItemBase & { t: 'org'; target: number; fill: number });

export type SectionKind = 'code' | 'rodata' | 'data' | 'bss';

export class Section {
  items: Item[] = [];
  /** Alignment in bytes (GNU as: .text 4, or 2 with RVC; others 1; raised by .align). */
  align: number;
  addr = 0;
  size = 0;
  constructor(readonly name: string, readonly output: string, readonly kind: SectionKind, rvc: boolean) {
    this.align = kind === 'code' ? (rvc ? 2 : 4) : 1;
  }
  /** Offset of the position before item `index` (the section end when index is past the last item). */
  offsetAt(index: number): number {
    return index < this.items.length ? this.items[index].offset : this.size;
  }
}

/** Where an input section goes, like the default linker script: .text.*, .rodata.*, .data.*, .bss.* merge. */
export function classifySection(name: string, flags: string | undefined): { output: string; kind: SectionKind } {
  const pick = (prefixes: string[], output: string, kind: SectionKind) =>
    prefixes.some((p) => name === p || name.startsWith(p + '.')) ? { output, kind } : undefined;
  return pick(['.text'], '.text', 'code')
    ?? pick(['.rodata', '.srodata'], '.rodata', 'rodata')
    ?? pick(['.data', '.sdata'], '.data', 'data')
    ?? pick(['.bss', '.sbss'], '.bss', 'bss')
    ?? (flags?.includes('x') ? { output: name, kind: 'code' }
      : flags !== undefined && !flags.includes('w') ? { output: name, kind: 'rodata' } : { output: name, kind: 'data' });
}

export interface Sym {
  name: string;
  /** Label: position before item `index` of `sect`. */
  label?: { sect: Section; index: number };
  /** .equ/.set/= : expression, with the position '.' stood for. */
  equ?: { expr: Expr; sect: Section; index: number };
  /** Label address after the latest layout. */
  addr?: bigint;
  global: boolean;
  kind?: 'func' | 'object';
  /** .size expression with the position '.' stood for. */
  size?: { expr: Expr; sect: Section; index: number };
  span?: Span;
  busy?: boolean;
}
