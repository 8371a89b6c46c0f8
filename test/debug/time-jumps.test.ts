// Goto as a jump in time (both directions) and the "output held longer than N ms" exception filter, over DAP against the real adapter process.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { HELLO, KVSTORE, lineOf, launch, stoppedAfter, topFrame, evalIn, errorOf, withClient } from './helpers';

/** The VM's retired instruction count, through the expression evaluator. */
async function instret(dc: DebugClient, threadId: number): Promise<number> {
  const f = await topFrame(dc, threadId);
  return Number(/\((\d+)\)/.exec(await evalIn(dc, 'instret', f.id))?.[1] ?? (await evalIn(dc, 'instret', f.id)));
}

/** Sends goto and waits for its `invalidated` and `stopped` events. */
async function gotoTarget(dc: DebugClient, threadId: number, targetId: number): Promise<DebugProtocol.StoppedEvent> {
  const invalidated = dc.waitForEvent('invalidated');
  const stop = await stoppedAfter(dc, () => dc.gotoRequest({ threadId, targetId }));
  await invalidated;
  return stop;
}

test('goto jumps forward when the line was never run, and back to its most recent run afterwards', () =>
  withClient(async (dc) => {
    const entry = await launch(dc, { program: HELLO, untilMs: 20 });
    const tid = entry.body.threadId!;
    const line = lineOf(HELLO, '1:  lbu     t1, 0(a0)');
    const targets = (await dc.gotoTargetsRequest({ source: { path: HELLO }, line })).body.targets;
    assert.equal(targets.length, 1);
    assert.equal(targets[0].line, line);
    // Forward: at entry nothing ran yet, so the next future moment at that address.
    const fwd = await gotoTarget(dc, tid, targets[0].id);
    assert.equal(fwd.body.reason, 'goto');
    const first = await topFrame(dc, tid);
    assert.equal(first.line, line);
    assert.equal(first.instructionPointerReference, targets[0].instructionPointerReference);
    const k1 = await instret(dc, tid);
    assert.ok(k1 > 0, `ran forward to instruction ${k1}`);
    // Run on past a few loop iterations, then goto goes back to the latest one before now.
    for (let i = 0; i < 12; i++) await stoppedAfter(dc, () => dc.stepInRequest({ threadId: tid, granularity: 'instruction' }));
    const k2 = await instret(dc, tid);
    const back = await gotoTarget(dc, tid, targets[0].id);
    assert.equal(back.body.reason, 'goto');
    const k3 = await instret(dc, tid);
    assert.ok(k3 > k1 && k3 < k2, `back to ${k3}: after the first visit ${k1}, before ${k2}`);
    assert.equal((await topFrame(dc, tid)).instructionPointerReference, targets[0].instructionPointerReference);
    assert.match(await errorOf(dc.gotoRequest({ threadId: tid, targetId: 999_999 })), /no goto target/);
  }));

test('the held-output filter (condition 2 ms) stops when the logging link is down; exceptionInfo names the output', () =>
  withClient(async (dc) => {
    const caps = (await dc.initializeRequest()).body!;
    assert.equal(caps.supportsGotoTargetsRequest, true);
    const f = caps.exceptionBreakpointFilters!.find((x) => x.filter === 'heldOutput');
    assert.equal(f?.supportsCondition, true);
    const init = dc.waitForEvent('initialized');
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await dc.launchRequest({ program: KVSTORE, untilMs: 40, stopOnEntry: false, faults: [{ atMs: 10, kind: 'loggingLinkDown' }] } as DebugProtocol.LaunchRequestArguments);
    await init;
    await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'heldOutput', condition: '2' }] });
    await dc.configurationDoneRequest();
    const stop = await stopped;
    assert.equal(stop.body.reason, 'exception');
    const info = (await dc.exceptionInfoRequest({ threadId: stop.body.threadId! })).body;
    assert.equal(info.exceptionId, 'heldOutput');
    assert.match(info.description ?? '', /^(disk|console|packet|power|timer).* \(output \d+, produced at 1\d\.\d+ ms\) held 2\.\d+ ms by the Output Rule on primary @ host-a/);
    const held = Number(/held (\d+\.\d+) ms/.exec(info.description!)![1]);
    assert.ok(held > 2, `held ${held} ms`);
    const timeline = (await dc.customRequest('timeline')).body as { nowNs: number };
    assert.ok(timeline.nowNs > 10e6 + 2e6, `stopped at ${timeline.nowNs} ns, after the link went down at 10 ms + 2 ms`);
    assert.match(await errorOf(dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'heldOutput', condition: 'soon' }] })), /positive number/);
  }));
