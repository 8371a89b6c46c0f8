// Append-only histories survive going back and forward again: a restore to a later checkpoint gets the cut items back, never holes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CutTail } from '../../src/ft/sim/cut-tail';

test('cut items come back in order when the length grows again; re-made items replace them', () => {
  const items = [0, 1, 2, 3, 4, 5];
  const tail = new CutTail(items);
  tail.setLength(4);
  tail.setLength(2);
  assert.deepEqual(items, [0, 1]);
  assert.equal(tail.cutCount, 4);
  items.push(2); // the run re-makes item 2
  tail.appended();
  tail.setLength(5);
  assert.deepEqual(items, [0, 1, 2, 3, 4]);
  tail.setLength(6);
  assert.deepEqual(items, [0, 1, 2, 3, 4, 5]);
  assert.equal(tail.cutCount, 0);
});

test('a branch forgets the cut items: lengthening past what the branch made is an invariant failure, not holes', () => {
  const items = ['a', 'b', 'c'];
  const tail = new CutTail(items);
  tail.setLength(1);
  tail.discard();
  assert.throws(() => tail.setLength(3), /invariant: history restored to length 3 past what this branch made \(1\)/);
  assert.throws(() => tail.setLength(-1), /bad length/);
});
