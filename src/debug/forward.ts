// The one forward engine: runs the cluster in chunks toward a goal (continue, instruction and line steps, step out, a time, a goto), judging every stop; knows no DAP.

import { performance } from 'node:perf_hooks';
import type { Cluster, ClusterStop } from '../ft/cluster';
import type { VmInstance } from '../ft/protocol/vm';
import { NS_PER_MS, fmtMs } from '../ft/sim/units';
import type { TimeMachine } from '../replay/time-machine';
import { callAt } from '../machine/calls';
import type { ProgramInfo } from './program-info';
import { hex } from './program-info';
import type { Breakpoints, CodeBreakpointKind, HitVm } from './breakpoints';
import type { HeldOutputWatch } from './held-output';
import { userResumeAddress } from './user-spaces';
import { PRIV_U } from '../machine/priv';

export type StopReason = 'entry' | 'breakpoint' | 'step' | 'pause' | 'data breakpoint' | 'exception' | 'goto' | 'function breakpoint' | 'instruction breakpoint';

export interface RuntimeStop {
  reason: StopReason;
  /** The VM the stop concerns (the thread to focus). */
  vm: number | undefined;
  description?: string;
  text?: string;
  /** Breakpoint ids that caused it. */
  hitIds?: number[];
  /** Set when the run ended because the guest powered off (no VM runs any more): its exit code. */
  exitCode?: number;
}

export type ExceptionFilter = 'divergence' | 'failover' | 'hostFailure' | 'guestTrap' | 'checker' | 'heldOutput';

/** The words a stop's description starts with, by reason. */
export const STOP_LABEL: Record<StopReason, string> = {
  entry: 'Entry', breakpoint: 'Breakpoint', step: 'Step', pause: 'Paused', 'data breakpoint': 'Data breakpoint', exception: 'Exception',
  goto: 'Goto', 'function breakpoint': 'Function breakpoint', 'instruction breakpoint': 'Instruction breakpoint',
};

/** A VM as breakpoints judge a hit on it: its role, its instruction count, its program and the user space its hart runs. */
export function hitVm(v: VmInstance, program: string, space?: string): HitVm {
  return space === undefined ? { role: v.role, instret: v.machine.instret, program } : { role: v.role, instret: v.machine.instret, program, space };
}

/**
 * A stop's description and text: a short description ("Paused on breakpoint": VS Code shows it beside the
 * thread, whose name already says the VM, in a narrow Call Stack) and the text naming the VM and the
 * instruction ("primary @ host-a, instruction 466121").
 */
export function stopWords(label: string, v: VmInstance): { description: string; text: string } {
  return { description: `Paused on ${label.toLowerCase()}`, text: `${v.name}, instruction ${v.machine.instret}` }; // the name carries the VM of a cluster
}

/** What a forward run is trying to do. */
export type Goal =
  | { kind: 'continue' }
  | { kind: 'instr'; vm: number; count: number }
  /**
   * `startCfa`: the frame the step started in (deeper frames are stepped over when `over`); `startFn`: its function's
   * address; `space`: the user space it started in (a Linux guest's user program: the kernel's work is run through).
   */
  | { kind: 'line'; vm: number; over: boolean; startLine: string | undefined; startCfa: number; startFn: number | undefined; steps: number; space?: string }
  | { kind: 'out'; vm: number; retAddr: number; cfa: number }
  | { kind: 'time'; untilNs: number }
  | { kind: 'goto'; vm: number; addr: number };

/** A temporary breakpoint of a step over/out or goto: on one VM, taken only with sp at or above `cfa` (the frame is back). */
interface StepStop { vm: number; addr: number; cfa: number }

const LINE_STEP_MAX = 200_000;
/** Wall time a run chunk aims at: a pause waits for the chunk in progress (see docs/design/debug.md). */
export const CHUNK_WALL_MS = 6;

const EXCEPTION_LABEL: Record<ExceptionFilter, string> = {
  divergence: 'Divergence',
  failover: 'Failover',
  hostFailure: 'Host failure',
  guestTrap: 'Guest trap',
  checker: 'Checker failure',
  heldOutput: 'Output held too long',
};

