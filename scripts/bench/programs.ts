// Figure 9: real C programs (examples/suite), one-off processes: Lockstep's `exec` from process start to exit against QEMU's JIT and QEMU -icount, and warm runs in this process against QEMU's JIT.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadElf } from '../../src/machine/elf';
import type { Machine } from '../../src/machine/machine';
import type { Program } from '../../src/machine/program';
import { PAGE_SIZE } from '../../src/machine/ram';
import { QEMU_BIN, QEMU_ICOUNT_ARGS, QEMU_TCG_ARGS, qemuVersion } from './qemu';
import { geomean, median, round, spawnTimed } from './util';
import { runOnce } from './cpu';

const MAX_INSTRUCTIONS = 5_000_000_000;
/** In-process runs of a program before its warm runs are timed (marks: 1 230, 780, 280, 160, 125, 120 ms: V8 optimises the regions over several runs). */
const WARMUP_RUNS = 6;

export interface ProgramRow {
  name: string; instret: number;
  /**
   * `node bin/lockstep.js exec` as a new process, spawn to exit, as Lockstep runs once it has run before
   * (the CLI bundle compiled from V8's code cache): median wall ms, and MIPS over that whole time.
   */
  coldMs: number; coldMips: number;
  /** The same with an empty cache folder each time (the first run after installing): median wall ms, MIPS. */
  firstMs: number; firstMips: number;
  /** In this process after WARMUP_RUNS runs (translations cached, V8 warm): median wall and CPU ms, MIPS. */
  warmMs: number; warmCpuMs: number; warmMips: number;
  /** QEMU processes, spawn to exit, the shortest of the runs (null when QEMU is not installed). */
  qemuTcgMs: number | null; qemuIcountMs: number | null;
  /** Cold Lockstep over QEMU -icount, both whole processes (target ≤ 1). */
  coldOverIcount: number | null;
  /** Speed of warm Lockstep over QEMU's JIT net of its start-up (target ≥ 1). */
  warmOverTcg: number | null;
  /** The same on CPU time (this process's user+system; QEMU's wall, a single-threaded TCG guest). */
  warmCpuOverTcg: number | null;
  outputOk: boolean;
}

export interface ProgramsReport {
  rows: ProgramRow[];
  qemu: string;
  /** QEMU's start-up (a guest that powers off at once), shortest ms, per mode. */
  qemuStartupMs: { tcg: number; icount: number } | null;
  geomean: { coldMips: number; firstMips: number; coldOverIcount: number | null; warmOverTcg: number | null; warmCpuOverTcg: number | null };
  problems: string[];
}

export const SUITE_DIR = join('examples', 'suite');

