// The assembler driver: walks statements, defines labels and symbols, builds section items.
import { buildCode, BuildContext } from './codegen';
import { Conditionals } from './conditionals';
import { directive } from './directives';
import { Cursor, evaluate, EvalEnv, Expr, parseExpr as parseExprFrom } from './expressions';
import { lookupMnemonic } from './instructions';
import { lex, Statement, Token } from './lexer';
import { matchEntries, OperandContext, splitOperands } from './operands';
import { classifySection, Item, Section, Sym } from './sections';
import { AsmDiagnostic, AsmError, Span } from './types';

const LOCAL_SEP = '\u0002';

export class Assembler implements BuildContext, OperandContext {
  readonly diags: AsmDiagnostic[] = [];
  readonly sections = new Map<string, Section>();
  readonly syms = new Map<string, Sym>();
  sect: Section;
  prevSect: Section;
  sectStack: Section[] = [];
  rvc: boolean;
  rvcStack: boolean[] = [];
  ended = false;
  /** Set once the first layout pass has placed sections (label addresses known). */
  laidOut = false;
  private localCounts = new Map<string, number>();
  private conditionals = new Conditionals();

  constructor(readonly file: string, rvc: boolean) {
    this.rvc = rvc;
    this.sect = this.prevSect = this.section('.text');
  }

  error(message: string, span: Span, severity: 'error' | 'warning' = 'error'): void {
    if (message.length > 200) message = message.slice(0, 197) + '...';
    this.diags.push({ severity, message, file: this.file, line: span.line, column: span.col, endLine: span.line, endColumn: Math.max(span.end, span.col + 1) });
  }

  run(source: string): void {
    const lx = lex(source);
    for (const e of lx.errors) this.error(e.message, e.span);
    for (const st of lx.statements) {
      if (this.ended) break;
      try {
        if (!this.conditional(st)) this.statement(st);
      } catch (e) {
        if (!(e instanceof AsmError)) throw e;
        this.error(e.message, e.span);
      }
    }
    this.conditionals.finish(this);
  }

  /** Handles .if/.else/.endif and skips statements in untaken branches; true when `st` was consumed. */
  private conditional(st: Statement): boolean {
    const head = st.tokens[0];
    const name = head.kind === 'ident' ? head.text.toLowerCase() : '';
    if (name.startsWith('.if') || name === '.else' || name === '.elseif' || name === '.endif') {
      if (this.conditionals.handle(this, name, head, st.tokens.slice(1))) return true;
    }
    return !this.conditionals.active;
  }

  section(name: string, flags?: string): Section {
    let s = this.sections.get(name);
    if (!s) {
      const { output, kind } = classifySection(name, flags);
      s = new Section(name, output, kind, this.rvc);
      this.sections.set(name, s);
    }
    return s;
  }

  switchTo(s: Section): void {
    if (s !== this.sect) { this.prevSect = this.sect; this.sect = s; }
  }

  sym(name: string): Sym {
    let s = this.syms.get(name);
    if (!s) { s = { name, global: false }; this.syms.set(name, s); }
    return s;
  }

  // ---- statements ----

  private statement(st: Statement): void {
    const toks = st.tokens;
    let i = 0;
    while (i + 1 < toks.length && toks[i + 1].text === ':' && toks[i + 1].kind === 'op' && this.isLabelToken(toks[i])) {
      this.defineLabel(toks[i]);
      i += 2;
    }
    if (i >= toks.length) return;
    const head = toks[i];
    if (head.kind !== 'ident') throw new AsmError(`expected an instruction or directive, got \`${head.text}'`, head);
    const next = toks[i + 1];
    if (next && next.kind === 'op' && next.text === '=') {
      this.defineEqu(head, this.parseWhole(toks, i + 2, head), true);
      return;
    }
    const args = toks.slice(i + 1);
    if (head.text.startsWith('.')) directive(this, head, args);
    else this.instruction(head, args);
  }

  private isLabelToken(t: Token): boolean {
    return t.kind === 'ident' || (t.kind === 'num' && /^[0-9]+$/.test(t.text));
  }

