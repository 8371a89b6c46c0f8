// The FT protocol's control side: replay on the secondary, failure detection, split-brain arbitration, go-live, respawn, HA restart.

import type { Cluster, ClusterStop } from '../cluster';
import { NS_PER_MS, NS_PER_TICK } from '../cluster';
import type { DiskReq } from '../events';
import type { VmInstance } from './vm';
import type { LogEntry } from './log';
import { RecordEnv } from './envs';
import { release, releaseAll } from './outputs';

const REPLAY_STEPS_MAX = 1_000_000;

// ---- replay on the secondary --------------------------------------------------------------------

/** Executes the secondary up to `maxTarget`, never past what the log covers, delivering logged inputs at their exact instret. */
export function replayUpTo(c: Cluster, vm: VmInstance, maxTarget: number): ClusterStop | null {
  const rx = vm.receiver;
  const m = vm.machine;
  for (let step = 0; step < REPLAY_STEPS_MAX; step++) {
    if (vm.status !== 'running' || vm.divergence !== null) return null;
    const input = nextInput(vm);
    if (input !== undefined && input.instret <= m.instret) {
      if (input.instret < m.instret || rx.inbox[rx.head] !== input) {
        c.diverged(vm, m.instret, m.pc, `the log delivers ${input.ev.kind} at instruction ${input.instret}; the secondary is at ${m.instret} with earlier log entries unused`);
        return null;
      }
      applyInput(c, vm, input);
      continue;
    }
    if (vm.idle) {
      if (input !== undefined || rx.coveredInstret > m.instret) {
        c.diverged(vm, m.instret, m.pc, `the secondary waits for an interrupt at instruction ${m.instret}, but the primary went on to ${input?.instret ?? rx.coveredInstret} without one in the log`);
        return null;
      }
      break;
    }
    const limit = Math.min(maxTarget, rx.coveredInstret, input?.instret ?? Infinity);
    if (limit <= m.instret) break;
    const stop = c.runMachine(vm, limit);
    if (stop !== null) return stop;
  }
  checkMissedOutput(c, vm);
  trimInbox(vm);
  return null;
}

function applyInput(c: Cluster, vm: VmInstance, input: LogEntry & { k: 'input' }): void {
  const rx = vm.receiver;
  if (vm.idle) c.rebase(vm, vm.lastNs); // woken at the start of this slice: no banked credit
  rx.head++;
  rx.appliedSeq = input.seq;
  if (input.ev.kind === 'diskDone') vm.pendingDisk.delete(input.ev.id);
  if (input.ev.kind === 'timer') vm.timerPending = input.ev.pending;
  vm.machine.deliver(input.ev);
  vm.idle = false;
}

function nextInput(vm: VmInstance): (LogEntry & { k: 'input' }) | undefined {
  const rx = vm.receiver;
  for (let i = rx.head; i < rx.inbox.length; i++) {
    const e = rx.inbox[i];
    if (e.k === 'input') return e;
  }
  return undefined;
}

function checkMissedOutput(c: Cluster, vm: VmInstance): void {
  const e = vm.receiver.inbox[vm.receiver.head];
  if (e !== undefined && e.k !== 'input' && e.instret < vm.machine.instret) {
    c.diverged(vm, vm.machine.instret, vm.machine.pc, `the primary logged ${e.k === 'output' ? 'an output' : `a ${e.kind} read`} at instruction ${e.instret} that the secondary did not make`);
  }
}

function trimInbox(vm: VmInstance): void {
  const rx = vm.receiver;
  if (rx.head > 1024 && rx.head * 2 > rx.inbox.length) {
    rx.inbox.splice(0, rx.head);
    rx.head = 0;
  }
}

// ---- starting a secondary (initial, respawn, turn on) --------------------------------------------

