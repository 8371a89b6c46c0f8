// The Timeline model (timeline-model.ts, sent by the panel) → what the page draws from: lanes with their pixel rows,
// span tracks, marks, outputs and lag as sorted typed arrays, built once per data message (O(n log n)) so a frame
// only binary-searches them. Pure: no DOM.
import type { Lane, LaneKind, LagSeries, Mark, NicSeries, Outputs, Span, TimelineModel } from '../timeline-model';
import { num, str } from './util';

/** Height of the time axis above the lanes. */
export const AXIS_PX = 22;
/** Height of a lane by kind. */
export const LANE_PX: Record<LaneKind, number> = { cluster: 40, host: 26, vm: 34, lag: 56 };
/** The narrowest view (and the shortest run shown). */
export const MIN_SPAN_NS = 1000;

export interface PreparedLane {
  name: string;
  kind: LaneKind;
  label: string;
  detail: string;
  top: number;
  height: number;
}

/**
 * The spans of one lane, kind and VM: disjoint and sorted, so both their starts and ends ascend. `row` of `rows`: the
 * VM's own row of its lane when several VMs' spans share it (the FT state lane of a cluster), else 0 of 1.
 */
export interface Track {
  lane: number;
  kind: string;
  row: number;
  rows: number;
  start: Float64Array;
  end: Float64Array;
  labels: string[];
}

export interface PreparedMark {
  lane: number;
  kind: string;
  timeNs: number;
  label: string;
  text: string;
  important: boolean;
  /** The VM it is about, in a cluster of several VMs. */
  of?: string;
}

/** Marks in time order; `important` and `minor` index into `list`, with their times alongside for binary search. */
export interface PreparedMarks {
  list: PreparedMark[];
  important: Int32Array;
  importantTimeNs: Float64Array;
  minor: Int32Array;
  minorTimeNs: Float64Array;
}

/** The step series "outputs held": after each time, how many. */
export interface HeldSeries {
  timeNs: Float64Array;
  count: Int32Array;
  max: number;
}

/** One VM lane's released outputs in release order, with their production times. */
export interface LaneOutputs {
  relNs: Float64Array;
  prodNs: Float64Array;
  maxHeldNs: number;
  held: HeldSeries;
}

/** Lag samples; NaN where there was no running pair. */
export interface PreparedLag {
  timeNs: Float64Array;
  lagNs: Float64Array;
  maxNs: number;
}

/**
 * A host's logging NIC rate (Mbit/s) at each sample's end; the scale every host's chart shares (the busiest host's
 * peak, so hosts compare at a glance and a quiet cluster still shows); its bandwidth (a rate at it is saturation).
 */
export interface PreparedNic {
  timeNs: Float64Array;
  mbps: Float64Array;
  scaleMbps: number;
  capMbps: number | null;
}

export interface Prepared {
  nowNs: number;
  frontierNs: number;
  endNs: number;
  protection: string;
  lanes: PreparedLane[];
  heightPx: number;
  tracks: Track[];
  marks: PreparedMarks;
  /** By lane index. */
  outputs: Map<number, LaneOutputs>;
  lag: PreparedLag;
  /** Host lanes' logging NIC use, by lane index. */
  nic: Map<number, PreparedNic>;
}

/** Height of one VM's row in a lane several VMs' spans share. */
export const VM_ROW_PX = 14;

/** `rowsOf(i)`: the VMs with a row in lane `i`, top down (a lane of several is tall enough for a row each, and says whose). */
function prepareLanes(lanes: readonly Lane[], rowsOf: (lane: number) => readonly string[]): { lanes: PreparedLane[]; heightPx: number } {
  const px = LANE_PX as Record<string, number | undefined>;
  const out: PreparedLane[] = [];
  let y = AXIS_PX;
  for (let i = 0; i < lanes.length; i++) {
    const l: Partial<Lane> = lanes[i] || {};
    const kind: LaneKind = px[l.kind as string] !== undefined ? l.kind! : 'vm';
    const rows = rowsOf(i);
    const height = rows.length > 1 ? Math.max(LANE_PX[kind], rows.length * VM_ROW_PX + 8) : LANE_PX[kind];
    const detail = rows.length > 1 ? `${str(l.detail)} · rows: ${rows.join(', ')}` : str(l.detail);
    out.push({ name: str(l.name), kind, label: str(l.label), detail, top: y, height });
    y += height;
  }
  return { lanes: out, heightPx: y };
}

