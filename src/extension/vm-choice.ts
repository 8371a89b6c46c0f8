// Pure choice of a cluster's VM (no `vscode` import, unit-tested): the VMs of a `hosts` reply with their FT state, and the quick pick's items, the focused thread's VM first.
import { FT_OFF, type HostsReply } from '../debug/requests';

/** A VM of a cluster as the editor offers it. */
export interface ClusterVm {
  name: string;
  /** Its FT protection label (FT_OFF: a VM the scenario never makes fault tolerant). */
  ftState: string;
  /** The host its running primary is on (undefined: none runs now). */
  primaryHost: string | undefined;
}

/** Which VMs an action may concern: the fault-tolerant ones (a pair to act on or compare), or every VM. */
export type VmScope = 'ft' | 'any';

/** One row of the VM quick pick. */
export interface VmPickItem {
  label: string;
  description: string;
  vm: string;
}

type Instance = HostsReply['hosts'][number]['vms'][number] & { host: string };

/**
 * The cluster's VMs in the order they powered on (their first instance's id), each with its FT state and where its
 * primary runs; empty in a session of one VM (its instances name no VM).
 */
export function clusterVms(body: HostsReply): ClusterVm[] {
  const all: Instance[] = body.hosts.flatMap((h) => h.vms.map((v) => ({ ...v, host: h.name }))).sort((a, b) => a.id - b.id);
  const byName = new Map<string, ClusterVm>();
  for (const v of all) {
    if (v.vm === undefined) continue;
    const vm = byName.get(v.vm) ?? { name: v.vm, ftState: v.ftState, primaryHost: undefined };
    if (v.role === 'primary' && v.status === 'running') vm.primaryHost = v.host;
    byName.set(v.vm, vm);
  }
  return [...byName.values()];
}

/** The VM of a cluster whose instance thread `threadName` is ("kv-1's primary @ esx-2 (copying)" → kv-1), if any. */
export function vmOfThread(threadName: string, names: readonly string[]): string | undefined {
  return names.filter((n) => threadName.startsWith(`${n}'s `)).sort((a, b) => b.length - a.length)[0];
}

/** `Protected · primary on esx-3`: a VM's FT state and where its primary runs. */
function vmDescription(vm: ClusterVm): string {
  return `${vm.ftState} · ${vm.primaryHost === undefined ? 'no primary running' : `primary on ${vm.primaryHost}`}`;
}

/** The quick pick's rows: the VMs `scope` allows, `focused` (the focused thread's VM) first, the others in order. */
export function vmPickItems(vms: readonly ClusterVm[], scope: VmScope, focused?: string): VmPickItem[] {
  const allowed = vms.filter((v) => scope === 'any' || v.ftState !== FT_OFF);
  const ordered = [...allowed.filter((v) => v.name === focused), ...allowed.filter((v) => v.name !== focused)];
  return ordered.map((v) => ({ label: v.name, description: vmDescription(v), vm: v.name }));
}
