// Document outline: labels and constants, grouped under the section they are in when the file switches sections.
import { DocumentSymbol, Range, SymbolKind } from 'vscode-languageserver';
import { Analysis } from './analysis';
import { hex } from './hover';
import { Def } from './scan';

const lineRange = (from0: number, to0: number, a: Analysis): Range =>
  ({ start: { line: from0, character: 0 }, end: { line: to0, character: (a.lines[to0] ?? '').length } });

function symbolOf(a: Analysis, d: Def, endLine0: number): DocumentSymbol {
  const sel: Range = { start: { line: d.line - 1, character: d.col }, end: { line: d.line - 1, character: d.end } };
  const kind = d.kind === 'constant' ? SymbolKind.Constant : d.section.includes('text') ? SymbolKind.Function : SymbolKind.Variable;
  const detail = d.value === undefined ? undefined : d.kind === 'constant' ? String(d.value) : hex(d.value);
  const full = lineRange(d.line - 1, Math.max(d.line - 1, endLine0), a);
  full.start.character = 0;
  return { name: d.name, kind, detail, range: full, selectionRange: sel };
}

/** Labels (non-local) and constants with ranges up to the next one. */
function flat(a: Analysis, defs: Def[], lastLine0: number): DocumentSymbol[] {
  return defs.map((d, i) => symbolOf(a, d, (defs[i + 1]?.line ?? lastLine0 + 2) - 2));
}

const before = (a: { line: number; col: number }, b: { line: number; col: number }): boolean =>
  a.line < b.line || (a.line === b.line && a.col < b.col);

/** Sections (those holding a definition) containing their labels and constants; flat when the file never switches. */
export function outline(a: Analysis): DocumentSymbol[] {
  const defs = a.defs.filter((d) => d.kind !== 'local');
  const last0 = Math.max(0, a.lines.length - 1);
  if (a.sections.length === 0) return flat(a, defs, last0);
  const out: DocumentSymbol[] = [];
  const starts = [{ name: '.text', line: 1, col: 0, end: 0 }, ...a.sections];
  starts.forEach((s, i) => {
    const next = starts[i + 1];
    const end0 = next ? next.line - 2 : last0;
    const inside = defs.filter((d) => !before(d, s) && (!next || before(d, next)));
    if (inside.length === 0) return;
    const range = lineRange(s.line - 1, Math.max(s.line - 1, end0), a);
    const sel: Range = { start: { line: s.line - 1, character: s.col }, end: { line: s.line - 1, character: Math.max(s.end, s.col) } };
    out.push({ name: s.name, kind: SymbolKind.Module, range, selectionRange: sel, children: flat(a, inside, Math.max(s.line - 1, end0)) });
  });
  return out;
}
