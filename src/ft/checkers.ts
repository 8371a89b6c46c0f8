// The invariant checkers run on every cluster run; each has a name and explains itself in one line when it fails.

import type { Cluster } from './cluster';
import { NS_PER_MS } from './cluster';
import type { DiskReq } from './events';
import type { FaultSpec } from './scenario';
import type { FtState } from './ft-state';
import type { HeldOutput, VmInstance } from './protocol/vm';
import type { OutputOrigin } from './world/clients';
import { bytesDigest } from './protocol/log';
import { SECTOR_BYTES } from './world/storage';
import { eligibleHosts } from './protocol/respawn';
import { copyOneLevel } from './sim/copy';

export const CHECKERS = {
  'no-divergence': 'the secondary computed exactly what the primary logged',
  'no-split-brain': 'never two VMs releasing outputs for the one protected VM',
  'outputs-from-one-execution': 'every output that left belongs to the one logical execution (none invented by an execution that was then lost)',
  'no-acked-write-lost': 'every disk write acknowledged to the guest is still on the disk',
  'failover-bound': 'failover completes within its bound while a healthy host remains',
  'respawn': 'a new secondary appears when a host is free',
} as const;

export type CheckerName = keyof typeof CHECKERS;

export interface CheckResult { name: CheckerName; ok: boolean; detail: string }

export interface FailoverRecord {
  failedAtNs: number;
  detectedAtNs: number | null;
  liveAtNs: number;
  fromHost: string | null;
  toHost: string;
  instret: number;
}

interface PendingFailure { atNs: number; host: string; detectedAtNs: number | null; secondaryRunning: boolean }
interface SectorMark { digest: string; atNs: number }

export class Checkers {
  private failures = new Map<CheckerName, string>();
  failovers: FailoverRecord[] = [];
  respawns = 0;
  haRestarts = 0;
  private pending: PendingFailure | null = null;
  private cutoff = new Map<number, number>();
  private maxReleased = new Map<number, number>();
  private readonly seenByClients: OutputOrigin[] = [];
  /** Per disk sector (arrays, not maps: checkpoints copy them cheaply). */
  private acked: (SectorMark | undefined)[];
  private lastWrite: ((SectorMark & { identity: boolean }) | undefined)[];
  private unprotectedSinceNs: number | null = null;
  private unprotectedReason: string | null = null;

  constructor(private readonly c: Cluster) {
    this.acked = new Array<SectorMark | undefined>(c.storage.capacitySectors).fill(undefined);
    this.lastWrite = new Array<(SectorMark & { identity: boolean }) | undefined>(c.storage.capacitySectors).fill(undefined);
  }

