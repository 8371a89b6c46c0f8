// What the clients saw of the key-value store, as a history of operations, and the check that every read returns a value some write may still hold: no acknowledged write lost, none invented.

import type { ClientState } from './clients';
import { decodeRequest, KvOp, KvStatus } from './kv-protocol';

/** One operation as a client saw it: a write that took effect (or may have), or a read and what it returned. */
export interface KvOperation {
  client: number;
  reqId: number;
  op: 'get' | 'put' | 'del';
  key: string;
  /** A PUT's value, a GET's result; null for a DEL and for a GET that found nothing. */
  value: string | null;
  sentNs: number;
  /** When the client got its answer; Infinity for a write never answered (it may take effect at any time after it was sent). */
  doneNs: number;
}

/** The clients' operations: answered GETs, PUTs and DELs that took effect, and each client's unanswered last write. */
export function kvHistory(clients: readonly ClientState[]): KvOperation[] {
  const ops: KvOperation[] = [];
  for (const c of clients) {
    for (const r of c.replies) {
      const a = r.answer;
      if (a === undefined) continue; // a duplicate, or a reply to a request the client no longer waited for
      const op = r.op === KvOp.get ? 'get' : r.op === KvOp.put ? 'put' : r.op === KvOp.del ? 'del' : null;
      const tookEffect = r.status === KvStatus.ok || (op === 'get' && r.status === KvStatus.notFound);
      if (op !== null && tookEffect) ops.push({ client: c.id, reqId: r.reqId, op, key: a.key, value: a.value, sentNs: a.sentNs, doneNs: r.atNs });
    }
    const o = c.outstanding === null ? null : decodeRequest(c.outstanding.packet);
    if (c.outstanding !== null && o !== null && (o.op === KvOp.put || o.op === KvOp.del)) {
      const value = o.op === KvOp.put ? new TextDecoder().decode(o.value) : null;
      ops.push({ client: c.id, reqId: o.reqId, op: o.op === KvOp.put ? 'put' : 'del', key: o.key, value, sentNs: c.outstanding.firstSentNs, doneNs: Infinity });
    }
  }
  return ops;
}

const ms = (ns: number): string => `${(ns / 1e6).toFixed(3)} ms`;
const shown = (v: string | null): string => (v === null ? 'nothing' : `"${v}"`);

/**
 * The first read that returned a value no write could still hold, described; null when every read is explained. A
 * write is a possible value of a read sent at s and answered at d when it was sent before d and no other write was
 * sent after it was answered and answered itself before s (an answered write certainly overwrote it). "Nothing" is
 * possible while no write was answered before s, or as a DEL's value. Writes never answered stay possible (they may
 * have taken effect, or been lost with the execution that applied them: no client was told either way).
 */
export function firstStaleRead(history: readonly KvOperation[]): string | null {
  const writes = new Map<string, KvOperation[]>();
  for (const w of history) if (w.op !== 'get') (writes.get(w.key) ?? writes.set(w.key, []).get(w.key)!).push(w);
  // When each write was certainly overwritten: the earliest answer of a write sent after it was answered.
  const overwrittenNs = new Map<KvOperation, number>();
  for (const list of writes.values()) {
    for (const w of list) overwrittenNs.set(w, list.reduce((min, x) => (x.sentNs > w.doneNs && x.doneNs < min ? x.doneNs : min), Infinity));
  }
  for (const g of history) {
    if (g.op !== 'get') continue;
    const list = writes.get(g.key) ?? [];
    const possible = list.filter((w) => w.sentNs < g.doneNs && overwrittenNs.get(w)! >= g.sentNs);
    const nothingPossible = !list.some((w) => w.doneNs < g.sentNs);
    if (possible.some((w) => w.value === g.value) || (g.value === null && nothingPossible)) continue;
    const acked = list.filter((w) => w.doneNs < g.sentNs).sort((a, b) => b.doneNs - a.doneNs)[0];
    const expected = acked === undefined ? 'nothing had been written' : `client ${acked.client}'s ${acked.op.toUpperCase()} of ${shown(acked.value)} had been acknowledged at ${ms(acked.doneNs)}`;
    return `client ${g.client}'s GET of ${g.key} (request ${g.reqId}, sent ${ms(g.sentNs)}, answered ${ms(g.doneNs)}) returned ${shown(g.value)}, but ${expected}`;
  }
  return null;
}
