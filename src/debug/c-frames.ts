// C source frames of one VM: the unwinder's machine frames split into inlined calls by DWARF, and what reading a frame's variables needs (registers, memory, CFA).

import { resolve, dirname } from 'node:path';
import type { Machine } from '../machine/machine';
import type { InlineFrame } from '../machine/dwarf-debug-info';
import type { MachineAccess } from '../machine/dwarf-expr';
import { resolveEntryValue, type CallerFrames } from '../machine/dwarf-entry-value';
import type { Frame, ProgramInfo, SourceLocation, UnwindStart } from './program-info';
import { hex } from './program-info';

/** One frame as the source shows it: a machine frame, or an inlined call within one. */
export interface SourceFrame {
  /** Index of the machine frame (registers, CFA) it belongs to. */
  machineLevel: number;
  pc: number;
  sp: number;
  /** Where its code and variables are looked up: pc, or pc - 1 in a caller (the call, not the return address). */
  lookupPc: number;
  name: string;
  location: SourceLocation | undefined;
  /** Where a trap interrupted the code: the innermost source frame of an interrupted machine frame. */
  trapped: boolean;
  inlined: boolean;
  /** DWARF's view of this frame: its parameters and the locals of the blocks around its pc. */
  dwarf: InlineFrame | undefined;
  /** Its machine frame's canonical frame address, and (a caller's) registers the unwinder recovered. */
  cfa: number | undefined;
  regs: ReadonlyMap<number, number> | undefined;
}

/**
 * The source frames of a machine, innermost first, down to `main` (GDB's `backtrace past-main off`). Stopped
 * by a function breakpoint (`functionStops`) at the first instruction of an inlined call, the function is the
 * innermost frame, as GDB shows it; a line breakpoint in the inlined code shows the inlined frame. `start`: unwind
 * from those registers rather than the machine's (a user program's frames under a kernel stack).
 */
export function sourceFrames(m: Machine, info: ProgramInfo, functionStops: readonly number[] = [], max = 32, start?: UnwindStart): SourceFrame[] {
  const out: SourceFrame[] = [];
  const machine = info.unwind(m, max, start);
  const main = info.dwarf === undefined ? -1 : machine.findIndex((f) => f.fn?.name === 'main');
  (main >= 0 ? machine.slice(0, main + 1) : machine).forEach((f, level) => {
    const lookupPc = f.caller ? (f.pc - 1) >>> 0 : f.pc;
    let inline = info.dwarf?.framesAt(lookupPc) ?? [];
    let location = info.location(lookupPc);
    while (level === 0 && functionStops.includes(f.pc) && inline.length > 1 && inline[0].kind === 'inlined' && entryOf(inline[0]) === f.pc) {
      location = callSiteLocation(inline[0], info, location);
      inline = inline.slice(1);
    }
    if (inline.length === 0) {
      out.push({ machineLevel: level, pc: f.pc, sp: f.sp, lookupPc, name: frameName(f), location, trapped: f.trapped, inlined: false, dwarf: undefined, cfa: f.cfa, regs: f.regs });
      return;
    }
    inline.forEach((d, i) => {
      const concrete = i === inline.length - 1;
      out.push({
        machineLevel: level, pc: f.pc, sp: f.sp, lookupPc, name: concrete ? frameName(f) : d.name, location,
        trapped: i === 0 && f.trapped, inlined: !concrete, dwarf: d, cfa: f.cfa, regs: f.regs,
      });
      location = callSiteLocation(d, info, location);
    });
  });
  return out;
}

function entryOf(d: InlineFrame): number | undefined {
  return d.scope.kind === 'inlined' ? d.scope.entryPc : undefined;
}

function frameName(f: Frame): string {
  if (f.fn === undefined) return hex(f.pc);
  return f.pc === f.fn.addr || f.fn.kind === 'func' ? f.fn.name : `${f.fn.name}+0x${(f.pc - f.fn.addr).toString(16)}`;
}

/** Where an inlined call was written: the caller's current line. */
function callSiteLocation(d: InlineFrame, info: ProgramInfo, inner: SourceLocation | undefined): SourceLocation | undefined {
  const site = d.callSite;
  if (site?.line === undefined) return inner;
  const path = site.file === undefined ? inner?.path : resolve(dirname(info.programPath), site.file);
  return path === undefined ? undefined : { path, line: site.line, column: (site.column ?? 0) + 1 };
}

/** Machine frame `level`'s registers as the unwinder recovered them (a caller's, or an unwind start's); undefined for the machine's innermost frame. */
export function recoveredRegisters(frames: readonly SourceFrame[], level: number): ReadonlyMap<number, number> | undefined {
  return frames.find((f) => f.machineLevel === level)?.regs;
}

/**
 * Registers, memory and CFA of machine frame `level` for DWARF locations: the innermost frame has every
 * register (the machine's, or its unwind start's); an outer one what call frame information recovers (sp, the
 * callee-saved ones), else only sp, so a value kept in a register there is unavailable rather than wrong.
 */
export function frameAccess(m: Machine, info: ProgramInfo, frames: readonly SourceFrame[], level: number): MachineAccess {
  const own = frames.find((f) => f.machineLevel === level);
  const caller = frames.find((f) => f.machineLevel === level + 1);
  const dwarf = info.dwarf;
  const machine = level === 0 && own?.regs === undefined; // the machine's own registers
  return {
    reg: (n) => (machine ? (n >= 0 && n < 32 ? m.cpu.x[n] >>> 0 : undefined) : own?.regs?.get(n) ?? (n === 2 ? own?.sp : undefined)),
    readMemory: (addr, len) => (m.view.contains(addr >>> 0, len) ? m.view.readBytes(addr >>> 0, len) : undefined),
    cfa: () => own?.cfa ?? (machine ? info.frameCfa(m) : caller?.sp),
    entryValue: (reg, deref) => (dwarf === undefined ? { reason: 'no DWARF' }
      : resolveEntryValue(dwarf, callerFrames(m, info, frames), level, { kind: 'register', reg }, deref)),
  };
}

/** The machine frames under source frames, as resolving entry values through callers' call sites needs them. */
export function callerFrames(m: Machine, info: ProgramInfo, frames: readonly SourceFrame[]): CallerFrames {
  const at = (level: number): SourceFrame | undefined => frames.find((f) => f.machineLevel === level);
  return {
    count: frames.length === 0 ? 0 : frames[frames.length - 1].machineLevel + 1,
    lookupPc: (level) => at(level)?.lookupPc ?? 0,
    returnPc: (level) => {
      const f = at(level);
      return f !== undefined && f.lookupPc !== f.pc ? f.pc : undefined;
    },
    access: (level) => frameAccess(m, info, frames, level),
    symbolAddress: (name) => info.symbols.find((s) => s.name === name && s.kind === 'func')?.addr,
  };
}
