// The client-side TCP connection against a scripted server: handshake, request and response, closes, loss and retransmission, reordering, resets, wraparound, windows, checkpoints.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, parseTcpFrame } from '../../../src/ft/world/net/frames';
import { resetReplyTo, TcpConn, type TcpStep } from '../../../src/ft/world/net/tcp-conn';
import type { TcpConnConfig } from '../../../src/ft/world/net/tcp-state';
import { seqAdd, seqDiff, seqGe, seqGt, seqInRange, seqLe, seqLt } from '../../../src/ft/world/net/seq';
import { CLIENT, pattern, ScriptedPeer, seg, VM } from './peer';

const MS = 1_000_000;
const PEER_ISN = 0x70000000;

function conn(over: Partial<TcpConnConfig> = {}): TcpConn {
  return new TcpConn({ local: CLIENT, remote: VM, isn: 1000, initialRtoNs: 100 * MS, maxRtoNs: 400 * MS, maxRetransmissions: 4, timeWaitNs: 50 * MS, ...over });
}

/** The one segment a step sent. */
function only(step: { frames: Uint8Array[] }) {
  assert.equal(step.frames.length, 1, `one frame, not ${step.frames.length}`);
  return seg(step.frames[0]);
}

/** Opens `c` against `peer` at time 0: SYN, SYN-ACK, ACK. */
function establish(c: TcpConn, peer: ScriptedPeer): void {
  const syn = only(c.open(0));
  const st = c.receive(peer.synAck(syn), 1 * MS);
  assert.deepEqual(st.events, ['established']);
  assert.equal(c.state, 'ESTABLISHED');
}

const text = (b: Uint8Array | number[]) => new TextDecoder().decode(Uint8Array.from(b));

test('sequence arithmetic is modulo 2^32: 0xfffffff0 is before 0x10', () => {
  assert.equal(seqAdd(0xfffffff0, 0x20), 0x10);
  assert.equal(seqAdd(5, -6), 0xffffffff);
  assert.equal(seqDiff(0xfffffff0, 0x10), 0x20);
  assert.equal(seqDiff(0x10, 0xfffffff0), -0x20);
  assert.ok(seqLt(0xfffffff0, 0x10) && seqLe(0xfffffff0, 0x10) && !seqLt(0x10, 0xfffffff0));
  assert.ok(seqGt(0x10, 0xfffffff0) && seqGe(7, 7) && seqLe(7, 7) && !seqLt(7, 7));
  assert.ok(seqInRange(0, 0xfffffff0, 0x10) && !seqInRange(0x10, 0xfffffff0, 0x10) && !seqInRange(5, 5, 5));
});

