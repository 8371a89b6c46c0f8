// Assembler directives: sections, symbols, data, strings, space/fill, alignment, .option, and the accepted no-ops.
import type { Assembler } from './assembler';
import { Expr } from './expressions';
import { Token } from './lexer';
import { spanOf, splitOperands } from './operands';
import { AsmError, Span } from './types';

type Handler = (a: Assembler, args: Token[][], head: Token) => void;

const MAX_SPACE = 64 * 1024 * 1024;

function arg(args: Token[][], i: number, head: Token): Token[] {
  const op = args[i];
  if (!op || op.length === 0) throw new AsmError(`${head.text}: missing operand ${i + 1}`, head);
  return op;
}

function expr(a: Assembler, op: Token[], head: Token): Expr {
  return a.parseWhole(op, 0, head);
}

function constant(a: Assembler, op: Token[], head: Token, what: string): bigint {
  const v = a.constValue(expr(a, op, head));
  if (v === undefined) throw new AsmError(`${what} must be a constant`, spanOf(op));
  return v;
}

function symbolName(op: Token[]): Token {
  if (op.length !== 1 || (op[0].kind !== 'ident' && op[0].kind !== 'str')) throw new AsmError('expected a symbol name', spanOf(op));
  return op[0].kind === 'str' ? { ...op[0], text: String.fromCharCode(...(op[0].bytes ?? [])) } : op[0];
}

function spanAll(head: Token, args: Token[][]): Span {
  const last = args.length && args[args.length - 1].length ? args[args.length - 1] : [head];
  return { line: head.line, col: head.col, end: last[last.length - 1].end };
}

function pushBytes(a: Assembler, bytes: Uint8Array, span: Span): void {
  if (a.sect.kind === 'bss' && bytes.some((b) => b !== 0)) throw new AsmError(`non-zero data in ${a.sect.name}`, span);
  a.addItem({ t: 'bytes', bytes, offset: 0, size: bytes.length, span });
}

export function littleEndian(v: bigint, width: number): Uint8Array {
  const out = new Uint8Array(width);
  let u = BigInt.asUintN(width * 8, v);
  for (let i = 0; i < width; i++) { out[i] = Number(u & 0xffn); u >>= 8n; }
  return out;
}

/** Warns when a constant does not fit `width` bytes (signed or unsigned). */
export function checkFits(a: Assembler, v: bigint, width: number, span: Span): void {
  const bits = BigInt(width * 8);
  if (width < 8 && (v >= 1n << bits || v < -(1n << (bits - 1n)))) a.error(`value ${v} truncated to ${width} byte(s)`, span, 'warning');
}

const data = (width: number): Handler => (a, args, head) => {
  const exprs = args.map((_op, i) => expr(a, arg(args, i, head), head));
  const values = exprs.map((e) => a.constValue(e));
  const span = spanAll(head, args);
  if (values.every((v) => v !== undefined)) {
    const bytes = new Uint8Array(width * values.length);
    values.forEach((v, i) => { checkFits(a, v!, width, exprs[i].span); bytes.set(littleEndian(v!, width), i * width); });
    pushBytes(a, bytes, span);
    return;
  }
  if (a.sect.kind === 'bss') throw new AsmError(`data in ${a.sect.name}`, span);
  a.addItem({ t: 'data', width, exprs, offset: 0, size: width * exprs.length, span });
};

/** .uleb128 / .sleb128 of constants. */
const leb128 = (signed: boolean): Handler => (a, args, head) => {
  const out: number[] = [];
  for (let i = 0; i < args.length; i++) {
    let v = constant(a, arg(args, i, head), head, 'value');
    if (!signed && v < 0n) v = BigInt.asUintN(64, v);
    for (;;) {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      const done = signed ? (v === 0n && !(byte & 0x40)) || (v === -1n && (byte & 0x40) !== 0) : v === 0n;
      out.push(done ? byte : byte | 0x80);
      if (done) break;
    }
  }
  pushBytes(a, Uint8Array.from(out), spanAll(head, args));
};

/** .comm / .lcomm sym, size[, align]: reserve zeroed storage at the end of .bss (like the linker's COMMON). */
const common = (global: boolean): Handler => (a, args, head) => {
  const name = symbolName(arg(args, 0, head));
  const size = constant(a, arg(args, 1, head), head, 'size');
  const alignment = args[2]?.length ? Number(constant(a, args[2], head, 'alignment')) : Math.min(16, 2 ** Math.ceil(Math.log2(Math.max(1, Number(size)))));
  if (size < 0n || size > BigInt(MAX_SPACE) || !(alignment > 0) || (alignment & (alignment - 1)) !== 0) throw new AsmError('bad size or alignment', spanAll(head, args));
  const [here, previous] = [a.sect, a.prevSect];
  a.sect = a.section('.bss');
  a.sect.align = Math.max(a.sect.align, alignment);
  a.addItem({ t: 'align', bytes: alignment, fill: null, max: 0, offset: 0, size: 0, span: spanAll(head, args) });
  a.defineLabel(name);
  if (global) a.sym(name.text).global = true;
  a.sym(name.text).kind = 'object';
  a.sym(name.text).size = { expr: { k: 'num', v: size, span: name }, sect: a.sect, index: a.sect.items.length };
  pushBytes(a, new Uint8Array(Number(size)), spanAll(head, args));
  [a.sect, a.prevSect] = [here, previous];
};

