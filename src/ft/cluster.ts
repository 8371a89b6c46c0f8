// The simulated cluster: hosts, networks, storage, clients and the FT pair, advanced by one deterministic event loop.

import { Machine } from '../machine/machine';
import type { Program } from '../machine/program';
import type { InputEvent, ReadKind, StopReason } from '../machine/types';
import type { Scenario, LoggedKind, FaultSpec } from './scenario';
import type { SimEvent, DiskReq } from './events';
import { EventQueue } from './sim/event-queue';
import { Prng } from './sim/prng';
import { Trace, TraceEvent } from './sim/trace';
import { Network } from './world/network';
import { SharedStorage } from './world/storage';
import { Clients } from './world/clients';
import { VmInstance } from './protocol/vm';
import type { NewLogEntry } from './protocol/log';
import { emptyLogBytesByKind } from './protocol/log-kinds';
import { RecordEnv, ReplayEnv, EnvHost } from './protocol/envs';
import { Checkers, CheckResult } from './checkers';
import { replayUpTo } from './protocol/replay-driver';
import { startSecondary } from './protocol/respawn';
import * as outputs from './protocol/outputs';
import { dispatch } from './dispatch';
import { assert } from './sim/assert';
import { ftState, notProtectedReason, FtState } from './ft-state';
import { ShadowMachine, ParallelFallback, shadowOf, type SecondaryExecutor } from './protocol/shadow-machine';

export { NS_PER_MS, NS_PER_US } from './sim/units';
import { NS_PER_MS, NS_PER_US } from './sim/units';
/** Guest timebase: 10 MHz (QEMU virt), so one tick is 100 ns. */
export const NS_PER_TICK = 100;
const EVENT_QUEUE_CAPACITY = 1_000_000;
const TRACE_CAPACITY = 200_000;
/**
 * The longest quantum. A quantum is also never longer than the lowest latency of any link or of the
 * shared storage: then nothing a VM's execution sends (a packet, a disk request) can arrive inside the
 * quantum that sent it, so where quanta begin never changes a run (see quantumNsMax).
 */
const QUANTUM_NS_MAX = 50 * NS_PER_US;
/**
 * The longest quantum when only the first VM advanced can schedule events (one running primary, first in
 * the list): its own events cut the quantum before any other VM runs, so the quantum need not wait
 * for the lowest latency. Bounded so the truth checkers still look at least once per simulated ms.
 */
const QUANTUM_NS_LONG = 1000 * NS_PER_US;
/** Runs of the primary's CPU within one quantum (each further one follows a cut of the quantum). */
const PRIMARY_PASSES_MAX = 1_000_000;
/** Superseded timer deadlines a VM may leave in the queue before they are swept out. */
const STALE_TIMERS_MAX = 64;
/** `index` of the fault events of injected faults (scenario faults use their list index, armed ones -1). */
export const INJECTED = -2;

export interface HostRec { name: string; mips: number; family: string; speed: number; up: boolean; slowFactor: number }

/** Zeroed RAM buffers for new machines (RAM contents are the same either way: all zeros). */
export interface RamSource { take(bytes: number): Uint8Array | undefined }

/** Why `Cluster.run` returned. */
export interface ClusterStop {
  reason: 'time' | 'breakpoint' | 'watchpoint' | 'step' | 'idle' | 'requested';
  vm?: number;
}

/** Someone watching the cluster (the debug adapter): told of every new VM object and every trace event. */
export interface ClusterObserver {
  vmCreated(vm: VmInstance): void;
  traced(ev: TraceEvent): void;
  /** Output `seq` of `vm` left it at `atNs` (after the Output Rule). */
  released?(vm: VmInstance, seq: number, atNs: number): void;
}

/** The cluster's own fields in a checkpoint: plain data, deep-copied (its parts — queue, trace, PRNGs, network, storage, clients, checkers, VMs — save their own). */
export type ClusterWorldState = Pick<Cluster,
  | 'epoch' | 'pairGeneration' | 'nextVmId' | 'identityVm' | 'ftEnabled' | 'ftSuspended' | 'consoleText' | 'lastState' | 'stats'
  | 'armedFaults' | 'armedRespawnFaults' | 'storageWaiting' | 'haCheckDueNs' | 'pairLinksDown' | 'pairLinksDegraded'
