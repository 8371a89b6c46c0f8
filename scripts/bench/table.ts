// Formats a benchmark report as one plain-text table with a footnote line per figure.

import type { BenchReport } from './run';
import { SATURATING_WORKLOAD, SCENARIO, perMInstr } from './ft';
import { BANNER } from './linux';

type Row = string[];
const num = (x: number, digits = 1) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const int = (x: number) => x.toLocaleString('en-US');

/** Pads cells into columns: the first left-aligned, the others right-aligned. */
function columns(rows: Row[]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd());
}

function cpuRows(r: BenchReport): Row[] {
  const q = new Map(r.qemu.rows.map((x) => [x.name, x]));
  const dash = r.qemu.available ? '?' : '—';
  const rows: Row[] = [['program', 'instret', 'interp MIPS [1]', 'fast ms', 'fast MIPS [1]', 'first run', 'CPU-s MIPS', 'QEMU ms [2]', 'QEMU MIPS', 'fast/QEMU', 'output']];
  for (const c of r.cpu) {
    const x = q.get(c.name);
    const ok = c.outputOk && (x?.outputOk ?? true) ? 'ok' : 'WRONG';
    rows.push([c.name, int(c.instret), num(c.interpMips), num(c.wallMs), num(c.mips), num(c.coldMips), num(c.cpuMips),
      x ? num(x.netMs) : dash, x ? num(x.mips) : dash, x ? num(x.lockstepOverQemu, 3) : dash, ok]);
  }
  const qg = r.qemu.available ? [num(r.qemu.geomeanMips), num(r.qemu.geomeanRatio, 3)] : ['—', '—'];
  rows.push(['geometric mean', '', num(r.interpGeomeanMips), '', num(r.lockstepGeomeanMips), num(r.lockstepGeomeanColdMips), num(r.lockstepGeomeanCpuMips), '', ...qg, '']);
  return rows;
}

function ftRows(r: BenchReport): Row[] {
  const { ft, chaos } = r;
  return [
    [`kvstore, no faults, ${ft.simMs} ms simulated`, 'FT on', 'FT off', 'on/off'],
    ['requests completed [3]', int(ft.on.completed), int(ft.off.completed), num(ft.throughputRatio, 3)],
    ['mean client latency, ms [3]', num(ft.on.meanLatencyMs, 3), num(ft.off.meanLatencyMs, 3), num(ft.on.meanLatencyMs / ft.off.meanLatencyMs, 2)],
    ['log bytes per M instructions [3]', int(ft.logBytesPerMInstr), '—', ''],
    ['log bandwidth, Mbit/s simulated [3]', num(ft.logMbitPerSimSec, 2), '—', ''],
    ['wall ms per run: pair vs one VM [4]', num(ft.on.wallMs), num(ft.off.wallMs), num(ft.wallRatio, 2)],
    ['wall ms per M primary instructions [4]', num(perMInstr(ft.on)), num(perMInstr(ft.off)), num(ft.wallPerInstrRatio, 2)],
    [`${ft.cpuBound.program} to power-off, wall ms [4]`, num(ft.cpuBound.onMs), num(ft.cpuBound.offMs), num(ft.cpuBound.wallRatio, 2)],
    ['  secondary on a worker thread, wall ms [4]', num(ft.cpuBound.parallelMs), num(ft.cpuBound.offMs), num(ft.cpuBound.parallelRatio, 2)],
    ['FT on, secondary on a worker thread, wall ms [4]', num(ft.parallel.wallMs), num(ft.off.wallMs), num(ft.parallel.wallRatio, 2)],
    ['  first run of the process: in-thread, worker [4]', num(ft.cold.wallRatio, 2), num(ft.cold.parallelRatio, 2), ''],
    [`  ${ft.cpuBound.program}, first run: in-thread, worker [4]`, num(ft.cpuBound.cold.wallRatio, 2), num(ft.cpuBound.cold.parallelRatio, 2), ''],
    ['  main-thread CPU ms: worker vs in-thread [4]', ft.parallel.mainCpuMs === null ? '—' : int(ft.parallel.mainCpuMs), ft.parallel.inThreadMainCpuMs === null ? '—' : int(ft.parallel.inThreadMainCpuMs), ''],
    [`chaos runs/min per core, failover.json at 300 ms [5]`, num(chaos.runsPerMinPerCore), '', ''],
    [`chaos runs/min per core, four guests, drawn horizons [5]`, num(chaos.guests.runsPerMinPerCore), `${num(chaos.guests.simSecondsPerMin)} simulated s/min`, ''],
  ];
}

