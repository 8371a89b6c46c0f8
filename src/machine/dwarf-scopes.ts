// Functions, lexical blocks, inlined calls and variables of one compile unit, built from its entry tree.

import { ProgramFormatError } from './elf-bytes';
import { DW_AT, DW_TAG } from './dwarf-const';
import type { Die } from './dwarf-die';
import type { AttrValue } from './dwarf-forms';
import type { Unit } from './dwarf-unit';
import { entryRanges, readLocList, type LocList, type PcRange } from './dwarf-lists';
import { attrAddr, attrFlag, attrNumber, attrRef, attrString, inherited, originChain, type DieSource } from './dwarf-attr';
import type { DwarfType, TypeTable } from './dwarf-types';
import { typeSize } from './dwarf-type-util';
import { isCallSite, readCallSite, type CallSite } from './dwarf-call-sites';

/** What evaluating a unit's expressions needs from it (DW_OP_addrx). */
export interface ExprUnit {
  addrx(index: number): number | undefined;
}

/** Where a variable lives, as written in DWARF; `evaluateLocation` turns it into a Location at a pc. */
export type LocationDesc =
  | { kind: 'expr'; expr: Uint8Array; unit: ExprUnit }
  | { kind: 'list'; list: LocList; unit: ExprUnit }
  /** DW_AT_const_value: the value's bytes (little-endian). */
  | { kind: 'const'; bytes: Uint8Array }
  /** No location at all: optimized out everywhere. */
  | { kind: 'none' }
  /** The location could not be read (damaged list): unavailable, with why. */
  | { kind: 'error'; message: string };

export interface Variable {
  name: string;
  /** static: a function's static local; global: declared at file scope (see `external`). */
  kind: 'parameter' | 'local' | 'static' | 'global';
  /** undefined: the entry names no type. */
  type: DwarfType | undefined;
  location: LocationDesc;
  /** Visible to other units (extern), as opposed to file-static. */
  external: boolean;
  /** Made up by the compiler (e.g. `this`), not written in the source. */
  artificial: boolean;
  declFile: string | undefined;
  declLine: number | undefined;
  /** .debug_info offset of the entry. */
  offset: number;
  /** The function whose frame it belongs to (undefined for file-scope variables). */
  function: DwarfFunction | undefined;
}

interface ScopeCommon {
  offset: number;
  /** The code the scope covers, [start, end). */
  ranges: PcRange[];
  /** Declared directly in this scope: parameters first, in declaration order, then locals. */
  variables: Variable[];
  children: Scope[];
  parent: Scope | undefined;
  /** The concrete (out-of-line) function the code belongs to: its frame base serves DW_OP_fbreg. */
  function: DwarfFunction;
}

export interface DwarfFunction extends ScopeCommon {
  kind: 'function';
  name: string;
  linkageName: string | undefined;
  /** Where the function is entered: DW_AT_entry_pc, else DW_AT_low_pc, else its first range. */
  entryPc: number;
  frameBase: LocationDesc;
  /** undefined: void. */
  returnType: DwarfType | undefined;
  external: boolean;
  declFile: string | undefined;
  declLine: number | undefined;
  /** Offset of its compile unit's header. */
  unitOffset: number;
  /** The calls it makes (also from its blocks and inlined code) that DWARF describes, for entry values. */
  callSites: CallSite[];
}

/** The body of an inlined function, inside the function (or inlined body) it was inlined into. */
export interface InlinedCall extends ScopeCommon {
  kind: 'inlined';
  name: string;
  entryPc: number;
  /** Where the call was written, in the caller's source. */
  callFile: string | undefined;
  callLine: number | undefined;
  callColumn: number | undefined;
  declFile: string | undefined;
  declLine: number | undefined;
  returnType: DwarfType | undefined;
}

export interface BlockScope extends ScopeCommon {
  kind: 'block';
}

export type Scope = DwarfFunction | InlinedCall | BlockScope;

export interface CompileUnit {
  /** Offset of the unit header in .debug_info. */
  offset: number;
  version: number;
  name: string | undefined;
  compDir: string | undefined;
  producer: string | undefined;
  /** DW_LANG_* code. */
  language: number | undefined;
  ranges: PcRange[];
  /** Functions with code, by entry address. */
  functions: DwarfFunction[];
  /** File-scope variables defined here (extern and static). */
  globals: Variable[];
  /**
   * File-scope declarations of variables defined elsewhere (`extern unsigned long volatile jiffies;`, as GCC keeps
   * those the unit uses): their types, with no location (the symbol table has their addresses).
   */
  declarations: Variable[];
  /** Parts that could not be read (a damaged range or location list); the rest of the unit is there. */
  problems: string[];
}

