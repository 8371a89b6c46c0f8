// One VM of the cluster as its users see it: its instances (a primary and, under FT, a secondary), its disk, its clients, its FT protocol state and its checkers.
//
// The protocol code (src/ft/protocol, dispatch, faults) works on one LogicalVm: what it asks of the
// world (time, hosts, networks, the event queue, the trace) the LogicalVm passes on to its Cluster.

import type { Machine } from '../machine/machine';
import { ProgramFitError, type Program } from '../machine/program';
import type { GuestOutput, InputEvent, ReadKind } from '../machine/types';
import type { Scenario, LoggedKind, FaultSpec, RestartPriority } from './scenario';
import type { SimEvent, DiskReq } from './events';
import type { Cluster, HostRec } from './cluster';
import { Prng } from './sim/prng';
import type { TraceEvent } from './sim/trace';
import { SECTOR_BYTES, SharedStorage } from './world/storage';
import { Clients } from './world/clients';
import { VmInstance } from './protocol/vm';
import type { NewLogEntry } from './protocol/log';
import { emptyLogBytesByKind } from './protocol/log-kinds';
import { RecordEnv, ReplayEnv, EnvHost } from './protocol/envs';
import { Checkers, CheckResult } from './checkers';
import * as outputs from './protocol/outputs';
import { ftState, notProtectedReason, FtState } from './ft-state';
import { ShadowMachine, ParallelFallback, shadowOf } from './protocol/shadow-machine';
import { NS_PER_MS, NS_PER_US } from './sim/units';

/** Guest timebase: 10 MHz (QEMU virt), so one tick is 100 ns. */
export const NS_PER_TICK = 100;
/** Superseded timer deadlines a VM may leave in the queue before they are swept out. */
const STALE_TIMERS_MAX = 64;

/** A logical VM's own fields in a checkpoint: plain data, deep-copied (its storage, clients and checkers save their own). */
export type LogicalVmState = Pick<LogicalVm,
  | 'epoch' | 'pairGeneration' | 'identityVm' | 'ftEnabled' | 'ftSuspended' | 'consoleText' | 'lastState' | 'stats'
  | 'armedFaults' | 'armedRespawnFaults' | 'storageWaiting' | 'haCheckDueNs' | 'pairLinksDown' | 'pairLinksDegraded' | 'waiting'
>;

export class LogicalVm implements EnvHost {
  /** Its instances, in the order they were made (the cluster's `vms` holds every VM's). */
  readonly vms: VmInstance[] = [];
  readonly storage: SharedStorage;
  readonly clients: Clients;
  readonly checkers: Checkers;
  readonly entropyPrng: Prng;
  epoch = 1;
  pairGeneration = 1;
  /** The instance that owns the VM's network identity (receives client packets). */
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
  /** Faults waiting for the worst moment: the next output release, the next respawn. */
  armedFaults: FaultSpec[] = [];
  armedRespawnFaults: FaultSpec[] = [];
  /** Disk requests from hosts that lost their storage path (all paths down): retried on restore. */
  storageWaiting: { vm: number; req: DiskReq }[] = [];
  /** When HA's next look at this VM is due (null: none is). */
  haCheckDueNs: number | null = null;
  /** Logging links cut by a loggingLinkDown that named no host (the pair's link then): loggingLinkUp restores these. */
  pairLinksDown: [string, string][] = [];
  /** Logging links changed by a linkDegrade that named no host: every later one changes them too. */
  pairLinksDegraded: [string, string][] = [];
  /** Why placement last found no host for it ("Need Secondary VM: …", "waiting for resources: …"); null: it did. */
  waiting: string | null = null;