test('handshake, a request and its response, then the client closes: FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT, CLOSED', () => {
  const c = conn(), peer = new ScriptedPeer(PEER_ISN);
  const syn = only(c.open(0));
  assert.equal(syn.tcp.flags, TCP_SYN);
  assert.equal(syn.tcp.seq, 1000);
  assert.equal(syn.tcp.mss, 1460);
  assert.equal(syn.tcp.window, 65535);
  assert.equal(c.state, 'SYN_SENT');
  assert.equal(c.nextTimerNs(), 100 * MS);

  const hs = c.receive(peer.synAck(syn), 1 * MS);
  assert.deepEqual(hs.events, ['established']);
  const ack = only(hs);
  assert.equal(ack.tcp.flags, TCP_ACK);
  assert.equal(ack.tcp.seq, 1001);
  assert.equal(ack.tcp.ack, PEER_ISN + 1);
  assert.equal(c.nextTimerNs(), null, 'nothing in flight');

  const req = new TextEncoder().encode('GET k1');
  const w = c.write(req, 2 * MS);
  assert.ok(w.accepted);
  const data = only(w);
  assert.equal(data.tcp.flags, TCP_ACK | TCP_PSH);
  assert.equal(data.tcp.seq, 1001);
  assert.equal(text(data.tcp.payload), 'GET k1');
  assert.equal(c.nextTimerNs(), 102 * MS);
  assert.ok(peer.take(data));

  const reply = c.receive(peer.data(new TextEncoder().encode('VALUE v1')), 3 * MS);
  assert.equal(reply.deliveredBytes, 8);
  assert.equal(only(reply).tcp.ack, PEER_ISN + 1 + 8);
  assert.equal(c.nextTimerNs(), null, 'the request is acknowledged');
  assert.equal(c.readableBytes(), 8);
  const r = c.read();
  assert.equal(text(r.data), 'VALUE v1');
  assert.equal(r.frames.length, 0, 'a small read sends no window update');

  const fin = only(c.close(4 * MS));
  assert.equal(fin.tcp.flags, TCP_FIN | TCP_ACK);
  assert.equal(fin.tcp.seq, 1007);
  assert.equal(c.state, 'FIN_WAIT_1');
  assert.ok(!c.write(new Uint8Array(1), 4 * MS).accepted, 'no writes after close');
  assert.ok(peer.take(fin));

  assert.equal(c.receive(peer.ack(), 5 * MS).frames.length, 0);
  assert.equal(c.state, 'FIN_WAIT_2');
  assert.equal(c.nextTimerNs(), null);
  const last = c.receive(peer.fin(), 6 * MS);
  assert.deepEqual(last.events, ['peerClosed']);
  assert.equal(only(last).tcp.ack, PEER_ISN + 1 + 8 + 1);
  assert.equal(c.state, 'TIME_WAIT');
  assert.equal(c.nextTimerNs(), 56 * MS);
  // The peer's FIN again (our ACK lost): ACKed again.
  assert.equal(only(c.receive(peer.frame(TCP_FIN | TCP_ACK, (peer.sndNxt - 1) >>> 0, new Uint8Array(0)), 7 * MS)).tcp.ack, peer.sndNxt);
  assert.deepEqual(c.onTimer(56 * MS).events, ['closed']);
  assert.equal(c.state, 'CLOSED');
  assert.ok(!c.reset && !c.failed && c.peerClosed);
  assert.equal(c.nextTimerNs(), null);
});

test('the server closes first: CLOSE_WAIT, the client can still send, then LAST_ACK and CLOSED', () => {
  const c = conn(), peer = new ScriptedPeer(PEER_ISN);
  establish(c, peer);
  const last = peer.frame(TCP_FIN | TCP_ACK | TCP_PSH, peer.sndNxt, pattern(9));
  peer.sndNxt += 10;
  const st = c.receive(last, 2 * MS);
  assert.deepEqual(st.events, ['peerClosed']);
  assert.equal(st.deliveredBytes, 9, 'the data before the FIN is delivered');
  assert.equal(c.state, 'CLOSE_WAIT');
  assert.equal(only(st).tcp.ack, PEER_ISN + 11);
  assert.deepEqual(c.read().data, pattern(9));
  assert.ok(peer.take(only(c.write(pattern(10), 3 * MS))));
  const fin = only(c.close(3 * MS));
  assert.equal(c.state, 'LAST_ACK');
  assert.ok(peer.take(fin));
  assert.deepEqual(c.receive(peer.ack(), 4 * MS).events, ['closed']);
  assert.equal(c.state, 'CLOSED');
  assert.equal(c.nextTimerNs(), null);
});

test('closing together: the peer\'s FIN with the ACK of ours goes straight to TIME_WAIT; a FIN crossing ours goes through CLOSING', () => {
  const both = conn(), p1 = new ScriptedPeer(PEER_ISN);
  establish(both, p1);
  assert.ok(p1.take(only(both.close(2 * MS))));
  const st = both.receive(p1.fin(), 3 * MS);
  assert.deepEqual(st.events, ['peerClosed']);
  assert.equal(both.state, 'TIME_WAIT');
  assert.equal(only(st).tcp.ack, PEER_ISN + 2);

  const crossing = conn(), p2 = new ScriptedPeer(PEER_ISN);
  establish(crossing, p2);
  const fin = only(crossing.close(2 * MS));
  crossing.receive(p2.frame(TCP_FIN | TCP_ACK, p2.sndNxt, new Uint8Array(0), null, fin.tcp.seq), 3 * MS); // FIN sent before ours arrived
  p2.sndNxt++;
  assert.equal(crossing.state, 'CLOSING');
  assert.ok(p2.take(fin));
  crossing.receive(p2.ack(), 4 * MS);
  assert.equal(crossing.state, 'TIME_WAIT');
  assert.equal(crossing.nextTimerNs(), 54 * MS);
  assert.equal(crossing.receive(p2.rst(), 5 * MS).events.length, 0, 'a RST in TIME_WAIT ends it quietly (RFC 1337)');
  assert.equal(crossing.state, 'CLOSED');
  assert.ok(!crossing.reset);
});

