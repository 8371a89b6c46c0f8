// The debug runtime: one cluster and its time machine, driven in chunks for a debugger; breakpoints, stepping, time travel, faults. Knows nothing of DAP.

import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Cluster, NS_PER_MS } from '../ft/cluster';
import type { ClusterStop } from '../ft/cluster';
import type { Scenario, FaultSpec } from '../ft/scenario';
import { parseScenario, scenarioToJson } from '../ft/scenario';
import type { VmInstance } from '../ft/protocol/vm';
import { describeOutput } from '../ft/protocol/log';
import type { TraceEvent } from '../ft/sim/trace';
import { TimeMachine } from '../replay/time-machine';
import type { TravelStop } from '../replay/time-machine';
import type { Program } from '../machine/program';
import { ProgramInfo, callAt, depthChange, hex } from './program-info';
import { fmtMs } from '../ft/sim/units';
import { evaluate } from './evaluate';

export type StopReason = 'entry' | 'breakpoint' | 'step' | 'pause' | 'data breakpoint' | 'exception' | 'goto' | 'function breakpoint' | 'instruction breakpoint';

export interface RuntimeStop {
  reason: StopReason;
  /** The VM the stop concerns (the thread to focus). */
  vm: number | undefined;
  description?: string;
  text?: string;
  /** Breakpoint ids that caused it. */
  hitIds?: number[];
}

/** Trace event kinds a seek can go to. */
export const SEEKABLE_EVENTS: TraceEvent['kind'][] = ['fault', 'crash', 'detect', 'arbitrate', 'halt', 'goLive', 'respawnStart', 'respawnDone', 'haRestart', 'state', 'release', 'throttle', 'divergence', 'exit', 'violation'];

/** vSphere's FT actions, applied now through `inject` (recorded, so they replay exactly). */
export const FT_ACTIONS = ['testFailover', 'testRestartSecondary', 'turnOffFT', 'turnOnFT', 'suspendFT', 'resumeFT'] as const;

/** Trace kinds a client hears of live, as `clusterEvent`s. */
const CLUSTER_EVENT_KINDS = new Set<TraceEvent['kind']>([
  'fault', 'crash', 'detect', 'arbitrate', 'halt', 'goLive', 'respawnStart', 'respawnDone', 'haRestart', 'state', 'divergence', 'violation',
]);

export type Divergence = { same: true } | { same: false; instret: number; primary: number; secondary: number };

export type ExceptionFilter = 'divergence' | 'failover' | 'hostFailure' | 'guestTrap' | 'checker' | 'heldOutput';

/** Default of the "output held longer than N ms" filter's condition. */
export const HELD_OUTPUT_DEFAULT_MS = 5;

/** One user breakpoint at one or more code addresses. */
export interface CodeBreakpoint {
  id: number;
  kind: 'source' | 'function' | 'instruction';
  addrs: number[];
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
  hits: number;
}

export interface DataBreakpoint {
  id: number;
  addr: number;
  len: number;
  condition?: string;
  hitCondition?: string;
  hits: number;
}

/** What a forward run is trying to do. */
type Goal =
  | { kind: 'continue' }
  | { kind: 'instr'; vm: number; count: number }
  /** `startCfa`: the frame the step started in (deeper frames are stepped over when `over`); `startFn`: its function's address. */
  | { kind: 'line'; vm: number; over: boolean; startLine: string | undefined; startCfa: number; startFn: number | undefined; steps: number }
  | { kind: 'out'; vm: number; retAddr: number; cfa: number }
  | { kind: 'time'; untilNs: number }
  | { kind: 'goto'; vm: number; addr: number };

const LINE_STEP_MAX = 200_000;
/** Wall time a run chunk aims at: a pause waits for the chunk in progress (see docs/design/debug.md). */
const CHUNK_WALL_MS = 6;

export interface RuntimeOptions {
  scenario: Scenario;
  program: Program;
  programPath: string;
  /** Faults recorded live in a recording, re-scheduled at their exact times. */
  injected?: { atNs: number; fault: FaultSpec }[];
  /**
   * Simulated lengths of the run chunks, used in turn (normally adapted to ~6 ms of wall time): tests
   * prove that stops and the run itself do not depend on where chunks end.
   */
  chunkPlanNs?: readonly number[];
}

/**
 * Events: 'output' (text, category), 'vmsChanged' (), 'stopped' (RuntimeStop) for stops found while
 * running, 'clusterEvent' (TraceEvent) for cluster changes as they first happen (not when re-executing
 * the explored past); methods that travel in time return their stop instead.
 */
export class LockstepRuntime extends EventEmitter {
  readonly cluster: Cluster;
  readonly tm: TimeMachine;
  readonly info: ProgramInfo;
  readonly scenario: Scenario;
  readonly endNs: number;
  private codeBps: CodeBreakpoint[] = [];
  private dataBps: DataBreakpoint[] = [];
  /** A temporary breakpoint for step over/out, on one VM only. */
  private temp: { vm: number; addr: number; cfa: number } | null = null;
  readonly filters = new Set<ExceptionFilter>();
  private running = false;
  private pauseRequested = false;
  /** Exception found by the trace/checker hooks during the current run. */
  private pendingException: { filter: ExceptionFilter; text: string; vm?: number } | null = null;
  /** The hooks report only while running forward for the user (not while time travel replays). */
  private observing = false;
  /** The explored frontier when the current chunk began: trace events before it are re-executions. */
  private liveFromNs = 0;
  private chunkNs = 0.2 * NS_PER_MS;
  private chunkPlanNs: readonly number[] | null = null;
  private chunkCount = 0;
  lastException: { filter: ExceptionFilter; text: string } | null = null;
  /** The "output held longer than N ms" filter's N, in simulated ms. */
  heldOutputMs = HELD_OUTPUT_DEFAULT_MS;
  /**
   * The held output last reported, and when it was released (null while still held). One stop per
   * backlog: outputs produced before it left are its backlog. The rule reads only simulated events, so
   * where the runtime's wall-clock-sized chunks end never changes which stops happen.
   */
  private heldReported: { vm: number; seq: number; releasedNs: number | null } | null = null;
  private nextBpId = 1;

