// Pure Timeline logic (no `vscode` import, unit-tested): the adapter's `timeline` reply → the webview's compact model, and the webview's messages.

import { fmtMs } from '../ft/sim/units';
import type { ClusterEventBody, TimelineReply } from '../debug/requests';

/** One cluster trace event as the adapter sends it (the contract's `lockstep.clusterEvent` body). */
export type RawEvent = ClusterEventBody;

/**
 * The adapter's `timeline` reply (src/debug/requests.ts) as the model reads it: without `lag` or `scheduled` the
 * model has no lag series and no scheduled marks.
 */
export type TimelineBody = Omit<TimelineReply, 'lag' | 'scheduled' | 'loggingNic'> & Partial<Pick<TimelineReply, 'lag' | 'scheduled' | 'loggingNic'>>;

export type LaneKind = 'cluster' | 'host' | 'vm' | 'lag';

/** One horizontal lane. `name` is stable (the webview's `data-lane`): `cluster`, a host name, `VM id (host)` for a VM, `lag`. */
export interface Lane {
  name: string;
  kind: LaneKind;
  label: string;
  detail: string;
  host?: string;
  vm?: number;
  /** A VM lane's VM, by name, in a cluster of several VMs. */
  of?: string;
}

/**
 * Interval kinds. Within one lane, spans of one kind never overlap (the webview relies on it to
 * binary-search them): protection state, host down, VM role, failover, link down, partition…
 */
export type SpanKind =
  | 'protected' | 'unprotected' | 'failover' | 'linkDown' | 'partition'
  | 'hostDown' | 'storageLost' | 'slow'
  | 'primary' | 'secondary' | 'copying';

export interface Span {
  lane: number;
  kind: SpanKind;
  startNs: number;
  endNs: number;
  label: string;
  /** The VM it is about, by name, in a cluster of several VMs (its protection state, its failover). */
  of?: string;
}

/** What a mark is: the trace kind of its event (`fault`, `goLive`, …), `scheduled` (a fault still ahead) or `checkpoint`. */
export type MarkKind = RawEvent['kind'] | 'scheduled' | 'checkpoint';

/** A point event. `important` ones become focusable buttons in the webview; the rest are drawn on the canvas. */
export interface Mark {
  lane: number;
  kind: MarkKind;
  timeNs: number;
  /** Short label (`hostCrash`, `go-live`, `won test-and-set`). */
  label: string;
  /** The trace event's sentence. */
  text: string;
  important: boolean;
  /** The VM it is about, by name, in a cluster of several VMs (the trace event's `of`). */
  of?: string;
}

/** Released outputs as parallel columns, in release order: lane of the releasing VM, when produced and when released. */
export interface Outputs {
  lane: number[];
  producedNs: number[];
  releasedNs: number[];
}

/**
 * A host's FT logging NIC over time: the rate it sent at between two samples (Mbit/s, at each interval's end) and the
 * bandwidth it has (null: none configured, the links' alone).
 */
export interface NicSeries {
  timeNs: number[];
  mbps: number[];
  capMbps: number | null;
}

/** The secondary's lag over time (null: no running pair). */
export interface LagSeries {
  timeNs: number[];
  lagNs: (number | null)[];
}

export interface TimelineModel {
  nowNs: number;
  frontierNs: number;
  endNs: number;
  protection: string;
  lanes: Lane[];
  spans: Span[];
  /** In time order. */
  marks: Mark[];
  outputs: Outputs;
  lag: LagSeries;
  /** A cluster of several VMs: each fault-tolerant VM's lag by name (the VM filter shows the chosen VM's). */
  lagByVm?: Record<string, LagSeries>;
  /** Each host's logging NIC use by host name (drawn along the foot of its lane). */
  nicByHost?: Record<string, NicSeries>;
  /** A cluster of several VMs: their names (the order their first instances were made in); empty for one VM. */
  vmNames: string[];
}

