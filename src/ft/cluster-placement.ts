// Where the cluster puts a VM's primary and secondary: the live cluster as the placement rules see it, and the rules' answer.

import type { Cluster } from './cluster';
import type { LogicalVm } from './logical-vm';
import type { VmInstance } from './protocol/vm';
import { admissionAllows, placePrimary, placeSecondary, type Placement, type PlacementView, type VmToPlace } from './placement';
import { cpuLoads } from './drs-demand';

/** The VM as placement sees it. */
export function vmToPlace(m: LogicalVm): VmToPlace {
  return { name: m.label ?? 'vm', ft: m.ftEnabled, ramMiB: m.scenario.ramMiB, vcpus: m.vcpus, allowedHosts: m.scenario.placement.allowedHosts };
}

/**
 * Every host and every live instance of every VM (copying secondaries hold their host's RAM too). With
 * `demand`, each host also carries DRS's measure of its CPU load, when DRS measures it, for choosing a host.
 */
export function placementView(w: Cluster, demand = false): PlacementView {
  const sc = w.scenario;
  const cpu = demand && w.drs !== null ? cpuLoads(w, w.drs) : null;
  const hosts = sc.hosts.map((h) => ({
    name: h.name, family: h.family, ramMiB: h.ramMiB, up: w.hosts.get(h.name)!.up, reachable: w.main.storage.reachable(h.name),
    ...(cpu === null ? {} : { cpuLoad: cpu.get(h.name) ?? 0 }),
  }));
  const instances = w.vms.filter((v) => v.alive).flatMap((v) => {
    const place = vmToPlace(w.ownerOf(v));
    // A secondary counts as FT even while FT is being turned off around it (it halts, or loses its arbitration, soon).
    const ft = place.ft || v.role === 'secondary';
    const at = (host: string) => ({ vm: place.name, role: v.role, host, ft, ramMiB: place.ramMiB, vcpus: place.vcpus, allowedHosts: place.allowedHosts });
    return v.migratingTo === null ? [at(v.host)] : [at(v.host), at(v.migratingTo)]; // a migration holds its destination too
  });
  return { hosts, instances, rules: { ...sc.cluster, hostFailuresTolerated: sc.cluster.admissionControl.hostFailuresTolerated } };
}

/**
 * The host to power `m` on or restart it on, `preferred` if the rules allow it. Admission control
 * applies to a power-on, not to an HA restart after a failure (as in vSphere).
 */
export function primaryHost(m: LogicalVm, preferred: string | null, powerOn: boolean): Placement {
  const view = placementView(m.cluster, true);
  const vm = vmToPlace(m);
  if (powerOn && !admissionAllows(view, vm, 'primary')) return { host: null, reason: admissionReason(view) };
  return placePrimary(view, vm, preferred);
}

/**
 * The host for a new secondary of `primary`: the rules' choice among hosts where no instance of this VM
 * is alive (an orphan of the last pair may linger there until it halts). Admission control applies to
 * the first secondary (turning FT on), not to one HA makes after a failure.
 */
export function secondaryHost(m: LogicalVm, primary: VmInstance, preferred: string | null, admission: boolean): Placement {
  const full = placementView(m.cluster, true);
  const vm = vmToPlace(m);
  if (admission && !admissionAllows(full, vm, 'secondary')) return { host: null, reason: admissionReason(full) };
  const busy = m.vms.filter((v) => v.alive && v !== primary).map((v) => v.host);
  if (primary.migratingTo !== null) busy.push(primary.migratingTo); // where the primary is about to run
  const canLog = (a: string, b: string) => m.network.canTalk('logging', a, b);
  return placeSecondary(full, vm, primary.host, canLog, preferred, busy);
}

function admissionReason(view: PlacementView): string {
  const n = view.rules.hostFailuresTolerated;
  return `admission control: the cluster keeps room for ${n} host failure${n === 1 ? '' : 's'}`;
}

/**
 * Where a live migration of `vm` may go (`preferred` if the rules allow it): a primary never to its
 * secondary's host, a secondary never to its primary's (nor where either is moving to, nor, as for any
 * new secondary, where an instance of the VM lives), and only to a host the source reaches (the
 * vMotion network follows partitions). Admission control does not apply: a migration adds no VM.
 */
export function migrationHost(m: LogicalVm, vm: VmInstance, preferred: string | null): Placement {
  const view = placementView(m.cluster, true);
  const place = vmToPlace(m);
  // Other instances of the VM, where they run and where they are moving to; hosts the vMotion network cannot reach from here.
  const others = m.vms.filter((v) => v.alive && v !== vm).flatMap((v) => (v.migratingTo === null ? [v.host] : [v.host, v.migratingTo]));
  const cut = view.hosts.filter((h) => h.name !== vm.host && !m.network.canTalk('management', vm.host, h.name)).map((h) => h.name);
  if (vm.role === 'primary') return placePrimary(view, place, preferred, [vm.host, ...others, ...cut]);
  const p = m.vm(vm.peer);
  if (p === undefined || !p.alive) return { host: null, reason: `${vm.name} has no primary` };
  const canLog = (a: string, b: string) => m.network.canTalk('logging', a, b);
  return placeSecondary(view, place, p.host, canLog, preferred, [vm.host, ...others.filter((h) => h !== p.host), ...cut]);
}
