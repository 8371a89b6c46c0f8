// One client-side TCP connection (RFC 793, active open only) as a state machine over plain data: operations in, Ethernet frames and delivered bytes out.
//
// Scope: no congestion control, SACK, window scaling or timestamps (our SYN offers none, so the peer uses none);
// out-of-order data is dropped and answered with a duplicate ACK; a retransmission timeout goes back to the oldest
// unacknowledged byte and resends from there (go-back-N), doubling the RTO up to its maximum. Time is the caller's
// simulated nanoseconds: the connection keeps one timer, nextTimerNs(), and the caller calls onTimer() when it is due.
//
// Use: `new TcpConn({ local, remote, isn })`, then `open(now)`; put every frame of every returned step on the wire
// in order; hand it the frames addressed to it with `receive(frame, now)` (or `receiveSegment` after parsing once to
// route with `segmentBelongs`); `write` a request, `read` the reply as `deliveredBytes` come in; `close` when done.
// Events say what the peer or the timer did ('established', 'peerClosed', 'closed', 'reset', 'failed'); operations
// the caller itself asks for (abort) raise none. Checkpoint with getState() (plain data), restore with setState() on a
// connection built with the same config.

import { assert } from '../../sim/assert';
import { buildTcpFrame, concat, parseTcpFrame, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, type TcpFrame, type TcpSegment } from './frames';
import { seqAdd, seqDiff, seqGt, seqInRange, seqLt } from './seq';
import {
  checkState, copyState, DEFAULT_PEER_MSS, type Endpoint, initialState, MAX_WINDOW, resolveConfig,
  type ResolvedTcpConfig, type TcpConnConfig, type TcpConnState, type TcpStateName,
} from './tcp-state';

/** What the peer or the timer did to the connection during one operation. */
export type TcpEvent = 'established' | 'peerClosed' | 'closed' | 'reset' | 'failed';

/** The result of every operation: complete Ethernet frames to put on the wire, in order, and what happened. */
export interface TcpStep {
  frames: Uint8Array[];
  events: TcpEvent[];
  /** Bytes appended to the receive queue (read() them). */
  deliveredBytes: number;
}

/** States in which our data (and FIN) may still go out. */
const SENDING: ReadonlySet<TcpStateName> = new Set(['ESTABLISHED', 'CLOSE_WAIT', 'FIN_WAIT_1', 'CLOSING', 'LAST_ACK']);
/** States in which the peer may still send data. */
const RECEIVING: ReadonlySet<TcpStateName> = new Set(['ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2']);

/** Whether `f` is a segment of the connection between `local` and `remote` (addressed to us, from the peer's IP and port). */
export function segmentBelongs(local: Endpoint, remote: Endpoint, f: TcpFrame): boolean {
  return f.dstMac === local.mac && f.dstIp === local.ip && f.tcp.dstPort === local.port
    && f.srcIp === remote.ip && f.tcp.srcPort === remote.port;
}

function emptyStep(): TcpStep {
  return { frames: [], events: [], deliveredBytes: 0 };
}

export class TcpConn {
  readonly cfg: Readonly<ResolvedTcpConfig>;
  private s: TcpConnState;

  constructor(config: TcpConnConfig) {
    this.cfg = resolveConfig(config);
    this.s = initialState(this.cfg);
  }

  get state(): TcpStateName { return this.s.state; }
  /** The peer reset the connection. */
  get reset(): boolean { return this.s.reset; }
  /** Retransmissions ran out. */
  get failed(): boolean { return this.s.failed; }
  /** The peer's FIN arrived: no more data will come. */
  get peerClosed(): boolean { return this.s.peerClosed; }

  /** A copy of the whole state (structured-clone-able). */
  getState(): TcpConnState { return copyState(this.s); }

  /** Restores a state from getState() (copied in, so the caller's object stays its own). */
  setState(st: TcpConnState): void {
    checkState(st, this.cfg);
    this.s = copyState(st);
  }

