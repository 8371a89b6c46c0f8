// The invariant checkers run on every cluster run; each has a name and explains itself in one line when it fails.

import { CutTail } from './sim/cut-tail';
import { SavedSlots, type SavedCopy } from '../machine/saved-slots';
import type { LogicalVm } from './logical-vm';
import { NS_PER_MS } from './cluster';
import type { DiskReq } from './events';
import type { FaultSpec } from './scenario';
import type { HeldOutput, VmInstance } from './protocol/vm';
import type { OutputOrigin } from './world/clients';
import { bytesDigest } from './protocol/log';
import { SECTOR_BYTES } from './world/storage';
import { TruthCheckers, TruthState } from './truth-checkers';
import { ftState, type FtState } from './ft-state';
import type { AllSaved, Unsaved } from './sim/saved';
import type { ClusterCheckerName } from './cluster-checkers';
import { firstStaleRead, kvHistory } from './world/kv-history';

export const CHECKERS = {
  'no-divergence': 'the secondary computed exactly what the primary logged',
  'no-split-brain': 'never two VMs releasing outputs for the one protected VM',
  'outputs-from-one-execution': 'every output that left belongs to the one logical execution (none invented by an execution that was then lost)',
  'no-acked-write-lost': 'every disk write acknowledged to the guest is still on the disk',
  'reads-see-acked-writes': 'every value a client read was written by some client and not yet overwritten by an acknowledged write; no acknowledged write is missing',
  'failover-bound': 'after the primary is lost a VM is live again within the failover bound (plus any time shared storage was out of reach)',
  'respawn': 'Not Protected while a host is free: Protected again within the respawn bound',
  'protection-truth': 'Protected is shown only while a running, paired secondary is reachable over the logging network',
  'lag-bound': 'while Protected, the secondary lags within the lag bound (transients under 100 ms aside)',
  'no-zombies': 'a VM that lost its peer or the arbitration halts (or waits for storage to arbitrate) within the failover bound',
  'reports-agree': 'the failovers, respawns and HA restarts reported are the ones in the trace',
} as const;

export type CheckerName = keyof typeof CHECKERS;

/** A checker's verdict: a VM's own checker, or (in a cluster of several VMs) one of the cluster's. */
export interface CheckResult { name: CheckerName | ClusterCheckerName; ok: boolean; detail: string }

export interface FailoverRecord {
  failedAtNs: number;
  detectedAtNs: number | null;
  liveAtNs: number;
  fromHost: string | null;
  toHost: string;
  instret: number;
}

interface PendingFailure { atNs: number; host: string; vm: number }
interface SectorMark { digest: string; atNs: number }
/** The last write to a sector, and whether the VM that owned the protected VM's identity made it. */
type WriteMark = SectorMark & { identity: boolean };

/** Faults that can cut a pair apart, and how many of their times are kept. */
const CUTTING_FAULTS: readonly FaultSpec['kind'][] = ['hostCrash', 'partition', 'loggingLinkDown', 'linkDegrade', 'testFailover'];
const CUT_FAULTS_KEPT = 16;

/** What the checkers remember, for checkpoints. Records are never changed once stored: lists and maps are copied, not their items. */
export interface CheckersState {
  failures: Map<CheckerName, string>;
  failovers: FailoverRecord[];
  respawns: number;
  haRestarts: number;
  pending: PendingFailure | null;
  cutoff: Map<number, number>;
  maxReleased: Map<number, number>;
  /** The outputs clients saw only grow: a checkpoint keeps how many there were. */
  seenByClients: number;
  /** Per disk sector, as saved (shared by the checkpoints between two disk writes). */
  acked: SavedCopy<SectorMark | undefined>;
  lastWrite: SavedCopy<WriteMark | undefined>;
  cutFaultsNs: number[];
  truth: TruthState;
}

/** Checkers fields a checkpoint does not keep, and why. */
export const CHECKERS_NOT_SAVED = {
  c: 'the cluster checked', onViolation: 'a watcher, not state', ok: 'getter', nextScanNs: 'getter',
  seenCut: 'what going back cut off seenByClients: it outlives restores on purpose, so a restore ahead gets it back (CutTail)',
} as const;

/** The trace keeps its first events only: past this many, the report is not compared with it. */
const TRACE_CHECK_EVENTS_MAX = 200_000;

