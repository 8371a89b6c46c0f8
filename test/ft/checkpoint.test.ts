// Cluster checkpoints: restoring one and running forward reproduces the same future exactly, across failovers and respawns.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from '../../src/ft/cluster';
import { CLUSTER_NOT_SAVED, restoreCheckpoint, takeCheckpoint, type ClusterCheckpoint } from '../../src/ft/checkpoint';
import { VM_NOT_SAVED } from '../../src/ft/protocol/vm';
import { CHECKERS_NOT_SAVED } from '../../src/ft/checkers';
import { LOGICAL_VM_NOT_SAVED } from '../../src/ft/logical-vm';
import { kvstore, scenario } from './helpers';

function fingerprint(c: Cluster): string {
  return [c.trace.hash(), c.nowNs, ...c.vms.map((v) => `${v.id}:${v.role}:${v.status}:${v.machine.instret}:${v.machine.hash()}`)].join('|');
}

test('restore a checkpoint, run forward: identical to the first time, even across a failover and a respawn', () => {
  const c = new Cluster(scenario({ untilMs: 120, faults: [{ atMs: 50, kind: 'hostCrash', host: '@primary' }] }), kvstore());
  c.run(30e6);
  const early = takeCheckpoint(c);
  c.run(70e6);
  const mid = takeCheckpoint(c);
  c.run(120e6);
  const first = fingerprint(c);
  assert.equal(c.vms.length, 3, 'a respawned secondary exists');

  restoreCheckpoint(c, early);
  assert.equal(c.vms.length, 2, 'VMs born after the checkpoint are gone');
  assert.equal(c.nowNs, 30e6);
  c.run(120e6);
  assert.equal(fingerprint(c), first);

  restoreCheckpoint(c, mid);
  c.run(120e6);
  assert.equal(fingerprint(c), first);
});

test('a checkpoint restored into the same cluster many times in any order keeps reproducing', () => {
  const c = new Cluster(scenario({ untilMs: 60 }), kvstore());
  const cps = [];
  const prints = [];
  for (let t = 10; t <= 60; t += 10) {
    c.run(t * 1e6);
    cps.push(takeCheckpoint(c));
    prints.push(fingerprint(c));
  }
  for (const i of [3, 0, 5, 1, 4, 2]) {
    restoreCheckpoint(c, cps[i]);
    assert.equal(fingerprint(c), prints[i], `restored checkpoint ${i}`);
    c.run(60e6);
    assert.equal(fingerprint(c), prints[5], `ran forward from checkpoint ${i}`);
  }
});

test('every field of the cluster and of each VM is in its saved state or named as not saved (private fields too)', () => {
  const c = new Cluster(scenario({ untilMs: 20 }), kvstore());
  c.run(10e6);
  const cp = takeCheckpoint(c);
  const worldKeys = new Set([...Object.keys(cp.world), ...Object.keys(CLUSTER_NOT_SAVED)]);
  assert.deepEqual(Object.keys(c).filter((k) => !worldKeys.has(k)), [], 'cluster fields neither saved nor named');
  const memberKeys = new Set([...Object.keys(cp.members[0].state), ...Object.keys(LOGICAL_VM_NOT_SAVED)]);
  assert.deepEqual(Object.keys(c.main).filter((k) => !memberKeys.has(k)), [], 'logical VM fields neither saved nor named');
  const checkerKeys = new Set([...Object.keys(cp.members[0].checkers), ...Object.keys(CHECKERS_NOT_SAVED)]);
  assert.deepEqual(Object.keys(c.main.checkers).filter((k) => !checkerKeys.has(k)), [], 'checkers fields neither saved nor named');
  for (const vm of c.vms) {
    const state = cp.vms.find((v) => v.id === vm.id)!.state;
    const vmKeys = new Set([...Object.keys(state), ...Object.keys(VM_NOT_SAVED)]);
    assert.deepEqual(Object.keys(vm).filter((k) => !vmKeys.has(k)), [], `fields of VM ${vm.id} neither saved nor named`);
    assert.deepEqual(Object.keys(state.sender).length, Object.keys(vm.sender).length, 'every sender field is saved');
    assert.deepEqual(Object.keys(state.receiver).length, Object.keys(vm.receiver).length, 'every receiver field is saved');
  }
});

/** A checkpoint without its machine snapshots (compared by state hash instead). */
function withoutMachines(cp: ClusterCheckpoint): unknown {
  return { ...cp, vms: cp.vms.map(({ machine: _m, ...v }) => v) };
}

test('a restored checkpoint, taken again at once, is the checkpoint it came from (every owner gives back all it saved)', () => {
  const c = new Cluster(scenario({ untilMs: 120, faults: [{ atMs: 50, kind: 'hostCrash', host: '@primary' }] }), kvstore());
  c.run(45e6);
  const before = takeCheckpoint(c);
  const hashes = c.vms.map((v) => v.guest.hash());
  c.run(110e6); // a failover and a respawn change nearly every field
  restoreCheckpoint(c, before);
  assert.deepStrictEqual(withoutMachines(takeCheckpoint(c)), withoutMachines(before));
  assert.deepEqual(c.vms.map((v) => v.guest.hash()), hashes);
});
