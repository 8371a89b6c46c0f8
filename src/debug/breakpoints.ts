// The user's breakpoints as the debugger sees them: source, function, instruction and data breakpoints with conditions, hit counts and log messages.

import type { Machine } from '../machine/machine';
import type { StopValue } from './c-scope';

export type CodeBreakpointKind = 'source' | 'function' | 'instruction';

/** One user breakpoint at one or more code addresses. */
export interface CodeBreakpoint {
  id: number;
  kind: CodeBreakpointKind;
  addrs: number[];
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
  hits: number;
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
}

export interface CodeHit { stop: boolean; ids: number[]; kind: CodeBreakpointKind }

/** Where breakpoint conditions and log messages report (a broken condition, a log point's text). */
export type BreakpointOutput = (text: string, category: 'console' | 'stderr') => void;

/** An expression's value where a machine stopped (C in its innermost frame, else the machine's); throws its error. */
export type StopEvaluator = (expr: string, m: Machine) => StopValue;

export class Breakpoints {
  private code: CodeBreakpoint[] = [];
  private data: DataBreakpoint[] = [];
  private nextId = 1;

  constructor(private readonly evaluate: StopEvaluator, private readonly out: BreakpointOutput) {}

  newId(): number {
    return this.nextId++;
  }

  /** Replaces the code breakpoints of one kind (source breakpoints: of one file). */
  setCode(kind: CodeBreakpointKind, bps: Omit<CodeBreakpoint, 'hits' | 'kind' | 'file'>[], file?: string): CodeBreakpoint[] {
    const keep = this.code.filter((b) => b.kind !== kind || (file !== undefined && b.file !== file));
    const added = bps.map((b) => ({ ...b, kind, hits: 0, file }));
    this.code = [...keep, ...added];
    return added;
  }

  setData(bps: Omit<DataBreakpoint, 'hits'>[]): DataBreakpoint[] {
    this.data = bps.map((b) => ({ ...b, hits: 0 }));
    return this.data;
  }

  /** Addresses of the function breakpoints (a stop there shows the function, not a call inlined at its first instruction). */
  get functionAddrs(): number[] {
    return this.code.filter((b) => b.kind === 'function').flatMap((b) => b.addrs);
  }

  get codeAddrs(): number[] {
    return this.code.flatMap((b) => b.addrs);
  }

  get watches(): { addr: number; len: number }[] {
    return this.data.map((d) => ({ addr: d.addr, len: d.len }));
  }

  get hasData(): boolean {
    return this.data.length > 0;
  }

  /** Whether a stop at the machine's pc should stop the user, counting hits (when `count`) and printing log messages. */
  checkCode(m: Machine, count: boolean): CodeHit {
    const pc = m.cpu.pc >>> 0;
    const ids: number[] = [];
    let kind: CodeBreakpointKind = 'source';
    for (const b of this.code) {
      if (!b.addrs.includes(pc)) continue;
      if (!this.holds(b, m, count)) continue;
      if (b.logMessage !== undefined && b.logMessage !== '') {
        if (count) this.out(`${this.interpolate(b.logMessage, m)}\n`, 'console');
        continue;
      }
      ids.push(b.id);
      kind = b.kind;
    }
    return { stop: ids.length > 0, ids, kind };
  }

  /** Data breakpoints matching the CPU's last watchpoint hit whose conditions hold. */
  checkData(m: Machine, count: boolean): { stop: boolean; ids: number[] } {
    const hit = m.cpu.lastWatchHit;
    const ids: number[] = [];
    for (const d of this.data) {
      if (hit !== null && !(hit.addr < d.addr + d.len && d.addr < hit.addr + hit.size)) continue;
      if (this.holds(d, m, count)) ids.push(d.id);
    }
    return { stop: ids.length > 0, ids };
  }

  /** Condition, then hit count (counted only when `count`: going backwards does not count). */
  private holds(b: { condition?: string; hitCondition?: string; hits: number }, m: Machine, count: boolean): boolean {
    if (b.condition !== undefined && b.condition.trim() !== '' && !this.truthy(b.condition, m)) return false;
    if (count) b.hits++;
    return !(count && b.hitCondition !== undefined && b.hitCondition.trim() !== '' && !hitMatches(b.hitCondition, b.hits));
  }

  private truthy(cond: string, m: Machine): boolean {
    try {
      const v = this.evaluate(cond, m).number;
      if (v === undefined) throw new Error('the condition is not a number');
      return v !== 0n;
    } catch (e) {
      this.out(`breakpoint condition ${JSON.stringify(cond)}: ${(e as Error).message}\n`, 'stderr');
      return true; // a broken condition stops, so the user sees it
    }
  }

  private interpolate(msg: string, m: Machine): string {
    return msg.replace(/\{([^}]+)\}/g, (_, expr: string) => {
      try {
        return this.evaluate(expr, m).text;
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