  /** Plain-data copy of everything the checkers remember, for cluster checkpoints. */
  getState(): Record<string, unknown> {
    const { c: _c, onViolation: _v, ...rest } = this as unknown as Record<string, unknown>;
    return Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, shallowCopy(k, v)]));
  }

  setState(st: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(st)) {
      if (k === 'seenByClients') this.seenByClients.length = v as number;
      else (this as unknown as Record<string, unknown>)[k] = shallowCopy(k, v);
    }
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

  clientSaw(origin: OutputOrigin): void {
    if (this.seenByClients.length < 1_000_000) this.seenByClients.push(origin);
  }

  faultApplied(f: FaultSpec, host: string | undefined): void {
    const p = this.c.primary;
    const hitsPrimary = (f.kind === 'hostCrash' && host === p?.host) || f.kind === 'testFailover';
    if (hitsPrimary && p !== undefined && this.pending === null) {
      this.pending = { atNs: this.c.nowNs, host: p.host, detectedAtNs: null, secondaryRunning: this.c.secondary?.status === 'running' };
    }
  }

  detected(vm: VmInstance): void {
    if (this.pending !== null && vm.role === 'secondary' && this.pending.detectedAtNs === null) this.pending.detectedAtNs = this.c.nowNs;
  }


  wentLive(s: VmInstance, old: VmInstance | undefined): void {
    const now = this.c.nowNs;
    if (old !== undefined) {
      this.cutoff.set(old.id, s.machine.instret);
      const max = this.maxReleased.get(old.id);
      if (max !== undefined && max > s.machine.instret) this.inventedOutput(old.id, max, s.machine.instret, this.c.nowNs);
    }
    const failedAtNs = this.pending?.atNs ?? now;
    this.failovers.push({
      failedAtNs, detectedAtNs: this.pending?.detectedAtNs ?? null, liveAtNs: now,
      fromHost: old?.host ?? this.pending?.host ?? null, toHost: s.host, instret: s.machine.instret,
    });
    const boundNs = this.c.scenario.ft.failoverBoundMs * NS_PER_MS;
    if (now - failedAtNs > boundNs) {
      this.fail('failover-bound', `failover took ${((now - failedAtNs) / NS_PER_MS).toFixed(1)} ms (bound ${this.c.scenario.ft.failoverBoundMs} ms)`);
    }
    this.pending = null;
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
    forSectors(req, (sector, data) => (this.lastWrite[sector] = { digest: bytesDigest(data), atNs: this.c.nowNs, identity }));
  }

  writeAcknowledged(_vm: VmInstance, req: DiskReq): void {
    forSectors(req, (sector, data) => (this.acked[sector] = { digest: bytesDigest(data), atNs: this.c.nowNs }));
  }

  stateChanged(st: FtState): void {
    if (st.protected || st.reason === 'disabled' || st.reason === 'vmNotRunning') {
      this.unprotectedSinceNs = null;
      this.unprotectedReason = null;
      return;
    }
    if (this.unprotectedSinceNs === null) this.unprotectedSinceNs = this.c.nowNs;
    this.unprotectedReason = st.reason;
  }

  /** End-of-run checks; returns every checker's verdict. */
  finish(): CheckResult[] {
    this.checkClientOutputs();
    this.checkDisk();
    this.checkPendingFailover();
    this.checkRespawn();
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
      const mark = this.acked[sector];
      if (mark === undefined) continue;
      const now = bytesDigest(this.c.storage.read(sector, 1));
      const later = this.lastWrite[sector];
      const overwritten = later !== undefined && later.atNs >= mark.atNs && later.identity;
      if (now !== mark.digest && !overwritten) {
        this.fail('no-acked-write-lost', `sector ${sector} no longer holds the data whose write was acknowledged at ${(mark.atNs / NS_PER_MS).toFixed(3)} ms`);
        return;
      }
    }
  }

  private checkPendingFailover(): void {
    const p = this.pending;
    if (p === null || !p.secondaryRunning) return;
    const waitedNs = this.c.nowNs - p.atNs;
    if (waitedNs > this.c.scenario.ft.failoverBoundMs * NS_PER_MS && this.c.vms.some((v) => v.alive)) {
      this.fail('failover-bound', `the primary on ${p.host} failed at ${(p.atNs / NS_PER_MS).toFixed(1)} ms and no VM went live in ${(waitedNs / NS_PER_MS).toFixed(1)} ms`);
    }
  }

  private checkRespawn(): void {
    if (this.unprotectedSinceNs === null || this.unprotectedReason !== 'needSecondary') return;
    const p = this.c.primary;
    if (p === undefined || p.status !== 'running') return;
    const sinceNs = this.c.nowNs - this.unprotectedSinceNs;
    if (sinceNs > this.c.scenario.ft.respawnBoundMs * NS_PER_MS && eligibleHosts(this.c, p).length > 0) {
      this.fail('respawn', `Not Protected for ${(sinceNs / NS_PER_MS).toFixed(1)} ms while a host was free for a new secondary`);
    }
  }
}

/** Copies one checker field for a checkpoint; `seenByClients` only grows, so its length is enough. */
function shallowCopy(key: string, v: unknown): unknown {
  if (key === 'seenByClients') return Array.isArray(v) ? v.length : v;
  return copyOneLevel(v);
}

function forSectors(req: DiskReq, f: (sector: number, data: Uint8Array) => void): void {
  if (req.data === undefined) return;
  for (let i = 0; i < req.count; i++) f(req.sector + i, req.data.subarray(i * SECTOR_BYTES, (i + 1) * SECTOR_BYTES));
}
