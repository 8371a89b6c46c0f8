// Choosing the VM of a cluster over DAP: compareVMs and findDivergence on a VM named by `vm` (shown as threads or not),
// injectFault's @primary of a named VM, the Debug Console's `.compare VM` / `.divergence VM`, and the errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { KVSTORE, ROOT, launch, stoppedAfter, threadNames, evalIn, errorOf, withClient } from './helpers';
import type { CompareVmsReply, ReplyBody } from '../../src/debug/requests';

const CLUSTER_DIR = join(ROOT, 'examples/cluster');
const CLUSTER = JSON.parse(readFileSync(join(CLUSTER_DIR, 'cluster.json'), 'utf8')) as Record<string, unknown>;

/** The example cluster without its scheduled host crash, 300 ms, kv-1's and kv-2's instances the threads, `extra` on top. */
function clusterArgs(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...CLUSTER, cwd: CLUSTER_DIR, untilMs: 300, faults: [], showVms: ['kv-1', 'kv-2'], ...extra };
}

async function compare(dc: DebugClient, args: Record<string, unknown>): Promise<CompareVmsReply> {
  return (await dc.customRequest('compareVMs', args)).body as CompareVmsReply;
}

test('compareVMs {vm}: a VM that is not a thread (ticker) is compared with its own program\'s C globals; vm and threadId together are refused', () =>
  withClient(async (dc) => {
    await launch(dc, clusterArgs());
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 20 }));
    const names = await threadNames(dc);
    assert.ok(names.every((n) => !n.startsWith('ticker')), names.join(', '));
    const cmp = await compare(dc, { vm: 'ticker', dumpPages: 2 });
    assert.match(cmp.primary.name, /^ticker's primary @ esx-\d$/);
    assert.match(cmp.secondary.name, /^ticker's secondary @ esx-\d$/);
    assert.equal(cmp.same, true);
    assert.match(cmp.primaryText, /^ticker's primary @ esx-\d at instruction \d+/);
    const kv2 = await compare(dc, { vm: 'kv-2' });
    assert.equal(kv2.primary.name, "kv-2's primary @ esx-3");
    const thread = (await dc.threadsRequest()).body.threads.find((t) => t.name.startsWith("kv-2's"))!;
    assert.match(await errorOf(dc.customRequest('compareVMs', { vm: 'kv-2', threadId: thread.id })), /compareVMs: give a VM or a thread, not both/);
    assert.match(await evalIn(dc, '.compare ticker', undefined, 'repl'), /^ticker's primary @ esx-\d and ticker's secondary @ esx-\d are identical at instruction \d+/);
  }));

test('compareVMs {vm} on a VM whose secondary differs: the differing C globals are that VM\'s program\'s (ticker\'s checksum)', () =>
  withClient(async (dc) => {
    // Time reads left out of the log: every FT VM's secondary reads another clock; ticker's checksum hashes it.
    await launch(dc, clusterArgs({ whatIf: { omitLogKinds: ['time'] } }));
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 30 }));
    const cmp = await compare(dc, { vm: 'ticker' });
    assert.equal(cmp.same, false);
    const globals = cmp.globals.map((g) => g.name);
    assert.ok(globals.includes('checksum'), `ticker.c's checksum among the differing globals: ${globals.join(', ')}`);
  }));

