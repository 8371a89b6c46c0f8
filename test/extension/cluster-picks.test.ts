// The bundled extension against a stand-in `vscode` in a cluster: palette FT actions, @primary faults, Compare and Find
// First Divergence ask which VM (the focused thread's first) and send it; cancelling sends nothing; a Hosts-view VM
// row's menu acts on its VM without asking; one VM is never asked about; the Compare tab refreshes the VM it shows.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Any, BUNDLE, withExtension } from '../helpers/vscode-stand-in';

const skip = existsSync(BUNDLE) ? false : 'dist/extension.js is not built (npm run build)';

const vmRow = (id: number, vm: string, role: string, host: string, ftState: string) => ({ id, name: `${vm}'s ${role} @ ${host}`, role, status: 'running', vm, ftState });
const host = (name: string, vms: Any[]) => ({ name, family: 'rv-gen1', up: true, slowFactor: 1, storageReachable: true, ftVms: 0, loggingBytes: 0, loggingNicMbps: null, vms });

/** kv-1 on esx-1/esx-2, kv-2 on esx-3/esx-4, web-1 (no FT) on esx-1. */
const CLUSTER = {
  nowNs: 20e6, ftState: 'Protected', links: [],
  hosts: [
    host('esx-1', [vmRow(1, 'kv-1', 'primary', 'esx-1', 'Protected'), vmRow(5, 'web-1', 'primary', 'esx-1', 'FT off')]),
    host('esx-2', [vmRow(2, 'kv-1', 'secondary', 'esx-2', 'Protected')]),
    host('esx-3', [vmRow(3, 'kv-2', 'primary', 'esx-3', 'Protected')]),
    host('esx-4', [vmRow(4, 'kv-2', 'secondary', 'esx-4', 'Protected')]),
  ],
};
const SINGLE = { ...CLUSTER, hosts: [host('host-a', [{ id: 1, name: 'primary @ host-a', role: 'primary', status: 'running', ftState: 'Protected' }])] };

const comparison = (vm: string, p: string, s: string) => ({
  instret: 100, same: true, primary: { vm: 3, name: `${vm}'s primary @ ${p}`, host: p }, secondary: { vm: 4, name: `${vm}'s secondary @ ${s}`, host: s },
  registers: [], csrs: [], pages: [], globals: [], primaryText: `${vm} P\n`, secondaryText: `${vm} S\n`,
});

/** A lockstep session answering `hosts` with `hosts`, `threads` with the cluster's threads, the rest as the adapter would. */
function session(log: Any, hosts: Any): Any {
  return {
    id: 's1', type: 'lockstep', name: 's1',
    customRequest: async (command: string, args: Any) => {
      log.requests.push({ command, args });
      switch (command) {
        case 'hosts': return hosts;
        case 'threads': return { threads: hosts.hosts.flatMap((h: Any) => h.vms.map((v: Any) => ({ id: v.id, name: v.name }))) };
        case 'ftAction': case 'injectFault': return { atNs: 20e6, fault: { atMs: 20, ...args, kind: args.kind ?? args.action } };
        case 'findDivergence': return { same: true };
        case 'compareVMs': return args.vm === 'kv-1' ? comparison('kv-1', 'esx-1', 'esx-2') : comparison(args.vm ?? 'the VM', 'esx-3', 'esx-4');
        default: return undefined;
      }
    },
  };
}

/** The requests of `command` sent so far (the Hosts view and the pick ask for `hosts` and `threads` too). */
const sent = (log: Any, command: string): Any[] => log.requests.filter((r: Any) => r.command === command).map((r: Any) => r.args);

test('palette FT actions, @primary faults and Find First Divergence ask which VM, the focused thread\'s first, and name it; Esc sends nothing', { skip }, () =>
  withExtension(async ({ vscode, log }) => {
    const s = session(log, CLUSTER);
    vscode.debug.activeDebugSession = s;
    vscode.debug.activeStackItem = { session: s, threadId: 3 }; // kv-2's primary is focused
    const picks: Any[] = [];
    let answer = (items: Any[]): Any => items.find((i: Any) => i.label === 'kv-2');
    vscode.window.showQuickPick = async (items: Any[], options: Any) => { picks.push({ items, options }); return answer(items); };

    await log.commands.get('lockstep.ft.testFailover')!();
    assert.deepEqual(picks[0].items.map((i: Any) => [i.label, i.description]), [['kv-2', 'Protected · primary on esx-3'], ['kv-1', 'Protected · primary on esx-1']]);
    assert.equal(picks[0].options.placeHolder, 'Which VM: testFailover');
    assert.deepEqual(sent(log, 'ftAction'), [{ action: 'testFailover', vm: 'kv-2' }]);
    assert.equal(log.messages.pop(), 'Lockstep: testFailover on kv-2 takes effect at 20.000 ms: continue or step to see it.');

    // @primary concerns any VM (web-1 without FT too); @secondary FT VMs only.
    answer = (items) => items.find((i: Any) => i.label === 'web-1');
    await log.commands.get('lockstep.fault.crashPrimaryHost')!();
    assert.deepEqual(picks[1].items.map((i: Any) => i.label), ['kv-2', 'kv-1', 'web-1']);
    assert.deepEqual(sent(log, 'injectFault').at(-1), { kind: 'hostCrash', host: '@primary', vm: 'web-1' });
    assert.match(log.messages.pop()!, /^Lockstep: hostCrash on @primary \(web-1\) injected at 20\.000 ms/);

    answer = (items) => items[1];
    await log.commands.get('lockstep.findDivergence')!();
    assert.deepEqual(sent(log, 'findDivergence'), [{ vm: 'kv-1' }]);
    assert.equal(log.messages.pop(), 'Lockstep: kv-1: primary and secondary never differ.');

    // The Fault Tolerance Action… pick, then the VM; Esc at the VM sends nothing.
    answer = (items) => (items[0].action !== undefined ? items.find((i: Any) => i.label === 'Migrate Secondary') : undefined);
    const before = log.requests.length;
    await log.commands.get('lockstep.ftAction')!();
    assert.equal(picks.at(-1).options.placeHolder, 'Which VM: migrateSecondary');
    assert.deepEqual(log.requests.slice(before).map((r: Any) => r.command).filter((c: string) => c !== 'hosts' && c !== 'threads'), [], 'cancelled: nothing sent');

    // Heal concerns no one VM: no question.
    const asked = picks.length;
    await log.commands.get('lockstep.fault.heal')!();
    assert.equal(picks.length, asked);
    assert.deepEqual(sent(log, 'injectFault').at(-1), { kind: 'heal' });
  }));