test('a lost SYN is sent again with the RTO doubling up to its maximum; after the last retransmission the connection fails', () => {
  const c = conn();
  const first = c.open(0).frames[0];
  assert.equal(c.onTimer(99 * MS).frames.length, 0, 'early: nothing');
  const times: number[] = [];
  for (let i = 0; i < 4; i++) {
    const at = c.nextTimerNs()!;
    times.push(at);
    const again = only(c.onTimer(at));
    assert.equal(again.tcp.flags, TCP_SYN);
    assert.equal(again.tcp.seq, 1000);
    assert.equal(again.tcp.mss, 1460);
    assert.deepEqual(c.onTimer(at).frames, [], 'the timer moved on');
  }
  assert.deepEqual(times, [100, 300, 700, 1100].map((m) => m * MS), 'RTO 100, 200, 400, 400 (capped)');
  assert.equal(c.getState().stats.retransmissions, 4);
  assert.ok(first.length > 0);
  const end = c.onTimer(c.nextTimerNs()!);
  assert.deepEqual(end.events, ['failed']);
  assert.equal(end.frames.length, 0);
  assert.equal(c.state, 'CLOSED');
  assert.ok(c.failed && !c.reset);
  assert.equal(c.nextTimerNs(), null);
});

test('lost data: the RTO resends from the oldest unacknowledged byte, an ACK resets the backoff and the rest follows (go-back-N)', () => {
  const c = conn(), peer = new ScriptedPeer(PEER_ISN);
  establish(c, peer);
  const sent = c.write(pattern(3000), 10 * MS).frames.map(seg);
  assert.deepEqual(sent.map((f) => f.tcp.payload.length), [1460, 1460, 80], 'MSS-sized segments');
  // All three lost. The timer resends one MSS from sndUna.
  const t1 = c.nextTimerNs()!;
  assert.equal(t1, 110 * MS);
  const re = only(c.onTimer(t1));
  assert.equal(re.tcp.seq, 1001);
  assert.deepEqual(re.tcp.payload, pattern(1460));
  assert.equal(c.nextTimerNs(), t1 + 200 * MS, 'RTO doubled');
  // That one is lost as well; the next expiry doubles again.
  const t2 = c.nextTimerNs()!;
  assert.ok(peer.take(only(c.onTimer(t2))));
  assert.equal(c.nextTimerNs(), t2 + 400 * MS);
  // Its ACK: the backoff resets and the rest goes out again.
  const st = c.receive(peer.ack(), t2 + MS);
  assert.deepEqual(st.frames.map(seg).map((f) => [f.tcp.seq - 1001, f.tcp.payload.length]), [[1460, 1460], [2920, 80]]);
  assert.equal(c.nextTimerNs(), t2 + MS + 100 * MS, 'RTO back to its initial value');
  for (const f of st.frames.map(seg)) assert.ok(peer.take(f));
  assert.equal(c.receive(peer.ack(), t2 + 2 * MS).frames.length, 0);
  assert.equal(c.nextTimerNs(), null);
  assert.deepEqual(peer.received, [...pattern(3000)]);
});

