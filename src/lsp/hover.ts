// Hover texts: instructions (with the words this line assembled to), registers, CSRs, symbols, directives, device addresses.
import { Hover, MarkupKind } from 'vscode-languageserver';
import { disassemble } from '../machine/disasm';
import { Analysis, definitionOf, tokenAt } from './analysis';
import { baseAddressFor, constantAround } from './values';
import { csrDoc } from './data/csrs';
import { deviceAt } from './data/devices';
import { directiveDoc } from './data/directives';
import { instrDoc } from './data/instructions';
import { registerDoc } from './data/registers';
import { Def, Placed } from './scan';

import { hex8 as hex } from '../machine/abi';

export { hex };

/** What the statement on `line` assembled to, disassembled (empty when it did not assemble). */
function assembledWords(a: Analysis, line: number): string[] {
  const out: string[] = [];
  for (const row of a.asm.listing ?? []) {
    if (row.line !== line) continue;
    for (let off = 0; off < row.bytes.length && out.length < 8;) {
      const d = disassemble(row.bytes.subarray(off), row.addr + off);
      out.push(`${hex(row.addr + off)}: ${d.text}`);
      off += d.length;
    }
  }
  return out;
}

function instructionHover(a: Analysis, p: Placed): string | undefined {
  const doc = instrDoc(p.tok.text);
  if (!doc) return undefined;
  const parts = [`**${doc.mnemonic}** — ${doc.meaning}`, '```lockstep-asm\n' + doc.syntax + '\n```'];
  if (doc.expansion) parts.push(`Expands to: \`${doc.expansion}\``);
  const words = assembledWords(a, p.tok.line);
  if (words.length) parts.push('This line assembles to:\n```\n' + words.join('\n') + '\n```');
  return parts.join('\n\n');
}

export function deviceText(addr: number): string | undefined {
  const hit = deviceAt(addr);
  if (!hit) return undefined;
  const where = `${hex(addr)} is in **${hit.device.name}** (base ${hex(hit.device.base)}, offset 0x${hit.offset.toString(16)})`;
  const reg = hit.register;
  return reg ? `${where}: register **${reg.name}** (${reg.width * 8}-bit) — ${reg.meaning}` : where;
}

function symbolHover(_a: Analysis, d: Def): string {
  const what = d.kind === 'constant' ? 'constant' : d.kind === 'local' ? `local label \`${d.name}:\`` : 'label';
  const title = d.kind === 'local' ? `**${what}**` : `**${what}** \`${d.name}\``;
  const lines = [`${title} — defined at line ${d.line}${d.kind === 'constant' ? '' : ` in \`${d.section}\``}`];
  if (d.value !== undefined) lines.push(d.kind === 'constant' ? `value ${d.value} (${hex(d.value)})` : `address ${hex(d.value)}`);
  const dev = d.kind === 'constant' && d.value !== undefined && d.value >= 0x100000 ? deviceText(d.value) : undefined;
  if (dev) lines.push(dev);
  return lines.join('\n\n');
}

function registerHover(name: string): string | undefined {
  const r = registerDoc(name);
  return r && `**${r.abi}** (x${r.num}) — ${r.role}${r.saver === '—' ? '' : `; ${r.saver}`}`;
}

function csrHover(name: string): string | undefined {
  const c = csrDoc(name);
  if (!c) return undefined;
  const head = `**${c.name}** (CSR 0x${c.num.toString(16).padStart(3, '0')}) — ${c.meaning}`;
  const note = c.implemented ? '' : '\n\nNot implemented by the Lockstep machine: accessing it traps (illegal instruction).';
  return head + (c.fields.length ? '\n\n' + c.fields.map((f) => `- ${f}`).join('\n') : '') + note;
}

/** Device register an `offset(base)` operand reaches, when the base was loaded with li/lui just before. */
function effectiveAddressText(a: Analysis, p: Placed, offset: number): string | undefined {
  const base = baseAddressFor(a, p);
  return base === undefined ? undefined : deviceText((base + offset) >>> 0);
}

function operandHover(a: Analysis, p: Placed): string | undefined {
  const t = p.tok;
  if (t.kind === 'local') { const d = definitionOf(a, p); return d ? symbolHover(a, d) : `\`${t.text}\`: no matching local label`; }
  if (t.kind === 'num') return deviceText(constantAround(a, p) ?? Number(t.value ?? 0n)) ?? effectiveAddressText(a, p, Number(t.value ?? 0n));
  if (t.kind !== 'ident') return undefined;
  const isCsrOp = /^(csr|rd)/i.test(p.head?.text ?? '');
  if (isCsrOp && csrDoc(t.text)) return csrHover(t.text);
  const reg = registerHover(t.text);
  if (reg) return reg + (effectiveAddressText(a, p, 0) ? `\n\n${effectiveAddressText(a, p, 0)}` : '');
  const d = definitionOf(a, p);
  if (d) {
    const eff = d.kind === 'constant' && d.value !== undefined ? effectiveAddressText(a, p, d.value) : undefined;
    return symbolHover(a, d) + (eff ? `\n\n${eff}` : '');
  }
  return csrHover(t.text);
}

function hoverText(a: Analysis, p: Placed): string | undefined {
  const t = p.tok;
  if (p.role === 'label') { const d = definitionOf(a, p); return d && symbolHover(a, d); }
  if (p.role === 'operand') return operandHover(a, p);
  if (t.kind !== 'ident') return undefined;
  if (t.text.startsWith('.')) { const d = directiveDoc(t.text); return d && `**${t.text.toLowerCase()}** — ${d}`; }
  const own = a.defs.find((d) => d.line === t.line && d.col === t.col);
  return own ? symbolHover(a, own) : instructionHover(a, p);
}

export function hover(a: Analysis, line0: number, character: number): Hover | null {
  const p = tokenAt(a, line0, character);
  if (!p) return null;
  const text = hoverText(a, p);
  if (!text) return null;
  const range = { start: { line: line0, character: p.tok.col }, end: { line: line0, character: p.tok.end } };
  return { contents: { kind: MarkupKind.Markdown, value: text }, range };
}
