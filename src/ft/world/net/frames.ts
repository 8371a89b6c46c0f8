// Ethernet II, ARP, IPv4 and TCP wire formats: builders, and parsers that return null (never throw) for anything malformed or not ours.
//
// Conventions: a MAC address is a 48-bit number (0x525400123456 is 52:54:00:12:34:56), an IPv4 address a 32-bit
// unsigned number (0x0a000002 is 10.0.0.2): both compare with === and clone as plain data. Every multi-byte field on
// the wire is big-endian. Frames carry no FCS and are not padded to 60 bytes (virtio-net needs neither); parsers
// accept trailing padding. Parsed payloads are views into the frame (subarray), not copies.

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETH_HEADER_BYTES = 14;
export const BROADCAST_MAC = 0xffffffffffff;
export const IPV4_HEADER_BYTES = 20;
export const IPPROTO_TCP = 6;
/** Largest IPv4 packet we build or accept on the world's Ethernet (MTU). */
export const MTU_BYTES = 1500;

const TWO_32 = 0x1_0000_0000;

/** `a` then `b`, in a new array. */
export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** 48-bit MAC from its 6 bytes (at `offset` in `bytes`). */
export function macFromBytes(bytes: ArrayLike<number>, offset = 0): number {
  let mac = 0;
  for (let i = 0; i < 6; i++) mac = mac * 256 + (bytes[offset + i] & 0xff);
  return mac;
}

/** Writes a 48-bit MAC as 6 bytes at `offset`. */
export function writeMac(out: Uint8Array, offset: number, mac: number): void {
  const hi = Math.floor(mac / TWO_32), lo = mac % TWO_32;
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  dv.setUint16(offset, hi);
  dv.setUint32(offset + 2, lo);
}

/** `52:54:00:12:34:56`. */
export function formatMac(mac: number): string {
  const b = new Uint8Array(6);
  writeMac(b, 0, mac);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}

/** 10.0.0.2 as ipv4(10, 0, 0, 2): a 32-bit unsigned number. */
export function ipv4(a: number, b: number, c: number, d: number): number {
  return ((a & 0xff) << 24 | (b & 0xff) << 16 | (c & 0xff) << 8 | (d & 0xff)) >>> 0;
}

