// The adapter's `hosts` custom request (the Hosts view's data) over DAP: the pair on entry, and after a failover.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KVSTORE, ROOT, startClient, launch, stoppedAfter, threadNames } from './helpers';
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

test('a cluster of several VMs in the debugger: the threads are the FT VMs\' (showVms\' default), the Hosts view lists every VM by name, a host crash fails over two VMs', async () => {
  const raw = JSON.parse(readFileSync(join(ROOT, 'examples/cluster/cluster.json'), 'utf8'));
  const dc = await startClient();
  try {
    const stop = await launch(dc, { ...raw, cwd: join(ROOT, 'examples/cluster'), untilMs: 300, faults: [] });
    // Every FT VM, whatever its program, by VM, each primary beside its secondary; the copy ends at the first event.
    assert.deepEqual(await threadNames(dc), [
      "kv-1's primary @ esx-1", "kv-1's secondary @ esx-2 (copying)", "kv-2's primary @ esx-3", "kv-2's secondary @ esx-4 (copying)",
      "ticker's primary @ esx-5", "ticker's secondary @ esx-6 (copying)", "diskhog's primary @ esx-1", "diskhog's secondary @ esx-2 (copying)",
    ]);
    const entry = (await dc.customRequest('hosts')).body as HostsBody;
    const names = entry.hosts.flatMap((h) => h.vms.map((v) => v.name));
    assert.equal(names.length, 16, names.join(', ')); // 4 FT pairs and 8 single VMs
    assert.ok(names.includes("diskhog's primary @ esx-1") && names.includes("web-1's primary @ esx-3"), names.join(', '));
    await dc.setExceptionBreakpointsRequest({ filters: ['failover'] });
    await dc.customRequest('injectFault', { kind: 'hostCrash', host: 'esx-1' });
    await stoppedAfter(dc, () => dc.continueRequest({ threadId: stop.body.threadId! }));
    await dc.continueRequest({ threadId: stop.body.threadId! });
    await new Promise((r) => setTimeout(r, 50));
    const tl = (await dc.customRequest('timeline')).body as { events: { kind: string; of?: string }[] };
    const lives = tl.events.filter((e) => e.kind === 'goLive').map((e) => e.of).sort();
    assert.deepEqual(lives, ['diskhog', 'kv-1']);
    const after = (await dc.customRequest('hosts')).body as HostsBody;
    assert.equal(host(after, 'esx-1').up, false);
  } finally {
    await dc.stop();
  }
});
