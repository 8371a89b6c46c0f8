// Time travel over the whole cluster: automatic checkpoints, seek to a time or an instruction, step back, reverse continue, bookmarks; holds the stop set it re-arms after every restore.

import type { Cluster, ClusterStop } from '../ft/cluster';
import { NS_PER_MS } from '../ft/cluster';
import { ClusterCheckpoint, restoreCheckpoint, takeCheckpoint } from '../ft/checkpoint';
import type { TraceEvent } from '../ft/sim/trace';
import type { FaultSpec } from '../ft/scenario';
import { StopSet } from './stop-set';
import { assert } from '../ft/sim/assert';
import { drain } from './search';
import type { Search } from './search';
import type { VmInstance } from '../ft/protocol/vm';
import type { MachineSnapshot } from '../machine/machine';
import { copiedPages, imagePages } from '../machine/snapshot';

/** Pages of an image that are not the shared all-zero page. */
function distinctPages(img: MachineSnapshot['ram']): number {
  return new Set(imagePages(img)).size;
}

export interface TimeMachineOptions {
  /** Simulated time between automatic checkpoints. */
  checkpointIntervalNs?: number;
  /** Automatic checkpoints kept at most (older ones are thinned, the first is always kept). */
  checkpointsMax?: number;
  /**
   * The VMs of the cluster a debugger shows, by index in `cluster.members`: their instances get stops, and the lag
   * samples follow the first one (default: the first VM).
   */
  shownVms?: readonly number[];
}

interface Stored { cp: ClusterCheckpoint; nowNs: number; instrets: Map<number, number> }

export interface Hit { vm: number; instret: number; nowNs: number; reason: 'breakpoint' | 'watchpoint' }

export type TravelStop = ClusterStop | { reason: 'start' } | { reason: 'unreachable' };

const FORWARD_STOPS_MAX = 1_000_000;
/** Closest spacing of two lag samples (simulated time). */
const LAG_SAMPLE_MIN_NS = 100_000;
/**
 * Simulated time between automatic checkpoints. Each one copies the pages written since the last
 * and the world's state. A debugger Continue over crc32 (99 M instructions, one VM, in-process)
 * took 420 ms at 2 ms, most of it copying and collecting what checkpoints held; at 5 ms 110-160 ms
 * then. Since checkpoints share unchanged page-table chunks and disk-sized arrays, it takes 110-125 ms
 * at 5 ms (97 ms with no checkpoints at all) and 155-170 ms at 2 ms. A step back re-executes up to one
 * interval: on the kvstore pair (`npm run bench`, figure 6) a median of 13-23 ms at 10^6
 * instructions and 3-4 ms deeper, against 2-4 and 1-2 ms at 2 ms.
 */
const CHECKPOINT_INTERVAL_NS = 5 * NS_PER_MS;

/** The secondary's execution lag behind the primary at one simulated time; null while there is no running pair. */
export interface LagSample { timeNs: number; lagNs: number | null }

/** The bytes each host's FT logging NIC had sent by one simulated time (hosts in the scenario's order). */
export interface NicSample { timeNs: number; bytes: number[] }

/** Who hears of the cluster's trace events and released outputs (the debugger), through the time machine. */
export interface TravelListener {
  traced(ev: TraceEvent): void;
  released(vm: VmInstance, seq: number, atNs: number): void;
}

/** A moment to come back to exactly (`here`, `returnTo`); opaque to callers. */
export interface Position { readonly nowNs: number }

