// DebugInfo: the public query API over .debug_info — units indexed by address, read lazily; scopes, frames, variables.

import type { LineRow } from './program';
import { ProgramFormatError, hex } from './elf-bytes';
import { DW_AT, DW_TAG, DW_UT } from './dwarf-const';
import { readAbbrevTable, type AbbrevTable } from './dwarf-abbrev';
import type { Die } from './dwarf-die';
import { readUnitHeaders, Unit } from './dwarf-unit';
import { entryRanges, readAranges, type PcRange } from './dwarf-lists';
import { attrAddr, attrOffset, attrString, inherited, originChain, type DieSource } from './dwarf-attr';
import { entrySlot, type ParameterSlot } from './dwarf-call-sites';
import { TypeTable, type DwarfType } from './dwarf-types';
import { buildCompileUnit, type CompileUnit, type DwarfFunction, type FileTable, type InlinedCall, type Scope, type Variable } from './dwarf-scopes';
import { unavailable, type Location, type MachineAccess } from './dwarf-expr';
import { boundAccess, evaluateLocation, frameBaseValue, readLocationBytes, type ValueBytes } from './dwarf-value';
import { typeSize } from './dwarf-type-util';
import { prologueEndFromLines } from './dwarf-prologue';
import { debugSectionsFromElf, type DebugSections } from './dwarf-sections';
import { lineTableFiles } from './dwarf';

/** One unit of .debug_info as the index knows it before reading its entries. */
export interface UnitSummary {
  offset: number;
  name: string | undefined;
  ranges: readonly PcRange[];
  /** Why the unit (or part of it) cannot be used; the debugger falls back to lines and symbols there. */
  error: string | undefined;
}

/**
 * A frame as the source shows it: each inlined call at a pc is a frame of its own (innermost first),
 * and the concrete function is the last. All of them share the machine frame (registers, CFA).
 */
export interface InlineFrame {
  kind: 'function' | 'inlined';
  name: string;
  /** The inlined call, or the function itself. */
  scope: DwarfFunction | InlinedCall;
  /** The concrete function whose frame base the variables use. */
  function: DwarfFunction;
  /** The scopes of this frame that contain the pc, innermost block first, `scope` last. */
  blocks: Scope[];
  parameters: Variable[];
  /** Locals of every block containing the pc, innermost first (shadowed names included, as GDB lists them). */
  locals: Variable[];
  /** For an inlined frame: where the caller (the next frame) called it, i.e. the caller's current line. */
  callSite?: { file: string | undefined; line: number | undefined; column: number | undefined };
}

interface UnitRecord {
  offset: number;
  end: number;
  unit?: Unit;
  /** Its entry tree has been read (`unitsRead` counts it). */
  read?: boolean;
  ranges: PcRange[];
  isTypeUnit: boolean;
  model?: CompileUnit;
  files?: FileTable;
  error?: string;
}

const AGGREGATES: Record<number, string> = {
  [DW_TAG.structureType]: 'struct', [DW_TAG.unionType]: 'union', [DW_TAG.classType]: 'class', [DW_TAG.enumerationType]: 'enum',
};

/** Deepest scope chain followed at one pc. */
const MAX_SCOPE_DEPTH = 256;

/**
 * Compile units beyond which a program is `large` (a kernel: our vmlinux has 550): the debugger then reads the units a
 * question needs (the stopped frame's, those a symbol's address points to) and never all of them, which took 12 to 24 s.
 */
export const UNITS_READ_ALL_MAX = 64;

const NO_ACCESS: MachineAccess = { reg: () => undefined, readMemory: () => undefined, cfa: () => undefined };

export class DebugInfo implements DieSource {
  private readonly records: UnitRecord[] = [];
  private readonly signatures = new Map<string, number>();
  private readonly abbrevs = new Map<number, AbbrevTable>();
  private readonly strCache = new Map<number, string>();
  private readonly types = new TypeTable(this);
  private readonly general: string[] = [];
  private definitionIndex: Map<string, number> | undefined;
  private readCount = 0;