  constructor(opts: RuntimeOptions) {
    super();
    this.scenario = opts.scenario;
    this.info = new ProgramInfo(opts.program, opts.programPath);
    this.cluster = new Cluster(opts.scenario, opts.program);
    for (const i of opts.injected ?? []) this.cluster.scheduleInjected(i.atNs, i.fault);
    this.endNs = opts.scenario.untilMs * NS_PER_MS;
    if (opts.chunkPlanNs !== undefined) {
      const bad = opts.chunkPlanNs.find((n) => !(n > 0 && n < Number.POSITIVE_INFINITY));
      if (opts.chunkPlanNs.length === 0 || bad !== undefined) throw new Error(`chunkPlanNs must be a non-empty list of positive lengths${bad === undefined ? '' : `, not ${bad}`}`);
      this.chunkPlanNs = opts.chunkPlanNs;
      this.chunkNs = opts.chunkPlanNs[0];
    }
    this.hookCluster();
    this.tm = new TimeMachine(this.cluster);
  }

  /** Watches the cluster: new VM machines get the breakpoints; trace events and checker failures can stop a run. */
  private hookCluster(): void {
    const c = this.cluster;
    c.observer = {
      vmCreated: (vm) => this.applyTo(vm),
      traced: (ev) => {
        if (this.observing) this.onTrace(ev);
      },
      released: (vm, seq, atNs) => {
        const r = this.heldReported;
        if (r !== null && r.vm === vm.id && r.seq === seq) r.releasedNs = atNs;
      },
    };
    c.checkers.onViolation = (name, detail) => {
      if (this.observing && this.filters.has('checker')) this.raise({ filter: 'checker', text: `${name}: ${detail}` });
    };
  }

  private onTrace(ev: TraceEvent): void {
    if (CLUSTER_EVENT_KINDS.has(ev.kind) && ev.timeNs >= this.liveFromNs) this.emit('clusterEvent', { ...ev });
    const f: ExceptionFilter | null = ev.kind === 'divergence' ? 'divergence'
      : ev.kind === 'goLive' ? 'failover'
      : ev.kind === 'crash' ? 'hostFailure'
      : ev.kind === 'exit' && /stopped:/.test(ev.text) ? 'guestTrap'
      : null;
    if (f !== null && this.filters.has(f)) this.raise({ filter: f, text: ev.text, vm: ev.vm });
  }

  /** Stops the run at the end of the current quantum (Cluster.requestStop leaves the CPUs alone, so observing changes nothing). */
  private raise(e: { filter: ExceptionFilter; text: string; vm?: number }): void {
    if (this.pendingException !== null) return;
    this.pendingException = e;
    this.cluster.requestStop();
  }

  // ---- VMs ---------------------------------------------------------------------------------------

  /** VMs shown as threads: alive ones and those that stopped by themselves (still inspectable). */
  get threadVms(): VmInstance[] {
    return this.cluster.vms.filter((v) => v.status !== 'crashed' && v.status !== 'halted');
  }

  vm(id: number): VmInstance | undefined {
    return this.cluster.vm(id);
  }

  /** The VM to act on by default: the live primary, else any thread. */
  get focusVm(): VmInstance | undefined {
    return this.cluster.primary ?? this.threadVms[0];
  }

  threadName(v: VmInstance): string {
    return v.status === 'running' ? v.name : `${v.name} (${v.status})`;
  }

  // ---- breakpoints -------------------------------------------------------------------------------

  newBreakpointId(): number {
    return this.nextBpId++;
  }

  /** Replaces the code breakpoints of one kind (source breakpoints: of one file, identified by `file`). */
  setCodeBreakpoints(kind: CodeBreakpoint['kind'], bps: Omit<CodeBreakpoint, 'hits' | 'kind'>[], file?: string): CodeBreakpoint[] {
    const keep = this.codeBps.filter((b) => b.kind !== kind || (file !== undefined && (b as CodeBreakpoint & { file?: string }).file !== file));
    const added = bps.map((b) => ({ ...b, kind, hits: 0, file }));
    this.codeBps = [...keep, ...added];
    this.applyAll();
    return added;
  }

  setDataBreakpoints(bps: Omit<DataBreakpoint, 'hits'>[]): DataBreakpoint[] {
    this.dataBps = bps.map((b) => ({ ...b, hits: 0 }));
    this.applyAll();
    return this.dataBps;
  }

  /** `heldOutputMs`: the condition of the held-output filter (simulated ms; a positive number). */
  setExceptionFilters(filters: ExceptionFilter[], heldOutputMs = HELD_OUTPUT_DEFAULT_MS): void {
    if (!(heldOutputMs > 0) || !Number.isFinite(heldOutputMs)) throw new Error(`held output: the condition must be a positive number of ms, not ${heldOutputMs}`);
    this.heldOutputMs = heldOutputMs;
    this.filters.clear();
    for (const f of filters) this.filters.add(f);
    this.applyAll();
  }

