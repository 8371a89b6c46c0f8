// The Hosts view's pure logic: a `hosts` reply → tree nodes (labels, descriptions, icons, context values), and the host commands' requests.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { FT_VM_CONTEXT, hostsTree } from '../../src/extension/hosts-tree';
import type { HostsReply } from '../../src/debug/requests';
import { hostCommands } from '../../src/extension/actions';
import { parseScenario } from '../../src/ft/scenario';

const link = (a: string, b: string, up = true): HostsReply['links'][number] => ({ a, b, logging: { up, latencyUs: 100, lossRate: 0 }, management: { up: true } });

const STATE = 'Not Protected (Starting)';
/** A host's FT instances and logging NIC use (no NIC bandwidth set). */
const nic = (ftVms: number, loggingBytes: number, loggingNicMbps: number | null = null) => ({ ftVms, loggingBytes, loggingNicMbps });

/** After a failover: host-a crashed, primary @ host-b (slowed), the new secondary being copied to host-c (storage lost), the pair's logging link down. */
const SAMPLE: HostsReply = {
  nowNs: 120e6,
  ftState: STATE,
  hosts: [
    { name: 'host-a', family: 'rv-gen1', up: false, slowFactor: 1, storageReachable: true, ...nic(0, 40_000), vms: [{ id: 1, name: 'primary @ host-a', role: 'primary', status: 'crashed', ftState: STATE }] },
    { name: 'host-b', family: 'rv-gen1', up: true, slowFactor: 0.25, storageReachable: true, ...nic(1, 2_000), vms: [{ id: 2, name: 'primary @ host-b', role: 'primary', status: 'running', ftState: STATE }] },
    { name: 'host-c', family: 'rv-gen1', up: true, slowFactor: 1, storageReachable: false, ...nic(1, 0), vms: [{ id: 3, name: 'secondary @ host-c', role: 'secondary', status: 'copying', ftState: STATE }] },
  ],
  links: [link('host-a', 'host-b'), link('host-a', 'host-c'), link('host-b', 'host-c', false)],
};