export class Checkers {
  private failures = new Map<CheckerName, string>();
  failovers: FailoverRecord[] = [];
  respawns = 0;
  haRestarts = 0;
  private pending: PendingFailure | null = null;
  private cutoff = new Map<number, number>();
  private maxReleased = new Map<number, number>();
  private readonly seenByClients: OutputOrigin[] = [];
  /** Outputs seen cut off by going back (see CutTail). */
  private readonly seenCut = new CutTail(this.seenByClients);
  /** Per disk sector: copied for a checkpoint only after a write (SavedSlots). */
  private readonly acked: SavedSlots<SectorMark | undefined>;
  private readonly lastWrite: SavedSlots<WriteMark | undefined>;
  /** When the latest faults that can cut a pair were applied (a failover without a crash is dated by one). */
  private cutFaultsNs: number[] = [];
  private readonly truth: TruthCheckers;

  constructor(private readonly c: LogicalVm) {
    this.truth = new TruthCheckers(c, (name, detail, atNs) => this.fail(name, detail, atNs));
    this.acked = SavedSlots.filled<SectorMark | undefined>(c.storage.capacitySectors, undefined);
    this.lastWrite = SavedSlots.filled<WriteMark | undefined>(c.storage.capacitySectors, undefined);
  }

  /** Everything the checkers remember, for cluster checkpoints. */
  getState(): CheckersState {
    return {
      failures: new Map(this.failures), failovers: this.failovers.slice(), respawns: this.respawns, haRestarts: this.haRestarts,
      pending: this.pending === null ? null : { ...this.pending }, cutoff: new Map(this.cutoff), maxReleased: new Map(this.maxReleased),
      seenByClients: this.seenByClients.length, acked: this.acked.save(), lastWrite: this.lastWrite.save(),
      cutFaultsNs: this.cutFaultsNs.slice(), truth: this.truth.getState(),
    };
  }

  /** Takes back a saved state (copied again: it can be restored again). */
  setState(st: CheckersState): void {
    this.failures = new Map(st.failures);
    this.failovers = st.failovers.slice();
    this.respawns = st.respawns;
    this.haRestarts = st.haRestarts;
    this.pending = st.pending === null ? null : { ...st.pending };
    this.cutoff = new Map(st.cutoff);
    this.maxReleased = new Map(st.maxReleased);
    this.seenCut.setLength(st.seenByClients);
    this.acked.restore(st.acked);
    this.lastWrite.restore(st.lastWrite);
    this.cutFaultsNs = st.cutFaultsNs.slice();
    this.truth.setState(st.truth);
  }

  /** The first failure of each checker (the debugger's "checker failure" filter listens here). */
  onViolation: ((name: CheckerName, detail: string) => void) | null = null;

  /** Records a checker's first failure, traced at `atNs` (the instant of the instruction, when a VM caused it). */
  fail(name: CheckerName, detail: string, atNs = this.c.nowNs): void {
    if (this.failures.has(name)) return;
    this.failures.set(name, detail);
    this.c.addTrace({ kind: 'violation', text: `${name}: ${detail}`, data: { checker: name } }, atNs);
    this.onViolation?.(name, detail);
  }

  divergence(vm: VmInstance, why: string, atNs: number): void {
    this.fail('no-divergence', `${vm.name}: ${why}`, atNs);
  }

  released(vm: VmInstance, h: HeldOutput, atNs: number): void {
    if (this.c.identityVm !== vm.id) {
      this.fail('no-split-brain', `${vm.name} released an output at ${(atNs / NS_PER_MS).toFixed(3)} ms while VM ${this.c.identityVm} is the live primary`, atNs);
    }
    const cut = this.cutoff.get(vm.id);
    if (cut !== undefined && h.instret > cut) this.inventedOutput(vm.id, h.instret, cut, atNs);
    this.maxReleased.set(vm.id, Math.max(this.maxReleased.get(vm.id) ?? 0, h.instret));
  }

  private inventedOutput(vm: number, instret: number, cut: number, atNs: number): void {
    this.fail('outputs-from-one-execution', `VM ${vm} released an output at instruction ${instret}, but the execution that survived took over at instruction ${cut}: that output was invented by a lost execution`, atNs);
  }

  /** History branches here: outputs seen that were cut off by going back are no longer this run's future. */
  discardCut(): void {
    this.seenCut.discard();
  }

  clientSaw(origin: OutputOrigin): void {
    if (this.seenByClients.length < 1_000_000) {
      this.seenByClients.push(origin);
      this.seenCut.appended();
    }
  }

