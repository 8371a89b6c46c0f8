// The custom-request contract (src/debug/requests.ts) against the real adapter over DAP: every custom request's
// arguments and reply, and every `lockstep.clusterEvent`, checked against the contract's shapes; the contract's
// vocabulary against the simulator's own types (at compile time) and lists (at run time).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { KVSTORE, ROOT, launch, stoppedAfter, withClient } from './helpers';
import {
  argsProblems, CLUSTER_EVENT, CLUSTER_EVENT_BODY, CUSTOM_REQUESTS, FAULT_KINDS, FT_ACTIONS, problems, replyProblems,
  type ClusterEventBody, type CustomRequestName, type FaultSpecBody, type ReplyBody, type TimelineReply,
} from '../../src/debug/requests';
import type * as Contract from '../../src/debug/requests';
import { request, type ArgsOf } from '../../src/extension/custom-request';
import { FT_ACTIONS as RUNTIME_FT_ACTIONS } from '../../src/debug/runtime';
import type { TraceEvent, TraceKind } from '../../src/ft/sim/trace';
import type { FaultKind, FaultSpec } from '../../src/ft/scenario';
import type { VmRole, VmStatus } from '../../src/ft/protocol/vm';

// ---- the vocabulary is the simulator's (compile time: tsc fails here when one side changes alone) ----------------

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const SAME_VOCABULARY: [
  Same<TraceKind, Contract.TraceKind>, Same<FaultKind, Contract.FaultKind>, Same<VmRole, Contract.VmRole>, Same<VmStatus, Contract.VmStatus>,
  Same<keyof TraceEvent, keyof ClusterEventBody>, Same<keyof FaultSpec, keyof FaultSpecBody>,
] = [true, true, true, true, true, true];
/** The adapter sends trace events as `lockstep.clusterEvent` bodies and scenario faults in its replies as they are. */
const SENT_AS_IS: [(e: TraceEvent) => ClusterEventBody, (f: FaultSpec) => FaultSpecBody] = [(e) => e, (f) => f];

test('the contract names the simulator\'s fault kinds and FT actions', () => {
  assert.deepEqual(SAME_VOCABULARY, [true, true, true, true, true, true]);
  assert.equal(SENT_AS_IS.length, 2);
  const schema = JSON.parse(readFileSync(join(ROOT, 'src/ft/scenario.schema.json'), 'utf8'));
  assert.deepEqual([...FAULT_KINDS], schema.properties.faults.items.properties.kind.enum);
  assert.deepEqual([...FT_ACTIONS], [...RUNTIME_FT_ACTIONS]);
});

test('shape problems name the path and what was expected', () => {
  assert.deepEqual(replyProblems('seek', { nowNs: 5 }), []);
  assert.deepEqual(replyProblems('seek', { nowNs: '5' }), ['body.nowNs: expected a finite number, got "5"']);
  assert.deepEqual(replyProblems('seek', {}), ['body.nowNs: missing']);
  assert.deepEqual(replyProblems('seek', { nowNs: 5, atNs: 1 }), ['body.atNs: not in the contract']);
  assert.deepEqual(replyProblems('checkpoint', { checkpoints: [{ name: 'a', nowNs: 1 }, { name: 2, nowNs: 1 }] }), ['body.checkpoints[1].name: expected a string, got 2']);
  assert.deepEqual(replyProblems('findDivergence', { same: true }), []);
  assert.deepEqual(replyProblems('findDivergence', { same: false, instret: 3 }), ['body.differences: missing'], 'the closer alternative is reported');
  assert.deepEqual(argsProblems('ftAction', { action: 'explode' }), [`arguments.action: expected ${FT_ACTIONS.map((a) => JSON.stringify(a)).join(' | ')}, got "explode"`]);
  assert.deepEqual(argsProblems('timeline', undefined), []);
  assert.deepEqual(problems(CLUSTER_EVENT_BODY, { timeNs: 1, kind: 'state', text: 'Protected', data: { protected: true } }), []);
  assert.deepEqual(problems(CLUSTER_EVENT_BODY, { timeNs: 1, kind: 'state', text: 'x', data: { nested: {} } }), ['body.data.nested: expected a string, got an object']);
});

// ---- the real adapter ---------------------------------------------------------------------------------------

const FAILOVER = { ...JSON.parse(readFileSync(join(ROOT, 'examples/kvstore/failover.json'), 'utf8')), program: KVSTORE, stopOnEntry: true };

/** Requests whose arguments and reply were checked against the contract. */
const covered = new Set<CustomRequestName>();

/** A custom request through the extension's typed helper, with its arguments and reply checked against the contract. */
async function ask<K extends CustomRequestName>(dc: DebugClient, command: K, ...args: ArgsOf<K>): Promise<ReplyBody<K>> {
  assert.deepEqual(argsProblems(command, args[0]), [], `${command} arguments ${JSON.stringify(args[0])}`);
  const body = await request({ customRequest: async (c, a) => (await dc.customRequest(c, a)).body }, command, ...args);
  assert.deepEqual(replyProblems(command, body).slice(0, 10), [], `${command} reply`);
  covered.add(command);
  return body;
}

/** Collects the `lockstep.clusterEvent` bodies the adapter sends. */
function clusterEvents(dc: DebugClient): unknown[] {
  const seen: unknown[] = [];
  dc.on(CLUSTER_EVENT, (e: DebugProtocol.Event) => seen.push(e.body));
  return seen;
}

