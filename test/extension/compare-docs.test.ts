// The diff editor's pure logic: document paths, title, contents for a reply, no pair, a stale host, a bad path or reply.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMPARE_ARGS, compareArgs, diffTitle, docContent, docPath, docPaths, failureSnapshot, parseDocPath, snapshotOf } from '../../src/extension/compare-docs';
import { argsProblems } from '../../src/debug/requests';
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

test('in a cluster the paths and the title name the VM (/kv-2/primary@esx-3.txt), and the request asks for it; one VM\'s stay as they were', () => {
  const body = { ...BODY, primary: { ...BODY.primary, host: 'esx-3' }, secondary: { ...BODY.secondary, host: 'esx-4' } };
  assert.deepEqual(docPaths(body, 'kv-2'), ['/kv-2/primary@esx-3.txt', '/kv-2/secondary@esx-4.txt']);
  assert.equal(diffTitle(body, 'kv-2'), 'kv-2: Primary @ esx-3 ↔ Secondary @ esx-4 (instret 123456)');
  assert.deepEqual(parseDocPath('/kv-2/secondary@esx-4.txt'), { vm: 'kv-2', role: 'secondary', host: 'esx-4' });
  for (const vm of ['web/1', 'a b', '100%', "kv-1's"]) assert.deepEqual(parseDocPath(docPath('primary', 'esx-1', vm)), { vm, role: 'primary', host: 'esx-1' }, vm);
  for (const bad of ['/a/b/primary@esx-1.txt', '//primary@esx-1.txt', '/%E0%A4%A/primary@esx-1.txt']) assert.equal(parseDocPath(bad), undefined, bad);
  assert.equal(docContent('/kv-2/primary@host-a.txt', snapshotOf(BODY)), 'P\n', "the snapshot given is the VM's");
  assert.deepEqual(compareArgs('kv-2'), { ...COMPARE_ARGS, vm: 'kv-2' });
  assert.equal(compareArgs(undefined), COMPARE_ARGS);
  assert.deepEqual(argsProblems('compareVMs', compareArgs('kv-2')), []);
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