export class TimeMachine {
  private readonly auto: Stored[] = [];
  private readonly bookmarks = new Map<string, Stored>();
  private readonly intervalNs: number;
  private readonly keepMax: number;
  /** The furthest simulated time ever reached: the end of the recording so far. */
  frontierNs = 0;
  private known: TraceEvent[] = [];
  /**
   * Lag samples taken as the frontier advances (the timeline's lag chart), per VM that has them (by index in
   * `cluster.members`: the first shown VM, and every fault-tolerant VM of a cluster); cut back with the trace on a what-if.
   */
  private lag = new Map<number, LagSample[]>();
  /** When the last samples were taken. */
  private lagSampledNs = -Infinity;
  /** Bytes each host's FT logging NIC had sent (hosts in the scenario's order), sampled with the lag. */
  private nic: NicSample[] = [];
  /** The faults injected on the current branch of history: re-scheduled whenever an earlier checkpoint is restored. */
  private timeline: { atNs: number; fault: FaultSpec }[];
  /** Breakpoints, watchpoints and temporary stops of every VM, armed again on each new VM object. */
  readonly stops: StopSet;
  private listener: TravelListener | null = null;
  /** Where the recording starts: the first checkpoint, always kept. */
  private readonly startNs: number;
  /** The shown VMs (indexes into `cluster.members`); the lag samples follow the first. */
  private readonly shown: readonly number[];

  constructor(readonly cluster: Cluster, opts: TimeMachineOptions = {}) {
    this.intervalNs = opts.checkpointIntervalNs ?? CHECKPOINT_INTERVAL_NS;
    this.keepMax = opts.checkpointsMax ?? 512;
    if (!(this.intervalNs > 0 && this.keepMax >= 2)) throw new Error(`time machine: bad options ${JSON.stringify(opts)}`);
    this.shown = opts.shownVms ?? [0];
    if (this.shown.length === 0 || this.shown.some((i) => cluster.members[i] === undefined)) throw new Error(`time machine: bad shownVms ${JSON.stringify(opts.shownVms)}`);
    for (const m of cluster.members) if (m.index === this.shown[0] || !m.neverFt) this.lag.set(m.index, []);
    this.timeline = cluster.injected.slice();
    this.stops = new StopSet(() => this.shown.flatMap((i) => cluster.members[i].vms), cluster.stepTargets); // the shown VMs' instances
    cluster.observer = {
      vmCreated: (vm) => { if (this.shown.includes(vm.owner)) this.stops.arm(vm); },
      traced: (ev) => this.listener?.traced(ev),
      released: (vm, seq, atNs) => this.listener?.released(vm, seq, atNs),
    };
    this.auto.push(this.store());
    this.startNs = cluster.nowNs;
  }

  /** One listener at a time hears of trace events and released outputs as the cluster runs. */
  listen(l: TravelListener | null): void {
    this.listener = l;
  }

  get checkpointCount(): number {
    return this.auto.length;
  }

  private store(): Stored {
    const c = this.cluster;
    return { cp: takeCheckpoint(c), nowNs: c.nowNs, instrets: new Map(c.vms.map((v) => [v.id, v.machine.instret])) };
  }

  /** Restores a checkpoint; faults injected later on this branch are scheduled again, so the same future replays. */
  private restore(s: Stored): void {
    restoreCheckpoint(this.cluster, s.cp);
    // Faults injected on this branch up to the checkpoint, also when it lies ahead of the present; the later ones are scheduled again.
    this.cluster.injected.splice(0, this.cluster.injected.length, ...this.timeline.slice(0, s.cp.injectedCount));
    for (const i of this.timeline.slice(s.cp.injectedCount)) this.cluster.scheduleInjected(i.atNs, i.fault);
    this.stops.armAll();
    assert(this.cluster.nowNs === s.nowNs, 'a restore lands at its checkpoint\'s time');
  }

  private rearm(vm: number | undefined): void {
    const v = vm === undefined ? undefined : this.cluster.vm(vm);
    if (v !== undefined) this.stops.arm(v);
  }

  /** The present, to come back to with `returnTo`. */
  here(): Position {
    return this.store();
  }

  returnTo(p: Position): void {
    this.restore(p as Stored);
  }

  /** Runs `f` (which may travel anywhere) and comes back to exactly the present. */
  *visitAndReturn<T, P>(f: () => Generator<P, T>): Generator<P, T> {
    const p = this.here();
    try {
      return yield* f();
    } finally {
      this.returnTo(p);
    }
  }