> & { quantumEndNs: number | null };

export class Cluster implements EnvHost {
  observer: ClusterObserver | null = null;
  readonly queue = new EventQueue<SimEvent>(EVENT_QUEUE_CAPACITY);
  readonly trace = new Trace(TRACE_CAPACITY);
  readonly prng: Prng;
  readonly entropyPrng: Prng;
  readonly hosts = new Map<string, HostRec>();
  readonly network: Network;
  readonly storage: SharedStorage;
  readonly clients: Clients;
  readonly checkers: Checkers;
  readonly vms: VmInstance[] = [];
  nowNs = 0;
  epoch = 1;
  pairGeneration = 1;
  nextVmId = 1;
  /** The VM that owns the protected VM's network identity (receives client packets). */
  identityVm: number | null = null;
  ftEnabled: boolean;
  ftSuspended = false;
  consoleText = "";
  lastState: FtState | null = null;
  stats = {
    maxLagNs: 0, logBytes: 0, logEntries: 0, logMessages: 0, released: 0, duplicatedOutputs: 0, throttleEvents: 0, stalls: 0,
    /** The log's sent bytes (logBytes) by kind of entry, headers as `marks`. */
    logBytesByKind: emptyLogBytesByKind(),
  };
  /** Instruction stops requested by a debugger: VM id → instret to stop at. */
  readonly stepTargets = new Map<number, number>();
  private stopRequested = false;
  /** End of the quantum in progress when a debugger stop interrupted it; null at a quantum boundary. */
  private quantumEndNs: number | null = null;
  /** The VM whose machine is executing right now (null while events are processed). */
  private advancing: VmInstance | null = null;
  /** Faults injected while running (debugger, FT actions by hand), with the exact time they took effect. */
  readonly injected: { atNs: number; fault: FaultSpec }[] = [];
  /** Faults waiting for the worst moment: the next output release, the next respawn. */
  armedFaults: FaultSpec[] = [];
  armedRespawnFaults: FaultSpec[] = [];
  /** Disk requests from hosts that lost their storage path (all paths down): retried on restore. */
  storageWaiting: { vm: number; req: DiskReq }[] = [];
  /** When HA's next look at the cluster is due (null: none is). */
  haCheckDueNs: number | null = null;
  /** Logging links cut by a loggingLinkDown that named no host (the pair's link then): loggingLinkUp restores these. */
  pairLinksDown: [string, string][] = [];
  /** Logging links changed by a linkDegrade that named no host: every later one changes them too. */
  pairLinksDegraded: [string, string][] = [];

  /** Where secondaries execute when not on this thread (`lockstep run --parallel-secondary`); null: here. */
  readonly secondaryExecutor: SecondaryExecutor | null;

  /** Where new machines get their RAM: zeroed buffers kept from finished runs (a campaign), or none. */
  private readonly ramSource: RamSource | null;

  constructor(readonly scenario: Scenario, readonly program: Program, opts: { secondaryExecutor?: SecondaryExecutor; ramSource?: RamSource } = {}) {
    this.secondaryExecutor = opts.secondaryExecutor ?? null;
    this.ramSource = opts.ramSource ?? null;
    this.prng = new Prng(scenario.seed, 'world');
    this.entropyPrng = new Prng(scenario.seed, 'entropy');
    for (const h of scenario.hosts) {
      const jitter = 1 + h.jitter * (2 * this.prng.next() - 1);
      this.hosts.set(h.name, { name: h.name, mips: h.mips, family: h.family, speed: h.mips * jitter, up: true, slowFactor: 1 });
    }
    this.network = new Network([...this.hosts.keys()], scenario.network, new Prng(scenario.seed, 'network'));
    this.storage = new SharedStorage(scenario.storage.diskSectors, scenario.storage.latencyUs * NS_PER_US);
    this.clients = new Clients(scenario.workload, new Prng(scenario.seed, 'clients'));
    this.checkers = new Checkers(this);
    this.ftEnabled = scenario.ft.enabled;
    this.boot();
  }

