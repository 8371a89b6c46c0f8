// One analysed document: the real assembler's result plus the tolerant scan, with definition values attached.
import { assemble, AsmResult } from '../asm/index';
import { Def, Placed, Ref, scan, Scan } from './scan';

export interface Analysis extends Scan {
  text: string;
  lines: string[];
  asm: AsmResult;
}

function safeAssemble(text: string, fileName: string): AsmResult {
  try {
    return assemble(text, { fileName });
  } catch (e) {
    const message = `internal assembler error: ${e instanceof Error ? e.message : String(e)}`;
    return { ok: false, diagnostics: [{ severity: 'error', message, file: fileName, line: 1, column: 0, endLine: 1, endColumn: 1 }] };
  }
}

/** Address of a numeric local label: the first emitted statement at or after its line (rows sorted by line). */
function localAddress(rows: { line: number; addr: number }[], line: number): number | undefined {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (rows[mid].line < line) lo = mid + 1; else hi = mid; }
  return rows[lo]?.addr;
}

function attachValues(defs: Def[], asm: AsmResult): void {
  const known = new Map<string, number | undefined>();
  for (const d of asm.definitions ?? []) known.set(`${d.name}@${d.line}:${d.column}`, d.value);
  const rows = [...(asm.listing ?? [])].sort((x, y) => x.line - y.line || x.addr - y.addr);
  for (const d of defs) {
    d.value = d.kind === 'local' ? localAddress(rows, d.line) : known.get(`${d.name}@${d.line}:${d.col}`);
  }
}

export function analyse(text: string, fileName: string): Analysis {
  const asm = safeAssemble(text, fileName);
  let s: Scan;
  try {
    s = scan(text);
  } catch {
    s = { defs: [], refs: [], sections: [], tokens: new Map() };
  }
  attachValues(s.defs, asm);
  return { ...s, text, lines: text.split('\n'), asm };
}

/** The token under a 0-based position: the one containing it, else the one ending exactly there. */
export function tokenAt(a: Analysis, line0: number, character: number): Placed | undefined {
  const list = a.tokens.get(line0 + 1) ?? [];
  return list.find((p) => p.tok.col <= character && character < p.tok.end) ?? list.find((p) => p.tok.end === character);
}

/** Named (non-local) definitions of a symbol. */
export function defsNamed(a: Analysis, name: string): Def[] {
  return a.defs.filter((d) => d.kind !== 'local' && d.name === name);
}

/** The definition a token refers to (a label/constant by name, or the local label a 1f/1b resolves to). */
export function definitionOf(a: Analysis, p: Placed): Def | undefined {
  const t = p.tok;
  if (t.kind === 'local') return a.refs.find((r) => r.line === t.line && r.col === t.col)?.local;
  if (p.role === 'label' && t.kind === 'num') return a.defs.find((d) => d.line === t.line && d.col === t.col);
  if (t.kind !== 'ident') return undefined;
  const own = a.defs.find((d) => d.line === t.line && d.col === t.col);
  return own ?? defsNamed(a, t.text)[0];
}

/** Every reference to a definition (named symbols by name; local labels by resolution). */
export function referencesTo(a: Analysis, def: Def): Ref[] {
  if (def.kind === 'local') return a.refs.filter((r) => r.local === def);
  return a.refs.filter((r) => !r.localText && r.name === def.name);
}