  /** Runs forward to `untilNs`, checkpointing on the way; breakpoints stop it unless `ignoreBreakpoints`. */
  forward(untilNs: number, ignoreBreakpoints = false): ClusterStop {
    const c = this.cluster;
    for (let n = 0; n < FORWARD_STOPS_MAX; n++) {
      const last = this.auto[this.auto.length - 1].nowNs;
      const next = Math.max(last + this.intervalNs, c.nowNs);
      const stop = c.run(Math.min(untilNs, next));
      if (c.nowNs >= this.frontierNs) {
        this.frontierNs = c.nowNs;
        this.events();
        this.sampleFrontier();
      }
      if (stop.reason === 'time' && c.nowNs >= next && c.nowNs > last) this.addAuto();
      if ((stop.reason === 'breakpoint' || stop.reason === 'watchpoint') && ignoreBreakpoints) {
        this.rearm(stop.vm); // the stop may be where the guest moved its trap vector
        continue;
      }
      if (stop.reason !== 'time' || c.nowNs >= untilNs) return stop;
    }
    throw new Error('forward: too many stops');
  }

  private addAuto(): void {
    if (this.auto.some((s) => s.nowNs === this.cluster.nowNs)) return;
    this.auto.push(this.store());
    this.auto.sort((a, b) => a.nowNs - b.nowNs);
    if (this.auto.length > this.keepMax) this.thin();
    assert(this.auto.length <= this.keepMax && this.auto[0].nowNs === this.startNs, 'checkpoints are bounded and the first one stays');
  }

  /** Drops every other checkpoint of the older half: recent history stays dense, old history sparse. */
  private thin(): void {
    const half = this.auto.length >> 1;
    const kept = this.auto.filter((_, i) => i === 0 || i >= half || i % 2 === 0);
    this.auto.splice(0, this.auto.length, ...kept);
  }

  /** The latest stored checkpoint satisfying `ok`. */
  private latest(ok: (s: Stored) => boolean): Stored | undefined {
    for (let i = this.auto.length - 1; i >= 0; i--) if (ok(this.auto[i])) return this.auto[i];
    return undefined;
  }

  /** Goes to simulated time `tNs` (backwards or forwards). */
  seekTime(tNs: number): TravelStop {
    const c = this.cluster;
    if (tNs < c.nowNs || tNs - c.nowNs > this.intervalNs) {
      const s = this.latest((x) => x.nowNs <= tNs);
      if (s === undefined) return { reason: 'unreachable' };
      if (s.nowNs > c.nowNs || tNs < c.nowNs) this.restore(s);
    }
    return this.forward(tNs, true);
  }

  /** Goes to the moment VM `vm` had retired exactly `instret` instructions. */
  seekInstret(vm: number, instret: number): TravelStop {
    const c = this.cluster;
    const cur = c.vm(vm);
    if (cur === undefined || cur.machine.instret !== instret || instret === 0) {
      const s = this.latest((x) => (x.instrets.get(vm) ?? Infinity) <= instret);
      if (s === undefined) return { reason: 'unreachable' };
      const here = cur?.machine.instret;
      if (here === undefined || here > instret || s.instrets.get(vm)! > here) this.restore(s);
    }
    return this.runVmTo(vm, instret);
  }

  /** Runs forward until VM `vm` has retired `instret` instructions (breakpoints ignored). */
  runVmTo(vm: number, instret: number): TravelStop {
    const c = this.cluster;
    const v = c.vm(vm);
    if (v === undefined) return { reason: 'unreachable' };
    if (v.machine.instret === instret) return { reason: 'step', vm };
    this.stops.setStepTarget(vm, instret);
    const stop = this.forward(Math.max(this.frontierNs, c.nowNs) + this.intervalNs, true);
    this.stops.clearStepTarget(vm);
    if (stop.reason !== 'step') return { reason: 'unreachable' };
    assert(c.vm(vm)?.machine.instret === instret, 'a step target stops its VM exactly there');
    return stop;
  }

