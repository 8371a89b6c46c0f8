// Figures 3 and 4: the kvstore failover scenario without faults, FT on versus off — simulated throughput, latency, log, and wall cost.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadElf } from '../../src/machine/elf';
import type { Program } from '../../src/machine/program';
import { runScenario, type RunSummary } from '../../src/ft/report';
import { parseScenario } from '../../src/ft/scenario';
import { median, round, timed } from './util';

export const SCENARIO = 'examples/kvstore/failover.json';
/** A closed-loop workload that keeps the server busy: 8 clients, each sending its next request as soon as the last is answered. */
export const SATURATING_WORKLOAD = { clients: 8, requests: 1_000_000, ratePerSec: 100_000 };

export interface FtSide { completed: number; meanLatencyMs: number; wallMs: number; primaryInstret: number; traceHash: string }
export interface FtReport {
  simMs: number;
  on: FtSide;
  off: FtSide;
  throughputRatio: number;
  logBytesPerMInstr: number;
  logMbitPerSimSec: number;
  wallRatio: number;
  /** Wall time per million instructions of the primary, FT on over FT off (the same guest work on both sides). */
  wallPerInstrRatio: number;
  problems: string[];
}

/** The scenario's JSON without its faults, with FT `enabled` or not, the saturating workload, for `simMs` of simulated time. */
export function faultFreeRaw(root: string, enabled: boolean, simMs: number): Record<string, unknown> {
  const raw = JSON.parse(readFileSync(join(root, SCENARIO), 'utf8'));
  return { ...raw, untilMs: simMs, faults: [], ft: { ...raw.ft, enabled }, workload: { ...raw.workload, ...SATURATING_WORKLOAD } };
}

export function loadKvstore(root: string): Program {
  return loadElf(readFileSync(join(root, 'examples', 'kvstore', 'kvstore.elf')), 'kvstore.elf');
}

/** `reps` runs of one side; the simulated results must be identical each time (one seed ⇒ one run). */
function measureSide(root: string, program: Program, enabled: boolean, simMs: number, reps: number): { side: FtSide; summary: RunSummary; problems: string[] } {
  const scenario = parseScenario(faultFreeRaw(root, enabled, simMs));
  const runs = Array.from({ length: reps }, () => timed(() => runScenario(scenario, program).summary));
  const summary = runs[0].value;
  const label = `FT ${enabled ? 'on' : 'off'}`;
  const problems: string[] = [];
  if (!summary.ok) problems.push(`${label}: a checker failed: ${summary.invariants.filter((c) => !c.ok).map((c) => c.name).join(', ')}`);
  if (runs.some((r) => r.value.traceHash !== summary.traceHash)) problems.push(`${label}: trace hash differs between identical runs`);
  const primaryInstret = Math.max(0, ...summary.vms.filter((v) => v.role === 'primary').map((v) => v.instret));
  const side: FtSide = {
    completed: summary.clients.ok, meanLatencyMs: summary.clients.meanLatencyMs, wallMs: round(median(runs.map((r) => r.ms)), 1),
    primaryInstret, traceHash: summary.traceHash,
  };
  return { side, summary, problems };
}

/** Wall ms per million instructions retired by the primary. */
export const perMInstr = (s: FtSide) => (s.wallMs * 1e6) / Math.max(1, s.primaryInstret);

/** FT on versus FT off over the same simulated time. */
export function benchFt(root: string, simMs: number, reps: number): FtReport {
  const program = loadKvstore(root);
  runScenario(parseScenario(faultFreeRaw(root, true, Math.min(simMs, 50))), program); // JIT warm-up
  const on = measureSide(root, program, true, simMs, reps);
  const off = measureSide(root, program, false, simMs, reps);
  const simSec = on.summary.endMs / 1000;
  return {
    simMs,
    on: on.side,
    off: off.side,
    throughputRatio: round(on.side.completed / off.side.completed, 3),
    logBytesPerMInstr: on.summary.log.bytesPerMInstr,
    logMbitPerSimSec: round((on.summary.log.bytes * 8) / simSec / 1e6, 2),
    wallRatio: round(on.side.wallMs / off.side.wallMs, 2),
    wallPerInstrRatio: round(perMInstr(on.side) / perMInstr(off.side), 2),
    problems: [...on.problems, ...off.problems],
  };
}
