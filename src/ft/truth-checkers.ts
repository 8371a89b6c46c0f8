// Checkers that ask whether what the tool shows is true: Protected, the lag, liveness after a loss, no zombies.
//
// Each works from the cluster's raw facts (VMs, hosts, links, storage paths), written apart from the
// protocol code whose claims it checks, so a protocol bug cannot hide behind its own definition.

import type { LogicalVm } from './logical-vm';
import { NS_PER_MS } from './cluster';
import type { FtState } from './ft-state';
import type { VmInstance } from './protocol/vm';
import type { CheckerName } from './checkers';
import { hostUp } from './protocol/vm-fate';
import { lagOf } from './protocol/lag';
import { primaryHost } from './cluster-placement';

/** How often the liveness and zombie checks look at the cluster (simulated time). */
const SCAN_INTERVAL_NS = 1_000_000; // 1 ms
/** How long a lag over its bound may last (the controller's reaction to a sudden slow host or link). */
const LAG_TRANSIENT_NS = 100_000_000; // 100 ms

type Fail = (name: CheckerName, detail: string, atNs?: number) => void;

/** What the truth checkers remember (plain data: checkpoints copy it). */
export interface TruthState {
  lagOverSinceNs: number | null;
  nextScanNs: number;
  /** VM id → since when it has been alive without a place in the pair. */
  orphanSinceNs: Map<number, number>;
  /** Since when the VM has been Not Protected while a host was free for a new secondary. */
  freeSinceNs: number | null;
  /** Since when no live primary has run, and how much of that time no candidate could reach shared storage. */
  lostSinceNs: number | null;
  blockedNs: number;
  /** When the last scan ran (scans come at the first quantum end a scan interval after the last one). */
  lastScanNs: number;
}

export class TruthCheckers {
  private st: TruthState = { lagOverSinceNs: null, nextScanNs: 0, orphanSinceNs: new Map(), freeSinceNs: null, lostSinceNs: null, blockedNs: 0, lastScanNs: 0 };

  constructor(private readonly c: LogicalVm, private readonly fail: Fail) {}

  getState(): TruthState {
    return { ...this.st, orphanSinceNs: new Map(this.st.orphanSinceNs) };
  }

  setState(st: TruthState): void {
    this.st = { ...st, orphanSinceNs: new Map(st.orphanSinceNs) };
  }

  /** When the next scan (zombies, failover, respawn) is due. */
  get nextScanNs(): number {
    return this.st.nextScanNs;
  }

  /** At the end of every quantum, with the state the tool shows. */
  sample(shown: FtState): void {
    if (shown.protected) this.checkProtected();
    else this.st.lagOverSinceNs = null;
    if (this.c.nowNs < this.st.nextScanNs) return;
    this.st.nextScanNs = this.c.nowNs + SCAN_INTERVAL_NS;
    const sinceScanNs = this.c.nowNs - this.st.lastScanNs;
    this.st.lastScanNs = this.c.nowNs;
    this.scanZombies();
    this.scanFailover(sinceScanNs);
    this.scanRespawn(shown);
  }

  /** End of the run: nothing more to sample. */
  finish(shown: FtState): void {
    this.st.nextScanNs = 0;
    this.sample(shown);
  }

  /** Shown Protected: a running, paired, reachable secondary exists and its lag is within the bound. */
  private checkProtected(): void {
    const c = this.c;
    const p = c.vm(c.identityVm);
    const s = p === undefined ? undefined : c.vm(p.peer);
    const why = whyNotProtected(c, p, s);
    if (why !== null) {
      this.fail('protection-truth', `shown Protected at ${(c.nowNs / NS_PER_MS).toFixed(3)} ms, but ${why}`);
      return;
    }
    this.checkLag(p!, s!);
  }

  private checkLag(p: VmInstance, s: VmInstance): void {
    const c = this.c;
    const lagNs = lagOf(c, p, s);
    const link = c.network.linkState('logging', p.host, s.host);
    const slackNs = c.scenario.ft.idleMarkIntervalUs * 1000 + (link?.latencyUs ?? 0) * 1000;
    const boundNs = c.scenario.ft.lagBoundMs * NS_PER_MS;
    if (lagNs <= boundNs + slackNs) {
      this.st.lagOverSinceNs = null;
      return;
    }
    this.st.lagOverSinceNs ??= c.nowNs;
    if (c.nowNs - this.st.lagOverSinceNs > LAG_TRANSIENT_NS) {
      this.fail('lag-bound', `Protected, but the secondary has lagged more than ${c.scenario.ft.lagBoundMs} ms (plus ${(slackNs / NS_PER_MS).toFixed(2)} ms for marks and latency) since ${(this.st.lagOverSinceNs / NS_PER_MS).toFixed(1)} ms: ${(lagNs / NS_PER_MS).toFixed(1)} ms now`);
    }
  }

