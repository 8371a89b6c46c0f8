// The simulated cluster: hosts, networks and the event queue shared by its VMs (each a LogicalVm), advanced by one deterministic event loop.

import { Machine } from '../machine/machine';
import type { Program } from '../machine/program';
import type { StopReason } from '../machine/types';
import type { Scenario, FaultSpec } from './scenario';
import type { SimEvent } from './events';
import { EventQueue } from './sim/event-queue';
import { Prng } from './sim/prng';
import { Trace, TraceEvent } from './sim/trace';
import { Network } from './world/network';
import { VmInstance } from './protocol/vm';
import type { CheckResult } from './checkers';
import { replayUpTo } from './protocol/replay-driver';
import { startSecondary } from './protocol/respawn';
import { dispatch } from './dispatch';
import { assert } from './sim/assert';
import type { SecondaryExecutor } from './protocol/shadow-machine';
import { LogicalVm } from './logical-vm';
import { vmScenarios } from './cluster-spec';
import { primaryHost } from './cluster-placement';
import { scheduleHaCheck } from './protocol/vm-fate';
import { ClusterCheckers } from './cluster-checkers';
import { startDrs } from './drs';
import { copyDrsMemory, type DrsMemory } from './drs-demand';

export { NS_PER_MS, NS_PER_US } from './sim/units';
export { NS_PER_TICK } from './logical-vm';
import { NS_PER_MS, NS_PER_US } from './sim/units';
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
/** The trace kinds the reports-agree checker compares with the summary. */
const REPORTED_KINDS: ReadonlySet<TraceEvent['kind']> = new Set(['goLive', 'detect', 'respawnStart', 'respawnDone', 'haRestart']);
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

/** The cluster's own fields in a checkpoint: plain data, deep-copied (its parts — queue, trace, PRNGs, network, VMs — save their own). */
export type ClusterWorldState = Pick<Cluster, 'nextVmId' | 'drs'> & { quantumEndNs: number | null };

export class Cluster {
  observer: ClusterObserver | null = null;
  readonly queue = new EventQueue<SimEvent>(EVENT_QUEUE_CAPACITY);
  readonly trace = new Trace(TRACE_CAPACITY);
  readonly prng: Prng;
  readonly hosts = new Map<string, HostRec>();
  readonly network: Network;
  /** The cluster's VMs, in the scenario's order: the first is the one a single-VM scenario describes. */
  readonly members: LogicalVm[] = [];
  /** Every VM instance of every VM, in the order they were made (the order they execute in a quantum). */
  readonly vms: VmInstance[] = [];
  nowNs = 0;
  nextVmId = 1;
  /** What DRS measured and recommended at its last look (null: no DRS, as in a single-VM cluster or with DRS off). */
  drs: DrsMemory | null = null;
  /** Instruction stops requested by a debugger: VM id → instret to stop at. */
  readonly stepTargets = new Map<number, number>();
  private stopRequested = false;
  /** End of the quantum in progress when a debugger stop interrupted it; null at a quantum boundary. */
  private quantumEndNs: number | null = null;
  /** The VM whose machine is executing right now (null while events are processed). */
  private advancing: VmInstance | null = null;
  /** Faults injected while running (debugger, FT actions by hand), with the exact time they took effect. */
  readonly injected: { atNs: number; fault: FaultSpec }[] = [];
  /** reportedEventsOf's grouping, for the trace as it was (its length and last event: going back in time replaces events). */
  private reported: { length: number; last: TraceEvent | undefined; byVm: Map<string | undefined, TraceEvent[]> } | null = null;
  /** The checkers that look across VMs (null: a single VM, whose own checkers say it all). */
  readonly clusterCheckers: ClusterCheckers | null;

  /** Where secondaries execute when not on this thread (`lockstep run --parallel-secondary`); null: here. */
  readonly secondaryExecutor: SecondaryExecutor | null;

  /** Where new machines get their RAM: zeroed buffers kept from finished runs (a campaign), or none. */
  private readonly ramSource: RamSource | null;

