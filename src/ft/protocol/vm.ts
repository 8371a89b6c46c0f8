// One VM incarnation on one host: its guest, its local clock, its ends of the logging channel, and the state a checkpoint keeps of it.

import type { Machine } from '../../machine/machine';
import type { Guest } from './guest';
import type { GuestOutput } from '../../machine/types';
import { LogReceiver, LogSender, type LogReceiverState, type LogSenderState } from './log-channel';
import type { AllSaved, Unsaved } from '../sim/saved';

export type VmRole = 'primary' | 'secondary';
/** copying: a new secondary whose state is still being copied over the network. */
export type VmStatus = 'copying' | 'running' | 'halted' | 'crashed' | 'exited' | 'fatal' | 'diverged';

/** An output waiting for the secondary's acknowledgement (the Output Rule). */
export interface HeldOutput { seq: number; instret: number; out: GuestOutput; producedNs: number }

/** VmInstance fields a checkpoint does not keep in VmState, and why (getters are derived). */
export const VM_NOT_SAVED = {
  id: 'identity: a restore makes the VM with it', epoch: 'identity', owner: 'identity', vmLabel: 'identity',
  guest: 'saved as a machine snapshot', local: 'the same machine as guest',
  name: 'getter', alive: 'getter', connected: 'getter', machine: 'getter',
} as const;

/** The VM fields kept as they are (plain values) or copied one level (the lists and the map). */
type VmFieldKey =
  | 'role' | 'generation' | 'status' | 'lastNs' | 'baseNs' | 'baseInstret' | 'baseRate' | 'idle' | 'stalled' | 'throttle'
  | 'lagNs' | 'peer' | 'lastHeardNs' | 'lastLogNs' | 'suspecting' | 'suspectedAtNs' | 'silentSinceNs' | 'arbitrating'
  | 'storageWaitSinceNs' | 'storageWaitNs' | 'goLiveAtNs' | 'catchUpFromInstret' | 'initialCopy' | 'timerGen' | 'staleTimers'
  | 'armedTimer' | 'timerPending' | 'held' | 'pendingDisk' | 'replayedOutputs' | 'logging' | 'urgentFlushNs' | 'flushDueNs'
  | 'divergence' | 'host' | 'migratingTo';

/** A VM's state in a checkpoint: everything but its identity and its guest. Held outputs, disk requests and log entries are immutable: lists are copied, not their items. */
export type VmState = Pick<VmInstance, VmFieldKey> & { sender: LogSenderState; receiver: LogReceiverState };

export class VmInstance {
  status: VmStatus;
  /** Sim time that corresponds to the machine's current instruction count. */
  lastNs: number;
  /**
   * Execution credit: by sim time t the VM may have retired `baseInstret + floor((t - baseNs) * baseRate)`
   * instructions. A function of t alone, so how the loop slices time never changes a run; it is
   * re-based only at deterministic points (rate change, wake-up, end of a stall).
   */
  baseNs: number;
  baseInstret = 0;
  baseRate = 0;
  idle = false;
  stalled = false;
  throttle = 1;
  lagNs = 0;
  peer: number | null = null;
  /** Last heartbeat from the peer (management network). */
  lastHeardNs: number;
  /** Last log message (secondary) or acknowledgement (primary) from the peer (logging network). */
  lastLogNs: number;
  suspecting = false;
  /** When this VM first declared its peer failed (null: it never did). */
  suspectedAtNs: number | null = null;
  /** Then: since when it had heard nothing from its peer on one of the two channels. */
  silentSinceNs = 0;
  arbitrating = false;
  /** Since when it has been waiting to arbitrate because its host has no path to shared storage (null: not waiting). */
  storageWaitSinceNs: number | null = null;
  /** Total time it waited for shared storage before arbitrating (the failover bound does not count it). */
  storageWaitNs = 0;
  /** A secondary that won arbitration: when it will have replayed the log it received and goes live (null: not going live). */
  goLiveAtNs: number | null = null;
  /** Its instruction count when it won (the catch-up replays from here). */
  catchUpFromInstret = 0;
  /** A secondary started with its primary at power-on (not a respawn: no copy, not counted). */
  initialCopy = false;
  timerGen = 0;
  /** Timer deadlines superseded since the last sweep of the queue. */
  staleTimers = 0;
  /** Last mtimecmp the guest armed (a new primary re-arms it at go-live). */
  armedTimer: number | null = null;
  timerPending = false;
  /** Its end of the logging channel as a primary. */
  readonly sender = new LogSender();
  /** Its end of the logging channel as a secondary. */
  readonly receiver = new LogReceiver();
  held: HeldOutput[] = [];
  /** Disk requests the guest issued whose completion it has not seen (re-issued at go-live). */
  pendingDisk = new Map<number, GuestOutput & { kind: 'diskRequest' }>();
  /** Outputs this VM saw in replay, by log seq (a new primary re-sends those not known to be released). */
  replayedOutputs: { seq: number; instret: number; out: GuestOutput }[] = [];
  logging = false;
  /** Time of a pending immediate flush (an output is waiting for its acknowledgement). */
  urgentFlushNs: number | null = null;
  /** Time of the next periodic flush of a primary (an earlier one supersedes a later one: see Cluster.scheduleFlush). */
  flushDueNs = Number.POSITIVE_INFINITY;
  divergence: string | null = null;
  /** The host a live migration (vMotion) is copying it to (null: none in progress). */
  migratingTo: string | null = null;

  /** The guest as the protocol drives it: this thread's machine, or the shadow of a secondary whose guest runs elsewhere. */
  guest: Guest;
  /** This thread's machine (null while the guest runs elsewhere). */
  private local: Machine | null;

