// C variables of a source frame as Variables-view rows and as values of simple C expressions (`x`, `s->box.max`, `a[2][1]`, `*p`, `&v`), read through DWARF.

import type { Machine } from '../machine/machine';
import type { Variable } from '../machine/dwarf-scopes';
import type { DwarfType, PointerType } from '../machine/dwarf-types';
import { typeSize } from '../machine/dwarf-type-util';
import type { ProgramInfo } from './program-info';
import { hex } from './program-info';
import type { Row } from './inspect';
import { frameAccess, type SourceFrame } from './c-frames';
import { formatValue, resolveType, memberValue, elements, integerOf, type CValue, type ValueSource } from './c-values';

/** Rows below a value at most this deep are built (a pointer chain or a linked list stops there). */
const ROW_DEPTH_MAX = 4;
/** Array elements listed as rows at most. */
const ROW_ELEMENTS_MAX = 100;

export function valueSource(m: Machine, info: ProgramInfo): ValueSource {
  return {
    readMemory: (addr, len) => (m.ram.contains(addr >>> 0, len) ? m.ram.readBytes(addr >>> 0, len) : undefined),
    symbolize: (addr) => dataSymbol(info, addr),
  };
}

/** `name` or `name+off` of the symbol (object or function) that contains `addr`, as GDB annotates pointers. */
function dataSymbol(info: ProgramInfo, addr: number): string | undefined {
  let best: { name: string; addr: number } | undefined;
  for (const s of info.symbols) {
    if (s.kind !== 'object' && s.kind !== 'func') continue;
    const inside = addr >= s.addr && (addr < s.addr + Math.max(1, s.size) || (s.size === 0 && addr === s.addr));
    if (inside && (best === undefined || s.addr > best.addr)) best = s;
  }
  if (best === undefined) return undefined;
  const name = best.name.replace(/\.\d+$/, ''); // GCC's `words.0` for a function's static `words`, named as the source does
  return addr === best.addr ? name : `${name}+${addr - best.addr}`;
}

/** A variable's value in a source frame (the frame's registers and memory). */
export function readVariable(m: Machine, info: ProgramInfo, frames: readonly SourceFrame[], f: SourceFrame, v: Variable): CValue {
  const d = info.dwarf!;
  const access = frameAccess(m, info, frames, f.machineLevel);
  const loc = d.locate(v, f.lookupPc, access);
  const bytes = d.readVariable(v, f.lookupPc, access);
  return { type: v.type, bytes, ...(loc.kind === 'memory' ? { addr: loc.addr >>> 0 } : {}) };
}

/** One variable as a row, with its members, elements or pointee as child rows. */
export function valueRow(name: string, v: CValue, src: ValueSource, depth = 0): Row {
  const row: Row = { name, value: formatValue(v, src, false) };
  if (v.addr !== undefined) row.memoryReference = hex(v.addr);
  if (depth < ROW_DEPTH_MAX) {
    const kids = childValues(v, src).map(([n, c]) => valueRow(n, c, src, depth + 1));
    if (kids.length > 0) row.children = kids;
  }
  return row;
}

function childValues(v: CValue, src: ValueSource): [string, CValue][] {
  const t = resolveType(v.type);
  if (t === undefined) return [];
  if (t.kind === 'struct' || t.kind === 'union' || t.kind === 'class') return t.members.map((m, i) => [m.name ?? `<anonymous ${i}>`, memberValue(v, m)]);
  if (t.kind === 'array') return elements(t, v).slice(0, ROW_ELEMENTS_MAX).map((e, i) => [`[${i + t.lowerBound}]`, e]);
  if (t.kind === 'pointer') {
    const p = deref(v, t, src);
    const target = resolveType(t.target);
    return p === undefined || target === undefined || target.kind === 'function' || target.kind === 'base' ? [] : [['*', p]];
  }
  return [];
}

/** What a pointer points at (undefined for null, void, unknown sizes or unreadable memory). */
export function deref(v: CValue, t: PointerType, src: ValueSource): CValue | undefined {
  const addr = Number(integerOf(v.bytes.bytes, false)) >>> 0;
  const size = typeSize(t.target);
  if (addr === 0 || size === undefined || v.bytes.known.some((k) => k !== 0xff)) return undefined;
  const bytes = src.readMemory(addr, size);
  if (bytes === undefined) return undefined;
  return { type: t.target, bytes: { bytes, known: new Uint8Array(size).fill(0xff) }, addr };
}

/**
 * A simple C expression's value: a variable (C scoping from the frame), then `.m`, `->m`, `[i]`, with an
 * optional leading `*` or `&`. Undefined when the text is no such path or names no C variable here.
 */
export function evaluatePath(expr: string, lookup: (name: string) => CValue | undefined, src: ValueSource): CValue | undefined {
  const m = /^\s*([*&]?)\s*([A-Za-z_]\w*)((?:\s*(?:\.\s*[A-Za-z_]\w*|->\s*[A-Za-z_]\w*|\[\s*\d+\s*\]))*)\s*$/.exec(expr);
  if (m === null) return undefined;
  let v = lookup(m[2]);
  for (const step of m[3].match(/\.\s*\w+|->\s*\w+|\[\s*\d+\s*\]/g) ?? []) {
    if (v === undefined) return undefined;
    v = applyStep(v, step.replace(/\s+/g, ''), src);
  }
  if (v === undefined) return undefined;
  if (m[1] === '*') {
    const t = resolveType(v.type);
    return t?.kind === 'pointer' ? deref(v, t, src) : t?.kind === 'array' ? elements(t, v)[0] : undefined;
  }
  if (m[1] === '&') return v.addr === undefined ? undefined : addressOf(v);
  return v;
}

function applyStep(v: CValue, step: string, src: ValueSource): CValue | undefined {
  let cur: CValue | undefined = v;
  if (step.startsWith('->')) {
    const t = resolveType(v.type);
    cur = t?.kind === 'pointer' ? deref(v, t, src) : undefined;
    step = `.${step.slice(2)}`;
  }
  if (cur === undefined) return undefined;
  const t = resolveType(cur.type);
  if (step.startsWith('.')) {
    if (t?.kind !== 'struct' && t?.kind !== 'union' && t?.kind !== 'class') return undefined;
    const member = t.members.find((x) => x.name === step.slice(1));
    return member === undefined ? undefined : memberValue(cur, member);
  }
  const i = Number(step.slice(1, -1));
  if (t?.kind === 'array') return elements(t, cur)[i - t.lowerBound];
  if (t?.kind === 'pointer') {
    const size = typeSize(t.target);
    const base = Number(integerOf(cur.bytes.bytes, false)) >>> 0;
    const bytes = size === undefined ? undefined : src.readMemory((base + i * size) >>> 0, size);
    return bytes === undefined || size === undefined ? undefined : { type: t.target, bytes: { bytes, known: new Uint8Array(size).fill(0xff) }, addr: (base + i * size) >>> 0 };
  }
  return undefined;
}

/** The address a pointer value holds (undefined for other values or unknown bits). */
export function pointerTarget(v: CValue): number | undefined {
  const t = resolveType(v.type);
  if (t?.kind !== 'pointer' || v.bytes.known.some((k) => k !== 0xff)) return undefined;
  return Number(integerOf(v.bytes.bytes, false)) >>> 0;
}

/** `&v`: a pointer to v's type holding its address. */
function addressOf(v: CValue): CValue {
  const ptr: DwarfType = { kind: 'pointer', offset: -1, size: 4, target: v.type, reference: false };
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, v.addr!, true);
  return { type: ptr, bytes: { bytes, known: new Uint8Array(4).fill(0xff) } };
}
