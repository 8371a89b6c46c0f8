// `lockstep chaos SCENARIO.json --seeds N`: seeded fault campaigns across worker threads; every failing seed is reported.

import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { chaosScenario } from '../ft/chaos';
import { runScenario } from '../ft/report';
import type { Program } from '../machine/program';
import type { Scenario } from '../ft/scenario';
import { Io, intFlag, parseArgs, readProgramFile, readScenario, UsageError, writeFileAtomic } from './io';
import { encodeRecording } from '../replay/recording';
import { recordingOf } from '../replay/replay-run';
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';

export const CHAOS_USAGE = 'lockstep chaos SCENARIO.json --seeds N [--first S] [--jobs J] [--json] [--save-failures DIR] [--what-if-no-output-rule]';

export interface SeedResult { seed: number; ok: boolean; failed: { name: string; detail: string }[]; traceHash: string; failovers: number; recording?: string }

interface WorkerJob { scenario: Scenario; program: Program; seeds: number[] }

function runSeed(base: Scenario, program: Program, seed: number): SeedResult {
  const { summary } = runScenario(chaosScenario(base, seed), program);
  return {
    seed, ok: summary.ok, traceHash: summary.traceHash, failovers: summary.failovers.length,
    failed: summary.invariants.filter((c) => !c.ok).map((c) => ({ name: c.name, detail: c.detail })),
  };
}

/** In a worker thread started by the chaos command: run the seeds handed over, report each. Returns true if it was a worker. */
export function runChaosWorkerIfWorker(): boolean {
  if (isMainThread || (workerData as { lockstepChaos?: boolean } | null)?.lockstepChaos !== true) return false;
  const job = (workerData as { job: WorkerJob }).job;
  for (const seed of job.seeds) parentPort!.postMessage(runSeed(job.scenario, job.program, seed));
  return true;
}

export async function chaosCommand(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, ['json', 'what-if-no-output-rule'], ['seeds', 'first', 'jobs', 'save-failures']);
  if (args.positional.length !== 1 || !args.flags.has('seeds')) throw new UsageError(`usage: ${CHAOS_USAGE}`);
  const count = intFlag(args, 'seeds', 100, 1, 10_000_000);
  const first = intFlag(args, 'first', 1, 0, 0xffffffff);
  const jobs = intFlag(args, 'jobs', Math.max(1, availableParallelism()), 1, 64);
  const overrides = args.flags.has('what-if-no-output-rule') ? { whatIf: { outputRule: false } } : {};
  const scenario = readScenario(args.positional[0], overrides);
  const { program, bytes } = readProgramFile(scenario.program);
  const seeds = Array.from({ length: count }, (_, i) => first + i);
  const progress = new Progress(io, count);
  const results = jobs === 1 || !canSpawnWorkers()
    ? seeds.map((s) => progress.add(runSeed(scenario, program, s)))
    : await runInWorkers(scenario, program, seeds, jobs, (r) => progress.add(r));
  progress.done();
  results.sort((a, b) => a.seed - b.seed);
  const failures = results.filter((r) => !r.ok);
  const saveDir = args.flags.get('save-failures');
  if (typeof saveDir === 'string') {
    for (const f of failures) f.recording = saveFailure(saveDir, scenario, program, bytes, f.seed, argv);
  }
  if (args.flags.has('json')) {
    io.stdout(`${JSON.stringify({ seeds: count, first, failures: failures.length, failing: failures })}\n`);
  } else {
    for (const f of failures) io.stdout(`seed ${f.seed}: ${f.failed.map((x) => `${x.name}: ${x.detail}`).join('; ')}${f.recording ? `\n  saved: ${f.recording} (lockstep replay ${f.recording})` : ''}\n`);
    io.stdout(`${count} seeds, ${failures.length} failing, ${results.reduce((a, r) => a + r.failovers, 0)} failovers\n`);
  }
  return failures.length === 0 ? 0 : 1;
}

/** Workers re-run this very bundle; under a TypeScript loader (tests) there is no bundle to run. */
function canSpawnWorkers(): boolean {
  return __filename.endsWith('.js');
}

function runInWorkers(scenario: Scenario, program: Program, seeds: number[], jobs: number, onResult: (r: SeedResult) => void): Promise<SeedResult[]> {
  const out: SeedResult[] = [];
  const chunks = Array.from({ length: Math.min(jobs, seeds.length) }, (_, j) => seeds.filter((_, i) => i % jobs === j));
  return Promise.all(chunks.map((chunk) => new Promise<void>((resolve, reject) => {
    const w = new Worker(__filename, { workerData: { lockstepChaos: true, job: { scenario, program, seeds: chunk } } });
    w.on('message', (r: SeedResult) => { out.push(r); onResult(r); });
    w.on('error', reject);
    w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`chaos worker exited with code ${code}`))));
  }))).then(() => out);
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

/** Re-runs a failing seed in this thread and saves it as a recording that reopens at the failure. */
function saveFailure(dir: string, base: Scenario, program: Program, bytes: Uint8Array, seed: number, argv: string[]): string {
  mkdirSync(dir, { recursive: true });
  const scenario = chaosScenario(base, seed);
  const { cluster, summary } = runScenario(scenario, program);
  const path = join(dir, `seed-${seed}.lsrec`);
  const failed = summary.invariants.filter((i) => !i.ok).map((i) => i.name).join(', ');
  writeFileAtomic(path, encodeRecording(recordingOf(scenario, basename(base.program), bytes, cluster, summary, `chaos seed ${seed} failed ${failed} (lockstep chaos ${argv.join(' ')})`)));
  return path;
}