  /** Puts the breakpoints on every VM's CPU (again after any time jump: a restore may create new VM objects). */
  applyAll(): void {
    for (const v of this.cluster.vms) this.applyTo(v);
  }

  private applyTo(v: VmInstance): void {
    const pcs = new Set<number>();
    for (const b of this.codeBps) for (const a of b.addrs) pcs.add(a >>> 0);
    if (this.temp !== null && this.temp.vm === v.id) pcs.add(this.temp.addr);
    if (this.filters.has('guestTrap')) {
      const vec = (v.machine.cpu.mtvec & ~3) >>> 0;
      if (vec !== 0) pcs.add(vec);
      for (const a of this.info.afterMtvecWrites) pcs.add(a); // to follow the vector when the guest moves it
    }
    v.machine.cpu.setBreakpoints(pcs);
    v.machine.cpu.setWatchpoints(this.dataBps.map((d) => ({ addr: d.addr, len: d.len })));
  }

  /** Whether a hit at the VM's pc (breakpoint) should stop, counting hits and printing log messages. */
  private checkCode(v: VmInstance, count: boolean): { stop: boolean; ids: number[]; kind: CodeBreakpoint['kind'] | 'trap' } {
    const pc = v.machine.cpu.pc >>> 0;
    const ids: number[] = [];
    let kind: CodeBreakpoint['kind'] | 'trap' = 'source';
    for (const b of this.codeBps) {
      if (!b.addrs.includes(pc)) continue;
      if (b.condition !== undefined && b.condition.trim() !== '' && !this.truthy(b.condition, v)) continue;
      if (count) b.hits++;
      if (count && b.hitCondition !== undefined && b.hitCondition.trim() !== '' && !hitMatches(b.hitCondition, b.hits)) continue;
      if (b.logMessage !== undefined && b.logMessage !== '') {
        if (count) this.emit('output', `${this.interpolate(b.logMessage, v)}\n`, 'console');
        continue;
      }
      ids.push(b.id);
      kind = b.kind;
    }
    if (ids.length === 0 && this.filters.has('guestTrap') && pc === ((v.machine.cpu.mtvec & ~3) >>> 0) && (v.machine.cpu.mcause >>> 31) === 0) {
      return { stop: true, ids, kind: 'trap' };
    }
    return { stop: ids.length > 0, ids, kind };
  }

  private checkData(v: VmInstance, count: boolean): { stop: boolean; ids: number[] } {
    const hit = v.machine.cpu.lastWatchHit;
    const ids: number[] = [];
    for (const d of this.dataBps) {
      if (hit !== null && !(hit.addr < d.addr + d.len && d.addr < hit.addr + hit.size)) continue;
      if (d.condition !== undefined && d.condition.trim() !== '' && !this.truthy(d.condition, v)) continue;
      if (count) d.hits++;
      if (count && d.hitCondition !== undefined && d.hitCondition.trim() !== '' && !hitMatches(d.hitCondition, d.hits)) continue;
      ids.push(d.id);
    }
    return { stop: ids.length > 0, ids };
  }

  private truthy(cond: string, v: VmInstance): boolean {
    try {
      return evaluate(cond, v.machine, this.info).value !== 0;
    } catch (e) {
      this.emit('output', `breakpoint condition ${JSON.stringify(cond)}: ${(e as Error).message}\n`, 'stderr');
      return true; // a broken condition stops, so the user sees it
    }
  }