/** Whether a run (forward, or a travel through the past) is going on, and whether a pause was asked for. */
export class RunGate {
  running = false;
  pauseRequested = false;

  begin(busy: string): void {
    if (this.running) throw new Error(busy);
    this.running = true;
    this.pauseRequested = false;
  }

  end(): void {
    this.running = false;
    this.pauseRequested = false;
  }

  /** Stops a run between two chunks. */
  pause(): void {
    if (this.running) this.pauseRequested = true;
  }
}

/** What the engine drives and reads: the runtime's cluster, time machine, program and the user's stops. */
export interface ForwardContext {
  readonly cluster: Cluster;
  readonly tm: TimeMachine;
  /** The debug information of the code a VM's hart runs now (its own program's, or a Linux guest's user program's). */
  infoOf(v: VmInstance): ProgramInfo;
  /** The debug information of a VM's own program (where its firmware sets its trap vector). */
  programInfoOf(v: VmInstance): ProgramInfo;
  /** The key of the user space (a Linux guest's user program) a VM's hart runs now, undefined elsewhere. */
  spaceOf(v: VmInstance): string | undefined;
  readonly endNs: number;
  readonly filters: ReadonlySet<ExceptionFilter>;
  readonly bps: Breakpoints;
  readonly held: HeldOutputWatch;
  readonly gate: RunGate;
  readonly focusVm: VmInstance | undefined;
  mustVm(id: number): VmInstance;
  /** A user breakpoint hit at the VM's pc, or a guest trap when that filter is on (on the VMs the launch's `breakOn` names). */
  codeHit(v: VmInstance, count: boolean): { stop: boolean; ids: number[]; kind: CodeBreakpointKind | 'trap' };
  /** Data breakpoints the VM's last store hit whose conditions hold, on the VMs the launch's `breakOn` names. */
  dataHit(v: VmInstance, count: boolean): { stop: boolean; ids: number[] };
  /** The VMs or the console changed (after every chunk). */
  changed(): void;
}

export class ForwardEngine {
  /** The temporary breakpoint of the step or goto in progress (armed through the time machine's stop set). */
  private stepStop: StepStop | null = null;
  /** Exception found by the trace/checker hooks during the current run. */
  private pendingException: { filter: ExceptionFilter; text: string; vm?: number } | null = null;
  /** The hooks report only while running forward for the user (not while time travel replays). */
  observing = false;
  /** The explored frontier when the current chunk began: trace events before it are re-executions. */
  liveFromNs = 0;
  private chunkNs = 0.2 * NS_PER_MS;
  private chunkCount = 0;
  lastException: { filter: ExceptionFilter; text: string } | null = null;

  /** `chunkPlanNs`: simulated chunk lengths used in turn instead of ones adapted to wall time (tests). */
  constructor(private readonly x: ForwardContext, private readonly chunkPlanNs: readonly number[] | null) {
    if (chunkPlanNs !== null) this.chunkNs = chunkPlanNs[0];
  }

  /** Stops the run at the end of the current quantum (Cluster.requestStop leaves the CPUs alone, so observing changes nothing). */
  raise(e: { filter: ExceptionFilter; text: string; vm?: number }): void {
    if (this.pendingException !== null) return;
    this.pendingException = e;
    this.x.cluster.requestStop();
  }

  private setStepStop(t: StepStop | null): void {
    this.stepStop = t;
    this.x.tm.stops.setTemp(t === null ? null : { vm: t.vm, addr: t.addr });
  }

