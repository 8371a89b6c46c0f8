// The FT logging channel's two ends: the primary's LogSender and the secondary's LogReceiver own the log's state and its invariants.
//
// What travels between them (the wire) is plain data in the event queue: a LogMessage per flush
// (`log-wire.ts` puts it on the logging network) and a LogAck per message received. Only these two
// classes change the log's counters and queues; everyone else reads them or asks for an operation.

import type { LogEntry, NewLogEntry } from './log';
import { entryBytes } from './log';
import { assert } from '../sim/assert';

/**
 * Entries either end may hold: far above anything a log buffer admits (at most 64 MiB of entries of at
 * least 16 bytes, plus the inputs a stalled primary still logs). A queue this long is a runaway.
 */
const QUEUE_ENTRIES_MAX = 1 << 24;
/** The receiver drops applied entries once more than this many (and more than half its inbox) are behind its head. */
const INBOX_TRIM_MIN = 1024;

/** A flush: the entries logged since the last one, how far the log covers, the highest output released. */
export interface LogMessage { entries: LogEntry[]; covered: number; releasedSeq: number }

/** The secondary's answer to a message: received up to `seq` (outputs may leave), applied up to `applied` (buffer space is free). */
export interface LogAck { seq: number; applied: number }

/** Everything a LogSender holds, as plain data (checkpoints). Entries are immutable once numbered: arrays are copied, not entries. */
export interface LogSenderState {
  pending: LogEntry[]; unacked: LogEntry[]; bytes: number; nextSeq: number; queuedSeq: number; gapped: boolean;
  sentSeq: number; ackedSeq: number; releasedSeq: number;
}

/**
 * The primary's end. Entries are numbered 1, 2, 3, … in the order the guest made them; those the log
 * carries wait in `pending` until a flush sends them, then in `unacked` until the secondary has applied
 * them (they count against the log buffer until then).
 *
 * Invariants: ackedSeq ≤ sentSeq ≤ queuedSeq < nextSeq; every queued entry is above sentSeq (pending)
 * or at most sentSeq (unacked), in increasing order; queued entries are numbered one after another
 * (after an entry left out by the `omitLogKinds` what-if, only in increasing order); `bytes` is the
 * wire size of both queues, 0 when they are empty.
 */
export class LogSender {
  private pendingQ: LogEntry[] = [];
  private unackedQ: LogEntry[] = [];
  private bufferedBytes = 0;
  private next = 1;
  /** Highest seq queued, or settled by a reset (the next entry queued follows it). */
  private queuedSeq = 0;
  /** An entry was left out of the log since the last reset: queued seqs may skip. */
  private gapped = false;
  private sentSeq = 0;
  private acked = 0;
  private released = 0;

  /** The next seq to be numbered (entries up to nextSeq − 1 were produced). */
  get nextSeq(): number { return this.next; }
  /** Highest seq the secondary acknowledged receiving (the Output Rule releases outputs up to it). */
  get ackedSeq(): number { return this.acked; }
  /** Highest output seq released (piggybacked on flushes so a new primary knows what left). */
  get releasedSeq(): number { return this.released; }
  /** Wire bytes of the entries in the buffer (pending and unacknowledged). */
  get bytes(): number { return this.bufferedBytes; }
  /** Sent, not yet applied by the secondary (oldest first). */
  get unacked(): readonly LogEntry[] { return this.unackedQ; }
  /** True when something logged waits for the next flush. */
  get hasPending(): boolean { return this.pendingQ.length > 0; }
  /** True when nothing is buffered: all sent and applied. */
  get drained(): boolean { return this.pendingQ.length === 0 && this.unackedQ.length === 0; }

