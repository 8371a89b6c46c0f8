// Failure detection, split-brain arbitration by test-and-set on shared storage, and go-live of the secondary.

import type { LogicalVm } from '../logical-vm';
import { NS_PER_MS } from '../cluster';
import type { VmInstance } from './vm';
import { RecordEnv } from './envs';
import { release, releaseAll } from './outputs';
import { replayUpTo } from './replay-driver';
import { respawn } from './respawn';
import { haltVm, hostUp } from './vm-fate';
import { shadowOf } from './shadow-machine';
import { unthrottle } from './lag';

/**
 * Periodic: heartbeat to the peer, then check how long the peer has been silent. A primary without a
 * secondary asks for one again at every tick (hosts come back, links heal, a loser halts and frees its
 * host); a secondary without a primary cannot tell whether it lives, so it arbitrates.
 */
export function tick(c: LogicalVm, vm: VmInstance): void {
  const peer = c.vm(vm.peer);
  if (!vm.connected || (!vm.alive && !peer?.alive)) return; // both powered off: nothing left to watch
  c.schedule(c.nowNs + c.scenario.ft.heartbeatIntervalMs * NS_PER_MS, { t: 'tick', vm: vm.id });
  if (peer === undefined) {
    if (vm.role === 'primary') respawn(c, vm);
    else if (vm.alive) suspect(c, vm, 'it has no primary');
    return;
  }
  const arrival = c.network.send('management', vm.host, peer.host, 64, c.nowNs, false);
  if (arrival !== null && hostUp(c, peer.host)) c.schedule(arrival, { t: 'hbMsg', to: peer.id, from: vm.id });
  if (copyFlows(c, vm, peer)) vm.lastLogNs = c.nowNs;
  // A VM that declared its peer failed sees it through, even if the peer is heard again meanwhile: the
  // peer may have gone live. It retries while its host has no path to shared storage.
  if (vm.suspecting) {
    if (vm.alive) arbitrate(c, vm);
    return;
  }
  // Failure: heartbeats or logging traffic stopped for longer than the timeout (either one is enough).
  const hbSilentNs = c.nowNs - vm.lastHeardNs;
  const logSilentNs = c.nowNs - vm.lastLogNs;
  const silentNs = Math.max(hbSilentNs, logSilentNs);
  if (vm.alive && silentNs > c.scenario.ft.failureTimeoutMs * NS_PER_MS && !c.scenario.whatIf.disable.includes('detection')) {
    const what = hbSilentNs >= logSilentNs ? 'heartbeats' : 'logging traffic';
    suspect(c, vm, `no ${what} from its ${vm.role === 'primary' ? 'secondary' : 'primary'} for ${(silentNs / NS_PER_MS).toFixed(1)} ms`);
  }
}

/**
 * A new secondary's state copy streams over the logging network (and is acknowledged) for as long as it takes,
 * which for a large VM is longer than the failure timeout: while it flows, the channel is not silent.
 */
function copyFlows(c: LogicalVm, vm: VmInstance, peer: VmInstance): boolean {
  if (vm.status !== 'copying' && peer.status !== 'copying') return false;
  return vm.alive && peer.alive && hostUp(c, peer.host) && c.network.canTalk('logging', vm.host, peer.host) && c.network.canTalk('logging', peer.host, vm.host);
}

/** `vm` declares its peer failed (traced once) and arbitrates (`arbitrate` ignores a VM already at it or going live). */
function suspect(c: LogicalVm, vm: VmInstance, why: string): void {
  if (!vm.suspecting) {
    vm.suspectedAtNs = c.nowNs;
    vm.silentSinceNs = Math.min(vm.lastHeardNs, vm.lastLogNs);
    c.addTrace({ kind: 'detect', vm: vm.id, host: vm.host, text: `${vm.name}: ${why}: declares it failed` });
  }
  vm.suspecting = true;
  arbitrate(c, vm);
}

/** Atomic test-and-set on shared storage; with no storage path the VM waits and retries. */
export function arbitrate(c: LogicalVm, vm: VmInstance): void {
  if (vm.arbitrating || vm.goLiveAtNs !== null) return; // a test-and-set is under way, or it won
  if (vm.status === 'copying') {
    haltVm(c, vm, 'its primary failed before it had a copy of the VM');
    return;
  }
  if (!c.storage.reachable(vm.host)) {
    if (vm.storageWaitSinceNs === null) c.addTrace({ kind: 'arbitrate', vm: vm.id, host: vm.host, text: `${vm.name} cannot reach shared storage: waits to arbitrate` });
    vm.storageWaitSinceNs ??= c.nowNs;
    return; // the next tick retries
  }
  if (vm.storageWaitSinceNs !== null) vm.storageWaitNs += c.nowNs - vm.storageWaitSinceNs;
  vm.storageWaitSinceNs = null;
  vm.arbitrating = true;
  c.schedule(c.nowNs + c.storage.latencyNs, { t: 'tasDone', vm: vm.id, generation: vm.generation });
}

