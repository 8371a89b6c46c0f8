// Wire formats of the world's Ethernet: checksums against known values, build→parse round trips, and damaged frames parsing to null without throwing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ARP_REPLY, ARP_REQUEST, BROADCAST_MAC, buildArpFrame, buildEthernet, buildIpv4, buildTcp, buildTcpFrame, ETHERTYPE_ARP,
  ETHERTYPE_IPV4, foldSum, formatIpv4, formatMac, internetChecksum, ipv4, IPPROTO_TCP, macFromBytes, onesComplementSum,
  parseArp, parseEthernet, parseIpv4, parseTcp, parseTcpFrame, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, type TcpFrame,
} from '../../../src/ft/world/net/frames';
import { arpReply } from '../../../src/ft/world/net/arp';
import { mulberry32 } from '../../helpers/mulberry32';

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)));

/** A checksum computed another way: the one's complement sum is the plain sum modulo 0xffff (0 standing for 0xffff). */
function referenceChecksum(bytes: Uint8Array, pseudo: number[] = []): number {
  let sum = 0;
  for (const w of pseudo) sum += w;
  for (let i = 0; i < bytes.length; i += 2) sum += bytes[i] * 256 + (i + 1 < bytes.length ? bytes[i + 1] : 0);
  const ones = sum === 0 ? 0 : (sum % 0xffff === 0 ? 0xffff : sum % 0xffff);
  return 0xffff - ones;
}

const CLIENT_MAC = 0x02000a00000b, VM_MAC = 0x525400123456;
const CLIENT_IP = ipv4(10, 0, 0, 11), VM_IP = ipv4(10, 0, 0, 2);

function sampleTcp(over: Partial<TcpFrame['tcp']> = {}): TcpFrame {
  return {
    srcMac: CLIENT_MAC, dstMac: VM_MAC, srcIp: CLIENT_IP, dstIp: VM_IP, ipId: 0x1234,
    tcp: { srcPort: 40001, dstPort: 7000, seq: 0xdeadbeef, ack: 0x01020304, flags: TCP_ACK | TCP_PSH, window: 65535, mss: null, payload: new TextEncoder().encode('hello, guest'), ...over },
  };
}

test('RFC 1071 §3 example: the words 0001 f203 f4f5 f6f7 sum to ddf2, so the checksum is 220d', () => {
  const bytes = hex('0001 f203 f4f5 f6f7');
  assert.equal(foldSum(onesComplementSum(bytes)), 0xddf2);
  assert.equal(internetChecksum(bytes), 0x220d);
  assert.equal(referenceChecksum(bytes), 0x220d);
});

test('a captured IPv4 header (192.168.0.1 → 192.168.0.199, UDP) carries checksum b861, and re-summing it gives ffff', () => {
  const header = hex('4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7');
  const zeroed = header.slice();
  zeroed[10] = zeroed[11] = 0;
  assert.equal(internetChecksum(zeroed), 0xb861);
  assert.equal(foldSum(onesComplementSum(header)), 0xffff);
  assert.equal(internetChecksum(header), 0);
});

test('odd-length data is summed as if padded with a zero byte', () => {
  assert.equal(internetChecksum(hex('0102 03')), internetChecksum(hex('0102 0300')));
  assert.equal(internetChecksum(hex('0102 03')), referenceChecksum(hex('0102 03')));
});

test('a TCP segment\'s checksum covers the pseudo-header: it matches an independent sum, and re-summing gives ffff', () => {
  for (const payload of [new Uint8Array(0), hex('aa'), new TextEncoder().encode('GET k1 odd')]) {
    const seg = buildTcp(CLIENT_IP, VM_IP, { ...sampleTcp().tcp, flags: TCP_SYN, mss: 1460, payload });
    const stored = (seg[16] << 8) | seg[17];
    const zeroed = seg.slice();
    zeroed[16] = zeroed[17] = 0;
    const pseudo = [CLIENT_IP >>> 16, CLIENT_IP & 0xffff, VM_IP >>> 16, VM_IP & 0xffff, IPPROTO_TCP, seg.length];
    assert.equal(stored, referenceChecksum(zeroed, pseudo), `payload ${payload.length}`);
    assert.equal(foldSum(onesComplementSum(seg, pseudo.reduce((a, b) => a + b, 0))), 0xffff);
    // The same bytes between other addresses fail: the pseudo-header is part of the sum.
    assert.equal(parseTcp(CLIENT_IP, ipv4(10, 0, 0, 3), seg), null);
    assert.notEqual(parseTcp(CLIENT_IP, VM_IP, seg), null);
  }
});