  /**
   * Numbers `entry` (in place: the environments hand over a fresh literal) and returns its seq; with
   * `keep` it joins the log, otherwise only its number is used (not logging, or a what-if omits it).
   */
  append(entry: NewLogEntry, keep: boolean): number {
    const seq = this.next++;
    if (!keep) {
      this.gapped = true;
      return seq;
    }
    assert(seq === this.queuedSeq + 1 || (this.gapped && seq > this.queuedSeq), 'log seqs run on from the last queued one');
    assert(this.pendingQ.length < QUEUE_ENTRIES_MAX, 'the sender queue is bounded');
    const full = entry as LogEntry;
    full.seq = seq;
    this.pendingQ.push(full);
    this.bufferedBytes += entryBytes(full);
    this.queuedSeq = seq;
    return seq;
  }

  /** Bytes the pending entries take on the wire, with a message header of `headerBytes`. */
  wireBytes(headerBytes: number): number {
    let bytes = headerBytes;
    const q = this.pendingQ;
    for (let i = 0; i < q.length; i++) bytes += entryBytes(q[i]);
    return bytes;
  }

  /** A flush: the pending entries go on the wire (returned, never changed again) and wait for their acknowledgement. */
  takeForSend(): LogEntry[] {
    const entries = this.pendingQ;
    this.pendingQ = []; // the message keeps the old array: it must never change
    if (entries.length === 0) return entries;
    assert(entries[0].seq > this.sentSeq, 'entries are sent once, in order');
    assert(this.unackedQ.length + entries.length < QUEUE_ENTRIES_MAX, 'the sender queue is bounded');
    for (let i = 0; i < entries.length; i++) this.unackedQ.push(entries[i]);
    this.sentSeq = entries[entries.length - 1].seq;
    return entries;
  }

  /** An acknowledgement: outputs up to `ack.seq` may leave; the entries up to `ack.applied` leave the buffer. */
  onAck(ack: LogAck): void {
    assert(ack.applied <= ack.seq, 'the secondary applied no more than it received');
    assert(ack.seq <= this.sentSeq, 'the secondary acknowledges only what was sent');
    if (ack.seq > this.acked) this.acked = ack.seq;
    const q = this.unackedQ;
    let n = 0;
    while (n < q.length && q[n].seq <= ack.applied) this.bufferedBytes -= entryBytes(q[n++]);
    if (n > 0) q.splice(0, n);
    assert(this.bufferedBytes >= 0 && (this.bufferedBytes === 0) === this.drained, 'buffered bytes are those of the queued entries');
  }

  /** Output `seq` left the protected VM. */
  noteReleased(seq: number): void {
    if (seq > this.released) this.released = seq;
  }

  /** A new pairing (or none): the buffer is dropped, and everything numbered so far counts as sent and acknowledged. */
  reset(): void {
    this.pendingQ = [];
    this.unackedQ = [];
    this.bufferedBytes = 0;
    this.queuedSeq = this.next - 1;
    this.sentSeq = this.next - 1;
    this.acked = this.next - 1;
    this.gapped = false;
  }

  /** A secondary going live numbers its own entries on from the last one it applied. */
  continueAfter(appliedSeq: number): void {
    assert(this.drained, 'a secondary going live has logged nothing');
    this.next = appliedSeq + 1;
    this.queuedSeq = appliedSeq;
  }

  /** True when the buffer holds `limitBytes` or more: the primary must wait for the secondary. */
  full(limitBytes: number): boolean {
    return this.bufferedBytes >= limitBytes;
  }

  save(): LogSenderState {
    return {
      pending: this.pendingQ.slice(), unacked: this.unackedQ.slice(), bytes: this.bufferedBytes, nextSeq: this.next,
      queuedSeq: this.queuedSeq, gapped: this.gapped, sentSeq: this.sentSeq, ackedSeq: this.acked, releasedSeq: this.released,
    };
  }

  restore(s: LogSenderState): void {
    this.pendingQ = s.pending.slice();
    this.unackedQ = s.unacked.slice();
    this.bufferedBytes = s.bytes;
    this.next = s.nextSeq;
    this.queuedSeq = s.queuedSeq;
    this.gapped = s.gapped;
    this.sentSeq = s.sentSeq;
    this.acked = s.ackedSeq;
    this.released = s.releasedSeq;
  }
}

