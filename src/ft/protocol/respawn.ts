// Restoring protection: where a new secondary may run, copying the primary's state to it, and HA restart when both VMs are gone.

import type { LogicalVm } from '../logical-vm';
import { NS_PER_MS } from '../cluster';
import type { VmInstance } from './vm';
import { haltVm, scheduleHaCheck } from './vm-fate';
import { primaryHost, secondaryHost } from '../cluster-placement';

/**
 * Starts a secondary for `primary` on `host` (or the first eligible host). Its state is copied over the
 * logging network while the primary runs on unprotected (its outputs leave at once); like the final
 * switch-over of a live migration, the copy is taken when it completes (`finishRespawn`), so the new
 * secondary starts where its primary is, and the log begins there.
 */
export function startSecondary(c: LogicalVm, primary: VmInstance, host: string | null, initial: boolean): VmInstance | null {
  const place = secondaryHost(c, primary, host, initial);
  c.waiting = place.host === null ? `Need Secondary VM: ${place.reason}` : null;
  if (place.host === null) return null;
  const target = place.host;
  c.pairGeneration++;
  primary.generation = c.pairGeneration;
  const s = c.createVm('secondary', target, 'copying');
  if (initial) c.cluster.clusterCheckers?.placed(c.name, 'secondary', target);
  s.generation = c.pairGeneration;
  s.initialCopy = initial;
  s.peer = primary.id;
  primary.peer = s.id;
  primary.logging = false;
  primary.suspecting = false;
  primary.lastHeardNs = c.nowNs;
  primary.lastLogNs = c.nowNs;
  primary.sender.reset();
  const ramBytes = c.scenario.ramMiB * 1024 * 1024;
  const copyNs = initial ? 0 : Math.ceil((ramBytes * 8 * 1000) / c.scenario.network.logging.bandwidthMbps) + 1 * NS_PER_MS;
  c.schedule(c.nowNs + copyNs, { t: 'respawnDone', vm: s.id });
  if (!initial) c.onRespawnStart();
  if (!initial) c.addTrace({ kind: 'respawnStart', vm: s.id, host: target, text: `copying the primary's state to a new secondary on ${target} (${(copyNs / NS_PER_MS).toFixed(1)} ms)` });
  return s;
}

/**
 * The copy finished: the secondary takes the primary's state as it is now (with the disk requests in
 * flight and the armed timer, which it needs if it goes live), and the primary starts logging.
 */
export function finishRespawn(c: LogicalVm, s: VmInstance): void {
  const p = c.vm(s.peer);
  if (s.status !== 'copying' || p === undefined || !p.alive || p.peer !== s.id) {
    if (s.status === 'copying') haltVm(c, s, 'its primary is gone before the copy finished');
    return;
  }
  s.guest.restore(p.guest.snapshot());
  s.pendingDisk = new Map(p.pendingDisk);
  s.armedTimer = p.armedTimer;
  s.timerPending = p.timerPending;
  s.receiver.startAt(p.guest.instret);
  p.sender.reset();
  p.logging = true;
  p.lastHeardNs = c.nowNs;
  p.lastLogNs = c.nowNs;
  s.status = 'running';
  s.lastNs = c.nowNs;
  c.rebase(s, c.nowNs);
  s.lastHeardNs = c.nowNs;
  s.lastLogNs = c.nowNs;
  c.addTrace({ kind: 'respawnDone', vm: s.id, host: s.host, text: `secondary running on ${s.host}: replaying from instruction ${s.guest.instret}` });
  if (!s.initialCopy) c.checkers.respawned();
}

/**
 * Starts a new secondary for the live primary `p` if FT is on, it has none (its last one is resolved: it
 * went live from it, won the arbitration against it, or FT dropped it; a secondary that merely went
 * silent may be alive and about to go live) and a host is free; otherwise the VM stays Not Protected,
 * and the primary's next tick asks again.
 */
export function respawn(c: LogicalVm, p: VmInstance): void {
  if (!c.ftEnabled || c.ftSuspended || p.status !== 'running' || p.role !== 'primary' || c.identityVm !== p.id) return;
  if (c.scenario.whatIf.disable.includes('respawn')) return;
  if (p.peer !== null) return; // it still has a secondary, or has not yet won the arbitration that ends the pair
  if (restartPending(c)) return; // HA restarts lost VMs first: the primary's next tick asks again
  startSecondary(c, p, null, false);
}

/** Another VM of the cluster is down and HA could restart it now: restoring availability goes before restoring redundancy. */
function restartPending(c: LogicalVm): boolean {
  return c.cluster.members.some((m) => m !== c && m.restartPriority !== 'disabled' && m.vms.length > 0 && !m.vms.some((v) => v.alive || v.status === 'exited' || v.status === 'fatal')
    && primaryHost(m, null, false).host !== null);
}

/**
 * HA: when no VM of the pair survives, restart the VM from its disk on a healthy host. While the live
 * primary is gone but some VM is still alive (a secondary that may go live, a loser about to halt), or no
 * host can take the VM, it looks again one failure timeout later.
 */
export function haCheck(c: LogicalVm): void {
  if (c.haCheckDueNs === c.nowNs) c.haCheckDueNs = null; // this is the look that was due
  const live = c.vm(c.identityVm);
  if (live !== undefined && live.status === 'running' && live.role === 'primary') return;
  if (c.vms.some((v) => v.status === 'exited' || v.status === 'fatal')) return; // the guest stopped itself: nothing to restart
  const again = () => scheduleHaCheck(c);
  if (c.vms.some((v) => v.alive)) return again();
  if (c.restartPriority === 'disabled') return;
  const place = primaryHost(c, null, c.vms.length === 0); // a VM never powered on still needs admission control
  c.waiting = place.host === null ? `waiting for resources: ${place.reason}` : null;
  if (place.host === null) return again();
  const host = place.host;
  c.epoch++;
  c.pairGeneration++;
  const p = c.createVm('primary', host, 'running');
  p.machine.load(c.program);
  c.identityVm = p.id;
  const lost = c.label === null ? 'both VMs lost' : c.ftEnabled ? `both instances of ${c.label} lost` : `${c.label} lost with its host`;
  c.addTrace({ kind: 'haRestart', vm: p.id, host, text: `${lost}: HA restarted ${c.label ?? 'the VM'} from its disk on ${host} (memory state lost)` });
  c.checkers.haRestarted(p);
  respawn(c, p);
}
