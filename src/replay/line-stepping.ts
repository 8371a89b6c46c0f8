// Source-level reverse stepping: back one line over calls (the default), into calls, and out to the caller.

import type { LineRow, Program } from '../machine/program';
import { findLineRow } from '../machine/dwarf';
import type { TimeMachine, TravelStop } from './time-machine';

/** One instruction of a VM before it ran: where it was and its call depth (calls and trap entries count +1). */
export interface Step { instret: number; pc: number; depth: number }

/** How an instruction changes the call depth: +1 a call (jal/jalr linking ra or t0), -1 a return (ret, mret), else 0. */
export function callDelta(insn: number): number {
  if ((insn & 3) !== 3) return compressedDelta(insn & 0xffff);
  const op = insn & 0x7f;
  const rd = (insn >>> 7) & 31;
  const rs1 = (insn >>> 15) & 31;
  if (op === 0x6f) return rd === 1 || rd === 5 ? 1 : 0;
  if (op === 0x67) return rd === 1 || rd === 5 ? 1 : rd === 0 && (rs1 === 1 || rs1 === 5) ? -1 : 0;
  if (insn >>> 0 === 0x30200073) return -1; // mret
  return 0;
}

function compressedDelta(h: number): number {
  const op = h & 3;
  const funct3 = h >>> 13;
  if (op === 1 && funct3 === 1) return 1; // c.jal (RV32)
  if (op === 2 && funct3 === 4 && ((h >>> 2) & 31) === 0) {
    const rs1 = (h >>> 7) & 31;
    const link = (h >>> 12) & 1;
    if (link === 1 && rs1 !== 0) return 1; // c.jalr
    if (link === 0 && (rs1 === 1 || rs1 === 5)) return -1; // c.jr ra (ret)
  }
  return 0;
}

/** A position's source line as a comparable key, or null where there is no line information (handlers, libraries). */
export function lineKey(rows: readonly LineRow[], pc: number): string | null {
  const row = findLineRow(rows, pc);
  return row === undefined ? null : `${row.file}:${row.line}`;
}

export type LineStepKind = 'over' | 'in' | 'out';

/**
 * Goes back one source line for VM `vm`. `over` skips calls made by the previous line, `in` stops in
 * the last line executed (even inside a callee), `out` goes back to the call of the current function.
 * Lands on the first instruction of the line it stops on.
 */
export function reverseLineStep(tm: TimeMachine, program: Program, vm: number, kind: LineStepKind): TravelStop {
  const c = tm.cluster;
  const v = c.vm(vm);
  if (v === undefined) return { reason: 'unreachable' };
  const rows = program.lines;
  const endInstret = v.machine.instret;
  const endPc = v.machine.pc;
  for (let windowInstr = 20_000, tries = 0; tries < 8; windowInstr *= 4, tries++) {
    const from = Math.max(0, endInstret - windowInstr);
    const history = tm.history(vm, from, endInstret);
    if (history === null) return { reason: 'unreachable' };
    const here: Step = { instret: endInstret, pc: endPc, depth: tm.lastHistoryDepth };
    const target = pickTarget(history, here, rows, kind);
    if (target !== null) return tm.seekInstret(vm, target);
    if (from === 0 || history.length === 0 || history[0].instret <= tm.earliestInstret(vm)) {
      return tm.seekInstret(vm, Math.max(tm.earliestInstret(vm), history[0]?.instret ?? endInstret)).reason === 'step'
        ? { reason: 'start' } : { reason: 'unreachable' };
    }
  }
  return { reason: 'unreachable' };
}

/** The instret to land on, chosen from `history` (oldest first, ending just before `here`), or null if it lies further back. */
export function pickTarget(history: Step[], here: Step, rows: readonly LineRow[], kind: LineStepKind): number | null {
  const startLine = lineKey(rows, here.pc);
  if (kind === 'out') return callSite(history, here);
  const shallowEnough = (s: Step) => kind === 'in' || s.depth <= here.depth;
  let i = history.length - 1;
  // 1. Back over the rest of the current line (and, for `over`, anything deeper than our frame).
  while (i >= 0 && (lineKey(rows, history[i].pc) === startLine || lineKey(rows, history[i].pc) === null || !shallowEnough(history[i]))) i--;
  if (i < 0) return null;
  // 2. Back to the first instruction of that previous line at that depth.
  const prevLine = lineKey(rows, history[i].pc);
  const depth = history[i].depth;
  let j = i;
  while (j - 1 >= 0) {
    const p = history[j - 1];
    const sameRun = lineKey(rows, p.pc) === prevLine && p.depth === depth;
    const deeperCall = kind === 'over' && p.depth > depth;
    if (!sameRun && !deeperCall) break;
    j--;
  }
  if (j === 0 && history.length > 0 && history[0].instret > 0) return null; // the line may start before this window
  return history[j].instret;
}

/** The call (or trapped instruction) that entered the current frame: the last step one level shallower. */
function callSite(history: Step[], here: Step): number | null {
  for (let i = history.length - 1; i >= 0; i--) {
    if (history[i].depth === here.depth - 1) return history[i].instret;
    if (history[i].depth < here.depth - 1) return null;
  }
  return null;
}
