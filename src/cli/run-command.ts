// `lockstep run SCENARIO.json`: one deterministic cluster run, as a timeline or as one JSON object; optionally recorded.

import { basename } from 'node:path';
import { runScenario } from '../ft/report';
import { runScenarioParallel } from './parallel-secondary';
import { encodeRecording } from '../replay/recording';
import { recordingOf } from '../replay/replay-run';
import { Io, intFlag, parseArgs, stringFlag, readProgramFile, readScenario, UsageError, writeFileAtomic } from './io';
import { formatSummary, formatTimeline } from './timeline-format';
import { writePerfetto } from './perfetto';

export const RUN_USAGE = 'lockstep run SCENARIO.json [--seed N] [--until-ms N] [--json] [--record FILE] [--perfetto FILE] [--parallel-secondary]';

export function runCommand(argv: string[], io: Io): number {
  const args = parseArgs(argv, ['json', 'parallel-secondary'], ['seed', 'until-ms', 'record', 'perfetto']);
  if (args.positional.length !== 1) throw new UsageError(`usage: ${RUN_USAGE}`);
  const overrides: Record<string, unknown> = {};
  if (args.flags.has('seed')) overrides.seed = intFlag(args, 'seed', 1, 0, 0xffffffff);
  if (args.flags.has('until-ms')) overrides.untilMs = intFlag(args, 'until-ms', 1000, 1, 600000);
  const scenario = readScenario(args.positional[0], overrides);
  const { program, bytes } = readProgramFile(scenario.program);
  // --parallel-secondary: the secondary's guest runs on another core; the run is the same bit for bit.
  // A run whose predictions failed was run again in-thread: same result, but the user asked for two cores.
  const parallel = args.flags.has('parallel-secondary') ? runScenarioParallel(scenario, program) : null;
  if (parallel !== null && parallel.fallback !== null) io.stderr(`note: the secondary ran in-thread after all (${parallel.fallback})\n`);
  const { cluster, summary } = parallel ?? runScenario(scenario, program);
  const record = stringFlag(args, 'record');
  if (record !== undefined) {
    const rec = recordingOf(scenario, basename(scenario.program), bytes, cluster, summary, `lockstep run ${argv.join(' ')}`);
    writeFileAtomic(record, encodeRecording(rec));
  }
  writePerfetto(stringFlag(args, 'perfetto'), cluster, { scenario: args.positional[0], seed: summary.seed, traceHash: summary.traceHash });
  if (args.flags.has('json')) {
    io.stdout(`${JSON.stringify(summary)}\n`);
  } else {
    io.stdout(`${formatTimeline(cluster.trace.events)}\n\n`);
    if (summary.console.length > 0) io.stdout(`console (released output):\n${summary.console.replace(/^/gm, '  | ')}\n\n`);
    io.stdout(`${formatSummary(summary)}\n`);
  }
  return summary.ok ? 0 : 1;
}