test('addresses print and convert', () => {
  assert.equal(formatMac(VM_MAC), '52:54:00:12:34:56');
  assert.equal(macFromBytes([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]), VM_MAC);
  assert.equal(formatMac(BROADCAST_MAC), 'ff:ff:ff:ff:ff:ff');
  assert.equal(formatIpv4(ipv4(10, 0, 0, 210)), '10.0.0.210');
  assert.equal(ipv4(255, 255, 255, 255), 0xffffffff);
});

test('Ethernet round trip, and only IPv4 and ARP ethertypes are ours', () => {
  const payload = hex('0102 0304');
  const frame = buildEthernet({ dstMac: VM_MAC, srcMac: CLIENT_MAC, ethertype: ETHERTYPE_IPV4, payload });
  assert.deepEqual(hex('525400123456 02000a00000b 0800 01020304'), frame);
  const eth = parseEthernet(frame)!;
  assert.equal(eth.dstMac, VM_MAC);
  assert.equal(eth.srcMac, CLIENT_MAC);
  assert.equal(eth.ethertype, ETHERTYPE_IPV4);
  assert.deepEqual(eth.payload, payload);
  for (const other of [0x86dd, 0x8100, 0x0040]) assert.equal(parseEthernet(buildEthernet({ ...eth, ethertype: other })), null);
  assert.equal(parseEthernet(frame.subarray(0, 13)), null);
});

test('ARP round trip: a request broadcast, a reply unicast, padding to 60 bytes ignored', () => {
  const req = { op: ARP_REQUEST, senderMac: VM_MAC, senderIp: VM_IP, targetMac: 0, targetIp: CLIENT_IP } as const;
  const frame = buildArpFrame(req, BROADCAST_MAC);
  assert.equal(frame.length, 42);
  const eth = parseEthernet(frame)!;
  assert.equal(eth.ethertype, ETHERTYPE_ARP);
  assert.equal(eth.dstMac, BROADCAST_MAC);
  assert.deepEqual(parseArp(eth.payload), req);
  const padded = new Uint8Array(60);
  padded.set(frame);
  assert.deepEqual(parseArp(parseEthernet(padded)!.payload), req);
  const rep = { op: ARP_REPLY, senderMac: CLIENT_MAC, senderIp: CLIENT_IP, targetMac: VM_MAC, targetIp: VM_IP } as const;
  assert.deepEqual(parseArp(parseEthernet(buildArpFrame(rep, VM_MAC))!.payload), rep);
  const bad = eth.payload.slice();
  bad[7] = 3; // RARP request
  assert.equal(parseArp(bad), null);
});

test('IPv4 round trip: DF, TTL 64, checksum; padding cut off by the total length; options skipped', () => {
  const payload = hex('00112233 44');
  const pkt = buildIpv4({ srcIp: CLIENT_IP, dstIp: VM_IP, protocol: IPPROTO_TCP, id: 7, payload });
  assert.equal(pkt[0], 0x45);
  assert.equal(pkt[6], 0x40, 'DF');
  assert.equal(pkt[8], 64, 'TTL');
  assert.equal(internetChecksum(pkt.subarray(0, 20)), 0, 'header sums to ffff');
  const padded = new Uint8Array(pkt.length + 9);
  padded.set(pkt);
  assert.deepEqual(parseIpv4(padded), { srcIp: CLIENT_IP, dstIp: VM_IP, protocol: IPPROTO_TCP, id: 7, ttl: 64, payload });
  // The same packet with a 4-byte option (NOPs): IHL 6, checksum redone.
  const opt = new Uint8Array(pkt.length + 4);
  opt.set(pkt.subarray(0, 20));
  opt.set([1, 1, 1, 0], 20);
  opt.set(payload, 24);
  opt[0] = 0x46;
  opt[3] = opt.length;
  opt[10] = opt[11] = 0;
  const c = internetChecksum(opt.subarray(0, 24));
  opt[10] = c >> 8;
  opt[11] = c & 0xff;
  assert.deepEqual(parseIpv4(opt)?.payload, payload);
});