/** File name for a DW_AT_decl_file / DW_AT_call_file value. */
export type FileTable = (index: number | undefined) => string | undefined;

/** Reads the unit's functions and globals (its entry tree must be readable). */
export function buildCompileUnit(unit: Unit, src: DieSource, types: TypeTable, ranges: PcRange[], files: FileTable): CompileUnit {
  return new UnitBuilder(unit, src, types, files).build(ranges);
}

/** Nesting followed in an abstract function's blocks. */
const MAX_BLOCK_DEPTH = 64;

class UnitBuilder {
  private readonly problems: string[] = [];
  private readonly exprUnit: ExprUnit;

  constructor(private readonly unit: Unit, private readonly src: DieSource, private readonly types: TypeTable, private readonly files: FileTable) {
    this.exprUnit = { addrx: (i) => this.guard(() => unit.addrx(i), undefined) };
  }

  build(ranges: PcRange[]): CompileUnit {
    const root = this.unit.root;
    const cu: CompileUnit = {
      offset: this.unit.offset, version: this.unit.version, name: attrString(root, DW_AT.name), compDir: attrString(root, DW_AT.compDir),
      producer: attrString(root, DW_AT.producer), language: attrNumber(root, DW_AT.language), ranges, functions: [], globals: [],
      declarations: [], problems: this.problems,
    };
    for (const die of root.children) {
      if (die.tag === DW_TAG.subprogram) {
        const fn = this.function(die);
        if (fn !== undefined) cu.functions.push(fn);
      } else if (die.tag === DW_TAG.variable) {
        (attrFlag(die, DW_AT.declaration) ? cu.declarations : cu.globals).push(this.variable(die, 'global', undefined));
      }
    }
    cu.functions.sort((a, b) => a.entryPc - b.entryPc);
    return cu;
  }

  /** A subprogram with code; undefined for declarations and abstract (inline-only) entries. */
  private function(die: Die): DwarfFunction | undefined {
    const ranges = this.pcRanges(die) ?? [];
    if (ranges.length === 0) return undefined;
    const chain = originChain(this.src, die);
    const partial: Omit<DwarfFunction, 'function'> = {
      kind: 'function', offset: die.offset, ranges, variables: [], children: [], parent: undefined,
      name: this.name(chain), linkageName: this.linkageName(chain), entryPc: this.entryPc(die, ranges),
      frameBase: this.locationDesc(die.get(DW_AT.frameBase)), returnType: this.typeOf(chain), external: this.flag(chain, DW_AT.external),
      ...this.decl(chain), unitOffset: this.unit.offset, callSites: [],
    };
    const fn = partial as DwarfFunction;
    fn.function = fn; // a function is its own frame-base owner
    this.fill(fn, die, chain);
    return fn;
  }

  private inlined(die: Die, parent: Scope): InlinedCall | undefined {
    const ranges = this.pcRanges(die) ?? [];
    if (ranges.length === 0) return undefined;
    const chain = originChain(this.src, die);
    const scope: InlinedCall = {
      kind: 'inlined', offset: die.offset, ranges, variables: [], children: [], parent, function: parent.function,
      name: this.name(chain), entryPc: this.entryPc(die, ranges), callFile: this.files(attrNumber(die, DW_AT.callFile)),
      callLine: attrNumber(die, DW_AT.callLine), callColumn: attrNumber(die, DW_AT.callColumn), ...this.decl(chain),
      returnType: this.typeOf(chain),
    };
    this.fill(scope, die, chain);
    return scope;
  }

  /** Variables and nested scopes of `die`; an inlined or out-of-line instance also gets its origin's missing ones. */
  private fill(scope: Scope, die: Die, chain: Die[]): void {
    const params: [Variable, Die][] = [];
    const locals: Variable[] = [];
    this.collect(scope, die, params, locals);
    const origin = die.has(DW_AT.abstractOrigin) ? chain[1] : undefined;
    const ordered = origin === undefined ? params.map(([v]) => v) : this.inherit(scope, die, origin, params, locals);
    scope.variables = [...ordered, ...locals];
  }