  faultApplied(f: FaultSpec, host: string | undefined): void {
    if (CUTTING_FAULTS.includes(f.kind)) {
      if (this.cutFaultsNs.length >= CUT_FAULTS_KEPT) this.cutFaultsNs.shift();
      this.cutFaultsNs.push(this.c.nowNs);
    }
    const p = this.c.primary;
    const hitsPrimary = (f.kind === 'hostCrash' && host === p?.host) || (f.kind === 'testFailover' && this.c.secondary?.status === 'running');
    if (hitsPrimary && p !== undefined) this.pending = { atNs: this.c.nowNs, host: p.host, vm: p.id };
  }

  /**
   * A secondary went live. The failure is dated by the crash of the primary if there was one; otherwise
   * (a partition, a lost link) by the last fault before the secondary last heard from its primary went
   * silent, or by that last contact.
   */
  wentLive(s: VmInstance, old: VmInstance | undefined): void {
    const now = this.c.nowNs;
    if (old !== undefined) {
      this.cutoff.set(old.id, s.guest.instret);
      const max = this.maxReleased.get(old.id);
      if (max !== undefined && max > s.guest.instret) this.inventedOutput(old.id, max, s.guest.instret, this.c.nowNs);
    }
    if (this.pending !== null && this.pending.vm !== old?.id) this.pending = null; // a crash of another primary
    // The earlier of the primary's crash and the silence the secondary declared: a pair cut apart before its primary crashed failed when it was cut.
    const failedAtNs = Math.min(this.pending?.atNs ?? Number.POSITIVE_INFINITY, s.suspectedAtNs === null ? now : this.silentSinceNs(s));
    this.failovers.push({
      failedAtNs, detectedAtNs: s.suspectedAtNs, liveAtNs: now,
      fromHost: old?.host ?? this.pending?.host ?? null, toHost: s.host, instret: s.guest.instret,
    });
    const boundNs = this.c.scenario.ft.failoverBoundMs * NS_PER_MS;
    const tookNs = now - failedAtNs - s.storageWaitNs;
    if (tookNs > boundNs) {
      const waited = s.storageWaitNs > 0 ? ` besides ${(s.storageWaitNs / NS_PER_MS).toFixed(1)} ms waiting for shared storage` : '';
      this.fail('failover-bound', `failover took ${(tookNs / NS_PER_MS).toFixed(1)} ms${waited} (bound ${this.c.scenario.ft.failoverBoundMs} ms)`);
    }
    this.pending = null;
  }

  /** When the pair of `s` went silent: the first fault that could cut it since about its last contact with the primary, or that contact. */
  private silentSinceNs(s: VmInstance): number {
    const heardNs = s.suspectedAtNs === null ? this.c.nowNs : s.silentSinceNs;
    const hbNs = this.c.scenario.ft.heartbeatIntervalMs * NS_PER_MS;
    return this.cutFaultsNs.find((t) => t >= heardNs - hbNs && t <= this.c.nowNs) ?? heardNs;
  }

  haRestarted(_p: VmInstance): void {
    this.haRestarts++;
    this.pending = null;
  }

  respawned(): void {
    this.respawns++;
  }

  storageWritten(req: DiskReq, vm: VmInstance | undefined): void {
    const identity = vm !== undefined && this.c.identityVm === vm.id;
    forSectors(req, (sector, data) => this.lastWrite.set(sector, { digest: bytesDigest(data), atNs: this.c.nowNs, identity }));
  }

  writeAcknowledged(_vm: VmInstance, req: DiskReq): void {
    forSectors(req, (sector, data) => this.acked.set(sector, { digest: bytesDigest(data), atNs: this.c.nowNs }));
  }

  /** At the end of every quantum, with the state the tool shows. */
  sample(shown: FtState): void {
    this.truth.sample(shown);
  }

  /** When the truth checkers next look at more than the Protected state (their scans). */
  get nextScanNs(): number {
    return this.truth.nextScanNs;
  }

  /** Simulated time until which the run must go on for every bound to be decided. */
  openUntilNs(): number {
    return this.truth.openUntilNs();
  }

  /** End-of-run checks; returns every checker's verdict. */
  finish(): CheckResult[] {
    this.checkClientOutputs();
    this.checkDisk();
    const stale = firstStaleRead(kvHistory(this.c.clients.list));
    if (stale !== null) this.fail('reads-see-acked-writes', stale);
    this.truth.finish(ftState(this.c));
    this.checkReports();
    return this.results();
  }