  /** Whether a parsed frame is a segment of this connection (the caller's routing helper). */
  belongs(f: TcpFrame): boolean { return segmentBelongs(this.cfg.local, this.cfg.remote, f); }

  /** Room left in the send queue: the most write() accepts now (0 once closing or closed). */
  writableBytes(): number {
    return this.canWrite() ? this.cfg.sendBufferBytes - this.s.sendQueue.length : 0;
  }

  private canWrite(): boolean {
    const st = this.s.state;
    return (st === 'SYN_SENT' || st === 'ESTABLISHED' || st === 'CLOSE_WAIT') && !this.s.closeRequested;
  }

  /** Bytes waiting in the receive queue. */
  readableBytes(): number { return this.s.recvQueue.length; }

  /** When onTimer() is next due (simulated ns), or null without a timer. */
  nextTimerNs(): number | null { return this.s.timer === null ? null : this.s.timerAtNs; }

  /** Active open: sends a SYN announcing our MSS; the connection must be fresh. */
  open(nowNs: number): TcpStep {
    const s = this.s, step = emptyStep();
    assert(s.state === 'CLOSED' && s.sndMax === s.iss && !s.reset && !s.failed, 'open() on a fresh connection only');
    s.state = 'SYN_SENT';
    s.sndNxt = s.sndMax = seqAdd(s.iss, 1);
    this.sendSyn(step);
    this.armTimer('retransmit', nowNs);
    return this.done(step);
  }

  /**
   * Queues `bytes` whole, or refuses them (accepted false) when they do not fit the send queue or the connection
   * no longer sends. Queued data goes out at once in ESTABLISHED (within the peer's window), else on establishment.
   */
  write(bytes: Uint8Array, nowNs: number): TcpStep & { accepted: boolean } {
    const step = emptyStep();
    if (!this.canWrite() || bytes.length > this.writableBytes()) return { ...step, accepted: false };
    this.s.sendQueue = concat(this.s.sendQueue, bytes);
    this.sendData(step, Number.POSITIVE_INFINITY);
    this.rearm(nowNs, false);
    return { ...this.done(step), accepted: true };
  }

  /** Takes up to `maxBytes` from the receive queue; frames holds a window update when reading opened the window by an MSS or more. */
  read(maxBytes = Number.POSITIVE_INFINITY): { data: Uint8Array; frames: Uint8Array[] } {
    const s = this.s, step = emptyStep();
    const n = Math.min(maxBytes, s.recvQueue.length);
    const data = s.recvQueue.slice(0, n);
    s.recvQueue = s.recvQueue.slice(n);
    const opened = this.receiveWindow() - s.lastAdvertisedWnd;
    if (RECEIVING.has(s.state) && !s.peerClosed && opened >= Math.min(this.cfg.mss, this.cfg.receiveBufferBytes / 2)) this.sendAck(step);
    return { data, frames: this.done(step).frames };
  }

  /** Orderly close: a FIN after the queued data (after establishment, if still in SYN_SENT). No-op when already closing. */
  close(nowNs: number): TcpStep {
    const s = this.s, step = emptyStep();
    if (s.closeRequested || (s.state !== 'SYN_SENT' && s.state !== 'ESTABLISHED' && s.state !== 'CLOSE_WAIT')) return step;
    s.closeRequested = true;
    if (s.state === 'ESTABLISHED') s.state = 'FIN_WAIT_1';
    if (s.state === 'CLOSE_WAIT') s.state = 'LAST_ACK';
    this.sendData(step, Number.POSITIVE_INFINITY);
    this.rearm(nowNs, false);
    return this.done(step);
  }

