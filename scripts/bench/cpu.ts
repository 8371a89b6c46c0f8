// Figure 1: guest MIPS of Lockstep's interpreter on the CPU-bound C benchmarks, with their UART output checked.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadElf } from '../../src/machine/elf';
import { Machine } from '../../src/machine/machine';
import type { Program } from '../../src/machine/program';
import { runStandalone } from '../../src/machine/standalone';
import { median, round, timed } from './util';

export const BENCH_PROGRAMS = ['sieve', 'crc32', 'matmul'].flatMap((b) => ['rv32imac', 'rv32im'].map((a) => `${b}-${a}`));
const MAX_INSTRUCTIONS = 2_000_000_000;
const WARMUP_INSTRUCTIONS = 50_000_000;

export interface CpuRow {
  name: string; instret: number; wallMs: number; mips: number;
  /** MIPS per second of this process's CPU time (user + system): less sensitive to other load on the machine than wall MIPS. */
  cpuMips: number;
  outputOk: boolean; problem?: string;
}

export const elfPath = (root: string, name: string) => join(root, 'examples', 'bench', `${name}.elf`);
export const expectedPath = (root: string, name: string) => join(root, 'examples', 'bench', `${name}.expected.txt`);

interface Run { instret: number; uart: string; reason: string; exitCode: number | null; ms: number; cpuMs: number }

/** One run of `program` on a fresh machine, timed from load to power-off. */
function runOnce(program: Program, maxInstructions: number): Run {
  let uart = '';
  const cpu0 = process.cpuUsage();
  const { value: r, ms } = timed(() => {
    const machine = new Machine({ env: { read: () => 0, output: () => {} } });
    machine.load(program);
    return runStandalone(machine, { maxInstructions, onUart: (b) => (uart += String.fromCharCode(b)) });
  });
  const cpu = process.cpuUsage(cpu0);
  return { instret: r.instret, uart, reason: r.reason, exitCode: r.exitCode, ms, cpuMs: (cpu.user + cpu.system) / 1e3 };
}

/** Why a run does not count (wrong stop, exit code or UART output), or undefined when it is good. */
function checkRun(run: Run, expected: string): string | undefined {
  if (run.reason !== 'exit' || run.exitCode !== 0) return `stopped with ${run.reason}, exit code ${run.exitCode}`;
  if (run.uart !== expected) return `UART output ${JSON.stringify(run.uart)} differs from the expected ${JSON.stringify(expected)}`;
  return undefined;
}

/** Median wall time over `reps` runs of one benchmark ELF (after a shared JIT warm-up). */
function benchOne(root: string, name: string, reps: number): CpuRow {
  const program = loadElf(readFileSync(elfPath(root, name)), `${name}.elf`);
  const expected = readFileSync(expectedPath(root, name), 'latin1');
  const runs = Array.from({ length: reps }, () => runOnce(program, MAX_INSTRUCTIONS));
  const problem = runs.map((r) => checkRun(r, expected)).find((p) => p !== undefined)
    ?? (runs.some((r) => r.instret !== runs[0].instret) ? 'instret differs between runs' : undefined);
  const wallMs = median(runs.map((r) => r.ms));
  const cpuMs = median(runs.map((r) => r.cpuMs));
  const row: CpuRow = {
    name, instret: runs[0].instret, wallMs: round(wallMs, 1), mips: round(runs[0].instret / wallMs / 1e3, 1),
    cpuMips: round(runs[0].instret / cpuMs / 1e3, 1), outputOk: problem === undefined,
  };
  if (problem !== undefined) row.problem = problem;
  return row;
}

/** Every benchmark ELF, `reps` timed runs each; `onRow` reports progress. */
export function benchCpu(root: string, reps: number, onRow: (r: CpuRow) => void = () => {}): CpuRow[] {
  const warm = loadElf(readFileSync(elfPath(root, BENCH_PROGRAMS[0])), 'warm-up');
  runOnce(warm, WARMUP_INSTRUCTIONS);
  return BENCH_PROGRAMS.map((name) => {
    const row = benchOne(root, name, reps);
    onRow(row);
    return row;
  });
}