const kinds = (tl: TimelineReply): Set<string> => new Set(tl.events.map((e) => e.kind));

test('every reply of the failover demo conforms to the contract: entry, travel, the failover and its aftermath, checkpoints, FT actions', { timeout: 120_000 }, () =>
  withClient(async (dc) => {
    const events = clusterEvents(dc);
    await launch(dc, FAILOVER);

    // On entry: the crash at 100 ms is scheduled; the primary runs, the secondary is being copied.
    const entry = await ask(dc, 'timeline');
    assert.deepEqual(entry.scheduled.map((f) => [f.kind, f.host]), [['hostCrash', '@primary']]);
    const hosts0 = await ask(dc, 'hosts');
    assert.deepEqual(hosts0.hosts.flatMap((h) => h.vms.map((v) => `${v.role}@${h.name} ${v.status}`)), ['primary@host-a running', 'secondary@host-b copying']);
    assert.equal(hosts0.links.length, 3);
    await ask(dc, 'checkpoint', { op: 'create', name: 'entry' });

    // Travel in the explored past and compare.
    await stoppedAfter(dc, () => ask(dc, 'seek', { timeMs: 20 }));
    const back = await stoppedAfter(dc, async () => assert.ok((await ask(dc, 'reverseStep', { kind: 'instruction' })).nowNs <= 20e6));
    assert.equal(back.body.reason, 'step');
    assert.equal((await ask(dc, 'compareVMs', { dumpPages: 2 }) as Contract.CompareVmsReply).same, true);
    assert.equal((await ask(dc, 'compareVMs') as Contract.CompareVmsReply).same, true);
    assert.deepEqual(await ask(dc, 'findDivergence'), { same: true });
    const slow = await ask(dc, 'injectFault', { kind: 'slowHost', host: '@secondary', factor: 0.5 });
    assert.equal(slow.fault.kind, 'slowHost');

    // Into the unexplored future past the crash, the go-live and the respawn: the reply comes first, then the stop.
    const stop = await stoppedAfter(dc, async () => assert.equal((await ask(dc, 'seek', { timeMs: 250 })).nowNs, 250e6));
    const tl = await ask(dc, 'timeline');
    for (const k of ['fault', 'crash', 'detect', 'arbitrate', 'goLive', 'respawnStart', 'respawnDone', 'state', 'release']) assert.ok(kinds(tl).has(k), `a ${k} event`);
    assert.ok(tl.events.some((e) => e.data !== undefined) && tl.events.some((e) => e.vm !== undefined && e.host !== undefined));
    assert.equal(tl.failovers.length, 1);
    assert.ok(tl.lag.some((x) => x.lagNs === null) && tl.lag.some((x) => x.lagNs !== null), 'lag samples with and without a running pair');
    assert.deepEqual(tl.checkpoints.map((c) => c.name), ['entry']);
    const hosts1 = await ask(dc, 'hosts');
    assert.ok(hosts1.hosts.some((h) => !h.up && h.vms.some((v) => v.status === 'crashed')), 'host-a down with its crashed VM');

    // Travel by event and by instruction count; checkpoints listed, jumped to, deleted.
    await stoppedAfter(dc, () => ask(dc, 'seek', { event: 'goLive', n: 0 }));
    await stoppedAfter(dc, () => ask(dc, 'seek', { event: 'respawnDone' }));
    const vm = tl.vms.find((v) => v.role === 'primary')!;
    await stoppedAfter(dc, () => ask(dc, 'seek', { vm: vm.id, instret: vm.instret - 1 }));
    assert.deepEqual((await ask(dc, 'checkpoint', { op: 'list' })).checkpoints.map((c) => c.name), ['entry']);
    await stoppedAfter(dc, () => ask(dc, 'checkpoint', { op: 'jump', name: 'entry' }));
    assert.deepEqual(await ask(dc, 'checkpoint', { op: 'delete', name: 'entry' }), { checkpoints: [] });
    assert.deepEqual(await ask(dc, 'checkpoint'), { checkpoints: [] });
    assert.equal((await ask(dc, 'ftAction', { action: 'turnOffFT' })).fault.kind, 'turnOffFT');
    assert.ok(stop.body.threadId !== undefined);

    // The live cluster events of the run forward.
    assert.ok(events.length >= 5, `${events.length} cluster events`);
    for (const [i, e] of events.entries()) assert.deepEqual(problems(CLUSTER_EVENT_BODY, e, `event ${i}`), [], JSON.stringify(e));
  }));

test('findDivergence on a diverging pair (time reads left out of the log) replies with the differences', { timeout: 60_000 }, () =>
  withClient(async (dc) => {
    await launch(dc, { program: KVSTORE, untilMs: 100, stopOnEntry: false, whatIf: { omitLogKinds: ['time'] } });
    const d = await stoppedAfter(dc, async () => {
      const body = await ask(dc, 'findDivergence');
      assert.equal(body.same, false);
      if (!body.same) assert.equal(body.differences.same, false);
    });
    assert.equal(d.body.reason, 'goto');
  }));

test('every custom request of the contract was exercised above', (t) => {
  if (covered.size === 0) return t.skip('the adapter tests above did not run');
  assert.deepEqual([...covered].sort(), Object.keys(CUSTOM_REQUESTS).sort());
});
