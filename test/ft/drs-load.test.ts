// DRS's load model: host loads from demand, the imbalance, and which moves lower it enough to be worth a vMotion.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combinedLoad, hostLoads, imbalance, rankedMoves, type HostCapacity, type InstanceDemand } from '../../src/ft/drs-load';
import { MIGRATION_GAIN_MIN } from '../../src/ft/drs';

const host = (name: string, mips = 100, ramMiB = 4096): HostCapacity => ({ name, mips, ramMiB });
const on = (h: number, demandMips: number, ramMiB = 16, movable = true): InstanceDemand => ({ host: h, demandMips, ramMiB, movable });

test('a host\'s load is the higher of its CPU load (demand over speed) and its memory load (configured RAM over its RAM)', () => {
  const loads = hostLoads([host('a'), host('b', 50, 1024)], [on(0, 40), on(0, 10, 64), on(1, 10, 512)]);
  assert.deepEqual(loads, [{ cpu: 0.5, mem: 80 / 4096 }, { cpu: 0.2, mem: 0.5 }]);
  assert.deepEqual(loads.map(combinedLoad), [0.5, 0.5]);
  assert.equal(imbalance([0.5, 0.5]), 0);
  assert.equal(imbalance([0.9, 0.1]), 0.4);
  assert.equal(imbalance([0.3]), 0);
});

test('same instance count, busy host and idle host: the best move takes a busy instance to the idle host', () => {
  const hosts = [host('busy'), host('idle')];
  const moves = rankedMoves(hosts, [on(0, 45), on(0, 45), on(1, 0.01), on(1, 0.01)], MIGRATION_GAIN_MIN);
  assert.ok(moves.length >= 1);
  assert.equal(moves[0].to, 1);
  assert.ok([0, 1].includes(moves[0].instance));
  assert.ok(moves[0].imbalanceBefore > 0.4 && moves[0].imbalanceAfter < 0.01, JSON.stringify(moves[0]));
  assert.deepEqual(rankedMoves(hosts, [on(0, 0), on(0, 0), on(1, 0), on(1, 0)], MIGRATION_GAIN_MIN), [], 'without demand nothing is worth moving');
});

test('idle instances unevenly counted: no move gains enough; a move that would only swap the busy host gains nothing', () => {
  const hosts = [host('a'), host('b'), host('c')];
  assert.deepEqual(rankedMoves(hosts, [on(0, 0.01), on(0, 0.01), on(0, 0.01), on(0, 0.01), on(1, 0.01), on(2, 0.01)], MIGRATION_GAIN_MIN), []);
  assert.deepEqual(rankedMoves([host('a'), host('b')], [on(0, 80), on(1, 0)], MIGRATION_GAIN_MIN), [], 'moving the only busy VM makes the other host the busy one');
});

test('moves are ranked by gain, skip instances that may not move, and weigh demand at the destination\'s speed', () => {
  const hosts = [host('a'), host('b'), host('fast', 400)];
  const moves = rankedMoves(hosts, [on(0, 60, 16, false), on(0, 30), on(1, 0)], 0.001);
  assert.ok(moves.every((m) => m.instance === 1), 'instance 0 may not move');
  const gains = moves.map((m) => m.imbalanceBefore - m.imbalanceAfter);
  assert.deepEqual(gains, [...gains].sort((x, y) => y - x));
  // 30 MIPS is 30% of b but 7.5% of the fast host: moving there leaves the hosts at 60%, 0%, 7.5%; to b at 60%, 30%, 0%.
  assert.equal(hosts[moves[0].to].name, 'b');
  assert.throws(() => rankedMoves(hosts, [], 0), /minimum gain/);
  assert.throws(() => hostLoads([host('x', 0)], []), /MIPS/);
  assert.throws(() => hostLoads(hosts, [on(3, 1)]), /unknown host/);
});
