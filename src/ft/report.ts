// The summary of a finished run: what `lockstep run --json` prints and chaos campaigns compare.

import { Cluster, NS_PER_MS, type RamSource } from './cluster';
import type { CheckResult } from './checkers';
import { ftState } from './ft-state';
import type { Program } from '../machine/program';
import type { Scenario } from './scenario';
import { emptyLogBytesByKind, type LogBytesByKind } from './protocol/log-kinds';
import type { LogicalVm } from './logical-vm';
import { heavyLogHint, type LogHint } from './log-hint';
import { loadsByHost } from './drs-demand';

export interface RunSummary {
  seed: number;
  endMs: number;
  ok: boolean;
  failovers: { vm?: string; failedAtMs: number; detectedAtMs: number | null; liveAtMs: number; fromHost: string | null; toHost: string; instret: number }[];
  respawns: number;
  haRestarts: number;
  ftState: string;
  vms: { id: number; role: string; host: string; status: string; instret: number; epoch: number }[];
  log: {
    bytes: number; entries: number; messages: number; maxLagMs: number; stalls: number; throttleEvents: number; bytesPerMInstr: number;
    /** `bytes` by kind of entry (message headers as `marks`). */
    bytesByKind: LogBytesByKind;
    /** The kind that fills most of a heavy log, with a hint; null when the log is light or no kind dominates. */
    hint: LogHint | null;
  };
  outputs: { released: number; duplicated: number };
  clients: { sent: number; replies: number; ok: number; errors: number; retries: number; duplicates: number; meanLatencyMs: number; maxLatencyMs: number };
  console: string;
  invariants: CheckResult[];
  traceHash: string;
  /** A cluster of several VMs: each VM and each host (absent for a single VM; the fields above then add up every VM's). */
  cluster?: ClusterSummary;
}

export interface VmRow {
  name: string; ft: boolean; ftState: string; restartPriority: string;
  /** Its live primary's host and its secondary's (null: none). */
  host: string | null; secondaryHost: string | null;
  /** Why placement found no host for it last ("Need Secondary VM: …", "waiting for resources: …"), or null. */
  waiting: string | null;
  failovers: number; respawns: number; haRestarts: number; instret: number; logBytes: number; maxLagMs: number; console: string;
}

/** `cpuLoad`: the host's CPU demand over its speed as DRS last measured it (null: DRS off, or the host down). */
export interface HostRow { name: string; up: boolean; ramMiB: number; ramUsedMiB: number; vms: number; ftVms: number; loggingNicMbps: number | null; loggingBytes: number; cpuLoad: number | null }

export interface ClusterSummary { vms: VmRow[]; hosts: HostRow[] }

/** Runs `cluster` to `untilNs`, then further while a checker's bound is still open (at most DECIDE_MS_MAX more). */
export function runToDecision(cluster: Cluster, untilNs: number): void {
  cluster.run(untilNs);
  const limitNs = untilNs + DECIDE_MS_MAX * NS_PER_MS;
  for (let i = 0; i < 100; i++) {
    const openNs = Math.min(...cluster.members.map((m) => m.checkers.openUntilNs()), limitNs);
    if (openNs <= cluster.nowNs) return;
    cluster.run(openNs);
  }
}

const ms = (ns: number) => Math.round((ns / NS_PER_MS) * 1000) / 1000;

