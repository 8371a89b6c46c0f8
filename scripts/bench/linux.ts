// Figure 12: Linux boot (examples/linux, built by `npm run linux`): one VM to /init's banner (linux.elf) as a `lockstep exec` process against QEMU (its JIT and -icount), and the protected pair's run of boot.json (linux-disk.elf, its root on the disk) with its log split into boot and /init's ticking.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProgramBytes } from '../../src/asm/load-program';
import { readScenario } from '../../src/cli/io';
import { Cluster } from '../../src/ft/cluster';
import { withGuestWorkload } from '../../src/ft/guest-workload';
import { NS_PER_MS } from '../../src/ft/sim/units';
import { Machine } from '../../src/machine/machine';
import type { Program } from '../../src/machine/program';
import { StandaloneRun } from '../../src/machine/standalone';
import { QEMU_BIN, qemuVersion } from './qemu';
import { median, round, spawnTimed, timed } from './util';

export const LINUX_ELF = join('examples', 'linux', 'linux.elf');
export const LINUX_SCENARIO = join('examples', 'linux', 'boot.json');
/** The first line /init prints (scripts/linux/init/init.c); the boot ends when its newline is written. */
export const BANNER = 'lockstep /init: hello from Linux';
const RAM_MIB = 64;
/** Bounds of the searches for the banner: far beyond a boot (15.7 M instructions, 16 simulated ms). */
const SEARCH_MAX_INSTRUCTIONS = 200_000_000;
const SEARCH_MAX_MS = 1_000;
const QEMU_TIMEOUT_MS = 120_000;
const QEMU_ARGS = ['-M', 'virt', '-m', `${RAM_MIB}M`, '-nographic', '-bios', 'none'];

export interface LinuxPairRun {
  /** --until-ms of the run, and the simulated ms it ended at. */
  untilMs: number; endMs: number;
  /** Median process wall ms, spawn to exit. */
  wallMs: number;
  /** The primary's instructions retired, and the log's bytes and entries sent, at the end. */
  instret: number; logBytes: number; logEntries: number;
  /** log.bytesByKind of the JSON: time reads, timer, outputs, progress marks, .... */
  logBytesByKind: Record<string, number>;
}

export interface LinuxReport {
  available: boolean;
  /** Why the figure (or its QEMU columns) was skipped; empty when everything ran. */
  note: string;
  reps: number;
  /** One VM: instructions retired once the banner's newline is written (the same in every run). */
  bannerInstret: number;
  /** `lockstep exec --max-instructions bannerInstret` as a process, spawn to exit: each run and the median; MIPS over the median. */
  lockstepMs: number[]; lockstepMedianMs: number; lockstepMips: number;
  /** QEMU's version, or why it was skipped. */
  qemu: string;
  /** QEMU processes, spawn to the banner's newline on its stdout (then killed): medians, JIT and -icount shift=0; null without QEMU. */
  qemuTcgMs: number | null; qemuIcountMs: number | null;
  /** Lockstep's median over QEMU's (target ≤ 1). */
  overTcg: number | null; overIcount: number | null;
  /** The pair (examples/linux/boot.json): simulated ms at which the banner's newline left the primary (after the Output Rule). */
  pairBannerMs: number;
  /** The run stopped just after the banner (--until-ms the next whole ms; /init's "tick 1", written right after the banner, included), and the scenario's own horizon. */
  pairBoot: LinuxPairRun | null; pairFull: LinuxPairRun | null;
  /** Log bytes per million primary instructions: booting (the first run), ticking (the second minus the first). */
  bootBytesPerMInstr: number; tickBytesPerMInstr: number;
  /** Lines /init printed by the end of the longer run ("tick N"). */
  ticks: number;
  problems: string[];
}

/** The figure's report when it cannot run at all. */
function skipped(note: string, reps: number): LinuxReport {
  return {
    available: false, note, reps, bannerInstret: 0, lockstepMs: [], lockstepMedianMs: 0, lockstepMips: 0, qemu: '', qemuTcgMs: null, qemuIcountMs: null,
    overTcg: null, overIcount: null, pairBannerMs: 0, pairBoot: null, pairFull: null, bootBytesPerMInstr: 0, tickBytesPerMInstr: 0, ticks: 0, problems: [],
  };
}

