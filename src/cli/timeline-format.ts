// Human-readable rendering of a run: the cluster timeline and the checker verdicts.

import type { TraceEvent } from '../ft/sim/trace';
import type { RunSummary } from '../ft/report';
import { formatLogHint } from '../ft/log-hint';

const SHOWN: TraceEvent['kind'][] = ['fault', 'crash', 'detect', 'arbitrate', 'halt', 'goLive', 'respawnStart', 'respawnDone', 'haRestart', 'state', 'throttle', 'divergence', 'exit', 'violation'];

export function formatTimeline(events: TraceEvent[], max = 400): string {
  const shown = events.filter((e) => SHOWN.includes(e.kind));
  const lines = shown.slice(0, max).map((e) => `${(e.timeNs / 1e6).toFixed(3).padStart(10)} ms  ${e.kind.padEnd(12)} ${e.text}`);
  if (shown.length > max) lines.push(`  … ${shown.length - max} more events`);
  return lines.join('\n');
}

export function formatSummary(s: RunSummary): string {
  const out: string[] = [];
  out.push(`seed ${s.seed} · ${s.endMs} ms simulated · ${s.ftState}`);
  for (const f of s.failovers) {
    out.push(`failover ${f.fromHost ?? '?'} → ${f.toHost}: failed ${f.failedAtMs} ms, detected ${f.detectedAtMs ?? '–'} ms, live ${f.liveAtMs} ms (${(f.liveAtMs - f.failedAtMs).toFixed(3)} ms)`);
  }
  out.push(`respawns ${s.respawns} · HA restarts ${s.haRestarts}`);
  out.push(`log ${s.log.bytes} bytes in ${s.log.entries} entries (${s.log.bytesPerMInstr} bytes per million instructions), max lag ${s.log.maxLagMs} ms, ${s.log.stalls} stalls, ${s.log.throttleEvents} throttle changes`);
  if (s.log.hint !== null) out.push(`heavy log: ${formatLogHint(s.log.hint)}`);
  out.push(`outputs released ${s.outputs.released}, re-sent at go-live ${s.outputs.duplicated}`);
  out.push(`clients: ${s.clients.sent} requests, ${s.clients.ok} answered, ${s.clients.retries} retries, ${s.clients.duplicates} duplicate replies, latency mean ${s.clients.meanLatencyMs} ms max ${s.clients.maxLatencyMs} ms`);
  for (const c of s.invariants) out.push(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  out.push(`trace ${s.traceHash}`);
  return out.join('\n');
}
