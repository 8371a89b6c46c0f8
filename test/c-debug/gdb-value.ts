// Parses GDB's C value syntax (as `print`, `info locals` and `bt` show it, pretty printing off) into a Value tree.
//
// What it reads, by example:
//   {a = 1, b = {c = 2}}                 struct or union (an anonymous member has the name '')
//   {1, 2, 3}   {{1, 2}, {3, 4}}   {0 <repeats 16 times>, 1}        arrays; <repeats N times> kept as a count
//   (struct s *) 0x80001000 <g+8>   0x80000300 "hi"   {int (int, int)} 0x800000c0 <add>   pointers
//   80 'P'                               a char: its number and its literal
//   "hello\000"   "ab", '\000' <repeats 14 times>   '\000' <repeats 23 times>   char arrays as GDB prints them
//   BLUE   (P_READ | P_EXEC)   (unknown: 0x8)   true   -3   1.5          scalars
//   <optimized out>   <synthetic pointer>   <error: Cannot access memory at address 0x0>   special values
// Every node keeps its own text exactly as printed, so a comparison can be made node by node or on the whole.
// One ambiguity is inherent in GDB's syntax: `{'\000' <repeats 9 times>, '\000' <repeats 9 times>}` may be two
// char arrays or one array's run of segments; it is read as one string (both sides of a comparison read it alike).

export type Value =
  | { kind: 'scalar'; text: string }
  | { kind: 'char'; text: string; code: number; literal: string }
  | { kind: 'pointer'; text: string; type?: string; address: string; symbol?: string; string?: string }
  | { kind: 'string'; text: string }
  | { kind: 'struct'; text: string; fields: Field[] }
  | { kind: 'array'; text: string; elements: Element[] }
  | { kind: 'special'; text: string }
  /** Text this parser could not read, kept whole (the oracle's tests require that none occurs on the corpus). */
  | { kind: 'unparsed'; text: string };

export interface Field { name: string; value: Value }
/** One printed element; `index` counts the elements that `<repeats N times>` stood for before it. */
export interface Element { index: number; value: Value; repeats?: number }

/** Thrown for text that is not GDB value syntax as this parser knows it. */
export class ValueSyntaxError extends Error {}

class Cursor {
  i = 0;
  constructor(readonly s: string) {}
  get done(): boolean { return this.i >= this.s.length; }
  peek(): string { return this.s[this.i] ?? ''; }
  at(t: string): boolean { return this.s.startsWith(t, this.i); }
  match(re: RegExp): RegExpExecArray | null {
    const sticky = new RegExp(re.source, 'y');
    sticky.lastIndex = this.i;
    return sticky.exec(this.s);
  }
  skip(re: RegExp): RegExpExecArray | null {
    const m = this.match(re);
    if (m !== null) this.i += m[0].length;
    return m;
  }
  eat(t: string): void {
    if (!this.at(t)) this.fail(`expected ${JSON.stringify(t)}`);
    this.i += t.length;
  }
  fail(what: string): never {
    throw new ValueSyntaxError(`${what} at ${this.i} in ${JSON.stringify(this.s)}`);
  }
}

/** Index just past the bracket that closes the one at `from` (quoted literals and `<…>` inside skipped whole). */
function closing(s: string, from: number): number {
  if (s[from] === '<') return angleEnd(s, from);
  const stack: string[] = [];
  const pairs: Record<string, string> = { '(': ')', '{': '}', '[': ']' };
  for (let i = from; i < s.length; i++) {
    const ch = s[i];
    if (ch === '"' || ch === "'") i = quoteEnd(s, i) - 1;
    else if (ch === '<') i = angleEnd(s, i) - 1;
    else if (pairs[ch] !== undefined) stack.push(pairs[ch]);
    else if (ch === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) return i + 1;
    }
  }
  throw new ValueSyntaxError(`unclosed ${s[from]} at ${from} in ${JSON.stringify(s)}`);
}

