// One stop per breakpoint: breakpoints stop the primary once per guest execution; the launch's `breakOn` and each breakpoint's mode choose the secondary too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { HELLO, COUNTER, guestFile, lineOf, launch, stoppedAfter, topFrame, evalIn, errorOf, withClient } from './helpers';

const SB = lineOf(HELLO, 'sb      t1, 0(t0)');

/** The thread id of the VM named `role @ …`. */
async function threadOf(dc: DebugClient, role: string): Promise<number> {
  const t = (await dc.threadsRequest()).body.threads.find((x) => x.name.startsWith(`${role} @`));
  assert.ok(t !== undefined, `no ${role} thread`);
  return t.id;
}

/** Continues from `first` until `n` stops (or one `until` takes), returning each stop with t1 and instret of its VM. */
async function stops(dc: DebugClient, first: DebugProtocol.StoppedEvent, n: number, until?: (ev: DebugProtocol.StoppedEvent) => boolean): Promise<{ ev: DebugProtocol.StoppedEvent; t1: string; instret: string }[]> {
  const out = [];
  let ev = first;
  for (let i = 0; ; i++) {
    const f = await topFrame(dc, ev.body.threadId!);
    out.push({ ev, t1: await evalIn(dc, 't1', f.id), instret: /\((\d+)\)/.exec(await evalIn(dc, 'instret', f.id))![1] });
    if (i + 1 >= n || until?.(ev) === true) return out;
    ev = await stoppedAfter(dc, () => dc.continueRequest({ threadId: ev.body.threadId! }));
  }
}

test('a breakpoint stops the primary once per guest execution, and the stop names the VM and the instruction', () =>
  withClient(async (dc) => {
    const first = await launch(dc, { program: HELLO, untilMs: 20, stopOnEntry: false }, () => dc.setBreakpointsRequest({ source: { path: HELLO }, breakpoints: [{ line: SB }] }));
    const primary = await threadOf(dc, 'primary');
    const got = await stops(dc, first, 6);
    for (const s of got) {
      assert.equal(s.ev.body.reason, 'breakpoint');
      assert.equal(s.ev.body.threadId, primary, JSON.stringify(s.ev.body));
      assert.equal(s.ev.body.description, 'Paused on breakpoint');
      assert.equal(s.ev.body.text, `primary @ host-a, instruction ${s.instret}`);
    }
    assert.deepEqual(got.map((s) => Number(/\((\d+)\)/.exec(s.t1)![1])), [...'Hello '].map((c) => c.charCodeAt(0)), 'each character once: no second stop on the secondary');
  }));

test('breakOn "both": the secondary stops too, at the instruction counts the primary stopped at', () =>
  withClient(async (dc) => {
    const first = await launch(dc, { program: HELLO, untilMs: 20, stopOnEntry: false, breakOn: 'both' }, () => dc.setBreakpointsRequest({ source: { path: HELLO }, breakpoints: [{ line: SB }] }));
    const secondary = await threadOf(dc, 'secondary');
    const got = await stops(dc, first, 100, (ev) => ev.body.threadId === secondary || ev.body.reason !== 'breakpoint');
    const onSecondary = got.filter((s) => s.ev.body.threadId === secondary);
    assert.ok(onSecondary.length > 0, 'the secondary stopped');
    const primaryCounts = new Set(got.filter((s) => s.ev.body.threadId !== secondary).map((s) => s.instret));
    for (const s of onSecondary) {
      assert.ok(primaryCounts.has(s.instret), `the secondary stopped at ${s.instret}, where the primary stopped`);
      assert.match(s.ev.body.text ?? '', /^secondary @ host-b, instruction \d+$/);
    }
  }));

test('a bad breakOn is an error naming the valid values', () =>
  withClient(async (dc) => {
    await dc.initializeRequest();
    const msg = await errorOf(dc.launch({ program: HELLO, breakOn: 'everyone' }));
    assert.match(msg, /^breakOn: must be "primary", "both", "secondary", not "everyone"/);
  }));

test('breakpoint modes: the capability lists them; a "secondary" breakpoint stops only the secondary; an unknown mode is unverified', () =>
  withClient(async (dc) => {
    const init = await dc.initializeRequest();
    assert.deepEqual(init.body?.breakpointModes?.map((m) => m.mode), ['primary', 'both', 'secondary']);
    let set: DebugProtocol.SetBreakpointsResponse | undefined;
    const first = await launch(dc, { program: HELLO, untilMs: 20, stopOnEntry: false }, async () => {
      set = await dc.setBreakpointsRequest({ source: { path: HELLO }, breakpoints: [{ line: SB, mode: 'secondary' } as DebugProtocol.SourceBreakpoint, { line: SB - 1, mode: 'sideways' } as DebugProtocol.SourceBreakpoint] });
    });
    assert.deepEqual(set!.body.breakpoints.map((b) => b.verified), [true, false]);
    assert.match(set!.body.breakpoints[1].message ?? '', /unknown breakpoint mode "sideways"/);
    const secondary = await threadOf(dc, 'secondary');
    const got = await stops(dc, first, 3);
    for (const s of got) assert.equal(s.ev.body.threadId, secondary, JSON.stringify(s.ev.body));
    assert.deepEqual(got.map((s) => Number(/\((\d+)\)/.exec(s.t1)![1])), [...'Hel'].map((c) => c.charCodeAt(0)));
  }));

test('log points print once per guest execution and hit counts count the primary\'s executions', () =>
  withClient(async (dc) => {
    const outputs: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => outputs.push(e.body.output));
    const first = await launch(dc, { program: HELLO, untilMs: 20, stopOnEntry: false }, () => dc.setBreakpointsRequest({
      source: { path: HELLO },
      breakpoints: [{ line: SB, hitCondition: '== 3' }, { line: lineOf(HELLO, 'beqz    t1, 3f'), logMessage: 'char {t1}' }],
    }));
    const primary = await threadOf(dc, 'primary');
    assert.equal(first.body.threadId, primary);
    assert.equal(await evalIn(dc, 't1', (await topFrame(dc, primary)).id), '0x0000006c (108)', "the third character, 'l'");
    const end = await stoppedAfter(dc, () => dc.continueRequest({ threadId: primary }));
    assert.notEqual(end.body.reason, 'breakpoint', `no second stop: ${JSON.stringify(end.body)}`);
    assert.equal(outputs.filter((o) => o === 'char 72\n').length, 1, `'H' logged once: ${outputs.filter((o) => o.startsWith('char')).length} log lines`);
  }));

test('data breakpoints follow breakOn: five writes, five stops, all on the primary, then the guest powers off', () =>
  withClient(async (dc) => {
    const file = guestFile('counter.s', COUNTER);
    const entry = await launch(dc, { program: file, untilMs: 5 });
    const info = await dc.dataBreakpointInfoRequest({ name: 'counter' });
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    const primary = await threadOf(dc, 'primary');
    const values: string[] = [];
    let ev = entry;
    for (;;) {
      ev = await stoppedAfter(dc, () => dc.continueRequest({ threadId: ev.body.threadId! }));
      if (ev.body.reason !== 'data breakpoint') break;
      assert.equal(ev.body.threadId, primary, JSON.stringify(ev.body));
      values.push(await evalIn(dc, 't1', (await topFrame(dc, primary)).id));
    }
    assert.deepEqual(values, [1, 2, 3, 4, 5].map((n) => `0x0000000${n} (${n})`), 'the value each store wrote');
  }));
