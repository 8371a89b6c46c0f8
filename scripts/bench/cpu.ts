// Figure 1: guest MIPS of Lockstep's interpreter and of its fast path (translated code) on the CPU-bound C benchmarks, UART output checked.

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
  name: string; instret: number;
  /** Fast path (Cpu.fastPath on): median wall ms and MIPS over the runs. */
  wallMs: number; mips: number;
  /** Fast path, MIPS per second of this process's CPU time (user + system): less sensitive to other load on the machine than wall MIPS. */
  cpuMips: number;
  /** Fast path, first run of this ELF in the process: every region compiled and optimised by V8 during the run. */
  coldMips: number;
  /** Interpreter only (Cpu.fastPath off): median wall ms, MIPS and CPU-s MIPS. */
  interpWallMs: number; interpMips: number; interpCpuMips: number;
  outputOk: boolean; problem?: string;
}

export const elfPath = (root: string, name: string) => join(root, 'examples', 'bench', `${name}.elf`);
export const expectedPath = (root: string, name: string) => join(root, 'examples', 'bench', `${name}.expected.txt`);

interface Run { instret: number; uart: string; reason: string; exitCode: number | null; ms: number; cpuMs: number; machine: Machine }

/**
 * One run of `program` on a fresh machine, timed from load to power-off; `fast` chooses the fast path
 * or the interpreter; `zeroedRam`: an all-zero RAM buffer to reuse instead of a new allocation.
 */
export function runOnce(program: Program, maxInstructions: number, fast: boolean, zeroedRam?: Uint8Array): Run {
  let uart = '';
  const cpu0 = process.cpuUsage();
  const { value: [r, machine], ms } = timed(() => {
    const machine = new Machine({ env: { read: () => 0, output: () => {} }, zeroedRam });
    machine.cpu.fastPath = fast;
    machine.load(program);
    return [runStandalone(machine, { maxInstructions, onUart: (b) => (uart += String.fromCharCode(b)) }), machine] as const;
  });
  const cpu = process.cpuUsage(cpu0);
  return { instret: r.instret, uart, reason: r.reason, exitCode: r.exitCode, ms, cpuMs: (cpu.user + cpu.system) / 1e3, machine };
}

/** Why a run does not count (wrong stop, exit code or UART output), or undefined when it is good. */
function checkRun(run: Run, expected: string): string | undefined {
  if (run.reason !== 'exit' || run.exitCode !== 0) return `stopped with ${run.reason}, exit code ${run.exitCode}`;
  if (run.uart !== expected) return `UART output ${JSON.stringify(run.uart)} differs from the expected ${JSON.stringify(expected)}`;
  return undefined;
}

const mipsOf = (instret: number, ms: number): number => round(instret / ms / 1e3, 1);

/** Median wall time of each mode over `reps` runs of one benchmark ELF (interpreter runs first, then the fast path). */
function benchOne(root: string, name: string, reps: number): CpuRow {
  const program = loadElf(readFileSync(elfPath(root, name)), `${name}.elf`);
  const expected = readFileSync(expectedPath(root, name), 'latin1');
  const interp = Array.from({ length: reps }, () => runOnce(program, MAX_INSTRUCTIONS, false));
  const fast = Array.from({ length: reps }, () => runOnce(program, MAX_INSTRUCTIONS, true));
  const all = [...interp, ...fast];
  const problem = all.map((r) => checkRun(r, expected)).find((p) => p !== undefined)
    ?? (all.some((r) => r.instret !== all[0].instret) ? 'instret differs between runs' : undefined);
  const instret = all[0].instret;
  const [wallMs, cpuMs] = [median(fast.map((r) => r.ms)), median(fast.map((r) => r.cpuMs))];
  const [iWallMs, iCpuMs] = [median(interp.map((r) => r.ms)), median(interp.map((r) => r.cpuMs))];
  const row: CpuRow = {
    name, instret, wallMs: round(wallMs, 1), mips: mipsOf(instret, wallMs), cpuMips: mipsOf(instret, cpuMs),
    coldMips: mipsOf(instret, fast[0].ms),
    interpWallMs: round(iWallMs, 1), interpMips: mipsOf(instret, iWallMs), interpCpuMips: mipsOf(instret, iCpuMs),
    outputOk: problem === undefined,
  };
  if (problem !== undefined) row.problem = problem;
  return row;
}

/** Every benchmark ELF, `reps` timed runs of each mode; `onRow` reports progress. */
export function benchCpu(root: string, reps: number, onRow: (r: CpuRow) => void = () => {}): CpuRow[] {
  // Warms V8 up on the interpreter loop only: translated code is per guest program, so each ELF's
  // first fast-path run stays cold (reported as coldMips).
  const warm = loadElf(readFileSync(elfPath(root, BENCH_PROGRAMS[0])), 'warm-up');
  runOnce(warm, WARMUP_INSTRUCTIONS, false);
  return BENCH_PROGRAMS.map((name) => {
    const row = benchOne(root, name, reps);
    onRow(row);
    return row;
  });
}