  private boot(): void {
    const p = this.createVm('primary', this.scenario.placement.primary, 'running');
    p.machine.load(this.program);
    this.identityVm = p.id;
    this.addTrace({ kind: 'state', vm: p.id, host: p.host, text: `VM powered on as primary on ${p.host}` });
    if (this.ftEnabled) startSecondary(this, p, this.scenario.placement.secondary, true);
    this.scenario.faults.forEach((fault, index) => this.queue.push(fault.atMs * NS_PER_MS, { t: 'fault', fault, index }));
    for (const c of this.clients.list) this.queue.push(this.scenario.workload.startMs * NS_PER_MS, { t: 'clientSend', client: c.id });
    this.noteState();
  }

  /**
   * Queues an event. When a running VM's execution schedules one inside the quantum being executed,
   * the quantum is cut short there and that VM stops at the instruction that caused it: every event
   * handler then sees VMs exactly as they were at the event's time, however time was sliced.
   */
  schedule(timeNs: number, ev: SimEvent, prio = 1): void {
    if (this.cutQuantum(timeNs) && this.advancing !== null) this.stopIfRunning(this.advancing);
    this.queue.push(timeNs, ev, prio);
  }

  /** Ends the quantum being executed at `atNs` if that is earlier (never before it began). True if it was cut. */
  private cutQuantum(atNs: number): boolean {
    const end = this.quantumEndNs;
    if (this.advancing === null || end === null || !(atNs < end)) return false;
    this.quantumEndNs = Math.max(atNs, this.nowNs);
    return true;
  }

  /**
   * Sim time of `vm`'s instruction after `instret`, from its execution credit, never before the quantum
   * being executed began. It does not depend on where quanta begin, so neither does anything timed by it.
   */
  instantNs(vm: VmInstance, instret: number): number {
    return Math.max(this.nowNs, vm.timeAfter(instret));
  }

  // ---- VMs -------------------------------------------------------------------------------------

  /** A blank machine of the scenario's size (also for a secondary that goes live after running elsewhere). */
  newMachine(): Machine {
    const env = { read: () => 0, output: () => undefined };
    const ramSize = this.scenario.ramMiB * 1024 * 1024;
    return new Machine({ env, ramSize, diskSectors: this.scenario.storage.diskSectors, zeroedRam: this.ramSource?.take(ramSize) });
  }

  /** A VM object with a blank machine, for restoring a checkpoint taken after this VM was born (no events). */
  vmShell(id: number, host: string, epoch: number): VmInstance {
    const vm = new VmInstance(id, 'secondary', host, epoch, 0, this.newMachine(), this.nowNs, 'halted');
    this.observer?.vmCreated(vm);
    return vm;
  }

  createVm(role: 'primary' | 'secondary', host: string, status: VmInstance['status']): VmInstance {
    const executor = role === 'secondary' ? this.secondaryExecutor : null;
    // A shadowed secondary's guest runs elsewhere: no RAM here.
    const guest = executor !== null ? (v: VmInstance) => new ShadowMachine(executor, v, () => this.newMachine()) : this.newMachine();
    const vm = new VmInstance(this.nextVmId++, role, host, this.epoch, this.pairGeneration, guest, this.nowNs, status);
    vm.guest.setEnvironment(role === 'primary' ? new RecordEnv(vm, this) : new ReplayEnv(vm, this));
    this.rebase(vm, this.nowNs);
    this.vms.push(vm);
    this.observer?.vmCreated(vm);
    this.schedule(this.nowNs + this.scenario.ft.heartbeatIntervalMs * NS_PER_MS, { t: 'tick', vm: vm.id });
    if (role === 'primary') this.scheduleFlush(vm, this.nowNs + this.flushIntervalNs);
    return vm;
  }

  vm(id: number | null): VmInstance | undefined {
    if (id === null) return undefined;
    const vms = this.vms;
    for (let i = 0; i < vms.length; i++) if (vms[i].id === id) return vms[i];
    return undefined;
  }

  /** The live primary: the one holding the network identity (an old primary may linger until it loses arbitration). */
  get primary(): VmInstance | undefined {
    const id = this.vm(this.identityVm);
    return id !== undefined && id.alive && id.role === 'primary' ? id : this.vms.find((v) => v.role === 'primary' && v.alive);
  }

