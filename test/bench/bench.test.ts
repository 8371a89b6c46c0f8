// The benchmark harness in --quick --json mode: every figure is present and a positive number, the guest output checks pass (values are not judged).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BENCH_PROGRAMS } from '../../scripts/bench/cpu';
import type { BenchReport } from '../../scripts/bench/run';
import { formatReport } from '../../scripts/bench/table';
import { suitePrograms } from '../../scripts/bench/programs';

const ROOT = join(__dirname, '..', '..');

function assertPositive(obj: object, keys: string[], where: string): void {
  for (const k of keys) {
    const v = (obj as Record<string, unknown>)[k];
    assert.ok(typeof v === 'number' && Number.isFinite(v) && v > 0, `${where}.${k} = ${String(v)} is not a positive number`);
  }
}

/** Runs `scripts/bench.ts --quick --json` through tsx, as `npm run bench -- --quick --json` would after the build. */
async function quickReport(): Promise<BenchReport> {
  const run = promisify(execFile);
  const args = ['--import', 'tsx', join('scripts', 'bench.ts'), '--quick', '--json'];
  // A guard against a hang, not a speed bound: on a loaded 2-core machine the quick run took over 4 minutes.
  const { stdout } = await run(process.execPath, args, { cwd: ROOT, timeout: 600_000, maxBuffer: 1 << 24 });
  return JSON.parse(stdout) as BenchReport;
}

function checkCpuAndQemu(r: BenchReport): void {
  assert.deepEqual(r.cpu.map((c) => c.name), BENCH_PROGRAMS);
  for (const c of r.cpu) {
    assertPositive(c, ['instret', 'wallMs', 'mips', 'cpuMips', 'coldMips', 'interpWallMs', 'interpMips', 'interpCpuMips'], `cpu ${c.name}`);
    assert.equal(c.outputOk, true, `${c.name}: ${c.problem}`);
  }
  assertPositive(r, ['lockstepGeomeanMips', 'lockstepGeomeanCpuMips', 'lockstepGeomeanColdMips', 'interpGeomeanMips', 'interpGeomeanCpuMips'], 'report');
  if (!r.qemu.available) {
    assert.match(r.qemu.note, /not installed/);
    return;
  }
  assertPositive(r.qemu, ['startupMs', 'geomeanMips', 'geomeanRatio'], 'qemu');
  assert.deepEqual(r.qemu.rows.map((q) => q.name), BENCH_PROGRAMS);
  for (const q of r.qemu.rows) {
    assertPositive(q, ['wallMs', 'netMs', 'mips', 'lockstepOverQemu'], `qemu ${q.name}`);
    assert.equal(q.outputOk, true, `QEMU output of ${q.name}`);
  }
}

function checkFtAndChaos(r: BenchReport): void {
  for (const side of ['on', 'off'] as const) assertPositive(r.ft[side], ['completed', 'meanLatencyMs', 'wallMs', 'primaryInstret'], `ft.${side}`);
  assertPositive(r.ft, ['simMs', 'throughputRatio', 'logBytesPerMInstr', 'logMbitPerSimSec', 'wallRatio', 'wallPerInstrRatio'], 'ft');
  assertPositive(r.ft.cpuBound, ['instret', 'onMs', 'offMs', 'wallRatio', 'parallelMs', 'parallelRatio'], 'ft.cpuBound');
  assertPositive(r.ft.parallel, ['wallMs', 'inThreadWallMs', 'wallRatio'], 'ft.parallel');
  assertPositive(r.ft.cold, ['wallRatio', 'parallelRatio'], 'ft.cold');
  assertPositive(r.ft.cpuBound.cold, ['wallRatio', 'parallelRatio'], 'ft.cpuBound.cold');
  assert.deepEqual(r.ft.problems, []);
  assertPositive(r.chaos, ['seeds', 'wallMs', 'runsPerMinPerCore'], 'chaos');
  assert.ok(Number.isInteger(r.chaos.checkersFailed) && r.chaos.checkersFailed >= 0);
}

function checkAdapter(r: BenchReport): void {
  assert.deepEqual(r.adapter.requests.map((x) => x.kind), ['next (instruction)', 'stepBack (instruction)', 'stackTrace', 'variables (registers)', 'scopes + C Arguments and Locals']);
  for (const x of r.adapter.requests) assertPositive(x, ['samples', 'medianMs', 'p95Ms'], `adapter ${x.kind}`);
  assertPositive(r.adapter.pause, ['samples', 'medianMs', 'maxMs'], 'adapter.pause');
  assertPositive(r.adapter.continueToEnd, ['rounds', 'pairMs', 'oneVmMs', 'ratio'], 'adapter.continueToEnd');
}

