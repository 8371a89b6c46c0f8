// Clients over TCP/IPv4 (workload.transport "tcp"): each client's connection to the VM's 10.0.0.2:7000 through the virtio network device, the world's ARP answers, frames both ways over the client network, replies cut from the stream.
//
// A client's connection state lives in its ClientState (`tcp`), replaced whole on every change, never mutated, so
// checkpoints keep it by reference. TCP retransmits what the network or a failover loses; a connection the VM no
// longer knows (an HA restart lost its memory) is reset by the guest, and the client opens a new one and sends its
// outstanding request again (counted as a retry).

import type { LogicalVm } from './logical-vm';
import type { ClientState, ClientTcp, OutputOrigin } from './world/clients';
import { resetReplyTo, TcpConn, type TcpStep } from './world/net/tcp-conn';
import { arpReply } from './world/net/arp';
import { concat, parseTcpFrame } from './world/net/frames';
import { replyRecordBytes } from './world/kv-protocol';
import { clientArpTable, clientIdOfIp, clientIp, clientIsn, clientMac, clientPort, VM_IP, VM_MAC, VM_TCP_PORT } from './world/net/addresses';
import { NS_PER_MS } from './sim/units';

/** The longest a connection waits before its retransmissions back off no further. */
const MAX_RTO_NS = 1_000 * NS_PER_MS;

/** The client's connection number `connNo`, in the state `tcp` holds (a fresh one without it). */
function connOf(c: LogicalVm, client: ClientState, tcp: ClientTcp): TcpConn {
  const conn = new TcpConn({
    local: { mac: clientMac(client.id), ip: clientIp(client.id), port: clientPort(client.id, tcp.connNo) },
    remote: { mac: VM_MAC, ip: VM_IP, port: VM_TCP_PORT },
    isn: clientIsn(client.id, tcp.connNo),
    initialRtoNs: c.scenario.workload.timeoutMs * NS_PER_MS,
    maxRtoNs: MAX_RTO_NS,
  });
  if (tcp.conn !== null) conn.setState(tcp.conn);
  return conn;
}

/** A frame for the VM's virtio network device, over the client network to the live primary's host. */
export function frameToVmNetwork(c: LogicalVm, frame: Uint8Array): void {
  const vm = c.vm(c.identityVm);
  if (vm === undefined || !vm.alive) return;
  const arrival = c.network.send('client', 'clients', vm.host, frame.length, c.nowNs, false);
  if (arrival !== null) c.schedule(arrival, { t: 'frameToVm', of: c.index, frame });
}

/** The frame reaches the VM: an input of the primary (lost when no primary runs; TCP sends it again). */
export function frameArrived(c: LogicalVm, frame: Uint8Array): void {
  const vm = c.vm(c.identityVm);
  if (vm === undefined || vm.status !== 'running' || vm.role !== 'primary') return;
  c.deliverToPrimary(vm, { kind: 'netRx', frame });
}

/** Sends what a step produced, keeps the connection's new state, and arms its timer. */
function apply(c: LogicalVm, client: ClientState, conn: TcpConn, step: Pick<TcpStep, 'frames'>, rx = client.tcp?.rx ?? new Uint8Array(0)): void {
  const prev = client.tcp as ClientTcp;
  client.tcp = { ...prev, conn: conn.getState(), rx };
  for (const f of step.frames) frameToVmNetwork(c, f);
  armTimer(c, client, conn);
}

function armTimer(c: LogicalVm, client: ClientState, conn: TcpConn): void {
  const at = conn.nextTimerNs(), tcp = client.tcp as ClientTcp;
  if (at === null || (tcp.timerDueNs !== null && tcp.timerDueNs <= at && tcp.timerDueNs >= c.nowNs)) return;
  client.tcp = { ...tcp, timerDueNs: at };
  c.schedule(Math.max(at, c.nowNs), { t: 'tcpTimer', of: c.index, client: client.id, atNs: at });
}