function footnotes(r: BenchReport): string[] {
  const s = r.settings;
  const w = SATURATING_WORKLOAD;
  return [
    `[1] in-process loadElf + Machine + runStandalone, wall clock (hrtime) from load to power-off, median of ${s.cpuReps} run(s) per mode after a 50 M-instruction warm-up of the interpreter; MIPS = instret / wall. interp: Cpu.fastPath off (the reference interpreter). fast: the fast path (loops translated to JS functions once the interpreter has run 20,000 instructions from their head, src/machine/jit*.ts); first run: the first fast-path run of that ELF in the process, every region compiled and optimised by V8 during it (later runs reuse the process-wide cache of region functions); CPU-s MIPS: fast path / this process's user+system CPU time (V8's compiler threads included), less hurt by other load. UART output of every run compared with examples/bench/*.expected.txt.`,
    r.qemu.available
      ? `[2] ${r.qemu.version}, -M virt -bios none -nographic -icount shift=0: median process wall time of ${s.qemuReps} run(s) minus the start-up cost ${num(r.qemu.startupMs)} ms (median of ${Math.max(3, s.qemuReps)} runs of a guest that powers off at once, assembled by Lockstep); QEMU MIPS = Lockstep's instret / that time; fast/QEMU = fast MIPS / QEMU MIPS.`
      : `[2] ${r.qemu.note}.`,
    `[3] ${SCENARIO} with faults removed, ${w.clients} closed-loop clients at up to ${int(w.ratePerSec)} req/s each, ${r.ft.simMs} ms simulated, ft.enabled true vs false; completed = replies ok; log figures from the FT-on run (bytes*8 / simulated seconds).`,
    `[4] wall time of runScenario for the same ${r.ft.simMs} simulated ms, FT off, FT on, and FT on with the secondary on a worker thread (--parallel-secondary, same trace hash), run in turn: ${s.ftWarmups} warm-up round(s), then ${s.ftReps} measured round(s) (identical trace hash each time); ms = median over the rounds, ratio = median over the rounds of the two modes' times in the same round (a paired comparison: this shared machine's speed drifts over seconds); per run and per million instructions retired by the primary (the single VM serves more requests, so it retires more). The first runs of the process (nothing compiled yet by the fast path or V8) are shown as ratios apart. ${r.ft.cpuBound.program}: examples/bench/${r.ft.cpuBound.program}.elf (${int(r.ft.cpuBound.instret)} instructions) with no clients run to power-off, the same three modes and rounds: the cost of the secondary's replay alone (its log holds only progress marks). Main-thread CPU from /proc/self/task.`,
    `[5] chaosScenario(failover.json, seed, 300 ms) + runScenario for seeds 1..${r.chaos.seeds} on one thread: ${num(r.chaos.wallMs / 1000, 1)} s, ${r.chaos.checkersFailed} seed(s) with a failed checker; the four-guest campaign (kvstore, ticker, diskhog, crc32 in turn, 0.8-3 s horizons): ${num(r.chaos.guests.wallMs / 1000, 1)} s, ${r.chaos.guests.checkersFailed} failing.`,
    `[6] TimeMachine over the kvstore pair (${SATURATING_WORKLOAD.clients} clients, no faults), run until the primary retired N instructions, then ${r.reverse[0]?.samples ?? 0} successive one-instruction step-backs timed with hrtime (each restores the nearest checkpoint and re-executes the cluster); memory = RAM pages held by checkpoints and not shared with an earlier checkpoint, over the guest RAM of all VMs.`,
    `[7] @vscode/debugadapter-testsupport DebugClient in a child process against node ${r.adapter.adapter} (stdin/stdout): examples/kvstore/kvstore.elf stopped on entry, ${r.adapter.requests[0]?.samples ?? 0} of each request in a row, hrtime from sending the request to its response (next and stepBack: to the stopped event); then stopped at a function breakpoint on table_put, scopes plus the variables of its C Arguments and Locals (DWARF) as one round; pause: a two-instruction assembly loop free-running, pause sent 100 ms after each continue, time to the stopped event (median and max of ${r.adapter.pause.samples}); Continue to power-off: examples/bench/crc32-rv32im.elf launched stopped on entry with ft.enabled true (the in-thread pair, checkpoints for time travel included) and false, in turn, a new adapter each, time from continue to the stopped event at its power-off; the ratio is the median of the same-round ratios.`,
  ];
}

const opt = (x: number | null, digits = 1) => (x === null ? '—' : num(x, digits));