test('IPv4 parse refuses a wrong version, IHL, length or checksum, and fragments', () => {
  const pkt = buildIpv4({ srcIp: CLIENT_IP, dstIp: VM_IP, protocol: IPPROTO_TCP, id: 7, payload: hex('0102') });
  const withHeader = (edit: (b: Uint8Array) => void) => {
    const b = pkt.slice();
    edit(b);
    b[10] = b[11] = 0;
    const c = internetChecksum(b.subarray(0, 20));
    b[10] = c >> 8;
    b[11] = c & 0xff;
    return parseIpv4(b);
  };
  assert.notEqual(withHeader(() => undefined), null);
  assert.equal(withHeader((b) => { b[0] = 0x65; }), null, 'version 6');
  assert.equal(withHeader((b) => { b[0] = 0x44; }), null, 'IHL 4');
  assert.equal(withHeader((b) => { b[0] = 0x4f; }), null, 'IHL past the data');
  assert.equal(withHeader((b) => { b[3] = 30; }), null, 'total length past the data');
  assert.equal(withHeader((b) => { b[3] = 19; }), null, 'total length below the header');
  assert.equal(withHeader((b) => { b[6] = 0x20; }), null, 'more fragments');
  assert.equal(withHeader((b) => { b[7] = 0x01; }), null, 'fragment offset');
  const bad = pkt.slice();
  bad[8] = 63; // TTL changed, checksum left as it was
  assert.equal(parseIpv4(bad), null);
});

test('TCP frame round trip: flags, ports, sequence numbers, window, MSS, payload', () => {
  for (const over of [{}, { flags: TCP_SYN, mss: 1460, payload: new Uint8Array(0) }, { flags: TCP_FIN | TCP_ACK, seq: 0xffffffff, ack: 0 }, { mss: 536 }]) {
    const f = sampleTcp(over);
    const frame = buildTcpFrame(f);
    assert.deepEqual(parseTcpFrame(frame), f);
    const padded = new Uint8Array(Math.max(60, frame.length + 3));
    padded.set(frame);
    assert.deepEqual(parseTcpFrame(padded), f, 'Ethernet padding is not payload');
  }
  assert.equal(buildTcpFrame(sampleTcp({ payload: new Uint8Array(0) })).length, 54);
  assert.equal(buildTcpFrame(sampleTcp({ flags: TCP_SYN, mss: 1460, payload: new Uint8Array(0) })).length, 58);
});

test('TCP options: NOPs, unknown kinds and EOL are skipped; a length running past the header is malformed', () => {
  const withOptions = (opts: number[]) => {
    const base = buildTcp(CLIENT_IP, VM_IP, { ...sampleTcp().tcp, payload: new Uint8Array(0) });
    const seg = new Uint8Array(20 + opts.length);
    seg.set(base.subarray(0, 20));
    seg.set(opts, 20);
    seg[12] = ((20 + opts.length) / 4) << 4;
    seg[16] = seg[17] = 0;
    const pseudo = (CLIENT_IP >>> 16) + (CLIENT_IP & 0xffff) + (VM_IP >>> 16) + (VM_IP & 0xffff) + IPPROTO_TCP + seg.length;
    const c = internetChecksum(seg, pseudo);
    seg[16] = c >> 8;
    seg[17] = c & 0xff;
    return parseTcp(CLIENT_IP, VM_IP, seg);
  };
  // What Linux puts in a SYN-ACK to a SYN offering only MSS: just the MSS; with SACK/timestamps/wscale it adds more.
  assert.equal(withOptions([2, 4, 0x05, 0xb4])?.mss, 1460);
  assert.equal(withOptions([1, 1, 4, 2, 2, 4, 0x02, 0x18, 3, 3, 7, 0])?.mss, 536);
  assert.equal(withOptions([8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1])?.mss, null, 'timestamps only');
  assert.equal(withOptions([0, 2, 4, 0x05, 0xb4, 0, 0, 0])?.mss, null, 'after EOL nothing counts');
  assert.equal(withOptions([2, 4, 0x05, 0xb4, 3, 9, 0, 0]), null, 'length past the header');
  assert.equal(withOptions([2, 3, 0x05, 0, 1, 1, 1, 1]), null, 'MSS of the wrong length');
  assert.equal(withOptions([1, 1, 1, 5]), null, 'a kind without its length byte');
  assert.equal(withOptions([1, 1, 5, 1]), null, 'length below 2');
});