/** The test-and-set reached storage: the winner goes live (or carries on alone), the loser halts itself. */
export function tasDone(c: LogicalVm, vm: VmInstance, generation: number): void {
  vm.arbitrating = false;
  if (!vm.alive) return;
  if (!c.storage.reachable(vm.host)) return;
  const won = c.storage.testAndSet(generation, vm.id);
  c.addTrace({ kind: 'arbitrate', vm: vm.id, host: vm.host, text: `${vm.name} ${won ? 'won' : 'lost'} the test-and-set on shared storage`, data: { won, generation } });
  if (!won) {
    if (c.scenario.whatIf.disable.includes('loserHalts')) vm.arbitrating = true; // what-if: it stays, stuck
    else haltVm(c, vm, 'it lost the test-and-set: the other VM is live');
    return;
  }
  // The loser is left alone: its peer stops talking to it, so it suspects, arbitrates, loses and halts.
  if (vm.role === 'secondary') beginGoLive(c, vm);
  else carryOnAlone(c, vm);
}

function carryOnAlone(c: LogicalVm, p: VmInstance): void {
  p.peer = null;
  p.logging = false;
  p.suspecting = false;
  p.sender.reset();
  unthrottle(c, p);
  releaseAll(c, p);
  respawn(c, p);
}

/**
 * The secondary won: it takes no more log and replays what it received at its own speed, which takes
 * simulated time (the lag is what a failover pays); it goes live when that is done (`goLive` event).
 */
function beginGoLive(c: LogicalVm, s: VmInstance): void {
  const remaining = Math.max(0, s.receiver.coveredInstret - s.guest.instret);
  const rate = c.rate(s);
  const catchUpNs = remaining === 0 || !(rate > 0) ? 0 : Math.ceil(remaining / rate);
  s.goLiveAtNs = c.nowNs + catchUpNs;
  s.catchUpFromInstret = s.guest.instret;
  c.schedule(s.goLiveAtNs, { t: 'goLive', vm: s.id });
}

/** The secondary becomes the primary: consume the log, take over the network identity, re-issue pending I/O. */
export function goLive(c: LogicalVm, s: VmInstance): void {
  if (s.goLiveAtNs !== c.nowNs || s.role !== 'secondary' || s.status !== 'running') return;
  s.goLiveAtNs = null;
  catchUp(c, s);
  const caughtUp = s.guest.instret - s.catchUpFromInstret;
  const shadow = shadowOf(s.guest);
  if (shadow !== null) s.setMachine(shadow.materialize(c.newMachine())); // it ran on another thread: bring it here
  const old = c.vm(s.peer);
  s.role = 'primary';
  s.peer = null;
  s.suspecting = false;
  s.logging = false;
  s.guest.setEnvironment(new RecordEnv(s, c));
  s.sender.continueAfter(s.receiver.appliedSeq);
  c.identityVm = s.id;
  c.scheduleFlush(s, c.nowNs + c.flushIntervalNs);
  c.addTrace({ kind: 'goLive', vm: s.id, host: s.host, text: `secondary on ${s.host} went live as primary at instruction ${s.guest.instret}${old ? ` (was ${old.host})` : ''}`, data: { instret: s.guest.instret, caughtUp } });
  c.checkers.wentLive(s, old);
  resendUnconfirmed(c, s);
  for (const req of s.pendingDisk.values()) c.submitDisk(s, { id: req.id, op: req.op, sector: req.sector, count: req.count, data: req.data });
  if (s.armedTimer !== null && !s.timerPending) c.timerArmed(s, s.armedTimer, s.guest.instret);
  s.idle = false;
  respawn(c, s);
}

/** Applies every received log entry before going live (the secondary must not lose the primary's last inputs). */
function catchUp(c: LogicalVm, s: VmInstance): number {
  const before = s.guest.instret;
  s.rebase(c.nowNs, Infinity); // the copy runs flat out: its instructions all happen now
  const saved = c.cluster.stepTargets.get(s.id);
  c.cluster.stepTargets.delete(s.id);
  replayUpTo(c, s, s.receiver.coveredInstret);
  if (saved !== undefined) c.cluster.stepTargets.set(s.id, saved);
  s.lastNs = c.nowNs;
  c.rebase(s, c.nowNs);
  return s.guest.instret - before;
}

/** Outputs the old primary may not have released: send them again (duplicates are allowed, losses are not). */
function resendUnconfirmed(c: LogicalVm, s: VmInstance): void {
  const known = s.receiver.peerReleasedSeq;
  for (const o of s.replayedOutputs) {
    if (o.seq <= known || o.out.kind === 'diskRequest') continue; // pending disk writes are re-issued separately
    c.stats.duplicatedOutputs++;
    release(c, s, { seq: o.seq, instret: o.instret, out: o.out, producedNs: c.nowNs }, c.nowNs);
  }
  s.replayedOutputs = [];
}