test('findDivergence {vm}: the pair of the VM named, stopped on its secondary when it is a thread, else on the focused thread', () =>
  withClient(async (dc) => {
    await launch(dc, clusterArgs({ whatIf: { omitLogKinds: ['time'] } }));
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 30 }));
    const kv2Stop = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    const kv2 = (await dc.customRequest('findDivergence', { vm: 'kv-2' })).body as ReplyBody<'findDivergence'>;
    assert.equal(kv2.same, false);
    if (kv2.same) return;
    assert.match(kv2.differences.primary.name, /^kv-2's primary/);
    assert.equal(kv2.differences.instret, kv2.instret);
    const at = await kv2Stop;
    assert.equal(at.body.description, `First difference of kv-2 at instruction ${kv2.instret}`);
    const name = (await dc.threadsRequest()).body.threads.find((t) => t.id === at.body.threadId)?.name;
    assert.match(name ?? '', /^kv-2's secondary @ esx-4/);

    const tickerStop = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    const ticker = (await dc.customRequest('findDivergence', { vm: 'ticker' })).body as ReplyBody<'findDivergence'>;
    assert.equal(ticker.same, false);
    if (ticker.same) return;
    assert.match(ticker.differences.primary.name, /^ticker's primary/);
    const stop = await tickerStop;
    assert.equal(stop.body.description, `First difference of ticker at instruction ${ticker.instret}`);
    assert.ok((await dc.threadsRequest()).body.threads.some((t) => t.id === stop.body.threadId), 'the stop is on a thread the editor shows');
    assert.match(await evalIn(dc, '.divergence ticker', undefined, 'repl'), new RegExp(`^first difference at instruction ${ticker.instret}\\nticker's primary`));
  }));

test('findDivergence {vm} and compareVMs {vm} on a clean run: same / identical for a VM that is not shown', () =>
  withClient(async (dc) => {
    await launch(dc, clusterArgs());
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 20 }));
    assert.deepEqual((await dc.customRequest('findDivergence', { vm: 'diskhog' })).body, { same: true });
  }));

test('a VM named wrongly: an unknown name lists the cluster\'s VMs, a VM that is not fault tolerant has no pair, a single VM has no names', async () => {
  await withClient(async (dc) => {
    await launch(dc, clusterArgs());
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 20 }));
    for (const command of ['compareVMs', 'findDivergence']) {
      assert.match(await errorOf(dc.customRequest(command, { vm: 'kv-9' })), new RegExp(`^${command}: no VM named "kv-9" \\(the cluster's VMs: kv-1, kv-2, ticker, diskhog, web-1, `));
    }
    assert.match(await errorOf(dc.customRequest('findDivergence', { vm: 'web-1' })), /^findDivergence: web-1 is not fault tolerant \(ft: false in the scenario\): it has no secondary$/);
    assert.match(await errorOf(dc.customRequest('compareVMs', { vm: 'web-1' })), /web-1 is not fault tolerant/);
    assert.deepEqual((await dc.customRequest('compareVMs', { vm: 'web-1', ifNoPair: 'reply' })).body, { noPair: 'web-1 is not fault tolerant (ft: false in the scenario): it has no secondary' });
    assert.match(await evalIn(dc, '.compare web-1', undefined, 'repl'), /web-1 is not fault tolerant/);
  });
  await withClient(async (dc) => {
    await launch(dc, { program: KVSTORE, untilMs: 100 });
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 10 }));
    for (const command of ['compareVMs', 'findDivergence']) {
      assert.match(await errorOf(dc.customRequest(command, { vm: 'kv-1' })), new RegExp(`^${command}: a VM is named only in a cluster of several VMs \\(this scenario has one\\)`));
    }
    assert.match(await errorOf(dc.customRequest('injectFault', { kind: 'hostCrash', host: '@primary', vm: 'kv-1' })), /`vm` names a VM of `vms`; this scenario has one VM/);
  });
});

test('injectFault {host: @primary, vm}: crashes the named VM\'s primary host, and only that VM fails over', () =>
  withClient(async (dc) => {
    await launch(dc, clusterArgs());
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 20 }));
    const r = (await dc.customRequest('injectFault', { kind: 'hostCrash', host: '@primary', vm: 'kv-2' })).body as ReplyBody<'injectFault'>;
    assert.equal(r.fault.vm, 'kv-2');
    const events: { kind: string; of?: string; host?: string }[] = [];
    dc.on('lockstep.clusterEvent', (e: DebugProtocol.Event) => events.push(e.body));
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 80 }));
    assert.equal(events.find((e) => e.kind === 'crash')?.host, 'esx-3', "kv-2's primary ran on esx-3");
    assert.ok(events.some((e) => e.kind === 'goLive' && e.of === 'kv-2'), JSON.stringify(events.filter((e) => e.kind === 'goLive')));
    assert.ok(!events.some((e) => e.kind === 'goLive' && e.of === 'kv-1'));
  }));