/** The suite's programs: every ELF in examples/suite with its expected output beside it. */
export function suitePrograms(root: string): string[] {
  const dir = join(root, SUITE_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.elf') && existsSync(join(dir, f.replace(/\.elf$/, '.expected.txt')))).map((f) => f.replace(/\.elf$/, '')).sort();
}


/**
 * RAM of the last in-process run, zeroed again, for the next machine. A new 16 MiB buffer of a
 * process that freed one comes from glibc's heap and is cleared page by page: 45-65 ms of page
 * faults on this machine, which would swamp the guest's own 20-200 ms (a one-off process gets
 * fresh, lazily mapped pages instead).
 */
let spareRam: Uint8Array | undefined;

/** A warm fast-path run in this process, on the last run's RAM. */
function runInProcess(program: Program): ReturnType<typeof runOnce> {
  const run = runOnce(program, MAX_INSTRUCTIONS, true, spareRam);
  spareRam = zeroWritten(run.machine);
  return run;
}

/** The machine's RAM with every page it wrote cleared (a fresh machine's pages are all zero and clean). */
function zeroWritten(m: Machine): Uint8Array {
  const { bytes, hashDirty, dirty } = m.ram; // runStandalone takes no snapshot and no hash: both flags mark every written page
  for (let p = 0; p < hashDirty.length; p++) if ((hashDirty[p] | dirty[p]) !== 0) bytes.fill(0, p * PAGE_SIZE, (p + 1) * PAGE_SIZE);
  return bytes;
}

function oneProgram(root: string, name: string, reps: number, startup: ProgramsReport['qemuStartupMs']): { row: ProgramRow; problems: string[] } {
  const elf = join(root, SUITE_DIR, `${name}.elf`);
  const expected = readFileSync(join(root, SUITE_DIR, `${name}.expected.txt`), 'latin1');
  const cli = join(root, 'bin', 'lockstep.js');
  const problems: string[] = [];
  const caches = mkdtempSync(join(tmpdir(), 'lockstep-bench-cache-'));
  const inCaches = (dir: string) => spawnTimed(process.execPath, [cli, 'exec', elf], undefined, { ...process.env, LOCKSTEP_CACHE_DIR: dir, LOCKSTEP_CODE_CACHE: '' });
  const first = Array.from({ length: reps }, (_, i) => inCaches(join(caches, `first-${i}`)));
  const cold = Array.from({ length: reps + 1 }, () => inCaches(join(caches, 'repeat'))); // the first of these fills it
  rmSync(caches, { recursive: true, force: true });
  if ([...first, ...cold].some((r) => r.out !== expected)) problems.push(`lockstep exec ${name}: output differs from ${name}.expected.txt`);
  const program = loadElf(readFileSync(elf), `${name}.elf`);
  // Warm means repeated runs in one process: the first compiles the regions, V8 optimises them over the next few.
  for (let i = 0; i < WARMUP_RUNS; i++) runInProcess(program);
  const warm = Array.from({ length: reps }, () => runInProcess(program));
  if (warm.some((w) => w.uart !== expected)) problems.push(`${name} in-process: output differs from ${name}.expected.txt`);
  const instret = warm[0].instret;
  const coldMs = median(cold.slice(1).map((r) => r.ms));
  const firstMs = median(first.map((r) => r.ms));
  const warmMs = median(warm.map((w) => w.ms));
  const warmCpuMs = median(warm.map((w) => w.cpuMs));
  let tcg: number | null = null, icount: number | null = null;
  if (startup !== null) {
    const t = Array.from({ length: reps }, () => spawnTimed(QEMU_BIN, [...QEMU_TCG_ARGS, elf]));
    const i = Array.from({ length: reps }, () => spawnTimed(QEMU_BIN, [...QEMU_ICOUNT_ARGS, elf]));
    if ([...t, ...i].some((r) => r.out !== expected)) problems.push(`QEMU ${name}: output differs from ${name}.expected.txt`);
    // QEMU's best run against its best start-up: these programs take QEMU 0.1-0.3 s, of which its
    // start-up is 80-120 ms and varies by tens of ms, so medians of the two made net times swing.
    tcg = Math.min(...t.map((r) => r.ms));
    icount = Math.min(...i.map((r) => r.ms));
  }
  const tcgNet = tcg === null || startup === null ? null : Math.max(1, tcg - startup.tcg);
  const row: ProgramRow = {
    name, instret, coldMs: round(coldMs, 1), coldMips: round(instret / coldMs / 1e3, 1),
    firstMs: round(firstMs, 1), firstMips: round(instret / firstMs / 1e3, 1),
    warmMs: round(warmMs, 1), warmCpuMs: round(warmCpuMs, 1), warmMips: round(instret / warmMs / 1e3, 1),
    qemuTcgMs: tcg === null ? null : round(tcg, 1), qemuIcountMs: icount === null ? null : round(icount, 1),
    coldOverIcount: icount === null ? null : round(coldMs / icount, 3),
    warmOverTcg: tcgNet === null ? null : round(tcgNet / warmMs, 3),
    warmCpuOverTcg: tcgNet === null ? null : round(tcgNet / warmCpuMs, 3),
    outputOk: problems.length === 0,
  };
  return { row, problems };
}

/** Shortest start-up of QEMU in both modes (a guest that powers off at once), or null without QEMU. */
function qemuStartup(powerOffElf: string | null, reps: number): ProgramsReport['qemuStartupMs'] {
  if (powerOffElf === null) return null;
  const ms = (args: string[]) => Math.min(...Array.from({ length: reps }, () => spawnTimed(QEMU_BIN, [...args, powerOffElf]).ms));
  return { tcg: ms(QEMU_TCG_ARGS), icount: ms(QEMU_ICOUNT_ARGS) };
}

const gm = (xs: (number | null)[]): number | null => (xs.length === 0 || xs.some((x) => x === null) ? null : round(geomean(xs as number[]), 3));

/** Every suite program, `reps` processes of each kind; `powerOffElf`: the start-up guest (null: QEMU skipped). */
export function benchPrograms(root: string, reps: number, powerOffElf: string | null, onRow: (r: ProgramRow) => void = () => {}): ProgramsReport {
  const version = powerOffElf === null ? null : qemuVersion();
  const startup = version === null ? null : qemuStartup(powerOffElf, Math.max(5, reps));
  const rows: ProgramRow[] = [];
  const problems: string[] = [];
  for (const name of suitePrograms(root)) {
    const r = oneProgram(root, name, reps, startup);
    rows.push(r.row);
    problems.push(...r.problems);
    onRow(r.row);
  }
  return {
    rows, qemu: version ?? 'QEMU not installed: QEMU columns skipped',
    qemuStartupMs: startup === null ? null : { tcg: round(startup.tcg, 1), icount: round(startup.icount, 1) },
    geomean: {
      coldMips: rows.length === 0 ? 0 : round(geomean(rows.map((r) => r.coldMips)), 1),
      firstMips: rows.length === 0 ? 0 : round(geomean(rows.map((r) => r.firstMips)), 1),
      coldOverIcount: gm(rows.map((r) => r.coldOverIcount)), warmOverTcg: gm(rows.map((r) => r.warmOverTcg)), warmCpuOverTcg: gm(rows.map((r) => r.warmCpuOverTcg)),
    },
    problems,
  };
}
