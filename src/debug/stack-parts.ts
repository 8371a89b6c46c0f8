// A VM's call stack in parts, each read with one program's debug information: the code the hart is in (a Linux guest's kernel, or the user program it runs), then the user program's frames under a kernel stack its trap entered.

import type { Machine } from '../machine/machine';
import type { ProgramInfo } from './program-info';
import { sourceFrames, type SourceFrame } from './c-frames';
import type { DebugFrame } from './vm-access';
import type { UserSpaces } from './user-spaces';

/** The code a part of a stack is: its debug information, and the key of its breakpoints (a VM's program, or a user space's). */
export interface CodeOf { info: ProgramInfo; program: string }

export interface StackPart extends CodeOf {
  frames: SourceFrame[];
  /** The function breakpoints of its program (a stop there shows the function, not a call inlined at its first instruction). */
  functionStops: readonly number[];
  /** Whether its innermost frame is the machine's own (the stack's first part): else its registers are the unwind start's. */
  machine: boolean;
}

/**
 * The parts of a machine's stack: `here`'s frames, innermost first; in a kernel with user spaces, when they reach
 * the trap entry with the user's registers saved below, that frame ends them and the user program's follow.
 */
export function stackParts(m: Machine, here: CodeOf, spaces: UserSpaces | undefined, stopsOf: (program: string) => readonly number[]): StackPart[] {
  const top: StackPart = { ...here, frames: sourceFrames(m, here.info, stopsOf(here.program)), functionStops: stopsOf(here.program), machine: true };
  if (spaces === undefined) return [top];
  const entry = top.frames.findIndex((f) => f.machineLevel > 0 && spaces.isTrapEntry(f.lookupPc));
  const trap = entry < 0 ? undefined : spaces.trapFrame(m, top.frames[entry].sp);
  if (trap === undefined) return [top];
  const user = sourceFrames(m, trap.space.info, [], 32, trap.start);
  return [
    { ...top, frames: top.frames.slice(0, entry + 1) },
    { info: trap.space.info, program: trap.space.key, frames: user, functionStops: [], machine: false },
  ];
}

/** Source frame `depth` of the whole stack: its part and its index there (undefined past the last frame). */
export function partAt(parts: readonly StackPart[], depth: number): { part: StackPart; frame: SourceFrame } | undefined {
  let d = depth;
  for (const part of parts) {
    if (d < part.frames.length) return { part, frame: part.frames[d] };
    d -= part.frames.length;
  }
  return undefined;
}

/** A source frame as the debugger shows it. */
export function debugFrame(f: SourceFrame): DebugFrame {
  return { pc: f.pc, sp: f.sp, name: f.name, location: f.location, trapped: f.trapped, inlined: f.inlined };
}
