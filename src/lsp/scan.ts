// Tolerant scan of a document with the assembler's lexer: label/constant definitions, symbol references,
// numeric local labels (1f/1b resolved like GNU as) and section switches. Works on source that does not assemble.
import { lex, Token } from '../asm/lexer';

export type DefKind = 'label' | 'constant' | 'local';

/** A definition; line is 1-based, columns 0-based [col, end). */
export interface Def {
  name: string;
  kind: DefKind;
  line: number;
  col: number;
  end: number;
  section: string;
  value?: number;
}

export interface Ref {
  name: string;
  line: number;
  col: number;
  end: number;
  /** Local label references (1f/1b): the definition they resolve to. */
  local?: Def;
  localText?: string;
}

export type Role = 'label' | 'head' | 'operand';

/** A token with its place in its statement. */
export interface Placed {
  tok: Token;
  role: Role;
  head?: Token;
  /** 0-based operand number (commas before it). */
  operand: number;
}

export interface SectionSwitch {
  name: string;
  line: number;
  col: number;
  end: number;
}

export interface Scan {
  defs: Def[];
  refs: Ref[];
  sections: SectionSwitch[];
  /** Tokens by 1-based line. */
  tokens: Map<number, Placed[]>;
}

const SECTION_DIRECTIVES = new Set(['.text', '.data', '.rodata', '.bss']);
const EQU_DIRECTIVES = new Set(['.equ', '.set', '.equiv', '.comm', '.lcomm']);

class Scanner {
  readonly out: Scan = { defs: [], refs: [], sections: [], tokens: new Map() };
  private section = '.text';
  private previous = '.text';
  private stack: string[] = [];

  place(p: Placed): void {
    const list = this.out.tokens.get(p.tok.line) ?? [];
    list.push(p);
    this.out.tokens.set(p.tok.line, list);
  }

  def(t: Token, kind: DefKind): void {
    this.out.defs.push({ name: t.text, kind, line: t.line, col: t.col, end: t.end, section: this.section });
  }

  statement(toks: Token[]): void {
    let i = 0;
    while (i + 1 < toks.length && toks[i + 1].kind === 'op' && toks[i + 1].text === ':' && (toks[i].kind === 'ident' || /^[0-9]+$/.test(toks[i].text))) {
      this.def(toks[i], toks[i].kind === 'ident' ? 'label' : 'local');
      this.place({ tok: toks[i], role: 'label', operand: 0 });
      i += 2;
    }
    const head = toks[i];
    if (!head) return;
    this.place({ tok: head, role: 'head', operand: 0 });
    if (head.kind === 'ident' && toks[i + 1]?.kind === 'op' && toks[i + 1].text === '=') this.def(head, 'constant');
    else if (head.kind === 'ident') this.directive(head, toks.slice(i + 1));
    let operand = 0;
    for (const t of toks.slice(i + 1)) {
      if (t.kind === 'op' && t.text === ',') operand++;
      this.place({ tok: t, role: 'operand', head, operand });
      if (t.kind === 'ident' && !this.isDefToken(t)) this.out.refs.push({ name: t.text, line: t.line, col: t.col, end: t.end });
      if (t.kind === 'local') this.out.refs.push({ name: t.text, localText: t.text, line: t.line, col: t.col, end: t.end });
    }
  }

  private isDefToken(t: Token): boolean {
    const d = this.out.defs[this.out.defs.length - 1];
    return !!d && d.line === t.line && d.col === t.col;
  }

  private directive(head: Token, args: Token[]): void {
    const name = head.text.toLowerCase();
    if (EQU_DIRECTIVES.has(name) && args[0]?.kind === 'ident') this.def(args[0], name.endsWith('comm') ? 'label' : 'constant');
    if (SECTION_DIRECTIVES.has(name)) this.switchTo(name, head);
    else if (name === '.section' || name === '.pushsection') {
      if (name === '.pushsection') this.stack.push(this.section);
      const n = args[0];
      if (n && (n.kind === 'ident' || n.kind === 'str')) this.switchTo(n.kind === 'str' ? n.text.replace(/"/g, '') : n.text, head);
    } else if (name === '.popsection' && this.stack.length) this.switchTo(this.stack.pop()!, head);
    else if (name === '.previous') this.switchTo(this.previous, head);
  }

  private switchTo(name: string, at: Token): void {
    if (name !== this.section) { this.previous = this.section; this.section = name; }
    this.out.sections.push({ name, line: at.line, col: at.col, end: at.end });
  }
}

const before = (a: { line: number; col: number }, b: { line: number; col: number }): boolean =>
  a.line < b.line || (a.line === b.line && a.col < b.col);

function lastBefore(defs: Def[], r: Ref): Def | undefined {
  for (let i = defs.length - 1; i >= 0; i--) if (before(defs[i], r)) return defs[i];
  return undefined;
}

/** Resolves 1b to the latest `1:` before the reference and 1f to the first `1:` after it. */
function resolveLocals(scan: Scan): void {
  const byNumber = new Map<string, Def[]>();
  for (const d of scan.defs) {
    if (d.kind !== 'local') continue;
    const list = byNumber.get(d.name);
    if (list) list.push(d); else byNumber.set(d.name, [d]);
  }
  for (const r of scan.refs) {
    if (!r.localText) continue;
    const same = byNumber.get(r.localText.slice(0, -1)) ?? [];
    r.local = r.localText.endsWith('f') ? same.find((d) => before(r, d)) : lastBefore(same, r);
  }
}

/** Scans source text; never throws on any input. */
export function scan(text: string): Scan {
  const s = new Scanner();
  for (const st of lex(text).statements) s.statement(st.tokens);
  resolveLocals(s.out);
  return s.out;
}
