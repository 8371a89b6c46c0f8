// `lockstep replay FILE [--verify]`: re-executes a recording and checks it reproduces the recorded run bit for bit.

import { resolve } from 'node:path';
import { decodeRecording, RecordingError } from '../replay/recording';
import { replayRecording } from '../replay/replay-run';
import { Io, outputFileFlag, parseArgs, readBytes, UsageError } from './io';
import { formatSummary, formatTimeline } from './timeline-format';
import { writePerfetto } from './perfetto';
import { modelMismatch, SIMULATION_MODEL } from '../ft/model';

export const REPLAY_USAGE = 'lockstep replay FILE.lsrec [--verify] [--json] [--perfetto FILE]';

export function replayCommand(argv: string[], io: Io): number {
  const args = parseArgs(argv, ['verify', 'json'], ['perfetto']);
  if (args.positional.length !== 1) throw new UsageError(`usage: ${REPLAY_USAGE}`);
  const file = args.positional[0];
  const perfetto = outputFileFlag(args, 'perfetto');
  if (perfetto !== undefined && resolve(perfetto) === resolve(file)) throw new UsageError(`--perfetto ${perfetto} would overwrite the recording`);
  let rec;
  try {
    rec = decodeRecording(readBytes(file));
  } catch (e) {
    if (e instanceof RecordingError) throw new UsageError(`${file}: ${e.message}`);
    throw e;
  }
  const { cluster, summary, verified } = replayRecording(rec);
  writePerfetto(perfetto, cluster, { recording: file, seed: summary.seed, traceHash: summary.traceHash });
  if (args.flags.has('json')) {
    const models = { model: SIMULATION_MODEL, recordedModel: rec.expect.model };
    io.stdout(`${JSON.stringify({ ...summary, verified, recordedTraceHash: rec.expect.traceHash, ...models, note: rec.note })}\n`);
  } else {
    if (rec.note !== '') io.stdout(`recording: ${rec.note}\n\n`);
    io.stdout(`${formatTimeline(cluster.trace.events)}\n\n${formatSummary(summary)}\n`);
  }
  const why = modelMismatch(rec.expect.model);
  if (args.flags.has('verify')) {
    io.stderr(verified ? `verified: trace ${summary.traceHash} matches the recording\n` : `NOT verified: trace ${summary.traceHash}, recording says ${rec.expect.traceHash}${why === null ? '' : `: ${why}`}\n`);
    if (!verified) return 3;
  } else if (why !== null) {
    io.stderr(`note: ${why}\n`);
  }
  return summary.ok ? 0 : 1;
}