  /**
   * The live primary's own secondary: alive and paired with it both ways. A secondary left behind by
   * arbitration (its primary carried on alone, or it lost the test-and-set and is about to halt) is not it.
   */
  get secondary(): VmInstance | undefined {
    const p = this.primary;
    const s = p === undefined ? undefined : this.vm(p.peer);
    return s !== undefined && s.alive && s.role === 'secondary' && s.peer === p!.id ? s : undefined;
  }

  get flushIntervalNs(): number {
    return this.scenario.ft.flushIntervalUs * NS_PER_US;
  }

  get idleMarkIntervalNs(): number {
    return this.scenario.ft.idleMarkIntervalUs * NS_PER_US;
  }

  /** Makes `atNs` the primary's next periodic flush; the event of the one it replaces is ignored when it fires. */
  scheduleFlush(vm: VmInstance, atNs: number): void {
    vm.flushDueNs = atNs;
    this.schedule(atNs, { t: 'flush', vm: vm.id });
  }

  /** Effective guest instructions per ns of a VM (host speed, slow-host fault, lag throttling). */
  rate(vm: VmInstance): number {
    const h = this.hosts.get(vm.host)!;
    return (h.speed * h.slowFactor * vm.throttle) / 1000;
  }

  // ---- EnvHost: what the machine's environments ask of the world ---------------------------------

  sample(vm: VmInstance, kind: ReadKind, instret: number): number {
    const t = vm.timeAt(instret);
    switch (kind) {
      case 'time': return Math.floor(t / NS_PER_TICK);
      case 'cycle': return Math.floor((t * this.hosts.get(vm.host)!.mips) / 1000);
      case 'entropy': return this.entropyPrng.nextU32();
    }
  }

  log(vm: VmInstance, entry: NewLogEntry): number {
    const keep = vm.logging && !this.omitted(entry);
    const seq = vm.sender.append(entry, keep);
    if (!keep) return seq;
    // On a quiet log the next flush is a progress mark up to idleMarkIntervalUs away: an entry brings it
    // within flushIntervalUs of the instruction that logged it.
    // (dueNs ≥ nowNs + flushIntervalNs, so a flush due by then needs nothing: the common case, checked first.)
    if (vm.flushDueNs > this.nowNs + this.flushIntervalNs) {
      const dueNs = this.instantNs(vm, entry.instret) + this.flushIntervalNs;
      if (vm.flushDueNs > dueNs) this.scheduleFlush(vm, dueNs);
    }
    if (this.logBufferFull(vm)) this.stopIfRunning(vm);
    return seq;
  }

  private omitted(entry: NewLogEntry): boolean {
    const omit = this.scenario.whatIf.omitLogKinds;
    if (omit.length === 0) return false;
    const kind: string = entry.k === 'read' ? entry.kind : entry.k === 'input' ? entry.ev.kind : 'output';
    return omit.includes(kind as LoggedKind);
  }

  primaryOutput(vm: VmInstance, out: import('../machine/types').GuestOutput, instret: number, seq: number): void {
    outputs.onPrimaryOutput(this, vm, out, instret, seq);
  }

  timerArmed(vm: VmInstance, mtimecmp: number, instret: number): void {
    vm.armedTimer = mtimecmp;
    vm.timerPending = false;
    vm.timerGen++;
    // Re-arming leaves the old deadline in the queue (it fires as a no-op); sweep them out now and then.
    if (++vm.staleTimers > STALE_TIMERS_MAX) {
      vm.staleTimers = 0;
      this.queue.removeWhere((ev) => ev.t === 'timer' && ev.vm === vm.id && ev.gen !== vm.timerGen);
    }
    this.schedule(Math.max(this.instantNs(vm, instret), mtimecmp * NS_PER_TICK), { t: 'timer', vm: vm.id, gen: vm.timerGen });
  }

  diverged(vm: VmInstance, instret: number, pc: number, why: string): void {
    if (vm.divergence !== null) return;
    if (shadowOf(vm.guest) !== null) throw new ParallelFallback(`divergence: ${why}`);
    vm.divergence = why;
    const atNs = this.instantNs(vm, instret);
    this.addTrace({ kind: 'divergence', vm: vm.id, host: vm.host, text: why, data: { instret, pc } }, atNs);
    this.checkers.divergence(vm, why, atNs);
    this.stopIfRunning(vm);
  }