  /** The one forward engine: runs the cluster in chunks, yielding to the event loop between them. */
  async drive(goal: Goal): Promise<RuntimeStop> {
    const gate = this.x.gate;
    gate.begin('already running');
    this.pendingException = null;
    const c = this.x.cluster;
    let lastYield = performance.now();
    try {
      this.prepareGoal(goal);
      // Resuming steps off a breakpoint at each VM's current pc (as gdb does); later slices still hit it.
      for (const v of c.vms) if (v.alive) v.machine.cpu.stepOffBreakpoint();
      for (;;) {
        if (this.x.gate.pauseRequested) return { reason: 'pause', vm: this.goalVm(goal), description: 'Paused' };
        const limit = goal.kind === 'time' ? Math.min(goal.untilNs, this.x.endNs) : this.x.endNs;
        if (c.nowNs >= limit) {
          if (goal.kind === 'time') return { reason: 'goto', vm: this.goalVm(goal), description: `At ${fmtMs(c.nowNs)}` };
          return { reason: 'pause', vm: this.goalVm(goal), description: `End of the scenario (${fmtMs(this.x.endNs)})`, text: 'the scenario\'s untilMs was reached' };
        }
        const t0 = performance.now();
        this.observing = true;
        this.liveFromNs = this.x.tm.frontierNs;
        let stop: ClusterStop;
        try {
          stop = this.x.tm.forward(Math.min(limit, c.nowNs + this.chunkNs, this.heldDeadline(goal)));
        } finally {
          this.observing = false;
        }
        this.adaptChunk(performance.now() - t0);
        this.x.changed();
        if (goal.kind !== 'time' && goal.kind !== 'goto' && this.pendingException === null) this.checkHeld();
        const done = this.judge(goal, stop) ?? this.poweredOff(goal);
        if (done !== null) return done;
        if (goal.kind !== 'time' && this.goalVm(goal) !== undefined && !this.x.cluster.vm(this.goalVm(goal)!)?.alive) {
          return { reason: 'pause', vm: this.goalVm(goal), description: 'The VM being stepped is gone' };
        }
        if (performance.now() - lastYield >= CHUNK_WALL_MS) {
          await new Promise<void>((r) => setImmediate(r));
          lastYield = performance.now();
        }
      }
    } finally {
      this.x.tm.stops.clearStepTargets();
      this.setStepStop(null);
      gate.end();
    }
  }

  /**
   * Continue and steps end when the guest has powered off: no VM runs any more and one of them exited by itself
   * (the SiFive test device). The stop names the VM that was primary then and carries the guest's exit code.
   */
  poweredOff(goal: Goal): RuntimeStop | null {
    if (goal.kind === 'time' || goal.kind === 'goto') return null;
    const vms = this.x.cluster.vms;
    if (vms.some((v) => v.alive)) return null;
    const exited = vms.filter((v) => v.status === 'exited');
    const v = exited.find((x) => x.role === 'primary') ?? exited[0];
    if (v === undefined) return null;
    const code = v.guest.exitCode ?? 0;
    return { reason: 'pause', vm: v.id, description: `Guest powered off (exit code ${code})`, text: `${v.name} powered off with code ${code}`, exitCode: code };
  }

  /** Held-output filter: where the chunk must end so its stop lands on time (never for seeks and gotos). */
  heldDeadline(goal: Goal): number {
    if (!this.x.filters.has('heldOutput') || goal.kind === 'time' || goal.kind === 'goto') return Infinity;
    return this.x.held.deadlineNs();
  }

  /** Between chunks: raises the held-output exception when the primary's oldest held output is older than N ms. */
  checkHeld(): void {
    if (!this.x.filters.has('heldOutput')) return;
    const e = this.x.held.check();
    if (e !== null) this.pendingException = { filter: 'heldOutput', text: e.text, vm: e.vm };
  }

  goalVm(goal: Goal): number | undefined {
    return goal.kind === 'continue' || goal.kind === 'time' ? undefined : goal.vm;
  }

  prepareGoal(goal: Goal): void {
    this.x.tm.stops.clearStepTargets();
    this.setStepStop(null);
    if (goal.kind === 'instr' || goal.kind === 'line') {
      const v = this.x.mustVm(goal.vm);
      this.armLineStep(goal, v);
      if (goal.kind === 'instr') this.x.tm.stops.setStepTarget(v.id, v.machine.instret + goal.count);
    } else if (goal.kind === 'out') {
      this.setStepStop({ vm: goal.vm, addr: goal.retAddr, cfa: goal.cfa });
    } else if (goal.kind === 'goto') {
      this.setStepStop({ vm: goal.vm, addr: goal.addr, cfa: 0 });
    }
  }

