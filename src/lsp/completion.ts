// Completion by context: mnemonics at the head, directives after '.', CSR names in csr* operands,
// registers and symbols in other operands. Items replace the word being typed (dots included).
import { CompletionItem, CompletionItemKind, Position } from 'vscode-languageserver';
import { Analysis } from './analysis';
import { allCsrNames, csrDoc } from './data/csrs';
import { directiveDoc, directiveNames } from './data/directives';
import { instrDoc, mnemonics } from './data/instructions';
import { REGISTERS } from './data/registers';

/** Which operand of each CSR instruction names the CSR. */
const CSR_OPERAND: Record<string, number> = { csrr: 1, csrrw: 1, csrrs: 1, csrrc: 1, csrrwi: 1, csrrsi: 1, csrrci: 1,
  csrw: 0, csrs: 0, csrc: 0, csrwi: 0, csrsi: 0, csrci: 0 };
const OPTIONS = ['rvc', 'norvc', 'push', 'pop', 'relax', 'norelax', 'pic', 'nopic', 'arch'];
const SECTIONS = ['.text', '.data', '.rodata', '.bss'];

interface Context {
  prefix: string;
  head?: string;
  operand: number;
}

/** The statement text before the cursor, without comments, strings or leading labels. */
function context(lineText: string, character: number): Context | undefined {
  let s = lineText.slice(0, character);
  if (/#|\/\/|"/.test(s)) return undefined;
  s = s.slice(s.lastIndexOf(';') + 1).replace(/^\s*(?:(?:[A-Za-z_.$][\w.$]*|\d+)\s*:\s*)*/, '');
  const prefix = /[\w.$]*$/.exec(s)![0];
  const m = /^([\w.$]+)\s+(.*)$/.exec(s);
  if (!m) return /^[\w.$]*$/.test(s) ? { prefix, operand: 0 } : undefined;
  return { prefix, head: m[1].toLowerCase(), operand: (m[2].match(/,/g) ?? []).length };
}

function item(label: string, kind: CompletionItemKind, detail: string | undefined, ctx: Context, pos: Position): CompletionItem {
  const range = { start: { line: pos.line, character: pos.character - ctx.prefix.length }, end: pos };
  return { label, kind, detail, textEdit: { range, newText: label } };
}

function headItems(ctx: Context, pos: Position): CompletionItem[] {
  if (ctx.prefix.startsWith('.')) {
    return directiveNames().map((d) => item(d, CompletionItemKind.Keyword, directiveDoc(d), ctx, pos));
  }
  return mnemonics().map((m) => {
    const doc = instrDoc(m);
    return item(m, CompletionItemKind.Function, doc ? `${doc.syntax} — ${doc.meaning}` : undefined, ctx, pos);
  });
}

function symbolItems(a: Analysis, ctx: Context, pos: Position): CompletionItem[] {
  const seen = new Set<string>();
  const out: CompletionItem[] = [];
  for (const d of a.defs) {
    if (d.kind === 'local' || seen.has(d.name)) continue;
    seen.add(d.name);
    const kind = d.kind === 'constant' ? CompletionItemKind.Constant : CompletionItemKind.Reference;
    out.push(item(d.name, kind, `${d.kind} (line ${d.line})`, ctx, pos));
  }
  return out;
}

function operandItems(a: Analysis, ctx: Context, pos: Position): CompletionItem[] {
  const head = ctx.head!;
  if (head === '.option') return ctx.operand === 0 ? OPTIONS.map((o) => item(o, CompletionItemKind.Keyword, undefined, ctx, pos)) : [];
  if (head === '.section' || head === '.pushsection') return SECTIONS.map((s) => item(s, CompletionItemKind.Module, undefined, ctx, pos));
  if (CSR_OPERAND[head] === ctx.operand) {
    return allCsrNames().map((c) => item(c, CompletionItemKind.Property, `CSR 0x${csrDoc(c)!.num.toString(16)} — ${csrDoc(c)!.meaning}`, ctx, pos));
  }
  const syms = symbolItems(a, ctx, pos);
  if (head.startsWith('.')) return syms;
  const regs = REGISTERS.map((r) => item(r.abi, CompletionItemKind.Variable, `x${r.num} — ${r.role}`, ctx, pos));
  return [...regs, ...syms];
}

export function complete(a: Analysis, pos: Position): CompletionItem[] {
  const ctx = context(a.lines[pos.line] ?? '', pos.character);
  if (!ctx || /^[0-9]/.test(ctx.prefix)) return [];
  return ctx.head === undefined ? headItems(ctx, pos) : operandItems(a, ctx, pos);
}
