// Live migration (vMotion): a VM's memory is pre-copied over the vMotion network while it runs, then a short stop-and-copy, and it runs on its new host; Migrate Secondary is the same for an FT secondary.

import type { LogicalVm } from '../logical-vm';
import type { VmInstance } from './vm';
import { hostUp } from './vm-fate';
import { NS_PER_MS, NS_PER_US } from '../sim/units';

/** Pre-copy passes send again the pages the guest dirtied meanwhile: the copy moves this much more than RAM. */
const PRECOPY_FACTOR = 1.25;
/** The stop-and-copy: the VM does not run while its last dirty pages and device state move (vSphere: well under a second). */
export const STUN_NS = 1 * NS_PER_MS;

/**
 * Starts moving `vm` to `to`: it runs on during the pre-copy, and `finishMigration` switches it over.
 * `why` opens the trace line (who asked: DRS, Migrate Secondary, a migrate action). False if it cannot start.
 */
export function startMigration(c: LogicalVm, vm: VmInstance, to: string, why: string): boolean {
  if (vm.status !== 'running' || vm.migratingTo !== null || vm.host === to) return false;
  const link = c.scenario.network.vmotion;
  const bytes = c.scenario.ramMiB * 1024 * 1024;
  const copyNs = Math.ceil(((bytes * 8 * 1000) / link.bandwidthMbps) * PRECOPY_FACTOR) + link.latencyUs * NS_PER_US;
  vm.migratingTo = to;
  c.schedule(c.nowNs + copyNs, { t: 'vmotionDone', vm: vm.id, to });
  c.addTrace({ kind: 'migrate', vm: vm.id, host: vm.host, text: `${why}: vMotion of ${vm.name} to ${to} began (pre-copy of ${c.scenario.ramMiB} MiB, ${(copyNs / NS_PER_MS).toFixed(1)} ms)` });
  return true;
}

/**
 * The pre-copy is over: if the VM still runs and its destination can take it (up, storage path, not its
 * peer's host, reachable from the source), it stops for the switch-over and runs on there; otherwise
 * the migration is abandoned and it stays where it is (a VM whose source host died is gone with it).
 */
export function finishMigration(c: LogicalVm, vm: VmInstance, to: string): void {
  if (vm.migratingTo !== to) return;
  vm.migratingTo = null;
  if (vm.status !== 'running') return;
  const why = migrationBlocked(c, vm, to);
  if (why !== null) {
    c.addTrace({ kind: 'migrate', vm: vm.id, host: vm.host, text: `vMotion of ${vm.name} to ${to} abandoned: ${why}` });
    return;
  }
  const from = vm.host;
  vm.host = to;
  const peer = c.vm(vm.peer);
  if (peer !== undefined && peer.connected) {
    // The logging connection moves with it: nothing sent over the new path overtakes what is in flight on the old.
    c.network.keepOrder('logging', peer.host, from, peer.host, to);
    c.network.keepOrder('logging', from, peer.host, to, peer.host);
  }
  c.rebase(vm, c.nowNs + STUN_NS); // no credit before the switch-over ends: it does not run meanwhile
  c.addTrace({ kind: 'migrate', vm: vm.id, host: to, text: `vMotion done: ${vm.name} runs on ${to} (was ${from}; stopped ${(STUN_NS / NS_PER_MS).toFixed(1)} ms for the switch-over)` });
}

function migrationBlocked(c: LogicalVm, vm: VmInstance, to: string): string | null {
  if (!hostUp(c, to)) return `${to} is down`;
  if (!c.storage.reachable(to)) return `${to} has no path to shared storage`;
  if (!c.network.canTalk('management', vm.host, to)) return `${vm.host} cannot reach ${to}`;
  const peer = c.vm(vm.peer);
  if (peer !== undefined && peer.alive && peer.host === to) return `its ${peer.role} now runs on ${to}`;
  return null;
}
