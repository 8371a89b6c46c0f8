// Choosing a cluster's VM, pure logic: the VMs of a `hosts` reply, the quick pick's rows (the focused thread's VM first),
// which requests concern one VM and how they name it, and the messages that name it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterVms, vmOfThread, vmPickItems } from '../../src/extension/vm-choice';
import { actionCommands, describeReply, requestText, vmScope, withVm, type CustomRequest } from '../../src/extension/actions';
import { argsProblems, type HostsReply } from '../../src/debug/requests';
import { parseScenario } from '../../src/ft/scenario';

const host = (name: string, vms: HostsReply['hosts'][number]['vms']): HostsReply['hosts'][number] =>
  ({ name, family: 'rv-gen1', up: true, slowFactor: 1, storageReachable: true, ftVms: 0, loggingBytes: 0, loggingNicMbps: null, vms });

/** kv-1 failed over from esx-1 to esx-2 (its new secondary being copied), kv-2 protected, web-1 never FT, ticker's primary gone with no new one yet. */
const CLUSTER: HostsReply = {
  nowNs: 200e6, ftState: 'Not Protected (Starting)', links: [],
  hosts: [
    host('esx-1', [
      { id: 1, name: "kv-1's primary @ esx-1", role: 'primary', status: 'crashed', vm: 'kv-1', ftState: 'Not Protected (Starting)' },
      { id: 5, name: "ticker's primary @ esx-1", role: 'primary', status: 'crashed', vm: 'ticker', ftState: 'Not Protected (VM not Running)' },
    ]),
    host('esx-2', [
      { id: 2, name: "kv-1's primary @ esx-2", role: 'primary', status: 'running', vm: 'kv-1', ftState: 'Not Protected (Starting)' },
      { id: 7, name: "web-1's primary @ esx-2", role: 'primary', status: 'running', vm: 'web-1', ftState: 'FT off' },
    ]),
    host('esx-3', [
      { id: 3, name: "kv-2's primary @ esx-3", role: 'primary', status: 'running', vm: 'kv-2', ftState: 'Protected' },
      { id: 9, name: "kv-1's secondary @ esx-3", role: 'secondary', status: 'copying', vm: 'kv-1', ftState: 'Not Protected (Starting)' },
    ]),
    host('esx-4', [
      { id: 4, name: "kv-2's secondary @ esx-4", role: 'secondary', status: 'running', vm: 'kv-2', ftState: 'Protected' },
      { id: 6, name: "ticker's secondary @ esx-4", role: 'secondary', status: 'halted', vm: 'ticker', ftState: 'Not Protected (VM not Running)' },
    ]),
  ],
};

test('clusterVms: every VM once, in power-on order, with its FT state and its running primary\'s host; none for a session of one VM', () => {
  assert.deepEqual(clusterVms(CLUSTER), [
    { name: 'kv-1', ftState: 'Not Protected (Starting)', primaryHost: 'esx-2' },
    { name: 'kv-2', ftState: 'Protected', primaryHost: 'esx-3' },
    { name: 'ticker', ftState: 'Not Protected (VM not Running)', primaryHost: undefined },
    { name: 'web-1', ftState: 'FT off', primaryHost: 'esx-2' },
  ]);
  const single: HostsReply = { ...CLUSTER, hosts: [host('host-a', [{ id: 1, name: 'primary @ host-a', role: 'primary', status: 'running', ftState: 'Protected' }])] };
  assert.deepEqual(clusterVms(single), []);
});

test('vmOfThread: the VM a thread belongs to, by its name ("kv-1\'s primary @ esx-2 (copying)"); the longest name wins; none for a single VM\'s thread', () => {
  const names = ['kv-1', 'kv-1\'s twin', 'kv-10'];
  assert.equal(vmOfThread("kv-1's primary @ esx-2", names), 'kv-1');
  assert.equal(vmOfThread("kv-10's secondary @ esx-4 (copying)", names), 'kv-10');
  assert.equal(vmOfThread("kv-1's twin's primary @ esx-1", names), "kv-1's twin");
  assert.equal(vmOfThread('primary @ host-a', names), undefined);
});

test('vmPickItems: label the VM, description its FT state and where its primary runs; FT VMs only for a pair\'s action; the focused VM first', () => {
  const vms = clusterVms(CLUSTER);
  assert.deepEqual(vmPickItems(vms, 'ft'), [
    { label: 'kv-1', description: 'Not Protected (Starting) · primary on esx-2', vm: 'kv-1' },
    { label: 'kv-2', description: 'Protected · primary on esx-3', vm: 'kv-2' },
    { label: 'ticker', description: 'Not Protected (VM not Running) · no primary running', vm: 'ticker' },
  ]);
  assert.deepEqual(vmPickItems(vms, 'ft', 'kv-2').map((i) => i.label), ['kv-2', 'kv-1', 'ticker']);
  assert.deepEqual(vmPickItems(vms, 'any', 'web-1').map((i) => [i.label, i.description]).slice(0, 2), [['web-1', 'FT off · primary on esx-2'], ['kv-1', 'Not Protected (Starting) · primary on esx-2']]);
  assert.deepEqual(vmPickItems(vms, 'ft', 'web-1').map((i) => i.label), ['kv-1', 'kv-2', 'ticker'], 'a focused VM that is not FT is not offered');
});

