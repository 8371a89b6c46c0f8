// The diff editor's pure logic: document paths, title, contents for a reply, no pair, a stale host, a bad path or reply.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffTitle, docContent, docPath, docPaths, failureSnapshot, parseDocPath, snapshotOf } from '../../src/extension/compare-docs';
import type { CompareVmsReply } from '../../src/debug/requests';

const BODY: CompareVmsReply = {
  instret: 123456, same: true,
  primary: { vm: 1, name: 'primary @ host-a', host: 'host-a' },
  secondary: { vm: 2, name: 'secondary @ host-b', host: 'host-b' },
  registers: [], csrs: [], pages: [], globals: [],
  primaryText: 'P\n', secondaryText: 'S\n',
};

test('paths and title: /primary@host-a.txt, /secondary@host-b.txt, "Primary @ host-a ↔ Secondary @ host-b (instret 123456)"', () => {
  assert.deepEqual(docPaths(BODY), ['/primary@host-a.txt', '/secondary@host-b.txt']);
  assert.equal(diffTitle(BODY), 'Primary @ host-a ↔ Secondary @ host-b (instret 123456)');
  assert.deepEqual(parseDocPath(docPath('secondary', 'h.1_x-2')), { role: 'secondary', host: 'h.1_x-2' });
  for (const bad of ['/primary.txt', '/tertiary@host-a.txt', 'primary@host-a.txt', '/primary@a/b.txt', '/primary@host-a.md']) assert.equal(parseDocPath(bad), undefined, bad);
});

test('contents: each side its text; the other host after a failover, no pair, nothing yet and a bad path are messages', () => {
  const snap = snapshotOf(BODY);
  assert.equal(docContent('/primary@host-a.txt', snap), 'P\n');
  assert.equal(docContent('/secondary@host-b.txt', snap), 'S\n');
  const moved = snapshotOf({ ...BODY, primary: { vm: 2, name: 'primary @ host-b', host: 'host-b' }, secondary: { vm: 3, name: 'secondary @ host-c', host: 'host-c' } });
  assert.match(docContent('/primary@host-a.txt', moved), /^The primary is no longer on host-a: the pair is now primary @ host-b ↔ secondary @ host-c\.\nRun "Lockstep: Compare Primary and Secondary" again/);
  const none = failureSnapshot(new Error('compareVMs needs a live primary and secondary'));
  assert.match(docContent('/secondary@host-b.txt', none), /cannot compare the primary and the secondary right now:\n {2}compareVMs needs a live primary and secondary\n[\s\S]*refreshes at every stop/);
  assert.match(docContent('/primary@host-a.txt', undefined), /Waiting for the Lockstep debug session to stop/);
  assert.match(docContent('/nonsense', snap), /^Not a Lockstep VM document: \/nonsense/);
});

test('a reply that is not a compareVMs body is a reason, not a crash', () => {
  for (const bad of [undefined, null, 42, {}, { ...BODY, primary: { name: 'x', host: '../etc' } }, { ...BODY, primary: { ...BODY.primary, host: '../etc' } }, { ...BODY, secondaryText: 3 }]) {
    const s = snapshotOf(bad);
    assert.equal(s.kind, 'none', JSON.stringify(bad));
    assert.match(docContent('/primary@host-a.txt', s), /not understood/);
  }
  assert.deepEqual(failureSnapshot('plain string'), { kind: 'none', reason: 'plain string' });
});
