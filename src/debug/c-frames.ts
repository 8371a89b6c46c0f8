// C source frames of one VM: the unwinder's machine frames split into inlined calls by DWARF, and what reading a frame's variables needs (registers, memory, CFA).

import { resolve, dirname } from 'node:path';
import type { Machine } from '../machine/machine';
import type { InlineFrame } from '../machine/dwarf-debug-info';
import type { MachineAccess } from '../machine/dwarf-expr';
import { resolveEntryValue, type CallerFrames } from '../machine/dwarf-entry-value';
import type { Frame, ProgramInfo, SourceLocation } from './program-info';
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
}

/**
 * The source frames of a machine, innermost first, down to `main` (GDB's `backtrace past-main off`). Stopped
 * by a function breakpoint (`functionStops`) at the first instruction of an inlined call, the function is the
 * innermost frame, as GDB shows it; a line breakpoint in the inlined code shows the inlined frame.
 */
export function sourceFrames(m: Machine, info: ProgramInfo, functionStops: readonly number[] = [], max = 32): SourceFrame[] {
  const out: SourceFrame[] = [];
  const machine = info.unwind(m, max);
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
      out.push({ machineLevel: level, pc: f.pc, sp: f.sp, lookupPc, name: frameName(f), location, trapped: f.trapped, inlined: false, dwarf: undefined });
      return;
    }
    inline.forEach((d, i) => {
      const concrete = i === inline.length - 1;
      out.push({
        machineLevel: level, pc: f.pc, sp: f.sp, lookupPc, name: concrete ? frameName(f) : d.name, location,
        trapped: i === 0 && f.trapped, inlined: !concrete, dwarf: d,
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

/** Registers a callee keeps for its caller (RISC-V psABI): gp, tp, s0–s11. Others are unknown in a caller's frame. */
const CALLEE_SAVED = [3, 4, 8, 9, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27];

/** One machine frame's registers as call frame information recovers them, and its CFA. */
interface FrameRegs { regs: Map<number, number>; cfa: number | undefined }

/**
 * The registers of machine frames 0..`upTo` through .debug_frame: each frame's CFA from its row, the
 * caller's callee-saved registers from where the row says they were saved (or unchanged), its sp the CFA.
 * Stops at the first frame without a row, or where the recovered return address is not the unwinder's
 * caller pc (the two unwinders disagree: trust neither's registers).
 */
function cfiRegisters(m: Machine, info: ProgramInfo, frames: readonly SourceFrame[], upTo: number): FrameRegs[] {
  const cfi = info.cfi;
  const out: FrameRegs[] = [{ regs: new Map(Array.from({ length: 32 }, (_, n) => [n, m.cpu.x[n] >>> 0] as [number, number])), cfa: undefined }];
  const word = (a: number): number | undefined => (m.ram.contains(a >>> 0, 4) ? m.ram.dv.getUint32((a >>> 0) - m.ram.base, true) : undefined);
  for (let level = 0; level < upTo && cfi !== undefined; level++) {
    const f = frames.find((x) => x.machineLevel === level);
    const caller = frames.find((x) => x.machineLevel === level + 1);
    const row = f === undefined ? undefined : cfi.rowAt(f.lookupPc);
    const base = row === undefined ? undefined : out[level].regs.get(row.cfaReg);
    if (row === undefined || base === undefined || caller === undefined) break;
    const cfa = (base + row.cfaOffset) >>> 0;
    out[level].cfa = cfa;
    const regs = new Map<number, number>([[2, cfa]]);
    for (const r of [...CALLEE_SAVED, row.raReg]) {
      const rule = row.rules.get(r);
      const v = rule === undefined || rule.kind === 'same' ? out[level].regs.get(r) // the return address column too: still in ra at a function's entry
        : rule.kind === 'offset' ? word(cfa + rule.offset) : rule.kind === 'valOffset' ? (cfa + rule.offset) >>> 0
        : rule.kind === 'register' ? out[level].regs.get(rule.reg) : undefined;
      if (v !== undefined) regs.set(r, v);
    }
    if (regs.get(row.raReg) !== caller.pc) break;
    regs.delete(row.raReg); // the caller's own ra is whatever it was before its call: unknown
    out.push({ regs, cfa: undefined });
  }
  return out;
}

/** Machine frame `level`'s registers as call frame information recovers them; undefined where CFI does not reach it. */
export function recoveredRegisters(m: Machine, info: ProgramInfo, frames: readonly SourceFrame[], level: number): ReadonlyMap<number, number> | undefined {
  if (level === 0 || info.cfi === undefined) return undefined;
  return cfiRegisters(m, info, frames, level)[level]?.regs;
}

/**
 * Registers, memory and CFA of machine frame `level` for DWARF locations: the innermost frame has every
 * register; an outer one what call frame information recovers (sp, the callee-saved ones), else only sp,
 * so a value kept in a register there is unavailable rather than wrong.
 */
export function frameAccess(m: Machine, info: ProgramInfo, frames: readonly SourceFrame[], level: number): MachineAccess {
  const own = frames.find((f) => f.machineLevel === level);
  const caller = frames.find((f) => f.machineLevel === level + 1);
  const cfi = level === 0 && info.cfi === undefined ? undefined : cfiRegisters(m, info, frames, level + 1)[level];
  const dwarf = info.dwarf;
  return {
    reg: (n) => (level === 0 ? (n >= 0 && n < 32 ? m.cpu.x[n] >>> 0 : undefined) : cfi?.regs.get(n) ?? (n === 2 ? own?.sp : undefined)),
    readMemory: (addr, len) => (m.ram.contains(addr >>> 0, len) ? m.ram.readBytes(addr >>> 0, len) : undefined),
    cfa: () => cfi?.cfa ?? (level === 0 ? info.frameCfa(m) : caller?.sp),
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
