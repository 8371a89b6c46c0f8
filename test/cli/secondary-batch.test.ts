// Worker command batches: slices and object commands come out in the order they went in, with their environment calls.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchWriter, readBatch, type ObjectCommand } from '../../src/cli/secondary-batch';
import type { ExpectedCall } from '../../src/ft/protocol/shadow-machine';

type Seen = ['run', number, number, number, boolean, ExpectedCall[]] | ['obj', ObjectCommand];

function read(w: BatchWriter): Seen[] {
  const b = w.take();
  assert.ok(b !== null);
  const seen: Seen[] = [];
  // What postMessage does to it: a structured clone (the buffer is transferred, the objects copied).
  readBatch(structuredClone(b, { transfer: [b.nums.buffer] }), (...s) => seen.push(['run', ...s]), (c) => seen.push(['obj', c]));
  return seen;
}

test('a batch keeps the order of slices and object commands, and each slice its calls', () => {
  const w = new BatchWriter(8);
  const calls: ExpectedCall[] = [{ instret: 41, read: 'time', value: 7 }, { instret: 42, output: { kind: 'uart', byte: 65 } }];
  w.command({ c: 'deliver', vm: 2, ev: { kind: 'timer', pending: true } });
  w.run(2, 1000, 1000, false, []);
  w.run(2, 2_000_000_000_123, 2_000_000_000_100, true, calls);
  w.command({ c: 'hash', vm: 2, reply: 9 });
  assert.equal(w.size, 4);
  assert.deepEqual(read(w), [
    ['obj', { c: 'deliver', vm: 2, ev: { kind: 'timer', pending: true } }],
    ['run', 2, 1000, 1000, false, []],
    ['run', 2, 2_000_000_000_123, 2_000_000_000_100, true, calls],
    ['obj', { c: 'hash', vm: 2, reply: 9 }],
  ]);
  assert.equal(w.size, 0, 'take starts a new batch');
  assert.equal(w.take(), null, 'an empty batch is not sent');
});

test('a batch is full at its capacity and refuses more until taken; a malformed one is rejected', () => {
  const w = new BatchWriter(2);
  w.run(1, 10, 10, false, []);
  assert.equal(w.full, false);
  w.run(1, 20, 20, false, []);
  assert.equal(w.full, true);
  assert.throws(() => w.run(1, 30, 30, false, []), /batch full/);
  assert.equal(read(w).length, 2);
  w.run(1, 30, 30, false, []);
  assert.equal(read(w).length, 1, 'usable again after take');
  assert.throws(() => readBatch({ nums: new Float64Array(5), count: 2, objs: [] }, () => undefined, () => undefined), /malformed batch/);
  assert.throws(() => new BatchWriter(0), /capacity/);
});
