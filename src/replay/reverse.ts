// Reverse execution for a debugger: back one instruction, back one source line (over, in, out), reverse continue, goto back to an address, the first instruction where two VMs differ; long ones as searches.

import type { TimeMachine, TravelStop } from './time-machine';
import type { Search } from './search';
import { depthChangeAt } from '../machine/calls';
import { assert } from '../ft/sim/assert';

/** What reverse line steps need of the program's line table. */
export interface LineTable {
  /** A comparable key of the source line at `pc` (`file:line`), undefined where there is none. */
  lineKey(pc: number): string | undefined;
  /** True where a statement row of the line table starts: line steps land only there. */
  isStatementStart(pc: number): boolean;
}

/** One instruction of a VM before it ran: its count, pc, sp and call depth relative to the window's start. */
export interface Step { instret: number; pc: number; sp: number; depth: number }

export interface History { steps: Step[]; endDepth: number }

/** Back one line stepping over calls, into the last line run (even in a callee), or out to the call of this function. */
export type ReverseLineKind = 'over' | 'in' | 'out';

export type ReverseStop = TravelStop | { reason: 'limit' };

/** Windows of history a reverse line step traces, growing until the target is in one. */
const LINE_WINDOW_FIRST = 256;
const LINE_WINDOW_MAX = 65536;
/** Breakpoint hits whose condition is false that a reverse continue passes at most. */
const REVERSE_HITS_MAX = 10_000;
const HISTORY_YIELD_EVERY = 2048;

export class Reverse {
  /** `linesOf(vm)`: the line table of VM `vm`'s program (a cluster's VMs may run different programs). */
  constructor(readonly tm: TimeMachine, private readonly linesOf: (vm: number) => LineTable) {}

  /** One instruction back for VM `vm` (the rest of the cluster goes back with it). */
  stepInstruction(vm: number): TravelStop {
    return this.tm.stepBack(vm);
  }

  /**
   * pc, sp and call depth of every instruction VM `vm` ran in [from, to), with no breakpoint armed;
   * calls, returns and trap entries change the depth. Leaves the cluster at `to`. Null if unreachable.
   */
  *history(vm: number, from: number, to: number): Search<History | null> {
    const { tm } = this;
    const c = tm.cluster;
    if (!(Number.isSafeInteger(from) && from >= 0 && to >= from)) throw new Error(`history: bad window [${from}, ${to})`);
    if (tm.seekInstret(vm, from).reason === 'unreachable') return null;
    const steps: Step[] = [];
    let depth = 0;
    yield* tm.stops.only(null, function* () {
      for (let k = from; k < to; k++) {
        const m = c.vm(vm)!.machine;
        const pc = m.cpu.pc >>> 0;
        assert(m.instret === k, 'history visits every instruction in order');
        steps.push({ instret: m.instret, pc, sp: m.cpu.x[2] >>> 0, depth });
        const d = depthChangeAt(m, pc);
        if (tm.seekInstret(vm, k + 1).reason !== 'step') break;
        const after = c.vm(vm)!.machine.cpu;
        const vector = (after.mtvec & ~3) >>> 0;
        depth += d === 0 && (after.pc >>> 0) === vector && pc !== vector ? 1 : d; // an interrupt or exception entered the handler
        if ((k - from) % HISTORY_YIELD_EVERY === HISTORY_YIELD_EVERY - 1) yield { what: 'tracing instructions', done: k - from, total: to - from };
      }
    });
    return { steps, endDepth: depth };
  }

  /**
   * Back one source line for VM `vm`: traces a window of instructions before the present (widening it
   * as needed) and lands on the last statement start of another line (`over`: not in a deeper frame;
   * `in`: anywhere), or on the call that entered the current function (`out`). One instruction back
   * where there is no line information or no such point.
   */
  *stepLine(vm: number, kind: ReverseLineKind): Search<TravelStop> {
    const { tm } = this;
    const v = tm.cluster.vm(vm);
    if (v === undefined) return { reason: 'unreachable' };
    const k = v.machine.instret;
    const lines = this.linesOf(vm);
    const startLine = lines.lineKey(v.machine.cpu.pc >>> 0);
    if (startLine === undefined) return tm.stepBack(vm);
    const startSp = v.machine.cpu.x[2] >>> 0;
    for (let window = LINE_WINDOW_FIRST; window <= LINE_WINDOW_MAX; window *= 4) {
      const from = Math.max(0, k - window);
      const h = yield* this.history(vm, from, k);
      if (h === null) break;
      const target = kind === 'out' ? callSite(h) : previousLine(lines, h, startLine, startSp, kind === 'over');
      if (target !== undefined) return tm.seekInstret(vm, target);
      if (from === 0) break;
    }
    return tm.stepBack(vm);
  }