/** Trace kinds shown as focusable event buttons (besides checkpoints). */
export const IMPORTANT_KINDS: ReadonlySet<string> = new Set([
  'fault', 'crash', 'detect', 'arbitrate', 'halt', 'goLive', 'respawnStart', 'respawnDone', 'haRestart', 'migrate', 'divergence', 'violation', 'exit',
]);

const CLUSTER_LANE = 0;

/** Short label of a point event. */
export function markLabel(e: RawEvent): string {
  switch (e.kind) {
    case 'fault': return typeof e.data?.fault === 'string' ? e.data.fault : 'fault';
    case 'arbitrate': return e.data?.won === true ? 'won test-and-set' : e.data?.won === false ? 'lost test-and-set' : 'waits for storage';
    case 'goLive': return 'go-live';
    case 'respawnStart': return 'respawn started';
    case 'respawnDone': return 'secondary running';
    case 'haRestart': return 'HA restart';
    case 'migrate': return /^vMotion done/.test(e.text) ? 'vMotion done' : /abandoned/.test(e.text) ? 'vMotion abandoned' : /recommended/.test(e.text) ? 'DRS recommends' : 'vMotion';
    case 'violation': return typeof e.data?.checker === 'string' ? `violation: ${e.data.checker}` : 'violation';
    default: return e.kind;
  }
}

// ---- VMs -------------------------------------------------------------------------------------------

type VmRole = 'primary' | 'secondary' | 'copying';

interface VmHistory {
  id: number;
  host: string;
  role: VmRole;
  sinceNs: number;
  /** Set when the VM is gone (crash, halt, power-off). */
  endedNs?: number;
  status?: string;
  spans: { role: VmRole; startNs: number; endNs: number }[];
  /** Its VM's name, in a cluster of several VMs. */
  of?: string;
}

const ENDS: Record<string, string> = { crash: 'crashed', halt: 'halted', exit: 'exited' };

/** The role a VM starts in, from the first event naming it. */
function firstRole(e: RawEvent, fallback: string | undefined): VmRole {
  if (e.kind === 'respawnStart') return 'copying';
  if (e.kind === 'respawnDone') return 'secondary';
  if (e.kind === 'state' || e.kind === 'haRestart' || e.kind === 'goLive') return 'primary';
  return fallback === 'primary' ? 'primary' : 'secondary';
}

function switchRole(h: VmHistory, role: VmRole, atNs: number): void {
  if (h.endedNs !== undefined || h.role === role) return;
  h.spans.push({ role: h.role, startNs: h.sinceNs, endNs: atNs });
  h.role = role;
  h.sinceNs = atNs;
}

function endVm(h: VmHistory, atNs: number, status: string): void {
  if (h.endedNs !== undefined) return;
  h.spans.push({ role: h.role, startNs: h.sinceNs, endNs: atNs });
  h.endedNs = atNs;
  h.status = status;
}

