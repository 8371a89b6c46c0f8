// Free-running world for `lockstep exec`: deterministic time and entropy, an in-memory disk, and the run loop.

import type { Environment, GuestOutput, InputEvent, ReadKind } from './types';
import type { Machine } from './machine';
import { SECTOR_BYTES } from './devices/disk';

/** The guest runs at a nominal 100 MHz; `time` ticks at 10 MHz. */
export const CYCLES_PER_TIME_TICK = 10;
const DEFAULT_SLICE_INSTRUCTIONS = 1 << 20;
const DEFAULT_DISK_LATENCY_CYCLES = 10_000;

export interface StandaloneOptions {
  /** Seed of the entropy PRNG (default 1). */
  seed?: number;
  /** Called for every byte the guest writes to the UART. */
  onUart?: (byte: number) => void;
  /** Backing store of the disk (modified by guest writes); default: zeros of the machine's capacity. */
  diskImage?: Uint8Array;
  /** Cycles between a disk request and its completion (default 10 000 = 100 µs). */
  diskLatencyCycles?: number;
}

/** xorshift32; never returns 0 and never gets stuck at 0. */
function xorshift32(state: number): number {
  let x = state >>> 0;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
}

/**
 * Virtual cycles = retired instructions + cycles skipped while the guest waited for an interrupt.
 * `time` is cycles / 10; `cycle` is instret.
 */
export class StandaloneEnvironment implements Environment {
  idleCycles = 0;
  /** Cycle at which MTIP must be raised (null: not armed, or already raised). */
  timerDeadlineCycles: number | null = null;
  /** Pending disk completions, oldest first: one per disk device at most (Lockstep's disk and virtio-blk share the image). */
  diskDone: { dueCycles: number; ev: InputEvent }[] = [];
  /** Called when an output scheduled an event, so the runner can stop and reschedule. */
  onSchedule: () => void = () => {};
  uartBytes = 0;
  nicPacketsSent = 0;
  private rng: number;

  constructor(private readonly opts: StandaloneOptions, private readonly diskCapacitySectors: number) {
    this.rng = (opts.seed ?? 1) >>> 0 || 0x9e3779b9;
  }

  cycles(instret: number): number {
    return instret + this.idleCycles;
  }

  read(kind: ReadKind, instret: number, _pc: number): number {
    switch (kind) {
      case 'time': return Math.floor(this.cycles(instret) / CYCLES_PER_TIME_TICK);
      case 'cycle': return instret;
      case 'entropy': return (this.rng = xorshift32(this.rng));
    }
  }

  output(out: GuestOutput, instret: number, _pc: number): void {
    switch (out.kind) {
      case 'uart':
        this.uartBytes++;
        this.opts.onUart?.(out.byte);
        break;
      case 'timerArm': {
        const deadline = out.mtimecmp * CYCLES_PER_TIME_TICK;
        this.timerDeadlineCycles = Number.isSafeInteger(deadline) ? deadline : null;
        this.onSchedule();
        break;
      }
      case 'diskRequest':
        this.serveDisk(out, this.cycles(instret));
        this.onSchedule();
        break;
      case 'nicTx': this.nicPacketsSent++; break; // no network when free-running
      case 'exit': break; // the machine reports it
    }
  }

  private serveDisk(req: Extract<GuestOutput, { kind: 'diskRequest' }>, nowCycles: number): void {
    const image = this.image();
    const off = req.sector * SECTOR_BYTES;
    const len = req.count * SECTOR_BYTES;
    let ev: InputEvent;
    if (off + len > image.length) ev = { kind: 'diskDone', id: req.id, ok: false };
    else if (req.op === 'read') ev = { kind: 'diskDone', id: req.id, ok: true, data: image.slice(off, off + len) };
    else {
      image.set(req.data ?? new Uint8Array(len), off);
      ev = { kind: 'diskDone', id: req.id, ok: true };
    }
    this.diskDone.push({ dueCycles: nowCycles + (this.opts.diskLatencyCycles ?? DEFAULT_DISK_LATENCY_CYCLES), ev });
  }