function programRows(r: BenchReport): Row[] {
  const p = r.programs;
  const rows: Row[] = [['real program [9]', 'instret', 'first ms', 'first MIPS', 'cold ms', 'cold MIPS', 'QEMU -icount ms', 'cold/-icount', 'QEMU JIT ms', 'warm ms', 'warm MIPS', 'warm vs JIT', 'CPU vs JIT', 'output']];
  for (const x of p.rows) {
    rows.push([x.name, int(x.instret), num(x.firstMs), num(x.firstMips), num(x.coldMs), num(x.coldMips), opt(x.qemuIcountMs), opt(x.coldOverIcount, 3), opt(x.qemuTcgMs), num(x.warmMs), num(x.warmMips), opt(x.warmOverTcg, 3), opt(x.warmCpuOverTcg, 3), x.outputOk ? 'ok' : 'WRONG']);
  }
  const g = p.geomean;
  rows.push(['geometric mean', '', '', num(g.firstMips), '', num(g.coldMips), '', opt(g.coldOverIcount, 3), '', '', '', opt(g.warmOverTcg, 3), opt(g.warmCpuOverTcg, 3), '']);
  return rows;
}

function pairRows(r: BenchReport): Row[] {
  const rows: Row[] = [['protected pair, one process [10]', 'one VM', 'one VM ms', 'pair ms', 'pair/one', 'worker ms', 'worker/one', 'checks']];
  for (const x of r.pairOneOff.rows) rows.push([x.name, x.oneVm, num(x.oneVmMs), num(x.pairMs), num(x.pairRatio, 2), num(x.parallelMs), num(x.parallelRatio, 2), x.ok ? 'ok' : 'FAILED']);
  return rows;
}

function clusterRows(r: BenchReport): Row[] {
  const x = r.cluster;
  return [
    ['cluster, one process [11]', 'hosts', 'VMs (FT)', 'simulated ms', 'wall ms', 'simulated/wall', 'failovers', 'checks'],
    [x.scenario, int(x.hosts), `${int(x.vms)} (${int(x.ftVms)})`, num(x.simMs), num(x.medianWallMs), num(x.simPerWall, 3), int(x.failovers), x.ok ? 'ok' : 'FAILED'],
  ];
}

/** Figure 12 as two blocks: one VM against QEMU, then the protected pair's two runs and their difference. */
function linuxRows(r: BenchReport): Row[][] {
  const x = r.linux;
  if (!x.available) return [[['Linux boot [12]'], [x.note]]];
  const one: Row[] = [
    ['Linux boot, to /init\'s banner [12]', 'instructions', 'wall ms', 'MIPS', 'QEMU JIT ms', 'QEMU -icount ms', 'Lockstep/JIT', 'Lockstep/-icount', 'checks'],
    ['one VM: lockstep exec', int(x.bannerInstret), num(x.lockstepMedianMs, 0), num(x.lockstepMips), opt(x.qemuTcgMs, 0), opt(x.qemuIcountMs, 0), opt(x.overTcg, 2), opt(x.overIcount, 2), x.problems.length === 0 ? 'ok' : 'FAILED'],
  ];
  const b = x.pairBoot, f = x.pairFull;
  if (b === null || f === null) return [one];
  const pair: Row[] = [
    ['protected pair, examples/linux/boot.json [12]', 'simulated ms', 'wall ms', 'primary instructions', 'log bytes', 'log bytes / M instructions'],
    [`booting: to ${b.untilMs} ms (banner out at ${num(x.pairBannerMs, 3)} ms)`, int(b.endMs), num(b.wallMs, 0), int(b.instret), int(b.logBytes), int(x.bootBytesPerMInstr)],
    [`the whole run: to ${f.untilMs} ms`, int(f.endMs), num(f.wallMs, 0), int(f.instret), int(f.logBytes), int(perM(f.logBytes, f.instret))],
    [`/init ticking: ${b.untilMs}-${f.untilMs} ms (${x.ticks} ticks by the end)`, int(f.endMs - b.endMs), '', int(f.instret - b.instret), int(f.logBytes - b.logBytes), int(x.tickBytesPerMInstr)],
  ];
  return [one, pair];
}

const perM = (bytes: number, instret: number): number => (instret > 0 ? Math.round((bytes / instret) * 1e6) : 0);

