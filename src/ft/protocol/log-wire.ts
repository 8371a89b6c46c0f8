// The logging channel's wire: flushes carry the primary's log to its secondary over the logging network, acknowledgements come back.

import type { LogicalVm } from '../logical-vm';
import type { SimEvent } from '../events';
import { controlLag } from './lag';
import { releaseAcked } from './outputs';
import { hostUp } from './vm-fate';
import { countSentBytes } from './log-kinds';

const LOG_MSG_HEADER_BYTES = 32;
const ACK_BYTES = 32;

/**
 * The primary sends what it logged since the last flush (and a progress mark: how far the log covers).
 * Periodic flushes come every flushIntervalUs while there is something to send, and every
 * idleMarkIntervalUs while the log is quiet (LogicalVm.log brings the next one closer for a new entry).
 */
export function flush(c: LogicalVm, id: number, urgent: boolean): void {
  const p = c.vm(id);
  if (p === undefined || !p.connected || p.role !== 'primary') return;
  if (!urgent && p.flushDueNs !== c.nowNs) return; // superseded by an earlier flush
  const tx = p.sender;
  const peerAlive = c.vm(p.peer)?.alive === true;
  const drained = !p.alive && !peerAlive && tx.drained && p.held.length === 0;
  if (urgent) p.urgentFlushNs = null;
  else if (drained) p.flushDueNs = Number.POSITIVE_INFINITY; // a powered-off VM stops once all is out
  else c.scheduleFlush(p, c.nowNs + (tx.hasPending ? c.flushIntervalNs : c.idleMarkIntervalNs));
  const s = c.vm(p.peer);
  if (!p.logging || s === undefined || !s.alive) return;
  // A reliable stream: what cannot go now (no logging path; a crashed host's VMs are not alive) waits in
  // `pending` and goes once, with the next flush that can send; nothing is sent twice.
  if (!c.network.canTalk('logging', p.host, s.host)) return;
  const entries = tx.takeForSend();
  // One pass over the entries: their wire bytes, tallied by kind for the summary as they are summed.
  const bytes = countSentBytes(c.stats.logBytesByKind, entries, LOG_MSG_HEADER_BYTES);
  const arrival = c.network.send('logging', p.host, s.host, bytes, c.nowNs, true)!;
  // A primary whose guest stopped itself (power off, fatal trap) lets the secondary run to its own, identical end.
  const covered = p.alive ? p.guest.instret : Number.MAX_SAFE_INTEGER;
  c.schedule(arrival, { t: 'logMsg', to: s.id, from: p.id, entries, covered, releasedSeq: tx.releasedSeq });
  c.stats.logBytes += bytes;
  c.stats.logEntries += entries.length;
  c.stats.logMessages++;
  controlLag(c, p, s);
}

/** A message reaches the secondary: it takes the entries and the marks, and acknowledges. */
export function receiveLog(c: LogicalVm, ev: SimEvent & { t: 'logMsg' }): void {
  const s = c.vm(ev.to);
  // A secondary going live replays only what it had received when it won the test-and-set.
  if (s === undefined || !s.alive || s.peer !== ev.from || s.goLiveAtNs !== null) return;
  const rx = s.receiver;
  s.lastLogNs = c.nowNs;
  const starved = s.status === 'running' && s.guest.instret >= rx.coveredInstret;
  rx.receive(ev);
  if (starved) c.rebase(s, c.nowNs); // it waited for the log: no banked credit
  const p = c.vm(ev.from)!;
  const arrival = c.network.send('logging', s.host, p.host, ACK_BYTES, c.nowNs, true);
  if (arrival !== null && hostUp(c, p.host)) {
    c.schedule(arrival, { t: 'ackMsg', to: p.id, from: s.id, seq: rx.receivedSeq, applied: rx.appliedSeq });
  }
}

/** An acknowledgement: outputs up to `seq` may leave; buffer space up to `applied` is free again. */
export function receiveAck(c: LogicalVm, ev: SimEvent & { t: 'ackMsg' }): void {
  const p = c.vm(ev.to);
  if (p === undefined || !p.connected || p.peer !== ev.from || p.role !== 'primary') return;
  p.lastLogNs = c.nowNs;
  p.sender.onAck(ev);
  releaseAcked(c, p);
}