/** Each VM incarnation's roles over time, from the events naming it (the adapter's `vms` only lists those alive at the present). */
function vmHistories(body: TimelineBody): VmHistory[] {
  const now = new Map(body.vms.map((v) => [v.id, v]));
  const byId = new Map<number, VmHistory>();
  for (const e of body.events) {
    if (e.vm === undefined) continue;
    let h = byId.get(e.vm);
    if (h === undefined) {
      h = { id: e.vm, host: e.host ?? now.get(e.vm)?.host ?? '?', role: firstRole(e, now.get(e.vm)?.role), sinceNs: e.timeNs, spans: [], of: e.of ?? now.get(e.vm)?.of };
      byId.set(e.vm, h);
    }
    if (e.kind === 'respawnDone') switchRole(h, 'secondary', e.timeNs);
    else if (e.kind === 'goLive') switchRole(h, 'primary', e.timeNs);
    else if (ENDS[e.kind] !== undefined) endVm(h, e.timeNs, ENDS[e.kind]);
  }
  for (const v of body.vms) {
    if (!byId.has(v.id)) byId.set(v.id, { id: v.id, host: v.host, role: v.role === 'primary' ? 'primary' : 'secondary', sinceNs: 0, spans: [], of: v.of });
  }
  const endNs = Math.max(body.frontierNs, body.nowNs);
  for (const h of byId.values()) {
    if (h.endedNs === undefined) h.spans.push({ role: h.role, startNs: h.sinceNs, endNs });
    h.status = now.get(h.id)?.status ?? h.status ?? 'running';
  }
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/**
 * A VM's lane name: its identity, which a failover does not change (`VM 2 (host-b)`): the lane of a secondary that
 * goes live stays where it was, and its roles over time are the spans drawn in it.
 */
function vmLaneName(h: VmHistory): string {
  return `VM ${h.id} (${h.host})`;
}

/** The role a VM has now, or had last. */
function lastRole(h: VmHistory): string {
  return h.role === 'copying' ? 'secondary (copying)' : h.role;
}

// ---- lanes -----------------------------------------------------------------------------------------

/** Cluster lane, then each host followed by its VMs, then VMs on unknown hosts, then the lag lane. */
function buildLanes(body: TimelineBody, vms: VmHistory[], nic?: Record<string, NicSeries>): { lanes: Lane[]; hostLane: Map<string, number>; vmLane: Map<number, number> } {
  const lanes: Lane[] = [{ name: 'cluster', kind: 'cluster', label: 'FT state', detail: body.protection }];
  const hostLane = new Map<string, number>();
  const vmLane = new Map<number, number>();
  const now = new Map(body.vms.map((v) => [v.id, v]));
  const addVm = (h: VmHistory): void => {
    const name = vmLaneName(h);
    const held = now.get(h.id)?.held ?? 0;
    vmLane.set(h.id, lanes.length);
    const detail = `${lastRole(h)} · ${h.status}${held > 0 ? ` · ${held} held` : ''}`;
    lanes.push({ name, kind: 'vm', label: ofVm(h.of, name), detail, host: h.host, vm: h.id, ...(h.of === undefined ? {} : { of: h.of }) });
  };
  for (const host of body.hosts) {
    hostLane.set(host.name, lanes.length);
    const notes = [host.up ? 'up' : 'down', `${host.mips} MIPS`];
    if (host.slowFactor !== 1) notes.push(`slow ×${host.slowFactor}`);
    const used = nicNote(nic?.[host.name]);
    if (used !== undefined) notes.push(used);
    lanes.push({ name: host.name, kind: 'host', label: host.name, detail: notes.join(' · '), host: host.name });
    for (const h of vms) if (h.host === host.name) addVm(h);
  }
  for (const h of vms) if (!hostLane.has(h.host)) addVm(h);
  const of = body.lagOf;
  lanes.push(of === undefined
    ? { name: 'lag', kind: 'lag', label: 'secondary lag', detail: 'log lag of the secondary behind the primary' }
    : { name: 'lag', kind: 'lag', label: `${of} · secondary lag`, detail: `log lag of ${of}'s secondary behind its primary (the focused VM; the VM filter shows another's)` });
  return { lanes, hostLane, vmLane };
}

// ---- spans -----------------------------------------------------------------------------------------

/** `kv-1 · text` for a VM of a cluster (named), the text alone otherwise. */
function ofVm(of: string | undefined, text: string): string {
  return of === undefined ? text : `${of} · ${text}`;
}

/**
 * Opens and closes intervals per (lane, kind, VM of a cluster): a second open while open and a close while closed are
 * ignored. So each VM of a cluster has its own protection state on the cluster lane.
 */
class SpanBuilder {
  readonly spans: Span[] = [];
  private readonly open = new Map<string, Span>();

  start(lane: number, kind: SpanKind, atNs: number, label: string, of?: string): void {
    const key = `${lane}:${kind}:${of ?? ''}`;
    if (this.open.has(key)) return;
    const s: Span = { lane, kind, startNs: atNs, endNs: atNs, label, ...(of === undefined ? {} : { of }) };
    this.open.set(key, s);
    this.spans.push(s);
  }

  end(lane: number, kind: SpanKind, atNs: number, of?: string): void {
    const key = `${lane}:${kind}:${of ?? ''}`;
    const s = this.open.get(key);
    if (s === undefined) return;
    s.endNs = atNs;
    this.open.delete(key);
  }

  /** Closes every open interval at `atNs`. */
  finish(atNs: number): Span[] {
    for (const s of this.open.values()) s.endNs = atNs;
    this.open.clear();
    return this.spans;
  }
}

/** Labels of host spans (the fault's own sentence is on its event button). */
const HOST_SPAN_LABELS: Partial<Record<SpanKind, string>> = { hostDown: 'host down', storageLost: 'shared storage lost' };

const HOST_FAULTS: Record<string, [SpanKind, 'start' | 'end']> = {
  hostCrash: ['hostDown', 'start'], hostRestore: ['hostDown', 'end'],
  storageLoss: ['storageLost', 'start'], storageRestore: ['storageLost', 'end'],
};
const CLUSTER_FAULTS: Record<string, [SpanKind, 'start' | 'end']> = {
  loggingLinkDown: ['linkDown', 'start'], loggingLinkUp: ['linkDown', 'end'],
  partition: ['partition', 'start'], heal: ['partition', 'end'],
};

function faultSpan(b: SpanBuilder, e: RawEvent, hostLane: Map<string, number>): void {
  const fault = e.data?.fault;
  if (typeof fault !== 'string') return;
  const lane = e.host !== undefined ? hostLane.get(e.host) : undefined;
  if (fault === 'slowHost' && lane !== undefined) {
    b.end(lane, 'slow', e.timeNs);
    if (!/×1\)?$/.test(e.text)) b.start(lane, 'slow', e.timeNs, e.text);
    return;
  }
  const hf = HOST_FAULTS[fault];
  if (hf !== undefined && lane !== undefined) {
    if (hf[1] === 'start') b.start(lane, hf[0], e.timeNs, HOST_SPAN_LABELS[hf[0]] ?? e.text);
    else b.end(lane, hf[0], e.timeNs);
    return;
  }
  const cf = CLUSTER_FAULTS[fault];
  if (cf !== undefined) {
    if (cf[1] === 'start') b.start(CLUSTER_LANE, cf[0], e.timeNs, e.text);
    else b.end(CLUSTER_LANE, cf[0], e.timeNs);
  }
}

