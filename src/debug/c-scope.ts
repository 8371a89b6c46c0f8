// One source frame's C view: its variables by C scoping, read through one register/memory access of its machine frame.

import type { Machine } from '../machine/machine';
import type { MachineAccess } from '../machine/dwarf-expr';
import type { CompileUnit, Variable } from '../machine/dwarf-scopes';
import type { ProgramInfo } from './program-info';
import { callerFrames, frameAccess, sourceFrames, type SourceFrame } from './c-frames';
import { resolveEntryValue } from '../machine/dwarf-entry-value';
import { readLocationBytes } from '../machine/dwarf-value';
import { typeSize } from '../machine/dwarf-type-util';
import { enumerator, globalBySymbol, readVariable, typeNamed, valueSource } from './c-vars';
import { unreadable, type CValue, type ValueSource } from './c-values';
import { evaluateC, integerValue, CExprError } from './c-expr';
import { formatValue } from './c-values';
import { evaluate as evaluateMachine, machineName } from './evaluate';

export class CFrameScope {
  readonly src: ValueSource;
  readonly access: MachineAccess;

  constructor(readonly m: Machine, readonly info: ProgramInfo, readonly frames: readonly SourceFrame[], readonly frame: SourceFrame) {
    this.src = valueSource(m, info);
    this.access = frameAccess(m, info, frames, frame.machineLevel);
  }

  read(v: Variable): CValue {
    return readVariable(this.info, this.frame, this.access, v);
  }

  /**
   * The variables whose types enumerators and type names are looked up in: the frame's blocks' (innermost first), then
   * every global; in a program of many units (DebugInfo.large) the frame's unit's globals and extern declarations only.
   */
  get visible(): Variable[] {
    const blocks = this.frame.dwarf?.blocks.flatMap((b) => b.variables) ?? [];
    const d = this.info.dwarf;
    if (d?.large) return [...blocks, ...(this.unit?.globals ?? []), ...(this.unit?.declarations ?? [])];
    return [...blocks, ...(d?.globals() ?? [])];
  }

  /** The compile unit of the frame's code (read with the frame), if DWARF has one. */
  get unit(): CompileUnit | undefined {
    return this.info.dwarf?.unitAt(this.frame.lookupPc);
  }

  /**
   * C scoping: the frame's blocks innermost first, then its unit's file-scope variables, then any unit's; in a program
   * of many units, the global of that name the symbol table has (its unit found by its address), not every unit read.
   */
  variable(name: string): Variable | undefined {
    const d = this.info.dwarf;
    const inBlocks = this.frame.dwarf?.blocks.map((b) => b.variables.find((x) => x.name === name)).find((x) => x !== undefined);
    if (inBlocks !== undefined) return inBlocks;
    const unit = this.unit;
    return unit?.globals.find((g) => g.name === name) ?? (d?.large ? globalBySymbol(this.info, unit, name) : d?.findVariable(name));
  }

  /** A variable by name, or GDB's `x@entry` (parameter x on entry to its function). */
  value(name: string): CValue | undefined {
    const entry = /^(\w+)@entry$/.exec(name);
    if (entry !== null) {
      const p = this.frame.dwarf?.parameters.find((v) => v.name === entry[1]); // the parameter, even where a local shadows it
      return p === undefined ? undefined : this.entry(p);
    }
    const x = this.variable(name);
    return x === undefined ? undefined : this.read(x);
  }

  /**
   * A C expression's value here (or the error evaluating it), and whether it named anything of C: an
   * expression that names no C variable or type (registers, CSRs, symbols, addresses) is the machine evaluator's.
   */
  evaluate(expr: string): CEvaluation {
    let named = false;
    const seen = <T>(x: T | undefined): T | undefined => {
      if (x !== undefined) named = true;
      return x;
    };
    const visible = this.visible;
    const lookup = (n: string): CValue | undefined => {
      if (n.endsWith('@entry') && this.frame.dwarf?.parameters.some((p) => `${p.name}@entry` === n)) named = true; // known or not, it is C's
      return seen(this.value(n) ?? enumerator(n, visible));
    };
    try {
      return { value: evaluateC(expr, lookup, this.src, (n) => seen(typeNamed(n, visible))), named };
    } catch (error) {
      return { error, named };
    }
  }