  /** Abandons the connection: a RST to the peer (unless closed or in TIME_WAIT), then CLOSED with both queues dropped. */
  abort(): TcpStep {
    const s = this.s, step = emptyStep();
    if (s.state === 'CLOSED') return step;
    if (s.state === 'SYN_SENT') this.emit(step, TCP_RST, s.sndMax, new Uint8Array(0), false);
    else if (s.state !== 'TIME_WAIT') this.emit(step, TCP_RST | TCP_ACK, s.sndMax, new Uint8Array(0), false);
    this.toClosed(true);
    return this.done(step);
  }

  /** A frame from the wire: ignored (an empty step) unless it parses as a TCP segment of this connection. */
  receive(frame: Uint8Array, nowNs: number): TcpStep {
    const f = parseTcpFrame(frame);
    return f === null ? emptyStep() : this.receiveSegment(f, nowNs);
  }

  /** An already parsed frame (the caller parsed it to route it); ignored unless it belongs to this connection. */
  receiveSegment(f: TcpFrame, nowNs: number): TcpStep {
    const step = emptyStep();
    if (!this.belongs(f) || this.s.state === 'CLOSED') return step;
    if (this.s.state === 'SYN_SENT') this.inSynSent(f.tcp, nowNs, step);
    else this.inSynchronized(f.tcp, nowNs, step);
    return this.done(step);
  }

  /** The timer: retransmission (or zero-window probe) with backoff, failure after the last one, or TIME_WAIT's end. Early calls do nothing. */
  onTimer(nowNs: number): TcpStep {
    const s = this.s, step = emptyStep();
    if (s.timer === null || nowNs < s.timerAtNs) return step;
    if (s.timer === 'timeWait') {
      this.toClosed(false);
      step.events.push('closed');
      return this.done(step);
    }
    if (s.retries >= this.cfg.maxRetransmissions) {
      this.toClosed(false);
      s.failed = true;
      step.events.push('failed');
      return this.done(step);
    }
    s.retries++;
    s.rtoNs = Math.min(s.rtoNs * 2, this.cfg.maxRtoNs);
    s.stats.retransmissions++;
    if (s.state === 'SYN_SENT') this.sendSyn(step);
    else {
      assert(SENDING.has(s.state), 'a retransmission or persist timer only while sending');
      s.sndNxt = s.sndUna;
      if (!this.sendData(step, 1)) this.emit(step, TCP_ACK, seqAdd(s.sndUna, -1), new Uint8Array(0), false); // zero-window probe: an old sequence number makes the peer answer with its window
    }
    this.armTimer(s.sndNxt === s.sndUna ? 'persist' : 'retransmit', nowNs);
    return this.done(step);
  }

  // ---- Arrivals ----

  private inSynSent(seg: TcpSegment, nowNs: number, step: TcpStep): void {
    const s = this.s;
    const hasAck = (seg.flags & TCP_ACK) !== 0;
    if (hasAck && seg.ack !== s.sndMax) { // acknowledges something we never sent: tell it so (RFC 793 p. 66)
      if ((seg.flags & TCP_RST) === 0) this.emit(step, TCP_RST, seg.ack, new Uint8Array(0), false);
      return;
    }
    if ((seg.flags & TCP_RST) !== 0) {
      if (hasAck) this.resetByPeer(step);
      return;
    }
    if ((seg.flags & TCP_SYN) === 0 || !hasAck) return; // simultaneous open is not supported; data on the SYN-ACK is not taken (the peer sends it again)
    s.irs = seg.seq;
    s.rcvNxt = seqAdd(seg.seq, 1);
    s.sndUna = seg.ack;
    s.peerMss = seg.mss !== null && seg.mss > 0 ? seg.mss : DEFAULT_PEER_MSS;
    this.takeWindow(seg);
    s.state = s.closeRequested ? 'FIN_WAIT_1' : 'ESTABLISHED';
    s.retries = 0;
    s.rtoNs = this.cfg.initialRtoNs;
    s.timer = null;
    step.events.push('established');
    if (!this.sendData(step, Number.POSITIVE_INFINITY)) this.sendAck(step);
    this.rearm(nowNs, true);
  }

