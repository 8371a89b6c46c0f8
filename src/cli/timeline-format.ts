// Human-readable rendering of a run: the cluster timeline and the checker verdicts.

import type { TraceEvent } from '../ft/sim/trace';
import type { ClusterSummary, RunSummary } from '../ft/report';
import { formatLogHint } from '../ft/log-hint';

const SHOWN: TraceEvent['kind'][] = ['fault', 'crash', 'detect', 'arbitrate', 'halt', 'goLive', 'respawnStart', 'respawnDone', 'haRestart', 'migrate', 'state', 'throttle', 'divergence', 'exit', 'violation'];

export function formatTimeline(events: TraceEvent[], max = 400): string {
  const shown = events.filter((e) => SHOWN.includes(e.kind));
  const width = Math.max(0, ...shown.map((e) => e.of?.length ?? 0));
  const vmColumn = (e: TraceEvent) => (width === 0 ? '' : `${(e.of ?? '').padEnd(width)}  `); // a cluster of several VMs: which VM
  const lines = shown.slice(0, max).map((e) => `${(e.timeNs / 1e6).toFixed(3).padStart(10)} ms  ${vmColumn(e)}${e.kind.padEnd(12)} ${e.text}`);
  if (shown.length > max) lines.push(`  … ${shown.length - max} more events`);
  return lines.join('\n');
}

export function formatSummary(s: RunSummary): string {
  const out: string[] = [];
  out.push(`seed ${s.seed} · ${s.endMs} ms simulated · ${s.ftState}`);
  for (const f of s.failovers) {
    out.push(`failover ${f.vm === undefined ? '' : `of ${f.vm} `}${f.fromHost ?? '?'} → ${f.toHost}: failed ${f.failedAtMs} ms, detected ${f.detectedAtMs ?? '–'} ms, live ${f.liveAtMs} ms (${(f.liveAtMs - f.failedAtMs).toFixed(3)} ms)`);
  }
  out.push(`respawns ${s.respawns} · HA restarts ${s.haRestarts}`);
  out.push(`log ${s.log.bytes} bytes in ${s.log.entries} entries (${s.log.bytesPerMInstr} bytes per million instructions), max lag ${s.log.maxLagMs} ms, ${s.log.stalls} stalls, ${s.log.throttleEvents} throttle changes`);
  if (s.log.hint !== null) out.push(`heavy log: ${formatLogHint(s.log.hint)}`);
  out.push(`outputs released ${s.outputs.released}, re-sent at go-live ${s.outputs.duplicated}`);
  out.push(`clients: ${s.clients.sent} requests, ${s.clients.ok} answered, ${s.clients.retries} retries, ${s.clients.duplicates} duplicate replies, latency mean ${s.clients.meanLatencyMs} ms max ${s.clients.maxLatencyMs} ms`);
  if (s.cluster !== undefined) out.push(...formatCluster(s.cluster));
  for (const c of s.invariants) out.push(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  out.push(`trace ${s.traceHash}`);
  return out.join('\n');
}

/** A cluster of several VMs: one line per VM, then one per host. */
function formatCluster(c: ClusterSummary): string[] {
  const nameWidth = Math.max(2, ...c.vms.map((v) => v.name.length));
  const out = ['', `${'VM'.padEnd(nameWidth)}  FT   where                 state`];
  for (const v of c.vms) {
    const where = v.host === null ? '–' : v.secondaryHost === null ? v.host : `${v.host} + ${v.secondaryHost}`;
    const events = [v.failovers > 0 ? `${v.failovers} failover${v.failovers === 1 ? '' : 's'}` : '', v.respawns > 0 ? `${v.respawns} respawn${v.respawns === 1 ? '' : 's'}` : '',
      v.haRestarts > 0 ? `${v.haRestarts} HA restart${v.haRestarts === 1 ? '' : 's'}` : ''].filter((x) => x !== '').join(', ');
    const state = v.ft ? v.ftState : v.host === null ? 'not running' : 'running';
    const waiting = v.waiting === null ? '' : ` · ${v.waiting}`;
    out.push(`${v.name.padEnd(nameWidth)}  ${v.ft ? 'yes' : 'no '}  ${where.padEnd(20)}  ${state}${events === '' ? '' : ` · ${events}`}${waiting}`);
  }
  out.push('', 'host        up    VMs  FT  CPU   memory            logging sent');
  for (const h of c.hosts) {
    const nic = h.loggingNicMbps === null ? '' : ` (NIC ${h.loggingNicMbps} Mbit/s)`;
    const cpu = h.cpuLoad === null ? '–' : `${Math.round(h.cpuLoad * 100)}%`;
    out.push(`${h.name.padEnd(10)}  ${(h.up ? 'yes' : 'DOWN').padEnd(4)}  ${String(h.vms).padStart(3)}  ${String(h.ftVms).padStart(2)}  ${cpu.padStart(4)}  ${`${h.ramUsedMiB}/${h.ramMiB} MiB`.padEnd(16)}  ${h.loggingBytes} bytes${nic}`);
  }
  out.push('');
  return out;
}