  /** `guest`: a machine, or a maker of the shadow standing for a guest that runs elsewhere (it reads this VM's log). */
  constructor(
    readonly id: number,
    public role: VmRole,
    /** Where it runs: set at birth, changed only by a live migration (vMotion). */
    public host: string,
    readonly epoch: number,
    public generation: number,
    guest: Machine | ((vm: VmInstance) => Guest),
    nowNs: number,
    status: VmStatus,
    /** Index of the VM it is an instance of, in the cluster's `members`. */
    readonly owner = 0,
    /** That VM's name in a cluster of several (null: the only VM). */
    readonly vmLabel: string | null = null,
  ) {
    this.local = typeof guest === 'function' ? null : guest;
    this.guest = typeof guest === 'function' ? guest(this) : guest;
    this.status = status;
    this.lastNs = nowNs;
    this.baseNs = nowNs;
    this.lastHeardNs = nowNs;
    this.lastLogNs = nowNs;
  }

  /**
   * This thread's machine: what the debugger, the time machine and `load` work on. A guest running on
   * another thread has none here: code that may meet one reads `guest`, which the shadow answers.
   */
  get machine(): Machine {
    if (this.local === null) throw new Error(`invariant: VM ${this.id} runs on another thread; read its guest, not its machine`);
    return this.local;
  }

  /** The guest runs on this thread from now on, in `m` (a secondary brought here to go live). */
  setMachine(m: Machine): void {
    this.local = m;
    this.guest = m;
  }

  get name(): string {
    return this.vmLabel === null ? `${this.role} @ ${this.host}` : `${this.vmLabel}'s ${this.role} @ ${this.host}`;
  }

  get alive(): boolean {
    return this.status === 'running' || this.status === 'copying';
  }

  /**
   * Still on the logging channel: alive, or stopped by its own guest (powered off, or a fatal trap —
   * the secondary replays the same fate; FT does not fail over a guest's own crash).
   */
  get connected(): boolean {
    return this.alive || this.status === 'exited' || this.status === 'fatal';
  }

  /** Instructions the VM may have retired by sim time `tNs`. */
  creditAt(tNs: number): number {
    return this.baseInstret + Math.floor((tNs - this.baseNs) * this.baseRate);
  }

  /** Sim time at which the instruction after `instret` executes (never before the last re-base). */
  timeAt(instret: number): number {
    if (this.baseRate <= 0 || instret <= this.baseInstret) return this.baseNs;
    return this.baseNs + Math.floor((instret - this.baseInstret) / this.baseRate);
  }

  /**
   * Sim time at which the instruction after `instret` executes: the first instant whose credit admits it.
   * A function of the credit alone, so it does not depend on where a quantum began (a quantum boundary
   * can fall just before that instruction). A VM running on its credit is past `instret` at the start of
   * the quantum executing it, so the time is never before that quantum's start.
   */
  timeAfter(instret: number): number {
    if (!(this.baseRate > 0) || this.baseRate === Number.POSITIVE_INFINITY || instret < this.baseInstret) return this.baseNs;
    const want = instret + 1;
    let t = this.baseNs + Math.ceil((want - this.baseInstret) / this.baseRate);
    // The division and creditAt's multiplication round differently: settle on creditAt's own answer.
    for (let i = 0; i < 4 && this.creditAt(t) < want; i++) t++;
    for (let i = 0; i < 4 && t > this.baseNs && this.creditAt(t - 1) >= want; i++) t--;
    return t;
  }

  save(): VmState {
    return {
      role: this.role, generation: this.generation, status: this.status, lastNs: this.lastNs, baseNs: this.baseNs,
      baseInstret: this.baseInstret, baseRate: this.baseRate, idle: this.idle, stalled: this.stalled, throttle: this.throttle,
      lagNs: this.lagNs, peer: this.peer, lastHeardNs: this.lastHeardNs, lastLogNs: this.lastLogNs, suspecting: this.suspecting,
      suspectedAtNs: this.suspectedAtNs, silentSinceNs: this.silentSinceNs, arbitrating: this.arbitrating,
      storageWaitSinceNs: this.storageWaitSinceNs, storageWaitNs: this.storageWaitNs, goLiveAtNs: this.goLiveAtNs,
      catchUpFromInstret: this.catchUpFromInstret, initialCopy: this.initialCopy, timerGen: this.timerGen,
      staleTimers: this.staleTimers, armedTimer: this.armedTimer, timerPending: this.timerPending, held: this.held.slice(),
      pendingDisk: new Map(this.pendingDisk), replayedOutputs: this.replayedOutputs.slice(), logging: this.logging,
      urgentFlushNs: this.urgentFlushNs, flushDueNs: this.flushDueNs, divergence: this.divergence,
      host: this.host, migratingTo: this.migratingTo, sender: this.sender.save(), receiver: this.receiver.save(),
    };
  }

  /** Takes back a saved state (which stays usable: it can be restored again). The guest is restored apart. */
  restore(s: VmState): void {
    const { sender, receiver, held, pendingDisk, replayedOutputs, ...plain } = s;
    Object.assign(this, plain); // every other VmState field is a plain value
    this.held = held.slice();
    this.pendingDisk = new Map(pendingDisk);
    this.replayedOutputs = replayedOutputs.slice();
    this.sender.restore(sender);
    this.receiver.restore(receiver);
  }

  /** Starts counting credit afresh from `tNs` at `rateInstrPerNs`. */
  rebase(tNs: number, rateInstrPerNs: number): void {
    this.baseNs = tNs;
    this.baseInstret = this.guest.instret;
    this.baseRate = rateInstrPerNs;
  }
}

/** Compiles only while every public field of VmInstance is in VmState or VM_NOT_SAVED. */
export type VmAllSaved = AllSaved<Unsaved<VmInstance, VmState, keyof typeof VM_NOT_SAVED>>;