  /** Delivers an input to the primary at its current instruction count and logs it. */
  deliverToPrimary(vm: VmInstance, ev: InputEvent): void {
    const instret = vm.guest.instret;
    vm.guest.deliver(ev);
    if (vm.idle) this.rebase(vm, this.nowNs);
    vm.idle = false;
    this.log(vm, { instret, k: 'input', ev });
  }

  // ---- the loop ----------------------------------------------------------------------------------

  /** Runs until `untilNs` (simulated) or a debugger stop. Resumable: calling again continues exactly. */
  run(untilNs: number): ClusterStop {
    if (!(untilNs >= this.nowNs)) throw new Error(`cannot run backwards to ${untilNs} (now ${this.nowNs})`);
    this.stopRequested = false;
    for (let guard = 0; guard < 1e9; guard++) {
      this.quantumEndNs ??= Math.min(this.queue.peekTime(), this.nowNs + this.quantumNsMax(), untilNs);
      assert(this.quantumEndNs >= this.nowNs, 'a quantum ends no earlier than it begins: time never goes back');
      const stop = this.advanceVms();
      if (stop !== null) return stop;
      const tNext = this.quantumEndNs;
      this.quantumEndNs = null;
      this.nowNs = tNext;
      this.processEventsUpTo(tNext);
      this.noteState();
      if (this.stopRequested) return { reason: 'requested' };
      if (this.nowNs >= untilNs) return { reason: 'time' };
    }
    throw new Error('cluster loop bound exceeded');
  }

  /** The longest the next quantum may be (at least 1 ns: latencies are at least 1 µs). */
  private quantumNsMax(): number {
    if (this.onlyFirstSchedules()) return QUANTUM_NS_LONG;
    return Math.max(1, Math.min(QUANTUM_NS_MAX, this.network.minLatencyNs, this.storage.latencyNs));
  }

  /** True when the first running VM is the only running primary (only a primary's execution schedules events). */
  private onlyFirstSchedules(): boolean {
    let first = true;
    for (const vm of this.vms) {
      if (vm.status !== 'running') continue;
      if (vm.role === 'primary' && !first) return false;
      first = false;
    }
    return true;
  }

  /**
   * Injects a fault or FT action now. It takes effect at the end of the quantum in progress (or 1 ns
   * from now at a boundary), before any other event at that instant, so a replay that schedules it
   * at the recorded time reproduces the run exactly.
   */
  inject(fault: FaultSpec): number {
    const atNs = this.quantumEndNs ?? this.nowNs + 1;
    this.scheduleInjected(atNs, fault);
    return atNs;
  }

  /**
   * History branches at the present (a what-if, a debugger's write): what the histories kept by length
   * had beyond it is no longer this run's future, and injected faults not yet taken effect go.
   */
  discardFuture(): void {
    this.trace.discardCut();
    this.clients.discardCut();
    this.checkers.discardCut();
    this.dropPendingInjections();
  }

  /** Forgets injected faults that have not taken effect yet (a what-if replaces the future they belonged to). */
  dropPendingInjections(): void {
    this.queue.removeWhere((ev) => ev.t === 'fault' && ev.index === INJECTED);
    const kept = this.injected.filter((i) => i.atNs <= this.nowNs && i.atNs !== this.quantumEndNs);
    this.injected.splice(0, this.injected.length, ...kept);
  }

  /** Schedules an injected fault at an exact time (replaying a recording). */
  scheduleInjected(atNs: number, fault: FaultSpec): void {
    if (!(atNs > this.nowNs || (atNs === this.quantumEndNs))) throw new Error(`cannot inject a fault in the past (${atNs} ns, now ${this.nowNs} ns)`);
    this.injected.push({ atNs, fault: { ...fault } });
    this.queue.push(atNs, { t: 'fault', fault: { ...fault, atMs: atNs / NS_PER_MS }, index: INJECTED }, 0);
  }

  /**
   * Makes `run` return at the end of the current quantum (the debugger's pause, an exception stop).
   * The CPUs are not interrupted: cutting a VM's slice short would change the run being observed.
   */
  requestStop(): void {
    this.stopRequested = true;
  }