/** Protection state intervals on the cluster lane (each VM's in a cluster), from `state` events carrying `data.protected`. */
function stateSpan(b: SpanBuilder, e: RawEvent): void {
  if (typeof e.data?.protected !== 'boolean') return;
  b.end(CLUSTER_LANE, 'protected', e.timeNs, e.of);
  b.end(CLUSTER_LANE, 'unprotected', e.timeNs, e.of);
  b.start(CLUSTER_LANE, e.data.protected ? 'protected' : 'unprotected', e.timeNs, ofVm(e.of, e.text), e.of);
}

/**
 * Failovers (failure → go-live) on the cluster lane, one per `goLive` event. The adapter's own
 * records cover the present's past only, so the failure time is taken from them when one matches,
 * else from the last crash or fault (of that VM, or of the cluster) since the VM's previous go-live.
 */
function failoverSpans(body: TimelineBody): Span[] {
  const spans: Span[] = [];
  const since = new Map<string | undefined, number>();
  body.events.forEach((e, i) => {
    if (e.kind !== 'goLive') return;
    const rec = body.failovers.find((f) => f.liveAtNs === e.timeNs && f.of === e.of);
    let failedNs = rec?.failedAtNs;
    for (let j = i - 1; failedNs === undefined && j >= (since.get(e.of) ?? 0); j--) {
      const c = body.events[j];
      if ((c.kind === 'crash' || c.kind === 'fault') && (c.of === undefined || c.of === e.of)) failedNs = c.timeNs;
    }
    const startNs = failedNs ?? e.timeNs;
    const label = ofVm(e.of, `failover ${fmtMs(e.timeNs - startNs)} → ${e.host ?? '?'}`);
    spans.push({ lane: CLUSTER_LANE, kind: 'failover', startNs, endNs: e.timeNs, label, ...(e.of === undefined ? {} : { of: e.of }) });
    since.set(e.of, i + 1);
  });
  return spans;
}