test('after a go-back, an ACK for the original transmission covers everything sent before', () => {
  const c = conn(), peer = new ScriptedPeer(PEER_ISN);
  establish(c, peer);
  for (const f of c.write(pattern(3000), 10 * MS).frames.map(seg)) assert.ok(peer.take(f)); // all arrive, the ACK is late
  only(c.onTimer(c.nextTimerNs()!));
  const st = c.receive(peer.ack(), 120 * MS);
  assert.equal(st.frames.length, 0, 'nothing left to send');
  assert.equal(c.nextTimerNs(), null);
  const s = c.getState();
  assert.equal(s.sndUna, s.sndNxt);
  assert.equal(s.sendQueue.length, 0);
});

test('data that never gets through fails the connection after the maximum retransmissions', () => {
  const c = conn(), peer = new ScriptedPeer(PEER_ISN);
  establish(c, peer);
  c.write(pattern(100), 10 * MS);
  const gaps: number[] = [];
  let last = 10 * MS;
  for (let i = 0; i < 4; i++) {
    const at = c.nextTimerNs()!;
    gaps.push((at - last) / MS);
    last = at;
    assert.equal(only(c.onTimer(at)).tcp.payload.length, 100);
  }
  assert.deepEqual(gaps, [100, 200, 400, 400]);
  assert.deepEqual(c.onTimer(c.nextTimerNs()!).events, ['failed']);
  assert.ok(c.failed);
  assert.equal(c.writableBytes(), 0);
});

test('an out-of-order segment is dropped with a duplicate ACK; the gap filled, the rest comes in order when sent again', () => {
  const c = conn(), peer = new ScriptedPeer(PEER_ISN);
  establish(c, peer);
  const a = peer.data(pattern(100, 0)), b = peer.data(pattern(100, 100));
  const early = c.receive(b, 2 * MS);
  assert.equal(early.deliveredBytes, 0);
  const dup = only(early);
  assert.equal(dup.tcp.flags, TCP_ACK);
  assert.equal(dup.tcp.ack, PEER_ISN + 1, 'duplicate ACK: still waiting for the first byte');
  assert.equal(c.getState().stats.outOfOrderDropped, 1);
  const first = c.receive(a, 3 * MS);
  assert.equal(first.deliveredBytes, 100);
  assert.equal(only(first).tcp.ack, PEER_ISN + 101);
  const second = c.receive(peer.data(pattern(100, 100), PEER_ISN + 101), 4 * MS);
  assert.equal(second.deliveredBytes, 100);
  assert.equal(only(second).tcp.ack, PEER_ISN + 201);
  assert.deepEqual(c.read().data, pattern(200));
  // A repeat of what we have: a duplicate ACK, nothing delivered.
  const repeat = c.receive(peer.data(pattern(100, 0), PEER_ISN + 1), 5 * MS);
  assert.equal(repeat.deliveredBytes, 0);
  assert.equal(only(repeat).tcp.ack, PEER_ISN + 201);
});

test('a repeat overlapping new data delivers only the new part', () => {
  const c = conn(), peer = new ScriptedPeer(PEER_ISN);
  establish(c, peer);
  c.receive(peer.data(pattern(100)), 2 * MS);
  const st = c.receive(peer.data(pattern(150, 50), PEER_ISN + 51), 3 * MS);
  assert.equal(st.deliveredBytes, 100);
  assert.deepEqual(c.read().data, pattern(200));
});

test('RST: an acceptable one closes with reset and drops everything; one outside the window is ignored', () => {
  const c = conn(), peer = new ScriptedPeer(PEER_ISN);
  establish(c, peer);
  c.receive(peer.data(pattern(10)), 2 * MS);
  c.write(pattern(500), 2 * MS);
  assert.equal(c.receive(peer.rst((PEER_ISN + 11 + 70000) >>> 0), 3 * MS).events.length, 0, 'outside the window');
  assert.equal(c.state, 'ESTABLISHED');
  const st = c.receive(peer.rst(), 3 * MS);
  assert.deepEqual(st.events, ['reset']);
  assert.equal(st.frames.length, 0, 'a RST is never answered');
  assert.equal(c.state, 'CLOSED');
  assert.ok(c.reset && !c.failed);
  assert.equal(c.readableBytes(), 0);
  assert.equal(c.writableBytes(), 0);
  assert.equal(c.nextTimerNs(), null);
});