  /** Next micro-step of a line step: over a call (temporary breakpoint at the return) or one instruction. */
  armLineStep(goal: Goal, v: VmInstance): void {
    if (goal.kind !== 'line') return;
    const pc = v.machine.cpu.pc >>> 0;
    const call = goal.over ? callAt(v.machine, pc) : undefined;
    if (call !== undefined) {
      this.setStepStop({ vm: v.id, addr: (pc + call.len) >>> 0, cfa: v.machine.cpu.x[2] >>> 0 });
      this.x.tm.stops.clearStepTarget(v.id);
    } else {
      this.setStepStop(null);
      this.x.tm.stops.setStepTarget(v.id, v.machine.instret + 1);
    }
  }

  /** Decides whether a cluster stop ends the run, or re-arms and goes on. */
  judge(goal: Goal, stop: ClusterStop): RuntimeStop | null {
    if (goal.kind === 'time') {
      // A seek forward goes to its time whatever happens on the way (like TimeMachine.seekTime).
      this.pendingException = null;
      return stop.reason === 'requested' && this.x.gate.pauseRequested ? { reason: 'pause', vm: undefined, description: 'Paused' } : null;
    }
    if (goal.kind === 'goto') return this.judgeGoto(goal, stop);
    if (this.pendingException !== null) {
      const e = this.pendingException;
      this.pendingException = null;
      this.lastException = { filter: e.filter, text: e.text };
      return { reason: 'exception', vm: e.vm ?? this.goalVm(goal) ?? this.x.focusVm?.id, description: EXCEPTION_LABEL[e.filter], text: e.text };
    }
    const v = stop.vm !== undefined ? this.x.cluster.vm(stop.vm) : undefined;
    switch (stop.reason) {
      case 'breakpoint': {
        if (v === undefined) return null;
        const pc = v.machine.cpu.pc >>> 0;
        const t = this.stepStop;
        if (t !== null && v.id === t.vm && pc === t.addr && (v.machine.cpu.x[2] >>> 0) >= t.cfa) {
          if (goal.kind === 'out') return { reason: 'step', vm: v.id };
          if (goal.kind === 'line') return this.lineProgress(goal, v);
        }
        const hit = this.x.codeHit(v, true);
        if (!hit.stop && this.x.filters.has('guestTrap') && this.x.programInfoOf(v).afterMtvecWrites.includes(pc)) {
          this.x.tm.stops.arm(v); // the guest just set its trap vector
          return null;
        }
        if (!hit.stop) {
          if (goal.kind === 'line' && v.id === goal.vm && this.stepStop === null) return this.lineProgress(goal, v);
          return null;
        }
        if (hit.kind === 'trap') {
          this.lastException = { filter: 'guestTrap', text: `trap: mcause ${v.machine.cpu.mcause}, mepc 0x${(v.machine.cpu.mepc >>> 0).toString(16)}` };
          return { reason: 'exception', vm: v.id, description: EXCEPTION_LABEL.guestTrap, text: this.lastException.text };
        }
        const reason: StopReason = hit.kind === 'function' ? 'function breakpoint' : hit.kind === 'instruction' ? 'instruction breakpoint' : 'breakpoint';
        return { reason, vm: v.id, hitIds: hit.ids, ...stopWords(STOP_LABEL[reason], v) };
      }
      case 'watchpoint': {
        if (v === undefined) return null;
        const hit = this.x.dataHit(v, true);
        return hit.stop ? { reason: 'data breakpoint', vm: v.id, hitIds: hit.ids, ...stopWords('Data breakpoint', v) } : null;
      }
      case 'step': {
        if (v === undefined) return null;
        if (goal.kind === 'line') return this.lineProgress(goal, v);
        return { reason: 'step', vm: v.id };
      }
      case 'requested':
        return this.x.gate.pauseRequested ? { reason: 'pause', vm: this.goalVm(goal), description: 'Paused' } : null;
      default:
        return null;
    }
  }

