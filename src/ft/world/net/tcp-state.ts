// A client-side TCP connection's configuration and its whole mutable state as plain data (structured-clone-able), so the world can checkpoint and restore it.

import { assert } from '../../sim/assert';
import { seqDiff, seqLe } from './seq';

export type TcpStateName =
  | 'CLOSED' | 'SYN_SENT' | 'ESTABLISHED' | 'FIN_WAIT_1' | 'FIN_WAIT_2' | 'CLOSE_WAIT' | 'CLOSING' | 'LAST_ACK' | 'TIME_WAIT';

/** One end of the connection: MAC (48-bit number), IPv4 (32-bit number), TCP port. */
export interface Endpoint {
  mac: number;
  ip: number;
  port: number;
}

export interface TcpConnConfig {
  local: Endpoint;
  remote: Endpoint;
  /** Initial send sequence number: the caller's (clientIsn in addresses.ts), never random. */
  isn: number;
  /** MSS announced in our SYN, and the most we put in one segment. Default 1460 (1500-byte MTU). */
  mss?: number;
  /** Retransmission timeout of the first retransmission; it doubles on each one up to maxRtoNs. Default 200 ms. */
  initialRtoNs?: number;
  maxRtoNs?: number;
  /** Retransmissions (or zero-window probes) in a row without the peer acknowledging anything before the connection fails. Default 8. */
  maxRetransmissions?: number;
  /** Bound of the send queue (unacknowledged plus unsent bytes): write() refuses what does not fit. Default 65536. */
  sendBufferBytes?: number;
  /** Bound of the receive queue; the advertised window is what is left of it (at most 65535). Default 65535. */
  receiveBufferBytes?: number;
  /** How long TIME_WAIT lasts before CLOSED. Default 1 s (a stand-in for 2·MSL). */
  timeWaitNs?: number;
}

export type ResolvedTcpConfig = Required<TcpConnConfig>;

export const TCP_DEFAULTS = {
  mss: 1460,
  initialRtoNs: 200_000_000,
  maxRtoNs: 10_000_000_000,
  maxRetransmissions: 8,
  sendBufferBytes: 65536,
  receiveBufferBytes: 65535,
  timeWaitNs: 1_000_000_000,
} as const;

/** The MSS assumed when the peer's SYN-ACK announces none (RFC 1122). */
export const DEFAULT_PEER_MSS = 536;
/** No window scaling: a window field holds at most this. */
export const MAX_WINDOW = 0xffff;

export type TcpTimerKind = 'retransmit' | 'persist' | 'timeWait';

export interface TcpConnState {
  state: TcpStateName;
  /** The peer reset the connection (an acceptable RST): queues were dropped. */
  reset: boolean;
  /** Retransmissions ran out without an acknowledgement: the peer is unreachable. */
  failed: boolean;
  /** The peer's FIN arrived in order: it sends nothing more (what it sent before is in the receive queue). */
  peerClosed: boolean;
  /** close() was called: a FIN follows the queued data; write() refuses from then on. */
  closeRequested: boolean;
  iss: number;
  /** Oldest unacknowledged sequence number; the send queue's first byte is at it (once the SYN is acknowledged). */
  sndUna: number;
  /** Next sequence number to send (moved back to sndUna by a retransmission timeout: go-back-N). */
  sndNxt: number;
  /** Highest sequence number sent so far (sndNxt before any go-back). */
  sndMax: number;
  /** The peer's advertised window, and the segment sequence / ack numbers it was last taken from (RFC 793 SND.WL1/2). */
  sndWnd: number;
  sndWl1: number;
  sndWl2: number;
  irs: number;
  rcvNxt: number;
  peerMss: number;
  /** Bytes from sndUna on: sent and unacknowledged, then not yet sent. */
  sendQueue: Uint8Array;
  /** Bytes received in order, waiting for read(). */
  recvQueue: Uint8Array;
  /** The window in our last segment (a read that opens it by an MSS sends an update). */
  lastAdvertisedWnd: number;
  timer: TcpTimerKind | null;
  timerAtNs: number;
  rtoNs: number;
  /** Retransmissions (or probes) since the peer last acknowledged something. */
  retries: number;
  /** Identification of our next IPv4 packet. */
  ipId: number;
  stats: TcpConnStats;
}