/** Hosts where a new secondary for `primary` may run: up, not the primary's, same family, allowed by affinity, reachable. */
export function eligibleHosts(c: Cluster, primary: VmInstance): string[] {
  const fam = c.hosts.get(primary.host)!.family;
  const allowed = c.scenario.placement.allowedHosts;
  const busy = new Set(c.vms.filter((v) => v.alive).map((v) => v.host));
  return [...c.hosts.values()]
    .filter((h) => h.up && h.name !== primary.host && h.family === fam && !busy.has(h.name))
    .filter((h) => allowed === null || allowed.includes(h.name))
    .filter((h) => c.storage.reachable(h.name) && c.network.canTalk('logging', primary.host, h.name))
    .map((h) => h.name);
}

/** Starts a secondary for `primary` on `host` (or the first eligible host): copies the primary's state, then replays. */
export function startSecondary(c: Cluster, primary: VmInstance, host: string | null, initial: boolean): VmInstance | null {
  const candidates = eligibleHosts(c, primary);
  const target = host !== null && candidates.includes(host) ? host : candidates[0];
  if (target === undefined) return null;
  c.pairGeneration++;
  primary.generation = c.pairGeneration;
  const s = c.createVm('secondary', target, 'copying');
  s.generation = c.pairGeneration;
  s.peer = primary.id;
  primary.peer = s.id;
  primary.logging = true;
  primary.suspecting = false;
  primary.lastHeardNs = c.nowNs;
  primary.lastLogNs = c.nowNs;
  resetSender(primary);
  s.receiver.coveredInstret = primary.machine.instret;
  c.respawnSnapshots.set(s.id, primary.machine.snapshot());
  const ramBytes = c.scenario.ramMiB * 1024 * 1024;
  const copyNs = initial ? 0 : Math.ceil((ramBytes * 8 * 1000) / c.scenario.network.logging.bandwidthMbps) + 1 * NS_PER_MS;
  c.schedule(c.nowNs + copyNs, { t: 'respawnDone', vm: s.id });
  if (!initial) c.onRespawnStart();
  if (!initial) c.addTrace({ kind: 'respawnStart', vm: s.id, host: target, text: `copying the primary's state to a new secondary on ${target} (${(copyNs / NS_PER_MS).toFixed(1)} ms)` });
  return s;
}

function resetSender(p: VmInstance): void {
  const s = p.sender;
  s.pending = [];
  s.unacked = [];
  s.bytes = 0;
  s.ackedSeq = s.nextSeq - 1;
}

/** The copy finished: the secondary starts replaying from the snapshot. */
export function finishRespawn(c: Cluster, s: VmInstance): void {
  const snap = c.respawnSnapshots.get(s.id);
  c.respawnSnapshots.delete(s.id);
  const p = c.vm(s.peer);
  if (snap === undefined || s.status !== 'copying' || p === undefined || !p.alive) {
    if (s.status === 'copying') haltVm(c, s, 'its primary is gone before the copy finished');
    return;
  }
  s.machine.restore(snap);
  s.status = 'running';
  s.lastNs = c.nowNs;
  c.rebase(s, c.nowNs);
  s.lastHeardNs = c.nowNs;
  s.lastLogNs = c.nowNs;
  const initial = s.machine.instret === 0;
  c.addTrace({ kind: 'respawnDone', vm: s.id, host: s.host, text: `secondary running on ${s.host}: replaying from instruction ${s.machine.instret}` });
  if (!initial) c.checkers.respawned();
}

// ---- failure detection and arbitration -------------------------------------------------------------

/** Periodic: heartbeat to the peer, then check how long the peer has been silent. */
export function tick(c: Cluster, vm: VmInstance): void {
  const peer = c.vm(vm.peer);
  if (!vm.connected || (!vm.alive && !peer?.alive)) return; // both powered off: nothing left to watch
  c.schedule(c.nowNs + c.scenario.ft.heartbeatIntervalMs * NS_PER_MS, { t: 'tick', vm: vm.id });
  if (peer === undefined) return;
  const arrival = c.network.send('management', vm.host, peer.host, 64, c.nowNs, false);
  if (arrival !== null && hostUp(c, peer.host)) c.schedule(arrival, { t: 'hbMsg', to: peer.id, from: vm.id });
  // Failure: heartbeats or logging traffic stopped for longer than the timeout (either one is enough).
  const hbSilentNs = c.nowNs - vm.lastHeardNs;
  const logSilentNs = c.nowNs - vm.lastLogNs;
  const silentNs = Math.max(hbSilentNs, logSilentNs);
  if (vm.alive && silentNs > c.scenario.ft.failureTimeoutMs * NS_PER_MS && !vm.arbitrating) {
    if (!vm.suspecting) {
      const what = hbSilentNs >= logSilentNs ? 'heartbeats' : 'logging traffic';
      c.addTrace({ kind: 'detect', vm: vm.id, host: vm.host, text: `${vm.name}: no ${what} from its ${peer.role} for ${(silentNs / NS_PER_MS).toFixed(1)} ms: declares it failed` });
      c.checkers.detected(vm);
    }
    vm.suspecting = true;
    arbitrate(c, vm);
  }
}

