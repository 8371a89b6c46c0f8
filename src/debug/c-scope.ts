// One source frame's C view: its variables by C scoping, read through one register/memory access of its machine frame.

import type { Machine } from '../machine/machine';
import type { MachineAccess } from '../machine/dwarf-expr';
import type { Variable } from '../machine/dwarf-scopes';
import type { ProgramInfo } from './program-info';
import { frameAccess, sourceFrames, type SourceFrame } from './c-frames';
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

  value(name: string): CValue | undefined {
    const x = this.variable(name);
    return x === undefined ? undefined : this.read(x);
  }
}

/** Source frame `depth` (the top one when there is no such frame) of a machine, or undefined without DWARF or frames. */
export function cFrameScope(m: Machine, info: ProgramInfo, functionStops: readonly number[], depth: number): CFrameScope | undefined {
  if (info.dwarf === undefined) return undefined;
  const frames = sourceFrames(m, info, functionStops);
  const f = frames[depth] ?? frames[0];
  return f === undefined ? undefined : new CFrameScope(m, info, frames, f);
}