test('RST answering our SYN (nothing listens): refused, closed with reset; an ACK of something else in SYN_SENT draws our RST', () => {
  const c = conn();
  c.open(0);
  const peer = new ScriptedPeer(PEER_ISN);
  const bogus = only(c.receive(peer.frame(TCP_ACK, 5, new Uint8Array(0), null, 12345), MS));
  assert.equal(bogus.tcp.flags, TCP_RST);
  assert.equal(bogus.tcp.seq, 12345);
  assert.equal(c.state, 'SYN_SENT');
  const st = c.receive(peer.frame(TCP_RST | TCP_ACK, 0, new Uint8Array(0), null, 1001), MS);
  assert.deepEqual(st.events, ['reset']);
  assert.ok(c.reset);
});

test('a lost handshake ACK: the repeated SYN-ACK is ACKed again', () => {
  const c = conn(), peer = new ScriptedPeer(PEER_ISN);
  const syn = only(c.open(0));
  const synAck = peer.synAck(syn);
  c.receive(synAck, MS);
  const again = only(c.receive(synAck, 2 * MS));
  assert.equal(again.tcp.flags, TCP_ACK);
  assert.equal(again.tcp.ack, PEER_ISN + 1);
  assert.equal(c.state, 'ESTABLISHED');
});

test('sequence numbers wrap around 2^32: ISNs 0xfffffff0 and 0xfffffff8, data and FIN across the wrap', () => {
  const c = conn({ isn: 0xfffffff0 }), peer = new ScriptedPeer(0xfffffff8, 65535, 16);
  const syn = only(c.open(0));
  assert.equal(syn.tcp.seq, 0xfffffff0);
  c.receive(peer.synAck(syn), MS);
  const out = c.write(pattern(40), 2 * MS).frames.map(seg);
  assert.deepEqual(out.map((f) => f.tcp.seq), [0xfffffff1, 0x00000001, 0x00000011], '16-byte segments (the peer\'s MSS)');
  for (const f of out) assert.ok(peer.take(f));
  assert.equal(peer.rcvNxt, 0x19);
  c.receive(peer.ack(), 3 * MS);
  assert.equal(c.nextTimerNs(), null, 'all acknowledged across the wrap');
  const st = c.receive(peer.data(pattern(40, 7)), 4 * MS);
  assert.equal(st.deliveredBytes, 40);
  assert.equal(only(st).tcp.ack, 0x21);
  assert.deepEqual(c.read().data, pattern(40, 7));
  const fin = only(c.close(5 * MS));
  assert.equal(fin.tcp.seq, 0x19);
  assert.ok(peer.take(fin));
  c.receive(peer.ack(), 6 * MS);
  assert.equal(c.state, 'FIN_WAIT_2');
  // An old segment from before the wrap is still old.
  assert.equal(c.receive(peer.data(pattern(5), 0xfffffffa), 7 * MS).deliveredBytes, 0);
});

test('the peer\'s window limits what is in flight; a zero window is probed until it opens', () => {
  const c = conn(), peer = new ScriptedPeer(PEER_ISN, 1000);
  establish(c, peer);
  const first = c.write(pattern(3000), 2 * MS).frames.map(seg);
  assert.deepEqual(first.map((f) => f.tcp.payload.length), [1000], 'one window\'s worth');
  for (const f of first) assert.ok(peer.take(f));
  const next = c.receive(peer.ack(), 3 * MS).frames.map(seg);
  assert.deepEqual(next.map((f) => f.tcp.payload.length), [1000]);
  for (const f of next) assert.ok(peer.take(f));
  peer.window = 0;
  assert.equal(c.receive(peer.ack(), 4 * MS).frames.length, 0, 'window closed: nothing sent');
  assert.equal(c.nextTimerNs(), 104 * MS, 'the persist timer');
  const probe = only(c.onTimer(104 * MS));
  assert.equal(probe.tcp.payload.length, 0);
  assert.equal(probe.tcp.seq, 1000 + 2000, 'an old sequence number draws the peer\'s ACK');
  assert.equal(c.getState().retries, 1);
  assert.equal(c.receive(peer.ack(), 105 * MS).frames.length, 0, 'still closed');
  assert.equal(c.getState().retries, 0, 'the peer answers: alive');
  peer.window = 2000;
  const rest = c.receive(peer.ack(), 106 * MS).frames.map(seg);
  assert.deepEqual(rest.map((f) => f.tcp.payload.length), [1000]);
  for (const f of rest) assert.ok(peer.take(f));
  c.receive(peer.ack(), 107 * MS);
  assert.deepEqual(peer.received, [...pattern(3000)]);
  assert.equal(c.nextTimerNs(), null);
});