/** Everything a LogReceiver holds, as plain data (checkpoints). */
export interface LogReceiverState {
  inbox: LogEntry[]; head: number; receivedSeq: number; coveredInstret: number; peerReleasedSeq: number; appliedSeq: number;
}

/**
 * The secondary's end. Received entries wait in the inbox; the replay consumes them in order from
 * `head`. `coveredInstret` is how far the primary's execution the received log covers (the secondary
 * never runs past it).
 *
 * Invariants: head ≤ inbox length; appliedSeq ≤ receivedSeq; the inbox is in increasing seq order,
 * all at most receivedSeq; coveredInstret and peerReleasedSeq never decrease.
 */
export class LogReceiver {
  private inbox: LogEntry[] = [];
  private at = 0;
  private received = 0;
  private covered = 0;
  private peerReleased = 0;
  private applied = 0;

  /** Highest seq received (what the acknowledgement says). */
  get receivedSeq(): number { return this.received; }
  /** Highest seq applied by the replay (what frees the primary's buffer). */
  get appliedSeq(): number { return this.applied; }
  /** The primary's instruction count the received log covers. */
  get coveredInstret(): number { return this.covered; }
  /** Highest output seq the primary said it released. */
  get peerReleasedSeq(): number { return this.peerReleased; }
  /** Index in the inbox of the next entry to apply. */
  get head(): number { return this.at; }

  /** A message arrived: its new entries join the inbox, and the marks move on. */
  receive(msg: LogMessage): void {
    const entries = msg.entries;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e.seq <= this.received) continue; // already here
      this.inbox.push(e);
      this.received = e.seq;
    }
    assert(this.inbox.length < QUEUE_ENTRIES_MAX, 'the receiver inbox is bounded');
    if (msg.covered > this.covered) this.covered = msg.covered;
    if (msg.releasedSeq > this.peerReleased) this.peerReleased = msg.releasedSeq;
  }

  /** The next entry to apply (undefined: none received). */
  peek(): LogEntry | undefined {
    return this.inbox[this.at];
  }

  /** The next input entry at or after the head (reads and outputs before it are applied first). */
  nextInput(): (LogEntry & { k: 'input' }) | undefined {
    const inbox = this.inbox;
    for (let i = this.at; i < inbox.length; i++) {
      const e = inbox[i];
      if (e.k === 'input') return e;
    }
    return undefined;
  }

  /** The replay applied `e`, which must be the entry at the head. */
  consume(e: LogEntry): void {
    assert(e === this.inbox[this.at], 'entries are applied in order, from the head');
    this.at++;
    this.applied = e.seq;
  }

  /** Drops applied entries once enough have piled up behind the head (amortised: an inbox is not shifted per entry). */
  trim(): void {
    if (this.at > INBOX_TRIM_MIN && this.at * 2 > this.inbox.length) {
      this.inbox.splice(0, this.at);
      this.at = 0;
    }
  }

  /** A new secondary's copy was taken at the primary's instruction `instret`: the log covers up to there. */
  startAt(instret: number): void {
    assert(this.inbox.length === 0, 'a secondary being copied has received no log');
    this.covered = instret;
  }

  save(): LogReceiverState {
    return {
      inbox: this.inbox.slice(), head: this.at, receivedSeq: this.received, coveredInstret: this.covered,
      peerReleasedSeq: this.peerReleased, appliedSeq: this.applied,
    };
  }

  restore(s: LogReceiverState): void {
    assert(s.head <= s.inbox.length && s.appliedSeq <= s.receivedSeq, 'a saved receiver keeps its invariants');
    this.inbox = s.inbox.slice();
    this.at = s.head;
    this.received = s.receivedSeq;
    this.covered = s.coveredInstret;
    this.peerReleased = s.peerReleasedSeq;
    this.applied = s.appliedSeq;
  }
}
