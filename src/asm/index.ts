// Public API of the guest assembler: assemble(source, opts) -> diagnostics + Program, and writeElf.
import { Assembler } from './assembler';
import { rememberRvc } from './elf-writer';
import { Layout } from './layout';
import { expandMacros, Expanded } from './macros';
import { buildOutput, definitions, Output } from './output';
import { AsmDiagnostic, AsmOptions, AsmResult } from './types';

export { writeElf } from './elf-writer';
export type { AsmDiagnostic, AsmOptions, AsmResult, ListingRow, SymbolDefinition } from './types';
export { allMnemonics } from './instructions';
export { csrNames } from './registers';

export const DEFAULT_TEXT_BASE = 0x80000000;

/** Assembles GNU as syntax RV32IMAC source. Never throws: problems become diagnostics. */
export function assemble(source: string, opts: AsmOptions = {}): AsmResult {
  const fileName = opts.fileName ?? 'input.s';
  const a = new Assembler(fileName, !!opts.rvc);
  try {
    const ex = expandMacros(source);
    a.run(ex.text);
    const layout = new Layout(a, (opts.textBase ?? DEFAULT_TEXT_BASE) >>> 0);
    layout.run();
    const out = buildOutput(a, layout, fileName);
    mapLines(ex, source, a.diags, out);
    for (const e of ex.errors) a.error(e.message, { line: e.line, col: 0, end: source.split('\n')[e.line - 1]?.length ?? 1 });
    const ok = !a.diags.some((d) => d.severity === 'error');
    if (ok) rememberRvc(out.program, out.usesRvc);
    const defs = definitions(a);
    if (ex.lineMap) for (const d of defs) d.line = ex.lineMap[d.line - 1] ?? d.line;
    return { ok, diagnostics: sorted(a.diags), program: ok ? out.program : undefined, listing: out.listing, usesRvc: out.usesRvc, definitions: defs };
  } catch (e) {
    a.error(`internal assembler error: ${e instanceof Error ? e.message : String(e)}`, { line: 1, col: 0, end: 1 });
    return { ok: false, diagnostics: sorted(a.diags) };
  }
}

/** Maps lines of macro-expanded text back to the source (a diagnostic inside an expansion covers the whole call line). */
function mapLines(ex: Expanded, source: string, diags: AsmDiagnostic[], out: Output): void {
  const map = ex.lineMap;
  if (!map) return;
  const src = source.split('\n');
  const exp = ex.text.split('\n');
  const to = (l: number): number => map[l - 1] ?? l;
  for (const d of diags) {
    const orig = to(d.line);
    if (exp[d.line - 1] !== src[orig - 1]) { d.column = 0; d.endColumn = Math.max(1, src[orig - 1]?.length ?? 1); }
    d.line = d.endLine = orig;
  }
  for (const r of out.program.lines) if (!r.endSequence) r.line = to(r.line);
  for (const r of out.listing) r.line = to(r.line);
}

function sorted<T extends { line: number; column: number }>(d: T[]): T[] {
  return [...d].sort((x, y) => x.line - y.line || x.column - y.column);
}
