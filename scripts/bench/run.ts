// Runs every figure of the benchmark in order and gathers them into one report (used by scripts/bench.ts and its test).

import { cpus } from 'node:os';
import { benchAdapter, type AdapterReport } from './adapter';
import { benchChaos, type ChaosReport } from './chaos';
import { benchCpu, type CpuRow } from './cpu';
import { benchExtension, type ExtensionReport } from './extension';
import { benchFt, type FtReport } from './ft';
import { benchQemu, qemuVersion, writePowerOffElf, type QemuReport } from './qemu';
import { benchPrograms, type ProgramsReport } from './programs';
import { benchPairOneOff, type PairReport } from './pair-oneoff';
import { benchCluster, type ClusterReport } from './cluster';
import { benchLinux, type LinuxReport } from './linux';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchReverse, type ReverseRow } from './reverse';
import { geomean, repoRoot, round } from './util';

export interface BenchOptions { quick: boolean; log?: (line: string) => void }

/** Repetitions and sizes of each mode: full ≈ 3 min (the real programs ≈ 70 s, the Linux boot ≈ 60 s, the .vsix packaging ≈ 10 s), quick ≈ 60 s on two idle cores. */
export const MODES = {
  full: { programReps: 3, pairReps: 3, clusterReps: 3, clusterSimMs: 1000, linuxReps: 3, cpuReps: 5, qemuReps: 5, simMs: 1000, ftWarmups: 5, ftReps: 7, chaosSeeds: 20, reverseDepths: [1e6, 1e7, 1e8], adapterReps: 200, adapterPauses: 10, extensionLoads: 10, packageVsix: true },
  quick: { programReps: 1, pairReps: 1, clusterReps: 1, clusterSimMs: 100, linuxReps: 1, cpuReps: 1, qemuReps: 1, simMs: 100, ftWarmups: 1, ftReps: 1, chaosSeeds: 3, reverseDepths: [1e6], adapterReps: 20, adapterPauses: 3, extensionLoads: 3, packageVsix: false },
};

export interface BenchReport {
  mode: 'full' | 'quick';
  node: string;
  cores: number;
  settings: (typeof MODES)['full'];
  cpu: CpuRow[];
  /** Geometric means over the benchmark ELFs: fast path (median run, CPU-s, first run) and interpreter. */
  lockstepGeomeanMips: number;
  lockstepGeomeanCpuMips: number;
  lockstepGeomeanColdMips: number;
  interpGeomeanMips: number;
  interpGeomeanCpuMips: number;
  qemu: QemuReport & { geomeanMips: number; geomeanRatio: number };
  /** Real C programs, one-off processes and warm, against QEMU's JIT and -icount (figure 9). */
  programs: ProgramsReport;
  /** A protected pair as one `lockstep run` process against one VM (figure 10). */
  pairOneOff: PairReport;
  /** A 16-host, 64-VM cluster for 1 simulated second as one `lockstep run` process (figure 11). */
  cluster: ClusterReport;
  /** Linux to /init's banner: one VM against QEMU, and the protected pair's log while booting and while /init ticks (figure 12). */
  linux: LinuxReport;
  ft: FtReport;
  chaos: ChaosReport;
  reverse: ReverseRow[];
  adapter: AdapterReport;
  extension: ExtensionReport;
  failures: string[];
  totalWallMs: number;
}

/** Every check that makes the bench fail loudly: wrong guest output, a failed checker, a nondeterministic run. */
function failuresOf(cpu: CpuRow[], qemu: QemuReport, ft: FtReport, programs: ProgramsReport, pair: PairReport): string[] {
  return [
    ...programs.problems,
    ...pair.problems,
    ...cpu.filter((r) => !r.outputOk).map((r) => `Lockstep ${r.name}: ${r.problem}`),
    ...qemu.rows.filter((r) => !r.outputOk).map((r) => `QEMU ${r.name}: UART output differs from ${r.name}.expected.txt`),
    ...ft.problems,
  ];
}