/** Index just past the `>` that closes the `<` at `from`: GDB's notes (`<error: Can't …>`) may hold any quote. */
function angleEnd(s: string, from: number): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '<') depth++;
    else if (s[i] === '>' && --depth === 0) return i + 1;
  }
  throw new ValueSyntaxError(`unclosed < at ${from} in ${JSON.stringify(s)}`);
}

/** Index just past the quoted literal that starts at `from`. */
function quoteEnd(s: string, from: number): number {
  const q = s[from];
  for (let i = from + 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === q) return i + 1;
  }
  throw new ValueSyntaxError(`unterminated ${q} at ${from} in ${JSON.stringify(s)}`);
}

function take(c: Cursor, end: number): string {
  const t = c.s.slice(c.i, end);
  c.i = end;
  return t;
}

/** `<…>` with its brackets: a special value, a symbol, or a suffix such as `<incomplete sequence \303>`. */
function angle(c: Cursor): string {
  return take(c, angleEnd(c.s, c.i));
}

/** A run of quoted segments (`"ab", '\000' <repeats 9 times>, "cd"`): one char array as GDB prints it. A char
    literal stands alone only with its repeat count; a `"…"` after `, ` belongs to the run only beside such a count. */
function charArray(c: Cursor): Value {
  const start = c.i;
  for (;;) {
    const quote = c.peek();
    take(c, quoteEnd(c.s, c.i));
    const repeats = c.skip(REPEATS) !== null;
    if (quote === "'" && !repeats) c.fail('a char literal outside a run of repeats');
    suffixes(c);
    const next = c.s[c.i + 2];
    const more = c.at(', ') && (next === '"' || next === "'") && (repeats || repeatsAt(c.s, quoteEnd(c.s, c.i + 2)));
    if (!more) return { kind: 'string', text: c.s.slice(start, c.i) };
    c.i += 2;
  }
}

const REPEATS = / <repeats (\d+) times>/;
const NUMBER = /-?(?:0x[0-9a-f]+|\d+(?:\.\d+)?(?:e[-+]?\d+)?|inf\b|nan\(0x[0-9a-f]+\))/;
const FIELD = /([A-Za-z_]\w*) = /;
const NO_FIELDS = '<No data fields>';

function repeatsAt(s: string, i: number): boolean {
  return s.startsWith(' <repeats ', i);
}

/** What GDB may append to a string: `<incomplete sequence \303>`, or `...` when it stopped at `print elements`. */
function suffixes(c: Cursor): void {
  if (c.at(' <') && !c.at(' <repeats')) { c.i++; angle(c); }
  c.skip(/\.\.\./);
}

/** A number, possibly followed by its char literal (80 'P'), or an address with its symbol and string. */
function numeric(c: Cursor, type?: string): Value {
  const start = c.i;
  const m = c.skip(NUMBER) ?? c.fail('expected a number');
  if (m[0].startsWith('0x') || type !== undefined) return pointerRest(c, start, m[0], type);
  if (!c.at(" '")) return { kind: 'scalar', text: m[0] };
  c.i++;
  const literal = take(c, quoteEnd(c.s, c.i));
  return { kind: 'char', text: c.s.slice(start, c.i), code: Number(m[0]), literal };
}

function pointerRest(c: Cursor, start: number, address: string, type?: string): Value {
  const v: Extract<Value, { kind: 'pointer' }> = { kind: 'pointer', text: '', address };
  if (type !== undefined) v.type = type;
  if (c.at(' <') && !repeatsAt(c.s, c.i)) { c.i++; v.symbol = angle(c).slice(1, -1); }
  if (c.at(' "')) {
    const s = ++c.i;
    take(c, quoteEnd(c.s, c.i));
    suffixes(c);
    v.string = c.s.slice(s, c.i);
  }
  v.text = c.s.slice(start, c.i);
  return v;
}

/** `(…)`: a cast before a pointer (`(struct s *) 0x…`, `(int *) <synthetic pointer>`) or a flag-enum value
    (`(A | B)`, `(unknown: 0x8)`). */
