// `lockstep run SCENARIO.json`: one deterministic cluster run, as a timeline or as one JSON object; optionally recorded.

import { basename, resolve } from 'node:path';
import { runScenario } from '../ft/report';
import { withGuestWorkload } from '../ft/guest-workload';
import { availableParallelism } from 'node:os';
import { runScenarioParallel } from './parallel-secondary';
import { placeSecondary, secondaryChoice } from './secondary-place';
import { encodeRecording } from '../replay/recording';
import { recordingOf } from '../replay/replay-run';
import { lateFaultNote, type Scenario } from '../ft/scenario';
import { Io, intFlag, outputFileFlag, parseArgs, ParsedArgs, readProgramFile, readScenario, readVmPrograms, stringFlag, UsageError, writeFileAtomic } from './io';
import { formatSummary, formatTimeline } from './timeline-format';
import { writePerfetto } from './perfetto';

export const RUN_USAGE = 'lockstep run SCENARIO.json [--seed N] [--until-ms N] [--json] [--record FILE] [--perfetto FILE] [--secondary auto|thread|worker]';

export function runCommand(argv: string[], io: Io): number {
  const args = parseArgs(argv, ['json', 'parallel-secondary'], ['seed', 'until-ms', 'record', 'perfetto', 'secondary']);
  if (args.positional.length !== 1) throw new UsageError(`usage: ${RUN_USAGE}`);
  // Every option and output path is checked before the run: a run can take minutes.
  const overrides = scenarioOverrides(args);
  const choice = secondaryChoice(stringFlag(args, 'secondary', 'auto, thread or worker'), args.flags.has('parallel-secondary'));
  const { record, perfetto } = outputFiles(args);
  const named = readScenario(args.positional[0], overrides);
  const { program, bytes } = readProgramFile(named.program);
  const vmFiles = readVmPrograms(named);
  const programs = vmFiles?.programs;
  const scenario = withGuestWorkload(named, program); // no default clients for a guest without a NIC driver
  const late = lateFaultWarning(args.positional[0], scenario);
  if (late !== null) io.stderr(`${late}\n`);
  // --secondary worker: the secondary's guest runs on another core; the run is the same bit for bit.
  // A run whose predictions failed was run again in-thread: same result; said when the user asked for the worker.
  const worker = programs === undefined && placeSecondary(choice, scenario, availableParallelism()) === 'worker';
  if (programs !== undefined && choice === 'worker') io.stderr('note: the secondaries of a cluster of several VMs run in-thread\n');
  const parallel = worker ? runScenarioParallel(scenario, program) : null;
  if (parallel !== null && parallel.fallback !== null && choice === 'worker') io.stderr(`note: the secondary ran in-thread after all (${parallel.fallback})\n`);
  const { cluster, summary } = parallel ?? runScenario(scenario, program, { programs });
  if (record !== undefined) {
    const rec = recordingOf(scenario, basename(scenario.program), bytes, cluster, summary, `lockstep run ${argv.join(' ')}`, vmFiles?.bytes);
    writeFileAtomic(record, encodeRecording(rec));
  }
  writePerfetto(perfetto, cluster, { scenario: args.positional[0], seed: summary.seed, traceHash: summary.traceHash });
  if (args.flags.has('json')) {
    io.stdout(`${JSON.stringify(summary)}\n`);
  } else {
    io.stdout(`${formatTimeline(cluster.trace.events)}\n\n`);
    if (summary.console.length > 0) io.stdout(`console (released output):\n${summary.console.replace(/^/gm, '  | ')}\n\n`);
    io.stdout(`${formatSummary(summary)}\n`);
  }
  return summary.ok ? 0 : 1;
}

function scenarioOverrides(args: ParsedArgs): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  if (args.flags.has('seed')) overrides.seed = intFlag(args, 'seed', 1, 0, 0xffffffff);
  if (args.flags.has('until-ms')) overrides.untilMs = intFlag(args, 'until-ms', 1000, 1, 600000);
  return overrides;
}

/** --record and --perfetto, each checked writable, and not the same file. */
function outputFiles(args: ParsedArgs): { record?: string; perfetto?: string } {
  const record = outputFileFlag(args, 'record');
  const perfetto = outputFileFlag(args, 'perfetto');
  if (record !== undefined && perfetto !== undefined && resolve(record) === resolve(perfetto)) {
    throw new UsageError(`--record and --perfetto name the same file ${record}`);
  }
  return { record, perfetto };
}

/** One warning line when faults are scheduled after the run's end (untilMs): the run stops before they come. */
export function lateFaultWarning(file: string, s: Scenario): string | null {
  const note = lateFaultNote(s);
  return note === null ? null : `lockstep: warning: ${file}: ${note}; raise untilMs or --until-ms`;
}