// ---- Damaged frames ----

function samples(): Uint8Array[] {
  return [
    buildArpFrame({ op: ARP_REQUEST, senderMac: VM_MAC, senderIp: VM_IP, targetMac: 0, targetIp: CLIENT_IP }, BROADCAST_MAC),
    buildArpFrame({ op: ARP_REPLY, senderMac: CLIENT_MAC, senderIp: CLIENT_IP, targetMac: VM_MAC, targetIp: VM_IP }, VM_MAC),
    buildTcpFrame(sampleTcp({ flags: TCP_SYN, mss: 1460, payload: new Uint8Array(0) })),
    buildTcpFrame(sampleTcp()),
    buildTcpFrame(sampleTcp({ flags: TCP_FIN | TCP_ACK, payload: new Uint8Array(0) })),
    buildTcpFrame(sampleTcp({ payload: Uint8Array.from({ length: 1460 }, (_, i) => i * 7) })),
  ];
}

/** Every parser on `frame`: none may throw; returns whether the whole TCP frame parsed. */
function parseAll(frame: Uint8Array): TcpFrame | null {
  const eth = parseEthernet(frame);
  if (eth !== null) {
    parseArp(eth.payload);
    const ip = parseIpv4(eth.payload);
    if (ip !== null) parseTcp(ip.srcIp, ip.dstIp, ip.payload);
  }
  parseArp(frame);
  parseIpv4(frame);
  parseTcp(CLIENT_IP, VM_IP, frame);
  arpReply(frame, new Map([[CLIENT_IP, CLIENT_MAC]]));
  return parseTcpFrame(frame);
}

test('fuzz: hundreds of mutated, truncated, extended and random frames never throw; damage under a checksum is caught', () => {
  const rand = mulberry32(0x5eed);
  const int = (n: number) => Math.floor(rand() * n);
  const base = samples();
  let caught = 0;
  for (let round = 0; round < 600; round++) {
    const orig = base[round % base.length];
    const isTcp = parseTcpFrame(orig) !== null;
    const kind = round % 5;
    let frame: Uint8Array;
    if (kind === 0) { // one bit flipped
      frame = orig.slice();
      const at = int(frame.length);
      frame[at] ^= 1 << int(8);
      // Under the IPv4 or TCP checksum (all but the version/IHL byte, which changes what is summed), one bit is always caught.
      if (isTcp && at >= 14 && at !== 14) {
        assert.equal(parseAll(frame), null, `bit flip at ${at} of sample ${round % base.length}`);
        caught++;
        continue;
      }
    } else if (kind === 1) { // truncated
      frame = orig.slice(0, int(orig.length));
      const got = parseAll(frame);
      assert.equal(got, null, `truncated to ${frame.length}`);
      if (parseArp(frame.subarray(14)) !== null) assert.fail('a truncated ARP parsed');
      continue;
    } else if (kind === 2) { // a few bytes overwritten
      frame = orig.slice();
      for (let i = 0, n = 1 + int(4); i < n; i++) frame[int(frame.length)] = int(256);
    } else if (kind === 3) { // junk appended: padding, so the same frame
      frame = new Uint8Array(orig.length + 1 + int(40));
      frame.set(orig);
      for (let i = orig.length; i < frame.length; i++) frame[i] = int(256);
      if (isTcp) assert.deepEqual(parseAll(frame), parseTcpFrame(orig));
      continue;
    } else { // random bytes, sometimes with a plausible header
      frame = Uint8Array.from({ length: int(120) }, () => int(256));
      if (frame.length > 14 && rand() < 0.5) { frame[12] = 0x08; frame[13] = rand() < 0.5 ? 0x00 : 0x06; }
      if (frame.length > 15 && rand() < 0.5) frame[14] = 0x45;
    }
    parseAll(frame);
  }
  assert.ok(caught > 50, `${caught} checksum catches`);
});