  /**
   * `scenario` is this VM's view of the cluster's scenario: its own program, RAM, placement, workload
   * and FT switch, with the cluster's hosts, networks, timings and what-ifs. `label` names it in the
   * trace of a cluster of several VMs (null: the only VM, named nowhere).
   */
  constructor(readonly cluster: Cluster, readonly index: number, readonly scenario: Scenario, readonly program: Program, readonly label: string | null) {
    const stream = (name: string) => new Prng(scenario.seed, label === null ? name : `${name}/${label}`);
    this.entropyPrng = stream('entropy');
    this.storage = new SharedStorage(scenario.storage.diskSectors, scenario.storage.latencyUs * NS_PER_US, diskImageFitting(program, scenario));
    this.clients = new Clients(scenario.workload, stream('clients'));
    this.checkers = new Checkers(this);
    this.ftEnabled = scenario.ft.enabled;
  }

  /** HA's restart priority (a single-VM scenario's VM: medium). */
  get restartPriority(): RestartPriority {
    return this.cluster.scenario.vms?.[this.index].restartPriority ?? 'medium';
  }

  /** Its virtual CPUs (counted against the per-host FT vCPU limit; a single-VM scenario's VM: 1). */
  get vcpus(): number {
    return this.cluster.scenario.vms?.[this.index].vcpus ?? 1;
  }

  /** A VM of a cluster whose scenario never turns FT on for it (it traces no FT state). */
  get neverFt(): boolean {
    return this.label !== null && !this.scenario.ft.enabled;
  }

  /** The VM's name ("the VM" when it is the only one). */
  get name(): string {
    return this.label ?? 'the VM';
  }

  // ---- the world, as the protocol code asks for it -------------------------------------------------

  get nowNs(): number { return this.cluster.nowNs; }
  get hosts(): Map<string, HostRec> { return this.cluster.hosts; }
  get network(): Cluster['network'] { return this.cluster.network; }
  get queue(): Cluster['queue'] { return this.cluster.queue; }

  schedule(timeNs: number, ev: SimEvent, prio = 1): void { this.cluster.schedule(timeNs, ev, prio); }
  instantNs(vm: VmInstance, instret: number): number { return this.cluster.instantNs(vm, instret); }
  rebase(vm: VmInstance, tNs: number): void { this.cluster.rebase(vm, tNs); }
  rate(vm: VmInstance): number { return this.cluster.rate(vm); }
  vm(id: number | null): VmInstance | undefined { return this.cluster.vm(id); }
  stopIfRunning(vm: VmInstance): void { this.cluster.stopIfRunning(vm); }

  /** Appends to the cluster's trace, naming this VM when the cluster has several. */
  addTrace(ev: Omit<TraceEvent, 'timeNs'>, atNs = this.cluster.nowNs): void {
    this.cluster.addTrace(this.label === null ? ev : { ...ev, of: this.label }, atNs);
  }

  // ---- instances -----------------------------------------------------------------------------------

  /** A blank machine of this VM's size (also for a secondary that goes live after running elsewhere). */
  newMachine(): Machine {
    return this.cluster.newMachine(this.scenario.ramMiB, this.scenario.storage.diskSectors);
  }