  private inSynchronized(seg: TcpSegment, nowNs: number, step: TcpStep): void {
    const s = this.s;
    const rst = (seg.flags & TCP_RST) !== 0;
    if (!this.acceptable(seg)) {
      if (!rst) this.sendAck(step); // old or out-of-window: tell the peer where we are (also re-ACKs a repeated SYN-ACK or FIN)
      return;
    }
    if (rst) {
      if (s.state === 'TIME_WAIT') this.toClosed(false); // RFC 1337: the conversation is over anyway, not a reset
      else this.resetByPeer(step);
      return;
    }
    if ((seg.flags & TCP_SYN) !== 0) { // a SYN in the window: challenge ACK (RFC 5961 §4)
      this.sendAck(step);
      return;
    }
    if ((seg.flags & TCP_ACK) === 0) return;
    if (seqGt(seg.ack, s.sndMax)) { // acknowledges what we never sent
      this.sendAck(step);
      return;
    }
    if (!this.onAck(seg, nowNs, step)) return;
    const needAck = this.onData(seg, nowNs, step);
    if (!this.sendData(step, Number.POSITIVE_INFINITY) && needAck) this.sendAck(step);
    if (SENDING.has(s.state)) this.rearm(nowNs, false);
  }

  /** RFC 793's acceptability test; a zero window still lets through a segment at rcvNxt, for its ACK. */
  private acceptable(seg: TcpSegment): boolean {
    const s = this.s, wnd = this.receiveWindow();
    const len = seg.payload.length + ((seg.flags & TCP_SYN) !== 0 ? 1 : 0) + ((seg.flags & TCP_FIN) !== 0 ? 1 : 0);
    const end = seqAdd(s.rcvNxt, Math.max(wnd, 1));
    if (len === 0 || wnd === 0) return seg.seq === s.rcvNxt || (wnd > 0 && seqInRange(seg.seq, s.rcvNxt, end));
    return seqInRange(seg.seq, s.rcvNxt, end) || seqInRange(seqAdd(seg.seq, len - 1), s.rcvNxt, end);
  }

  /** Processes the ACK field; false when the connection is gone (our FIN acknowledged in LAST_ACK). */
  private onAck(seg: TcpSegment, nowNs: number, step: TcpStep): boolean {
    const s = this.s;
    if (seqLt(seg.ack, s.sndUna)) return true; // an old duplicate: nothing to learn from its ACK
    const acked = seqDiff(s.sndUna, seg.ack);
    const probing = s.timer === 'persist';
    const finAcked = acked > s.sendQueue.length; // the FIN's sequence number is just past the data
    s.sendQueue = s.sendQueue.slice(Math.min(acked, s.sendQueue.length));
    s.sndUna = seg.ack;
    if (seqLt(s.sndNxt, s.sndUna)) s.sndNxt = s.sndUna; // after a go-back, the original transmission got there
    if (seqLt(s.sndWl1, seg.seq) || (s.sndWl1 === seg.seq && !seqLt(seg.ack, s.sndWl2))) this.takeWindow(seg);
    if (acked > 0) {
      s.retries = 0;
      s.rtoNs = this.cfg.initialRtoNs;
    } else if (probing) s.retries = 0; // the peer answers its window probes: alive, so no failure (the probes keep backing off)
    if (acked > 0) this.rearm(nowNs, true);
    if (!finAcked) return true;
    if (s.state === 'FIN_WAIT_1') s.state = 'FIN_WAIT_2';
    else if (s.state === 'CLOSING') this.enterTimeWait(nowNs);
    else if (s.state === 'LAST_ACK') {
      this.toClosed(false);
      step.events.push('closed');
      return false;
    }
    if (s.state === 'FIN_WAIT_2') s.timer = null;
    return true;
  }

