// Reads GDB's CLI text (`bt`, `info args`, `info locals`, `print`) into the facts of ./facts.ts.

import type { Binding, FrameFact } from './facts';
import { parseValue, parseValueAt, ValueSyntaxError, type Value } from './gdb-value';

/** A value from GDB's text; text the parser cannot read is kept whole as `unparsed`. */
export function readValue(text: string): Value {
  try {
    return parseValue(text);
  } catch (e) {
    if (e instanceof ValueSyntaxError) return { kind: 'unparsed', text };
    throw e;
  }
}

/** `$1 = VALUE` → VALUE. */
export function readPrinted(text: string): Value {
  const m = /^\$\d+ = (.*)$/s.exec(text.trimEnd());
  return m === null ? { kind: 'unparsed', text } : readValue(m[1]);
}

/** `info args` / `info locals`: one `name = value` a line; `No arguments.` / `No locals.` is none. */
export function readBindings(text: string): Binding[] {
  const out: Binding[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || /^No (arguments|locals|symbol table info available)\.$/.test(line)) continue;
    const m = /^([A-Za-z_]\w*(?:@entry)?) = (.*)$/.exec(line);
    out.push(m === null ? { name: '?', value: { kind: 'unparsed', text: line } } : { name: m[1], value: readValue(m[2]) });
  }
  return out;
}

const FRAME = /^#(\d+)\s+(?:0x[0-9a-f]+ in )?(\S+) \(/;

/** `bt`: one frame a line (`#1  0x800003f8 in main () at ./types.c:72`); `inlined` is per level, innermost first. */
export function readBacktrace(text: string, inlined: boolean[]): FrameFact[] {
  const frames: FrameFact[] = [];
  for (const line of text.split('\n')) {
    const m = FRAME.exec(line);
    if (m === null) continue; // "Backtrace stopped: …" and the like
    const { args, end } = readFrameArgs(line, m[0].length);
    const where = /^ at (.*):(\d+)$/.exec(line.slice(end));
    const level = Number(m[1]);
    frames.push({
      level, function: m[2], args, inlined: inlined[level] ?? false,
      file: where === null ? null : baseName(where[1]), line: where === null ? null : Number(where[2]),
    });
  }
  return frames;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** `name=value, …)` from `from` up to the closing parenthesis: `x=5`, `x=x@entry=5`, `x@entry=5`. */
function readFrameArgs(line: string, from: number): { args: Binding[]; end: number } {
  const args: Binding[] = [];
  let i = from;
  while (line[i] !== ')') {
    const m = /^([A-Za-z_]\w*(?:@entry)?)=/.exec(line.slice(i));
    if (m === null) return { args: [...args, { name: '?', value: { kind: 'unparsed', text: line.slice(i) } }], end: line.length };
    i += m[0].length;
    const same = `${m[1]}@entry=`;
    const atEntry = line.startsWith(same, i);
    if (atEntry) i += same.length;
    const { value, end } = readArgValue(line, i);
    args.push(atEntry ? { name: m[1], value, atEntry } : { name: m[1], value });
    i = line.startsWith(', ', end) ? end + 2 : end;
  }
  return { args, end: i + 1 };
}

function readArgValue(line: string, from: number): { value: Value; end: number } {
  try {
    return parseValueAt(line, from);
  } catch (e) {
    if (!(e instanceof ValueSyntaxError)) throw e;
    return { value: { kind: 'unparsed', text: line.slice(from) }, end: line.length - 1 };
  }
}
