// Cluster checkpoints: the complete state of the simulation (VMs with copy-on-write memory, queue, links, storage, clients, PRNGs, checkers).

import type { Cluster, HostRec } from './cluster';
import type { MachineSnapshot } from '../machine/machine';
import type { VmInstance } from './protocol/vm';
import { RecordEnv, ReplayEnv } from './protocol/envs';
import { copyOneLevel } from './sim/copy';
import type { LogReceiverState, LogSenderState } from './protocol/log-channel';

/** Everything of a VM but its machine, copied one level deep (log entries and packets are immutable). */
type VmFields = Record<string, unknown>;

export interface ClusterCheckpoint {
  nowNs: number;
  scalars: Record<string, unknown>;
  hosts: HostRec[];
  queue: ReturnType<Cluster['queue']['getState']>;
  trace: ReturnType<Cluster['trace']['getState']>;
  prng: ReturnType<Cluster['prng']['getState']>;
  entropyPrng: ReturnType<Cluster['prng']['getState']>;
  network: ReturnType<Cluster['network']['getState']>;
  storage: ReturnType<Cluster['storage']['getState']>;
  clients: ReturnType<Cluster['clients']['getState']>;
  checkers: Record<string, unknown>;
  vms: { id: number; host: string; epoch: number; fields: VmFields; sender: LogSenderState; receiver: LogReceiverState; machine: MachineSnapshot }[];
  injectedCount: number;
}

/** Cluster fields that are plain values or plain data (copied with structuredClone). */
const SCALARS = [
  'epoch', 'pairGeneration', 'nextVmId', 'identityVm', 'ftEnabled', 'ftSuspended', 'consoleText', 'lastState', 'stats',
  'armedFaults', 'armedRespawnFaults', 'storageWaiting', 'quantumEndNs', 'haCheckDueNs', 'pairLinksDown', 'pairLinksDegraded',
] as const;

const VM_SKIP = new Set(['guest', 'local', 'id', 'host', 'epoch', 'sender', 'receiver']);

export function takeCheckpoint(c: Cluster): ClusterCheckpoint {
  const bag = c as unknown as Record<string, unknown>;
  return {
    nowNs: c.nowNs,
    scalars: structuredClone(Object.fromEntries(SCALARS.map((k) => [k, bag[k]]))),
    hosts: [...c.hosts.values()].map((h) => ({ ...h })),
    queue: c.queue.getState(),
    trace: c.trace.getState(),
    prng: c.prng.getState(),
    entropyPrng: c.entropyPrng.getState(),
    network: c.network.getState(),
    storage: c.storage.getState(),
    clients: c.clients.getState(),
    checkers: c.checkers.getState(),
    vms: c.vms.map((vm) => ({ id: vm.id, host: vm.host, epoch: vm.epoch, fields: vmFields(vm), sender: vm.sender.save(), receiver: vm.receiver.save(), machine: vm.guest.snapshot() })),
    injectedCount: c.injected.length,
  };
}

export function restoreCheckpoint(c: Cluster, cp: ClusterCheckpoint): void {
  const bag = c as unknown as Record<string, unknown>;
  c.nowNs = cp.nowNs;
  Object.assign(bag, structuredClone(cp.scalars));
  for (const h of cp.hosts) c.hosts.set(h.name, { ...h });
  c.queue.setState(cp.queue);
  c.trace.setState(cp.trace);
  c.prng.setState(cp.prng);
  c.entropyPrng.setState(cp.entropyPrng);
  c.network.setState(cp.network);
  c.storage.setState(cp.storage);
  c.clients.setState(cp.clients);
  c.checkers.setState(cp.checkers);
  c.vms.length = Math.min(c.vms.length, cp.vms.length); // VMs born after the checkpoint never existed
  cp.vms.forEach((saved, i) => {
    if (c.vms[i] === undefined || c.vms[i].id !== saved.id) c.vms[i] = c.vmShell(saved.id, saved.host, saved.epoch);
    restoreVm(c, c.vms[i], saved);
  });
  c.injected.length = cp.injectedCount;
  c.stepTargets.clear();
}

function vmFields(vm: VmInstance): VmFields {
  const out: VmFields = {};
  for (const [k, v] of Object.entries(vm)) {
    if (!VM_SKIP.has(k)) out[k] = copyOneLevel(v);
  }
  return out;
}

function restoreVm(c: Cluster, vm: VmInstance, saved: ClusterCheckpoint['vms'][number]): void {
  for (const [k, v] of Object.entries(saved.fields)) (vm as unknown as Record<string, unknown>)[k] = copyOneLevel(v);
  vm.sender.restore(saved.sender);
  vm.receiver.restore(saved.receiver);
  vm.guest.restore(saved.machine);
  vm.guest.setEnvironment(vm.role === 'primary' ? new RecordEnv(vm, c) : new ReplayEnv(vm, c));
}