function vmSpans(vms: VmHistory[], vmLane: Map<number, number>): Span[] {
  const spans: Span[] = [];
  for (const h of vms) {
    for (const s of h.spans) spans.push({ lane: vmLane.get(h.id)!, kind: s.role, startNs: s.startNs, endNs: s.endNs, label: s.role });
  }
  return spans;
}

// ---- marks, outputs, lag ---------------------------------------------------------------------------

function markLane(e: RawEvent, hostLane: Map<string, number>, vmLane: Map<number, number>): number {
  if (e.vm !== undefined && vmLane.has(e.vm)) return vmLane.get(e.vm)!;
  if (e.host !== undefined && hostLane.has(e.host)) return hostLane.get(e.host)!;
  return CLUSTER_LANE;
}

/** Faults go on their host's lane (they happen to the host); VM events on the VM's. */
function faultLane(e: RawEvent, hostLane: Map<string, number>, vmLane: Map<number, number>): number {
  return e.kind === 'fault' ? (e.host !== undefined ? hostLane.get(e.host) ?? CLUSTER_LANE : CLUSTER_LANE) : markLane(e, hostLane, vmLane);
}

function buildMarks(body: TimelineBody, hostLane: Map<string, number>, vmLane: Map<number, number>): Mark[] {
  const marks: Mark[] = [];
  for (const e of body.events) {
    if (e.kind === 'release' || e.kind === 'state') continue;
    const mark: Mark = { lane: faultLane(e, hostLane, vmLane), kind: e.kind, timeNs: e.timeNs, label: ofVm(e.of, markLabel(e)), text: e.text, important: IMPORTANT_KINDS.has(e.kind) };
    marks.push(e.of === undefined ? mark : { ...mark, of: e.of });
  }
  for (const f of body.scheduled ?? []) {
    const lane = f.host !== undefined ? hostLane.get(f.host) ?? CLUSTER_LANE : CLUSTER_LANE; // `@primary` resolves only when it fires
    marks.push({ lane, kind: 'scheduled', timeNs: f.atNs, label: `${f.kind} (scheduled)`, text: `scheduled: ${f.text}`, important: true });
  }
  for (const c of body.checkpoints) {
    marks.push({ lane: CLUSTER_LANE, kind: 'checkpoint', timeNs: c.nowNs, label: c.name, text: `checkpoint ${c.name}`, important: true });
  }
  return marks.sort((a, b) => a.timeNs - b.timeNs); // stable: events keep their order
}

function buildOutputs(body: TimelineBody, vmLane: Map<number, number>): Outputs {
  const out: Outputs = { lane: [], producedNs: [], releasedNs: [] };
  for (const e of body.events) {
    if (e.kind !== 'release' || e.vm === undefined || !vmLane.has(e.vm)) continue;
    const heldNs = typeof e.data?.heldNs === 'number' ? e.data.heldNs : 0;
    out.lane.push(vmLane.get(e.vm)!);
    out.producedNs.push(e.timeNs - heldNs);
    out.releasedNs.push(e.timeNs);
  }
  return out;
}

function buildLag(samples: TimelineReply['lag'] | undefined): LagSeries {
  const s: LagSeries = { timeNs: [], lagNs: [] };
  for (const x of samples ?? []) {
    s.timeNs.push(x.timeNs);
    s.lagNs.push(x.lagNs);
  }
  return s;
}