  /** Takes in-order data and FIN into the receive queue; true when the segment asks for an ACK (it carried data or a FIN). */
  private onData(seg: TcpSegment, nowNs: number, step: TcpStep): boolean {
    const s = this.s;
    const fin = (seg.flags & TCP_FIN) !== 0;
    if (seg.payload.length === 0 && !fin) return false;
    if (!RECEIVING.has(s.state) || s.peerClosed) return true; // after the peer's FIN: a repeat, ACK it again
    const skip = seqDiff(seg.seq, s.rcvNxt); // bytes of it we already have
    if (skip < 0) { // a gap before it: drop, and the duplicate ACK says what we miss
      s.stats.outOfOrderDropped++;
      return true;
    }
    let data = seg.payload.subarray(Math.min(skip, seg.payload.length));
    let finNew = fin && skip <= seg.payload.length;
    const room = this.receiveWindow();
    if (data.length > room) {
      data = data.subarray(0, room); // beyond our window: dropped, the peer sends it again
      finNew = false;
    }
    if (data.length > 0) {
      s.recvQueue = concat(s.recvQueue, data);
      s.rcvNxt = seqAdd(s.rcvNxt, data.length);
      step.deliveredBytes += data.length;
    }
    if (finNew) this.onPeerFin(nowNs, step);
    return true;
  }

  private onPeerFin(nowNs: number, step: TcpStep): void {
    const s = this.s;
    s.rcvNxt = seqAdd(s.rcvNxt, 1);
    s.peerClosed = true;
    step.events.push('peerClosed');
    if (s.state === 'ESTABLISHED') s.state = 'CLOSE_WAIT';
    else if (s.state === 'FIN_WAIT_1') s.state = 'CLOSING';
    else if (s.state === 'FIN_WAIT_2') this.enterTimeWait(nowNs);
  }

  // ---- Sending ----

  /**
   * Sends new data from sndNxt within the peer's window, in segments of at most the MSS, and the FIN after the last
   * byte once close() was called; at most `maxSegments`. Whether anything went out.
   */
  private sendData(step: TcpStep, maxSegments: number): boolean {
    const s = this.s;
    if (!SENDING.has(s.state)) return false;
    const mss = Math.min(s.peerMss, this.cfg.mss);
    const bound = Math.ceil(this.cfg.sendBufferBytes / mss) + 1; // every pass sends ≥ 1 byte, or the FIN once
    let sent = 0;
    for (; sent < Math.min(maxSegments, bound + 1); sent++) {
      const offset = seqDiff(s.sndUna, s.sndNxt);
      const unsent = s.sendQueue.length - offset; // -1 once the FIN is out
      const n = Math.max(0, Math.min(mss, unsent, s.sndWnd - offset));
      const fin = s.closeRequested && unsent >= 0 && n === unsent;
      if (n === 0 && !fin) break;
      const flags = TCP_ACK | (fin ? TCP_FIN : 0) | (n > 0 && n === unsent ? TCP_PSH : 0);
      this.emit(step, flags, s.sndNxt, s.sendQueue.subarray(offset, offset + n), false);
      s.sndNxt = seqAdd(s.sndNxt, n + (fin ? 1 : 0));
      if (seqGt(s.sndNxt, s.sndMax)) s.sndMax = s.sndNxt;
    }
    assert(sent <= bound, 'sendData ends within its bound');
    return sent > 0;
  }

  private sendSyn(step: TcpStep): void {
    this.emit(step, TCP_SYN, this.s.iss, new Uint8Array(0), true);
  }

  private sendAck(step: TcpStep): void {
    this.emit(step, TCP_ACK, this.s.sndNxt, new Uint8Array(0), false);
  }