  createVm(role: 'primary' | 'secondary', host: string, status: VmInstance['status']): VmInstance {
    const executor = role === 'secondary' ? this.cluster.secondaryExecutor : null;
    // A shadowed secondary's guest runs elsewhere: no RAM here.
    const guest = executor !== null ? (v: VmInstance) => new ShadowMachine(executor, v, () => this.newMachine()) : this.newMachine();
    const vm = new VmInstance(this.cluster.nextVmId++, role, host, this.epoch, this.pairGeneration, guest, this.nowNs, status, this.index, this.label);
    vm.guest.setEnvironment(role === 'primary' ? new RecordEnv(vm, this) : new ReplayEnv(vm, this));
    this.rebase(vm, this.nowNs);
    this.cluster.adopt(vm);
    this.schedule(this.nowNs + this.scenario.ft.heartbeatIntervalMs * NS_PER_MS, { t: 'tick', vm: vm.id });
    if (role === 'primary') this.scheduleFlush(vm, this.nowNs + this.flushIntervalNs);
    return vm;
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

  primaryOutput(vm: VmInstance, out: GuestOutput, instret: number, seq: number): void {
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

  /**
   * Logs an input and delivers it to the primary at its current instruction count, in that order: a device may
   * answer an input with an output at once (virtio-blk starts its next request when one completes), and the
   * secondary, which delivers the input first, must find that output after it in the log.
   */
  deliverToPrimary(vm: VmInstance, ev: InputEvent): void {
    const instret = vm.guest.instret;
    if (vm.idle) this.rebase(vm, this.nowNs);
    vm.idle = false;
    this.log(vm, { instret, k: 'input', ev });
    vm.guest.deliver(ev);
  }

  /** True when the primary's log buffer is full: it must wait for the secondary. */
  logBufferFull(vm: VmInstance): boolean {
    return vm.sender.full(this.scenario.ft.logBufferKiB * 1024);
  }

  // ---- bookkeeping -------------------------------------------------------------------------------

  /** Called every quantum: traces a change of the FT state (allocates only when the state changed); the truth checkers sample it. */
  noteState(): void {
    const last = this.lastState;
    if (last === null || notProtectedReason(this) !== last.reason) {
      const st = ftState(this);
      // A cluster's VMs that were never fault tolerant have no FT state worth a line (they are "Disabled" throughout).
      if (!this.neverFt) this.addTrace({ kind: 'state', text: st.label, data: { protected: st.protected } });
      this.lastState = st;
    }
    this.checkers.sample(this.lastState!);
  }

  saveState(): LogicalVmState {
    return structuredClone({
      epoch: this.epoch, pairGeneration: this.pairGeneration, identityVm: this.identityVm, ftEnabled: this.ftEnabled,
      ftSuspended: this.ftSuspended, consoleText: this.consoleText, lastState: this.lastState, stats: this.stats,
      armedFaults: this.armedFaults, armedRespawnFaults: this.armedRespawnFaults, storageWaiting: this.storageWaiting,
      haCheckDueNs: this.haCheckDueNs, pairLinksDown: this.pairLinksDown, pairLinksDegraded: this.pairLinksDegraded,
      waiting: this.waiting,
    });
  }

  /** Takes back saved state (copied again: it can be restored again). */
  restoreState(s: LogicalVmState): void {
    Object.assign(this, structuredClone(s)); // every field of LogicalVmState is a public field
  }

  /** Ends the run: final checks. */
  finish(): CheckResult[] {
    return this.checkers.finish();
  }

  /** Output `seq` was released: the observer hears of it, and faults armed for "right after an output" fire now (the VM stops at this instruction). */
  onRelease(vm: VmInstance, seq: number, atNs: number): void {
    this.cluster.observer?.released?.(vm, seq, atNs);
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

/** LogicalVm fields a checkpoint does not keep in LogicalVmState, and why. */
export const LOGICAL_VM_NOT_SAVED = {
  cluster: 'its owner', index: 'identity', scenario: 'configuration', program: 'configuration', label: 'identity',
  vms: 'the cluster restores the instances', storage: 'saves itself', clients: 'saves itself', checkers: 'saves itself',
  entropyPrng: 'saves itself', name: 'getter', nowNs: 'getter', hosts: 'getter', network: 'getter', queue: 'getter',
  primary: 'getter', secondary: 'getter', flushIntervalNs: 'getter', idleMarkIntervalNs: 'getter', restartPriority: 'getter', neverFt: 'getter', vcpus: 'getter',
} as const;

/** The disk image the program carries, once it is known to fit the scenario's disk (a ProgramFitError says how big to make it). */
function diskImageFitting(program: Program, scenario: Scenario): Uint8Array | undefined {
  const image = program.diskImage;
  if (image === undefined) return undefined;
  const sectors = image.length / SECTOR_BYTES;
  if (sectors > scenario.storage.diskSectors) {
    throw new ProgramFitError(`${program.origin}: its disk image has ${sectors} sectors, more than the scenario's disk (storage.diskSectors: ${scenario.storage.diskSectors})`);
  }
  return image;
}