  /** A VM alive without a place in the pair must halt (or wait for storage to arbitrate) within the failover bound. */
  private scanZombies(): void {
    const c = this.c;
    const boundNs = c.scenario.ft.failoverBoundMs * NS_PER_MS;
    const live = livePrimary(c);
    const holder = c.vm(c.identityVm);
    // The identity holder's own secondary is placed while its primary is on the logging channel: running,
    // or powered off by its guest (the secondary then replays to the same end, however far behind).
    const paired = holder !== undefined && holder.connected && holder.role === 'primary' ? holder : undefined;
    const orphans = this.st.orphanSinceNs;
    for (const v of c.vms) {
      const placed = v === live || (paired !== undefined && v.role === 'secondary' && v.peer === paired.id && paired.peer === v.id) || v.goLiveAtNs !== null;
      if (!v.alive || placed || v.storageWaitSinceNs !== null) {
        orphans.delete(v.id);
        continue;
      }
      const since = orphans.get(v.id) ?? c.nowNs;
      orphans.set(v.id, since);
      if (c.nowNs - since > boundNs) {
        this.fail('no-zombies', `${v.name} (VM ${v.id}) has run for ${((c.nowNs - since) / NS_PER_MS).toFixed(1)} ms without a peer or the network identity, neither halting nor waiting to arbitrate`);
      }
    }
  }

  /**
   * After the live primary is lost, a VM is live again within the failover bound plus the time nothing could reach storage.
   * `sinceScanNs`: the time since the last scan. Time without storage counts as it passed: scans
   * come at quantum ends, up to a quantum after the interval (1 ms quanta: up to 2 ms apart), so
   * counting one interval per scan let six seconds without storage add up to 200 ms "down".
   */
  private scanFailover(sinceScanNs: number): void {
    const c = this.c;
    const neverRestarted = c.restartPriority === 'disabled' && !c.vms.some((v) => v.alive); // HA leaves it down, as told
    if (livePrimary(c) !== undefined || neverRestarted || c.vms.some((v) => v.status === 'exited' || v.status === 'fatal')) {
      this.st.lostSinceNs = null;
      this.st.blockedNs = 0;
      return;
    }
    this.st.lostSinceNs ??= c.nowNs;
    if (storageBlocked(c)) this.st.blockedNs += Math.min(sinceScanNs, c.nowNs - this.st.lostSinceNs);
    const downNs = c.nowNs - this.st.lostSinceNs - this.st.blockedNs;
    if (downNs > c.scenario.ft.failoverBoundMs * NS_PER_MS) {
      this.fail('failover-bound', `no primary has run since ${(this.st.lostSinceNs / NS_PER_MS).toFixed(1)} ms: ${(downNs / NS_PER_MS).toFixed(1)} ms down while shared storage was reachable (bound ${c.scenario.ft.failoverBoundMs} ms)`);
    }
  }

  /** Not Protected while a host is free for a new secondary (and the primary can reach storage): Protected again within the respawn bound. */
  private scanRespawn(shown: FtState): void {
    const c = this.c;
    const p = livePrimary(c);
    // A primary whose host has no path to shared storage cannot end its old pair: the clock starts once it has.
    if (shown.protected || shown.reason === 'disabled' || p === undefined || !c.storage.reachable(p.host) || freeHost(c, p) === undefined) {
      this.st.freeSinceNs = null;
      return;
    }
    this.st.freeSinceNs ??= c.nowNs;
    const sinceNs = c.nowNs - this.st.freeSinceNs;
    if (sinceNs > c.scenario.ft.respawnBoundMs * NS_PER_MS) {
      this.fail('respawn', `Not Protected for ${(sinceNs / NS_PER_MS).toFixed(1)} ms while ${freeHost(c, p)} was free for a new secondary (bound ${c.scenario.ft.respawnBoundMs} ms)`);
    }
  }

  /** The time left before every open obligation is decided (a run ending sooner would leave a verdict open). */
  openUntilNs(): number {
    const c = this.c;
    let until = c.nowNs;
    const slack = SCAN_INTERVAL_NS * 3; // a scan comes up to a 1 ms quantum after its interval
    if (this.st.lostSinceNs !== null) until = Math.max(until, this.st.lostSinceNs + this.st.blockedNs + c.scenario.ft.failoverBoundMs * NS_PER_MS + slack);
    if (this.st.freeSinceNs !== null) until = Math.max(until, this.st.freeSinceNs + c.scenario.ft.respawnBoundMs * NS_PER_MS + slack);
    for (const since of this.st.orphanSinceNs.values()) until = Math.max(until, since + c.scenario.ft.failoverBoundMs * NS_PER_MS + slack);
    if (this.st.lagOverSinceNs !== null) until = Math.max(until, this.st.lagOverSinceNs + LAG_TRANSIENT_NS + slack);
    return until;
  }
}

