// The user's breakpoints as the debugger sees them: source, function, instruction and data breakpoints with conditions, hit counts and log messages.

import type { Machine } from '../machine/machine';
import type { StopValue } from './c-scope';

export type CodeBreakpointKind = 'source' | 'function' | 'instruction';

/**
 * Which VM a breakpoint stops: the primary (one stop per guest execution, the default), the secondary replaying the
 * log, or both (the secondary then stops where the primary stopped: at the same instruction counts).
 */
export const BREAK_MODES = ['primary', 'both', 'secondary'] as const;
export type BreakMode = (typeof BREAK_MODES)[number];

/**
 * The VM a hit happened on, as breakpoints judge it: its role, how many instructions it has retired, and its program
 * (the key of `CodeBreakpoint.at`: a cluster's VMs may run different programs); in a Linux guest's user space, the
 * key of the user program whose process runs (a breakpoint resolved in it stops that process only).
 */
export interface HitVm { role: 'primary' | 'secondary'; instret: number; program: string; space?: string }

/** A breakpoint's code addresses in each program it resolved in, by program (the path the VMs' scenario gives). */
export type ProgramAddrs = ReadonlyMap<string, readonly number[]>;

/** What a breakpoint's mode and counts need: conditions, hits (of the counting VM), where the primary stopped. */
interface Judged {
  condition?: string;
  hitCondition?: string;
  hits: number;
  mode?: BreakMode;
  /** Instruction counts at which the counting VM stopped here (a `both` breakpoint's secondary stops at the same ones). */
  stoppedAt?: Set<number>;
}

/** One user breakpoint at one or more code addresses. */
export interface CodeBreakpoint {
  id: number;
  kind: CodeBreakpointKind;
  /** The addresses in every program (an instruction breakpoint), unless `at` gives each program's own. */
  addrs: number[];
  /** A source or function breakpoint's addresses in each program it is in (VMs of other programs never stop there). */
  at?: ProgramAddrs;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
  /** Hits counted once per guest execution: on the primary, or on the secondary for a `secondary` breakpoint. */
  hits: number;
  /** Undefined: the launch's `breakOn`. */
  mode?: BreakMode;
  stoppedAt?: Set<number>;
  /** Source breakpoints: the file they were set in (a setBreakpoints request replaces one file's). */
  file?: string;
}

export interface DataBreakpoint {
  id: number;
  addr: number;
  len: number;
  condition?: string;
  hitCondition?: string;
  hits: number;
  stoppedAt?: Set<number>;
}

export interface CodeHit { stop: boolean; ids: number[]; kind: CodeBreakpointKind }

/** Where breakpoint conditions and log messages report (a broken condition, a log point's text). */
export type BreakpointOutput = (text: string, category: 'console' | 'stderr') => void;

/** An expression's value where a VM's machine stopped (C in its innermost frame, else the machine's); throws its error. */
export type StopEvaluator = (expr: string, m: Machine, vm: HitVm) => StopValue;

/** Breakpoint `b`'s addresses in program `program`. */
export function addrsIn(b: Pick<CodeBreakpoint, 'addrs' | 'at'>, program: string): readonly number[] {
  return b.at === undefined ? b.addrs : b.at.get(program) ?? [];
}

export class Breakpoints {
  private code: CodeBreakpoint[] = [];
  private data: DataBreakpoint[] = [];
  private nextId = 1;

  /** The launch's `breakOn`: the mode of every breakpoint that names none (data breakpoints and guest traps too). */
  breakOn: BreakMode = 'primary';

  constructor(private readonly evaluate: StopEvaluator, private readonly out: BreakpointOutput) {}

  /** Whether a VM of this role stops for a stop of this mode (guest traps, data breakpoints: the launch's). */
  stopsOn(role: HitVm['role'], mode: BreakMode = this.breakOn): boolean {
    return mode === 'both' || mode === role;
  }

  newId(): number {
    return this.nextId++;
  }

  /** Replaces the code breakpoints of one kind (source breakpoints: of one file). */
  setCode(kind: CodeBreakpointKind, bps: Omit<CodeBreakpoint, 'hits' | 'kind' | 'file' | 'stoppedAt'>[], file?: string): CodeBreakpoint[] {
    const keep = this.code.filter((b) => b.kind !== kind || (file !== undefined && b.file !== file));
    const added = bps.map((b) => ({ ...b, kind, hits: 0, file, stoppedAt: new Set<number>() }));
    this.code = [...keep, ...added];
    return added;
  }

  setData(bps: Omit<DataBreakpoint, 'hits' | 'stoppedAt'>[]): DataBreakpoint[] {
    this.data = bps.map((b) => ({ ...b, hits: 0, stoppedAt: new Set<number>() }));
    return this.data;
  }

  /** Program `program`'s function breakpoint addresses (a stop there shows the function, not a call inlined at its first instruction). */
  functionAddrs(program: string): number[] {
    return this.code.filter((b) => b.kind === 'function').flatMap((b) => addrsIn(b, program));
  }

