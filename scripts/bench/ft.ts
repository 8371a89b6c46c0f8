// Figures 3 and 4: the kvstore failover scenario without faults, FT on versus off — simulated throughput, latency, log, and wall cost.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadElf } from '../../src/machine/elf';
import type { Program } from '../../src/machine/program';
import { runScenario, type RunSummary } from '../../src/ft/report';
import { parseScenario } from '../../src/ft/scenario';
import { median, round, timed } from './util';
import { runScenarioParallel } from '../../src/cli/parallel-secondary';

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
  /** A CPU-bound guest to power-off, FT on versus off: the pure cost of replaying on the same thread. */
  cpuBound: FtCpuBound;
  /** FT on with the secondary's guest on a worker thread (`--parallel-secondary`), against the in-thread pair. */
  parallel: FtParallel;
  problems: string[];
}

/** A benchmark ELF with no clients: the pair replays a compute loop whose log is nearly empty. */
export const CPU_BOUND_PROGRAM = 'crc32-rv32im';
export interface FtCpuBound {
  program: string; instret: number; onMs: number; offMs: number; wallRatio: number;
  /** FT on with the secondary on a worker thread (same trace hash as in-thread). */
  parallelMs: number; parallelRatio: number;
}
export interface FtParallel {
  wallMs: number;
  inThreadWallMs: number;
  /** CPU time of the main (simulating) thread, from /proc (null where there is none). */
  mainCpuMs: number | null;
  inThreadMainCpuMs: number | null;
  /** Parallel wall over the FT-off wall of the same report. */
  wallRatio: number;
}

/** CPU ms the main thread has used so far (Linux /proc; null elsewhere). */
function mainThreadCpuMs(): number | null {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 10 ms clock ticks
  } catch {
    return null;
  }
}

function timedCpu<T>(f: () => T): { value: T; ms: number; cpuMs: number | null } {
  const c0 = mainThreadCpuMs();
  const r = timed(f);
  const c1 = mainThreadCpuMs();
  return { ...r, cpuMs: c0 === null || c1 === null ? null : c1 - c0 };
}

const medianOrNull = (xs: (number | null)[]) => (xs.some((x) => x === null) ? null : round(median(xs as number[]), 0));

/** Figure 4c: in-thread and parallel-secondary runs of the FT-on side, interleaved; both must give the same trace hash. */
function benchParallel(root: string, program: Program, simMs: number, reps: number, offWallMs: number): { row: FtParallel; problems: string[] } {
  const scenario = parseScenario(faultFreeRaw(root, true, simMs));
  runScenarioParallel(parseScenario(faultFreeRaw(root, true, Math.min(simMs, 50))), program); // warms the worker (it is kept)
  const here: ReturnType<typeof timedCpu<RunSummary>>[] = [];
  const there: ReturnType<typeof timedCpu<{ summary: RunSummary; fallback: string | null }>>[] = [];
  for (let i = 0; i < reps; i++) {
    here.push(timedCpu(() => runScenario(scenario, program).summary));
    there.push(timedCpu(() => runScenarioParallel(scenario, program)));
  }
  const problems: string[] = [];
  if (there.some((r) => r.value.summary.traceHash !== here[0].value.traceHash)) problems.push('parallel secondary: trace hash differs from the in-thread run');
  const fallback = there.find((r) => r.value.fallback !== null)?.value.fallback;
  if (fallback !== undefined) problems.push(`parallel secondary fell back to the in-thread run: ${fallback}`);
  const wallMs = round(median(there.map((r) => r.ms)), 1);
  const row: FtParallel = {
    wallMs, inThreadWallMs: round(median(here.map((r) => r.ms)), 1),
    mainCpuMs: medianOrNull(there.map((r) => r.cpuMs)), inThreadMainCpuMs: medianOrNull(here.map((r) => r.cpuMs)),
    wallRatio: round(wallMs / offWallMs, 2),
  };
  return { row, problems };
}

/** The scenario's JSON without its faults, with FT `enabled` or not, the saturating workload, for `simMs` of simulated time. */
export function faultFreeRaw(root: string, enabled: boolean, simMs: number): Record<string, unknown> {
  const raw = JSON.parse(readFileSync(join(root, SCENARIO), 'utf8'));
  return { ...raw, untilMs: simMs, faults: [], ft: { ...raw.ft, enabled }, workload: { ...raw.workload, ...SATURATING_WORKLOAD } };
}

export function loadKvstore(root: string): Program {
  return loadElf(readFileSync(join(root, 'examples', 'kvstore', 'kvstore.elf')), 'kvstore.elf');
}