function reverseRows(r: BenchReport): Row[] {
  const rows: Row[] = [['reverse step [6]', 'median ms', 'p95 ms', 'simulated ms', 'checkpoints', 'memory / guest RAM']];
  for (const x of r.reverse) rows.push([`at ${x.depthInstr.toExponential(0)} instructions`, num(x.medianMs, 2), num(x.p95Ms, 2), num(x.simMs), int(x.checkpoints), num(x.memoryOverRam, 3)]);
  return rows;
}

function adapterRows(r: BenchReport): Row[] {
  const rows: Row[] = [['debug adapter request [7]', 'median ms', 'p95 ms', 'samples']];
  for (const x of r.adapter.requests) rows.push([x.kind, num(x.medianMs, 2), num(x.p95Ms, 2), int(x.samples)]);
  rows.push(['pause, runaway guest (max for p95)', num(r.adapter.pause.medianMs, 2), num(r.adapter.pause.maxMs, 2), int(r.adapter.pause.samples)]);
  const c = r.adapter.continueToEnd;
  rows.push(['Continue to power-off, crc32: pair / one VM', `${num(c.pairMs, 0)} / ${num(c.oneVmMs, 0)}`, `ratio ${num(c.ratio, 2)}`, int(c.rounds)]);
  return rows;
}

function extensionRows(r: BenchReport): Row[] {
  const a = r.extension.activation;
  const v = r.extension.vsix;
  return [
    ['VS Code extension [8]', 'median ms', 'max ms', 'samples'],
    a ? ['activation: require + activate()', num(a.medianMs, 2), num(a.maxMs, 2), int(a.samples)] : ['activation: require + activate()', '—', '—', ''],
    a ? ['  of which activate()', num(a.activateMedianMs, 2), '', ''] : ['  of which activate()', '—', '', ''],
    [v ? `.vsix: ${int(v.bytes)} bytes, ${int(v.files)} files` : '.vsix: —', '', '', ''],
  ];
}

function programsNote(r: BenchReport): string[] {
  const p = r.programs;
  const st = p.qemuStartupMs;
  return [
    `[9] examples/suite: real C programs (-O2, rv32imac), ${r.settings.programReps} run(s) of each kind, medians. first: node bin/lockstep.js exec ELF as a new process, spawn to exit (node's start, loading the CLI, translating and compiling included), with an empty cache folder each time, as the first run after installing; cold: the same once Lockstep has run before, the CLI bundle compiled from V8's code cache (the run that filled it not counted); MIPS = instret / that time. QEMU: ${p.qemu}${st ? ` (-icount shift=0, and its JIT at full speed), whole processes, the shortest of the runs; start-up (shortest of five) ${num(st.icount)} / ${num(st.tcg)} ms` : ''}. cold/-icount: Lockstep's process over QEMU -icount's (target ≤ 1). warm: in this process after six runs of the ELF (translations cached, V8 optimised; each run's RAM reused, zeroed, by the next, as lockstep chaos does: a fresh 16 MiB buffer costs 45-65 ms of page faults here); warm vs JIT: QEMU JIT's process time net of its start-up over Lockstep's warm wall time (target ≥ 1), CPU vs JIT: the same over this process's CPU time (V8's compiler and GC threads included).`,
    `[11] node bin/lockstep.js run ${r.cluster.scenario} --json --until-ms ${r.settings.clusterSimMs} as a new process, spawn to exit: 16 hosts, 8 FT VMs running kvstore with the kvstore example's load (2 clients, 1 000 requests/s each), 56 idle VMs sleeping in wfi, esx-01 crashing at 500 ms; ${r.settings.clusterReps} run(s), median wall (target: 1 simulated second in under 10 s), every run's checkers ok and one trace hash.`,
    `[10] node bin/lockstep.js run SCENARIO --json as a new process, spawn to exit, in-thread and with --parallel-secondary, against one VM in the same round: lockstep exec of the same ELF (crc32-rv32im, 98.8 M instructions, no clients), or the same scenario with ft.enabled false and no faults (kvstore); ${r.settings.pairReps} round(s), ratio = median of the per-round ratios (target ≤ 1.3).`,
  ];
}

/** The three largest kinds of a log's bytes, with their shares: "marks 57%, outputs 29%, time 14%". */
function kinds(byKind: Record<string, number>): string {
  const total = Object.values(byKind).reduce((a, b) => a + b, 0);
  const top = Object.entries(byKind).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).slice(0, 3);
  return total === 0 ? 'none' : top.map(([k, v]) => `${k} ${Math.round((v / total) * 100)}%`).join(', ');
}

const diffKinds = (a: Record<string, number>, b: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v - (b[k] ?? 0)]));