/**
 * Instructions one VM (as `lockstep exec --ram 64` builds it, fast path on) has retired once the banner's
 * newline is written. The environment hears each output with the count of instructions retired before
 * the store that makes it, so the newline is written at that count + 1.
 */
export function bannerInstret(program: Program): number {
  const machine = new Machine({ env: { read: () => 0, output: () => undefined }, ramSize: RAM_MIB * 1024 * 1024 });
  machine.cpu.fastPath = true;
  machine.load(program);
  const run = new StandaloneRun(machine, { maxInstructions: SEARCH_MAX_INSTRUCTIONS });
  const env = run.env;
  const output = env.output.bind(env);
  let text = '';
  let at: number | null = null;
  env.output = (out, instret, pc) => {
    if (out.kind === 'uart' && at === null) {
      text += String.fromCharCode(out.byte);
      if (out.byte === 10 && text.endsWith(`${BANNER}\r\n`)) at = instret + 1;
    }
    output(out, instret, pc);
  };
  while (at === null) {
    const r = run.advance(machine.instret + 1); // whole slices: the run is the one exec makes
    if (r !== null) throw new Error(`one VM stopped (${r.reason}) after ${r.instret} instructions without printing /init's banner`);
  }
  return at;
}

/** Simulated ns at which the pair released the banner's newline to the console, running boot.json in this process. */
export function pairBannerNs(scenarioPath: string, program: Program): number {
  const scenario = withGuestWorkload(readScenario(scenarioPath), program);
  const cluster = new Cluster(scenario, program);
  let at: number | null = null;
  cluster.observer = {
    vmCreated: () => {}, traced: () => {},
    released: (_vm, _seq, atNs) => {
      if (at === null && cluster.main.consoleText.endsWith(`${BANNER}\r\n`)) at = atNs;
    },
  };
  for (let ms = 1; at === null; ms++) {
    if (ms > SEARCH_MAX_MS) throw new Error(`the pair released no banner in ${SEARCH_MAX_MS} simulated ms`);
    cluster.run(ms * NS_PER_MS);
  }
  return at;
}

/** A node child that spawns QEMU, times spawn to the banner's newline on its stdout, kills it, waits for its exit and prints JSON lines. */
const QEMU_WATCH = `
const { spawn } = require('node:child_process');
const [bin, banner, timeoutMs, ...args] = process.argv.slice(1);
const t0 = process.hrtime.bigint();
const q = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
if (q.pid !== undefined) process.stdout.write(JSON.stringify({ pid: q.pid }) + '\\n');
let out = '', done = false;
const finish = (r) => {
  if (done) return;
  done = true;
  clearTimeout(timer);
  q.kill('SIGKILL');
  process.stdout.write(JSON.stringify(r) + '\\n');
};
const timer = setTimeout(() => finish({ error: 'no banner after ' + timeoutMs + ' ms' }), Number(timeoutMs));
q.stdout.setEncoding('latin1');
q.stdout.on('data', (d) => {
  out += d;
  if (out.includes(banner + '\\r\\n') || out.includes(banner + '\\n')) finish({ ms: Number(process.hrtime.bigint() - t0) / 1e6 });
});
q.stderr.resume();
q.on('error', (e) => finish({ error: e.message }));
q.on('exit', (code, signal) => finish({ error: 'QEMU exited (' + (code ?? signal) + ') before the banner: ' + out.slice(-300) }));
`;

/** Kills QEMU `pid` if it is still running as QEMU (the watcher died before it could). */
function killLeftover(pid: number): void {
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'latin1').startsWith(QEMU_BIN)) return;
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

