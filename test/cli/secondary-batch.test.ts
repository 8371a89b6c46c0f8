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
  // What postMessage does to it: a structured clone (the buffers are transferred, the objects copied).
  readBatch(structuredClone(b, { transfer: [b.nums.buffer, b.wire.buffer] }), (...s) => seen.push(['run', ...s]), (c) => seen.push(['obj', c]));
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
  assert.throws(() => readBatch({ nums: new Float64Array(5), count: 2, wire: new Uint8Array(0), objs: [] }, () => undefined, () => undefined), /malformed batch/);
  assert.throws(() => new BatchWriter(0), /capacity/);
  assert.throws(() => new BatchWriter(4, 8), /first batch size/);
});

test('batches start small and double up to the capacity', () => {
  const w = new BatchWriter(8, 2);
  const sizes: number[] = [];
  for (let n = 0; n < 40; n++) {
    w.run(1, n, n, false, []);
    if (w.full) sizes.push(read(w).length);
  }
  assert.deepEqual(sizes, [2, 4, 8, 8, 8, 8]);
});

test('every kind of call and input survives the byte encoding, bytes included', () => {
  const w = new BatchWriter(16);
  const packet = Uint8Array.from({ length: 1500 }, (_, i) => (i * 7) & 255);
  const calls: ExpectedCall[] = [
    { instret: 2 ** 53 - 1, read: 'cycle', value: 2 ** 40 + 3 },
    { instret: 5, read: 'entropy', value: 0xdeadbeef },
    { instret: 6, output: { kind: 'nicTx', packet } },
    { instret: 7, output: { kind: 'diskRequest', id: 3, op: 'write', sector: 9, count: 1, data: new Uint8Array(512).fill(0xa5) } },
    { instret: 8, output: { kind: 'diskRequest', id: 4, op: 'read', sector: 10, count: 2 } },
    { instret: 9, output: { kind: 'exit', code: 3 } },
    { instret: 10, output: { kind: 'timerArm', mtimecmp: 2 ** 52 + 1 } },
  ];
  const inputs: ObjectCommand[] = [
    { c: 'deliver', vm: 3, ev: { kind: 'nicRx', packet: packet.subarray(10, 70) } },
    { c: 'deliver', vm: 3, ev: { kind: 'uartRx', bytes: Uint8Array.of(1, 2, 3) } },
    { c: 'deliver', vm: 3, ev: { kind: 'diskDone', id: 4, ok: true, data: new Uint8Array(1024).fill(7) } },
    { c: 'deliver', vm: 3, ev: { kind: 'diskDone', id: 5, ok: false } },
  ];
  w.command(inputs[0]);
  w.run(3, 100, 100, false, calls);
  for (const c of inputs.slice(1)) w.command(c);
  assert.deepEqual(read(w), [['obj', inputs[0]], ['run', 3, 100, 100, false, calls], ...inputs.slice(1).map((c) => ['obj', c])]);
});

test('a byte record cut short or with an unknown tag is an error, not garbage', () => {
  const w = new BatchWriter(4);
  w.run(1, 10, 10, false, [{ instret: 3, output: { kind: 'uart', byte: 65 } }]);
  const b = w.take()!;
  const short = { ...b, wire: b.wire.slice(0, b.wire.length - 1) };
  assert.throws(() => readBatch(short, () => undefined, () => undefined), /runs past the end/);
  const bad = { ...b, wire: b.wire.slice() };
  bad.wire[8] = 9; // the call's tag
  assert.throws(() => readBatch(bad, () => undefined, () => undefined), /call tag 9/);
});

test('back-to-back slices of one VM merge into one run with all their calls, up to the span; anything between them keeps them apart', () => {
  const w = new BatchWriter(64, 64, 1000);
  const call = (instret: number): ExpectedCall => ({ instret, read: 'time', value: instret * 10 });
  w.run(1, 100, 100, false, [call(50)]);
  w.run(1, 200, 200, false, []);
  w.run(1, 1100, 1100, false, [call(150), call(1050)]); // 1100 - 100 = 1000: still within the span
  w.run(1, 1200, 1200, false, []); // 1100 past the first limit: a new slice
  w.run(2, 1300, 1300, false, []); // another VM
  w.command({ c: 'deliver', vm: 2, ev: { kind: 'timer', pending: true } });
  w.run(2, 1400, 1400, false, []); // after a delivery: a new slice
  w.run(2, 1500, 1450, true, [{ instret: 1449, output: { kind: 'exit', code: 0 } }]);
  w.run(2, 1600, 1450, true, []); // after an exit: never merged
  assert.equal(w.full, false);
  assert.deepEqual(read(w), [
    ['run', 1, 1100, 1100, false, [call(50), call(150), call(1050)]],
    ['run', 1, 1200, 1200, false, []],
    ['run', 2, 1300, 1300, false, []],
    ['obj', { c: 'deliver', vm: 2, ev: { kind: 'timer', pending: true } }],
    ['run', 2, 1500, 1450, true, [{ instret: 1449, output: { kind: 'exit', code: 0 } }]],
    ['run', 2, 1600, 1450, true, []],
  ]);
});

test('a batch of merged slices is full after as many slices as an unmerged one: messages keep their pace', () => {
  const w = new BatchWriter(4, 4, 1_000_000);
  for (let n = 1; n <= 3; n++) w.run(1, n * 10, n * 10, false, []);
  assert.equal(w.size, 1, 'three slices merged into one command');
  assert.equal(w.full, false);
  w.run(1, 40, 40, false, []);
  assert.equal(w.full, true);
  assert.throws(() => w.run(1, 50, 50, false, []), /batch full/);
  assert.deepEqual(read(w), [['run', 1, 40, 40, false, []]]);
  assert.throws(() => new BatchWriter(4, 4, -1), /merge span/);
});
