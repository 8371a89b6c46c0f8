// The kvstore example's packet format (examples/kvstore/PROTOCOL.md), used by the simulated clients.

export const KvOp = { get: 1, put: 2, del: 3 } as const;
export const KvStatus = { ok: 0, notFound: 1, badRequest: 2, full: 3, diskError: 4 } as const;

export interface KvRequest { clientId: number; reqId: number; op: number; key: string; value: Uint8Array }
export interface KvReply {
  clientId: number; reqId: number; status: number; op: number;
  timeLo: number; ticks: number; seq: number; value: Uint8Array;
}

const REQ_HEADER = 12;
const REPLY_HEADER = 24;

export function encodeRequest(r: KvRequest): Uint8Array {
  const key = new TextEncoder().encode(r.key);
  const buf = new Uint8Array(REQ_HEADER + key.length + r.value.length);
  const dv = new DataView(buf.buffer);
  dv.setUint32(0, r.clientId, true);
  dv.setUint32(4, r.reqId, true);
  dv.setUint8(8, r.op);
  dv.setUint8(9, key.length);
  dv.setUint16(10, r.value.length, true);
  buf.set(key, REQ_HEADER);
  buf.set(r.value, REQ_HEADER + key.length);
  return buf;
}

/** Decodes a request packet (what `encodeRequest` wrote); null when it is too short or inconsistent. */
export function decodeRequest(p: Uint8Array): KvRequest | null {
  if (p.length < REQ_HEADER) return null;
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const keyLen = dv.getUint8(9), valLen = dv.getUint16(10, true);
  if (p.length !== REQ_HEADER + keyLen + valLen) return null;
  return {
    clientId: dv.getUint32(0, true), reqId: dv.getUint32(4, true), op: dv.getUint8(8),
    key: new TextDecoder().decode(p.subarray(REQ_HEADER, REQ_HEADER + keyLen)), value: p.slice(REQ_HEADER + keyLen),
  };
}

/** The length of the whole reply at the front of `stream` (its header, then the value its length field gives); 0 while incomplete. */
export function replyRecordBytes(stream: Uint8Array): number {
  if (stream.length < REPLY_HEADER) return 0;
  const bytes = REPLY_HEADER + (stream[10] | (stream[11] << 8));
  return stream.length >= bytes ? bytes : 0;
}

/** Decodes a reply packet; null when it is too short or inconsistent. */
export function decodeReply(p: Uint8Array): KvReply | null {
  if (p.length < REPLY_HEADER) return null;
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const valLen = dv.getUint16(10, true);
  if (p.length < REPLY_HEADER + valLen) return null;
  return {
    clientId: dv.getUint32(0, true), reqId: dv.getUint32(4, true), status: dv.getUint8(8), op: dv.getUint8(9),
    timeLo: dv.getUint32(12, true), ticks: dv.getUint32(16, true), seq: dv.getUint32(20, true),
    value: p.slice(REPLY_HEADER, REPLY_HEADER + valLen),
  };
}

/** The client id a packet is addressed to (first word), or -1. */
export function packetClientId(p: Uint8Array): number {
  return p.length >= 4 ? new DataView(p.buffer, p.byteOffset, 4).getUint32(0, true) : -1;
}