  /**
   * Back to the latest breakpoint or watchpoint hit (of any VM) that `accept` takes (a condition), or to
   * the start of the recording; `limit` after too many hits it refused.
   */
  *reverseContinue(vm: number, accept: (stop: TravelStop & { vm: number }) => boolean): Search<ReverseStop> {
    for (let n = 0; n < REVERSE_HITS_MAX; n++) {
      const s = yield* this.tm.reverseSearch(vm);
      if (s.reason === 'start' || s.reason === 'unreachable') return s;
      if (!('vm' in s) || s.vm === undefined || this.tm.cluster.vm(s.vm) === undefined) continue;
      if (accept({ ...s, vm: s.vm })) return s;
    }
    return { reason: 'limit' };
  }

  /** Back to the most recent moment VM `vm` was about to execute `addr`; false (and the cluster where it was) when it never did. */
  *gotoBack(vm: number, addr: number): Search<boolean> {
    const { tm } = this;
    const start = tm.here();
    const s = yield* tm.stops.only({ vm, addr }, () => tm.reverseSearch(vm));
    const v = tm.cluster.vm(vm);
    const found = s.reason === 'breakpoint' && v !== undefined && (v.machine.cpu.pc >>> 0) === (addr >>> 0);
    if (!found) tm.returnTo(start);
    return found;
  }

  /**
   * The first instruction count at which VMs `p` and `s` differ (machine hashes), by bisection from one
   * instruction after both exist (at its birth count a VM is still being loaded or copied) to both VMs'
   * present count; null when they never do. Comes back to the present either way.
   */
  *firstDivergence(p: number, s: number): Search<number | null> {
    const { tm } = this;
    const c = tm.cluster;
    const vp = c.vm(p);
    const vs = c.vm(s);
    if (vp === undefined || vs === undefined) throw new Error(`firstDivergence: no VM ${vp === undefined ? p : s}`);
    let lo = Math.max(tm.earliestInstret(p), tm.earliestInstret(s)) + 1;
    let hi = Math.min(vp.machine.instret, vs.machine.instret);
    const hashAt = (vm: number, k: number): string => {
      if (tm.seekInstret(vm, k).reason !== 'step') throw new Error(`findDivergence: instruction ${k} cannot be reached`);
      return c.vm(vm)!.machine.hash();
    };
    const differ = (k: number): boolean => hashAt(p, k) !== hashAt(s, k);
    const total = Math.max(1, Math.ceil(Math.log2(Math.max(2, hi - lo + 1))));
    return yield* tm.visitAndReturn(function* () {
      if (hi < lo || !differ(hi)) return null;
      if (differ(lo)) return lo;
      for (let step = 0; hi - lo > 1; step++) { // equal at lo, different at hi
        yield { what: 'bisecting', done: step, total };
        const mid = Math.floor((lo + hi) / 2);
        if (differ(mid)) hi = mid;
        else lo = mid;
      }
      return hi;
    });
  }
}

/** The call (or trapped instruction) that entered the current frame: the last step one level shallower. */
function callSite(h: History): number | undefined {
  for (let i = h.steps.length - 1; i >= 0; i--) {
    if (h.steps[i].depth === h.endDepth - 1) return h.steps[i].instret;
    if (h.steps[i].depth < h.endDepth - 1) return undefined;
  }
  return undefined;
}

/** The last statement start of another line in history `h` (`over`: not in a deeper frame), by its instruction count. */
function previousLine(lines: LineTable, h: History, startLine: string, startSp: number, over: boolean): number | undefined {
  for (let i = h.steps.length - 1; i >= 0; i--) {
    const t = h.steps[i];
    const here = lines.lineKey(t.pc);
    if (here === undefined || here === startLine) continue;
    if (over && (t.depth > h.endDepth || t.sp < startSp)) continue;
    if (lines.isStatementStart(t.pc)) return t.instret;
  }
  return undefined;
}