  private diskImage: Uint8Array | null = null;
  private image(): Uint8Array {
    this.diskImage ??= this.opts.diskImage ?? new Uint8Array(this.diskCapacitySectors * SECTOR_BYTES);
    return this.diskImage;
  }

  /** The earliest scheduled event, in cycles (Infinity if none). */
  nextEventCycles(): number {
    return Math.min(this.timerDeadlineCycles ?? Infinity, this.diskDone[0]?.dueCycles ?? Infinity);
  }

  /** Delivers every event due at or before the machine's current cycle. */
  deliverDue(machine: Machine): void {
    const now = this.cycles(machine.instret);
    if (this.timerDeadlineCycles !== null && this.timerDeadlineCycles <= now) {
      this.timerDeadlineCycles = null;
      machine.deliver({ kind: 'timer', pending: true });
    }
    while (this.diskDone.length > 0 && this.diskDone[0].dueCycles <= now) machine.deliver((this.diskDone.shift() as { ev: InputEvent }).ev);
  }
}

export interface StandaloneRunOptions extends StandaloneOptions {
  maxInstructions: number;
  /** Instructions per machine.run call when no event is nearer (default 2^20). */
  sliceInstructions?: number;
}

export interface StandaloneResult {
  reason: 'exit' | 'fatal' | 'limit' | 'deadlock';
  exitCode: number | null;
  instret: number;
  /** Guest time at the end, in 10 MHz ticks. */
  timeTicks: number;
}

/**
 * A free run taken in steps: `advance` runs whole slices (never cutting one short), so a run taken in
 * steps is the same run as one taken at once. The caller decides how far each step goes.
 */
export class StandaloneRun {
  readonly env: StandaloneEnvironment;
  private readonly slice: number;

  constructor(private readonly machine: Machine, private readonly opts: StandaloneRunOptions) {
    this.env = new StandaloneEnvironment(opts, machine.devices.disk.capacitySectors);
    this.env.onSchedule = () => machine.cpu.requestStop();
    machine.setEnvironment(this.env);
    this.slice = opts.sliceInstructions ?? DEFAULT_SLICE_INSTRUCTIONS;
  }

  /** Instructions retired so far. */
  get instret(): number {
    return this.machine.instret;
  }

  /**
   * Runs until the guest exits, dies, reaches `maxInstructions` or waits for an interrupt that can never
   * come (the result), or until a slice ends at or past `untilInstret` (null: the run can go on).
   */
  advance(untilInstret: number): StandaloneResult | null {
    const { machine, env, opts } = this;
    for (;;) {
      if (machine.exitCode !== null) return this.result('exit');
      if (machine.fatal !== null) return this.result('fatal');
      if (machine.instret >= opts.maxInstructions) return this.result('limit');
      if (machine.instret >= untilInstret) return null;
      env.deliverDue(machine);
      const untilEvent = env.nextEventCycles() - env.cycles(machine.instret);
      const limit = Math.min(opts.maxInstructions, machine.instret + this.slice, machine.instret + untilEvent);
      const reason = machine.run(limit);
      if (reason !== 'wfi') continue;
      const next = env.nextEventCycles();
      if (next === Infinity) return this.result('deadlock');
      env.idleCycles += Math.max(0, next - env.cycles(machine.instret)); // sleep until the next event
    }
  }

  private result(reason: StandaloneResult['reason']): StandaloneResult {
    const m = this.machine;
    return { reason, exitCode: m.exitCode, instret: m.instret, timeTicks: Math.floor(this.env.cycles(m.instret) / CYCLES_PER_TIME_TICK) };
  }
}

/** Runs the machine free until it exits, dies, reaches `maxInstructions` or waits for an interrupt that can never come. */
export function runStandalone(machine: Machine, opts: StandaloneRunOptions): StandaloneResult {
  return new StandaloneRun(machine, opts).advance(Infinity)!;
}