  /** Stops `vm` after the current instruction if it is executing right now (never leaves a stale stop flag behind). */
  private stopIfRunning(vm: VmInstance): void {
    if (this.advancing === vm) vm.guest.cpu.requestStop();
  }

  private processEventsUpTo(tNs: number): void {
    for (let n = 0; this.queue.peekTime() <= tNs; n++) {
      if (n > 1_000_000) throw new Error('more than a million events at one instant: a runaway schedule');
      const item = this.queue.pop()!;
      dispatch(this, item.ev);
    }
  }

  /** Brings every running VM's execution up to the end of the quantum (which a VM may cut short). */
  private advanceVms(): ClusterStop | null {
    for (const vm of this.vms) {
      if (vm.status !== 'running' || this.quantumEndNs! <= vm.lastNs) continue;
      this.advancing = vm;
      const stop = vm.role === 'primary' ? this.advancePrimary(vm, this.quantumEndNs!) : this.advanceSecondary(vm, this.quantumEndNs!);
      this.advancing = null;
      if (stop !== null) return stop;
      vm.lastNs = Math.max(vm.lastNs, this.quantumEndNs!);
    }
    return null;
  }

  /** Re-bases a VM's execution credit at `tNs` with its current rate (see VmInstance.baseNs). */
  rebase(vm: VmInstance, tNs: number): void {
    vm.rebase(tNs, this.rate(vm));
  }

  /** True when the primary's log buffer is full: it must wait for the secondary. */
  logBufferFull(vm: VmInstance): boolean {
    return vm.sender.full(this.scenario.ft.logBufferKiB * 1024);
  }

  /**
   * Runs the primary up to its credit at the end of the quantum. An event its own execution schedules
   * inside the quantum cuts the quantum there and stops the CPU after that instruction; the primary
   * then goes on to its credit at the new end, so the events at that instant see it where its credit
   * puts it, whether or not a slice also ended there.
   */
  private advancePrimary(vm: VmInstance, tNs: number): ClusterStop | null {
    for (let pass = 0; pass < PRIMARY_PASSES_MAX; pass++) {
      if (!vm.stalled && this.logBufferFull(vm)) {
        this.stats.stalls++;
        vm.stalled = true;
      } else if (vm.stalled && !this.logBufferFull(vm)) {
        vm.stalled = false; // space was freed by an event at lastNs: resume from there, no banked credit
        this.rebase(vm, vm.lastNs);
      }
      if (vm.stalled || vm.idle || vm.status !== 'running' || vm.divergence !== null) return null;
      const target = vm.creditAt(Math.min(tNs, this.quantumEndNs ?? tNs));
      if (target <= vm.guest.instret) return null;
      const stop = this.runMachine(vm, target);
      if (stop !== null) return stop;
    }
    throw new Error(`primary VM ${vm.id}: more than ${PRIMARY_PASSES_MAX} cuts in one quantum`);
  }

  private advanceSecondary(vm: VmInstance, tNs: number): ClusterStop | null {
    return replayUpTo(this, vm, Math.max(vm.guest.instret, vm.creditAt(tNs)));
  }

  /** Runs one VM's machine to `target`, honouring debugger step targets. Handles non-debug stops itself. */
  runMachine(vm: VmInstance, target: number): ClusterStop | null {
    const stepAt = this.stepTargets.get(vm.id);
    const limit = stepAt !== undefined && stepAt < target ? stepAt : target;
    const before = vm.guest.instret;
    const reason = vm.guest.run(limit);
    assert(vm.guest.instret <= Math.max(limit, before), 'a slice never runs past its limit');
    if (stepAt !== undefined && vm.guest.instret >= stepAt) {
      this.stepTargets.delete(vm.id);
      return { reason: 'step', vm: vm.id };
    }
    return this.onMachineStop(vm, reason);
  }

