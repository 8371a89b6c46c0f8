// Layout: section placement and branch/jump relaxation to a fixed point, in GNU as relax_segment order.
import type { Assembler } from './assembler';
import { GenEnv } from './codegen';
import { evaluate, EvalEnv, Expr, firstUnresolved } from './expressions';
import { Item, Section, Sym } from './sections';
import { AsmError, Span } from './types';

/** An output section: consecutive input sections with the same output name. */
export interface Group {
  name: string;
  kind: Section['kind'];
  sections: Section[];
  addr: number;
  size: number;
  bytes?: Uint8Array;
}

const MAX_ITERATIONS = 40;
const KIND_ORDER = { code: 0, rodata: 1, data: 2, bss: 3 };
const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

export function groupSections(sections: Iterable<Section>): Group[] {
  const groups = new Map<string, Group>();
  for (const s of sections) {
    const g = groups.get(s.output) ?? { name: s.output, kind: s.kind, sections: [], addr: 0, size: 0 };
    g.sections.push(s);
    groups.set(s.output, g);
  }
  return [...groups.values()].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
}

/** Label (± constant) a target expression refers to, for "same section" tests. */
function baseLabelSection(a: Assembler, e: Expr, here: Section): Section | undefined {
  if (e.k === 'dot') return here;
  if (e.k === 'sym') {
    const s = a.syms.get(e.name);
    if (s?.label) return s.label.sect;
    return s?.equ ? baseLabelSection(a, s.equ.expr, s.equ.sect) : undefined;
  }
  if (e.k === 'bin' && (e.op === '+' || e.op === '-')) return baseLabelSection(a, e.a, here);
  return undefined;
}

export class Layout {
  readonly groups: Group[];
  /** auipc address -> pc-relative offset it established (filled before emission, for %pcrel_lo). */
  readonly pcrelHi = new Map<bigint, bigint>();

  constructor(readonly a: Assembler, private readonly textBase: number) {
    this.groups = groupSections(a.sections.values());
    this.evalEnv = a.evalEnv(() => BigInt(this.genEnv.pc), (addr, span) => this.pcrelHiAt(addr, span, this.genEnv.final));
    // GNU as pads code sections to their alignment with NOPs.
    for (const s of a.sections.values()) {
      if (s.items.length && s.kind === 'code') s.items.push({ t: 'align', bytes: s.align, fill: null, max: 0, offset: 0, size: 0, span: s.items[s.items.length - 1].span });
    }
  }

  /** One reusable generator environment (hot path: no per-instruction closures). */
  private readonly genEnv: GenEnv & { sect: Section | undefined } = {
    pc: 0,
    final: false,
    sect: undefined,
    value: (e: Expr, span: Span) => this.value(e, span),
    sameSection: (e: Expr) => baseLabelSection(this.a, e, this.genEnv.sect!) === this.genEnv.sect,
  };
  private readonly evalEnv: EvalEnv;

  env(pc: number, sect: Section, final: boolean): GenEnv {
    Object.assign(this.genEnv, { pc, sect, final });
    return this.genEnv;
  }

  private value(e: Expr, span: Span): bigint | undefined {
    if (e.k === 'num') return e.v;
    const v = evaluate(e, this.evalEnv);
    if (v === undefined && this.genEnv.final) {
      const s = firstUnresolved(e, this.evalEnv);
      throw new AsmError(s ? `undefined symbol \`${s.shown}'` : 'expression cannot be resolved', s ? s.span : span);
    }
    return v;
  }

  private pcrelHiAt(addr: bigint, span: Span, final: boolean): bigint | undefined {
    const v = this.pcrelHi.get(BigInt.asUintN(32, addr));
    if (v === undefined && final) throw new AsmError('%pcrel_lo: no auipc with %pcrel_hi at that label', span);
    return v;
  }

  private itemSize(it: Item, sect: Section, addr: number): number {
    if (it.t === 'align') {
      const pad = (it.bytes - (addr % it.bytes)) % it.bytes;
      return it.max && pad > it.max ? 0 : pad;
    }
    if (it.t === 'org') return Math.max(0, it.target - (addr - sect.addr));
    if (it.t !== 'code' || !it.cg.gen) return it.size;
    try {
      it.words = it.cg.gen(this.env(addr, sect, false));
    } catch (e) {
      if (!(e instanceof AsmError)) throw e;
    }
    return it.words.reduce((s, w) => s + w.n, 0);
  }

  /** Labels by section and item index, so a pass can move them as it goes. */
  private labelsAt = new Map<Section, Map<number, Sym[]>>();
  /** Offset of each label from the start of its GNU as "frag" (bytes since the last relaxable item). */
  private fragOffset = new Map<Sym, number>();
  private pass = 0;

  private indexLabels(): void {
    for (const sym of this.a.syms.values()) {
      if (!sym.label) continue;
      const bySect = this.labelsAt.get(sym.label.sect) ?? new Map<number, Sym[]>();
      bySect.set(sym.label.index, [...(bySect.get(sym.label.index) ?? []), sym]);
      this.labelsAt.set(sym.label.sect, bySect);
    }
    for (const [sect, bySect] of this.labelsAt) {
      let off = 0;
      for (let k = 0; k <= sect.items.length; k++) {
        bySect.get(k)?.forEach((sym) => this.fragOffset.set(sym, off));
        const it = sect.items[k];
        if (!it) break;
        off = it.t === 'align' || it.t === 'org' || (it.t === 'code' && it.cg.relax) ? 0 : off + it.size;
      }
    }
  }

  /**
   * One placement pass, as GNU as relax_segment does it: labels behind the current item have their new
   * address, labels ahead keep last pass's address (in the first pass: their offset in their frag,
   * as if that frag were at the section start). Returns true when some item changed size.
   */
  private place(): boolean {
    let changed = false;
    let cursor = this.textBase;
    for (const g of this.groups) {
      g.addr = alignUp(cursor, Math.max(4, ...g.sections.map((s) => s.align)));
      let addr = g.addr;
      for (const s of g.sections) {
        s.addr = addr = alignUp(addr, s.align);
        const labels = this.labelsAt.get(s);
        if (this.pass === 0) labels?.forEach((syms) => syms.forEach((sym) => { sym.addr = BigInt(s.addr + this.fragOffset.get(sym)!); }));
        let off = 0;
        s.items.forEach((it, k) => {
          it.offset = off;
          labels?.get(k)?.forEach((sym) => { sym.addr = BigInt(addr + off); });
          const size = this.itemSize(it, s, addr + off);
          if (size !== it.size) { changed = true; it.size = size; }
          off += it.size;
        });
        labels?.get(s.items.length)?.forEach((sym) => { sym.addr = BigInt(addr + off); });
        s.size = off;
        addr += off;
      }
      g.size = addr - g.addr;
      cursor = addr;
    }
    this.pass++;
    this.a.laidOut = true;
    return changed;
  }

  run(): void {
    // Fixed-size generated code (la, call, symbol loads...) gets its size before frags are measured.
    for (const sect of this.a.sections.values()) for (const it of sect.items) {
      if (it.t === 'code' && it.cg.gen && !it.cg.relax) it.size = this.itemSize(it, sect, 0);
    }
    this.indexLabels();
    for (let i = 0; i < MAX_ITERATIONS; i++) {
      if (!this.place() && i > 0) return;
    }
    this.a.error('layout did not converge (relaxation oscillates)', { line: 1, col: 0, end: 1 });
  }
}
