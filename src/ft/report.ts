// The summary of a finished run: what `lockstep run --json` prints and chaos campaigns compare.

import { Cluster, NS_PER_MS, type RamSource } from './cluster';
import type { CheckResult } from './checkers';
import { ftState } from './ft-state';
import type { Program } from '../machine/program';
import type { Scenario } from './scenario';
import type { LogBytesByKind } from './protocol/log-kinds';
import { heavyLogHint, type LogHint } from './log-hint';

export interface RunSummary {
  seed: number;
  endMs: number;
  ok: boolean;
  failovers: { failedAtMs: number; detectedAtMs: number | null; liveAtMs: number; fromHost: string | null; toHost: string; instret: number }[];
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
}

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
  const m = c.main;
  const cs = m.clients.list.map((x) => x.stats);
  const sum = (f: (s: (typeof cs)[number]) => number) => cs.reduce((a, s) => a + f(s), 0);
  const ok = sum((s) => s.ok);
  const primaryInstr = Math.max(1, ...c.vms.filter((v) => v.role === 'primary').map((v) => v.guest.instret));
  const bytesPerMInstr = Math.round((m.stats.logBytes * 1e6) / primaryInstr);
  const bytesPerMs = c.nowNs > 0 ? (m.stats.logBytes * NS_PER_MS) / c.nowNs : 0;
  return {
    seed: c.scenario.seed,
    endMs: ms(c.nowNs),
    ok: checks.every((r) => r.ok),
    failovers: m.checkers.failovers.map((f) => ({
      failedAtMs: ms(f.failedAtNs), detectedAtMs: f.detectedAtNs === null ? null : ms(f.detectedAtNs), liveAtMs: ms(f.liveAtNs),
      fromHost: f.fromHost, toHost: f.toHost, instret: f.instret,
    })),
    respawns: m.checkers.respawns,
    haRestarts: m.checkers.haRestarts,
    ftState: ftState(m).label,
    vms: c.vms.map((v) => ({ id: v.id, role: v.role, host: v.host, status: v.status, instret: v.guest.instret, epoch: v.epoch })),
    log: {
      bytes: m.stats.logBytes, entries: m.stats.logEntries, messages: m.stats.logMessages, maxLagMs: ms(m.stats.maxLagNs), stalls: m.stats.stalls,
      throttleEvents: m.stats.throttleEvents, bytesPerMInstr, bytesByKind: { ...m.stats.logBytesByKind },
      hint: heavyLogHint(m.stats.logBytesByKind, bytesPerMInstr, bytesPerMs),
    },
    outputs: { released: m.stats.released, duplicated: m.stats.duplicatedOutputs },
    clients: {
      sent: sum((s) => s.sent), replies: sum((s) => s.replies), ok, errors: sum((s) => s.errors), retries: sum((s) => s.retries),
      duplicates: sum((s) => s.duplicates), meanLatencyMs: ok === 0 ? 0 : ms(sum((s) => s.latencySumNs) / ok),
      maxLatencyMs: ms(Math.max(0, ...cs.map((s) => s.latencyMaxNs))),
    },
    console: m.consoleText,
    invariants: checks,
    traceHash: c.trace.hash(),
  };
}

/** Simulated time a run may go on past its end so that every checker's bound is decided (never "ok" by running out of time). */
const DECIDE_MS_MAX = 10_000;

/**
 * Runs a scenario to its end, then on until every open bound (failover, respawn, zombies, lag) is
 * decided, and returns the cluster and its summary.
 */
export function runScenario(scenario: Scenario, program: Program, opts: { ramSource?: RamSource } = {}): { cluster: Cluster; summary: RunSummary } {
  const cluster = new Cluster(scenario, program, opts);
  runToDecision(cluster, scenario.untilMs * NS_PER_MS);
  const checks = cluster.finish();
  return { cluster, summary: summarize(cluster, checks) };
}