  /** Builds one segment to the peer as a frame (the ACK field is rcvNxt whenever ACK is set). */
  private emit(step: TcpStep, flags: number, seq: number, payload: Uint8Array, withMss: boolean): void {
    const s = this.s, { local, remote } = this.cfg;
    const window = this.receiveWindow();
    const tcp: TcpSegment = {
      srcPort: local.port, dstPort: remote.port, seq, ack: (flags & TCP_ACK) !== 0 ? s.rcvNxt : 0,
      flags, window, mss: withMss ? this.cfg.mss : null, payload,
    };
    step.frames.push(buildTcpFrame({ srcMac: local.mac, dstMac: remote.mac, srcIp: local.ip, dstIp: remote.ip, ipId: s.ipId, tcp }));
    s.ipId = (s.ipId + 1) & 0xffff;
    s.lastAdvertisedWnd = window;
    s.stats.segmentsSent++;
  }

  // ---- Windows, timers, endings ----

  private receiveWindow(): number {
    return Math.min(MAX_WINDOW, this.cfg.receiveBufferBytes - this.s.recvQueue.length);
  }

  private takeWindow(seg: TcpSegment): void {
    this.s.sndWnd = seg.window;
    this.s.sndWl1 = seg.seq;
    this.s.sndWl2 = seg.ack;
  }

  private armTimer(kind: 'retransmit' | 'persist', nowNs: number): void {
    this.s.timer = kind;
    this.s.timerAtNs = nowNs + this.s.rtoNs;
  }

  /** Timer after sending or an ACK: retransmit while anything is in flight (restarted when asked), persist while data waits on a zero window, else none. */
  private rearm(nowNs: number, restart: boolean): void {
    const s = this.s;
    if (s.state === 'SYN_SENT' || !SENDING.has(s.state)) return;
    if (s.sndNxt !== s.sndUna) {
      if (restart || s.timer !== 'retransmit') this.armTimer('retransmit', nowNs);
    } else if (s.sendQueue.length > 0) {
      if (s.timer !== 'persist') this.armTimer('persist', nowNs);
    } else s.timer = null;
  }

  private enterTimeWait(nowNs: number): void {
    this.s.state = 'TIME_WAIT';
    this.s.timer = 'timeWait';
    this.s.timerAtNs = nowNs + this.cfg.timeWaitNs;
  }

  private resetByPeer(step: TcpStep): void {
    this.toClosed(true);
    this.s.reset = true;
    step.events.push('reset');
  }

  /** CLOSED: no timer, nothing left to send; what was received stays readable unless `dropReceived` (a reset or abort). */
  private toClosed(dropReceived: boolean): void {
    const s = this.s;
    s.state = 'CLOSED';
    s.timer = null;
    s.sendQueue = new Uint8Array(0);
    if (dropReceived) s.recvQueue = new Uint8Array(0);
  }

  private done(step: TcpStep): TcpStep {
    checkState(this.s, this.cfg);
    return step;
  }
}

/**
 * The RST answering a segment that belongs to no connection (RFC 793 p. 65), so a peer holding a half-open
 * connection lets go of it; null for a RST (never answered). Addresses are swapped from the segment's.
 */
export function resetReplyTo(f: TcpFrame): Uint8Array | null {
  const seg = f.tcp;
  if ((seg.flags & TCP_RST) !== 0) return null;
  const len = seg.payload.length + ((seg.flags & TCP_SYN) !== 0 ? 1 : 0) + ((seg.flags & TCP_FIN) !== 0 ? 1 : 0);
  const hasAck = (seg.flags & TCP_ACK) !== 0;
  const tcp: TcpSegment = {
    srcPort: seg.dstPort, dstPort: seg.srcPort, seq: hasAck ? seg.ack : 0, ack: hasAck ? 0 : seqAdd(seg.seq, len),
    flags: hasAck ? TCP_RST : TCP_RST | TCP_ACK, window: 0, mss: null, payload: new Uint8Array(0),
  };
  return buildTcpFrame({ srcMac: f.dstMac, dstMac: f.srcMac, srcIp: f.dstIp, dstIp: f.srcIp, ipId: 0, tcp });
}