/** `10.0.0.2`. */
export function formatIpv4(ip: number): string {
  return [ip >>> 24, (ip >>> 16) & 0xff, (ip >>> 8) & 0xff, ip & 0xff].join('.');
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

// ---- Internet checksum (RFC 1071) ----

/** Sum of `bytes` as big-endian 16-bit words (an odd last byte padded with zero) added to `acc`, not yet folded. */
export function onesComplementSum(bytes: Uint8Array, acc = 0): number {
  let sum = acc;
  const even = bytes.length & ~1;
  for (let i = 0; i < even; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (even < bytes.length) sum += bytes[even] << 8;
  return sum;
}

/** Folds a sum's carries back into 16 bits (end-around carry). */
export function foldSum(sum: number): number {
  let s = sum;
  for (let i = 0; i < 8 && s > 0xffff; i++) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** The Internet checksum of `bytes` (plus an already summed prefix `acc`, such as a pseudo-header): the one's complement of the folded sum. */
export function internetChecksum(bytes: Uint8Array, acc = 0): number {
  return ~foldSum(onesComplementSum(bytes, acc)) & 0xffff;
}

// ---- Ethernet II ----

export interface EthernetFrame {
  dstMac: number;
  srcMac: number;
  ethertype: number;
  payload: Uint8Array;
}

export function buildEthernet(f: EthernetFrame): Uint8Array {
  const out = new Uint8Array(ETH_HEADER_BYTES + f.payload.length);
  writeMac(out, 0, f.dstMac);
  writeMac(out, 6, f.srcMac);
  view(out).setUint16(12, f.ethertype);
  out.set(f.payload, ETH_HEADER_BYTES);
  return out;
}

/** Ethernet II header; null if too short or an 802.3 length field / VLAN tag stands where the ethertype should. */
export function parseEthernet(frame: Uint8Array): EthernetFrame | null {
  if (frame.length < ETH_HEADER_BYTES) return null;
  const ethertype = view(frame).getUint16(12);
  if (ethertype !== ETHERTYPE_IPV4 && ethertype !== ETHERTYPE_ARP) return null;
  return { dstMac: macFromBytes(frame, 0), srcMac: macFromBytes(frame, 6), ethertype, payload: frame.subarray(ETH_HEADER_BYTES) };
}

// ---- ARP (IPv4 over Ethernet, RFC 826) ----

export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;
const ARP_BYTES = 28;

export interface ArpPacket {
  op: typeof ARP_REQUEST | typeof ARP_REPLY;
  senderMac: number;
  senderIp: number;
  /** Zero in a request. */
  targetMac: number;
  targetIp: number;
}

/** A complete Ethernet frame carrying `arp`, from its sender's MAC to `dstMac` (broadcast for a request). */
export function buildArpFrame(arp: ArpPacket, dstMac: number): Uint8Array {
  const p = new Uint8Array(ARP_BYTES);
  const dv = view(p);
  dv.setUint16(0, 1); // hardware: Ethernet
  dv.setUint16(2, ETHERTYPE_IPV4);
  p[4] = 6;
  p[5] = 4;
  dv.setUint16(6, arp.op);
  writeMac(p, 8, arp.senderMac);
  dv.setUint32(14, arp.senderIp);
  writeMac(p, 18, arp.targetMac);
  dv.setUint32(24, arp.targetIp);
  return buildEthernet({ dstMac, srcMac: arp.senderMac, ethertype: ETHERTYPE_ARP, payload: p });
}

/** ARP payload (after the Ethernet header); null unless Ethernet/IPv4 sizes and a request or reply. */
export function parseArp(payload: Uint8Array): ArpPacket | null {
  if (payload.length < ARP_BYTES) return null;
  const dv = view(payload);
  if (dv.getUint16(0) !== 1 || dv.getUint16(2) !== ETHERTYPE_IPV4 || payload[4] !== 6 || payload[5] !== 4) return null;
  const op = dv.getUint16(6);
  if (op !== ARP_REQUEST && op !== ARP_REPLY) return null;
  return {
    op, senderMac: macFromBytes(payload, 8), senderIp: dv.getUint32(14),
    targetMac: macFromBytes(payload, 18), targetIp: dv.getUint32(24),
  };
}

// ---- IPv4 (RFC 791) ----

export interface Ipv4Packet {
  srcIp: number;
  dstIp: number;
  protocol: number;
  /** Identification field (meaningless with DF set, but Linux counts it; the sender chooses). */
  id: number;
  ttl: number;
  payload: Uint8Array;
}

/** 20-byte header (no options), DF set, TTL 64 unless given, header checksum filled in; then the payload. */
export function buildIpv4(p: Omit<Ipv4Packet, 'ttl'> & { ttl?: number }): Uint8Array {
  const total = IPV4_HEADER_BYTES + p.payload.length;
  const out = new Uint8Array(total);
  const dv = view(out);
  out[0] = 0x45;
  dv.setUint16(2, total);
  dv.setUint16(4, p.id & 0xffff);
  dv.setUint16(6, 0x4000); // DF, fragment offset 0
  out[8] = p.ttl ?? 64;
  out[9] = p.protocol;
  dv.setUint32(12, p.srcIp);
  dv.setUint32(16, p.dstIp);
  dv.setUint16(10, internetChecksum(out.subarray(0, IPV4_HEADER_BYTES)));
  out.set(p.payload, IPV4_HEADER_BYTES);
  return out;
}

/**
 * IPv4 packet; null unless version 4, IHL ≥ 5, a total length that fits the bytes (the rest is link padding) and a
 * valid header checksum. Options (IHL > 5) are skipped. Fragments are not ours: we never reassemble (DF everywhere).
 */
export function parseIpv4(bytes: Uint8Array): Ipv4Packet | null {
  if (bytes.length < IPV4_HEADER_BYTES) return null;
  const dv = view(bytes);
  const version = bytes[0] >> 4, headerBytes = (bytes[0] & 0x0f) * 4, total = dv.getUint16(2);
  if (version !== 4 || headerBytes < IPV4_HEADER_BYTES || total < headerBytes || total > bytes.length) return null;
  if (foldSum(onesComplementSum(bytes.subarray(0, headerBytes))) !== 0xffff) return null;
  const fragment = dv.getUint16(6);
  if ((fragment & 0x2000) !== 0 || (fragment & 0x1fff) !== 0) return null;
  return {
    srcIp: dv.getUint32(12), dstIp: dv.getUint32(16), protocol: bytes[9], id: dv.getUint16(4), ttl: bytes[8],
    payload: bytes.subarray(headerBytes, total),
  };
}

// ---- TCP (RFC 793) ----

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
const TCP_HEADER_BYTES = 20;
const OPT_END = 0, OPT_NOP = 1, OPT_MSS = 2;

export interface TcpSegment {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** TCP_FIN | TCP_SYN | TCP_RST | TCP_PSH | TCP_ACK (URG and ECN bits are kept but never set by us). */
  flags: number;
  window: number;
  /** The MSS option: built when not null (we send it on SYN only); parsed from any segment that carries it. */
  mss: number | null;
  payload: Uint8Array;
}

/** Sum of the TCP pseudo-header (source, destination, protocol, TCP length), to seed the checksum. */
function pseudoHeaderSum(srcIp: number, dstIp: number, tcpLength: number): number {
  return (srcIp >>> 16) + (srcIp & 0xffff) + (dstIp >>> 16) + (dstIp & 0xffff) + IPPROTO_TCP + tcpLength;
}

/** TCP header (with an MSS option when `seg.mss` is set) and payload, checksummed over the IPv4 pseudo-header. */
export function buildTcp(srcIp: number, dstIp: number, seg: TcpSegment): Uint8Array {
  const headerBytes = TCP_HEADER_BYTES + (seg.mss === null ? 0 : 4);
  const out = new Uint8Array(headerBytes + seg.payload.length);
  const dv = view(out);
  dv.setUint16(0, seg.srcPort);
  dv.setUint16(2, seg.dstPort);
  dv.setUint32(4, seg.seq >>> 0);
  dv.setUint32(8, seg.ack >>> 0);
  out[12] = (headerBytes / 4) << 4;
  out[13] = seg.flags & 0xff;
  dv.setUint16(14, seg.window);
  if (seg.mss !== null) {
    out[20] = OPT_MSS;
    out[21] = 4;
    dv.setUint16(22, seg.mss);
  }
  out.set(seg.payload, headerBytes);
  dv.setUint16(16, internetChecksum(out, pseudoHeaderSum(srcIp, dstIp, out.length)));
  return out;
}

/** MSS from the options area; undefined if the options are malformed (a length running past the header). */
function parseMssOption(opts: Uint8Array): number | null | undefined {
  let mss: number | null = null;
  let i = 0;
  while (i < opts.length) { // every pass advances i by at least 1: bounded by opts.length (≤ 40)
    const kind = opts[i];
    if (kind === OPT_END) break;
    if (kind === OPT_NOP) { i++; continue; }
    if (i + 1 >= opts.length) return undefined;
    const len = opts[i + 1];
    if (len < 2 || i + len > opts.length) return undefined;
    if (kind === OPT_MSS) {
      if (len !== 4) return undefined;
      mss = (opts[i + 2] << 8) | opts[i + 3];
    }
    i += len;
  }
  return mss;
}

/** TCP segment (the IPv4 payload); null if truncated, the data offset is wrong, the options are malformed or the checksum fails. */
export function parseTcp(srcIp: number, dstIp: number, bytes: Uint8Array): TcpSegment | null {
  if (bytes.length < TCP_HEADER_BYTES) return null;
  const dv = view(bytes);
  const headerBytes = (bytes[12] >> 4) * 4;
  if (headerBytes < TCP_HEADER_BYTES || headerBytes > bytes.length) return null;
  if (foldSum(onesComplementSum(bytes, pseudoHeaderSum(srcIp, dstIp, bytes.length))) !== 0xffff) return null;
  const mss = parseMssOption(bytes.subarray(TCP_HEADER_BYTES, headerBytes));
  if (mss === undefined) return null;
  return {
    srcPort: dv.getUint16(0), dstPort: dv.getUint16(2), seq: dv.getUint32(4), ack: dv.getUint32(8),
    flags: bytes[13], window: dv.getUint16(14), mss, payload: bytes.subarray(headerBytes),
  };
}

// ---- Whole TCP/IPv4/Ethernet frames ----

export interface TcpFrame {
  srcMac: number;
  dstMac: number;
  srcIp: number;
  dstIp: number;
  /** IPv4 identification (the builder's choice; parsed for information). */
  ipId: number;
  tcp: TcpSegment;
}

export function buildTcpFrame(f: TcpFrame): Uint8Array {
  const ip = buildIpv4({ srcIp: f.srcIp, dstIp: f.dstIp, protocol: IPPROTO_TCP, id: f.ipId, payload: buildTcp(f.srcIp, f.dstIp, f.tcp) });
  return buildEthernet({ dstMac: f.dstMac, srcMac: f.srcMac, ethertype: ETHERTYPE_IPV4, payload: ip });
}

/** An Ethernet frame carrying a valid TCP/IPv4 segment; null for anything else (ARP, other protocols, damage). */
export function parseTcpFrame(frame: Uint8Array): TcpFrame | null {
  const eth = parseEthernet(frame);
  if (eth === null || eth.ethertype !== ETHERTYPE_IPV4) return null;
  const ip = parseIpv4(eth.payload);
  if (ip === null || ip.protocol !== IPPROTO_TCP) return null;
  const tcp = parseTcp(ip.srcIp, ip.dstIp, ip.payload);
  if (tcp === null) return null;
  return { srcMac: eth.srcMac, dstMac: eth.dstMac, srcIp: ip.srcIp, dstIp: ip.dstIp, ipId: ip.id, tcp };
}
