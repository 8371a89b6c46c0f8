// The adapter's cluster-level features over DAP: FT actions, finding the first divergence, live cluster events, the Globals and Difference-vs-peer scopes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { KVSTORE, launch, stoppedAfter, topFrame, evalIn, errorOf, withClient } from './helpers';

async function threadName(dc: DebugClient, id: number): Promise<string | undefined> {
  return (await dc.threadsRequest()).body.threads.find((t) => t.id === id)?.name;
}

/** The rows of scope `name` of thread `tid`'s top frame. */
async function scopeRows(dc: DebugClient, tid: number, name: string): Promise<DebugProtocol.Variable[]> {
  const f = await topFrame(dc, tid);
  const scope = (await dc.scopesRequest({ frameId: f.id })).body.scopes.find((s) => s.name === name);
  assert.ok(scope, `no scope ${name}`);
  return (await dc.variablesRequest({ variablesReference: scope.variablesReference })).body.variables;
}

async function secondaryId(dc: DebugClient): Promise<number> {
  const t = (await dc.threadsRequest()).body.threads.find((x) => x.name.startsWith('secondary'));
  assert.ok(t, 'no secondary thread');
  return t.id;
}

test('ftAction: testFailover makes the secondary primary @ host-b; turnOffFT leaves the VM Not Protected (Disabled); unknown actions are refused', () =>
  withClient(async (dc) => {
    await launch(dc, { program: KVSTORE, untilMs: 300 });
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 10 }));
    const sec = await secondaryId(dc);
    assert.match(await errorOf(dc.customRequest('ftAction', { action: 'explode' })), /testFailover, testRestartSecondary, turnOffFT, turnOnFT, suspendFT, resumeFT/);
    const r = await dc.customRequest('ftAction', { action: 'testFailover' });
    assert.equal(r.body.fault.kind, 'testFailover');
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 20 }));
    assert.equal(await threadName(dc, sec), 'primary @ host-b');
    assert.match(await evalIn(dc, '.ft turnOffFT', undefined, 'repl'), /turnOffFT takes effect/);
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 25 }));
    const ft = await scopeRows(dc, sec, 'FT state');
    assert.equal(ft.find((x) => x.name === 'protection')?.value, 'Not Protected (Disabled)');
  }));

test('findDivergence bisects to the first instruction where the VMs differ (what-if: time reads left out of the log)', () =>
  withClient(async (dc) => {
    const stop = await launch(dc, { program: KVSTORE, untilMs: 100, stopOnEntry: false, whatIf: { omitLogKinds: ['time'] } });
    assert.equal(stop.body.description, 'Divergence');
    const invalidated = dc.waitForEvent('invalidated');
    const at = await stoppedAfter(dc, () => dc.customRequest('findDivergence'));
    await invalidated;
    assert.equal(at.body.reason, 'goto');
    assert.match((await threadName(dc, at.body.threadId!)) ?? '', /^secondary/);
    const { body } = await dc.customRequest('findDivergence');
    assert.equal(body.same, false);
    const k = body.instret as number;
    assert.ok(k > 0);
    assert.equal(body.differences.same, false);
    await stoppedAfter(dc, () => dc.customRequest('seek', { vm: at.body.threadId, instret: k - 1 }));
    assert.equal((await dc.customRequest('compareVMs')).body.same, true);
    await stoppedAfter(dc, () => dc.customRequest('seek', { vm: at.body.threadId, instret: k }));
    const cmp = (await dc.customRequest('compareVMs')).body;
    assert.equal(cmp.same, false);
    assert.equal(cmp.instret, k);
    assert.match(await evalIn(dc, '.divergence', undefined, 'repl'), new RegExp(`first difference at instruction ${k}`));
  }));

test('findDivergence on a clean run: same; Globals lists ticks at its address; Difference vs peer says identical', () =>
  withClient(async (dc) => {
    await launch(dc, { program: KVSTORE, untilMs: 100 });
    const at = await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 20 }));
    assert.deepEqual((await dc.customRequest('findDivergence')).body, { same: true });
    const tid = at.body.threadId!;
    const f = await topFrame(dc, tid);
    const names = (await dc.scopesRequest({ frameId: f.id })).body.scopes.map((s) => s.name);
    // A C frame (DWARF knows its function) shows its Arguments and Locals first, then the machine's tables.
    const c = names[0] === 'Arguments' ? ['Arguments', 'Locals'] : [];
    assert.deepEqual(names, [...c, 'Registers', 'CSRs', 'FT state', 'Devices', 'Globals', 'Difference vs peer']);
    const ticks = (await scopeRows(dc, tid, 'Globals')).find((x) => x.name === 'ticks');
    assert.equal(ticks?.memoryReference, '0x80000d10');
    assert.equal(ticks?.value, await evalIn(dc, 'ticks', f.id), 'typed from DWARF: the same value a C expression gives');
    assert.match(ticks?.value ?? '', /^\d+$/);
    const diff = await scopeRows(dc, tid, 'Difference vs peer');
    assert.equal(diff.find((x) => x.name === 'result')?.value, 'identical');
  }));

test('lockstep.clusterEvent events arrive live: a host crash gives fault, goLive and respawnDone', () =>
  withClient(async (dc) => {
    await launch(dc, { program: KVSTORE, untilMs: 300 });
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 20 }));
    const events: { kind: string; timeNs: number }[] = [];
    dc.on('lockstep.clusterEvent', (e: DebugProtocol.Event) => events.push(e.body));
    const kinds = (): string[] => events.map((e) => e.kind);
    await dc.customRequest('injectFault', { kind: 'hostCrash', host: '@primary' });
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 120 }));
    for (const k of ['fault', 'goLive', 'respawnDone']) assert.ok(kinds().includes(k), `${k} not in ${kinds().join(', ')}`);
  }));

test('lockstep.clusterEvent: re-executing the explored past (back in time, then continue) sends no trace events', () =>
  withClient(async (dc) => {
    const stop = await launch(dc, { program: KVSTORE, untilMs: 200, faults: [{ atMs: 20, kind: 'hostCrash', host: '@primary' }] });
    const events: { kind: string; timeNs: number }[] = [];
    dc.on('lockstep.clusterEvent', (e: DebugProtocol.Event) => events.push(e.body));
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 120 }));
    assert.ok(events.some((e) => e.kind === 'goLive'), JSON.stringify(events));
    const frontierNs = (await dc.customRequest('timeline')).body.frontierNs as number;
    const before = events.length;
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 10 }));
    const end = await stoppedAfter(dc, () => dc.continueRequest({ threadId: stop.body.threadId! }));
    assert.match(end.body.description ?? '', /End of the scenario/);
    // The FT state of each moment a jump lands on (`data.now`) is not a trace event: it is sent after every jump.
    const traced = events.slice(before).filter((e) => (e as { data?: { now?: boolean } }).data?.now !== true);
    assert.ok(traced.every((e) => e.timeNs >= frontierNs), JSON.stringify(traced));
  }));