/** Opens a new connection (the next port and ISN) and queues `request` on it. */
function reconnect(c: LogicalVm, client: ClientState, request: Uint8Array): void {
  const connNo = client.tcp === null ? 0 : client.tcp.connNo + 1;
  client.tcp = { connNo, conn: null, rx: new Uint8Array(0), timerDueNs: client.tcp?.timerDueNs ?? null };
  const conn = connOf(c, client, client.tcp);
  const opened = conn.open(c.nowNs);
  const wrote = conn.write(request, c.nowNs);
  apply(c, client, conn, { frames: [...opened.frames, ...wrote.frames] });
}

/** The client sends `request` on its connection, opening one first when it has none that still works. */
export function tcpSend(c: LogicalVm, client: ClientState, request: Uint8Array): void {
  const tcp = client.tcp;
  if (tcp === null || tcp.conn === null) return reconnect(c, client, request);
  const conn = connOf(c, client, tcp);
  if (conn.state === 'CLOSED' || conn.peerClosed) return reconnect(c, client, request);
  const step = conn.write(request, c.nowNs);
  if (!step.accepted) return reconnect(c, client, request);
  apply(c, client, conn, step);
}

/** The connection died (reset by the guest, or out of retransmissions): a new one carries the outstanding request again. */
function lost(c: LogicalVm, client: ClientState): void {
  const out = client.outstanding;
  if (out === null) return;
  const again = c.clients.retry(client, out.reqId);
  if (again !== null) reconnect(c, client, again);
}

/** A client's retransmission timer fired. */
export function tcpTimer(c: LogicalVm, clientId: number, atNs: number): void {
  const client = c.clients.list[clientId - 1];
  const tcp = client?.tcp;
  if (tcp === null || tcp === undefined || tcp.timerDueNs !== atNs) return; // another timer event is the live one
  client.tcp = { ...tcp, timerDueNs: null };
  if (tcp.conn === null) return;
  const conn = connOf(c, client, client.tcp);
  const step = conn.onTimer(c.nowNs);
  apply(c, client, conn, step);
  if (step.events.includes('failed')) lost(c, client);
}

/** A frame the VM sent reaches the clients' network: ARP for a client is answered, TCP goes to its client. */
export function framesFromVm(c: LogicalVm, frame: Uint8Array, origin: OutputOrigin, onReply: (client: ClientState, reply: Uint8Array) => void): void {
  const arp = arpReply(frame, clientArpTable(c.clients.list.length));
  if (arp !== null) return frameToVmNetwork(c, arp);
  const f = parseTcpFrame(frame);
  const id = f === null ? null : clientIdOfIp(f.dstIp);
  if (f === null || id === null || id > c.clients.list.length) return;
  c.checkers.clientSaw(origin);
  const client = c.clients.list[id - 1];
  const tcp = client.tcp;
  const conn = tcp === null || tcp.conn === null ? null : connOf(c, client, tcp);
  if (conn === null || !conn.belongs(f)) {
    const rst = resetReplyTo(f); // a segment of a connection the client no longer has
    if (rst !== null) frameToVmNetwork(c, rst);
    return;
  }
  const step = conn.receiveSegment(f, c.nowNs);
  const read = conn.read();
  const rx = concat(tcp!.rx, read.data);
  const replies = cutReplies(rx);
  apply(c, client, conn, { frames: [...step.frames, ...read.frames] }, rx.subarray(replies.used).slice());
  if (step.events.includes('reset') || step.events.includes('failed')) lost(c, client);
  for (const r of replies.records) onReply(client, r);
}

/** The whole reply records at the front of `rx`. */
function cutReplies(rx: Uint8Array): { records: Uint8Array[]; used: number } {
  const records: Uint8Array[] = [];
  let at = 0;
  for (let bytes; (bytes = replyRecordBytes(rx.subarray(at))) > 0;) {
    records.push(rx.slice(at, at + bytes));
    at += bytes;
  }
  return { records, used: at };
}