export interface TcpConnStats {
  segmentsSent: number;
  /** Segments sent again by the retransmission timer (SYN, data, FIN) and zero-window probes. */
  retransmissions: number;
  /** Segments whose data was dropped for arriving out of order (each answered with a duplicate ACK). */
  outOfOrderDropped: number;
}

export function resolveConfig(c: TcpConnConfig): ResolvedTcpConfig {
  const r: ResolvedTcpConfig = { ...TCP_DEFAULTS, ...c };
  assert(Number.isInteger(r.mss) && r.mss >= 64 && r.mss <= 1460, 'MSS is 64..1460 (a 1500-byte MTU)');
  assert(r.initialRtoNs > 0 && r.maxRtoNs >= r.initialRtoNs, 'RTOs are positive, the maximum at least the initial');
  assert(Number.isInteger(r.maxRetransmissions) && r.maxRetransmissions >= 0 && r.maxRetransmissions <= 64, 'retransmissions 0..64');
  assert(r.sendBufferBytes >= 1 && r.sendBufferBytes <= 1 << 20, 'send buffer 1 B..1 MiB');
  assert(r.receiveBufferBytes >= 1 && r.receiveBufferBytes <= 1 << 20, 'receive buffer 1 B..1 MiB');
  assert(r.timeWaitNs >= 0, 'TIME_WAIT is not negative');
  for (const e of [r.local, r.remote]) assert(Number.isInteger(e.port) && e.port > 0 && e.port <= 0xffff, 'port 1..65535');
  return r;
}

export function initialState(cfg: ResolvedTcpConfig): TcpConnState {
  const iss = cfg.isn >>> 0;
  return {
    state: 'CLOSED', reset: false, failed: false, peerClosed: false, closeRequested: false,
    iss, sndUna: iss, sndNxt: iss, sndMax: iss, sndWnd: 0, sndWl1: 0, sndWl2: 0, irs: 0, rcvNxt: 0,
    peerMss: DEFAULT_PEER_MSS, sendQueue: new Uint8Array(0), recvQueue: new Uint8Array(0), lastAdvertisedWnd: 0,
    timer: null, timerAtNs: 0, rtoNs: cfg.initialRtoNs, retries: 0, ipId: 0,
    stats: { segmentsSent: 0, retransmissions: 0, outOfOrderDropped: 0 },
  };
}

/** A deep copy (the queues copied, not shared). */
export function copyState(s: TcpConnState): TcpConnState {
  return { ...s, sendQueue: s.sendQueue.slice(), recvQueue: s.recvQueue.slice(), stats: { ...s.stats } };
}

/** What holds after every operation; setState checks it of what it is given. */
export function checkState(s: TcpConnState, cfg: ResolvedTcpConfig): void {
  assert(s.sendQueue.length <= cfg.sendBufferBytes, 'send queue within its bound');
  assert(s.recvQueue.length <= cfg.receiveBufferBytes, 'receive queue within its bound');
  assert(seqLe(s.sndUna, s.sndNxt) && seqLe(s.sndNxt, s.sndMax), 'sndUna ≤ sndNxt ≤ sndMax');
  assert(s.state === 'CLOSED' || seqDiff(s.sndUna, s.sndMax) <= s.sendQueue.length + 2, 'in flight: at most the queue and a SYN or FIN');
  assert(s.state !== 'CLOSED' || s.timer === null, 'a closed connection has no timer');
  assert(s.retries <= cfg.maxRetransmissions && s.rtoNs <= cfg.maxRtoNs, 'backoff within its bounds');
  assert(s.sndWnd <= MAX_WINDOW, 'window fits 16 bits');
  for (const n of [s.sndUna, s.sndNxt, s.sndMax, s.sndWl1, s.sndWl2, s.irs, s.rcvNxt]) assert(n >>> 0 === n, 'sequence numbers are 32-bit unsigned');
}