export function hostUp(c: Cluster, host: string): boolean {
  return c.hosts.get(host)?.up === true;
}

/** Atomic test-and-set on shared storage; with no storage path the VM waits and retries. */
export function arbitrate(c: Cluster, vm: VmInstance): void {
  if (vm.status === 'copying') {
    haltVm(c, vm, 'its primary failed before it had a copy of the VM');
    return;
  }
  if (!c.storage.reachable(vm.host)) {
    if (!vm.waitingForStorage) c.addTrace({ kind: 'arbitrate', vm: vm.id, host: vm.host, text: `${vm.name} cannot reach shared storage: waits to arbitrate` });
    vm.waitingForStorage = true;
    return; // the next tick retries
  }
  vm.waitingForStorage = false;
  vm.arbitrating = true;
  c.schedule(c.nowNs + c.storage.latencyNs, { t: 'tasDone', vm: vm.id, generation: vm.generation });
}

/** The test-and-set reached storage: the winner goes live (or carries on alone), the loser halts itself. */
export function tasDone(c: Cluster, vm: VmInstance, generation: number): void {
  vm.arbitrating = false;
  if (!vm.alive) return;
  if (!c.storage.reachable(vm.host)) return;
  const won = c.storage.testAndSet(generation, vm.id);
  c.addTrace({ kind: 'arbitrate', vm: vm.id, host: vm.host, text: `${vm.name} ${won ? 'won' : 'lost'} the test-and-set on shared storage`, data: { won, generation } });
  if (!won) {
    haltVm(c, vm, 'it lost the test-and-set: the other VM is live');
    return;
  }
  const peer = c.vm(vm.peer);
  if (peer !== undefined && peer.alive && vm.role === 'primary') peer.peer = null; // the loser will find out at its own test-and-set
  if (vm.role === 'secondary') goLive(c, vm);
  else carryOnAlone(c, vm);
}

function carryOnAlone(c: Cluster, p: VmInstance): void {
  p.peer = null;
  p.logging = false;
  p.suspecting = false;
  resetSender(p);
  releaseAll(c, p);
  respawn(c, p);
}

/** The secondary becomes the primary: consume the log, take over the network identity, re-issue pending I/O. */
export function goLive(c: Cluster, s: VmInstance): void {
  const caughtUp = catchUp(c, s);
  const old = c.vm(s.peer);
  s.role = 'primary';
  s.peer = null;
  s.suspecting = false;
  s.logging = false;
  s.machine.setEnvironment(new RecordEnv(s, c));
  s.sender.nextSeq = s.receiver.appliedSeq + 1;
  c.identityVm = s.id;
  c.schedule(c.nowNs + c.flushIntervalNs, { t: 'flush', vm: s.id });
  c.addTrace({ kind: 'goLive', vm: s.id, host: s.host, text: `secondary on ${s.host} went live as primary at instruction ${s.machine.instret}${old ? ` (was ${old.host})` : ''}`, data: { instret: s.machine.instret, caughtUp } });
  c.checkers.wentLive(s, old);
  resendUnconfirmed(c, s);
  for (const req of s.pendingDisk.values()) c.submitDisk(s, { id: req.id, op: req.op, sector: req.sector, count: req.count, data: req.data });
  if (s.armedTimer !== null && !s.timerPending) c.timerArmed(s, s.armedTimer);
  s.idle = false;
  respawn(c, s);
}