  /** Reads the debug sections of an ELF file; never throws (an unreadable file gives an empty DebugInfo with an error). */
  static fromElf(bytes: Uint8Array): DebugInfo {
    try {
      return new DebugInfo(debugSectionsFromElf(bytes));
    } catch (e) {
      const d = new DebugInfo({});
      d.general.push(describe(e));
      return d;
    }
  }

  /** Indexes the units (headers and root entries only); never throws. */
  constructor(private readonly sections: DebugSections) {
    this.safe(() => this.index(), undefined);
  }

  /** Whether the program has any .debug_info at all. */
  get hasInfo(): boolean {
    return this.sections.info !== undefined && this.sections.info.length > 0;
  }

  /**
   * More than UNITS_READ_ALL_MAX compile units: name lookups and listings must not read them all (`globals()`,
   * `findVariable` without a pc, `findFunction` do); the debugger reads the units a question needs instead.
   */
  get large(): boolean {
    return this.unitCount > UNITS_READ_ALL_MAX;
  }

  /** How many compile units the program has (read or not; type units not counted). */
  get unitCount(): number {
    this.compileCount ??= this.records.filter((r) => !r.isTypeUnit).length;
    return this.compileCount;
  }

  private compileCount: number | undefined;

  /** How many units' entries have been read so far (each is read once): what a lookup cost, for tests. */
  unitsRead(): number {
    return this.readCount;
  }

  units(): UnitSummary[] {
    return this.records.filter((r) => !r.isTypeUnit).map((r) => ({
      offset: r.offset, name: r.unit === undefined ? undefined : attrString(r.unit.root, DW_AT.name), ranges: r.ranges, error: r.error,
    }));
  }

  /** Every problem met so far, one message per unit (plus damaged parts of units that were read). */
  errors(): string[] {
    const out = [...this.general];
    for (const r of this.records) {
      if (r.error !== undefined) out.push(r.error);
      if (r.model !== undefined) out.push(...r.model.problems);
    }
    return out;
  }

  /**
   * The compile unit whose code contains `pc`, read on first use. Where unit ranges overlap (the
   * assembler's ranges can run past relaxed code), the unit with a function at `pc` wins; units that
   * state no ranges at all are searched for a function at `pc` when no other unit claims it.
   */
  unitAt(pc: number): CompileUnit | undefined {
    return this.safe(() => {
      const compile = this.records.filter((r) => !r.isTypeUnit);
      const claim = compile.filter((r) => contains(r.ranges, pc));
      const units = (claim.length > 0 ? claim : compile.filter((r) => r.ranges.length === 0)).flatMap((r) => this.model(r) ?? []);
      const withFunction = units.find((u) => u.functions.some((f) => contains(f.ranges, pc)));
      return withFunction ?? (claim.length > 0 ? units[0] : undefined);
    }, undefined);
  }

  /** The compile unit whose header is at `offset` (a UnitSummary's), read on first use; undefined if unreadable. */
  compileUnitAt(offset: number): CompileUnit | undefined {
    return this.safe(() => {
      const rec = this.records.find((r) => r.offset === offset && !r.isTypeUnit);
      return rec === undefined ? undefined : this.model(rec);
    }, undefined);
  }

  /** Every readable compile unit (reads them all). */
  compileUnits(): CompileUnit[] {
    return this.safe(() => this.records.flatMap((r) => (r.isTypeUnit ? [] : (this.model(r) ?? []))), []);
  }

  functionAt(pc: number): DwarfFunction | undefined {
    return this.unitAt(pc)?.functions.find((f) => contains(f.ranges, pc));
  }

  functions(): DwarfFunction[] {
    return this.compileUnits().flatMap((cu) => cu.functions);
  }

  /** The function named `name` (an extern one first, as the linker would pick it). */
  findFunction(name: string): DwarfFunction | undefined {
    const all = this.functions().filter((f) => f.name === name);
    return all.find((f) => f.external) ?? all[0];
  }

  /**
   * The definition of an incomplete struct, union or enum (`struct hidden *` where only a declaration
   * is in scope), looked up by kind and name in every unit as GDB does; `t` itself when none exists.
   */
  completeType(t: DwarfType): DwarfType {
    if (!((t.kind === 'struct' || t.kind === 'union' || t.kind === 'class' || t.kind === 'enum') && t.declaration && t.name !== undefined)) return t;
    const key = `${t.kind} ${t.name}`;
    return this.safe(() => {
      const offset = this.definitions().get(key);
      return offset === undefined ? t : this.types.at(offset);
    }, t);
  }

