// Cluster checkpoints: the complete state of the simulation, as the explicit state objects of its owners (world, each VM's protocol state, storage, clients and checkers, VM instances and their log, machines, queue, links, PRNGs).

import type { Cluster, ClusterWorldState, HostRec } from './cluster';
import type { LogicalVm, LogicalVmState } from './logical-vm';
import type { ClusterCheckersState } from './cluster-checkers';
import type { MachineSnapshot } from '../machine/machine';
import type { VmState } from './protocol/vm';
import { RecordEnv, ReplayEnv } from './protocol/envs';
import { LOGICAL_VM_NOT_SAVED } from './logical-vm';
import type { AllSaved, Unsaved } from './sim/saved';

export interface ClusterCheckpoint {
  nowNs: number;
  world: ClusterWorldState;
  hosts: HostRec[];
  queue: ReturnType<Cluster['queue']['getState']>;
  trace: ReturnType<Cluster['trace']['getState']>;
  prng: ReturnType<Cluster['prng']['getState']>;
  network: ReturnType<Cluster['network']['getState']>;
  /** Each VM of the cluster, in order: its protocol state and the parts that save themselves. */
  members: MemberCheckpoint[];
  /** Every VM instance that existed, in order: its identity, its state and its machine (copy-on-write RAM). */
  vms: { id: number; owner: number; host: string; epoch: number; state: VmState; machine: MachineSnapshot }[];
  /** The cluster checkers of a cluster of several VMs (null: a single VM). */
  clusterCheckers: ClusterCheckersState | null;
  /** Faults injected by then (the later ones never happened). */
  injectedCount: number;
}

export interface MemberCheckpoint {
  state: LogicalVmState;
  entropyPrng: ReturnType<LogicalVm['entropyPrng']['getState']>;
  storage: ReturnType<LogicalVm['storage']['getState']>;
  clients: ReturnType<LogicalVm['clients']['getState']>;
  checkers: ReturnType<LogicalVm['checkers']['getState']>;
}

/** Cluster fields a checkpoint does not keep in ClusterWorldState, and why (a test checks the private ones too). */
export const CLUSTER_NOT_SAVED = {
  scenario: 'configuration', program: 'configuration', secondaryExecutor: 'configuration', ramSource: 'configuration',
  observer: 'a watcher, not state',
  nowNs: 'its own field of the checkpoint', hosts: 'its own field', injected: 'kept as a count: faults injected later are dropped',
  queue: 'saves itself', trace: 'saves itself', prng: 'saves itself', network: 'saves itself',
  members: 'each VM saves itself', vms: 'each VM instance saves itself', clusterCheckers: 'saves itself',
  stepTargets: 'debugger requests: a restore clears them', stopRequested: 'a request to the run in progress: run() clears it',
  advancing: 'set only while a machine executes', main: 'getter', reported: 'a cache of the trace, rebuilt when it grows',
} as const;

/** Compiles only while every public field of LogicalVm is in LogicalVmState or LOGICAL_VM_NOT_SAVED. */
export type LogicalVmAllSaved = AllSaved<Unsaved<LogicalVm, LogicalVmState, keyof typeof LOGICAL_VM_NOT_SAVED>>;

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
    network: c.network.getState(),
    members: c.members.map((m) => ({
      state: m.saveState(), entropyPrng: m.entropyPrng.getState(), storage: m.storage.getState(), clients: m.clients.getState(),
      checkers: m.checkers.getState(),
    })),
    vms: c.vms.map((vm) => ({ id: vm.id, owner: vm.owner, host: vm.host, epoch: vm.epoch, state: vm.save(), machine: vm.guest.snapshot() })),
    clusterCheckers: c.clusterCheckers?.getState() ?? null,
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
  c.network.setState(cp.network);
  cp.members.forEach((saved, i) => {
    const m = c.members[i];
    m.restoreState(saved.state);
    m.entropyPrng.setState(saved.entropyPrng);
    m.storage.setState(saved.storage);
    m.clients.setState(saved.clients);
    m.checkers.setState(saved.checkers);
    m.vms.length = 0; // rebuilt below from the cluster's list
  });
  c.vms.length = Math.min(c.vms.length, cp.vms.length); // VMs born after the checkpoint never existed
  cp.vms.forEach((saved, i) => {
    if (c.vms[i] === undefined || c.vms[i].id !== saved.id) c.vms[i] = c.vmShell(saved.id, saved.host, saved.epoch, saved.owner);
    const vm = c.vms[i];
    const m = c.ownerOf(vm);
    m.vms.push(vm);
    vm.restore(saved.state);
    vm.guest.restore(saved.machine);
    vm.guest.setEnvironment(vm.role === 'primary' ? new RecordEnv(vm, m) : new ReplayEnv(vm, m));
  });
  if (cp.clusterCheckers !== null) c.clusterCheckers?.setState(cp.clusterCheckers);
  c.injected.length = cp.injectedCount;
  c.stepTargets.clear();
}