  private collect(scope: Scope, die: Die, params: [Variable, Die][], locals: Variable[]): void {
    for (const child of die.children) {
      switch (child.tag) {
        case DW_TAG.formalParameter: params.push([this.variable(child, 'parameter', scope.function), child]); break;
        case DW_TAG.variable: locals.push(this.variable(child, 'local', scope.function)); break;
        case DW_TAG.lexicalBlock: this.block(scope, child, params, locals); break;
        case DW_TAG.inlinedSubroutine: {
          const inner = this.inlined(child, scope);
          if (inner !== undefined) scope.children.push(inner);
          break;
        }
        default: {
          const site = isCallSite(child) ? this.guard(() => readCallSite(this.src, child, this.exprUnit), undefined) : undefined;
          if (site !== undefined) scope.function.callSites.push(site);
        }
      }
    }
  }

  /** A block with code becomes a scope; one without pc attributes only groups (its variables join the parent). */
  private block(scope: Scope, die: Die, params: [Variable, Die][], locals: Variable[]): void {
    const ranges = this.pcRanges(die);
    if (ranges === undefined) return this.collect(scope, die, params, locals);
    if (ranges.length === 0) return;
    const block: BlockScope = { kind: 'block', offset: die.offset, ranges, variables: [], children: [], parent: scope, function: scope.function };
    this.fill(block, die, originChain(this.src, die)); // a concrete block of an inlined body inherits its abstract block's missing variables
    scope.children.push(block);
  }

  /**
   * Parameters in the abstract origin's order. Origin parameters, variables and blocks that nothing in the
   * concrete entry stands for were optimized out, and are listed so, as GDB does. (GDB looks at direct
   * children only, so when GCC moves an inlined function's local into a block of its own, `info locals`
   * lists it twice, once `<optimized out>`; a listing that names one source variable once is clearer, and
   * the oracle counts the difference.)
   */
  private inherit(scope: Scope, die: Die, origin: Die, params: [Variable, Die][], locals: Variable[]): Variable[] {
    const referenced = new Set<number>();
    const walk = (d: Die, depth: number): void => {
      const r = isCallSite(d) ? undefined : attrRef(this.src, d, DW_AT.abstractOrigin);
      if (r !== undefined) referenced.add(r);
      if (depth < MAX_BLOCK_DEPTH) for (const c of d.children) walk(c, depth + 1);
    };
    for (const d of die.children) walk(d, 0);
    const ordered: Variable[] = [];
    const used = new Set<Variable>();
    for (const o of origin.children) {
      if (o.tag === DW_TAG.formalParameter) {
        const concrete = params.find(([, d]) => attrRef(this.src, d, DW_AT.abstractOrigin) === o.offset)?.[0];
        if (concrete !== undefined) used.add(concrete);
        if (concrete !== undefined || !referenced.has(o.offset)) ordered.push(concrete ?? this.variable(o, 'parameter', scope.function));
      } else if (!referenced.has(o.offset)) {
        locals.push(...this.abstractLocals(o, scope, referenced, 0));
      }
    }
    for (const [v] of params) if (!used.has(v)) ordered.push(v);
    return ordered;
  }

  /** The variables of an abstract entry (a variable, or a block's, nested blocks flattened) that have no concrete instance. */
  private abstractLocals(o: Die, scope: Scope, referenced: ReadonlySet<number>, depth: number): Variable[] {
    if (referenced.has(o.offset)) return [];
    if (o.tag === DW_TAG.variable) return [this.variable(o, 'local', scope.function)];
    if (o.tag !== DW_TAG.lexicalBlock || depth > MAX_BLOCK_DEPTH) return [];
    return o.children.flatMap((c) => this.abstractLocals(c, scope, referenced, depth + 1));
  }

  private variable(die: Die, kind: Variable['kind'], fn: DwarfFunction | undefined): Variable {
    const chain = originChain(this.src, die);
    const type = this.typeOf(chain);
    const location = this.variableLocation(die, chain, type);
    return {
      name: this.name(chain), kind: kind === 'local' && isStaticAddress(location) ? 'static' : kind, type, location,
      external: this.flag(chain, DW_AT.external), artificial: this.flag(chain, DW_AT.artificial), ...this.decl(chain),
      offset: die.offset, function: fn,
    };
  }