  /** The scopes containing `pc`, innermost first: blocks, inlined calls, and last the concrete function. */
  scopesAt(pc: number): Scope[] {
    return this.safe(() => {
      const fn = this.functionAt(pc);
      if (fn === undefined) return [];
      const path: Scope[] = [fn];
      for (let cur: Scope | undefined = fn; path.length < MAX_SCOPE_DEPTH;) {
        cur = cur.children.find((c) => contains(c.ranges, pc));
        if (cur === undefined) break;
        path.push(cur);
      }
      return path.reverse();
    }, []);
  }

  /** The source-level frames at `pc`: inlined calls innermost first, then the concrete function. */
  framesAt(pc: number): InlineFrame[] {
    const frames: InlineFrame[] = [];
    let blocks: Scope[] = [];
    for (const s of this.scopesAt(pc)) {
      blocks.push(s);
      if (s.kind === 'block') continue;
      const frame: InlineFrame = {
        kind: s.kind, name: s.name, scope: s, function: s.function, blocks,
        parameters: s.variables.filter((v) => v.kind === 'parameter'),
        locals: blocks.flatMap((b) => b.variables.filter((v) => v.kind !== 'parameter')),
      };
      if (s.kind === 'inlined') frame.callSite = { file: s.callFile, line: s.callLine, column: s.callColumn };
      frames.push(frame);
      blocks = [];
    }
    return frames;
  }

  /** File-scope variables of every unit (extern and static). */
  globals(): Variable[] {
    return this.compileUnits().flatMap((cu) => cu.globals);
  }

  /**
   * The variable `name` as C scoping sees it from `pc` in source frame `frame` (0: innermost inlined
   * frame): the frame's blocks innermost first, then the unit's file-scope variables, then other units'
   * extern ones (then their statics, as GDB falls back to). Without a pc, globals only.
   */
  findVariable(name: string, pc?: number, frame = 0): Variable | undefined {
    return this.safe(() => {
      if (pc !== undefined) {
        for (const b of this.framesAt(pc)[frame]?.blocks ?? []) {
          const v = b.variables.find((x) => x.name === name);
          if (v !== undefined) return v;
        }
        const here = this.unitAt(pc)?.globals.find((x) => x.name === name);
        if (here !== undefined) return here;
      }
      const all = this.globals().filter((x) => x.name === name);
      return all.find((x) => x.external) ?? all[0];
    }, undefined);
  }

  /** The address a file-scope or static variable lives at (its location is a constant address), else undefined. */
  staticAddress(v: Variable): number | undefined {
    const loc = v.location.kind === 'expr' ? this.locate(v, 0, NO_ACCESS) : undefined;
    return loc?.kind === 'memory' ? loc.addr >>> 0 : undefined;
  }

  /** Where `v` is when its frame's pc is `pc` (for a caller frame, pass its return address - 1, as GDB does). */
  locate(v: Variable, pc: number, m: MachineAccess): Location {
    return this.safe(() => {
      const fn = v.function;
      const withBase: MachineAccess = m.frameBase !== undefined || fn === undefined ? m
        : { ...boundAccess(m), frameBase: () => frameBaseValue(fn, pc, m) };
      return evaluateLocation(v.location, pc, withBase);
    }, unavailable('internal error while locating the variable'));
  }

  /** The bytes of `v` at `pc` (its type's size), with unknown parts marked. */
  readVariable(v: Variable, pc: number, m: MachineAccess): ValueBytes {
    const size = typeSize(v.type);
    if (size === undefined) return { bytes: new Uint8Array(0), known: new Uint8Array(0), reason: 'the variable has no known size' };
    return this.safe(() => readLocationBytes(this.locate(v, pc, m), size, m), {
      bytes: new Uint8Array(0), known: new Uint8Array(0), reason: 'internal error while reading the variable',
    });
  }