/** Each host's logging NIC rate between consecutive samples (bytes sent → Mbit/s), or nothing without samples. */
function nicByHost(body: TimelineBody): { nicByHost?: Record<string, NicSeries> } {
  const nic = body.loggingNic;
  if (nic === undefined || nic.samples.length < 2) return {};
  const out: Record<string, NicSeries> = {};
  nic.hosts.forEach((h, i) => {
    const s: NicSeries = { timeNs: [], mbps: [], capMbps: h.nicMbps };
    for (let k = 1; k < nic.samples.length; k++) {
      const a = nic.samples[k - 1], b = nic.samples[k];
      const dtNs = b.timeNs - a.timeNs;
      if (!(dtNs > 0)) continue;
      s.timeNs.push(b.timeNs);
      s.mbps.push(((b.bytes[i] - a.bytes[i]) * 8 * 1000) / dtNs); // bits per ns × 1000 = Mbit/s
    }
    out[h.name] = s;
  });
  return { nicByHost: out };
}

/** A host lane's note of its logging NIC: the peak rate, of the NIC's bandwidth when it has one. */
export function nicNote(s: NicSeries | undefined): string | undefined {
  if (s === undefined || s.mbps.length === 0) return undefined;
  const peak = Math.max(...s.mbps);
  if (peak <= 0) return undefined;
  const rate = peak >= 10 ? peak.toFixed(0) : peak.toFixed(2);
  return s.capMbps === null ? `logging peak ${rate} Mbit/s` : `logging peak ${rate} of ${s.capMbps} Mbit/s (${Math.round((peak / s.capMbps) * 100)}%)`;
}

/** Each VM's lag series by name (a cluster of several VMs), or nothing. */
function lagByVm(body: TimelineBody): { lagByVm?: Record<string, LagSeries> } {
  if (body.lagByVm === undefined) return {};
  return { lagByVm: Object.fromEntries(body.lagByVm.map((x) => [x.vm, buildLag(x.samples)])) };
}

/** The adapter's `timeline` reply → the webview model. */
export function timelineModel(body: TimelineBody): TimelineModel {
  const vms = vmHistories(body);
  const nic = nicByHost(body);
  const { lanes, hostLane, vmLane } = buildLanes(body, vms, nic.nicByHost);
  const b = new SpanBuilder();
  for (const e of body.events) {
    if (e.kind === 'fault') faultSpan(b, e, hostLane);
    else if (e.kind === 'state') stateSpan(b, e);
  }
  const endNs = Math.max(body.frontierNs, body.nowNs);
  const spans = [...b.finish(endNs), ...failoverSpans(body), ...vmSpans(vms, vmLane)];
  return {
    nowNs: body.nowNs, frontierNs: body.frontierNs, endNs: body.endNs, protection: body.protection,
    lanes, spans, marks: buildMarks(body, hostLane, vmLane), outputs: buildOutputs(body, vmLane), lag: buildLag(body.lag),
    ...lagByVm(body), ...nic, vmNames: vmNames(body, vms),
  };
}

/** The VMs of a cluster by name: in the order their first instances were made, then any named only by events. */
function vmNames(body: TimelineBody, vms: VmHistory[]): string[] {
  const names = new Set<string>();
  for (const h of vms) if (h.of !== undefined) names.add(h.of);
  for (const e of body.events) if (e.of !== undefined) names.add(e.of);
  return [...names];
}

// ---- messages --------------------------------------------------------------------------------------

// Their one definition is timeline-messages.ts (the page imports it too); re-exported for the model's users.
export { parseWebviewMessage } from './timeline-messages';
export type { PanelMessage, WebviewMessage } from './timeline-messages';

const NS_PER_MS = 1e6;

/**
 * The adapter `seek` arguments for a time: `{timeMs}`, rounded up by the last bit when dividing
 * loses it, so the adapter (which multiplies back) never lands just before an event at `timeNs`.
 */
export function seekArguments(timeNs: number): { timeMs: number } {
  let timeMs = timeNs / NS_PER_MS;
  for (let i = 0; i < 4 && timeMs * NS_PER_MS < timeNs; i++) timeMs += Math.max(Number.MIN_VALUE, Math.abs(timeMs) * Number.EPSILON);
  return { timeMs };
}

export { fmtMs };