  private onMachineStop(vm: VmInstance, reason: StopReason): ClusterStop | null {
    switch (reason) {
      case 'limit':
      case 'requested':
        return null;
      case 'wfi':
        vm.idle = true;
        return null;
      case 'breakpoint':
      case 'watchpoint':
        return { reason, vm: vm.id };
      case 'exit':
        vm.status = 'exited';
        this.addTrace({ kind: 'exit', vm: vm.id, host: vm.host, text: `${vm.name} powered off with code ${vm.guest.exitCode}` }, this.stoppedAt(vm));
        return null;
      case 'fatal':
        vm.status = 'fatal';
        this.addTrace({ kind: 'exit', vm: vm.id, host: vm.host, text: `${vm.name} stopped: ${vm.guest.fatal?.message ?? 'fatal trap'}` }, this.stoppedAt(vm));
        return null;
    }
  }

  /**
   * A VM stopped by its own guest (power-off, fatal trap) at its last instruction: the quantum ends there,
   * so the FT state it changes is noted at that instant however time was sliced. Returns the instant.
   */
  private stoppedAt(vm: VmInstance): number {
    const atNs = this.instantNs(vm, vm.guest.instret - 1);
    this.cutQuantum(atNs);
    return atNs;
  }

  // ---- bookkeeping -------------------------------------------------------------------------------

  /** Appends to the trace, stamped now or, for what a VM did inside a quantum, at that instruction's instant. */
  addTrace(ev: Omit<TraceEvent, 'timeNs'>, atNs = this.nowNs): void {
    const full = { timeNs: atNs, ...ev };
    this.trace.add(full);
    this.observer?.traced(full);
  }

  /** Called every quantum: traces a change of the FT state (allocates only when the state changed); the truth checkers sample it. */
  noteState(): void {
    const last = this.lastState;
    if (last === null || notProtectedReason(this) !== last.reason) {
      const st = ftState(this);
      this.addTrace({ kind: 'state', text: st.label, data: { protected: st.protected } });
      this.lastState = st;
    }
    this.checkers.sample(this.lastState!);
  }

  saveWorld(): ClusterWorldState {
    return structuredClone({
      epoch: this.epoch, pairGeneration: this.pairGeneration, nextVmId: this.nextVmId, identityVm: this.identityVm,
      ftEnabled: this.ftEnabled, ftSuspended: this.ftSuspended, consoleText: this.consoleText, lastState: this.lastState,
      stats: this.stats, armedFaults: this.armedFaults, armedRespawnFaults: this.armedRespawnFaults,
      storageWaiting: this.storageWaiting, haCheckDueNs: this.haCheckDueNs, pairLinksDown: this.pairLinksDown,
      pairLinksDegraded: this.pairLinksDegraded, quantumEndNs: this.quantumEndNs,
    });
  }

  /** Takes back saved world state (copied again: it can be restored again). */
  restoreWorld(s: ClusterWorldState): void {
    const { quantumEndNs, ...world } = structuredClone(s);
    Object.assign(this, world); // every other field of ClusterWorldState is a public field of the cluster
    this.quantumEndNs = quantumEndNs;
  }

  /** Ends the run: final checks. */
  finish(): CheckResult[] {
    return this.checkers.finish();
  }

  /** Output `seq` was released: the observer hears of it, and faults armed for "right after an output" fire now (the VM stops at this instruction). */
  onRelease(vm: VmInstance, seq: number, atNs: number): void {
    this.observer?.released?.(vm, seq, atNs);
    if (this.armedFaults.length === 0) return;
    for (const f of this.armedFaults.splice(0)) this.schedule(atNs, { t: 'fault', fault: f, index: -1 });
    this.stopIfRunning(vm);
  }

  /** A respawn started: faults armed for "during respawn" fire now. */
  onRespawnStart(): void {
    for (const f of this.armedRespawnFaults.splice(0)) this.schedule(this.nowNs, { t: 'fault', fault: f, index: -1 });
  }

  /** Submits a disk request from a primary to shared storage (waits while the host has no storage path). */
  submitDisk(vm: VmInstance, req: DiskReq, atNs = this.nowNs): void {
    if (!this.storage.reachable(vm.host)) {
      this.storageWaiting.push({ vm: vm.id, req }); // all paths down: retried when the path returns
      return;
    }
    this.schedule(Math.max(this.nowNs, atNs) + this.storage.latencyNs, { t: 'storageDone', vm: vm.id, req });
  }
}