/** Applies every received log entry before going live (the secondary must not lose the primary's last inputs). */
function catchUp(c: Cluster, s: VmInstance): number {
  const before = s.machine.instret;
  s.rebase(c.nowNs, Infinity); // the copy runs flat out: its instructions all happen now
  const saved = c.stepTargets.get(s.id);
  c.stepTargets.delete(s.id);
  replayUpTo(c, s, s.receiver.coveredInstret);
  if (saved !== undefined) c.stepTargets.set(s.id, saved);
  s.lastNs = c.nowNs;
  c.rebase(s, c.nowNs);
  return s.machine.instret - before;
}

/** Outputs the old primary may not have released: send them again (duplicates are allowed, losses are not). */
function resendUnconfirmed(c: Cluster, s: VmInstance): void {
  const known = s.receiver.peerReleasedSeq;
  for (const o of s.replayedOutputs) {
    if (o.seq <= known || o.out.kind === 'diskRequest') continue; // pending disk writes are re-issued separately
    c.stats.duplicatedOutputs++;
    release(c, s, { seq: o.seq, instret: o.instret, out: o.out, producedNs: c.nowNs }, c.nowNs);
  }
  s.replayedOutputs = [];
}

/** Starts a new secondary if FT is on and a host is free; otherwise the VM stays Not Protected. */
export function respawn(c: Cluster, p: VmInstance): void {
  if (!c.ftEnabled || c.ftSuspended || !p.alive || p.role !== 'primary') return;
  if (c.secondary !== undefined) return;
  startSecondary(c, p, null, false);
}

export function haltVm(c: Cluster, vm: VmInstance, why: string): void {
  if (!vm.alive) return;
  vm.status = 'halted';
  vm.held = [];
  c.addTrace({ kind: 'halt', vm: vm.id, host: vm.host, text: `${vm.name} halted: ${why}` });
}

/** A VM dies with its host (or is killed by an FT action). */
export function killVm(c: Cluster, vm: VmInstance, why: string): void {
  if (!vm.alive) return;
  vm.status = 'crashed';
  vm.held = [];
  c.addTrace({ kind: 'crash', vm: vm.id, host: vm.host, text: `${vm.name} is gone: ${why}` });
  c.checkers.vmLost(vm);
  c.schedule(c.nowNs + c.scenario.ft.failureTimeoutMs * NS_PER_MS, { t: 'haCheck' });
}

/** HA: when no VM of the pair survives, restart the VM from its disk on a healthy host. */
export function haCheck(c: Cluster): void {
  if (c.vms.some((v) => v.alive && (v.status === 'running' || v.role === 'primary'))) return;
  if (c.vms.some((v) => v.status === 'exited' || v.status === 'fatal')) return; // the guest stopped itself: nothing to restart
  const allowed = c.scenario.placement.allowedHosts;
  const host = [...c.hosts.values()].find((h) => h.up && c.storage.reachable(h.name) && (allowed === null || allowed.includes(h.name)));
  if (host === undefined) {
    c.schedule(c.nowNs + c.scenario.ft.failureTimeoutMs * NS_PER_MS, { t: 'haCheck' });
    return;
  }
  c.epoch++;
  c.pairGeneration++;
  const p = c.createVm('primary', host.name, 'running');
  p.machine.load(c.program);
  c.identityVm = p.id;
  c.addTrace({ kind: 'haRestart', vm: p.id, host: host.name, text: `both VMs lost: HA restarted the VM from its disk on ${host.name} (memory state lost)` });
  c.checkers.haRestarted(p);
  respawn(c, p);
}

/** A disk request from a host without a storage path waits (all-paths-down); it is retried when the path returns. */
export function waitForStorage(c: Cluster, vm: VmInstance, req: DiskReq): void {
  c.storageWaiting.push({ vm: vm.id, req });
}

export function timerFired(c: Cluster, vm: VmInstance, gen: number): void {
  if (vm.status !== 'running' || vm.role !== 'primary' || gen !== vm.timerGen) return;
  vm.timerPending = true;
  c.deliverToPrimary(vm, { kind: 'timer', pending: true });
}

export { NS_PER_TICK };