test('a Hosts-view VM row\'s Test Failover and Compare act on its VM without asking; one VM is never asked about', { skip }, () =>
  withExtension(async ({ vscode, log, adapterSent }) => {
    const s = session(log, CLUSTER);
    vscode.debug.activeDebugSession = s;
    vscode.window.showQuickPick = async () => assert.fail('no quick pick from a VM row');
    const view = log.trees.get('lockstep.hosts');
    const shown = new Promise((resolve) => view.onDidChangeTreeData(resolve));
    adapterSent(s, { type: 'event', event: 'stopped', body: { reason: 'step' } });
    await shown;
    const row = view.getChildren().find((h: Any) => h.label === 'esx-3').children[0];
    assert.equal(view.getTreeItem(row).contextValue, 'lockstep.vm.ft');
    await log.commands.get('lockstep.ft.testFailover')!(row);
    assert.deepEqual(sent(log, 'ftAction').at(-1), { action: 'testFailover', vm: 'kv-2' });
    await log.commands.get('lockstep.compareVms')!(row);
    assert.deepEqual(sent(log, 'compareVMs').at(-1), { dumpPages: 16, ifNoPair: 'reply', vm: 'kv-2' });
    const diff = log.executed.find((e: Any) => e.command === 'vscode.diff')!;
    assert.deepEqual(diff.args.slice(0, 3).map(String), ['lockstep-vm:/kv-2/primary@esx-3.txt', 'lockstep-vm:/kv-2/secondary@esx-4.txt', 'kv-2: Primary @ esx-3 ↔ Secondary @ esx-4 (instret 100)']);

    const one = session(log, SINGLE);
    vscode.debug.activeDebugSession = one;
    await log.commands.get('lockstep.ft.testFailover')!();
    assert.deepEqual(sent(log, 'ftAction').at(-1), { action: 'testFailover' });
    assert.equal(log.messages.pop(), 'Lockstep: testFailover takes effect at 20.000 ms: continue or step to see it.');
  }));

test('Compare in a cluster: the VM picked is compared and each open diff\'s VM is compared again at a stop', { skip }, () =>
  withExtension(async ({ vscode, log, adapterSent, showDiff }) => {
    const s = session(log, CLUSTER);
    vscode.debug.activeDebugSession = s;
    vscode.window.showQuickPick = async (items: Any[]) => items.find((i: Any) => i.label === 'kv-1');
    await log.commands.get('lockstep.compareVms')!();
    assert.deepEqual(sent(log, 'compareVMs'), [{ dumpPages: 16, ifNoPair: 'reply', vm: 'kv-1' }]);
    const [left, right] = log.executed.find((e: Any) => e.command === 'vscode.diff')!.args;
    assert.deepEqual([left, right].map(String), ['lockstep-vm:/kv-1/primary@esx-1.txt', 'lockstep-vm:/kv-1/secondary@esx-2.txt']);
    const provider = log.contentProviders.get('lockstep-vm');
    assert.equal(provider.provideTextDocumentContent(left), 'kv-1 P\n');
    showDiff(left, right);
    const changed = new Promise((resolve) => provider.onDidChange(resolve));
    adapterSent(s, { type: 'event', event: 'stopped', body: { reason: 'step' } });
    await changed;
    assert.deepEqual(sent(log, 'compareVMs').at(-1), { dumpPages: 16, ifNoPair: 'reply', vm: 'kv-1' });
    assert.equal(sent(log, 'compareVMs').length, 2);
    // Cancelled: no comparison.
    vscode.window.showQuickPick = async () => undefined;
    await log.commands.get('lockstep.compareVms')!();
    assert.equal(sent(log, 'compareVMs').length, 2);
  }));
