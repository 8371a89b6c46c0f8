// Textual expansion of .macro/.endm, .rept/.endr, .irp/.irpc before lexing, with a map back to source lines.
import { evaluate, Cursor, parseExpr } from './expressions';
import { lex } from './lexer';

export interface Expanded {
  text: string;
  /** 1-based source line of each expanded line (index = expanded line - 1); undefined when nothing was expanded. */
  lineMap?: number[];
  errors: { message: string; line: number }[];
}

interface Line { text: string; orig: number }
interface Macro { params: { name: string; def: string }[]; body: Line[] }

const BLOCK = /^\s*\.(macro|rept|irpc?|endm|endr|exitm)\b\s*(.*)$/i;
const MAX_DEPTH = 64;
const MAX_LINES = 200_000;

class Expander {
  readonly out: Line[] = [];
  readonly errors: Expanded['errors'] = [];
  private macros = new Map<string, Macro>();
  private counter = 0;
  aborted = false;

  private abort(message: string, line: number): void {
    if (!this.aborted) this.errors.push({ message, line });
    this.aborted = true;
  }

  run(lines: Line[], depth: number): void {
    if (depth > MAX_DEPTH) { this.abort('macro expansion nested too deeply', lines[0]?.orig ?? 1); return; }
    for (let i = 0; i < lines.length && !this.aborted; i++) {
      if (this.out.length > MAX_LINES) { this.abort('macro expansion too large', lines[i].orig); return; }
      const m = BLOCK.exec(stripComment(lines[i].text));
      if (!m) { this.invokeOrCopy(lines[i], depth); continue; }
      const kind = m[1].toLowerCase();
      if (kind === 'endm' || kind === 'endr' || kind === 'exitm') { this.errors.push({ message: `.${kind} without a matching block`, line: lines[i].orig }); continue; }
      const end = findEnd(lines, i, kind === 'macro' ? 'endm' : 'endr');
      if (end < 0) { this.errors.push({ message: `.${kind} without .${kind === 'macro' ? 'endm' : 'endr'}`, line: lines[i].orig }); return; }
      this.block(kind, m[2], lines[i], lines.slice(i + 1, end), depth);
      i = end;
    }
  }

  private block(kind: string, args: string, head: Line, body: Line[], depth: number): void {
    if (kind === 'macro') return this.define(args, head, body);
    if (kind === 'rept') {
      const n = constant(args);
      if (n === undefined || n < 0 || n > 100000) { this.errors.push({ message: `bad .rept count \`${args.trim()}'`, line: head.orig }); return; }
      for (let k = 0; k < n && !this.aborted; k++) this.run(body.map((l) => ({ text: l.text, orig: head.orig })), depth + 1);
      return;
    }
    const [name, ...rest] = splitArgs(args);
    const values = kind === 'irp' ? rest : [...(rest.join(','))];
    if (!name) { this.errors.push({ message: `.${kind} needs a parameter name`, line: head.orig }); return; }
    for (const v of values.length ? values : ['']) if (!this.aborted) this.run(body.map((l) => ({ text: substitute(l.text, new Map([[name, v]]), this.counter), orig: head.orig })), depth + 1);
  }

  private define(args: string, head: Line, body: Line[]): void {
    const [name, ...params] = args.trim().split(/[\s,]+/).filter(Boolean);
    if (!name) { this.errors.push({ message: '.macro needs a name', line: head.orig }); return; }
    this.macros.set(name, { params: params.map((p) => { const [n, d = ''] = p.split('='); return { name: n.replace(/:(req|vararg)$/, ''), def: d }; }), body });
  }

  private invokeOrCopy(line: Line, depth: number): void {
    const m = /^(\s*(?:[A-Za-z_.$0-9][\w.$]*:\s*)*)([A-Za-z_.$][\w.$]*)(.*)$/.exec(line.text);
    const macro = m ? this.macros.get(m[2]) : undefined;
    if (!m || !macro) { this.out.push(line); return; }
    if (m[1].trim()) this.out.push({ text: m[1], orig: line.orig });
    const given = splitArgs(stripComment(m[3]));
    const values = new Map(macro.params.map((p, k) => [p.name, given[k] !== undefined && given[k] !== '' ? given[k] : p.def]));
    this.counter++;
    this.run(macro.body.map((l) => ({ text: substitute(l.text, values, this.counter), orig: line.orig })), depth + 1);
  }
}

function stripComment(s: string): string {
  const i = s.search(/#|\/\//);
  return i < 0 ? s : s.slice(0, i);
}

function findEnd(lines: Line[], start: number, endKind: string): number {
  let depth = 0;
  for (let i = start; i < lines.length; i++) {
    const m = BLOCK.exec(stripComment(lines[i].text));
    if (!m) continue;
    const k = m[1].toLowerCase();
    const opens = endKind === 'endm' ? k === 'macro' : k === 'rept' || k === 'irp' || k === 'irpc';
    if (opens) depth++;
    else if (k === endKind && --depth === 0) return i;
  }
  return -1;
}

function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === ',' && depth === 0) { out.push(cur.trim()); cur = ''; continue; }
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    cur += ch;
  }
  if (cur.trim() || out.length) out.push(cur.trim());
  return out;
}

function substitute(text: string, values: Map<string, string>, counter: number): string {
  return text.replace(/\\(@|\(\)|[A-Za-z_.$][\w.$]*)/g, (all, name: string) => {
    if (name === '@') return String(counter);
    if (name === '()') return '';
    return values.get(name) ?? all;
  });
}

function constant(text: string): number | undefined {
  const toks = lex(text).statements[0]?.tokens ?? [];
  try {
    const c = new Cursor(toks, 0, toks.length);
    const v = evaluate(parseExpr(c), { symbol: () => undefined, dot: () => undefined });
    return c.atEnd() && v !== undefined ? Number(v) : undefined;
  } catch {
    return undefined;
  }
}

/** Expands macro and repeat blocks; returns the source unchanged when it has none. */
export function expandMacros(source: string): Expanded {
  if (!/\.(macro|rept|irpc?)\b/i.test(source)) return { text: source, errors: [] };
  const ex = new Expander();
  ex.run(source.split('\n').map((text, i) => ({ text, orig: i + 1 })), 0);
  if (ex.aborted) return { text: '', lineMap: [], errors: ex.errors };
  return { text: ex.out.map((l) => l.text).join('\n'), lineMap: ex.out.map((l) => l.orig), errors: ex.errors };
}