  /** A goto forward is a jump, not a run: only its own temporary breakpoint ends it (user breakpoints and exceptions are passed). */
  judgeGoto(goal: Goal & { kind: 'goto' }, stop: ClusterStop): RuntimeStop | null {
    this.pendingException = null;
    if (stop.reason === 'requested' && this.x.gate.pauseRequested) return { reason: 'pause', vm: goal.vm, description: 'Paused' };
    const v = stop.vm !== undefined ? this.x.cluster.vm(stop.vm) : undefined;
    if (stop.reason !== 'breakpoint' || v === undefined || v.id !== goal.vm || (v.machine.cpu.pc >>> 0) !== goal.addr) return null;
    return { reason: 'goto', vm: v.id, description: `At ${hex(goal.addr)} (instruction ${v.machine.instret})` };
  }

  /** After one micro-step of a line step: done when the line changed (and we are not deeper), else the next micro-step. */
  lineProgress(goal: Goal & { kind: 'line' }, v: VmInstance): RuntimeStop | null {
    goal.steps++;
    if (goal.space !== undefined && this.x.spaceOf(v) !== goal.space) return this.awayFromSpace(goal, v);
    const pc = v.machine.cpu.pc >>> 0;
    const info = this.x.infoOf(v);
    const loc = info.location(pc);
    const here = loc === undefined ? undefined : `${loc.path}:${loc.line}`;
    const atLineStart = loc !== undefined && info.isStatementStart(pc);
    if (here !== undefined && here !== goal.startLine && atLineStart && !this.deeper(goal, v)) return { reason: 'step', vm: v.id };
    if (goal.steps >= LINE_STEP_MAX) return { reason: 'step', vm: v.id, description: 'Line step limit reached' };
    this.armLineStep(goal, v);
    return null;
  }

  /**
   * A line step in a user program whose hart left it: a system call, an interrupt or a fault entered the kernel
   * (or the firmware), or another process reached the address it resumes at. Runs on to where the trap returns to
   * the program (its epc, past an ecall) rather than stepping through the kernel; instruction by instruction where
   * that is not known.
   */
  awayFromSpace(goal: Goal & { kind: 'line' }, v: VmInstance): null {
    const resume = v.machine.cpu.priv === PRIV_U ? undefined : userResumeAddress(v.machine);
    if (resume !== undefined) {
      this.setStepStop({ vm: v.id, addr: resume, cfa: 0 });
      this.x.tm.stops.clearStepTarget(v.id);
    } else if (this.stepStop === null) {
      this.armLineStep(goal, v);
    } // else: another process at the resume address; the step stop stays armed
    return null;
  }

  /**
   * Stepping over: is the VM in a frame below the one the step started in (a callee, or the trap vector
   * entered by an interrupt)? Frames compare by CFA, so a step that starts at a function's entry,
   * before its prologue moved the stack pointer, still stops at the function's next line.
   */
  deeper(goal: Goal & { kind: 'line' }, v: VmInstance): boolean {
    if (!goal.over) return false;
    const info = this.x.infoOf(v);
    const fn = info.functionAt(v.machine.cpu.pc);
    if (fn === undefined) return false;
    const vector = (v.machine.cpu.mtvec & ~3) >>> 0;
    if (fn.addr === vector && goal.startFn !== vector) return true;
    return info.frameCfa(v.machine) < goal.startCfa;
  }

  adaptChunk(wallMs: number): void {
    if (this.chunkPlanNs !== null) {
      this.chunkNs = this.chunkPlanNs[++this.chunkCount % this.chunkPlanNs.length];
      return;
    }
    if (wallMs < CHUNK_WALL_MS / 2) this.chunkNs = Math.min(this.chunkNs * 2, 20 * NS_PER_MS);
    else if (wallMs > CHUNK_WALL_MS) this.chunkNs = Math.max(this.chunkNs / 2, 0.01 * NS_PER_MS);
  }
}
