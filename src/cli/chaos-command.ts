// `lockstep chaos SCENARIO.json… --seeds N`: seeded fault campaigns over one or more guests, across worker threads; every failing seed is reported, shrunk and saved on request.

import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { chaosScenario, type ChaosOptions } from '../ft/chaos';
import { runScenario } from '../ft/report';
import { withGuestWorkload } from '../ft/guest-workload';
import { shrinkFailure } from '../ft/shrink';
import { RamPool } from './ram-pool';
import type { Program } from '../machine/program';
import { WHAT_IF_SWITCHES, type Scenario, type WhatIfSwitch } from '../ft/scenario';
import { describeFault } from '../ft/faults';
import { errorCode, Io, intFlag, outputDirFlag, parseArgs, readProgramFile, readScenario, readVmPrograms, stringFlag, UsageError, writeFileAtomic } from './io';
import { encodeRecording } from '../replay/recording';
import { recordingOf } from '../replay/replay-run';
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';

export const CHAOS_USAGE = 'lockstep chaos SCENARIO.json [MORE.json…] --seeds N [--first S] [--jobs J] [--until-ms MS] [--json] [--save-failures DIR] [--what-if-no-output-rule] [--what-if-off PART,…]';

export interface SeedResult { seed: number; guest: string; ok: boolean; failed: { name: string; detail: string }[]; traceHash: string; failovers: number; recording?: string; shrunk?: string[] }

/** One guest of a campaign: its scenario and program. Seed number `first + i` runs guest `i mod guests`. */
interface Guest { name: string; scenario: Scenario; program: Program; bytes: Uint8Array; programs?: Map<string, Program>; vmBytes?: Map<string, Uint8Array> }
interface WorkerJob { guests: Guest[]; seeds: { seed: number; guest: number }[]; opts: ChaosOptions }

/** This thread's reused guest RAM (each worker thread has its own). */
const ramPool = new RamPool();

/** A seed whose run threw: a bug in Lockstep, reported as that seed's failure so the campaign goes on and names it. */
export const INTERNAL_ERROR = 'internal-error';

function runSeed(g: Guest, seed: number, opts: ChaosOptions): SeedResult {
  try {
    return runSeedChecked(g, seed, opts);
  } catch (e) {
    const where = (e as Error).stack?.split('\n')[1]?.trim() ?? '';
    return { seed, guest: g.name, ok: false, traceHash: '', failovers: 0, failed: [{ name: INTERNAL_ERROR, detail: `${(e as Error).message} ${where}` }] };
  }
}

function runSeedChecked(g: Guest, seed: number, opts: ChaosOptions): SeedResult {
  const { cluster, summary } = runScenario(chaosScenario(g.scenario, seed, opts), g.program, { ramSource: ramPool, programs: g.programs });
  ramPool.recycle(cluster);
  return {
    seed, guest: g.name, ok: summary.ok, traceHash: summary.traceHash, failovers: summary.failovers.length,
    failed: summary.invariants.filter((c) => !c.ok).map((c) => ({ name: c.name, detail: c.detail })),
  };
}

/** In a worker thread started by the chaos command: run the seeds handed over, report each. Returns true if it was a worker. */
export function runChaosWorkerIfWorker(): boolean {
  if (isMainThread || (workerData as { lockstepChaos?: boolean } | null)?.lockstepChaos !== true) return false;
  const job = (workerData as { job: WorkerJob }).job;
  for (const s of job.seeds) parentPort!.postMessage(runSeed(job.guests[s.guest], s.seed, job.opts));
  return true;
}

function whatIfOverrides(args: ReturnType<typeof parseArgs>): Record<string, unknown> {
  const expects = `a comma-separated list of ${WHAT_IF_SWITCHES.join(', ')}`;
  const given = stringFlag(args, 'what-if-off', expects);
  const off = (given ?? '').split(',').filter((x) => x !== '');
  if (given !== undefined && off.length === 0) throw new UsageError(`--what-if-off expects ${expects}, got ${JSON.stringify(given)}`);
  for (const x of off) if (!WHAT_IF_SWITCHES.includes(x as WhatIfSwitch)) throw new UsageError(`--what-if-off: unknown part ${JSON.stringify(x)} (one of ${WHAT_IF_SWITCHES.join(', ')})`);
  const whatIf: Record<string, unknown> = {};
  if (args.flags.has('what-if-no-output-rule')) whatIf.outputRule = false;
  if (off.length > 0) whatIf.disable = off;
  return Object.keys(whatIf).length > 0 ? { whatIf } : {};
}