  /**
   * `program` runs in the scenario's VM (its single-VM form); a scenario with `vms` takes each VM's
   * program from `programs`, by the path the scenario gives.
   */
  constructor(
    readonly scenario: Scenario,
    readonly program: Program,
    opts: { secondaryExecutor?: SecondaryExecutor; ramSource?: RamSource; programs?: ReadonlyMap<string, Program> } = {},
  ) {
    this.secondaryExecutor = opts.secondaryExecutor ?? null;
    this.ramSource = opts.ramSource ?? null;
    this.prng = new Prng(scenario.seed, 'world');
    for (const h of scenario.hosts) {
      const jitter = 1 + h.jitter * (2 * this.prng.next() - 1);
      this.hosts.set(h.name, { name: h.name, mips: h.mips, family: h.family, speed: h.mips * jitter, up: true, slowFactor: 1 });
    }
    const nics = new Map(scenario.hosts.flatMap((h) => (h.loggingNicMbps === null ? [] : [[h.name, h.loggingNicMbps] as const])));
    this.network = new Network([...this.hosts.keys()], scenario.network, new Prng(scenario.seed, 'network'), nics);
    for (const { scenario: s, label } of vmScenarios(scenario)) {
      const prog = label === null ? program : opts.programs?.get(s.program);
      if (prog === undefined) throw new Error(`no program loaded for VM ${label} (${s.program})`);
      this.members.push(new LogicalVm(this, this.members.length, s, prog, label));
    }
    this.clusterCheckers = this.members.length > 1 ? new ClusterCheckers(this) : null;
    this.boot();
  }

  /** The first VM: the only one of a single-VM scenario, and the one the debugger shows until it can choose. */
  get main(): LogicalVm {
    return this.members[0];
  }

  private boot(): void {
    for (const m of this.members) this.powerOn(m);
    this.scenario.faults.forEach((fault, index) => this.queue.push(fault.atMs * NS_PER_MS, { t: 'fault', fault, index }));
    if (this.clusterCheckers !== null && this.scenario.cluster.drs !== 'off') this.drs = startDrs(this);
    for (const m of this.members) {
      for (const c of m.clients.list) this.queue.push(m.scenario.workload.startMs * NS_PER_MS, { t: 'clientSend', of: m.index, client: c.id });
    }
    this.noteState();
  }

