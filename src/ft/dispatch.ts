// Event dispatch: what happens when each kind of simulation event fires (messages, timers, storage, clients).

import type { Cluster } from './cluster';
import { NS_PER_MS } from './cluster';
import type { SimEvent, DiskReq } from './events';
import type { VmInstance } from './protocol/vm';
import { entryBytes } from './protocol/log';
import { goLive, tasDone, tick } from './protocol/failover';
import { finishRespawn, haCheck } from './protocol/respawn';
import { hostUp } from './protocol/vm-fate';
import { lagOf } from './protocol/lag';
import { releaseAcked } from './protocol/outputs';
import { fireFault } from './faults';

const LOG_MSG_HEADER_BYTES = 32;
const ACK_BYTES = 32;
/** The slowest a lagging secondary holds its primary back (a fraction of its speed). */
const THROTTLE_MIN = 0.01;

export function dispatch(c: Cluster, ev: SimEvent): void {
  switch (ev.t) {
    case 'fault': return fireFault(c, ev.fault);
    case 'flush': return flush(c, ev.vm, ev.urgent === true);
    case 'tick': return withVm(c, ev.vm, (vm) => tick(c, vm), true);
    case 'logMsg': return receiveLog(c, ev);
    case 'ackMsg': return receiveAck(c, ev);
    case 'hbMsg': return withVm(c, ev.to, (vm) => heard(c, vm, ev.from), true);
    case 'timer': return withVm(c, ev.vm, (vm) => timerFired(c, vm, ev.gen));
    case 'storageDone': return storageDone(c, ev.vm, ev.req);
    case 'tasDone': return withVm(c, ev.vm, (vm) => tasDone(c, vm, ev.generation));
    case 'goLive': return withVm(c, ev.vm, (vm) => goLive(c, vm));
    case 'respawnDone': return withVm(c, ev.vm, (vm) => finishRespawn(c, vm));
    case 'haCheck': return haCheck(c);
    case 'clientSend': return clientSend(c, ev.client);
    case 'clientTimeout': return clientTimeout(c, ev.client, ev.reqId);
    case 'pktToVm': return packetToVm(c, ev.packet);
    case 'pktToClient': return packetToClient(c, ev);
  }
}

/** Calls `f` for VM `id` if it is alive (or, with `connected`, at least still on the logging channel). */
function withVm(c: Cluster, id: number, f: (vm: VmInstance) => void, connected = false): void {
  const vm = c.vm(id);
  if (vm !== undefined && (connected ? vm.connected : vm.alive)) f(vm);
}

/** The primary's timer deadline came: raise MTIP at its current instruction (and log it). */
function timerFired(c: Cluster, vm: VmInstance, gen: number): void {
  if (vm.status !== 'running' || vm.role !== 'primary' || gen !== vm.timerGen) return;
  vm.timerPending = true;
  c.deliverToPrimary(vm, { kind: 'timer', pending: true });
}

function heard(c: Cluster, vm: VmInstance, from: number): void {
  if (vm.peer === from) vm.lastHeardNs = c.nowNs;
}

// ---- the logging channel -----------------------------------------------------------------------

/**
 * The primary sends what it logged since the last flush (and a progress mark: how far the log covers).
 * Periodic flushes come every flushIntervalUs while there is something to send, and every
 * idleMarkIntervalUs while the log is quiet (Cluster.log brings the next one closer for a new entry).
 */
