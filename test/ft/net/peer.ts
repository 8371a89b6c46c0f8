// A scripted server end for the TCP connection tests: the guest's side, building its frames with frames.ts and keeping just enough sequence state to answer.

import assert from 'node:assert/strict';
import { buildTcpFrame, parseTcpFrame, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type TcpFrame } from '../../../src/ft/world/net/frames';
import { clientIp, clientMac, clientPort, VM_IP, VM_MAC, VM_TCP_PORT } from '../../../src/ft/world/net/addresses';
import type { Endpoint } from '../../../src/ft/world/net/tcp-state';

export const CLIENT: Endpoint = { mac: clientMac(1), ip: clientIp(1), port: clientPort(1, 0) };
export const VM: Endpoint = { mac: VM_MAC, ip: VM_IP, port: VM_TCP_PORT };

/** Parses a frame the client sent, failing the test unless it is a TCP segment from the client to the VM. */
export function seg(frame: Uint8Array): TcpFrame {
  const f = parseTcpFrame(frame);
  assert.ok(f !== null, 'the client sent a valid TCP frame');
  assert.equal(f.srcMac, CLIENT.mac);
  assert.equal(f.dstMac, VM.mac);
  assert.equal(f.srcIp, CLIENT.ip);
  assert.equal(f.dstIp, VM.ip);
  return f;
}

export class ScriptedPeer {
  sndNxt: number;
  rcvNxt = 0;
  /** In-order bytes the peer took from the client. */
  received: number[] = [];
  finReceived = false;

  constructor(readonly iss: number, public window = 65535, readonly mss: number | null = 1460) {
    this.sndNxt = iss;
  }

  /** The SYN-ACK answering the client's SYN. */
  synAck(syn: TcpFrame): Uint8Array {
    assert.equal(syn.tcp.flags, TCP_SYN);
    this.rcvNxt = (syn.tcp.seq + 1) >>> 0;
    this.sndNxt = (this.iss + 1) >>> 0;
    return this.frame(TCP_SYN | TCP_ACK, this.iss, new Uint8Array(0), this.mss);
  }

  /** Takes the client's segment if it is the next in order (data and FIN); whether it was. */
  take(f: TcpFrame): boolean {
    if (f.tcp.seq !== this.rcvNxt) return false;
    this.received.push(...f.tcp.payload);
    this.rcvNxt = (this.rcvNxt + f.tcp.payload.length) >>> 0;
    if ((f.tcp.flags & TCP_FIN) !== 0) {
      this.rcvNxt = (this.rcvNxt + 1) >>> 0;
      this.finReceived = true;
    }
    return true;
  }

  ack(): Uint8Array {
    return this.frame(TCP_ACK, this.sndNxt, new Uint8Array(0));
  }

  /** Data from sndNxt (or at `seq`, for repeats and reordering, which leaves sndNxt alone). */
  data(bytes: Uint8Array, seq?: number): Uint8Array {
    const at = seq ?? this.sndNxt;
    if (seq === undefined) this.sndNxt = (this.sndNxt + bytes.length) >>> 0;
    return this.frame(TCP_ACK, at, bytes);
  }

  fin(): Uint8Array {
    const f = this.frame(TCP_FIN | TCP_ACK, this.sndNxt, new Uint8Array(0));
    this.sndNxt = (this.sndNxt + 1) >>> 0;
    return f;
  }

  rst(seq = this.sndNxt): Uint8Array {
    return this.frame(TCP_RST | TCP_ACK, seq, new Uint8Array(0));
  }

  frame(flags: number, seq: number, payload: Uint8Array, mss: number | null = null, ack = this.rcvNxt): Uint8Array {
    return buildTcpFrame({
      srcMac: VM.mac, dstMac: CLIENT.mac, srcIp: VM.ip, dstIp: CLIENT.ip, ipId: 0,
      tcp: { srcPort: VM.port, dstPort: CLIENT.port, seq, ack, flags, window: this.window, mss, payload },
    });
  }
}

/** `n` bytes of a recognisable pattern starting at `from`. */
export function pattern(n: number, from = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (from + i) * 31 & 0xff);
}
