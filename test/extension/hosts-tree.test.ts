// The Hosts view's pure logic: a `hosts` reply → tree nodes (labels, descriptions, icons, context values), and the host commands' requests.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { hostsTree } from '../../src/extension/hosts-tree';
import type { HostsReply } from '../../src/debug/requests';
import { hostCommands } from '../../src/extension/actions';
import { parseScenario } from '../../src/ft/scenario';

const link = (a: string, b: string, up = true): HostsReply['links'][number] => ({ a, b, logging: { up, latencyUs: 100, lossRate: 0 }, management: { up: true } });

/** After a failover: host-a crashed, primary @ host-b (slowed), the new secondary being copied to host-c (storage lost), the pair's logging link down. */
const SAMPLE: HostsReply = {
  nowNs: 120e6,
  ftState: 'Not Protected (Starting)',
  hosts: [
    { name: 'host-a', family: 'rv-gen1', up: false, slowFactor: 1, storageReachable: true, vms: [{ id: 1, name: 'primary @ host-a', role: 'primary', status: 'crashed' }] },
    { name: 'host-b', family: 'rv-gen1', up: true, slowFactor: 0.25, storageReachable: true, vms: [{ id: 2, name: 'primary @ host-b', role: 'primary', status: 'running' }] },
    { name: 'host-c', family: 'rv-gen1', up: true, slowFactor: 1, storageReachable: false, vms: [{ id: 3, name: 'secondary @ host-c', role: 'secondary', status: 'copying' }] },
  ],
  links: [link('host-a', 'host-b'), link('host-a', 'host-c'), link('host-b', 'host-c', false)],
};

test('hostsTree: hosts with pass/error icons and their VMs, then a Links node marking the FT pair', () => {
  const [a, b, c, links] = hostsTree(SAMPLE);
  assert.deepEqual([a.label, a.icon, a.contextValue, a.host, a.description], ['host-a', 'error', 'lockstep.host.down', 'host-a', 'down · rv-gen1']);
  assert.deepEqual([b.icon, b.contextValue, b.description], ['pass', 'lockstep.host.up', 'up · rv-gen1 · slow ×0.25']);
  assert.equal(c.description, 'up · rv-gen1 · storage lost');
  assert.deepEqual(a.children.map((v) => [v.label, v.description, v.icon]), [['primary @ host-a', 'crashed', 'vm-outline']]);
  assert.deepEqual(b.children.map((v) => [v.label, v.description, v.icon, v.contextValue]), [['primary @ host-b', 'running · Not Protected (Starting)', 'vm-running', 'lockstep.vm']]);
  assert.deepEqual([links.label, links.description, links.contextValue], ['Links', '1 of 3 impaired', 'lockstep.links']);
  assert.deepEqual(links.children.map((l) => [l.label, l.description, l.icon, l.contextValue]), [
    ['host-a ↔ host-b', 'logging up 100 µs · management up', 'plug', 'lockstep.link'],
    ['host-a ↔ host-c', 'logging up 100 µs · management up', 'plug', 'lockstep.link'],
    ['host-b ↔ host-c (FT pair)', 'logging down · management up', 'debug-disconnect', 'lockstep.link.pair'],
  ]);
  assert.equal(new Set(hostsTree(SAMPLE).flatMap((n) => [n.id, ...n.children.map((k) => k.id)])).size, 10, 'ids are unique');
});

test('host commands inject a fault on the tree item\'s host that the scenario schema accepts', () => {
  const program = join(__dirname, '../../examples/hello/hello.s');
  const hosts = [{ name: 'host-a' }, { name: 'host-b' }];
  assert.deepEqual(hostCommands().map((h) => h.request('host-b').args.kind), ['hostCrash', 'hostRestore', 'storageLoss', 'storageRestore', 'slowHost']);
  for (const h of hostCommands()) {
    const r = h.request('host-b');
    assert.equal(r.command, 'injectFault');
    assert.equal(r.args.host, 'host-b');
    assert.doesNotThrow(() => parseScenario({ program, hosts, faults: [{ atMs: 1, ...r.args }] }), h.id);
  }
});

test('a host that gains its first VM gets a new id, so VS Code shows it expanded rather than remembering it collapsed', () => {
  const empty: HostsReply = { ...SAMPLE, hosts: SAMPLE.hosts.map((h) => (h.name === 'host-c' ? { ...h, vms: [] } : h)) };
  const before = hostsTree(empty)[2];
  const after = hostsTree(SAMPLE)[2];
  assert.equal(before.children.length, 0);
  assert.notEqual(before.id, after.id);
  assert.equal(hostsTree(SAMPLE)[1].id, hostsTree(empty)[1].id, 'a host whose VMs did not change keeps its id');
});
