// Event dispatch: what happens when each kind of simulation event fires (messages, timers, storage, clients).

import type { Cluster } from './cluster';
import { NS_PER_MS } from './cluster';
import type { LogicalVm } from './logical-vm';
import type { SimEvent, DiskReq } from './events';
import type { VmInstance } from './protocol/vm';
import { goLive, tasDone, tick } from './protocol/failover';
import { finishRespawn, haCheck } from './protocol/respawn';
import { flush, receiveAck, receiveLog } from './protocol/log-wire';
import { fireFault } from './faults';
import { finishMigration } from './protocol/vmotion';
import { drsPass } from './drs';
import { frameArrived, framesFromVm, tcpSend, tcpTimer } from './tcp-clients';
import type { ClientState, OutputOrigin } from './world/clients';

/** Hands an event to the VM it concerns (a fault to the cluster's fault handling). */
export function dispatch(w: Cluster, ev: SimEvent): void {
  switch (ev.t) {
    case 'fault': return fireFault(w, ev.fault);
    case 'flush': return ofVm(w, ev.vm, (c) => flush(c, ev.vm, ev.urgent === true));
    case 'tick': return withVm(w, ev.vm, (c, vm) => tick(c, vm), true);
    case 'logMsg': return ofVm(w, ev.to, (c) => receiveLog(c, ev));
    case 'ackMsg': return ofVm(w, ev.to, (c) => receiveAck(c, ev));
    case 'hbMsg': return withVm(w, ev.to, (c, vm) => heard(c, vm, ev.from), true);
    case 'timer': return withVm(w, ev.vm, (c, vm) => timerFired(c, vm, ev.gen));
    case 'storageDone': return ofVm(w, ev.vm, (c) => storageDone(c, ev.vm, ev.req));
    case 'tasDone': return withVm(w, ev.vm, (c, vm) => tasDone(c, vm, ev.generation));
    case 'goLive': return withVm(w, ev.vm, (c, vm) => goLive(c, vm));
    case 'respawnDone': return withVm(w, ev.vm, (c, vm) => finishRespawn(c, vm));
    case 'haCheck': return haCheck(w.members[ev.of]);
    case 'vmotionDone': return ofVm(w, ev.vm, (c, vm) => finishMigration(c, vm, ev.to));
    case 'drs': return drsPass(w);
    case 'clientSend': return clientSend(w.members[ev.of], ev.client);
    case 'clientTimeout': return clientTimeout(w.members[ev.of], ev.client, ev.reqId);
    case 'pktToVm': return packetToVm(w.members[ev.of], ev.packet);
    case 'pktToClient': return packetToClient(w.members[ev.of], ev);
    case 'frameToVm': return frameArrived(w.members[ev.of], ev.frame);
    case 'frameToClients': {
      const c = w.members[ev.of];
      return framesFromVm(c, ev.frame, ev.origin, (client, reply) => replyArrived(c, client, reply, ev.origin));
    }
    case 'tcpTimer': return tcpTimer(w.members[ev.of], ev.client, ev.atNs);
  }
}

/** Calls `f` with the VM that instance `id` belongs to (every instance ever made stays in the cluster's list). */
function ofVm(w: Cluster, id: number, f: (c: LogicalVm, vm: VmInstance) => void): void {
  const vm = w.vm(id);
  if (vm !== undefined) f(w.ownerOf(vm), vm);
}

/** Calls `f` for instance `id` if it is alive (or, with `connected`, at least still on the logging channel). */
function withVm(w: Cluster, id: number, f: (c: LogicalVm, vm: VmInstance) => void, connected = false): void {
  const vm = w.vm(id);
  if (vm !== undefined && (connected ? vm.connected : vm.alive)) f(w.ownerOf(vm), vm);
}

/** The primary's timer deadline came: raise MTIP at its current instruction (and log it). */
function timerFired(c: LogicalVm, vm: VmInstance, gen: number): void {
  if (vm.status !== 'running' || vm.role !== 'primary' || gen !== vm.timerGen) return;
  vm.timerPending = true;
  c.deliverToPrimary(vm, { kind: 'timer', pending: true });
}

function heard(c: LogicalVm, vm: VmInstance, from: number): void {
  if (vm.peer === from) vm.lastHeardNs = c.nowNs;
}

// ---- shared storage ------------------------------------------------------------------------------

function storageDone(c: LogicalVm, id: number, req: DiskReq): void {
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

function identityHost(c: LogicalVm): string | undefined {
  const vm = c.vm(c.identityVm);
  return vm !== undefined && vm.alive ? vm.host : undefined;
}

function sendToVm(c: LogicalVm, packet: Uint8Array): void {
  const host = identityHost(c);
  if (host === undefined) return;
  const arrival = c.network.send('client', 'clients', host, packet.length, c.nowNs, false);
  if (arrival !== null) c.schedule(arrival, { t: 'pktToVm', of: c.index, packet });
}

function clientSend(c: LogicalVm, id: number): void {
  const client = c.clients.list[id - 1];
  const packet = c.clients.nextRequest(client, c.nowNs);
  if (packet === null) return;
  if (c.scenario.workload.transport === 'tcp') return tcpSend(c, client, packet); // TCP sends it again when lost
  sendToVm(c, packet);
  c.schedule(c.nowNs + c.scenario.workload.timeoutMs * NS_PER_MS, { t: 'clientTimeout', of: c.index, client: id, reqId: client.nextIndex });
}

function clientTimeout(c: LogicalVm, id: number, reqId: number): void {
  const client = c.clients.list[id - 1];
  const packet = c.clients.retry(client, reqId);
  if (packet === null) return;
  sendToVm(c, packet);
  c.schedule(c.nowNs + c.scenario.workload.timeoutMs * NS_PER_MS, { t: 'clientTimeout', of: c.index, client: id, reqId });
}

function packetToVm(c: LogicalVm, packet: Uint8Array): void {
  const vm = c.vm(c.identityVm);
  if (vm === undefined || vm.status !== 'running' || vm.role !== 'primary') return; // lost: the client will retry
  c.deliverToPrimary(vm, { kind: 'nicRx', packet });
}

function packetToClient(c: LogicalVm, ev: SimEvent & { t: 'pktToClient' }): void {
  const client = c.clients.list[ev.client - 1];
  if (client === undefined) return;
  c.checkers.clientSaw(ev.origin);
  replyArrived(c, client, ev.packet, ev.origin);
}

/** A reply reaches its client; one that answers its request lets it send the next, on schedule. */
function replyArrived(c: LogicalVm, client: ClientState, packet: Uint8Array, origin: OutputOrigin): void {
  if (!c.clients.receive(client, packet, c.nowNs, origin)) return;
  const w = c.scenario.workload;
  const plannedNs = w.startMs * NS_PER_MS + client.nextIndex * c.clients.intervalNs;
  c.schedule(Math.max(c.nowNs, Math.ceil(plannedNs)), { t: 'clientSend', of: c.index, client: client.id });
}