const strings = (nul: boolean): Handler => (a, args, head) => {
  const parts: number[] = [];
  for (const op of args) {
    if (op.length !== 1 || op[0].kind !== 'str') throw new AsmError('expected a string', op.length ? spanOf(op) : head);
    parts.push(...(op[0].bytes ?? []));
    if (nul) parts.push(0);
  }
  pushBytes(a, Uint8Array.from(parts), spanAll(head, args));
};

function space(a: Assembler, count: bigint, fill: bigint, width: number, head: Token, args: Token[][]): void {
  const total = count * BigInt(width);
  if (count < 0n || total > BigInt(MAX_SPACE)) throw new AsmError(`bad size ${count}`, spanOf(args[0]));
  const unit = littleEndian(width > 4 ? fill & 0xffffffffn : fill, width);
  const bytes = new Uint8Array(Number(total));
  for (let i = 0; i < bytes.length; i += width) bytes.set(unit, i);
  pushBytes(a, bytes, spanAll(head, args));
}

/** .align/.p2align (power of two) and .balign (bytes). */
const align = (pow2: boolean): Handler => (a, args, head) => {
  const n = Number(constant(a, arg(args, 0, head), head, 'alignment'));
  const bytes = pow2 ? 2 ** n : n;
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > 1 << 16 || (bytes & (bytes - 1)) !== 0) throw new AsmError(`bad alignment ${n}`, spanOf(args[0]));
  const fill = args[1]?.length ? Number(constant(a, args[1], head, 'fill') & 0xffn) : null;
  const max = args[2]?.length ? Number(constant(a, args[2], head, 'max')) : 0;
  a.sect.align = Math.max(a.sect.align, bytes);
  // GNU as (riscv_frag_align_code): code alignment to at most the instruction size is not padded.
  if (a.sect.kind === 'code' && fill === null && bytes <= (a.rvc ? 2 : 4)) return;
  a.addItem({ t: 'align', bytes, fill, max, offset: 0, size: 0, span: spanAll(head, args) });
};

function sectionDirective(a: Assembler, args: Token[][], head: Token): void {
  const name = symbolName(arg(args, 0, head)).text;
  const flagsTok = args[1]?.[0];
  const flags = flagsTok?.kind === 'str' ? String.fromCharCode(...(flagsTok.bytes ?? [])) : undefined;
  a.switchTo(a.section(name, flags));
}

function option(a: Assembler, args: Token[][], head: Token): void {
  const name = arg(args, 0, head)[0].text;
  switch (name) {
    case 'rvc': a.rvc = true; break;
    case 'norvc': a.rvc = false; break;
    case 'push': a.rvcStack.push(a.rvc); break;
    case 'pop':
      if (!a.rvcStack.length) throw new AsmError('.option pop without .option push', args[0][0]);
      a.rvc = a.rvcStack.pop()!;
      break;
    case 'arch': {
      const spec = (args[1] ?? []).map((t) => t.text).join('');
      if (/^\+c\b|,\s*\+c/.test(spec) || /^rv32[a-z]*c/.test(spec)) a.rvc = true;
      else if (/^-c\b/.test(spec) || /^rv32/.test(spec)) a.rvc = false;
      break;
    }
    case 'relax': case 'norelax': case 'pic': case 'nopic': case 'csr-check': case 'no-csr-check': break;
    default: a.error(`unknown option \`${name}'`, args[0][0], 'warning');
  }
}

function symbolAttr(set: (a: Assembler, name: string) => void): Handler {
  return (a, args, head) => { args.forEach((_op, i) => set(a, symbolName(arg(args, i, head)).text)); };
}