/** Per lane, the VMs whose spans it holds, each once, in `vmNames` order (names it does not list last). */
function spanVms(spans: readonly Span[], vmNames: readonly string[]): Map<number, string[]> {
  const byLane = new Map<number, Set<string>>();
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i];
    if (typeof s.of !== 'string') continue;
    const lane = num(s.lane, -1);
    if (!byLane.has(lane)) byLane.set(lane, new Set());
    byLane.get(lane)!.add(s.of);
  }
  const rank = (vm: string): number => (vmNames.indexOf(vm) + 1 || vmNames.length + 1);
  const out = new Map<number, string[]>();
  byLane.forEach((vms, lane) => out.set(lane, [...vms].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1))));
  return out;
}

/**
 * Spans grouped into tracks (one lane, one kind, one VM): disjoint and sorted, so both their starts and ends ascend.
 * Several VMs' spans in one lane (each VM's protection on the FT state lane) get a row each: drawn on one band they
 * overlapped, and one VM's Protected hid another's Not Protected.
 */
function prepareTracks(spans: readonly Span[], laneCount: number, vmsOf: Map<number, string[]>): Track[] {
  const byKey = new Map<string, { lane: number; kind: string; row: number; rows: number; items: { startNs: number; endNs: number; label: string }[] }>();
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i];
    const lane = num(s.lane, -1);
    if (lane < 0 || lane >= laneCount) continue;
    const of = typeof s.of === 'string' ? s.of : '';
    const vms = vmsOf.get(lane) || [];
    const key = lane + ':' + str(s.kind) + ':' + of;
    if (!byKey.has(key)) byKey.set(key, { lane, kind: str(s.kind), row: Math.max(0, vms.indexOf(of)), rows: Math.max(1, vms.length), items: [] });
    byKey.get(key)!.items.push({ startNs: num(s.startNs, 0), endNs: num(s.endNs, 0), label: str(s.label) });
  }
  const tracks: Track[] = [];
  byKey.forEach((t) => {
    t.items.sort((a, b) => a.startNs - b.startNs);
    const n = t.items.length;
    const start = new Float64Array(n), end = new Float64Array(n), labels = new Array<string>(n);
    let maxEnd = -Infinity;
    for (let j = 0; j < n; j++) {
      start[j] = t.items[j].startNs;
      maxEnd = Math.max(maxEnd, t.items[j].endNs);
      end[j] = maxEnd; // running maximum keeps it sorted even if spans overlapped
      labels[j] = t.items[j].label;
    }
    tracks.push({ lane: t.lane, kind: t.kind, row: t.row, rows: t.rows, start, end, labels });
  });
  return tracks;
}

function prepareMarks(marks: readonly Mark[], laneCount: number): PreparedMarks {
  const list: PreparedMark[] = [];
  for (let i = 0; i < marks.length; i++) {
    const m: Partial<Mark> = marks[i] || {};
    const lane = num(m.lane, 0);
    const mark: PreparedMark = { lane: lane >= 0 && lane < laneCount ? lane : 0, kind: str(m.kind), timeNs: num(m.timeNs, 0), label: str(m.label), text: str(m.text), important: m.important === true };
    list.push(typeof m.of === 'string' ? { ...mark, of: m.of } : mark);
  }
  list.sort((a, b) => a.timeNs - b.timeNs);
  const imp: number[] = [], minor: number[] = [];
  for (let k = 0; k < list.length; k++) (list[k].important ? imp : minor).push(k);
  const impTime = new Float64Array(imp.length), minorTime = new Float64Array(minor.length);
  for (let a = 0; a < imp.length; a++) impTime[a] = list[imp[a]].timeNs;
  for (let b = 0; b < minor.length; b++) minorTime[b] = list[minor[b]].timeNs;
  return { list, important: Int32Array.from(imp), importantTimeNs: impTime, minor: Int32Array.from(minor), minorTimeNs: minorTime };
}

/** Per lane: releases (sorted) with their production times, and the step series "outputs held" (+1 produced, -1 released). */
function prepareOutputs(o: Outputs | undefined): Map<number, LaneOutputs> {
  const lanes = (o && o.lane) || [], prod = (o && o.producedNs) || [], rel = (o && o.releasedNs) || [];
  const byLane = new Map<number, { rel: number[]; prod: number[] }>();
  for (let i = 0; i < lanes.length; i++) {
    const l = num(lanes[i], -1);
    if (!byLane.has(l)) byLane.set(l, { rel: [], prod: [] });
    byLane.get(l)!.rel.push(num(rel[i], 0));
    byLane.get(l)!.prod.push(num(prod[i], 0));
  }
  const out = new Map<number, LaneOutputs>();
  byLane.forEach((v, lane) => {
    const order = v.rel.map((_, i) => i).sort((a, b) => v.rel[a] - v.rel[b]);
    const relNs = new Float64Array(order.length), pairProdNs = new Float64Array(order.length);
    let maxHeldNs = 0;
    for (let j = 0; j < order.length; j++) {
      relNs[j] = v.rel[order[j]];
      pairProdNs[j] = v.prod[order[j]];
      maxHeldNs = Math.max(maxHeldNs, relNs[j] - pairProdNs[j]);
    }
    const prodSorted = Float64Array.from(v.prod).sort();
    out.set(lane, { relNs, prodNs: pairProdNs, maxHeldNs, held: heldSeries(prodSorted, relNs) });
  });
  return out;
}