test('hostsTree: hosts with pass/error icons and their VMs, then a Links node marking the FT pair', () => {
  const [a, b, c, links] = hostsTree(SAMPLE);
  assert.deepEqual([a.label, a.icon, a.contextValue, a.host, a.description], ['host-a', 'error', 'lockstep.host.down', 'host-a', 'down · rv-gen1']);
  assert.deepEqual([b.icon, b.contextValue, b.description], ['pass', 'lockstep.host.up', 'up · rv-gen1 · slow ×0.25']);
  assert.equal(c.description, 'up · rv-gen1 · storage lost');
  assert.deepEqual(a.children.map((v) => [v.label, v.description, v.icon]), [['primary @ host-a', 'crashed', 'vm-outline']]);
  assert.deepEqual(b.children.map((v) => [v.label, v.description, v.icon, v.contextValue]), [['primary @ host-b', 'running · Not Protected (Starting)', 'vm-running', FT_VM_CONTEXT]]);
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

/** A cluster after esx-1 crashed: kv-1 and diskhog went live on esx-2, web-1 runs without FT on esx-3; NICs of 1000 Mbit/s. */
const CLUSTER: HostsReply = {
  nowNs: 200e6,
  ftState: 'Not Protected (Starting)',
  hosts: [
    { name: 'esx-1', family: 'rv-gen1', up: false, slowFactor: 1, storageReachable: true, ...nic(0, 1_572_864, 1000), vms: [
      { id: 1, name: "kv-1's primary @ esx-1", role: 'primary', status: 'crashed', vm: 'kv-1', ftState: STATE },
      { id: 7, name: "diskhog's primary @ esx-1", role: 'primary', status: 'crashed', vm: 'diskhog', ftState: 'Protected' },
    ] },
    { name: 'esx-2', family: 'rv-gen1', up: true, slowFactor: 1, storageReachable: true, ...nic(2, 2_000, 1000), vms: [
      { id: 2, name: "kv-1's primary @ esx-2", role: 'primary', status: 'running', vm: 'kv-1', ftState: STATE },
      { id: 8, name: "diskhog's primary @ esx-2", role: 'primary', status: 'running', vm: 'diskhog', ftState: 'Protected' },
    ] },
    { name: 'esx-3', family: 'rv-gen1', up: true, slowFactor: 1, storageReachable: true, ...nic(1, 900, 1000), vms: [
      { id: 9, name: "web-1's primary @ esx-3", role: 'primary', status: 'running', vm: 'web-1', ftState: 'FT off' },
      { id: 19, name: "diskhog's secondary @ esx-3", role: 'secondary', status: 'running', vm: 'diskhog', ftState: 'Protected' },
    ] },
    { name: 'esx-4', family: 'rv-gen1', up: true, slowFactor: 1, storageReachable: true, ...nic(1, 0, 1000), vms: [
      { id: 18, name: "kv-1's secondary @ esx-4", role: 'secondary', status: 'copying', vm: 'kv-1', ftState: STATE },
    ] },
  ],
  links: [link('esx-2', 'esx-3'), link('esx-2', 'esx-4')],
};

test('a cluster: each host lists its VMs by VM, role and that VM\'s FT state, and its FT instances and logging NIC use; the FT pair is the first VM\'s', () => {
  const [esx1, esx2, esx3, esx4, links] = hostsTree(CLUSTER);
  assert.equal(esx1.description, 'down · rv-gen1 · 0 FT VMs · logging 1.5 MiB sent · NIC 1000 Mbit/s');
  assert.equal(esx2.description, 'up · rv-gen1 · 2 FT VMs · logging 2.0 KiB sent · NIC 1000 Mbit/s');
  assert.equal(esx3.description, 'up · rv-gen1 · 1 FT VM · logging 900 B sent · NIC 1000 Mbit/s');
  assert.deepEqual(esx2.children.map((v) => [v.label, v.description, v.tooltip]), [
    ["kv-1's primary @ esx-2", 'running · Not Protected (Starting)', "kv-1's primary @ esx-2: running · Not Protected (Starting) (VM 2)"],
    ["diskhog's primary @ esx-2", 'running · Protected', "diskhog's primary @ esx-2: running · Protected (VM 8)"],
  ]);
  assert.deepEqual(esx3.children.map((v) => v.description), ['running · FT off', 'running · Protected']);
  assert.deepEqual(esx4.children.map((v) => [v.label, v.icon]), [["kv-1's secondary @ esx-4", 'vm-running']]);
  // Link faults naming no host concern the first VM (kv-1, the lowest instance id): its pair esx-2 ↔ esx-4, not diskhog's esx-2 ↔ esx-3.
  assert.deepEqual(links.children.map((l) => [l.label, l.contextValue, l.vm]), [['esx-2 ↔ esx-3', 'lockstep.link', undefined], ["esx-2 ↔ esx-4 (kv-1's FT pair)", 'lockstep.link.pair', 'kv-1']]);
});

test("a cluster's VM rows name their VM, and a live instance of an FT VM offers its VM's FT actions and Compare (its context value)", () => {
  const rows = hostsTree(CLUSTER).flatMap((h) => h.children).filter((n) => n.id.startsWith('vm:'));
  assert.deepEqual(rows.map((v) => [v.label, v.vm, v.contextValue]), [
    ["kv-1's primary @ esx-1", 'kv-1', 'lockstep.vm'],
    ["diskhog's primary @ esx-1", 'diskhog', 'lockstep.vm'],
    ["kv-1's primary @ esx-2", 'kv-1', FT_VM_CONTEXT],
    ["diskhog's primary @ esx-2", 'diskhog', FT_VM_CONTEXT],
    ["web-1's primary @ esx-3", 'web-1', 'lockstep.vm'],
    ["diskhog's secondary @ esx-3", 'diskhog', FT_VM_CONTEXT],
    ["kv-1's secondary @ esx-4", 'kv-1', FT_VM_CONTEXT],
  ]);
  const one = hostsTree(SAMPLE).flatMap((h) => h.children).filter((n) => n.id.startsWith('vm:'));
  assert.deepEqual(one.map((v) => [v.vm, v.contextValue]), [[undefined, 'lockstep.vm'], [undefined, FT_VM_CONTEXT], [undefined, FT_VM_CONTEXT]], 'one VM: its menu acts on it');
});

test('package.json: the FT VM rows\' menu is Test Failover, Migrate Secondary and Compare, on that context value only', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { contributes: { menus: Record<string, { command: string; when: string }[]> } };
  const onVm = pkg.contributes.menus['view/item/context'].filter((m) => /viewItem == lockstep\.vm/.test(m.when));
  assert.deepEqual(onVm.map((m) => [m.command, m.when]), ['lockstep.ft.testFailover', 'lockstep.ft.migrateSecondary', 'lockstep.compareVms'].map((c) => [c, `view == lockstep.hosts && viewItem == ${FT_VM_CONTEXT}`]));
});

test('one VM: the host descriptions say nothing of the logging NIC unless its bandwidth is set; the tooltip always does', () => {
  const [a, b] = hostsTree(SAMPLE);
  assert.equal(a.description, 'down · rv-gen1');
  assert.equal(a.tooltip, 'host-a: down · rv-gen1 · 0 FT VMs · logging 39.1 KiB sent');
  const withNic: HostsReply = { ...SAMPLE, hosts: SAMPLE.hosts.map((h) => (h.name === 'host-b' ? { ...h, loggingNicMbps: 100 } : h)) };
  assert.equal(hostsTree(withNic)[1].description, 'up · rv-gen1 · slow ×0.25 · 1 FT VM · logging 2.0 KiB sent · NIC 100 Mbit/s');
  assert.equal(b.description, 'up · rv-gen1 · slow ×0.25');
});

test("with DRS measuring, a host shows its CPU and memory load and each live VM its CPU demand (a dead one none)", () => {
  const esx2 = CLUSTER.hosts[1];
  const measured: HostsReply = {
    ...CLUSTER,
    hosts: [{ ...esx2, load: { cpu: 0.456, mem: 0.25 }, vms: [{ ...esx2.vms[0], demandMips: 4.5 }, { ...esx2.vms[1], demandMips: 0.0049 }] }],
  };
  const [host] = hostsTree(measured);
  assert.equal(host.description, 'up · rv-gen1 · CPU 46% · memory 25% · 2 FT VMs · logging 2.0 KiB sent · NIC 1000 Mbit/s');
  assert.deepEqual(host.children.map((v) => v.description), ['running · Not Protected (Starting) · CPU 4.5 MIPS', 'running · Protected · CPU 0.005 MIPS']);
  assert.equal(hostsTree(CLUSTER)[1].description, 'up · rv-gen1 · 2 FT VMs · logging 2.0 KiB sent · NIC 1000 Mbit/s', 'no DRS: no load');
});