/** The palette command `id`'s request. */
const palette = (id: string): CustomRequest => actionCommands().find((a) => a.id === id)!.request;

test('vmScope: FT actions, the divergence search and faults on @secondary or the pair\'s link need an FT VM; @primary any VM; host faults, heal and steps none', () => {
  const scopes = Object.fromEntries(actionCommands().map((a) => [a.id.replace(/^lockstep\./, ''), vmScope(a.request)]));
  assert.deepEqual(scopes, {
    'ft.testFailover': 'ft', 'ft.testRestartSecondary': 'ft', 'ft.turnOffFT': 'ft', 'ft.turnOnFT': 'ft', 'ft.suspendFT': 'ft', 'ft.resumeFT': 'ft', 'ft.migrateSecondary': 'ft',
    'fault.crashPrimaryHost': 'any', 'fault.crashSecondaryHost': 'ft', 'fault.loggingLinkDown': 'ft', 'fault.loggingLinkUp': 'ft', 'fault.slowSecondaryHost': 'ft',
    'fault.storageLoss': 'any', 'fault.storageRestore': 'any', 'fault.heal': null,
    findDivergence: 'ft', stepBackInto: null, stepBackOut: null,
  });
  assert.equal(vmScope({ command: 'injectFault', args: { kind: 'hostCrash', host: 'esx-1' } }), null);
  assert.equal(vmScope({ command: 'injectFault', args: { kind: 'partition', groups: [['@secondary'], ['esx-1']] } }), 'ft');
  assert.equal(vmScope({ command: 'ftAction', args: { action: 'testFailover', vm: 'kv-2' } }), null, 'a request that names its VM is not asked about');
});

test('withVm names the VM in requests the contract and the scenario schema accept; describeReply and requestText name it', () => {
  const cluster = JSON.parse(readFileSync(join(__dirname, '../../examples/cluster/cluster.json'), 'utf8')) as Record<string, unknown>;
  for (const a of actionCommands()) {
    const req = withVm(a.request, 'kv-2');
    assert.deepEqual(argsProblems(req.command, req.args), [], a.id);
    if (vmScope(a.request) === null) assert.equal(req, a.request, `${a.id} is left as it is`);
    else assert.equal((req.args as { vm?: string }).vm, 'kv-2', a.id);
    if (req.command === 'injectFault') assert.doesNotThrow(() => parseScenario({ ...cluster, faults: [{ atMs: 1, ...req.args }] }), a.id);
  }
  assert.deepEqual(withVm(palette('lockstep.ft.testFailover'), undefined), palette('lockstep.ft.testFailover'));
  assert.equal(describeReply(withVm(palette('lockstep.ft.testFailover'), 'kv-2'), { atNs: 20_000_000 }), 'Lockstep: testFailover on kv-2 takes effect at 20.000 ms: continue or step to see it.');
  assert.equal(describeReply(palette('lockstep.ft.testFailover'), { atNs: 20_000_000 }), 'Lockstep: testFailover takes effect at 20.000 ms: continue or step to see it.');
  assert.equal(describeReply(withVm(palette('lockstep.fault.crashPrimaryHost'), 'kv-2'), { atNs: 2_500_000 }), 'Lockstep: hostCrash on @primary (kv-2) injected at 2.500 ms.');
  assert.equal(describeReply(withVm(palette('lockstep.fault.loggingLinkDown'), 'kv-2'), { atNs: 2_500_000 }), 'Lockstep: loggingLinkDown (kv-2) injected at 2.500 ms.');
  assert.equal(describeReply(withVm(palette('lockstep.findDivergence'), 'ticker'), { same: false, instret: 4321 }), 'Lockstep: ticker: first difference at instruction 4321.');
  assert.equal(describeReply(withVm(palette('lockstep.findDivergence'), 'ticker'), { same: true }), 'Lockstep: ticker: primary and secondary never differ.');
  assert.deepEqual(['lockstep.ft.migrateSecondary', 'lockstep.fault.crashSecondaryHost', 'lockstep.findDivergence'].map((id) => requestText(palette(id))),
    ['migrateSecondary', 'hostCrash on @secondary', 'the first divergence']);
});