function flush(c: Cluster, id: number, urgent: boolean): void {
  const p = c.vm(id);
  if (p === undefined || !p.connected || p.role !== 'primary') return;
  if (!urgent && p.flushDueNs !== c.nowNs) return; // superseded by an earlier flush
  const tx = p.sender;
  const peerAlive = c.vm(p.peer)?.alive === true;
  const drained = !p.alive && !peerAlive && tx.pending.length === 0 && tx.unacked.length === 0 && p.held.length === 0;
  const quiet = tx.pending.length === 0;
  if (urgent) p.urgentFlushNs = null;
  else if (drained) p.flushDueNs = Number.POSITIVE_INFINITY; // a powered-off VM stops once all is out
  else c.scheduleFlush(p, c.nowNs + (quiet ? c.idleMarkIntervalNs : c.flushIntervalNs));
  const s = c.vm(p.peer);
  if (!p.logging || s === undefined || !s.alive) return;
  // A reliable stream: what cannot go now (no logging path; a crashed host's VMs are not alive) waits in
  // `pending` and goes once, with the next flush that can send; nothing is sent twice.
  if (!c.network.canTalk('logging', p.host, s.host)) return;
  const entries = tx.pending;
  let bytes = LOG_MSG_HEADER_BYTES;
  for (const e of entries) bytes += entryBytes(e);
  const arrival = c.network.send('logging', p.host, s.host, bytes, c.nowNs, true)!;
  for (const e of entries) tx.unacked.push(e);
  tx.pending = [];
  // A primary whose guest stopped itself (power off, fatal trap) lets the secondary run to its own, identical end.
  const covered = p.alive ? p.machine.instret : Number.MAX_SAFE_INTEGER;
  c.schedule(arrival, { t: 'logMsg', to: s.id, from: p.id, entries, covered, releasedSeq: tx.releasedSeq });
  tx.sentBytesTotal += bytes;
  tx.sentEntriesTotal += entries.length;
  c.stats.logBytes += bytes;
  c.stats.logEntries += entries.length;
  c.stats.logMessages++;
  controlLag(c, p, s);
}

/**
 * Lag control (the FT paper's CPU throttling): the lag is how long the secondary, at its own speed, needs
 * to reach the primary's instruction. Past half the bound the primary's CPU is held below the secondary's
 * speed (far below past the bound) until the lag is under a quarter of it: the lag stays within the bound.
 */
function controlLag(c: Cluster, p: VmInstance, s: VmInstance): void {
  if (s.status !== 'running') return;
  const lagNs = lagOf(c, p, s);
  c.stats.maxLagNs = Math.max(c.stats.maxLagNs, lagNs);
  p.lagNs = lagNs;
  if (c.scenario.whatIf.disable.includes('lagControl')) return;
  const boundNs = c.scenario.ft.lagBoundMs * NS_PER_MS;
  const full = c.rate(p) / p.throttle; // the primary's speed unthrottled
  const relative = c.rate(s) / full;
  let throttle = p.throttle;
  if (lagNs > boundNs) throttle = Math.max(THROTTLE_MIN, relative * 0.25);
  else if (lagNs > boundNs / 2) throttle = Math.min(p.throttle, Math.max(THROTTLE_MIN, relative * 0.9));
  else if (lagNs < boundNs / 4) throttle = 1;
  throttle = Math.min(1, throttle);
  if (throttle === p.throttle) return;
  p.throttle = throttle;
  c.rebase(p, c.nowNs);
  c.stats.throttleEvents++;
  const text = throttle < 1
    ? `secondary lags ${(lagNs / NS_PER_MS).toFixed(1)} ms: primary CPU held at ${(throttle * 100).toFixed(0)}%`
    : 'secondary caught up: primary CPU at full speed';
  c.addTrace({ kind: 'throttle', vm: p.id, host: p.host, text });
}

function receiveLog(c: Cluster, ev: SimEvent & { t: 'logMsg' }): void {
  const s = c.vm(ev.to);
  // A secondary going live replays only what it had received when it won the test-and-set.
  if (s === undefined || !s.alive || s.peer !== ev.from || s.goLiveAtNs !== null) return;
  const rx = s.receiver;
  s.lastLogNs = c.nowNs;
  const starved = s.status === 'running' && s.machine.instret >= rx.coveredInstret;
  for (const e of ev.entries) {
    if (e.seq <= rx.receivedSeq) continue; // a resend
    rx.inbox.push(e);
    rx.receivedSeq = e.seq;
  }
  rx.coveredInstret = Math.max(rx.coveredInstret, ev.covered);
  if (starved) c.rebase(s, c.nowNs); // it waited for the log: no banked credit
  rx.peerReleasedSeq = Math.max(rx.peerReleasedSeq, ev.releasedSeq);
  const p = c.vm(ev.from)!;
  const arrival = c.network.send('logging', s.host, p.host, ACK_BYTES, c.nowNs, true);
  if (arrival !== null && hostUp(c, p.host)) {
    c.schedule(arrival, { t: 'ackMsg', to: p.id, from: s.id, seq: rx.receivedSeq, applied: rx.appliedSeq });
  }
}