/** Merges sorted production and release times into (time, outputs held after it). */
function heldSeries(prod: Float64Array, rel: Float64Array): HeldSeries {
  const n = prod.length + rel.length;
  const t = new Float64Array(n), v = new Int32Array(n);
  let i = 0, j = 0, k = 0, cur = 0, max = 0;
  while (i < prod.length || j < rel.length) {
    if (j >= rel.length || (i < prod.length && prod[i] <= rel[j])) { t[k] = prod[i++]; cur++; } else { t[k] = rel[j++]; cur--; }
    v[k++] = cur;
    if (cur > max) max = cur;
  }
  return { timeNs: t, count: v, max };
}

function prepareLag(lag: LagSeries | undefined): PreparedLag {
  const t = (lag && lag.timeNs) || [], v = (lag && lag.lagNs) || [];
  const n = Math.min(t.length, v.length);
  const timeNs = new Float64Array(n), lagNs = new Float64Array(n);
  let max = 0;
  for (let i = 0; i < n; i++) {
    timeNs[i] = num(t[i], 0);
    lagNs[i] = v[i] === null ? NaN : num(v[i], NaN);
    if (lagNs[i] > max) max = lagNs[i];
  }
  return { timeNs, lagNs, maxNs: max };
}

function prepareNic(s: NicSeries): PreparedNic & { peakMbps: number } {
  const t = Array.isArray(s.timeNs) ? s.timeNs : [], v = Array.isArray(s.mbps) ? s.mbps : [];
  const n = Math.min(t.length, v.length);
  const timeNs = new Float64Array(n), mbps = new Float64Array(n);
  let peak = 0;
  for (let i = 0; i < n; i++) {
    timeNs[i] = num(t[i], 0);
    mbps[i] = Math.max(0, num(v[i], 0));
    if (mbps[i] > peak) peak = mbps[i];
  }
  const cap = typeof s.capMbps === 'number' && s.capMbps > 0 ? s.capMbps : null;
  return { timeNs, mbps, scaleMbps: 1, capMbps: cap, peakMbps: peak };
}

/** Each host lane's NIC series (lanes name their host), when the model has one with some traffic. */
function prepareNics(byHost: TimelineModel['nicByHost'], lanes: readonly PreparedLane[]): Map<number, PreparedNic> {
  const out = new Map<number, PreparedNic>();
  if (byHost === null || typeof byHost !== 'object') return out;
  let scaleMbps = 1e-9;
  lanes.forEach((l, i) => {
    const s = l.kind === 'host' && Object.prototype.hasOwnProperty.call(byHost, l.name) ? byHost[l.name] : undefined;
    if (s === undefined || s === null) return;
    const { peakMbps, ...n } = prepareNic(s);
    scaleMbps = Math.max(scaleMbps, peakMbps);
    out.set(i, n);
  });
  out.forEach((n) => { n.scaleMbps = scaleMbps; });
  return out;
}

export function prepare(m: TimelineModel): Prepared {
  const spans = Array.isArray(m.spans) ? m.spans : [];
  const vmsOf = spanVms(spans, Array.isArray(m.vmNames) ? m.vmNames : []);
  const ls = prepareLanes(Array.isArray(m.lanes) ? m.lanes : [], (i) => vmsOf.get(i) || []);
  const endNs = Math.max(num(m.endNs, 0), num(m.frontierNs, 0), num(m.nowNs, 0), MIN_SPAN_NS);
  return {
    nowNs: num(m.nowNs, 0), frontierNs: num(m.frontierNs, 0), endNs, protection: str(m.protection),
    lanes: ls.lanes, heightPx: ls.heightPx,
    tracks: prepareTracks(spans, ls.lanes.length, vmsOf),
    marks: prepareMarks(Array.isArray(m.marks) ? m.marks : [], ls.lanes.length),
    outputs: prepareOutputs(m.outputs),
    lag: prepareLag(m.lag),
    nic: prepareNics(m.nicByHost, ls.lanes),
  };
}
