// Cluster checkpoints: the complete state of the simulation, as the explicit state objects of its owners (world, VMs and their log, machines, queue, links, storage, clients, PRNGs, checkers).

import type { Cluster, ClusterWorldState, HostRec } from './cluster';
import type { MachineSnapshot } from '../machine/machine';
import type { VmState } from './protocol/vm';
import { RecordEnv, ReplayEnv } from './protocol/envs';
import type { AllSaved, Unsaved } from './sim/saved';

export interface ClusterCheckpoint {
  nowNs: number;
  world: ClusterWorldState;
  hosts: HostRec[];
  queue: ReturnType<Cluster['queue']['getState']>;
  trace: ReturnType<Cluster['trace']['getState']>;
  prng: ReturnType<Cluster['prng']['getState']>;
  entropyPrng: ReturnType<Cluster['prng']['getState']>;
  network: ReturnType<Cluster['network']['getState']>;
  storage: ReturnType<Cluster['storage']['getState']>;
  clients: ReturnType<Cluster['clients']['getState']>;
  checkers: ReturnType<Cluster['checkers']['getState']>;
  /** Every VM that existed, in order: its identity, its state and its machine (copy-on-write RAM). */
  vms: { id: number; host: string; epoch: number; state: VmState; machine: MachineSnapshot }[];
  /** Faults injected by then (the later ones never happened). */
  injectedCount: number;
}

/** Cluster fields a checkpoint does not keep in ClusterWorldState, and why (a test checks the private ones too). */
export const CLUSTER_NOT_SAVED = {
  scenario: 'configuration', program: 'configuration', secondaryExecutor: 'configuration', ramSource: 'configuration',
  observer: 'a watcher, not state',
  nowNs: 'its own field of the checkpoint', hosts: 'its own field', injected: 'kept as a count: faults injected later are dropped',
  queue: 'saves itself', trace: 'saves itself', prng: 'saves itself', entropyPrng: 'saves itself', network: 'saves itself',
  storage: 'saves itself', clients: 'saves itself', checkers: 'saves itself', vms: 'each VM saves itself',
  stepTargets: 'debugger requests: a restore clears them', stopRequested: 'a request to the run in progress: run() clears it',
  advancing: 'set only while a machine executes', primary: 'getter', secondary: 'getter', flushIntervalNs: 'getter',
  idleMarkIntervalNs: 'getter',
} as const;

/** Compiles only while every public field of Cluster is in ClusterWorldState or CLUSTER_NOT_SAVED. */
export type ClusterAllSaved = AllSaved<Unsaved<Cluster, ClusterWorldState, keyof typeof CLUSTER_NOT_SAVED>>;

export function takeCheckpoint(c: Cluster): ClusterCheckpoint {
  return {
    nowNs: c.nowNs,
    world: c.saveWorld(),
    hosts: [...c.hosts.values()].map((h) => ({ ...h })),
    queue: c.queue.getState(),
    trace: c.trace.getState(),
    prng: c.prng.getState(),
    entropyPrng: c.entropyPrng.getState(),
    network: c.network.getState(),
    storage: c.storage.getState(),
    clients: c.clients.getState(),
    checkers: c.checkers.getState(),
    vms: c.vms.map((vm) => ({ id: vm.id, host: vm.host, epoch: vm.epoch, state: vm.save(), machine: vm.guest.snapshot() })),
    injectedCount: c.injected.length,
  };
}

export function restoreCheckpoint(c: Cluster, cp: ClusterCheckpoint): void {
  c.nowNs = cp.nowNs;
  c.restoreWorld(cp.world);
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
    const vm = c.vms[i];
    vm.restore(saved.state);
    vm.guest.restore(saved.machine);
    vm.guest.setEnvironment(vm.role === 'primary' ? new RecordEnv(vm, c) : new ReplayEnv(vm, c));
  });
  c.injected.length = cp.injectedCount;
  c.stepTargets.clear();
}
