// The adapter's `hosts` custom request (the Hosts view's data) over DAP: the pair on entry, and after a failover.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KVSTORE, startClient, launch, stoppedAfter } from './helpers';
import type { HostsReply as HostsBody } from '../../src/debug/requests';

const host = (b: HostsBody, name: string): HostsBody['hosts'][number] => b.hosts.find((h) => h.name === name)!;

test('hosts: both hosts of the pair carry their VM on entry; after hostCrash @primary host-a is down and host-b carries primary @ host-b', async () => {
  const dc = await startClient();
  try {
    const stop = await launch(dc, { program: KVSTORE, untilMs: 300 });
    const entry = (await dc.customRequest('hosts')).body as HostsBody;
    assert.deepEqual(entry.hosts.map((h) => h.name), ['host-a', 'host-b', 'host-c']);
    assert.deepEqual(host(entry, 'host-a').vms.map((v) => v.name), ['primary @ host-a']);
    assert.deepEqual(host(entry, 'host-b').vms.map((v) => v.name), ['secondary @ host-b']);
    assert.ok(entry.hosts.every((h) => h.up && h.storageReachable && h.slowFactor === 1 && h.family.length > 0));
    assert.equal(entry.links.length, 3);
    assert.ok(entry.links.every((l) => l.logging.up && l.management.up && l.logging.latencyUs > 0));
    assert.equal(typeof entry.ftState, 'string');

    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 20 }));
    await dc.setExceptionBreakpointsRequest({ filters: ['failover'] });
    await dc.customRequest('injectFault', { kind: 'hostCrash', host: '@primary' });
    const s = await stoppedAfter(dc, () => dc.continueRequest({ threadId: stop.body.threadId! }));
    assert.equal(s.body.reason, 'exception');
    const after = (await dc.customRequest('hosts')).body as HostsBody;
    assert.equal(host(after, 'host-a').up, false);
    assert.ok(!host(after, 'host-a').vms.some((v) => v.role === 'primary' && v.status === 'running'));
    assert.ok(host(after, 'host-b').up);
    assert.ok(host(after, 'host-b').vms.some((v) => v.name === 'primary @ host-b'), JSON.stringify(host(after, 'host-b').vms));
    assert.ok(after.nowNs > entry.nowNs);
  } finally {
    await dc.stop();
  }
});
