// A secondary whose guest runs elsewhere (another thread): predicts what the cluster reads, forwards the work, to be verified.
//
// The cluster reads a secondary's machine for its instruction count, its stops and what its
// environment consumed. In a faithful replay those follow from the log alone: a slice ends at its
// limit, read and output entries below the limit are consumed in order, and the guest powers off
// one instruction after the exit output the primary logged. The shadow computes exactly that and
// sends the same work — each delivered input, each slice with the environment calls it made — to
// a SecondaryExecutor that runs the real machine and checks every prediction. A failed check (a
// real divergence, an unlogged read, a fatal trap) makes the whole run void: the caller runs it
// again with the in-thread secondary. Anything the shadow cannot predict throws ParallelFallback.

import type { Environment, GuestOutput, InputEvent, ReadKind, StopReason } from '../../machine/types';
import type { Machine, MachineSnapshot } from '../../machine/machine';
import type { Guest } from './guest';
import type { VmInstance } from './vm';

/** What a shadow needs of the VM it stands in for: its id, its log, whether it diverged, and the timer fields it hands back at go-live. */
export type ShadowedVm = Pick<VmInstance, 'id' | 'receiver' | 'divergence' | 'armedTimer' | 'timerPending'>;

/** One environment call the secondary's guest must make during a slice, in order. */
export type ExpectedCall = { instret: number; read: ReadKind; value: number } | { instret: number; output: GuestOutput };

/** What a slice of the secondary must do on the real machine. */
export interface SliceExpectation { limit: number; reason: StopReason; instret: number; calls: ExpectedCall[] }

/** The replay fields the real machine's side owns (handed over at go-live). */
export interface RemoteSecondaryState { snapshot: MachineSnapshot; armedTimer: number | null; timerPending: boolean }

/** Runs real secondary machines somewhere else, in command order; only `take`, `hash` and `verdict` wait for it. */
export interface SecondaryExecutor {
  create(vm: number, snapshot: MachineSnapshot): void;
  deliver(vm: number, ev: InputEvent): void;
  run(vm: number, slice: SliceExpectation): void;
  /** Waits until `vm` executed everything sent, and returns its state (the VM goes live on this thread). */
  take(vm: number): RemoteSecondaryState | null;
  hash(vm: number): string;
  /** Waits for every command; null when every prediction held, else the first one that failed. */
  verdict(): string | null;
}

/** The run cannot be made parallel (or a prediction failed): run it again with the in-thread secondary. */
export class ParallelFallback extends Error {
  constructor(why: string) {
    super(`parallel secondary: ${why}`);
    this.name = 'ParallelFallback';
  }
}

const SLICE_CALLS_MAX = 1_000_000;

export class ShadowMachine implements Guest {
  instret = 0;
  pc = 0;
  exitCode: number | null = null;
  readonly fatal = null;
  private env: Environment | null = null;
  private created = false;
  readonly cpu = { requestStop: (): void => { throw new ParallelFallback('a stop was requested inside a slice'); } };

  /** `blank`: a machine as the in-thread cluster makes it (the state of a secondary whose copy never arrived). */
  constructor(private readonly executor: SecondaryExecutor, private readonly vm: ShadowedVm, private readonly blank: () => Machine) {}

  setEnvironment(env: Environment): void {
    this.env = env;
  }

  restore(s: MachineSnapshot): void {
    if (this.created) throw new ParallelFallback('a secondary restored twice');
    this.created = true;
    this.instret = s.instret;
    this.pc = s.pc;
    this.executor.create(this.vm.id, s);
  }

  deliver(ev: InputEvent): void {
    this.executor.deliver(this.vm.id, ev);
  }

  /** The slice a faithful replay executes: to `limit`, consuming the log's reads and outputs below it. */
  run(limit: number): StopReason {
    if (!Number.isSafeInteger(limit)) throw new Error(`run: bad instruction limit ${limit}`);
    if (!this.created) throw new ParallelFallback('a secondary ran before its state was copied');
    if (this.exitCode !== null) return 'exit';
    const calls: ExpectedCall[] = [];
    const exit = this.consumeBelow(limit, calls);
    const reason: StopReason = exit !== null ? 'exit' : 'limit';
    if (exit !== null) {
      this.instret = exit.instret + 1;
      this.exitCode = exit.code;
    } else if (limit > this.instret) {
      this.instret = limit;
    }
    this.executor.run(this.vm.id, { limit, reason, instret: this.instret, calls });
    return reason;
  }

  /** Feeds the environment every read and output entry below `limit` (as the guest would); stops at an exit. */
  private consumeBelow(limit: number, calls: ExpectedCall[]): { instret: number; code: number } | null {
    const rx = this.vm.receiver;
    const env = this.env!;
    for (let n = 0; n < SLICE_CALLS_MAX; n++) {
      const e = rx.peek();
      if (e === undefined || e.k === 'input' || e.instret >= limit) return null;
      if (e.instret < this.instret) throw new ParallelFallback(`log entry ${e.seq} lies before the secondary's instruction ${this.instret}`);
      const head = rx.head;
      if (e.k === 'read') calls.push({ instret: e.instret, read: e.kind, value: env.read(e.kind, e.instret, this.pc) });
      else {
        env.output(e.out, e.instret, this.pc);
        calls.push({ instret: e.instret, output: e.out });
      }
      if (rx.head !== head + 1 || this.vm.divergence !== null) throw new ParallelFallback(`log entry ${e.seq} was not consumed`);
      if (e.k === 'output' && e.out.kind === 'exit') return { instret: e.instret, code: e.out.code };
    }
    throw new ParallelFallback('too many log entries in one slice');
  }

  snapshot(): MachineSnapshot {
    throw new ParallelFallback('a checkpoint of a secondary running on another thread');
  }

  /** The real machine's state hash; a secondary halted before its copy arrived never reached the worker: it is blank. */
  hash(): string {
    return this.created ? this.executor.hash(this.vm.id) : this.blank().hash();
  }

  /** Brings the real machine here (go-live): restores it into `fresh` and hands over the replay fields it owns. */
  materialize(fresh: Machine): Machine {
    const st = this.executor.take(this.vm.id);
    if (st === null) throw new ParallelFallback('the real secondary failed a check before going live');
    fresh.restore(st.snapshot, true);
    if (fresh.instret !== this.instret) throw new ParallelFallback(`the real secondary is at ${fresh.instret}, the shadow at ${this.instret}`);
    this.vm.armedTimer = st.armedTimer;
    this.vm.timerPending = st.timerPending;
    return fresh;
  }
}

/** The shadow behind a VM's machine, if its guest runs on another thread. */
export function shadowOf(m: Guest): ShadowMachine | null {
  return m instanceof ShadowMachine ? m : null;
}