test('a peer without an MSS option gets 536-byte segments; the send queue is bounded and refuses what does not fit', () => {
  const c = conn({ sendBufferBytes: 2000 }), peer = new ScriptedPeer(PEER_ISN, 65535, null);
  establish(c, peer);
  const out = c.write(pattern(1200), 2 * MS).frames.map(seg);
  assert.deepEqual(out.map((f) => f.tcp.payload.length), [536, 536, 128]);
  assert.equal(c.writableBytes(), 800);
  assert.ok(!c.write(pattern(801), 2 * MS).accepted, 'whole writes or none');
  assert.ok(c.write(pattern(800), 2 * MS).accepted);
  assert.equal(c.writableBytes(), 0);
});

test('data and close queued in SYN_SENT go out on establishment, the FIN riding on the last segment', () => {
  const c = conn(), peer = new ScriptedPeer(PEER_ISN);
  const syn = only(c.open(0));
  assert.ok(c.write(pattern(20), 0).accepted);
  assert.equal(c.close(0).frames.length, 0, 'nothing before the handshake');
  const st = c.receive(peer.synAck(syn), MS);
  const f = only(st);
  assert.equal(f.tcp.flags, TCP_ACK | TCP_PSH | TCP_FIN);
  assert.equal(f.tcp.payload.length, 20);
  assert.equal(c.state, 'FIN_WAIT_1');
  // The FIN is lost with the data: the timer resends both.
  const re = only(c.onTimer(c.nextTimerNs()!));
  assert.equal(re.tcp.flags & TCP_FIN, TCP_FIN);
  assert.ok(peer.take(re) && peer.finReceived);
  c.receive(peer.ack(), 200 * MS);
  assert.equal(c.state, 'FIN_WAIT_2');
});

test('the receive queue bounds the window: data past it is dropped, a read that opens it sends a window update', () => {
  const c = conn({ receiveBufferBytes: 100 }), peer = new ScriptedPeer(PEER_ISN);
  const syn = only(c.open(0));
  assert.equal(syn.tcp.window, 100);
  c.receive(peer.synAck(syn), MS);
  const st = c.receive(peer.data(pattern(150)), 2 * MS);
  assert.equal(st.deliveredBytes, 100);
  const ack = only(st);
  assert.equal(ack.tcp.ack, PEER_ISN + 101);
  assert.equal(ack.tcp.window, 0);
  const r = c.read(60);
  assert.deepEqual(r.data, pattern(60));
  assert.equal(r.frames.length, 1);
  assert.equal(seg(r.frames[0]).tcp.window, 60);
  assert.equal(c.read(10).frames.length, 0, 'opened by less than min(MSS, half the buffer) since the update');
});