  /** One instruction back for VM `vm` (the rest of the cluster goes back with it). */
  stepBack(vm: number): TravelStop {
    const v = this.cluster.vm(vm);
    if (v === undefined) return { reason: 'unreachable' };
    const k = v.machine.instret;
    const first = this.auto[0].instrets.get(vm);
    if (k === 0 || (first !== undefined && k <= first)) return { reason: 'start' };
    return this.seekInstret(vm, k - 1);
  }

  /**
   * Goes back to the most recent breakpoint or watchpoint hit (of any VM) before the current
   * position of VM `vm`, or to the start of the recording when there is none.
   */
  reverseContinue(vm: number): TravelStop {
    return drain(this.reverseSearch(vm));
  }

  /** `reverseContinue` as a search: one segment of history (checkpoint to checkpoint) per step, newest first. */
  *reverseSearch(vm: number): Search<TravelStop> {
    const c = this.cluster;
    const v = c.vm(vm);
    if (v === undefined) return { reason: 'unreachable' };
    let endInstret = v.machine.instret;
    const total = this.auto.length;
    for (let i = this.auto.length - 1; i >= 0; i--) {
      const s = this.auto[i];
      const startInstret = s.instrets.get(vm);
      if (startInstret === undefined || startInstret >= endInstret) continue;
      yield { what: 'reverse continue', done: total - 1 - i, total };
      const hits = this.hitsBetween(s, vm, endInstret).filter((h) => h.vm !== vm || h.instret < endInstret);
      if (hits.length > 0) {
        const h = hits[hits.length - 1];
        this.restore(s);
        const stop = this.runVmTo(h.vm, h.instret);
        return stop.reason === 'step' ? { reason: h.reason, vm: h.vm } : stop;
      }
      endInstret = startInstret;
    }
    this.restore(this.auto[0]);
    return { reason: 'start' };
  }

  /** Breakpoint/watchpoint hits from checkpoint `s` until VM `vm` reaches `endInstret`. */
  private hitsBetween(s: Stored, vm: number, endInstret: number): Hit[] {
    const c = this.cluster;
    this.restore(s);
    this.stops.setStepTarget(vm, endInstret);
    const hits: Hit[] = [];
    for (let n = 0; n < FORWARD_STOPS_MAX; n++) {
      const stop = c.run(Math.max(this.frontierNs, c.nowNs) + this.intervalNs);
      if (stop.reason === 'breakpoint' || stop.reason === 'watchpoint') {
        const hv = c.vm(stop.vm!)!;
        hits.push({ vm: hv.id, instret: hv.machine.instret, nowNs: c.nowNs, reason: stop.reason });
        this.rearm(hv.id);
        continue;
      }
      if (stop.reason === 'step' || stop.reason === 'time') break;
    }
    this.stops.clearStepTarget(vm);
    return hits;
  }

  /**
   * What-if: inject a fault at the current point. When that is in the past, the old future is
   * discarded (its checkpoints go) and a new branch runs from here.
   */
  inject(fault: Parameters<Cluster['inject']>[0]): number {
    const c = this.cluster;
    this.branch();
    const atNs = c.inject(fault);
    this.timeline = c.injected.slice();
    return atNs;
  }

  /**
   * The present becomes the end of history: when it is in the past, the old future (its checkpoints,
   * events, lag samples, pending injections) is discarded, so what runs from here is a new branch. A
   * what-if fault or a debugger's write into a VM's state does this first.
   */
  branch(): void {
    const c = this.cluster;
    if (c.nowNs >= this.frontierNs) return;
    this.auto.splice(0, this.auto.length, ...this.auto.filter((s, i) => i === 0 || s.nowNs <= c.nowNs));
    this.frontierNs = c.nowNs;
    this.known = c.trace.events.slice();
    for (const [i, xs] of this.lag) this.lag.set(i, xs.filter((x) => x.timeNs <= c.nowNs));
    this.nic = this.nic.filter((x) => x.timeNs <= c.nowNs);
    this.lagSampledNs = this.lagSamples().at(-1)?.timeNs ?? -Infinity; // every series is sampled at the same times
    c.discardFuture(); // the old future's injections and cut histories go with it
  }

