// Cluster checkpoints: restoring one and running forward reproduces the same future exactly, across failovers and respawns.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from '../../src/ft/cluster';
import { restoreCheckpoint, takeCheckpoint } from '../../src/ft/checkpoint';
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