  results(): CheckResult[] {
    return (Object.keys(CHECKERS) as CheckerName[]).map((name) => ({
      name, ok: !this.failures.has(name), detail: this.failures.get(name) ?? CHECKERS[name],
    }));
  }

  get ok(): boolean {
    return this.failures.size === 0;
  }

  private checkClientOutputs(): void {
    for (const o of this.seenByClients) {
      const cut = this.cutoff.get(o.vm);
      if (cut !== undefined && o.instret > cut) {
        this.fail('outputs-from-one-execution', `a client received a reply that VM ${o.vm} produced at instruction ${o.instret}; the surviving execution took over at ${cut} and never produced it`);
        return;
      }
    }
  }

  private checkDisk(): void {
    for (let sector = 0; sector < this.acked.length; sector++) {
      const mark = this.acked.get(sector);
      if (mark === undefined) continue;
      const now = bytesDigest(this.c.storage.read(sector, 1));
      const later = this.lastWrite.get(sector);
      const overwritten = later !== undefined && later.atNs >= mark.atNs && later.identity;
      if (now !== mark.digest && !overwritten) {
        this.fail('no-acked-write-lost', `sector ${sector} no longer holds the data whose write was acknowledged at ${(mark.atNs / NS_PER_MS).toFixed(3)} ms`);
        return;
      }
    }
  }

  /** The summary's failovers, respawns and HA restarts are the trace's (checked while the trace kept every event). */
  private checkReports(): void {
    if (this.c.cluster.trace.events.length >= TRACE_CHECK_EVENTS_MAX) return;
    const trace = this.c.cluster.reportedEventsOf(this.c.label);
    const count = (kind: string, f: (e: (typeof trace)[number]) => boolean = () => true) => trace.filter((e) => e.kind === kind && f(e)).length;
    const wrong: string[] = [];
    const lives = trace.filter((e) => e.kind === 'goLive');
    if (lives.length !== this.failovers.length) wrong.push(`${this.failovers.length} failovers reported, ${lives.length} go-lives traced`);
    const copied = new Set(trace.filter((e) => e.kind === 'respawnStart').map((e) => e.vm)); // the initial secondary is not copied
    const respawns = count('respawnDone', (e) => copied.has(e.vm));
    if (respawns !== this.respawns) wrong.push(`${this.respawns} respawns reported, ${respawns} traced`);
    const restarts = count('haRestart');
    if (restarts !== this.haRestarts) wrong.push(`${this.haRestarts} HA restarts reported, ${restarts} traced`);
    this.failovers.forEach((f, i) => {
      const live = lives[i];
      if (live !== undefined && live.timeNs !== f.liveAtNs) wrong.push(`failover ${i + 1} reported live at ${f.liveAtNs} ns, traced at ${live.timeNs} ns`);
      const detect = live === undefined ? undefined : trace.find((e) => e.kind === 'detect' && e.vm === live.vm && e.timeNs <= live.timeNs);
      if ((detect?.timeNs ?? null) !== f.detectedAtNs) wrong.push(`failover ${i + 1} reported detected at ${f.detectedAtNs ?? 'never'}, traced at ${detect?.timeNs ?? 'never'}`);
      if (!(f.failedAtNs <= (f.detectedAtNs ?? f.liveAtNs) && (f.detectedAtNs ?? f.liveAtNs) <= f.liveAtNs)) wrong.push(`failover ${i + 1}: failed ${f.failedAtNs}, detected ${f.detectedAtNs}, live ${f.liveAtNs} ns are out of order`);
    });
    if (wrong.length > 0) this.fail('reports-agree', wrong.slice(0, 3).join('; '));
  }
}

/** Copies one checker field for a checkpoint; `seenByClients` only grows, so its length is enough. */
function forSectors(req: DiskReq, f: (sector: number, data: Uint8Array) => void): void {
  if (req.data === undefined) return;
  for (let i = 0; i < req.count; i++) f(req.sector + i, req.data.subarray(i * SECTOR_BYTES, (i + 1) * SECTOR_BYTES));
}

/** Compiles only while every public field of Checkers is in CheckersState or CHECKERS_NOT_SAVED. */
export type CheckersAllSaved = AllSaved<Unsaved<Checkers, CheckersState, keyof typeof CHECKERS_NOT_SAVED>>;