  /** The first instruction count of VM `vm` this recording holds (where it was born, or 0). */
  earliestInstret(vm: number): number {
    for (const s of this.auto) {
      const k = s.instrets.get(vm);
      if (k !== undefined) return k;
    }
    return 0;
  }

  /** Trace events up to the furthest point reached (they outlive going back in time): the timeline. */
  events(): readonly TraceEvent[] {
    const now = this.cluster.trace.events;
    if (now.length >= this.known.length) this.known = now.slice();
    return this.known;
  }

  /** The secondary's lag of VM `member` (index in `cluster.members`; default the first shown) over the explored history, in time order. */
  lagSamples(member = this.shown[0]): readonly LagSample[] {
    return this.lag.get(member) ?? [];
  }

  /** What each host's FT logging NIC had sent, over the explored history, in time order (taken with the lag samples). */
  nicSamples(): readonly NicSample[] {
    return this.nic;
  }

  /** The VMs (indexes in `cluster.members`) whose lag is sampled: the first shown, and every fault-tolerant VM. */
  get laggedVms(): number[] {
    return [...this.lag.keys()];
  }

  /** At the frontier: each lagged VM's lag and each host's logging NIC bytes, at most every LAG_SAMPLE_MIN_NS. */
  private sampleFrontier(): void {
    const c = this.cluster;
    if (c.nowNs - this.lagSampledNs < LAG_SAMPLE_MIN_NS) return;
    this.lagSampledNs = c.nowNs;
    for (const [i, xs] of this.lag) {
      const m = c.members[i];
      const p = m.primary;
      const s = m.secondary;
      xs.push({ timeNs: c.nowNs, lagNs: p !== undefined && s !== undefined && s.status === 'running' ? p.lagNs : null });
    }
    const sent = c.network.state.loggingBytes;
    this.nic.push({ timeNs: c.nowNs, bytes: c.scenario.hosts.map((h) => sent[h.name] ?? 0) });
  }

  /** Goes to just after the n-th (0-based) cluster event of `kind` (fault, detect, goLive, respawnDone, release…). */
  seekEvent(kind: TraceEvent['kind'], n: number): TravelStop {
    const ev = this.events().filter((e) => e.kind === kind)[n];
    if (ev === undefined) return { reason: 'unreachable' };
    return this.seekTime(ev.timeNs);
  }

  /**
   * Bytes of guest RAM the automatic checkpoints hold that no earlier checkpoint shares (copy-on-write
   * pages), plus the guest RAM of every VM once: what time travel costs in memory.
   */
  checkpointRamBytes(): { ramBytes: number; checkpointBytes: number } {
    const last = new Map<number, MachineSnapshot['ram']>();
    let pages = 0;
    for (const s of this.auto) {
      for (const v of s.cp.vms) {
        const prev = last.get(v.id);
        pages += prev === undefined ? distinctPages(v.machine.ram) : copiedPages(prev, v.machine.ram);
        last.set(v.id, v.machine.ram);
      }
    }
    const ramBytes = [...last.values()].reduce((a, r) => a + r.size, 0);
    return { ramBytes, checkpointBytes: pages * 4096 };
  }

  // ---- bookmarks -------------------------------------------------------------------------------

  bookmark(name: string): void {
    this.bookmarks.set(name, this.store());
  }

  listBookmarks(): { name: string; nowNs: number }[] {
    return [...this.bookmarks.entries()].map(([name, s]) => ({ name, nowNs: s.nowNs }));
  }

  jumpToBookmark(name: string): boolean {
    const s = this.bookmarks.get(name);
    if (s === undefined) return false;
    this.restore(s);
    return true;
  }

  deleteBookmark(name: string): boolean {
    return this.bookmarks.delete(name);
  }
}
