// One source frame's C view: its variables by C scoping, read through one register/memory access of its machine frame.

import type { Machine } from '../machine/machine';
import type { MachineAccess } from '../machine/dwarf-expr';
import type { Variable } from '../machine/dwarf-scopes';
import type { ProgramInfo } from './program-info';
import { callerFrames, frameAccess, sourceFrames, type SourceFrame } from './c-frames';
import { resolveEntryValue } from '../machine/dwarf-entry-value';
import { readLocationBytes } from '../machine/dwarf-value';
import { typeSize } from '../machine/dwarf-type-util';
import { readVariable, valueSource } from './c-vars';
import type { CValue, ValueSource } from './c-values';

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

  /** The variables the frame sees: its blocks' (innermost first), then every global. */
  get visible(): Variable[] {
    return [...(this.frame.dwarf?.blocks.flatMap((b) => b.variables) ?? []), ...(this.info.dwarf?.globals() ?? [])];
  }

  /** C scoping: the frame's blocks innermost first, then its unit's file-scope variables, then any unit's. */
  variable(name: string): Variable | undefined {
    const d = this.info.dwarf;
    const inBlocks = this.frame.dwarf?.blocks.map((b) => b.variables.find((x) => x.name === name)).find((x) => x !== undefined);
    return inBlocks ?? d?.unitAt(this.frame.lookupPc)?.globals.find((g) => g.name === name) ?? d?.findVariable(name);
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

/** Source frame `depth` (the top one when there is no such frame) of a machine, or undefined without DWARF or frames. */
export function cFrameScope(m: Machine, info: ProgramInfo, functionStops: readonly number[], depth: number): CFrameScope | undefined {
  if (info.dwarf === undefined) return undefined;
  const frames = sourceFrames(m, info, functionStops);
  const f = frames[depth] ?? frames[0];
  return f === undefined ? undefined : new CFrameScope(m, info, frames, f);
}
