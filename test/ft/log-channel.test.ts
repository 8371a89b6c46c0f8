// The logging channel's two ends: numbering, buffer accounting, acknowledgement and replay order, and the invariants they assert.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogReceiver, LogSender } from '../../src/ft/protocol/log-channel';
import type { NewLogEntry } from '../../src/ft/protocol/log';

const read = (instret: number): NewLogEntry => ({ instret, k: 'read', kind: 'time', value: instret * 10 });

test('the sender numbers entries in order, buffers them until applied, and releases nothing unacknowledged', () => {
  const tx = new LogSender();
  assert.equal(tx.append(read(1), true), 1);
  assert.equal(tx.append(read(2), true), 2);
  assert.ok(tx.hasPending);
  const bytes = tx.bytes;
  assert.equal(bytes, 2 * 24);
  assert.equal(tx.wireBytes(32), 32 + bytes);
  const sent = tx.takeForSend();
  assert.deepEqual(sent.map((e) => e.seq), [1, 2]);
  assert.equal(tx.hasPending, false);
  assert.equal(tx.unacked.length, 2);
  tx.onAck({ seq: 2, applied: 1 });
  assert.equal(tx.ackedSeq, 2);
  assert.equal(tx.bytes, 24, 'the entry not yet applied still counts');
  tx.onAck({ seq: 2, applied: 2 });
  assert.ok(tx.drained);
  assert.equal(tx.bytes, 0);
  assert.equal(tx.append(read(3), true), 3);
  assert.equal(sent.length, 2, 'a message never changes once sent');
});

test('the sender refuses an acknowledgement of what it never sent, or of more applied than received', () => {
  const tx = new LogSender();
  tx.append(read(1), true);
  assert.throws(() => tx.onAck({ seq: 1, applied: 0 }), /invariant: the secondary acknowledges only what was sent/);
  tx.takeForSend();
  assert.throws(() => tx.onAck({ seq: 1, applied: 2 }), /invariant: the secondary applied no more than it received/);
});

test('entries left out skip numbers; a reset settles everything numbered so far', () => {
  const tx = new LogSender();
  tx.append(read(1), true);
  assert.equal(tx.append(read(2), false), 2, 'numbered, not logged');
  assert.equal(tx.append(read(3), true), 3);
  assert.deepEqual(tx.takeForSend().map((e) => e.seq), [1, 3]);
  tx.reset();
  assert.ok(tx.drained);
  assert.equal(tx.ackedSeq, 3);
  assert.equal(tx.append(read(4), true), 4);
});

test('the receiver applies entries from its head only, and acknowledges what it received and applied', () => {
  const tx = new LogSender();
  for (let i = 1; i <= 3; i++) tx.append(read(i), true);
  const rx = new LogReceiver();
  rx.receive({ entries: tx.takeForSend(), covered: 5, releasedSeq: 0 });
  rx.receive({ entries: [], covered: 4, releasedSeq: 0 });
  assert.equal(rx.coveredInstret, 5, 'the progress mark never goes back');
  assert.equal(rx.receivedSeq, 3);
  const first = rx.peek()!;
  assert.equal(first.seq, 1);
  rx.consume(first);
  assert.equal(rx.appliedSeq, 1);
  const third = { ...rx.peek()!, seq: 3 };
  assert.throws(() => rx.consume(third), /invariant: entries are applied in order, from the head/);
  tx.onAck({ seq: rx.receivedSeq, applied: rx.appliedSeq });
  assert.equal(tx.unacked.length, 2);
});

test('save and restore give back every field of both ends', () => {
  const tx = new LogSender();
  const rx = new LogReceiver();
  for (let i = 1; i <= 4; i++) tx.append(read(i), i !== 2);
  rx.receive({ entries: tx.takeForSend(), covered: 9, releasedSeq: 1 });
  tx.append(read(5), true);
  tx.noteReleased(3);
  rx.consume(rx.peek()!);
  const [st, sr] = [tx.save(), rx.save()];
  const [tx2, rx2] = [new LogSender(), new LogReceiver()];
  tx2.restore(st);
  rx2.restore(sr);
  assert.deepEqual(tx2, tx);
  assert.deepEqual(rx2, rx);
  assert.deepEqual(Object.keys(st).length, Object.keys(tx).length, 'the saved state has one field per sender field');
  assert.deepEqual(Object.keys(sr).length, Object.keys(rx).length, 'the saved state has one field per receiver field');
});