/** One QEMU boot of `elf` to the banner: ms from spawn to its newline on QEMU's stdout. QEMU is killed then, and on any failure. */
function qemuToBanner(elf: string, extra: string[]): number {
  const args = ['-e', QEMU_WATCH, QEMU_BIN, BANNER, String(QEMU_TIMEOUT_MS), ...QEMU_ARGS, ...extra, '-kernel', elf];
  const r = spawnSync(process.execPath, args, { encoding: 'latin1', timeout: QEMU_TIMEOUT_MS + 30_000, killSignal: 'SIGKILL', stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = (r.stdout ?? '').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { pid?: number; ms?: number; error?: string });
  const pid = lines.find((l) => l.pid !== undefined)?.pid;
  if (pid !== undefined) killLeftover(pid); // the watcher waits for QEMU's exit; this covers a watcher that was killed
  const res = lines.find((l) => l.pid === undefined);
  if (res?.ms === undefined) throw new Error(`QEMU ${extra.join(' ')} boot: ${res?.error ?? `watcher failed (${r.status ?? r.signal}): ${r.stderr}`}`);
  return res.ms;
}

/** `lockstep exec` to the banner: wall ms and what it printed (stopped by --max-instructions: exit status 4). */
function execToBanner(root: string, count: number): { ms: number; out: string; err: string; status: number | null } {
  const args = [join(root, 'bin', 'lockstep.js'), 'exec', join(root, LINUX_ELF), '--ram', String(RAM_MIB), '--max-instructions', String(count)];
  const { value: r, ms } = timed(() => spawnSync(process.execPath, args, { encoding: 'latin1', timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 }));
  return { ms, out: r.stdout, err: r.stderr, status: r.status };
}

interface RunJson { ok: boolean; endMs: number; traceHash: string; console: string; vms: { role: string; instret: number }[]; log: { bytes: number; entries: number; bytesByKind: Record<string, number> } }

/** `reps` runs of the pair to `untilMs`, each a process; every run must pass its checkers with one trace hash. */
function pairRuns(root: string, untilMs: number, reps: number, problems: string[]): { run: LinuxPairRun; console: string } {
  const runs = Array.from({ length: reps }, () => {
    const { ms, out } = spawnTimed(process.execPath, [join(root, 'bin', 'lockstep.js'), 'run', join(root, LINUX_SCENARIO), '--json', '--until-ms', String(untilMs)]);
    return { ms, json: JSON.parse(out) as RunJson };
  });
  const j = runs[0].json;
  if (runs.some((r) => !r.json.ok)) problems.push(`${LINUX_SCENARIO} --until-ms ${untilMs}: a checker failed`);
  if (new Set(runs.map((r) => r.json.traceHash)).size > 1) problems.push(`${LINUX_SCENARIO} --until-ms ${untilMs}: different trace hashes over ${reps} runs`);
  const primary = j.vms.find((v) => v.role === 'primary');
  if (primary === undefined) problems.push(`${LINUX_SCENARIO} --until-ms ${untilMs}: no primary at the end`);
  return {
    run: { untilMs, endMs: j.endMs, wallMs: round(median(runs.map((r) => r.ms)), 0), instret: primary?.instret ?? 0, logBytes: j.log.bytes, logEntries: j.log.entries, logBytesByKind: j.log.bytesByKind },
    console: j.console,
  };
}

const perM = (bytes: number, instret: number): number => (instret > 0 ? round((bytes / instret) * 1e6, 0) : 0);

/** The figure: `reps` runs of each kind, medians; skipped with a note when linux.elf is not built (QEMU's columns alone when QEMU is not installed). */
export function benchLinux(root: string, reps: number, log: (line: string) => void = () => {}): LinuxReport {
  const elf = join(root, LINUX_ELF);
  if (!existsSync(elf)) return skipped(`${LINUX_ELF} is not built (npm run linux builds it): figure 12 skipped`, reps);
  const problems: string[] = [];
  const program = loadProgramBytes(elf, readFileSync(elf), { lines: false });
  const count = bannerInstret(program);
  log(`      one VM writes the banner's newline at instruction ${count}`);
  execToBanner(root, 1); // fills the CLI's V8 code cache if nothing has yet, as any earlier run would have
  const execs = Array.from({ length: reps }, () => execToBanner(root, count));
  execs.forEach((e, i) => {
    if (e.status !== 4 || !e.out.endsWith(`${BANNER}\r\n`) || !e.err.includes(`after ${count} instructions`)) {
      problems.push(`lockstep exec --max-instructions ${count}, run ${i + 1}: expected the console to end with /init's banner line (status ${e.status}, ends ${JSON.stringify(e.out.slice(-60))})`);
    }
    if (e.out !== execs[0].out) problems.push(`lockstep exec --max-instructions ${count}, run ${i + 1}: console differs from run 1`);
  });
  const lockstepMedianMs = median(execs.map((e) => e.ms));
  log(`      lockstep exec to the banner: ${round(lockstepMedianMs, 0)} ms`);

  const version = qemuVersion();
  let tcg: number | null = null, icount: number | null = null;
  if (version !== null) {
    tcg = median(Array.from({ length: reps }, () => qemuToBanner(elf, [])));
    icount = median(Array.from({ length: reps }, () => qemuToBanner(elf, ['-icount', 'shift=0'])));
    log(`      QEMU to the banner: ${round(tcg, 0)} ms (JIT), ${round(icount, 0)} ms (-icount shift=0)`);
  }

  // The pair boots the scenario's own program (linux-disk.elf: its root on the shared disk).
  const pairElf = readScenario(join(root, LINUX_SCENARIO)).program;
  const bannerNs = pairBannerNs(join(root, LINUX_SCENARIO), loadProgramBytes(pairElf, readFileSync(pairElf), { lines: false }));
  const bootUntilMs = Math.floor(bannerNs / NS_PER_MS) + 1;
  const fullUntilMs = (JSON.parse(readFileSync(join(root, LINUX_SCENARIO), 'utf8')) as { untilMs: number }).untilMs;
  const boot = pairRuns(root, bootUntilMs, reps, problems);
  const full = pairRuns(root, fullUntilMs, reps, problems);
  // /init writes "tick 1" right after its banner and then sleeps 10 ms: the boot run may hold that line, never a second.
  if (!boot.console.includes(`${BANNER}\r\n`) || boot.console.includes('tick 2')) problems.push(`${LINUX_SCENARIO} --until-ms ${bootUntilMs}: the console should end at /init's banner or its first tick: ${JSON.stringify(boot.console.slice(-80))}`);
  const ticks = (full.console.match(/^tick \d+\r?$/gm) ?? []).length;
  if (ticks === 0) problems.push(`${LINUX_SCENARIO}: /init printed no tick by ${fullUntilMs} ms`);
  log(`      the pair: banner released at ${round(bannerNs / NS_PER_MS, 3)} simulated ms; ${boot.run.wallMs} ms wall to ${bootUntilMs} ms, ${full.run.wallMs} ms wall to ${fullUntilMs} ms`);

  return {
    available: true, note: version === null ? `${QEMU_BIN} is not installed: QEMU columns of figure 12 skipped` : '', reps,
    bannerInstret: count, lockstepMs: execs.map((e) => round(e.ms, 0)), lockstepMedianMs: round(lockstepMedianMs, 0), lockstepMips: round(count / lockstepMedianMs / 1e3, 1),
    qemu: version ?? 'not installed', qemuTcgMs: tcg === null ? null : round(tcg, 0), qemuIcountMs: icount === null ? null : round(icount, 0),
    overTcg: tcg === null ? null : round(lockstepMedianMs / tcg, 2), overIcount: icount === null ? null : round(lockstepMedianMs / icount, 2),
    pairBannerMs: round(bannerNs / NS_PER_MS, 3), pairBoot: boot.run, pairFull: full.run,
    bootBytesPerMInstr: perM(boot.run.logBytes, boot.run.instret),
    tickBytesPerMInstr: perM(full.run.logBytes - boot.run.logBytes, full.run.instret - boot.run.instret),
    ticks, problems,
  };
}