/** The VM holding the network identity, if it runs as a primary. */
function livePrimary(c: LogicalVm): VmInstance | undefined {
  const p = c.vm(c.identityVm);
  return p !== undefined && p.status === 'running' && p.role === 'primary' ? p : undefined;
}

function loggingPath(c: LogicalVm, a: string, b: string): boolean {
  return c.network.canTalk('logging', a, b) && c.network.canTalk('logging', b, a);
}

/** Why a pair shown as Protected does not protect (null: it does). */
function whyNotProtected(c: LogicalVm, p: VmInstance | undefined, s: VmInstance | undefined): string | null {
  if (p === undefined || p.status !== 'running' || p.role !== 'primary') return 'no primary holding the network identity is running';
  if (!c.ftEnabled || c.ftSuspended) return 'Fault Tolerance is off or suspended';
  if (s === undefined) return `${p.name} has no secondary`;
  if (s.peer !== p.id) return `its secondary (VM ${s.id}) is paired with VM ${s.peer}`;
  if (s.status !== 'running' || s.role !== 'secondary') return `its secondary on ${s.host} is ${s.status === 'running' ? s.role : s.status}`;
  if (!hostUp(c, s.host)) return `the secondary's host ${s.host} is down`;
  if (!p.logging) return 'the primary does not send a log';
  if (!loggingPath(c, p.host, s.host)) return `no logging path between ${p.host} and ${s.host}`;
  if (s.divergence !== null) return 'the secondary diverged';
  if (s.suspecting || s.goLiveAtNs !== null) return 'the secondary has declared its primary failed';
  if (p.suspecting) return 'the primary has declared its secondary failed';
  return null;
}

/** A host where a new secondary for `p` could run now (up, free, same family, allowed, with storage and a logging path). */
function freeHost(c: LogicalVm, p: VmInstance): string | undefined {
  const family = c.hosts.get(p.host)?.family;
  const allowed = c.scenario.placement.allowedHosts;
  for (const h of c.hosts.values()) {
    if (!h.up || h.name === p.host || h.family !== family || (allowed !== null && !allowed.includes(h.name))) continue;
    if (!c.storage.reachable(h.name) || !loggingPath(c, p.host, h.name)) continue;
    if (c.label !== null && !hasRoom(c, h.name)) continue;
    if (c.vms.some((v) => v.alive && v.host === h.name)) continue;
    return h.name;
  }
  return undefined;
}

/** No candidate to run the VM can reach shared storage (the failover bound does not count such time). */
function storageBlocked(c: LogicalVm): boolean {
  const alive = c.vms.filter((v) => v.alive);
  if (alive.length > 0) return !alive.some((v) => hostUp(c, v.host) && c.storage.reachable(v.host));
  // No instance left: HA restarts it where placement finds room (for a single VM: any up host with a storage path the rule allows).
  return primaryHost(c, null, false).host === null;
}

/** In a cluster of several VMs: `host` may take one more FT instance of `c` (per-host FT limits, memory, VM-VM anti-affinity). */
function hasRoom(c: LogicalVm, host: string): boolean {
  const w = c.cluster;
  let ftVms = 0;
  let ftVcpus = 0;
  let ramMiB = 0;
  for (const v of w.vms) {
    if (!v.alive || (v.host !== host && v.migratingTo !== host)) continue; // a migration holds its destination too
    const o = w.ownerOf(v);
    ramMiB += o.scenario.ramMiB;
    if (o.ftEnabled) {
      ftVms++;
      ftVcpus += o.vcpus;
    }
  }
  const rules = w.scenario.cluster;
  const apart = new Set(rules.vmAntiAffinity.filter((g) => g.includes(c.label!)).flat());
  apart.delete(c.label!);
  if (w.vms.some((v) => v.alive && (v.host === host || v.migratingTo === host) && apart.has(w.ownerOf(v).label!))) return false; // VM-VM anti-affinity
  const capMiB = w.scenario.hosts.find((h) => h.name === host)!.ramMiB;
  return ftVms + 1 <= rules.maxFtVmsPerHost && ftVcpus + c.vcpus <= rules.maxFtVcpusPerHost && ramMiB + c.scenario.ramMiB <= capMiB;
}