  /** Every code breakpoint's addresses in program `program`. */
  codeAddrs(program: string): number[] {
    return this.code.flatMap((b) => addrsIn(b, program));
  }

  get watches(): { addr: number; len: number }[] {
    return this.data.map((d) => ({ addr: d.addr, len: d.len }));
  }

  get hasData(): boolean {
    return this.data.length > 0;
  }

  /**
   * Whether a stop at the machine's pc should stop the user on VM `vm`, counting hits (when `count`) and printing
   * log messages once per guest execution (on the counting VM: the primary, or the secondary of a `secondary` breakpoint).
   */
  checkCode(m: Machine, count: boolean, vm: HitVm): CodeHit {
    const pc = m.cpu.pc >>> 0;
    const ids: number[] = [];
    let kind: CodeBreakpointKind = 'source';
    for (const b of this.code) {
      if (!addrsIn(b, vm.program).includes(pc) && (vm.space === undefined || b.at === undefined || !addrsIn(b, vm.space).includes(pc))) continue;
      const log = b.logMessage !== undefined && b.logMessage !== '';
      if (!this.judge(b, m, count, vm, log)) continue;
      if (log) {
        if (count) this.out(`${this.interpolate(b.logMessage!, m, vm)}\n`, 'console');
        continue;
      }
      ids.push(b.id);
      kind = b.kind;
    }
    return { stop: ids.length > 0, ids, kind };
  }

  /** Data breakpoints matching the CPU's last watchpoint hit whose conditions hold, on VM `vm` (the launch's `breakOn`). */
  checkData(m: Machine, count: boolean, vm: HitVm): { stop: boolean; ids: number[] } {
    const hit = m.cpu.lastWatchHit;
    const ids: number[] = [];
    for (const d of this.data) {
      if (hit !== null && !(hit.addr < d.addr + d.len && d.addr < hit.addr + hit.size)) continue;
      if (this.judge(d, m, count, vm, false)) ids.push(d.id);
    }
    return { stop: ids.length > 0, ids };
  }

  /**
   * One breakpoint at a hit of VM `vm`. The counting VM (the primary; the secondary for a `secondary` breakpoint)
   * checks the condition and counts the hit; the secondary of a `both` breakpoint stops where the primary stopped
   * (going back, where the condition holds). `log`: a log point, judged on the counting VM only.
   */
  private judge(b: Judged, m: Machine, count: boolean, vm: HitVm, log: boolean): boolean {
    const mode = b.mode ?? this.breakOn;
    const counting = mode === 'secondary' ? 'secondary' : 'primary';
    if (vm.role !== counting) {
      if (log || !this.stopsOn(vm.role, mode)) return false;
      return count ? (b.stoppedAt?.has(vm.instret) ?? false) : this.conditionHolds(b, m, vm);
    }
    if (!this.holds(b, m, vm, count)) return false;
    if (count && !log) b.stoppedAt?.add(vm.instret);
    return true;
  }

  private conditionHolds(b: { condition?: string }, m: Machine, vm: HitVm): boolean {
    return b.condition === undefined || b.condition.trim() === '' || this.truthy(b.condition, m, vm);
  }

  /** Condition, then hit count (counted only when `count`: going backwards does not count). */
  private holds(b: { condition?: string; hitCondition?: string; hits: number }, m: Machine, vm: HitVm, count: boolean): boolean {
    if (!this.conditionHolds(b, m, vm)) return false;
    if (count) b.hits++;
    return !(count && b.hitCondition !== undefined && b.hitCondition.trim() !== '' && !hitMatches(b.hitCondition, b.hits));
  }

  private truthy(cond: string, m: Machine, vm: HitVm): boolean {
    try {
      const v = this.evaluate(cond, m, vm).number;
      if (v === undefined) throw new Error('the condition is not a number');
      return v !== 0n;
    } catch (e) {
      this.out(`breakpoint condition ${JSON.stringify(cond)}: ${(e as Error).message}\n`, 'stderr');
      return true; // a broken condition stops, so the user sees it
    }
  }

  private interpolate(msg: string, m: Machine, vm: HitVm): string {
    return msg.replace(/\{([^}]+)\}/g, (_, expr: string) => {
      try {
        return this.evaluate(expr, m, vm).text;
      } catch (e) {
        return `<${(e as Error).message}>`;
      }
    });
  }
}

/** DAP hit conditions: `N` (stop from the Nth hit on), `>= N`, `> N`, `== N`, `% N`. */
export function hitMatches(cond: string, hits: number): boolean {
  const m = /^\s*(>=|>|==|=|%|<=|<)?\s*(\d+)\s*$/.exec(cond);
  if (m === null) return true;
  const n = Number(m[2]);
  switch (m[1]) {
    case '>': return hits > n;
    case '==': case '=': return hits === n;
    case '%': return n > 0 && hits % n === 0;
    case '<': return hits < n;
    case '<=': return hits <= n;
    default: return hits >= n;
  }
}