export function summarize(c: Cluster, checks: CheckResult[]): RunSummary {
  const ms_ = c.members;
  const cs = ms_.flatMap((m) => m.clients.list.map((x) => x.stats));
  const sum = (f: (s: (typeof cs)[number]) => number) => cs.reduce((a, s) => a + f(s), 0);
  const total = (f: (m: LogicalVm) => number) => ms_.reduce((a, m) => a + f(m), 0);
  const ok = sum((s) => s.ok);
  const logBytes = total((m) => m.stats.logBytes);
  const bytesByKind = emptyLogBytesByKind();
  for (const m of ms_) for (const k of Object.keys(bytesByKind) as (keyof LogBytesByKind)[]) bytesByKind[k] += m.stats.logBytesByKind[k];
  const primaryInstr = Math.max(1, ...c.vms.filter((v) => v.role === 'primary').map((v) => v.guest.instret));
  const bytesPerMInstr = Math.round((logBytes * 1e6) / primaryInstr);
  const bytesPerMs = c.nowNs > 0 ? (logBytes * NS_PER_MS) / c.nowNs : 0;
  const single = c.clusterCheckers === null;
  return {
    seed: c.scenario.seed,
    endMs: ms(c.nowNs),
    ok: checks.every((r) => r.ok),
    failovers: ms_.flatMap((m) => m.checkers.failovers.map((f) => ({
      ...(m.label === null ? {} : { vm: m.label }),
      failedAtMs: ms(f.failedAtNs), detectedAtMs: f.detectedAtNs === null ? null : ms(f.detectedAtNs), liveAtMs: ms(f.liveAtNs),
      fromHost: f.fromHost, toHost: f.toHost, instret: f.instret,
    }))),
    respawns: total((m) => m.checkers.respawns),
    haRestarts: total((m) => m.checkers.haRestarts),
    ftState: single ? ftState(c.main).label : clusterFtState(c),
    vms: c.vms.map((v) => ({ id: v.id, role: v.role, host: v.host, status: v.status, instret: v.guest.instret, epoch: v.epoch })),
    log: {
      bytes: logBytes, entries: total((m) => m.stats.logEntries), messages: total((m) => m.stats.logMessages),
      maxLagMs: ms(Math.max(...ms_.map((m) => m.stats.maxLagNs))), stalls: total((m) => m.stats.stalls),
      throttleEvents: total((m) => m.stats.throttleEvents), bytesPerMInstr, bytesByKind,
      hint: heavyLogHint(bytesByKind, bytesPerMInstr, bytesPerMs),
    },
    outputs: { released: total((m) => m.stats.released), duplicated: total((m) => m.stats.duplicatedOutputs) },
    clients: {
      sent: sum((s) => s.sent), replies: sum((s) => s.replies), ok, errors: sum((s) => s.errors), retries: sum((s) => s.retries),
      duplicates: sum((s) => s.duplicates), meanLatencyMs: ok === 0 ? 0 : ms(sum((s) => s.latencySumNs) / ok),
      maxLatencyMs: ms(Math.max(0, ...cs.map((s) => s.latencyMaxNs))),
    },
    console: single ? c.main.consoleText : '',
    invariants: checks,
    traceHash: c.trace.hash(),
    ...(single ? {} : { cluster: clusterSummary(c) }),
  };
}

/** "3 of 4 FT VMs Protected" (and how many VMs run at all). */
function clusterFtState(c: Cluster): string {
  const ft = c.members.filter((m) => m.scenario.ft.enabled);
  const prot = ft.filter((m) => ftState(m).protected).length;
  const running = c.members.filter((m) => m.primary?.status === 'running').length;
  return `${prot} of ${ft.length} FT VMs Protected, ${running} of ${c.members.length} VMs running`;
}

function clusterSummary(c: Cluster): ClusterSummary {
  const vms = c.members.map((m): VmRow => ({
    name: m.name, ft: m.scenario.ft.enabled, ftState: m.scenario.ft.enabled ? ftState(m).label : 'FT off', restartPriority: m.restartPriority,
    host: m.primary?.host ?? null, secondaryHost: m.secondary?.host ?? null, waiting: m.waiting,
    failovers: m.checkers.failovers.length, respawns: m.checkers.respawns, haRestarts: m.checkers.haRestarts,
    instret: Math.max(0, ...m.vms.filter((v) => v.role === 'primary').map((v) => v.guest.instret)),
    logBytes: m.stats.logBytes, maxLagMs: ms(m.stats.maxLagNs), console: m.consoleText,
  }));
  const loads = c.drs === null ? null : loadsByHost(c, c.drs);
  const hosts = c.scenario.hosts.map((h): HostRow => {
    const here = c.vms.filter((v) => v.alive && v.host === h.name);
    return {
      name: h.name, up: c.hosts.get(h.name)!.up, ramMiB: h.ramMiB, ramUsedMiB: here.reduce((a, v) => a + c.ownerOf(v).scenario.ramMiB, 0),
      vms: here.length, ftVms: here.filter((v) => c.ownerOf(v).scenario.ft.enabled).length, loggingNicMbps: h.loggingNicMbps,
      loggingBytes: c.network.state.loggingBytes[h.name] ?? 0, cpuLoad: loads?.get(h.name)?.cpu ?? null,
    };
  });
  return { vms, hosts };
}

/** Simulated time a run may go on past its end so that every checker's bound is decided (never "ok" by running out of time). */
const DECIDE_MS_MAX = 10_000;

/**
 * Runs a scenario to its end, then on until every open bound (failover, respawn, zombies, lag) is
 * decided, and returns the cluster and its summary.
 */
export function runScenario(
  scenario: Scenario,
  program: Program,
  opts: { ramSource?: RamSource; programs?: ReadonlyMap<string, Program> } = {},
): { cluster: Cluster; summary: RunSummary } {
  const cluster = new Cluster(scenario, program, opts);
  runToDecision(cluster, scenario.untilMs * NS_PER_MS);
  const checks = cluster.finish();
  return { cluster, summary: summarize(cluster, checks) };
}