  /**
   * Where a variable was on entry to its scope (`entryPc`: its function's, or its inlined call's), when that
   * is a single register or a stack slot: the place a caller's call site can say what it passed.
   */
  entrySlot(v: Variable, entryPc: number): ParameterSlot | undefined {
    const desc = v.location;
    const expr = desc.kind === 'expr' ? desc.expr : desc.kind === 'list' ? desc.list.entries.find((e) => entryPc >= e.start && entryPc < e.end)?.expr : undefined;
    return expr === undefined ? undefined : entrySlot(expr);
  }

  /**
   * The entry address of the function whose entry is at .debug_info `offset` (a call site's origin): its code
   * here, or that of the function of its name; just the name when DWARF has no code for it (the symbol table may).
   */
  entryAddressOf(offset: number): number | { name: string } | undefined {
    return this.safe(() => {
      const here = this.entry(offset)?.die;
      if (here === undefined) return undefined;
      const low = attrAddr(here, DW_AT.lowPc);
      if (low !== undefined) return low;
      const holder = inherited(originChain(this, here), DW_AT.name);
      const name = holder === undefined ? undefined : attrString(holder, DW_AT.name);
      if (name === undefined) return undefined;
      if (this.large) return { name }; // the symbol table has it; finding the function in DWARF would read every unit
      return this.findFunction(name)?.entryPc ?? { name };
    }, undefined);
  }

  /**
   * Where the body of the function entered at `fnAddr` starts: the line table's prologue end, but not
   * past the first inlined call (its parameters are set up by then).
   */
  prologueEnd(fnAddr: number, lines: readonly LineRow[]): number {
    return this.safe(() => {
      const fn = this.functionAt(fnAddr);
      const range = fn?.ranges.find((r) => fnAddr >= r.start && fnAddr < r.end);
      let end = prologueEndFromLines(lines, fnAddr, range?.end);
      for (const s of fn === undefined ? [] : inlinedCalls(fn)) if (s.entryPc > fnAddr && s.entryPc < end) end = s.entryPc;
      return end;
    }, fnAddr);
  }

  // ---- DieSource ----------------------------------------------------------------------------

  entry(offset: number): { die: Die; unit: Unit } | undefined {
    const rec = this.records.find((r) => offset >= r.offset && offset < r.end);
    const die = rec === undefined ? undefined : this.tree(rec)?.get(offset);
    return die === undefined || rec?.unit === undefined ? undefined : { die, unit: rec.unit };
  }

  signature(sig: string): number | undefined {
    return this.signatures.get(sig);
  }

  // ---- internals ----------------------------------------------------------------------------

  private index(): void {
    const info = this.sections.info;
    if (info === undefined) return;
    let aranges: Map<number, PcRange[]> | undefined;
    for (const slot of readUnitHeaders(info)) {
      const rec: UnitRecord = { offset: slot.offset, end: slot.end, ranges: [], isTypeUnit: false };
      this.records.push(rec);
      if ('error' in slot) {
        rec.error = slot.error;
        continue;
      }
      try {
        rec.unit = new Unit(slot.header, this.sections, this.strCache, this.abbrevTable(slot.header.abbrevOffset));
        rec.isTypeUnit = slot.header.unitType === DW_UT.type;
        if (slot.header.typeSignature !== undefined && slot.header.typeOffset !== undefined) this.signatures.set(slot.header.typeSignature, slot.header.typeOffset);
        rec.ranges = entryRanges(rec.unit, rec.unit.root) ?? (aranges ??= this.aranges()).get(rec.offset) ?? [];
      } catch (e) {
        rec.error = unitError(rec, e);
      }
    }
  }

  /** Offsets of the file-scope struct, union and enum definitions of every unit, by "kind name" (the first wins). */
  private definitions(): Map<string, number> {
    if (this.definitionIndex !== undefined) return this.definitionIndex;
    const index = new Map<string, number>();
    for (const rec of this.records) {
      const root = rec.unit?.root;
      if (root === undefined || this.tree(rec) === undefined) continue;
      for (const die of root.children) {
        const kind = AGGREGATES[die.tag];
        const name = attrString(die, DW_AT.name);
        if (kind !== undefined && name !== undefined && !die.has(DW_AT.declaration) && !index.has(`${kind} ${name}`)) index.set(`${kind} ${name}`, die.offset);
      }
    }
    this.definitionIndex = index;
    return index;
  }