/** Figure 8: activation measured when the bundle is built (npm test builds first); the .vsix is not packaged in quick mode. */
function checkExtension(r: BenchReport): void {
  const e = r.extension;
  assert.deepEqual(e.problems, []);
  if (!existsSync(join(ROOT, 'dist', 'extension.js'))) {
    assert.equal(e.activation, null);
    assert.ok(e.notes.some((n) => /not built/.test(n)), e.notes.join('; '));
  } else {
    assert.ok(e.activation, e.notes.join('; '));
    assertPositive(e.activation, ['medianMs', 'maxMs', 'requireMedianMs', 'activateMedianMs'], 'extension.activation');
    assert.equal(e.activation.samples, r.settings.extensionLoads);
    assert.ok(e.activation.maxMs >= e.activation.medianMs);
    assert.equal(e.activation.languageClientStarted, false, 'activation starts no language server');
  }
  assert.equal(e.vsix, null);
  assert.ok(e.notes.some((n) => /not packaged in --quick mode/.test(n)), e.notes.join('; '));
}

/** Figures 9 and 10: every suite program measured cold and warm (and under QEMU when installed) with its output checked; the pair cases ran with every checker ok. */
function checkProgramsAndPairs(r: BenchReport): void {
  assert.deepEqual(r.programs.rows.map((x) => x.name), suitePrograms(ROOT));
  assert.ok(r.programs.rows.length >= 6, `${r.programs.rows.length} suite programs`);
  for (const x of r.programs.rows) {
    assertPositive(x, ['instret', 'firstMs', 'firstMips', 'coldMs', 'coldMips', 'warmMs', 'warmCpuMs', 'warmMips'], `programs ${x.name}`);
    assert.equal(x.outputOk, true, x.name);
    if (r.qemu.available) assertPositive(x, ['qemuTcgMs', 'qemuIcountMs', 'coldOverIcount', 'warmOverTcg', 'warmCpuOverTcg'], `programs ${x.name}`);
  }
  assertPositive(r.programs.geomean, ['coldMips'], 'programs.geomean');
  assert.deepEqual(r.programs.problems, []);
  assert.equal(r.pairOneOff.rows.length, 4);
  for (const x of r.pairOneOff.rows) {
    assertPositive(x, ['oneVmMs', 'pairMs', 'parallelMs', 'pairRatio', 'parallelRatio'], `pair ${x.name}`);
    assert.equal(x.ok, true, x.name);
  }
}

/** Figure 12: Linux to /init's banner on one VM, against QEMU when installed, and on the pair; skipped with a note when linux.elf is not built. */
function checkLinux(r: BenchReport): void {
  const x = r.linux;
  assert.deepEqual(x.problems, []);
  if (!existsSync(join(ROOT, 'examples', 'linux', 'linux.elf'))) {
    assert.equal(x.available, false);
    assert.match(x.note, /not built/);
    return;
  }
  assert.equal(x.available, true);
  assertPositive(x, ['bannerInstret', 'lockstepMedianMs', 'lockstepMips', 'pairBannerMs', 'bootBytesPerMInstr', 'tickBytesPerMInstr', 'ticks'], 'linux');
  assert.equal(x.lockstepMs.length, r.settings.linuxReps);
  for (const run of [x.pairBoot, x.pairFull]) {
    assert.ok(run);
    assertPositive(run, ['untilMs', 'endMs', 'wallMs', 'instret', 'logBytes', 'logEntries'], 'linux pair run');
  }
  assert.ok(x.pairBoot!.untilMs > x.pairBannerMs && x.pairBoot!.untilMs <= x.pairBannerMs + 1, 'the boot run stops in the ms after the banner');
  assert.ok(x.pairFull!.instret > x.pairBoot!.instret && x.pairFull!.logBytes > x.pairBoot!.logBytes);
  if (r.qemu.available) assertPositive(x, ['qemuTcgMs', 'qemuIcountMs', 'overTcg', 'overIcount'], 'linux');
  else assert.match(x.note, /not installed/);
}

test('npm run bench --quick --json reports every figure', { timeout: 660_000 }, async () => {
  const r = await quickReport();
  assert.equal(r.mode, 'quick');
  assert.deepEqual(r.failures, []);
  checkCpuAndQemu(r);
  checkFtAndChaos(r);
  checkAdapter(r);
  checkExtension(r);
  checkProgramsAndPairs(r);
  checkLinux(r);
  const table = formatReport(r);
  for (const note of ['[1]', '[2]', '[3]', '[4]', '[5]', '[6]', '[7]', '[8]', '[9]', '[10]', '[11]', '[12]']) assert.ok(table.includes(`\n${note} `), `footnote ${note} missing`);
  assert.ok(!table.includes('BENCH FAILED'));
  assert.match(formatReport({ ...r, extension: { ...r.extension, vsix: { bytes: 542896, files: 20 } } }), /\n\.vsix: 542,896 bytes, 20 files\n/);
});