test('abort sends a RST; resetReplyTo answers a stray segment as RFC 793 says', () => {
  const c = conn(), peer = new ScriptedPeer(PEER_ISN);
  establish(c, peer);
  c.receive(peer.data(pattern(5)), 2 * MS);
  const rst = only(c.abort());
  assert.equal(rst.tcp.flags, TCP_RST | TCP_ACK);
  assert.equal(rst.tcp.seq, 1001);
  assert.equal(c.state, 'CLOSED');
  assert.equal(c.readableBytes(), 0);
  assert.equal(c.abort().frames.length, 0);

  const stray = parseTcpFrame(peer.data(pattern(7), 5000))!;
  const reply = parseTcpFrame(resetReplyTo(stray)!)!;
  assert.deepEqual([reply.srcIp, reply.dstIp, reply.tcp.srcPort, reply.tcp.dstPort], [CLIENT.ip, VM.ip, CLIENT.port, VM.port]);
  assert.equal(reply.tcp.flags, TCP_RST);
  assert.equal(reply.tcp.seq, stray.tcp.ack);
  const synOnly = parseTcpFrame(peer.frame(TCP_SYN, 77, new Uint8Array(0)))!;
  const r2 = parseTcpFrame(resetReplyTo(synOnly)!)!;
  assert.equal(r2.tcp.flags, TCP_RST | TCP_ACK);
  assert.equal(r2.tcp.ack, 78);
  assert.equal(resetReplyTo(parseTcpFrame(peer.rst())!), null);
});

test('frames for other connections or damaged ones are ignored', () => {
  const c = conn(), peer = new ScriptedPeer(PEER_ISN);
  establish(c, peer);
  const good = peer.data(pattern(10));
  const otherPort = good.slice();
  otherPort[14 + 20 + 3] ^= 1; // destination port changed: the checksum fails too
  assert.equal(c.receive(otherPort, 2 * MS).frames.length, 0);
  const f = parseTcpFrame(good)!;
  assert.ok(c.belongs(f));
  assert.ok(!c.belongs({ ...f, tcp: { ...f.tcp, dstPort: f.tcp.dstPort + 1 } }));
  assert.ok(!c.belongs({ ...f, srcIp: f.srcIp + 1 }));
  assert.equal(c.receiveSegment({ ...f, tcp: { ...f.tcp, srcPort: 7001 } }, 2 * MS).deliveredBytes, 0);
  assert.equal(c.receive(good, 2 * MS).deliveredBytes, 10);
});

/** Runs the same script on a connection, recording everything it said. */
function script(c: TcpConn, peer: ScriptedPeer): unknown[] {
  const log: unknown[] = [];
  const note = (what: string, st: TcpStep | { frames: Uint8Array[]; data?: Uint8Array }) => log.push(what, st.frames.map((f) => [...f]), 'events' in st ? st.events : [], 'data' in st ? [...st.data!] : []);
  note('write', c.write(pattern(2500, 3), 20 * MS));
  note('timer', c.onTimer(c.nextTimerNs()!));
  note('ooo', c.receive(peer.data(pattern(30, 30), PEER_ISN + 1 + 30), 130 * MS));
  note('in-order', c.receive(peer.data(pattern(30, 0), PEER_ISN + 1), 131 * MS));
  note('read', c.read(40));
  note('ack', c.receive(peer.frame(TCP_ACK, PEER_ISN + 31, new Uint8Array(0), null, 1001 + 1460), 132 * MS));
  note('close', c.close(133 * MS));
  note('timer2', c.onTimer(c.nextTimerNs()!));
  log.push(c.getState());
  return log;
}

test('getState/setState: a copy taken mid-connection and restored (also into a new object) behaves identically from there', () => {
  const c = conn(), peer = new ScriptedPeer(PEER_ISN);
  establish(c, peer);
  c.write(pattern(100), 10 * MS);
  c.receive(peer.data(pattern(50)), 11 * MS);
  const saved = c.getState();
  const cloned = structuredClone(saved);
  assert.deepEqual(cloned, saved, 'plain data: survives structured cloning');

  const peerAt = () => Object.assign(new ScriptedPeer(PEER_ISN), { sndNxt: PEER_ISN + 51, rcvNxt: 1001 });
  const first = script(c, peerAt());
  saved.sendQueue.fill(0); // the copy is the caller's: changing it changes nothing
  c.setState(cloned);
  assert.deepEqual(script(c, peerAt()), first, 'back in time, the same future');
  const fresh = conn();
  fresh.setState(structuredClone(cloned));
  assert.deepEqual(script(fresh, peerAt()), first, 'a new object from the state alone');
  const got = c.getState();
  got.recvQueue = new Uint8Array(0);
  assert.notEqual(c.getState().recvQueue.length, 0, 'getState hands out a copy');
});