  private abbrevTable(offset: number): AbbrevTable {
    let t = this.abbrevs.get(offset);
    if (t === undefined) {
      t = readAbbrevTable(this.sections.abbrev, offset);
      this.abbrevs.set(offset, t);
    }
    return t;
  }

  private aranges(): Map<number, PcRange[]> {
    if (this.sections.aranges === undefined) return new Map();
    try {
      return readAranges(this.sections.aranges);
    } catch (e) {
      this.general.push(describe(e));
      return new Map();
    }
  }

  /** The unit's entries by offset, read the first time; undefined (with the unit's error set) if unreadable. */
  private tree(rec: UnitRecord): Map<number, Die> | undefined {
    if (rec.unit === undefined || rec.error !== undefined) return undefined;
    try {
      const tree = rec.unit.entries();
      if (rec.read !== true) {
        rec.read = true;
        this.readCount++;
      }
      return tree;
    } catch (e) {
      rec.error = unitError(rec, e);
      return undefined;
    }
  }

  /** The unit's functions and globals, read the first time; undefined (with the unit's error set) if unreadable. */
  private model(rec: UnitRecord): CompileUnit | undefined {
    if (rec.model !== undefined || rec.unit === undefined || rec.isTypeUnit || this.tree(rec) === undefined) return rec.model;
    try {
      rec.model = buildCompileUnit(rec.unit, this, this.types, rec.ranges, this.files(rec, rec.unit));
    } catch (e) {
      rec.error = unitError(rec, e);
    }
    return rec.model;
  }

  /** The unit's decl_file/call_file names from its line table header (read once; none if unreadable). */
  private files(rec: UnitRecord, unit: Unit): FileTable {
    if (rec.files !== undefined) return rec.files;
    let names: (string | undefined)[] = [];
    const stmtList = attrOffset(unit.root, DW_AT.stmtList);
    const line = this.sections.line;
    if (stmtList !== undefined && line !== undefined) {
      const compDir = attrString(unit.root, DW_AT.compDir) ?? '';
      try {
        names = lineTableFiles({ debugLine: line, debugLineStr: this.sections.lineStr, debugStr: this.sections.str, compDirs: new Map([[stmtList, compDir]]) }, stmtList);
      } catch (e) {
        this.general.push(`${describe(e)} (unit at ${hex(unit.offset)}: declaration files unknown)`);
      }
    }
    rec.files = (i) => (i === undefined ? undefined : names[i]);
    return rec.files;
  }

  /** Runs a query; anything thrown (a reader bug on strange input) is reported once and gives `fallback`. */
  private safe<T>(f: () => T, fallback: T): T {
    try {
      return f();
    } catch (e) {
      const message = `DWARF: internal error: ${describe(e)}`;
      if (!this.general.includes(message) && this.general.length < 20) this.general.push(message);
      return fallback;
    }
  }
}

function contains(ranges: readonly PcRange[], pc: number): boolean {
  return ranges.some((r) => pc >= r.start && pc < r.end);
}

/** Every inlined call under a function (through blocks and other inlined calls). */
function inlinedCalls(fn: DwarfFunction): InlinedCall[] {
  const out: InlinedCall[] = [];
  const walk = (s: Scope): void => {
    for (const c of s.children) {
      if (c.kind === 'inlined') out.push(c);
      walk(c);
    }
  };
  walk(fn);
  return out;
}

/** The message for a unit that cannot be read, naming the unit (and its file, when its root could be read). */
function unitError(rec: UnitRecord, e: unknown): string {
  const message = describe(e);
  const tag = `unit at ${hex(rec.offset)}`;
  if (message.includes(tag)) return message;
  const name = rec.unit === undefined ? undefined : attrString(rec.unit.root, DW_AT.name);
  return `DWARF: ${tag}${name === undefined ? '' : ` (${name})`}: ${message.replace(/^DWARF: /, '')}`;
}

function describe(e: unknown): string {
  if (e instanceof ProgramFormatError) return e.message;
  return e instanceof Error ? e.message : String(e);
}