export async function chaosCommand(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, ['json', 'what-if-no-output-rule'], ['seeds', 'first', 'jobs', 'save-failures', 'until-ms', 'what-if-off']);
  if (args.positional.length < 1 || !args.flags.has('seeds')) throw new UsageError(`usage: ${CHAOS_USAGE}`);
  const count = intFlag(args, 'seeds', 100, 1, 10_000_000);
  const first = intFlag(args, 'first', 1, 0, 0xffffffff);
  if (first + count - 1 > 0xffffffff) throw new UsageError(`--first ${first} and --seeds ${count} go past the last seed, 4294967295`);
  const jobs = intFlag(args, 'jobs', Math.max(1, availableParallelism()), 1, 64);
  const opts: ChaosOptions = args.flags.has('until-ms') ? { untilMs: intFlag(args, 'until-ms', 1000, 1, 3_600_000) } : {};
  const overrides = whatIfOverrides(args);
  // Checked before the campaign, written after it: a file where the folder should be must not cost the whole campaign.
  const saveDir = outputDirFlag(args, 'save-failures');
  const guests: Guest[] = args.positional.map((path) => {
    const scenario = readScenario(path, overrides);
    const file = readProgramFile(scenario.program);
    const vms = readVmPrograms(scenario);
    return { name: basename(path), scenario: withGuestWorkload(scenario, file.program), ...file, programs: vms?.programs, vmBytes: vms?.bytes };
  });
  const seeds = Array.from({ length: count }, (_, i) => ({ seed: first + i, guest: i % guests.length }));
  const progress = new Progress(io, count);
  const startedMs = performance.now();
  const cores = jobs === 1 || !canSpawnWorkers() ? 1 : Math.min(jobs, count);
  const results = jobs === 1 || !canSpawnWorkers()
    ? seeds.map((s) => progress.add(runSeed(guests[s.guest], s.seed, opts)))
    : await runInWorkers(guests, seeds, opts, jobs, (r) => progress.add(r));
  progress.done();
  results.sort((a, b) => a.seed - b.seed);
  const failures = results.filter((r) => !r.ok);
  if (saveDir !== undefined) {
    for (const f of failures) Object.assign(f, saveFailure(saveDir, guests.find((g) => g.name === f.guest)!, f, opts, argv));
  }
  if (args.flags.has('json')) {
    io.stdout(`${JSON.stringify({ seeds: count, first, guests: guests.map((g) => g.name), failures: failures.length, failing: failures })}\n`);
  } else {
    for (const f of failures) io.stdout(failureText(f, guests.length > 1));
    const per = guests.length > 1 ? ` over ${guests.length} guests (${guests.map((g) => g.name).join(', ')})` : '';
    const took = `(${durationText(performance.now() - startedMs)} on ${cores} ${cores === 1 ? 'core' : 'cores'})`;
    io.stdout(`${count} seeds${per}, ${failures.length} failing, ${results.reduce((a, r) => a + r.failovers, 0)} failovers   ${took}\n`);
  }
  return failures.length === 0 ? 0 : 1;
}

function failureText(f: SeedResult, named: boolean): string {
  const lines = [`seed ${f.seed}${named ? ` (${f.guest})` : ''}: ${f.failed.map((x) => `${x.name}: ${x.detail}`).join('; ')}`];
  if (f.shrunk !== undefined) lines.push(`  fewest faults that still fail: ${f.shrunk.length === 0 ? 'none (it fails without faults)' : f.shrunk.join(' · ')}`);
  if (f.recording !== undefined) lines.push(`  saved: ${f.recording} (lockstep replay ${f.recording})`);
  return `${lines.join('\n')}\n`;
}

/** Workers re-run this very bundle; under a TypeScript loader (tests) there is no bundle to run. */
function canSpawnWorkers(): boolean {
  return __filename.endsWith('.js');
}

function runInWorkers(guests: Guest[], seeds: WorkerJob['seeds'], opts: ChaosOptions, jobs: number, onResult: (r: SeedResult) => void): Promise<SeedResult[]> {
  const out: SeedResult[] = [];
  const chunks = Array.from({ length: Math.min(jobs, seeds.length) }, (_, j) => seeds.filter((_, i) => i % jobs === j));
  return Promise.all(chunks.map((chunk) => new Promise<void>((resolve, reject) => {
    const w = new Worker(__filename, { workerData: { lockstepChaos: true, job: { guests, seeds: chunk, opts } } });
    w.on('message', (r: SeedResult) => { out.push(r); onResult(r); });
    w.on('error', reject);
    w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`chaos worker exited with code ${code}`))));
  }))).then(() => out);
}

/** A wall-clock duration as a person reads it: `840 ms`, `12.3 s`, `17 min 24 s`, `2 h 5 min`. */
export function durationText(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

class Progress {
  private n = 0;
  private failed = 0;
  constructor(private readonly io: Io, private readonly total: number) {}

  add(r: SeedResult): SeedResult {
    this.n++;
    if (!r.ok) this.failed++;
    if (this.io.isTty && (this.n % 10 === 0 || this.n === this.total)) {
      const width = 30;
      const filled = Math.round((this.n / this.total) * width);
      this.io.stderr(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.n}/${this.total} seeds, ${this.failed} failing`);
    }
    return r;
  }

  done(): void {
    if (this.io.isTty) this.io.stderr('\n');
  }
}

/**
 * Shrinks a failing seed to the fewest faults that still fail one of its checkers, re-runs that in this
 * thread and saves it as a recording that reopens at the failure.
 */
function saveFailure(dir: string, g: Guest, f: SeedResult, opts: ChaosOptions, argv: string[]): Pick<SeedResult, 'recording' | 'shrunk'> {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UsageError(`cannot create folder ${dir}: ${errorCode(e)}`);
  }
  const failing = f.failed.map((x) => x.name);
  const { scenario, faultsBefore } = shrinkFailure(chaosScenario(g.scenario, f.seed, opts), g.program, failing, undefined, g.programs);
  const shrunk = scenario.faults.map((x) => `${x.atMs} ms ${describeFault(x)}${x.vm === undefined ? '' : ` of ${x.vm}`}`);
  if (failing.includes(INTERNAL_ERROR)) return { shrunk }; // the run throws: there is no finished run to record
  const { cluster, summary } = runScenario(scenario, g.program, { programs: g.programs });
  const path = join(dir, `seed-${f.seed}.lsrec`);
  const names = summary.invariants.filter((i) => !i.ok).map((i) => i.name).join(', ');
  const note = `chaos seed ${f.seed} (${g.name}) failed ${names}; shrunk from ${faultsBefore} to ${scenario.faults.length} faults (lockstep chaos ${argv.join(' ')})`;
  writeFileAtomic(path, encodeRecording(recordingOf(scenario, basename(g.scenario.program), g.bytes, cluster, summary, note, g.vmBytes)));
  return { recording: path, shrunk };
}
