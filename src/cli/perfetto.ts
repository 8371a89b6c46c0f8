// Converts a cluster trace into Chrome's trace-event JSON (opens in Perfetto UI and chrome://tracing): hosts as processes, VM incarnations as threads.

import type { TraceEvent } from '../ft/sim/trace';
import { writeFileAtomic } from './io';

/** One record of the Chrome trace-event format (the subset we write). */
export interface ChromeTraceEvent {
  name: string;
  ph: 'X' | 'i' | 'M';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  s?: 't' | 'p' | 'g';
  cat?: string;
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ms';
  metadata: Record<string, string | number>;
}

/** The process that carries cluster-wide tracks (the FT protection state). */
const CLUSTER_PID = 1;
const STATE_TID = 1;
/** Kinds that end a VM incarnation. */
const ENDS = new Set(['crash', 'halt', 'exit']);

const usOf = (ns: number): number => ns / 1000;

/** Builds the trace: FT state spans, role spans per VM incarnation, and an instant for every event. */
export function toChromeTrace(events: readonly TraceEvent[], endNs: number, metadata: Record<string, string | number> = {}): ChromeTrace {
  if (!(endNs >= 0)) throw new Error(`toChromeTrace: bad end time ${endNs}`);
  const hosts = hostPids(events);
  const out: ChromeTraceEvent[] = [meta('process_name', CLUSTER_PID, 0, 'cluster')];
  for (const [host, pid] of hosts) out.push(meta('process_name', pid, 0, host));
  // One protection-state track per VM (a cluster of several names its VMs in `of`; one VM: one track).
  const vmNames = [...new Set(events.filter((e) => e.kind === 'state' && e.vm === undefined).map((e) => e.of))];
  if (vmNames.length === 0) vmNames.push(undefined);
  vmNames.forEach((name, i) => {
    out.push(meta('thread_name', CLUSTER_PID, STATE_TID + i, name === undefined ? 'FT protection state' : `${name}: FT protection state`));
    out.push(...stateSpans(events.filter((e) => e.of === name), endNs, STATE_TID + i));
  });
  for (const vm of vmHosts(events)) {
    const pid = hosts.get(vm.host)!;
    out.push(meta('thread_name', pid, vm.id, vm.of === undefined ? `vm ${vm.id}` : `${vm.of} · vm ${vm.id}`));
    out.push(...roleSpans(events.filter((e) => e.vm === vm.id), pid, vm.id, endNs));
  }
  for (const e of events) {
    if (e.kind === 'state') continue;
    const pid = e.host !== undefined ? hosts.get(e.host)! : CLUSTER_PID;
    const tid = e.vm ?? 0;
    out.push({ name: e.kind, cat: e.kind, ph: 'i', s: e.vm !== undefined ? 't' : 'p', pid, tid, ts: usOf(e.timeNs), args: { text: e.text, ...e.data } });
  }
  return { traceEvents: out, displayTimeUnit: 'ms', metadata };
}

function meta(name: 'process_name' | 'thread_name', pid: number, tid: number, label: string): ChromeTraceEvent {
  return { name, ph: 'M', pid, tid, args: { name: label } };
}

/** Host name → process id, in order of first appearance (pid 1 is the cluster). */
function hostPids(events: readonly TraceEvent[]): Map<string, number> {
  const pids = new Map<string, number>();
  for (const e of events) if (e.host !== undefined && !pids.has(e.host)) pids.set(e.host, pids.size + 2);
  return pids;
}

/** Every VM incarnation with the host it first ran on (a live migration moves it; its track stays there) and its VM's name. */
function vmHosts(events: readonly TraceEvent[]): Array<{ id: number; host: string; of?: string }> {
  const byId = new Map<number, { host: string; of?: string }>();
  for (const e of events) if (e.vm !== undefined && e.host !== undefined && !byId.has(e.vm)) byId.set(e.vm, { host: e.host, of: e.of });
  return [...byId].sort((a, b) => a[0] - b[0]).map(([id, v]) => ({ id, ...v }));
}

/** One span per FT protection state, each lasting until the next state change (or the end). */
function stateSpans(events: readonly TraceEvent[], endNs: number, tid: number): ChromeTraceEvent[] {
  const states = events.filter((e) => e.kind === 'state' && e.vm === undefined);
  return states.map((e, i) => span(e.text, CLUSTER_PID, tid, e.timeNs, states[i + 1]?.timeNs ?? endNs, 'state'));
}

/** The roles one VM incarnation held over time: copying → secondary → primary, until it ends. */
function roleSpans(own: readonly TraceEvent[], pid: number, tid: number, endNs: number): ChromeTraceEvent[] {
  const spans: ChromeTraceEvent[] = [];
  let role: string | null = null;
  let sinceNs = 0;
  const switchTo = (next: string | null, atNs: number): void => {
    if (role !== null && atNs >= sinceNs) spans.push(span(role, pid, tid, sinceNs, atNs, 'role'));
    role = next;
    sinceNs = atNs;
  };
  for (const e of own) {
    if (ENDS.has(e.kind)) { switchTo(null, e.timeNs); break; }
    const next = roleAfter(e, role);
    if (next !== role) switchTo(next, e.timeNs);
  }
  switchTo(null, endNs);
  return spans;
}

/** The role an event puts a VM in (unchanged when the event says nothing about roles). */
function roleAfter(e: TraceEvent, role: string | null): string | null {
  switch (e.kind) {
    case 'respawnStart': return 'copying';
    case 'respawnDone': return 'secondary';
    case 'goLive': case 'haRestart': return 'primary';
    case 'state': return /as primary/.test(e.text) ? 'primary' : role;
    default: return role;
  }
}

function span(name: string, pid: number, tid: number, fromNs: number, toNs: number, cat: string): ChromeTraceEvent {
  return { name, cat, ph: 'X', pid, tid, ts: usOf(fromNs), dur: usOf(Math.max(0, toNs - fromNs)) };
}

/** Writes a cluster's trace as Chrome trace JSON to `file` (atomically), when `file` was given. */
export function writePerfetto(file: string | undefined, cluster: { trace: { events: readonly TraceEvent[] }; nowNs: number }, meta: Record<string, string | number>): void {
  if (file === undefined) return;
  writeFileAtomic(file, new TextEncoder().encode(`${JSON.stringify(toChromeTrace(cluster.trace.events, cluster.nowNs, meta))}\n`));
}