  /**
   * A C expression's value as GDB's `print` gives it (its error thrown, memory that cannot be read too), or
   * undefined when the expression is none of C's here (no C name in it, or one this frame does not know).
   */
  printable(expr: string): CValue | undefined {
    const r = this.evaluate(expr);
    if (!r.named || (r.error instanceof CExprError && /^No symbol|^unexpected/.test(r.error.message))) {
      const unknown = r.error instanceof CExprError ? /^No symbol "(\w+)" in current context\.$/.exec(r.error.message)?.[1] : undefined;
      if (unknown !== undefined && this.info.dwarf?.large && !machineName(unknown, this.info)) throw new CExprError(this.notFound(unknown));
      return undefined;
    }
    if (r.value === undefined) throw r.error;
    const bad = unreadable(r.value);
    if (bad !== undefined) throw new CExprError(bad); // GDB's print fails there, where a listing shows the error in place
    return r.value;
  }

  /** Where a program of many units looked for a name it did not find (every unit is not read: the user should know). */
  private notFound(name: string): string {
    const file = this.info.programPath.replace(/^.*[\\/]/, '');
    const unit = this.unit?.name;
    const where = unit === undefined ? `${this.frame.name}'s scopes (no compile unit describes its code)` : `${this.frame.name}'s scopes, its unit ${unit}`;
    return `No symbol "${name}" in current context. ${file} has ${this.info.dwarf!.unitCount} compile units, so a name is looked up in ${where} `
      + `and the symbol table, not in every unit: enumerators and types only in ${unit ?? 'the stopped frame\'s unit'}, macros not at all.`;
  }

  /**
   * Parameter `v`'s value on entry to the frame's function (or inlined call), as the caller's call site
   * says it; undefined when it is not known (not a parameter, not kept in one register or stack slot there,
   * no call site that says it).
   */
  entry(v: Variable): CValue | undefined {
    const d = this.info.dwarf;
    const scope = this.frame.dwarf?.scope;
    const size = typeSize(v.type);
    if (d === undefined || scope === undefined || v.kind !== 'parameter' || size === undefined) return undefined;
    const slot = d.entrySlot(v, scope.function.entryPc); // GDB: the concrete function's entry, for inlined parameters too
    if (slot === undefined) return undefined;
    const r = resolveEntryValue(d, callerFrames(this.m, this.info, this.frames), this.frame.machineLevel, slot, false);
    if ('reason' in r) return undefined;
    return { type: v.type, bytes: readLocationBytes({ kind: 'value', value: r.value }, size, this.access) };
  }
}

/** A C expression's value (or the error evaluating it), and whether it named anything of C. */
export interface CEvaluation { value?: CValue; error?: unknown; named: boolean }

/** Source frame `depth` (the top one when there is no such frame) of a machine, or undefined without DWARF or frames. */
export function cFrameScope(m: Machine, info: ProgramInfo, functionStops: readonly number[], depth: number): CFrameScope | undefined {
  if (info.dwarf === undefined) return undefined;
  const frames = sourceFrames(m, info, functionStops);
  const f = frames[depth] ?? frames[0];
  return f === undefined ? undefined : new CFrameScope(m, info, frames, f);
}

/** An expression's value where a machine stopped, as breakpoint conditions and log points read it. */
export interface StopValue {
  /** Its integer value; undefined for a value that is not a number (a struct, an array). */
  number: bigint | undefined;
  /** As a log point prints it: C values as GDB prints them, machine expressions in decimal. */
  text: string;
}

/**
 * `expr` at a machine's stop: a C expression in its innermost source frame (`p->len > 3`, `keyLen`), else the
 * machine's (registers, CSRs, symbols, memory). Throws the evaluation's error.
 */
export function stopValue(m: Machine, info: ProgramInfo, functionStops: readonly number[], expr: string): StopValue {
  const s = cFrameScope(m, info, functionStops, 0);
  const c = s?.printable(expr);
  if (s !== undefined && c !== undefined) return { number: integerValue(c), text: formatValue(c, s.src, false) };
  const x = evaluateMachine(expr, m, info).value;
  return { number: BigInt(x), text: String(x) };
}