  /**
   * Powers a VM on where placement puts it (the host its scenario asks for if the rules allow it), then
   * starts its first secondary. A VM no host can take waits: HA looks again every failure timeout.
   */
  private powerOn(m: LogicalVm): void {
    const place = primaryHost(m, m.scenario.placement.primary || null, true);
    if (place.host === null) {
      m.waiting = `waiting for resources: ${place.reason}`;
      m.addTrace({ kind: 'state', text: `${m.name} not powered on: ${place.reason}` });
      scheduleHaCheck(m);
      return;
    }
    const p = m.createVm('primary', place.host, 'running');
    this.clusterCheckers?.placed(m.name, 'primary', p.host);
    p.machine.load(m.program);
    m.identityVm = p.id;
    m.addTrace({ kind: 'state', vm: p.id, host: p.host, text: `VM powered on as primary on ${p.host}` });
    if (m.ftEnabled) startSecondary(m, p, m.scenario.placement.secondary || null, true);
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

  /** A blank machine (RAM contents are the same whether the buffer is new or kept: all zeros). */
  newMachine(ramMiB: number, diskSectors: number): Machine {
    const env = { read: () => 0, output: () => undefined };
    const ramSize = ramMiB * 1024 * 1024;
    return new Machine({ env, ramSize, diskSectors, zeroedRam: this.ramSource?.take(ramSize) });
  }

  /** A VM object with a blank machine, for restoring a checkpoint taken after this VM was born (no events). */
  vmShell(id: number, host: string, epoch: number, owner: number): VmInstance {
    const m = this.members[owner];
    const vm = new VmInstance(id, 'secondary', host, epoch, 0, m.newMachine(), this.nowNs, 'halted', owner, m.label);
    this.observer?.vmCreated(vm);
    return vm;
  }

  /** Takes a new instance of one of its VMs into the loop (it executes after every older one). */
  adopt(vm: VmInstance): void {
    this.vms.push(vm);
    this.members[vm.owner].vms.push(vm);
    this.observer?.vmCreated(vm);
  }

  /** The VM an instance belongs to. */
  ownerOf(vm: VmInstance): LogicalVm {
    return this.members[vm.owner];
  }

  /** Instance `id`: ids count up from 1 in the order instances are made, so it sits at `id - 1` (checked). */
  vm(id: number | null): VmInstance | undefined {
    if (id === null) return undefined;
    const v = this.vms[id - 1];
    if (v !== undefined && v.id === id) return v;
    for (let i = 0; i < this.vms.length; i++) if (this.vms[i].id === id) return this.vms[i];
    return undefined;
  }

  /** Effective guest instructions per ns of a VM (host speed, slow-host fault, lag throttling). */
  rate(vm: VmInstance): number {
    const h = this.hosts.get(vm.host)!;
    return (h.speed * h.slowFactor * vm.throttle) / 1000;
  }

  /** Re-bases a VM's execution credit at `tNs` with its current rate (see VmInstance.baseNs). */
  rebase(vm: VmInstance, tNs: number): void {
    vm.rebase(tNs, this.rate(vm));
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
    const storageNs = this.scenario.storage.latencyUs * NS_PER_US;
    return Math.max(1, Math.min(QUANTUM_NS_MAX, this.network.minLatencyNs, storageNs));
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
    for (const m of this.members) {
      m.clients.discardCut();
      m.checkers.discardCut();
    }
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
  stopIfRunning(vm: VmInstance): void {
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

  /**
   * Runs the primary up to its credit at the end of the quantum. An event its own execution schedules
   * inside the quantum cuts the quantum there and stops the CPU after that instruction; the primary
   * then goes on to its credit at the new end, so the events at that instant see it where its credit
   * puts it, whether or not a slice also ended there.
   */
  private advancePrimary(vm: VmInstance, tNs: number): ClusterStop | null {
    const m = this.ownerOf(vm);
    for (let pass = 0; pass < PRIMARY_PASSES_MAX; pass++) {
      if (!vm.stalled && m.logBufferFull(vm)) {
        m.stats.stalls++;
        vm.stalled = true;
      } else if (vm.stalled && !m.logBufferFull(vm)) {
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
    return replayUpTo(this.ownerOf(vm), vm, Math.max(vm.guest.instret, vm.creditAt(tNs)));
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
        this.ownerOf(vm).addTrace({ kind: 'exit', vm: vm.id, host: vm.host, text: `${vm.name} powered off with code ${vm.guest.exitCode}` }, this.stoppedAt(vm));
        return null;
      case 'fatal':
        vm.status = 'fatal';
        this.ownerOf(vm).addTrace({ kind: 'exit', vm: vm.id, host: vm.host, text: `${vm.name} stopped: ${vm.guest.fatal?.message ?? 'fatal trap'}` }, this.stoppedAt(vm));
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

  /**
   * Called every quantum: each VM traces a change of its FT state and its truth checkers sample it; so do
   * the cluster's. A cluster's VM that was never fault tolerant traces no FT state and is never shown
   * Protected: its checkers need only their scans, so it is noted only when one is due.
   */
  noteState(): void {
    const now = this.nowNs;
    for (const m of this.members) if (!m.neverFt || now >= m.checkers.nextScanNs) m.noteState();
    this.clusterCheckers?.sample();
  }

  saveWorld(): ClusterWorldState {
    return { nextVmId: this.nextVmId, drs: this.drs === null ? null : copyDrsMemory(this.drs), quantumEndNs: this.quantumEndNs };
  }

  /** Takes back saved world state. */
  restoreWorld(s: ClusterWorldState): void {
    this.nextVmId = s.nextVmId;
    this.drs = s.drs === null ? null : copyDrsMemory(s.drs);
    this.quantumEndNs = s.quantumEndNs;
  }

  /**
   * The trace's events of the kinds the reports-agree checker compares (go-live, detection, respawn, HA
   * restart) that concern VM `label` (null: the only VM), grouped in one pass for every VM.
   */
  reportedEventsOf(label: string | null): TraceEvent[] {
    const n = this.trace.events.length;
    const last = this.trace.events[n - 1];
    if (this.reported === null || this.reported.length !== n || this.reported.last !== last) {
      const byVm = new Map<string | undefined, TraceEvent[]>();
      for (const e of this.trace.events) {
        if (!REPORTED_KINDS.has(e.kind)) continue;
        const list = byVm.get(e.of);
        if (list === undefined) byVm.set(e.of, [e]);
        else list.push(e);
      }
      this.reported = { length: n, last, byVm };
    }
    return this.reported.byVm.get(label ?? undefined) ?? [];
  }

  /**
   * Ends the run: every VM's final checks. In a cluster of several VMs each checker's verdict covers
   * every VM (failing if it failed for one, naming which), followed by the cluster's own checkers.
   */
  finish(): CheckResult[] {
    const perVm = this.members.map((m) => m.finish());
    if (this.clusterCheckers === null) return perVm[0];
    const merged = perVm[0].map((r, i) => {
      const failed = this.members.flatMap((m, j) => (perVm[j][i].ok ? [] : [`${m.name}: ${perVm[j][i].detail}`]));
      return failed.length === 0 ? { ...r, detail: `${r.detail} (all ${this.members.length} VMs)` } : { name: r.name, ok: false, detail: failed.join('; ') };
    });
    return [...merged, ...this.clusterCheckers.results()];
  }
}
