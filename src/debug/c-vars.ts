// C variables of a source frame as Variables-view rows, pointer dereference and enumerator constants for C expressions, read through DWARF.

import type { Machine } from '../machine/machine';
import type { CompileUnit, Variable } from '../machine/dwarf-scopes';
import type { MachineAccess } from '../machine/dwarf-expr';
import type { CFrameScope } from './c-scope';
import type { DwarfType, PointerType } from '../machine/dwarf-types';
import { typeSize } from '../machine/dwarf-type-util';
import type { ProgramInfo } from './program-info';
import { hex } from './program-info';
import type { Row } from './inspect';
import { frameAccess, sourceFrames, type SourceFrame } from './c-frames';
import { formatValue, resolveType, memberValue, elementCount, elementsFrom, integerOf, OPTIMIZED_OUT_TEXT, type CValue, type ValueSource } from './c-values';

/** Rows below a value at most this deep are built (a pointer chain or a linked list stops there). */
const ROW_DEPTH_MAX = 4;
/** Array elements listed as rows at most. */
const ROW_ELEMENTS_MAX = 100;

export function valueSource(m: Machine, info: ProgramInfo): ValueSource {
  return {
    readMemory: (addr, len) => (m.view.contains(addr >>> 0, len) ? m.view.readBytes(addr >>> 0, len) : undefined),
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

/** A variable's value in a source frame, through its machine frame's registers and memory (`access`). */
export function readVariable(info: ProgramInfo, f: SourceFrame, access: MachineAccess, v: Variable): CValue {
  const d = info.dwarf!;
  const loc = d.locate(v, f.lookupPc, access);
  const bytes = d.readVariable(v, f.lookupPc, access);
  return { type: v.type, bytes, ...(loc.kind === 'memory' ? { addr: loc.addr >>> 0 } : {}) };
}

/**
 * One variable as a row, with its members, elements or pointee as child rows; `path` is its C expression
 * (each child's is built from it), undefined where C cannot name it. A large array's elements come a page
 * at a time. A scalar is editable where a write can reach it: a variable itself, or anything in memory.
 */
export function valueRow(name: string, v: CValue, src: ValueSource, path?: string, depth = 0): Row {
  const row: Row = { name, value: formatValue(v, src, false) };
  if (path !== undefined) row.evaluateName = path;
  const t = resolveType(v.type);
  // DAP: a pointer's memory reference is the address it holds (View Binary Data opens what it points at).
  const memory = t?.kind === 'pointer' ? pointerTarget(v) ?? v.addr : v.addr;
  if (memory !== undefined) row.memoryReference = hex(memory);
  const scalar = t?.kind === 'base' || t?.kind === 'enum' || t?.kind === 'pointer';
  const reachable = v.addr !== undefined || v.bits !== undefined || (depth === 0 && !name.endsWith('@entry'));
  if (scalar && path !== undefined && reachable) row.editable = true;
  if (depth >= ROW_DEPTH_MAX || row.value === OPTIMIZED_OUT_TEXT) return row;
  if (t?.kind === 'array' && elementCount(t, v) > ROW_ELEMENTS_MAX) {
    row.indexed = {
      count: elementCount(t, v),
      rows: (start, count) => elementsFrom(t, v, start, count).map((e, k) => valueRow(`[${start + k + t.lowerBound}]`, e, src, childPath(path, `[${start + k}]`), depth + 1)),
    };
    return row;
  }
  const kids = childValues(v, src).map(([n, c, sub]) => valueRow(n, c, src, childPath(path, sub), depth + 1));
  if (kids.length > 0) row.children = kids;
  return row;
}

/** A child's C expression: `p.m`, `p[3]`, `*p`; undefined when the parent has none or C cannot name the child. */
function childPath(path: string | undefined, sub: string | undefined): string | undefined {
  if (path === undefined || sub === undefined) return undefined;
  if (sub === '*') return `*${path}`;
  return path.startsWith('*') ? `(${path})${sub}` : `${path}${sub}`;
}

/** Children: name, value, and how C names it from the parent (`.m`, `[3]`, `*`; undefined: it cannot). */
function childValues(v: CValue, src: ValueSource): [string, CValue, string | undefined][] {
  const t = resolveType(v.type);
  if (t === undefined) return [];
  if (t.kind === 'struct' || t.kind === 'union' || t.kind === 'class') {
    return t.members.map((m, i) => [m.name ?? `<anonymous ${i}>`, memberValue(v, m), m.name === undefined ? undefined : `.${m.name}`]);
  }
  if (t.kind === 'array') return elementsFrom(t, v, 0, ROW_ELEMENTS_MAX).map((e, i) => [`[${i + t.lowerBound}]`, e, `[${i}]`]);
  if (t.kind === 'pointer') {
    const p = deref(v, t, src);
    const target = resolveType(t.target);
    return p === undefined || target === undefined || target.kind === 'function' || target.kind === 'base' ? [] : [['*', p, '*']];
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

/** The address a pointer value holds (undefined for other values or unknown bits). */
export function pointerTarget(v: CValue): number | undefined {
  const t = resolveType(v.type);
  if (t?.kind !== 'pointer' || v.bytes.known.some((k) => k !== 0xff)) return undefined;
  return Number(integerOf(v.bytes.bytes, false)) >>> 0;
}


/** The first `pick` result over the types reachable from these variables' types (through typedefs, pointers, arrays, members). */
function findInTypes<T>(vars: readonly Variable[], pick: (t: DwarfType) => T | undefined): T | undefined {
  const seen = new Set<DwarfType>();
  const visit = (t: DwarfType | undefined, depth: number): T | undefined => {
    if (t === undefined || depth > 8 || seen.has(t)) return undefined;
    seen.add(t);
    const here = pick(t);
    if (here !== undefined) return here;
    switch (t.kind) {
      case 'typedef': case 'qualified': case 'pointer': return visit(t.target, depth + 1);
      case 'array': return visit(t.element, depth + 1);
      case 'struct': case 'union': case 'class':
        for (const m of t.members) {
          const v = visit(m.type, depth + 1);
          if (v !== undefined) return v;
        }
        return undefined;
      default: return undefined;
    }
  };
  for (const v of vars) {
    const found = visit(v.type, 0);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** An enumerator constant (`BLUE`) of an enum type these variables reach, as a value of that enum. */
export function enumerator(name: string, vars: readonly Variable[]): CValue | undefined {
  return findInTypes(vars, (t) => {
    const e = t.kind === 'enum' ? t.enumerators.find((x) => x.name === name) : undefined;
    if (t.kind !== 'enum' || e === undefined) return undefined;
    const bytes = new Uint8Array(Math.max(4, t.size));
    new DataView(bytes.buffer).setInt32(0, e.value, true);
    return { type: t, bytes: { bytes: bytes.subarray(0, t.size), known: new Uint8Array(t.size).fill(0xff) } };
  });
}

/** A type these variables reach, by its C name: `struct shape`, `union word`, `enum color`, a typedef, a base type (`unsigned int`). */
export function typeNamed(name: string, vars: readonly Variable[]): DwarfType | undefined {
  const m = /^(struct|union|enum)\s+(\w+)$/.exec(name);
  return findInTypes(vars, (t) => {
    if (m !== null) return (t.kind === m[1] || (m[1] === 'struct' && t.kind === 'class')) && 'name' in t && t.name === m[2] && !('declaration' in t && t.declaration) ? t : undefined;
    return (t.kind === 'typedef' || t.kind === 'base') && t.name === name ? t : undefined;
  });
}

/** A scalar's size for a write: numbers, enums and pointers of at most 8 bytes; throws for anything else. */
function writableSize(what: string, v: { type: DwarfType | undefined }): number {
  const t = resolveType(v.type);
  const size = typeSize(v.type);
  if (t === undefined || (t.kind !== 'base' && t.kind !== 'enum' && t.kind !== 'pointer') || size === undefined || size > 8) throw new Error(`${what}: only numbers, enums and pointers can be set`);
  return size;
}

function littleEndian(n: bigint, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = BigInt.asUintN(size * 8, n);
  for (let i = 0; i < size; i++, x >>= 8n) bytes[i] = Number(x & 0xffn);
  return bytes;
}

function writeRam(m: Machine, addr: number, bytes: Uint8Array): void {
  m.view.writeBytes(addr, bytes); // decoded code there is dropped by the view
}

/**
 * Writes an integer into a scalar variable (number, enum, pointer) where it lives: memory, or a register of
 * the innermost frame. Composite values, and values the compiler did not keep, cannot be set.
 */
export function writeVariable(s: CFrameScope, v: Variable, n: number | bigint): void {
  const { m, frame: f } = s;
  const size = writableSize(v.name, v);
  const loc = s.info.dwarf!.locate(v, f.lookupPc, s.access);
  const bytes = littleEndian(BigInt(n), size);
  if (loc.kind === 'memory' && m.view.contains(loc.addr, size)) writeRam(m, loc.addr, bytes);
  else if (loc.kind === 'register' && f.machineLevel === 0 && f.regs === undefined && size <= 4 && loc.reg > 0 && loc.reg < 32) { // the machine's own registers
    m.cpu.x[loc.reg] = new DataView(new Uint8Array([...bytes, 0, 0, 0, 0].slice(0, 4)).buffer).getInt32(0, true);
  } else throw new Error(`${v.name} cannot be set here (${loc.kind === 'unavailable' ? loc.reason : `a value in ${loc.kind}`})`);
}

/** Writes an integer into a C lvalue in memory (`pk.length`, `p->next`, a bit field `pk.urgent`). */
export function writeLvalue(m: Machine, target: CValue, n: bigint, what: string): void {
  const size = writableSize(what, target);
  const b = target.bits;
  if (b !== undefined) {
    const first = b.bitOffset >> 3;
    const len = ((b.bitOffset + b.bitSize - 1) >> 3) - first + 1;
    const at = (b.addr + first) >>> 0;
    if (!m.view.contains(at, len)) throw new Error(`${what} is not in memory: it cannot be set`);
    const bytes = m.view.readBytes(at, len);
    const x = BigInt.asUintN(b.bitSize, n);
    for (let i = 0; i < b.bitSize; i++) {
      const bit = (b.bitOffset & 7) + i;
      const mask = 1 << (bit & 7);
      bytes[bit >> 3] = (x >> BigInt(i)) & 1n ? bytes[bit >> 3] | mask : bytes[bit >> 3] & ~mask;
    }
    writeRam(m, at, bytes);
    return;
  }
  if (target.addr === undefined || !m.view.contains(target.addr, size)) throw new Error(`${what} is not in memory: it cannot be set`);
  writeRam(m, target.addr, littleEndian(n, size));
}

/** Typed rows shown for globals at most (the machine's list keeps the same bound). */
const GLOBAL_ROWS_MAX = 200;
/**
 * The program's C globals (extern and file-static) with their types, by name; a static name several units
 * define is told apart by its unit (`count (a.c)`). Empty without DWARF globals.
 * A program of many units (DebugInfo.large) lists the stopped frame's unit's: reading every unit of a kernel's DWARF
 * took 15 s, for 200 names in alphabetical order that say little about the stop; its own file's globals
 * (fs/read_write.c's at vfs_write) are read with the unit the frame already needed. Any global still evaluates by
 * name in Watch and the Debug Console (`globalBySymbol`).
 */
export function cGlobalRows(m: Machine, info: ProgramInfo): Row[] {
  const d = info.dwarf;
  if (d === undefined) return [];
  const frames = sourceFrames(m, info);
  const top = frames[0];
  if (top === undefined) return [];
  const visible = d.large ? (d.unitAt(top.lookupPc)?.globals ?? []) : d.globals();
  const all = visible.filter((g) => g.location.kind !== 'none' && g.type !== undefined);
  const count = new Map<string, number>();
  for (const g of all) count.set(g.name, (count.get(g.name) ?? 0) + 1);
  const src = valueSource(m, info);
  const access = frameAccess(m, info, frames, top.machineLevel);
  return all
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice(0, GLOBAL_ROWS_MAX)
    .map((g) => {
      const twin = count.get(g.name)! > 1 && g.declFile !== undefined; // C names only one of them from here
      return valueRow(twin ? `${g.name} (${g.declFile!.replace(/^.*\//, '')})` : g.name, readVariable(info, top, access, g), src, twin ? undefined : g.name);
    });
}

/** Units read at most to find one global of a program of many units through its symbol (each unit is then kept). */
const SYMBOL_UNITS_READ_MAX = 8;

/**
 * A C global of a program of many units (DebugInfo.large) by name, without reading every unit: the symbol table's
 * object of that name, typed by the stopped frame's unit's extern declaration of it (GCC keeps those a unit uses:
 * `jiffies` where the code reads it), else by its definition in the unit its address points to (SymbolUnits: at most
 * SYMBOL_UNITS_READ_MAX units read, their definitions checked by name and address), else by an incomplete
 * declaration. Undefined for a name no object symbol has, or with no DWARF found for it: the machine's evaluator
 * then reads the symbol's word.
 */
export function globalBySymbol(info: ProgramInfo, unit: CompileUnit | undefined, name: string): Variable | undefined {
  const d = info.dwarf;
  if (d === undefined) return undefined;
  const declared = unit?.declarations.find((v) => v.name === name);
  let tries = 0;
  for (const s of info.symbolUnits.symbols(name)) {
    if (s.kind !== 'object') continue;
    if (declared !== undefined && s.global && typeSize(declared.type) !== undefined) return atAddress(declared, s.addr);
    for (const offset of info.symbolUnits.candidates(s, SYMBOL_UNITS_READ_MAX - tries)) {
      tries++;
      const g = d.compileUnitAt(offset)?.globals.find((v) => v.name === name && d.staticAddress(v) === s.addr >>> 0);
      if (g !== undefined) return g;
    }
    if (declared !== undefined && s.global) return atAddress(declared, s.addr);
  }
  return undefined;
}

/** A declaration (no location) at the address the symbol table gives it: DW_OP_addr. */
function atAddress(v: Variable, addr: number): Variable {
  const expr = new Uint8Array([0x03, addr & 0xff, (addr >>> 8) & 0xff, (addr >>> 16) & 0xff, (addr >>> 24) & 0xff]);
  return { ...v, location: { kind: 'expr', expr, unit: { addrx: () => undefined } } };
}

/**
 * A frame's parameters as rows; a parameter whose value on entry is known and differs from its value now
 * (or whose value now is not known) also gets a row `x@entry`, as GDB's backtrace prints it.
 */
export function argumentRows(s: CFrameScope, params: readonly Variable[]): Row[] {
  return params.flatMap((x) => {
    const now = s.read(x);
    const row = valueRow(x.name, now, s.src, x.name);
    const entry = s.entry(x);
    return entry === undefined || sameValue(now, entry) ? [row] : [row, valueRow(`${x.name}@entry`, entry, s.src, `${x.name}@entry`)];
  });
}

/** Two values with every bit known and equal. */
function sameValue(a: CValue, b: CValue): boolean {
  const full = (v: CValue): boolean => v.bytes.known.every((k) => k === 0xff);
  return full(a) && full(b) && a.bytes.bytes.length === b.bytes.bytes.length && a.bytes.bytes.every((x, i) => x === b.bytes.bytes[i]);
}