/** The runs of one side; the simulated results must be identical each time (one seed ⇒ one run). */
function summarizeSide(enabled: boolean, runs: { value: RunSummary; ms: number }[]): { side: FtSide; summary: RunSummary; problems: string[] } {
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

/** `reps` runs of each side, FT on and off alternating, so a noisy stretch of the machine weighs on both. */
function measureSides(root: string, program: Program, simMs: number, reps: number): { on: ReturnType<typeof summarizeSide>; off: ReturnType<typeof summarizeSide> } {
  const on = parseScenario(faultFreeRaw(root, true, simMs)), off = parseScenario(faultFreeRaw(root, false, simMs));
  const runs = { on: [] as { value: RunSummary; ms: number }[], off: [] as { value: RunSummary; ms: number }[] };
  for (let i = 0; i < reps; i++) {
    runs.on.push(timed(() => runScenario(on, program).summary));
    runs.off.push(timed(() => runScenario(off, program).summary));
  }
  return { on: summarizeSide(true, runs.on), off: summarizeSide(false, runs.off) };
}

/** Wall ms per million instructions retired by the primary. */
export const perMInstr = (s: FtSide) => (s.wallMs * 1e6) / Math.max(1, s.primaryInstret);

/** The CPU-bound program to power-off (1.2 s simulated at 100 MIPS), FT off, on, or on with the secondary on a worker thread. */
function cpuBoundRun(program: Program, mode: 'off' | 'on' | 'parallel'): { ms: number; summary: RunSummary } {
  const scenario = parseScenario({ program: `${CPU_BOUND_PROGRAM}.elf`, untilMs: 1200, ft: { enabled: mode !== 'off' }, workload: { clients: 0 } });
  const r = timed(() => (mode === 'parallel' ? runScenarioParallel(scenario, program).summary : runScenario(scenario, program).summary));
  return { ms: r.ms, summary: r.value };
}

/**
 * Figure 4b: the CPU-bound guest with and without its secondary, interleaved after a warm-up of each;
 * every VM must retire the same count and print the expected line, and both FT-on modes give one trace.
 */
function benchCpuBound(root: string, reps: number): { row: FtCpuBound; problems: string[] } {
  const program = loadElf(readFileSync(join(root, 'examples', 'bench', `${CPU_BOUND_PROGRAM}.elf`)), `${CPU_BOUND_PROGRAM}.elf`);
  const modes = ['off', 'on', 'parallel'] as const;
  const runs = { off: [] as number[], on: [] as number[], parallel: [] as number[] };
  const last = {} as Record<(typeof modes)[number], RunSummary>;
  for (let i = 0; i <= reps; i++) {
    for (const mode of modes) {
      const r = cpuBoundRun(program, mode);
      if (i > 0) runs[mode].push(r.ms); // run 0 warms V8 and the worker up
      last[mode] = r.summary;
    }
  }
  const expected = readFileSync(join(root, 'examples', 'bench', `${CPU_BOUND_PROGRAM}.expected.txt`), 'utf8');
  const problems: string[] = [];
  const summaries = modes.map((m) => last[m]);
  if (!summaries.every((s) => s.ok && s.vms.every((v) => v.status === 'exited'))) problems.push(`${CPU_BOUND_PROGRAM} under FT: a checker failed or a VM did not power off`);
  const instrets = summaries.flatMap((s) => s.vms.map((v) => v.instret));
  if (new Set(instrets).size !== 1) problems.push(`${CPU_BOUND_PROGRAM} under FT: instret differs (${instrets.join(', ')})`);
  if (summaries.some((s) => s.console !== expected)) problems.push(`${CPU_BOUND_PROGRAM} under FT: console output differs from the expected file`);
  if (last.parallel.traceHash !== last.on.traceHash) problems.push(`${CPU_BOUND_PROGRAM}: the worker-thread run's trace hash differs from the in-thread run`);
  const [offMs, onMs, parallelMs] = modes.map((m) => round(median(runs[m]), 1));
  const row = { program: CPU_BOUND_PROGRAM, instret: instrets[0] ?? 0, onMs, offMs, wallRatio: round(onMs / offMs, 2), parallelMs, parallelRatio: round(parallelMs / offMs, 2) };
  return { row, problems };
}

/** FT on versus FT off over the same simulated time. */
export function benchFt(root: string, simMs: number, reps: number): FtReport {
  const program = loadKvstore(root);
  runScenario(parseScenario(faultFreeRaw(root, true, Math.min(simMs, 50))), program); // JIT warm-up
  runScenario(parseScenario(faultFreeRaw(root, false, Math.min(simMs, 50))), program);
  const { on, off } = measureSides(root, program, simMs, reps);
  const cpuBound = benchCpuBound(root, reps);
  const parallel = benchParallel(root, program, simMs, reps, off.side.wallMs);
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
    cpuBound: cpuBound.row,
    parallel: parallel.row,
    problems: [...on.problems, ...off.problems, ...cpuBound.problems, ...parallel.problems],
  };
}