function typeDirective(a: Assembler, args: Token[][], head: Token): void {
  const name = symbolName(arg(args, 0, head)).text;
  const t = arg(args, 1, head).map((x) => x.text).join('').replace(/^[@%#]/, '').replace(/^"|"$/g, '');
  const kind = /^(function|STT_FUNC|gnu_indirect_function)$/.test(t) ? 'func' : /^(object|STT_OBJECT|tls_object|common)$/.test(t) ? 'object' : undefined;
  if (kind) a.sym(name).kind = kind;
}

function equ(redefinable: boolean): Handler {
  return (a, args, head) => {
    const name = symbolName(arg(args, 0, head));
    a.defineEqu(name, expr(a, arg(args, 1, head), head), redefinable);
  };
}

/** True when an ISA string (rv32imac, rv32i2p1_m2p0_c2p0...) includes the C extension. */
export function isaHasC(isa: string): boolean {
  const m = /^rv(?:32|64)([a-z0-9]*)(.*)$/i.exec(isa.trim());
  if (!m) return false;
  const single = m[1].toLowerCase().replace(/\d+(p\d+)?/g, '');
  return single.includes('c') || /_c(\d|_|$)/i.test(m[2]);
}

/** `.attribute arch, "rv32..."` changes the ISA like -march (GNU as does); other attributes are accepted. */
function attribute(a: Assembler, args: Token[][]): void {
  const tag = args[0]?.[0]?.text;
  const val = args[1]?.[0];
  if ((tag === 'arch' || tag === '5') && val?.kind === 'str') a.rvc = isaHasC(String.fromCharCode(...(val.bytes ?? [])));
}

const IGNORED = ['.file', '.ident', '.loc', '.addrsig', '.addrsig_sym', '.extern', '.hidden', '.protected',
  '.internal', '.gnu_attribute', '.variant_cc'];
const UNSUPPORTED = ['.include', '.incbin', '.float', '.double'];

const HANDLERS: Record<string, Handler> = {
  '.text': (a) => a.switchTo(a.section('.text')),
  '.data': (a) => a.switchTo(a.section('.data')),
  '.rodata': (a) => a.switchTo(a.section('.rodata')),
  '.bss': (a) => a.switchTo(a.section('.bss')),
  '.section': sectionDirective,
  '.pushsection': (a, args, head) => { a.sectStack.push(a.sect); sectionDirective(a, args, head); },
  '.popsection': (a, _args, head) => {
    const s = a.sectStack.pop();
    if (!s) throw new AsmError('.popsection without .pushsection', head);
    a.switchTo(s);
  },
  '.previous': (a) => a.switchTo(a.prevSect),
  '.globl': symbolAttr((a, n) => { a.sym(n).global = true; }),
  '.global': symbolAttr((a, n) => { a.sym(n).global = true; }),
  '.weak': symbolAttr((a, n) => { a.sym(n).global = true; }),
  '.local': symbolAttr((a, n) => { a.sym(n).global = false; }),
  '.type': typeDirective,
  '.size': (a, args, head) => {
    a.sym(symbolName(arg(args, 0, head)).text).size = { expr: expr(a, arg(args, 1, head), head), sect: a.sect, index: a.sect.items.length };
  },
  '.equ': equ(true),
  '.set': equ(true),
  '.equiv': equ(false),
  '.byte': data(1),
  '.half': data(2), '.short': data(2), '.2byte': data(2),
  '.word': data(4), '.long': data(4), '.int': data(4), '.4byte': data(4),
  '.dword': data(8), '.quad': data(8), '.8byte': data(8),
  '.comm': common(true), '.lcomm': common(false),
  '.uleb128': leb128(false), '.sleb128': leb128(true),
  '.ascii': strings(false),
  '.asciz': strings(true), '.string': strings(true),
  '.zero': (a, args, head) => space(a, constant(a, arg(args, 0, head), head, 'size'), 0n, 1, head, args),
  '.space': (a, args, head) => space(a, constant(a, arg(args, 0, head), head, 'size'),
    args[1] ? constant(a, args[1], head, 'fill') : 0n, 1, head, args),
  '.fill': (a, args, head) => {
    const width = args[1]?.length ? Number(constant(a, args[1], head, 'size')) : 1;
    if (width < 0 || width > 8) throw new AsmError(`bad .fill size ${width}`, spanOf(args[1]));
    space(a, constant(a, arg(args, 0, head), head, 'repeat'), args[2]?.length ? constant(a, args[2], head, 'value') : 0n, width, head, args);
  },
  '.org': (a, args, head) => {
    const target = constant(a, arg(args, 0, head), head, '.org offset');
    if (target < 0n || target > BigInt(MAX_SPACE)) throw new AsmError(`bad .org offset ${target}`, spanOf(args[0]));
    const fill = args[1]?.length ? Number(constant(a, args[1], head, 'fill') & 0xffn) : 0;
    a.addItem({ t: 'org', target: Number(target), fill, offset: 0, size: 0, span: spanAll(head, args) });
  },
  '.align': align(true), '.p2align': align(true), '.balign': align(false),
  '.option': option,
  '.attribute': attribute,
  '.end': (a) => { a.ended = true; },
};
// Block directives are expanded before lexing (macros.ts); reaching here means they were misplaced.
for (const name of ['.macro', '.endm', '.rept', '.endr', '.irp', '.irpc', '.exitm']) {
  HANDLERS[name] = (_a, _args, head) => { throw new AsmError(`\`${head.text}' must start its own line and be properly paired`, head); };
}
HANDLERS['.skip'] = HANDLERS['.space'];

export function directive(a: Assembler, head: Token, rest: Token[]): void {
  const name = head.text.toLowerCase();
  const h = HANDLERS[name];
  if (h) { h(a, splitOperands(rest), head); return; }
  if (IGNORED.includes(name) || name.startsWith('.cfi_')) return;
  if (UNSUPPORTED.includes(name)) throw new AsmError(`unsupported directive \`${head.text}'`, head);
  throw new AsmError(`unknown directive \`${head.text}'`, head);
}