function parenthesised(c: Cursor): Value {
  const start = c.i;
  const group = take(c, closing(c.s, c.i));
  if (!c.at(' ')) return { kind: 'scalar', text: group };
  c.i++;
  if (c.at('<')) { angle(c); return { kind: 'special', text: c.s.slice(start, c.i) }; }
  return { ...numeric(c, group.slice(1, -1)), text: c.s.slice(start, c.i) };
}

/** `{…}`: a function's type before its address, a struct or union, or an array. */
function braced(c: Cursor): Value {
  const start = c.i;
  const end = closing(c.s, c.i);
  if (c.s.startsWith(' 0x', end)) {
    const type = c.s.slice(c.i + 1, end - 1);
    c.i = end + 1;
    return { ...numeric(c, type), text: c.s.slice(start, c.i) };
  }
  c.eat('{');
  const v = isStruct(c.s, start, end) ? members(c) : elements(c);
  c.eat('}');
  return { ...v, text: c.s.slice(start, c.i) };
}

/** A brace holds a struct when it is empty or any entry at its own level is `name = …` (an anonymous member is not). */
function isStruct(s: string, open: number, end: number): boolean {
  for (let i = open + 1; i < end - 1; ) {
    if (s[i] === '}' || s.startsWith(NO_FIELDS, i)) return true;
    const field = new RegExp(FIELD.source, 'y');
    field.lastIndex = i;
    if (field.test(s)) return true;
    i = entryEnd(s, i, end - 1) + 2;
  }
  return end - open === 2;
}

/** Index of the `, ` (or the closing brace) that ends the entry starting at `i`. */
function entryEnd(s: string, i: number, close: number): number {
  while (i < close && !s.startsWith(', ', i)) {
    if (s[i] === '"' || s[i] === "'") i = quoteEnd(s, i);
    else if ('({<['.includes(s[i])) i = closing(s, i);
    else i++;
  }
  return i;
}

function members(c: Cursor): Extract<Value, { kind: 'struct' }> {
  const fields: Field[] = [];
  while (!c.at('}')) {
    if (c.at(NO_FIELDS)) { c.i += NO_FIELDS.length; break; }
    const m = c.skip(FIELD);
    fields.push({ name: m?.[1] ?? '', value: value(c) });
    if (!c.at('}')) c.eat(', ');
  }
  return { kind: 'struct', text: '', fields };
}

function elements(c: Cursor): Extract<Value, { kind: 'array' }> {
  const list: Element[] = [];
  let index = 0;
  while (!c.at('}')) {
    const e: Element = { index, value: value(c) };
    const m = c.skip(REPEATS);
    if (m !== null) e.repeats = Number(m[1]);
    list.push(e);
    index += e.repeats ?? 1;
    if (c.skip(/\.\.\./) !== null) break;
    if (!c.at('}')) c.eat(', ');
  }
  return { kind: 'array', text: '', elements: list };
}

/** One value at the cursor; leaves the cursor just after it. */
function value(c: Cursor): Value {
  const ch = c.peek();
  if (ch === '{') return braced(c);
  if (ch === '(') return parenthesised(c);
  if (ch === '<') return { kind: 'special', text: angle(c) };
  if (ch === '"' || ch === "'") return charArray(c);
  if (c.match(NUMBER) !== null) return numeric(c);
  const m = c.skip(/[A-Za-z_]\w*/) ?? c.fail('expected a value');
  return { kind: 'scalar', text: m[0] };
}

/** Parses one whole value as GDB printed it (no `$1 = ` prefix, no trailing newline). */
export function parseValue(text: string): Value {
  const c = new Cursor(text);
  const v = value(c);
  if (!c.done) c.fail('unexpected text after the value');
  return v;
}

/** Parses a value at `from` inside a longer line (a `bt` argument); returns it and the index just past it. */
export function parseValueAt(text: string, from: number): { value: Value; end: number } {
  const c = new Cursor(text);
  c.i = from;
  const v = value(c);
  return { value: v, end: c.i };
}
