// External clients of the protected VM: send kvstore requests to its network identity, retry on timeout, record every reply.

import { CutTail } from '../sim/cut-tail';
import type { TcpConnState } from './net/tcp-state';
import type { Prng } from '../sim/prng';
import { decodeReply, decodeRequest, encodeRequest, KvOp, KvStatus } from './kv-protocol';

/** Where an output came from: which VM incarnation, at which instruction count, in which HA epoch. */
export interface OutputOrigin { vm: number; epoch: number; instret: number }

export interface ClientReplyRecord {
  reqId: number; status: number; atNs: number; origin: OutputOrigin; op: number; seq: number;
  /** The reply that answered the client's request (not a duplicate): what was asked, when, and a GET's value. */
  answer?: KvAnswer;
}

/** A request as the client saw it end to end: sent first at `sentNs`, its key, a PUT's value or a GET's result. */
export interface KvAnswer { sentNs: number; key: string; value: string | null }

/** A client's TCP side (transport "tcp"): replaced whole on each change, never mutated (checkpoints share it). */
export interface ClientTcp {
  /** Connections opened so far, less one: the current one's number (its port and ISN follow from it). */
  connNo: number;
  conn: TcpConnState | null;
  /** Bytes received and not yet a whole reply. */
  rx: Uint8Array;
  /** When the pending retransmission-timer event fires (null: none pending). */
  timerDueNs: number | null;
}

export interface ClientState {
  id: number;
  tcp: ClientTcp | null;
  nextIndex: number;
  outstanding: { reqId: number; packet: Uint8Array; firstSentNs: number; tries: number } | null;
  replies: ClientReplyRecord[];
  stats: { sent: number; retries: number; replies: number; duplicates: number; ok: number; errors: number; latencySumNs: number; latencyMaxNs: number };
}

export interface WorkloadSpec { clients: number; requests: number; ratePerSec: number; writeRatio: number; keys: number; timeoutMs: number; startMs: number; transport: 'nic' | 'tcp' }

export interface ClientsCheckpoint {
  list: (Omit<ClientState, 'replies'> & { replies: number })[];
  prng: ReturnType<Prng['getState']>;
}

/** Closed loop: a client moves on only once its request is answered, so answered = older than the outstanding one. */
function answered(c: ClientState, reqId: number): boolean {
  return reqId < c.nextIndex || (reqId === c.nextIndex && c.outstanding === null);
}

export class Clients {
  readonly list: ClientState[];
  /** Each client's replies cut off by going back (see CutTail). */
  private readonly cut: CutTail<ClientReplyRecord>[];

  constructor(readonly spec: WorkloadSpec, private readonly prng: Prng) {
    this.list = Array.from({ length: spec.clients }, (_, i) => ({
      id: i + 1, tcp: null, nextIndex: 0, outstanding: null, replies: [],
      stats: { sent: 0, retries: 0, replies: 0, duplicates: 0, ok: 0, errors: 0, latencySumNs: 0, latencyMaxNs: 0 },
    }));
    this.cut = this.list.map((c) => new CutTail(c.replies));
  }

  /** History branches here: replies cut off by going back are no longer this run's future. */
  discardCut(): void {
    for (const t of this.cut) t.discard();
  }

  /** Copy for cluster checkpoints: O(clients), since the reply records are append-only (kept by length). */
  getState(): ClientsCheckpoint {
    return {
      list: this.list.map((c) => ({ ...c, replies: c.replies.length, outstanding: c.outstanding && { ...c.outstanding }, stats: { ...c.stats } })),
      prng: this.prng.getState(),
    };
  }

  setState(st: ClientsCheckpoint): void {
    st.list.forEach((saved, i) => {
      const c = this.list[i];
      this.cut[i].setLength(saved.replies);
      Object.assign(c, { ...saved, replies: c.replies, outstanding: saved.outstanding && { ...saved.outstanding }, stats: { ...saved.stats } });
    });
    this.prng.setState(st.prng);
  }

  get intervalNs(): number {
    return 1e9 / this.spec.ratePerSec;
  }

  /** Builds the client's next request, or null when it has sent them all. */
  nextRequest(c: ClientState, nowNs: number): Uint8Array | null {
    if (c.outstanding !== null || c.nextIndex >= this.spec.requests) return null;
    const reqId = ++c.nextIndex;
    const key = `k${this.prng.int(0, this.spec.keys - 1)}`;
    const write = this.prng.chance(this.spec.writeRatio);
    const value = write ? new TextEncoder().encode(`v${c.id}.${reqId}`) : new Uint8Array(0);
    const packet = encodeRequest({ clientId: c.id, reqId, op: write ? KvOp.put : KvOp.get, key, value });
    c.outstanding = { reqId, packet, firstSentNs: nowNs, tries: 1 };
    c.stats.sent++;
    return packet;
  }

  /** A retry of the outstanding request `reqId` if it is still unanswered, else null. */
  retry(c: ClientState, reqId: number): Uint8Array | null {
    if (c.outstanding === null || c.outstanding.reqId !== reqId) return null;
    c.outstanding.tries++;
    c.stats.retries++;
    return c.outstanding.packet;
  }

  /** Records a reply packet; returns true when it completes the outstanding request. */
  receive(c: ClientState, packet: Uint8Array, nowNs: number, origin: OutputOrigin): boolean {
    const r = decodeReply(packet);
    if (r === null) return false;
    const completes = c.outstanding?.reqId === r.reqId;
    const answer = completes && c.outstanding !== null ? answerOf(c.outstanding, r.op === KvOp.get ? r : null) : undefined;
    c.replies.push({ reqId: r.reqId, status: r.status, atNs: nowNs, origin, op: r.op, seq: r.seq, ...(answer ? { answer } : {}) });
    this.cut[c.id - 1].appended();
    c.stats.replies++;
    if (answered(c, r.reqId)) {
      c.stats.duplicates++;
      return false;
    }
    if (r.status === KvStatus.ok || r.status === KvStatus.notFound) c.stats.ok++;
    else c.stats.errors++;
    if (c.outstanding?.reqId === r.reqId) {
      const latencyNs = nowNs - c.outstanding.firstSentNs;
      c.stats.latencySumNs += latencyNs;
      c.stats.latencyMaxNs = Math.max(c.stats.latencyMaxNs, latencyNs);
      c.outstanding = null;
      return true;
    }
    return false;
  }
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** What the outstanding request asked (decoded from its packet), with a GET's result (null: not found). */
function answerOf(o: NonNullable<ClientState['outstanding']>, get: { status: number; value: Uint8Array } | null): KvAnswer {
  const req = decodeRequest(o.packet);
  if (req === null) throw new Error('a client sent a request it cannot decode');
  const value = get !== null ? (get.status === KvStatus.ok ? text(get.value) : null) : req.op === KvOp.put ? text(req.value) : null;
  return { sentNs: o.firstSentNs, key: req.key, value };
}