  private variableLocation(die: Die, chain: Die[], type: DwarfType | undefined): LocationDesc {
    const loc = die.get(DW_AT.location);
    if (loc !== undefined) return this.locationDesc(loc);
    const holder = inherited(chain, DW_AT.constValue);
    const cv = holder?.get(DW_AT.constValue);
    return cv === undefined ? { kind: 'none' } : constDesc(cv, type);
  }

  private locationDesc(v: AttrValue | undefined): LocationDesc {
    if (v === undefined) return { kind: 'none' };
    if (v.kind === 'block') return { kind: 'expr', expr: v.value, unit: this.exprUnit };
    try {
      return { kind: 'list', list: readLocList(this.unit, v), unit: this.exprUnit };
    } catch (e) {
      const message = this.problem(e);
      return { kind: 'error', message };
    }
  }

  /** undefined: the entry has no pc attributes at all; [] when they describe no code (or cannot be read). */
  private pcRanges(die: Die): PcRange[] | undefined {
    return this.guard(() => entryRanges(this.unit, die), []);
  }

  private entryPc(die: Die, ranges: PcRange[]): number {
    const low = attrAddr(die, DW_AT.lowPc) ?? ranges[0].start;
    const entry = die.get(DW_AT.entryPc);
    if (entry?.kind === 'addr') return entry.value;
    const offset = attrNumber(die, DW_AT.entryPc);
    return offset !== undefined ? low + offset : low;
  }

  private name(chain: Die[]): string {
    const holder = inherited(chain, DW_AT.name);
    return (holder === undefined ? undefined : attrString(holder, DW_AT.name)) ?? '?';
  }

  private linkageName(chain: Die[]): string | undefined {
    for (const at of [DW_AT.linkageName, DW_AT.mipsLinkageName]) {
      const holder = inherited(chain, at);
      if (holder !== undefined) return attrString(holder, at);
    }
    return undefined;
  }

  private typeOf(chain: Die[]): DwarfType | undefined {
    const holder = inherited(chain, DW_AT.type);
    return holder === undefined ? undefined : this.types.typeOf(holder);
  }

  private flag(chain: Die[], at: number): boolean {
    const holder = inherited(chain, at);
    return holder !== undefined && attrFlag(holder, at);
  }

  private decl(chain: Die[]): { declFile: string | undefined; declLine: number | undefined } {
    const file = inherited(chain, DW_AT.declFile);
    const line = inherited(chain, DW_AT.declLine);
    return {
      declFile: file === undefined ? undefined : this.files(attrNumber(file, DW_AT.declFile)),
      declLine: line === undefined ? undefined : attrNumber(line, DW_AT.declLine),
    };
  }

  /** Runs `f`; a format error is kept as one of the unit's problems and gives `fallback`. */
  private guard<T>(f: () => T, fallback: T): T {
    try {
      return f();
    } catch (e) {
      this.problem(e);
      return fallback;
    }
  }

  private problem(e: unknown): string {
    if (!(e instanceof ProgramFormatError)) throw e;
    if (this.problems.length < 20 && !this.problems.includes(e.message)) this.problems.push(e.message);
    return e.message;
  }
}

/** DW_AT_const_value as bytes of the variable's size (constants of udata/sdata form are sized by the type). */
function constDesc(v: AttrValue, type: DwarfType | undefined): LocationDesc {
  switch (v.kind) {
    case 'block': return { kind: 'const', bytes: v.value };
    case 'data': return { kind: 'const', bytes: v.bytes };
    case 'string': return { kind: 'const', bytes: new TextEncoder().encode(`${v.value}\0`) };
    case 'udata': case 'sdata': {
      const size = Math.min(Math.max(typeSize(type) ?? 4, 1), 8);
      const bytes = new Uint8Array(size);
      let x = BigInt(v.value);
      for (let i = 0; i < size; i++, x >>= 8n) bytes[i] = Number(x & 0xffn);
      return { kind: 'const', bytes };
    }
  }
  return { kind: 'error', message: `DW_AT_const_value of kind ${v.kind} cannot be used` };
}

/** A single DW_OP_addr / DW_OP_addrx: the variable has a fixed address (a static local). */
function isStaticAddress(loc: LocationDesc): boolean {
  if (loc.kind !== 'expr' || loc.expr.length === 0) return false;
  const e = loc.expr;
  if (e[0] === 0x03) return e.length === 5;
  return e[0] === 0xa1 && e.length <= 6 && (e[e.length - 1] & 0x80) === 0 && e.subarray(1, -1).every((b) => (b & 0x80) !== 0);
}