  private interpolate(msg: string, v: VmInstance): string {
    return msg.replace(/\{([^}]+)\}/g, (_, expr: string) => {
      try {
        const r = evaluate(expr, v.machine, this.info);
        return String(r.value);
      } catch (e) {
        return `<${(e as Error).message}>`;
      }
    });
  }

  // ---- running forward ---------------------------------------------------------------------------

  get isRunning(): boolean {
    return this.running;
  }

  /** Stops a run between two chunks (a runaway guest pauses within one chunk, ~6 ms of wall time). */
  pause(): void {
    if (this.running) this.pauseRequested = true;
  }

  continue(): Promise<RuntimeStop> {
    return this.drive({ kind: 'continue' });
  }

  stepInstruction(vm: number, count = 1): Promise<RuntimeStop> {
    return this.drive({ kind: 'instr', vm, count });
  }

  /** Steps until the source line changes (over calls when `over`). Instruction step when there is no line info. */
  stepLine(vm: number, over: boolean): Promise<RuntimeStop> {
    const v = this.mustVm(vm);
    const loc = this.info.location(v.machine.cpu.pc);
    if (loc === undefined) return this.stepOverOrInto(vm, over);
    const startFn = this.info.functionAt(v.machine.cpu.pc)?.addr;
    return this.drive({ kind: 'line', vm, over, startLine: `${loc.path}:${loc.line}`, startCfa: this.info.frameCfa(v.machine), startFn, steps: 0 });
  }

  /** Instruction step, or over a call instruction when `over`. */
  stepOverOrInto(vm: number, over: boolean): Promise<RuntimeStop> {
    const v = this.mustVm(vm);
    const pc = v.machine.cpu.pc >>> 0;
    const call = over ? callAt(v.machine, pc) : undefined;
    if (call !== undefined) return this.drive({ kind: 'out', vm, retAddr: (pc + call.len) >>> 0, cfa: v.machine.cpu.x[2] >>> 0 });
    return this.drive({ kind: 'instr', vm, count: 1 });
  }

  /** Runs until the current function returns to its caller (the unwinder's return address and frame). */
  stepOut(vm: number): Promise<RuntimeStop> {
    const v = this.mustVm(vm);
    const frames = this.info.unwind(v.machine, 2);
    const caller = frames[1];
    if (caller === undefined) return this.drive({ kind: 'instr', vm, count: 1 });
    return this.drive({ kind: 'out', vm, retAddr: caller.pc, cfa: caller.sp });
  }

  /** Runs forward to a simulated time in chunks (pausable), ignoring breakpoints: a seek into the future. */
  runUntil(untilNs: number): Promise<RuntimeStop> {
    return this.drive({ kind: 'time', untilNs: Math.min(untilNs, this.endNs) });
  }

  private mustVm(id: number): VmInstance {
    const v = this.cluster.vm(id);
    if (v === undefined) throw new Error(`no VM with thread id ${id}`);
    return v;
  }

  /** The one forward engine: runs the cluster in chunks, yielding to the event loop between them. */
  private async drive(goal: Goal): Promise<RuntimeStop> {
    if (this.running) throw new Error('already running');
    this.running = true;
    this.pauseRequested = false;
    this.pendingException = null;
    const c = this.cluster;
    let lastYield = performance.now();
    try {
      this.prepareGoal(goal);
      // Resuming steps off a breakpoint at each VM's current pc (as gdb does); later slices still hit it.
      for (const v of c.vms) if (v.alive) v.machine.cpu.stepOffBreakpoint();
      for (;;) {
        if (this.pauseRequested) return { reason: 'pause', vm: this.goalVm(goal), description: 'Paused' };
        const limit = goal.kind === 'time' ? Math.min(goal.untilNs, this.endNs) : this.endNs;
        if (c.nowNs >= limit) {
          if (goal.kind === 'time') return { reason: 'goto', vm: this.goalVm(goal), description: `At ${fmtMs(c.nowNs)}` };
          return { reason: 'pause', vm: this.goalVm(goal), description: `End of the scenario (${fmtMs(this.endNs)})`, text: 'the scenario\'s untilMs was reached' };
        }
        const t0 = performance.now();
        this.observing = true;
        this.liveFromNs = this.tm.frontierNs;
        let stop: ClusterStop;
        try {
          stop = this.tm.forward(Math.min(limit, c.nowNs + this.chunkNs, this.heldDeadline(goal)));
        } finally {
          this.observing = false;
        }
        this.adaptChunk(performance.now() - t0);
        this.emit('vmsChanged');
        if (goal.kind !== 'time' && goal.kind !== 'goto' && this.pendingException === null) this.checkHeld();
        const done = this.judge(goal, stop);
        if (done !== null) return done;
        if (goal.kind !== 'time' && this.goalVm(goal) !== undefined && !this.cluster.vm(this.goalVm(goal)!)?.alive) {
          return { reason: 'pause', vm: this.goalVm(goal), description: 'The VM being stepped is gone' };
        }
        if (performance.now() - lastYield >= CHUNK_WALL_MS) {
          await new Promise<void>((r) => setImmediate(r));
          lastYield = performance.now();
        }
      }
    } finally {
      c.stepTargets.clear();
      this.temp = null;
      this.applyAll();
      this.running = false;
      this.pauseRequested = false;
    }
  }

  /**
   * Held-output filter: the chunk ends when the oldest output the primary holds turns N ms old (just
   * after, to be "longer than"), and at most N ms after now, so the stop lands within a quantum of it.
   */
  private heldDeadline(goal: Goal): number {
    if (!this.filters.has('heldOutput') || goal.kind === 'time' || goal.kind === 'goto') return Infinity;
    const c = this.cluster;
    const n = this.heldOutputMs * NS_PER_MS;
    const h = this.unreportedHeld()[0];
    return h === undefined ? c.nowNs + n : Math.max(c.nowNs + 1, h.producedNs + n + 1);
  }

  /** Outputs the primary holds, oldest first, that are not in the backlog of the output last reported. */
  private unreportedHeld(): VmInstance['held'] {
    const p = this.cluster.primary;
    if (p === undefined) return [];
    const r = this.heldReported;
    if (r === null || r.vm !== p.id) return p.held;
    const fromNs = r.releasedNs;
    return fromNs === null ? [] : p.held.filter((h) => h.producedNs >= fromNs);
  }

  /** Between chunks: raises the held-output exception when the primary's oldest held output is older than N ms. */
  private checkHeld(): void {
    if (!this.filters.has('heldOutput')) return;
    const c = this.cluster;
    const p = c.primary;
    const h = this.unreportedHeld()[0];
    if (p === undefined || h === undefined || c.nowNs - h.producedNs <= this.heldOutputMs * NS_PER_MS) return;
    this.heldReported = { vm: p.id, seq: h.seq, releasedNs: null };
    const text = `${describeOutput(h.out)} (output ${h.seq}, produced at ${fmtMs(h.producedNs)}) held ${((c.nowNs - h.producedNs) / NS_PER_MS).toFixed(6)} ms by the Output Rule on ${p.name}, `
      + `over the ${this.heldOutputMs} ms limit; ${p.held.length} output(s) held, log acknowledged up to ${p.sender.ackedSeq}`;
    this.pendingException = { filter: 'heldOutput', text, vm: p.id };
  }

  private goalVm(goal: Goal): number | undefined {
    return goal.kind === 'continue' || goal.kind === 'time' ? undefined : goal.vm;
  }

  private prepareGoal(goal: Goal): void {
    const c = this.cluster;
    c.stepTargets.clear();
    this.temp = null;
    if (goal.kind === 'instr' || goal.kind === 'line') {
      const v = this.mustVm(goal.vm);
      this.armLineStep(goal, v);
      if (goal.kind === 'instr') c.stepTargets.set(v.id, v.machine.instret + goal.count);
    } else if (goal.kind === 'out') {
      this.temp = { vm: goal.vm, addr: goal.retAddr, cfa: goal.cfa };
    } else if (goal.kind === 'goto') {
      this.temp = { vm: goal.vm, addr: goal.addr, cfa: 0 };
    }
    this.applyAll();
  }

  /** Next micro-step of a line step: over a call (temporary breakpoint at the return) or one instruction. */
  private armLineStep(goal: Goal, v: VmInstance): void {
    if (goal.kind !== 'line') return;
    const pc = v.machine.cpu.pc >>> 0;
    const call = goal.over ? callAt(v.machine, pc) : undefined;
    if (call !== undefined) {
      this.temp = { vm: v.id, addr: (pc + call.len) >>> 0, cfa: v.machine.cpu.x[2] >>> 0 };
      this.cluster.stepTargets.delete(v.id);
    } else {
      this.temp = null;
      this.cluster.stepTargets.set(v.id, v.machine.instret + 1);
    }
    this.applyTo(v);
  }

  /** Decides whether a cluster stop ends the run, or re-arms and goes on. */
  private judge(goal: Goal, stop: ClusterStop): RuntimeStop | null {
    if (goal.kind === 'time') {
      // A seek forward goes to its time whatever happens on the way (like TimeMachine.seekTime).
      this.pendingException = null;
      return stop.reason === 'requested' && this.pauseRequested ? { reason: 'pause', vm: undefined, description: 'Paused' } : null;
    }
    if (goal.kind === 'goto') return this.judgeGoto(goal, stop);
    if (this.pendingException !== null) {
      const e = this.pendingException;
      this.pendingException = null;
      this.lastException = { filter: e.filter, text: e.text };
      return { reason: 'exception', vm: e.vm ?? this.goalVm(goal) ?? this.focusVm?.id, description: EXCEPTION_LABEL[e.filter], text: e.text };
    }
    const v = stop.vm !== undefined ? this.cluster.vm(stop.vm) : undefined;
    switch (stop.reason) {
      case 'breakpoint': {
        if (v === undefined) return null;
        const pc = v.machine.cpu.pc >>> 0;
        if (this.temp !== null && v.id === this.temp.vm && pc === this.temp.addr && (v.machine.cpu.x[2] >>> 0) >= this.temp.cfa) {
          if (goal.kind === 'out') return { reason: 'step', vm: v.id };
          if (goal.kind === 'line') return this.lineProgress(goal, v);
        }
        const hit = this.checkCode(v, true);
        if (!hit.stop && this.filters.has('guestTrap') && this.info.afterMtvecWrites.includes(pc)) {
          this.applyTo(v); // the guest just set its trap vector
          return null;
        }
        if (!hit.stop) {
          if (goal.kind === 'line' && v.id === goal.vm && this.temp === null) return this.lineProgress(goal, v);
          return null;
        }
        if (hit.kind === 'trap') {
          this.lastException = { filter: 'guestTrap', text: `trap: mcause ${v.machine.cpu.mcause}, mepc 0x${(v.machine.cpu.mepc >>> 0).toString(16)}` };
          return { reason: 'exception', vm: v.id, description: EXCEPTION_LABEL.guestTrap, text: this.lastException.text };
        }
        const reason: StopReason = hit.kind === 'function' ? 'function breakpoint' : hit.kind === 'instruction' ? 'instruction breakpoint' : 'breakpoint';
        return { reason, vm: v.id, hitIds: hit.ids };
      }
      case 'watchpoint': {
        if (v === undefined) return null;
        const hit = this.checkData(v, true);
        return hit.stop ? { reason: 'data breakpoint', vm: v.id, hitIds: hit.ids } : null;
      }
      case 'step': {
        if (v === undefined) return null;
        if (goal.kind === 'line') return this.lineProgress(goal, v);
        return { reason: 'step', vm: v.id };
      }
      case 'requested':
        return this.pauseRequested ? { reason: 'pause', vm: this.goalVm(goal), description: 'Paused' } : null;
      default:
        return null;
    }
  }

  /** A goto forward is a jump, not a run: only its own temporary breakpoint ends it (user breakpoints and exceptions are passed). */
  private judgeGoto(goal: Goal & { kind: 'goto' }, stop: ClusterStop): RuntimeStop | null {
    this.pendingException = null;
    if (stop.reason === 'requested' && this.pauseRequested) return { reason: 'pause', vm: goal.vm, description: 'Paused' };
    const v = stop.vm !== undefined ? this.cluster.vm(stop.vm) : undefined;
    if (stop.reason !== 'breakpoint' || v === undefined || v.id !== goal.vm || (v.machine.cpu.pc >>> 0) !== goal.addr) return null;
    return { reason: 'goto', vm: v.id, description: `At ${hex(goal.addr)} (instruction ${v.machine.instret})` };
  }

  /** After one micro-step of a line step: done when the line changed (and we are not deeper), else the next micro-step. */
  private lineProgress(goal: Goal & { kind: 'line' }, v: VmInstance): RuntimeStop | null {
    goal.steps++;
    const pc = v.machine.cpu.pc >>> 0;
    const loc = this.info.location(pc);
    const here = loc === undefined ? undefined : `${loc.path}:${loc.line}`;
    const atLineStart = loc !== undefined && this.info.isStatementStart(pc);
    if (here !== undefined && here !== goal.startLine && atLineStart && !this.deeper(goal, v)) return { reason: 'step', vm: v.id };
    if (goal.steps >= LINE_STEP_MAX) return { reason: 'step', vm: v.id, description: 'Line step limit reached' };
    this.armLineStep(goal, v);
    return null;
  }

  /**
   * Stepping over: is the VM in a frame below the one the step started in (a callee, or the trap vector
   * entered by an interrupt)? Frames compare by CFA, so a step that starts at a function's entry,
   * before its prologue moved the stack pointer, still stops at the function's next line.
   */
  private deeper(goal: Goal & { kind: 'line' }, v: VmInstance): boolean {
    if (!goal.over) return false;
    const fn = this.info.functionAt(v.machine.cpu.pc);
    if (fn === undefined) return false;
    const vector = (v.machine.cpu.mtvec & ~3) >>> 0;
    if (fn.addr === vector && goal.startFn !== vector) return true;
    return this.info.frameCfa(v.machine) < goal.startCfa;
  }

  private adaptChunk(wallMs: number): void {
    if (this.chunkPlanNs !== null) {
      this.chunkNs = this.chunkPlanNs[++this.chunkCount % this.chunkPlanNs.length];
      return;
    }
    if (wallMs < CHUNK_WALL_MS / 2) this.chunkNs = Math.min(this.chunkNs * 2, 20 * NS_PER_MS);
    else if (wallMs > CHUNK_WALL_MS) this.chunkNs = Math.max(this.chunkNs / 2, 0.01 * NS_PER_MS);
  }

  // ---- time travel -------------------------------------------------------------------------------

  private travelled(stop: TravelStop, vm: number | undefined, what: string): RuntimeStop {
    this.applyAll();
    this.emit('vmsChanged');
    if (stop.reason === 'unreachable') throw new Error(`${what}: that point cannot be reached`);
    if (stop.reason === 'start') return { reason: 'step', vm, description: 'Start of the recording' };
    return { reason: 'goto', vm: stop.vm ?? vm };
  }

  stepBack(vm: number): RuntimeStop {
    this.assertStopped();
    const s = this.tm.stepBack(vm);
    this.applyAll();
    this.emit('vmsChanged');
    if (s.reason === 'start') return { reason: 'step', vm, description: 'Start of the recording' };
    if (s.reason === 'unreachable') throw new Error('step back: that point cannot be reached');
    return { reason: 'step', vm };
  }

  /**
   * Steps back until the previous source line (over calls when `over`): finds the target by tracing a
   * window of instructions before the current one (widening it as needed), then seeks there.
   */
  stepBackLine(vm: number, over: boolean): RuntimeStop {
    this.assertStopped();
    const v = this.mustVm(vm);
    const k = v.machine.instret;
    const loc = this.info.location(v.machine.cpu.pc);
    if (loc === undefined) return this.stepBack(vm);
    const startLine = `${loc.path}:${loc.line}`;
    const startSp = v.machine.cpu.x[2] >>> 0;
    for (let window = 256; window <= 65536; window *= 4) {
      const from = Math.max(0, k - window);
      const trace = this.traceWindow(vm, from, k);
      if (trace === null) break;
      // Call depth of each traced instruction relative to the start point (calls, returns, trap entries).
      const m = this.mustVm(vm).machine;
      const vec = (m.cpu.mtvec & ~3) >>> 0;
      const depth = new Array<number>(trace.length + 1).fill(0);
      for (let i = 0; i < trace.length; i++) {
        const next = i + 1 < trace.length ? trace[i + 1].pc : m.cpu.pc >>> 0;
        let d = depthChange(m, trace[i].pc);
        if (d === 0 && next === vec && trace[i].pc !== vec) d = 1; // an interrupt or exception entered the handler
        depth[i + 1] = depth[i] + d;
      }
      const endDepth = depth[trace.length];
      for (let i = trace.length - 1; i >= 0; i--) {
        const t = trace[i];
        const l = this.info.location(t.pc);
        const here = l === undefined ? undefined : `${l.path}:${l.line}`;
        if (here === undefined || here === startLine) continue;
        if (over && (depth[i] > endDepth || t.sp < startSp)) continue;
        if (!this.info.isStatementStart(t.pc)) continue;
        return { ...this.travelled(this.tm.seekInstret(vm, t.instret), vm, 'step back'), reason: 'step' };
      }
      if (from === 0) break;
    }
    return this.stepBack(vm);
  }

  /** pc and sp of VM `vm` at every instruction count in [from, to). Leaves the cluster at `to`. */
  private traceWindow(vm: number, from: number, to: number): { instret: number; pc: number; sp: number }[] | null {
    const c = this.cluster;
    const s = this.tm.seekInstret(vm, from);
    if (s.reason === 'unreachable') return null;
    const out: { instret: number; pc: number; sp: number }[] = [];
    const v = () => c.vm(vm)!;
    this.withoutUserBreakpoints(() => {
      for (let k = from; k < to; k++) {
        const m = v().machine;
        out.push({ instret: m.instret, pc: m.cpu.pc >>> 0, sp: m.cpu.x[2] >>> 0 });
        const st = this.tm.seekInstret(vm, k + 1);
        if (st.reason !== 'step') break;
      }
    });
    return out;
  }

  private withoutUserBreakpoints(f: () => void): void {
    const code = this.codeBps;
    const data = this.dataBps;
    const filters = [...this.filters];
    this.codeBps = [];
    this.dataBps = [];
    this.filters.clear();
    this.applyAll();
    try {
      f();
    } finally {
      this.codeBps = code;
      this.dataBps = data;
      for (const x of filters) this.filters.add(x);
      this.applyAll();
    }
  }

  /** Back to the last breakpoint/data breakpoint hit whose condition holds (or to the start). */
  reverseContinue(vm: number): RuntimeStop {
    this.assertStopped();
    for (let n = 0; n < 10_000; n++) {
      const s = this.tm.reverseContinue(vm);
      this.applyAll();
      this.emit('vmsChanged');
      if (s.reason === 'start') return { reason: 'step', vm, description: 'Start of the recording' };
      if (s.reason === 'unreachable') throw new Error('reverse continue: that point cannot be reached');
      const hv = s.vm !== undefined ? this.cluster.vm(s.vm) : undefined;
      if (hv === undefined) continue;
      if (s.reason === 'watchpoint') {
        const hit = this.checkData(hv, false);
        if (hit.stop || this.dataBps.length === 0) return { reason: 'data breakpoint', vm: hv.id, hitIds: hit.ids };
      } else if (s.reason === 'breakpoint') {
        const hit = this.checkCode(hv, false);
        if (hit.stop) {
          const reason: StopReason = hit.kind === 'function' ? 'function breakpoint' : hit.kind === 'instruction' ? 'instruction breakpoint' : 'breakpoint';
          return { reason, vm: hv.id, hitIds: hit.ids };
        }
      }
    }
    return { reason: 'pause', vm, description: 'Too many breakpoint hits whose condition is false' };
  }

  /**
   * Goto as a jump in time (a deterministic replay debugger must not move pc: that would fork the run):
   * to the most recent past moment VM `vm` was about to execute `addr`, else the next future one
   * (bounded by the scenario's end). Null when there is neither; the cluster is then where it was.
   */
  async goto(vm: number, addr: number): Promise<RuntimeStop | null> {
    const past = this.gotoPast(vm, addr >>> 0);
    if (past !== null) return past;
    const mark = '\u0000debug-goto';
    this.tm.bookmark(mark);
    try {
      const s = await this.drive({ kind: 'goto', vm, addr: addr >>> 0 });
      if (s.reason === 'goto' || s.description === 'Paused') return s;
      this.tm.jumpToBookmark(mark);
      this.applyAll();
      this.emit('vmsChanged');
      return null;
    } finally {
      this.tm.deleteBookmark(mark);
    }
  }

  /** Reverse search for goto: TimeMachine.reverseContinue with only a temporary breakpoint at `addr` on that VM. */
  private gotoPast(vm: number, addr: number): RuntimeStop | null {
    this.assertStopped();
    this.mustVm(vm);
    const mark = '\u0000debug-goto-back';
    this.tm.bookmark(mark);
    let s = { reason: 'unreachable' } as TravelStop;
    this.temp = { vm, addr, cfa: 0 };
    try {
      this.withoutUserBreakpoints(() => {
        s = this.tm.reverseContinue(vm);
      });
    } finally {
      this.temp = null;
      this.applyAll();
    }
    const v = this.cluster.vm(vm);
    const found = s.reason === 'breakpoint' && v !== undefined && (v.machine.cpu.pc >>> 0) === addr;
    if (!found) this.tm.jumpToBookmark(mark);
    this.tm.deleteBookmark(mark);
    this.applyAll();
    this.emit('vmsChanged');
    return found ? { reason: 'goto', vm, description: `Back at ${hex(addr)} (instruction ${v!.machine.instret})` } : null;
  }

  seekTime(tNs: number): RuntimeStop {
    this.assertStopped();
    if (!(tNs >= 0)) throw new Error(`seek: bad time ${tNs}`);
    return this.travelled(this.tm.seekTime(Math.min(tNs, this.endNs)), this.focusVm?.id, 'seek');
  }

  seekInstret(vm: number, instret: number): RuntimeStop {
    this.assertStopped();
    if (this.cluster.vm(vm) === undefined) throw new Error(`seek: no VM ${vm}`);
    if (!Number.isSafeInteger(instret) || instret < 0) throw new Error(`seek: bad instruction count ${instret}`);
    return this.travelled(this.tm.seekInstret(vm, instret), vm, 'seek');
  }

  /** Just after the n-th (0-based) cluster event of `kind` (fault, detect, arbitrate, goLive, respawnDone, release …). */
  seekEvent(kind: string, n: number): RuntimeStop {
    this.assertStopped();
    if (!SEEKABLE_EVENTS.includes(kind as TraceEvent['kind'])) throw new Error(`seek: unknown event kind ${JSON.stringify(kind)} (one of ${SEEKABLE_EVENTS.join(', ')})`);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`seek: bad event number ${n}`);
    const stop = this.tm.seekEvent(kind as TraceEvent['kind'], n);
    if (stop.reason === 'unreachable') throw new Error(`seek: there is no ${kind} number ${n} in the explored history`);
    return this.travelled(stop, this.focusVm?.id, 'seek');
  }

  private assertStopped(): void {
    if (this.running) throw new Error('the cluster is running: pause it first');
  }

  // ---- faults and checkpoints --------------------------------------------------------------------

  /** Validates a fault object against the scenario (hosts included) and injects it now. */
  inject(fault: Record<string, unknown>): { atNs: number; fault: FaultSpec } {
    this.assertStopped();
    if (fault === null || typeof fault !== 'object' || Array.isArray(fault)) throw new Error('injectFault: a fault object is needed, e.g. {"kind": "hostCrash", "host": "@primary"}');
    const parsed = parseScenario({ ...scenarioToJson(this.scenario), faults: [{ atMs: 0, ...fault }] }).faults[0];
    const atNs = this.tm.inject(parsed);
    return { atNs, fault: parsed };
  }

  /** One of vSphere's FT actions (FT_ACTIONS), now. */
  ftAction(action: unknown): { atNs: number; fault: FaultSpec } {
    if (typeof action !== 'string' || !(FT_ACTIONS as readonly string[]).includes(action)) {
      throw new Error(`ftAction: unknown action ${JSON.stringify(action)} (valid: ${FT_ACTIONS.join(', ')})`);
    }
    return this.inject({ kind: action });
  }

  /** The pair to compare: the primary and its secondary, the latter also when it has diverged. */
  pair(): { p: VmInstance; s: VmInstance } | undefined {
    const c = this.cluster;
    const p = c.primary ?? this.threadVms.find((v) => v.role === 'primary');
    const s = c.secondary ?? this.threadVms.find((v) => v.role === 'secondary' && (p === undefined || v.peer === p.id || p.peer === v.id));
    return p !== undefined && s !== undefined ? { p, s } : undefined;
  }

  /** Machine hashes of both VMs at instruction count k, or null if one cannot reach it. */
  private hashesAt(p: number, s: number, k: number): { p: string; s: string } | null {
    if (this.tm.seekInstret(p, k).reason !== 'step') return null;
    const hp = this.cluster.vm(p)!.machine.hash();
    if (this.tm.seekInstret(s, k).reason !== 'step') return null;
    return { p: hp, s: this.cluster.vm(s)!.machine.hash() };
  }

  /**
   * The first instruction count at which the primary's and secondary's machine states (hashes) differ,
   * by bisection over the recording from one instruction after both VMs exist (at its birth count a VM is
   * still being loaded or copied) to both VMs' current count. Leaves the cluster with the secondary there;
   * when they never differ, the cluster returns to the present. A secondary that stopped (diverged) while
   * its state still matched, e.g. waiting for an interrupt the log omits, is not a difference here.
   */
  findDivergence(): Divergence {
    this.assertStopped();
    const pr = this.pair();
    if (pr === undefined) throw new Error('findDivergence needs a primary and a secondary');
    const [p, s] = [pr.p.id, pr.s.id];
    let lo = Math.max(this.tm.earliestInstret(p), this.tm.earliestInstret(s)) + 1;
    let hi = Math.min(pr.p.machine.instret, pr.s.machine.instret);
    const differ = (k: number): boolean => {
      const h = this.hashesAt(p, s, k);
      if (h === null) throw new Error(`findDivergence: instruction ${k} cannot be reached`);
      return h.p !== h.s;
    };
    const found = this.visitAndReturn(() => {
      if (hi < lo || !differ(hi)) return null;
      if (differ(lo)) return lo;
      while (hi - lo > 1) { // equal at lo, different at hi
        const mid = Math.floor((lo + hi) / 2);
        if (differ(mid)) hi = mid;
        else lo = mid;
      }
      return hi;
    });
    if (found === null) return { same: true };
    this.seekInstret(s, found);
    return { same: false, instret: found, primary: p, secondary: s };
  }

  checkpoint(op: string, name: string | undefined): { name: string; nowNs: number }[] {
    switch (op) {
      case 'create':
        if (!name) throw new Error('checkpoint create: a name is needed');
        this.assertStopped();
        this.tm.bookmark(name);
        return this.tm.listBookmarks();
      case 'list':
        return this.tm.listBookmarks();
      case 'jump':
        this.assertStopped();
        if (!name || !this.tm.jumpToBookmark(name)) throw new Error(`checkpoint jump: no checkpoint named ${JSON.stringify(name)}`);
        this.applyAll();
        this.emit('vmsChanged');
        return this.tm.listBookmarks();
      case 'delete':
        if (!name || !this.tm.deleteBookmark(name)) throw new Error(`checkpoint delete: no checkpoint named ${JSON.stringify(name)}`);
        return this.tm.listBookmarks();
      default:
        throw new Error(`checkpoint: unknown op ${JSON.stringify(op)} (create, list, jump, delete)`);
    }
  }

  /** Runs `f` and comes back to exactly the present (a hidden bookmark). */
  visitAndReturn<T>(f: () => T): T {
    const mark = '\u0000debug-return';
    this.tm.bookmark(mark);
    try {
      return f();
    } finally {
      this.tm.jumpToBookmark(mark);
      this.tm.deleteBookmark(mark);
      this.applyAll();
    }
  }
}

const EXCEPTION_LABEL: Record<ExceptionFilter, string> = {
  divergence: 'Divergence',
  failover: 'Failover',
  hostFailure: 'Host failure',
  guestTrap: 'Guest trap',
  checker: 'Checker failure',
  heldOutput: 'Output held too long',
};

export { fmtMs } from '../ft/sim/units';

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