  private instruction(head: Token, args: Token[]): void {
    const entries = lookupMnemonic(head.text.toLowerCase());
    if (!entries) throw new AsmError(`unknown instruction \`${head.text}'`, head);
    const m = matchEntries(head, entries, splitOperands(args), this);
    const span = { line: head.line, col: head.col, end: args.length ? args[args.length - 1].end : head.end };
    if (this.sect.kind === 'bss') throw new AsmError(`instruction in ${this.sect.name} (no initialised data allowed)`, span);
    const cg = buildCode(m, this);
    const words = cg.words ?? [];
    this.addItem({ t: 'code', cg, words, offset: 0, size: words.reduce((a, w) => a + w.n, 0), span });
  }

  addItem(item: Item): void {
    this.sect.items.push(item);
  }

  // ---- symbols ----

  defineLabel(t: Token): void {
    let name = t.text;
    if (t.kind === 'num') {
      const n = (this.localCounts.get(t.text) ?? 0) + 1;
      this.localCounts.set(t.text, n);
      name = `${t.text}${LOCAL_SEP}${n}`;
    }
    const s = this.sym(name);
    if (s.label || s.equ) throw new AsmError(`symbol \`${t.text}' is already defined`, t);
    s.label = { sect: this.sect, index: this.sect.items.length };
    s.span = t;
  }

  defineEqu(nameTok: Token, expr: Expr, redefinable: boolean): void {
    const s = this.sym(nameTok.text);
    if (s.label || (s.equ && !redefinable)) throw new AsmError(`symbol \`${nameTok.text}' is already defined`, nameTok);
    const v = this.constValue(expr);
    s.equ = { expr: v === undefined ? expr : { k: 'num', v, span: expr.span }, sect: this.sect, index: this.sect.items.length };
    s.span = nameTok;
  }

  private resolveLocal = (n: bigint, forward: boolean): string =>
    `${n}${LOCAL_SEP}${(this.localCounts.get(String(n)) ?? 0) + (forward ? 1 : 0)}`;

  cursor(toks: Token[], start: number, end: number): Cursor {
    return new Cursor(toks, start, end, this.resolveLocal);
  }

  /** Parses tokens [start, end) as exactly one expression. */
  parseWhole(toks: Token[], start: number, after: Span, end = toks.length): Expr {
    if (start >= end) throw new AsmError('missing expression', { line: after.line, col: after.end, end: after.end + 1 });
    const c = this.cursor(toks, start, end);
    const e = parseExprFrom(c);
    if (!c.atEnd()) throw new AsmError(`unexpected \`${c.peek()!.text}'`, c.here());
    return e;
  }

  /** Value of a symbol: label address (after layout) or equ value; undefined when not (yet) known. */
  symbolValue(name: string): bigint | undefined {
    const s = this.syms.get(name);
    if (!s) return undefined;
    if (s.label) return s.addr;
    if (!s.equ || s.busy) return undefined;
    s.busy = true;
    const v = this.valueAt(s.equ.expr, s.equ.sect, s.equ.index);
    s.busy = false;
    return v;
  }

  /** Value of an expression after layout, with '.' at the given position; undefined if unresolvable. */
  valueAt(e: Expr, sect: Section, index: number): bigint | undefined {
    try {
      return evaluate(e, this.evalEnv(() => this.positionAddr(sect, index)));
    } catch {
      return undefined;
    }
  }

  /** Address of a section position once laid out (undefined before layout). */
  positionAddr(sect: Section, index: number): bigint | undefined {
    return this.laidOut ? BigInt(sect.addr + sect.offsetAt(index)) : undefined;
  }

  evalEnv(dot: () => bigint | undefined, pcrelHiAt?: EvalEnv['pcrelHiAt']): EvalEnv {
    return { symbol: (n) => this.symbolValue(n), dot, pcrelHiAt };
  }

  private readonly parseEnv: EvalEnv = { symbol: (n) => this.symbolValue(n), dot: () => undefined };

  /** Parse-time constant value (numbers and already-constant equs only). */
  constValue(e: Expr): bigint | undefined {
    if (e.k === 'num') return e.v;
    try {
      return evaluate(e, this.parseEnv);
    } catch {
      return undefined;
    }
  }
}