/** An acknowledgement: outputs up to `seq` may leave; buffer space up to `applied` is free again. */
function receiveAck(c: Cluster, ev: SimEvent & { t: 'ackMsg' }): void {
  const p = c.vm(ev.to);
  if (p === undefined || !p.connected || p.peer !== ev.from || p.role !== 'primary') return;
  p.lastLogNs = c.nowNs;
  const tx = p.sender;
  tx.ackedSeq = Math.max(tx.ackedSeq, ev.seq);
  let n = 0;
  while (n < tx.unacked.length && tx.unacked[n].seq <= ev.applied) tx.bytes -= entryBytes(tx.unacked[n++]);
  tx.unacked.splice(0, n);
  releaseAcked(c, p);
}

// ---- shared storage ------------------------------------------------------------------------------

function storageDone(c: Cluster, id: number, req: DiskReq): void {
  const vm = c.vm(id);
  const ok = c.storage.inRange(req.sector, req.count);
  let data: Uint8Array | undefined;
  if (ok && req.op === 'write' && req.data !== undefined) {
    c.storage.write(req.sector, req.data);
    c.checkers.storageWritten(req, vm);
  }
  if (ok && req.op === 'read') data = c.storage.read(req.sector, req.count);
  if (vm === undefined || vm.status !== 'running' || vm.role !== 'primary') return; // the completion is lost with the VM
  vm.pendingDisk.delete(req.id);
  c.deliverToPrimary(vm, { kind: 'diskDone', id: req.id, ok, data });
  if (ok && req.op === 'write') c.checkers.writeAcknowledged(vm, req);
}

// ---- external clients ----------------------------------------------------------------------------

function identityHost(c: Cluster): string | undefined {
  const vm = c.vm(c.identityVm);
  return vm !== undefined && vm.alive ? vm.host : undefined;
}

function sendToVm(c: Cluster, packet: Uint8Array): void {
  const host = identityHost(c);
  if (host === undefined) return;
  const arrival = c.network.send('client', 'clients', host, packet.length, c.nowNs, false);
  if (arrival !== null) c.schedule(arrival, { t: 'pktToVm', packet });
}

function clientSend(c: Cluster, id: number): void {
  const client = c.clients.list[id - 1];
  const packet = c.clients.nextRequest(client, c.nowNs);
  if (packet === null) return;
  sendToVm(c, packet);
  c.schedule(c.nowNs + c.scenario.workload.timeoutMs * NS_PER_MS, { t: 'clientTimeout', client: id, reqId: client.nextIndex });
}

function clientTimeout(c: Cluster, id: number, reqId: number): void {
  const client = c.clients.list[id - 1];
  const packet = c.clients.retry(client, reqId);
  if (packet === null) return;
  sendToVm(c, packet);
  c.schedule(c.nowNs + c.scenario.workload.timeoutMs * NS_PER_MS, { t: 'clientTimeout', client: id, reqId });
}

function packetToVm(c: Cluster, packet: Uint8Array): void {
  const vm = c.vm(c.identityVm);
  if (vm === undefined || vm.status !== 'running' || vm.role !== 'primary') return; // lost: the client will retry
  c.deliverToPrimary(vm, { kind: 'nicRx', packet });
}

function packetToClient(c: Cluster, ev: SimEvent & { t: 'pktToClient' }): void {
  const client = c.clients.list[ev.client - 1];
  if (client === undefined) return;
  c.checkers.clientSaw(ev.origin);
  if (!c.clients.receive(client, ev.packet, c.nowNs, ev.origin)) return;
  const w = c.scenario.workload;
  const plannedNs = w.startMs * NS_PER_MS + client.nextIndex * c.clients.intervalNs;
  c.schedule(Math.max(c.nowNs, Math.ceil(plannedNs)), { t: 'clientSend', client: ev.client });
}