/** The geometric means of figure 1. */
function cpuGeomeans(cpu: CpuRow[]): Pick<BenchReport, 'lockstepGeomeanMips' | 'lockstepGeomeanCpuMips' | 'lockstepGeomeanColdMips' | 'interpGeomeanMips' | 'interpGeomeanCpuMips'> {
  const g = (f: (r: CpuRow) => number): number => round(geomean(cpu.map(f)), 1);
  return {
    lockstepGeomeanMips: g((r) => r.mips), lockstepGeomeanCpuMips: g((r) => r.cpuMips), lockstepGeomeanColdMips: g((r) => r.coldMips),
    interpGeomeanMips: g((r) => r.interpMips), interpGeomeanCpuMips: g((r) => r.interpCpuMips),
  };
}

export function runBench(opts: BenchOptions): BenchReport {
  const t0 = process.hrtime.bigint();
  const log = opts.log ?? (() => {});
  const mode = opts.quick ? 'quick' : 'full';
  const s = MODES[mode];
  const root = repoRoot();
  log(`[1/5] Lockstep on ${mode === 'quick' ? 'one run' : `${s.cpuReps} runs`} of each benchmark ELF`);
  const cpu = benchCpu(root, s.cpuReps, (r) => log(`      ${r.name}: interpreter ${r.interpMips} MIPS, fast path ${r.mips} MIPS`));
  log('[2/5] the same ELFs under QEMU');
  const q = benchQemu(root, cpu, s.qemuReps, (r) => log(`      ${r.name}: ${r.mips} MIPS`));
  const qemu = {
    ...q,
    geomeanMips: q.available ? round(geomean(q.rows.map((r) => r.mips)), 1) : 0,
    geomeanRatio: q.available ? round(geomean(q.rows.map((r) => r.lockstepOverQemu)), 3) : 0,
  };
  const scratch = mkdtempSync(join(tmpdir(), 'lockstep-bench-'));
  let programs: ProgramsReport, pairOneOff: PairReport;
  try {
    log(`[9] real C programs (examples/suite): lockstep exec as a new process, warm runs, QEMU's JIT and -icount`);
    programs = benchPrograms(root, s.programReps, qemuVersion() === null ? null : writePowerOffElf(scratch), (r) => log(`      ${r.name}: cold ${r.coldMips} MIPS from process start, warm ${r.warmMips} MIPS`));
    log(`[10] protected pairs as one lockstep run process against one VM`);
    pairOneOff = benchPairOneOff(root, scratch, s.pairReps, (r) => log(`      ${r.name}: pair ${r.pairRatio}x, worker secondary ${r.parallelRatio}x one VM`));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  log(`[11] a cluster of 16 hosts and 64 VMs (8 FT) for ${s.clusterSimMs} simulated ms, one lockstep run process`);
  const cluster = benchCluster(root, s.clusterReps, s.clusterSimMs);
  log(`      ${cluster.medianWallMs} ms wall (target: 1 simulated second in under 10 000 ms)`);
  log(`[12] Linux boot to /init's banner: lockstep exec against QEMU, and the protected pair, ${s.linuxReps} run(s) of each`);
  const linux = benchLinux(root, s.linuxReps, log);
  if (linux.note !== '') log(`      ${linux.note}`);
  log(`[3/5] [4/5] kvstore without faults, FT on and off, ${s.simMs} ms simulated`);
  const ft = benchFt(root, s.simMs, s.ftWarmups, s.ftReps);
  log(`[5/5] chaos, ${s.chaosSeeds} seeds`);
  const chaos = benchChaos(root, s.chaosSeeds);
  log(`[6/6] reverse steps at ${s.reverseDepths.map((d) => d.toExponential(0)).join(', ')} instructions`);
  const reverse = benchReverse(root, s.reverseDepths);
  log(`[7/7] debug adapter: ${s.adapterReps} requests of each kind, ${s.adapterPauses} pauses`);
  const adapter = benchAdapter(root, s.adapterReps, s.adapterPauses);
  log(`[8/8] VS Code extension: ${s.extensionLoads} cold loads of dist/extension.js${s.packageVsix ? ', vsce package' : ''}`);
  const extension = benchExtension(root, s.extensionLoads, s.packageVsix);
  return {
    mode, node: process.version, cores: cpus().length, settings: s, cpu,
    ...cpuGeomeans(cpu),
    qemu, programs, pairOneOff, cluster, linux, ft, chaos, reverse, adapter, extension,
    failures: [...failuresOf(cpu, qemu, ft, programs, pairOneOff), ...cluster.problems, ...linux.problems, ...extension.problems], totalWallMs: round(Number(process.hrtime.bigint() - t0) / 1e6, 0),
  };
}