function linuxNote(r: BenchReport): string {
  const x = r.linux;
  if (!x.available) return `[12] ${x.note}.`;
  const b = x.pairBoot, f = x.pairFull;
  const qemu = x.qemuTcgMs === null
    ? `QEMU: ${x.note}.`
    : `QEMU: ${x.qemu}, qemu-system-riscv32 -M virt -m 64M -nographic -bios none -kernel linux.elf (and with -icount shift=0), spawn to the banner's newline on its stdout (read by a node child that spawned it), then killed; QEMU boots the same ELF to the same banner, but its instruction count is not known, so only wall times are compared; Lockstep/QEMU = Lockstep's median wall over QEMU's.`;
  return [
    `[12] examples/linux/linux.elf (SBI firmware + Linux 6.1 rv32, 64 MiB RAM; npm run linux), ${x.reps} run(s) of each kind, medians. One VM: the instruction count at which /init's banner ("${BANNER}") has its newline written is found once in this process (Machine, fast path on, the exec run loop in whole slices, the UART output watched); then node bin/lockstep.js exec linux.elf --ram 64 --max-instructions that count is timed as a process, spawn to exit (the CLI's V8 code cache filled first by an untimed run), and each run's console must end with the banner line, the same in every run; MIPS = instructions / that wall time.`,
    qemu,
    b === null || f === null ? '' : `The pair: node bin/lockstep.js run examples/linux/boot.json --json --until-ms T as a process, spawn to exit, for two horizons: T = ${b.untilMs}, the first whole simulated ms after the banner's newline left the primary (at ${num(x.pairBannerMs, 3)} ms, found once by running the scenario in this process and watching the released console; /init's "tick 1", written right after the banner, falls in it too), and T = ${f.untilMs}, the scenario's own horizon (the secondary where --secondary auto puts it: in-thread while the primary's host could run under 5×10⁸ instructions to the horizon); every run's checkers ok, one trace hash per horizon. Log bytes = the JSON's log.bytes (every byte sent on the logging channel), instructions = the primary's instret (vms[role=primary]); booting = the first run's bytes / instructions; ticking = (second - first) bytes / (second - first) instructions: /init sleeps in wfi between ticks, so few instructions carry many entries. Largest kinds of log.bytesByKind: booting ${kinds(b.logBytesByKind)}; ticking ${kinds(diffKinds(f.logBytesByKind, b.logBytesByKind))}.`,
  ].filter((t) => t !== '').join(' ');
}

function extensionNote(r: BenchReport): string {
  const a = r.extension.activation;
  const notes = r.extension.notes.length > 0 ? ` ${r.extension.notes.join('; ')}.` : '';
  return `[8] dist/extension.js loaded with require() and activated against the tests' stand-in vscode module (test/helpers/vscode-stand-in.ts), one cold load per fresh node process, hrtime; language server started at activation: ${a ? (a.languageClientStarted ? 'YES' : 'no') : '—'}. .vsix: vsce package --no-dependencies into a scratch folder, file size and files under extension/.${notes}`;
}

export function formatReport(r: BenchReport): string {
  const top = columns(cpuRows(r));
  const bottom = columns(ftRows(r));
  const rev = columns(reverseRows(r));
  const dap = columns(adapterRows(r));
  const ext = columns(extensionRows(r));
  const progs = columns(programRows(r));
  const pairs = columns(pairRows(r));
  const clus = columns(clusterRows(r));
  const linux = linuxRows(r).map(columns);
  const width = Math.max(...[top, progs, pairs, clus, ...linux, bottom, rev, dap, ext].flat().map((l) => l.length));
  const rule = '─'.repeat(width);
  const title = `Lockstep benchmark — ${r.mode} mode, node ${r.node}, ${r.cores} cores, ${num(r.totalWallMs / 1000, 0)} s`;
  const lines = [title, rule, top[0], rule, ...top.slice(1), rule, progs[0], rule, ...progs.slice(1), rule, pairs[0], rule, ...pairs.slice(1), rule, clus[0], rule, ...clus.slice(1), rule, ...linux.flatMap((t) => [t[0], rule, ...t.slice(1), rule]), bottom[0], rule, ...bottom.slice(1), rule, rev[0], rule, ...rev.slice(1), rule, dap[0], rule, ...dap.slice(1), rule, ext[0], rule, ...ext.slice(1), rule, ...footnotes(r), extensionNote(r), ...programsNote(r), linuxNote(r)];
  if (r.failures.length > 0) lines.push('', 'BENCH FAILED:', ...r.failures.map((f) => `  ${f}`));
  return lines.join('\n');
}
