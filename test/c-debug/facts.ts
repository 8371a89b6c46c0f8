// What a C debugger shows at a stop (frames, arguments, locals, printed expressions) as facts, and their comparison fact by fact.
//
// The GDB oracle (test/helpers/gdb-oracle.ts) reports these facts from GDB's own text; the adapter side reports
// the same shapes from what it shows. Values are trees of GDB's value syntax (./gdb-value.ts), each node keeping
// its text as printed; a comparison flattens both sides to leaves and compares their texts.

import type { Value } from './gdb-value';

export type { Value } from './gdb-value';

/** One name and its value: an argument (in `bt` or `info args`) or a local (`info locals`). */
export interface Binding {
  /** As printed: `x`, or `x@entry` for a parameter's value at entry shown on its own. */
  name: string;
  value: Value;
  /** `bt` printed `x=x@entry=5`: the value is known to equal the value at entry. */
  atEntry?: boolean;
}

export interface FrameFact {
  level: number;
  function: string;
  /** Base name of the source file (`types.c`), null when the frame has no line information. */
  file: string | null;
  line: number | null;
  /** An inlined call: no frame of its own in memory, only in the debug information. */
  inlined: boolean;
  /** The arguments as `bt` shows them. */
  args: Binding[];
}

export interface PrintFact {
  expr: string;
  /** GDB's value, or a special `<error: …>` value holding the message when the expression failed. */
  value: Value;
}

export interface StopFacts {
  /** The stop's name in the plan (test/c-debug/corpus.ts). */
  stop: string;
  reached: boolean;
  /** Innermost first, down to main. */
  frames: FrameFact[];
  /** `info args` and `info locals` of the innermost frame; locals innermost block first, so a shadowed name repeats. */
  args: Binding[];
  locals: Binding[];
  prints: PrintFact[];
  /** What went wrong on the way (a command's error), for the reader; not compared. */
  notes: string[];
}

export interface Comparison { equal: number; total: number; mismatches: string[] }

/** Collapses runs of white space to one space outside quoted literals, and trims. */
export function normaliseText(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      const end = literalEnd(text, i);
      out += text.slice(i, end);
      i = end - 1;
    } else if (/\s/.test(ch)) {
      if (!out.endsWith(' ')) out += ' ';
    } else out += ch;
  }
  return out.trim();
}

function literalEnd(text: string, from: number): number {
  for (let i = from + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === text[from]) return i + 1;
  }
  return text.length;
}

/** The leaves of a value tree by path: struct members `.name` (anonymous `.#i`), array elements `[index]`. */
export function valueLeaves(path: string, v: Value, out: Map<string, string>): void {
  if (v.kind === 'struct' && v.fields.length > 0) {
    v.fields.forEach((f, i) => valueLeaves(`${path}.${f.name === '' ? `#${i}` : f.name}`, f.value, out));
  } else if (v.kind === 'array' && v.elements.length > 0) {
    for (const e of v.elements) {
      valueLeaves(`${path}[${e.index}]`, e.value, out);
      if (e.repeats !== undefined) out.set(`${path}[${e.index}]<repeats>`, String(e.repeats));
    }
  } else out.set(path, normaliseText(v.text));
}

/** Bindings by name; a repeated name (shadowing, or x and x@entry) gets `#2`, `#3` … in order. */
function bindingLeaves(path: string, list: Binding[], out: Map<string, string>): void {
  const seen = new Map<string, number>();
  for (const b of list) {
    const n = (seen.get(b.name) ?? 0) + 1;
    seen.set(b.name, n);
    const at = `${path}(${b.name}${n > 1 ? `#${n}` : ''})`;
    valueLeaves(at, b.value, out);
    if (b.atEntry) out.set(`${at}@entry`, 'same');
  }
}

/** Every fact of one stop as path → text. */
export function stopLeaves(s: StopFacts): Map<string, string> {
  const out = new Map<string, string>();
  const p = s.stop;
  out.set(`${p}.reached`, String(s.reached));
  out.set(`${p}.depth`, String(s.frames.length));
  for (const f of s.frames) {
    const at = `${p}.frame[${f.level}]`;
    out.set(`${at}.function`, f.function);
    out.set(`${at}.file`, String(f.file));
    out.set(`${at}.line`, String(f.line));
    out.set(`${at}.inlined`, String(f.inlined));
    bindingLeaves(`${at}.arg`, f.args, out);
  }
  bindingLeaves(`${p}.arg`, s.args, out);
  bindingLeaves(`${p}.local`, s.locals, out);
  for (const pr of s.prints) valueLeaves(`${p}.print(${pr.expr})`, pr.value, out);
  return out;
}

/** Compares our facts with the oracle's, stop by stop (by name), leaf by leaf: equal texts after normalising white
    space. A leaf on one side only is a mismatch; `<optimized out>` equals only itself. */
export function compareFacts(oracle: StopFacts[], ours: StopFacts[]): Comparison {
  const mine = new Map(ours.map((s) => [s.stop, s]));
  const known = new Set(oracle.map((s) => s.stop));
  const result: Comparison = { equal: 0, total: 0, mismatches: [] };
  for (const u of ours.filter((s) => !known.has(s.stop))) {
    result.total++;
    result.mismatches.push(`${u.stop}: a stop the oracle does not have`);
  }
  for (const o of oracle) {
    const u = mine.get(o.stop);
    const a = stopLeaves(o);
    const b = u === undefined ? new Map<string, string>() : stopLeaves(u);
    for (const path of new Set([...a.keys(), ...b.keys()])) {
      result.total++;
      const [x, y] = [a.get(path), b.get(path)];
      if (x !== undefined && x === y) result.equal++;
      else result.mismatches.push(`${path}: gdb ${x ?? '(none)'} | ours ${y ?? '(none)'}`);
    }
  }
  return result;
}
