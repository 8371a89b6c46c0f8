// What a new user sees in VS Code: quiet errors for hover, watch and the Debug Console, views that agree after time travel, Compare without a pair, a guest that powers off.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { HELLO, KVSTORE, COUNTER, guestFile, launch, stoppedAfter, evalIn, withClient } from './helpers';

/** The raw response of a request (the client's own methods reject an error response and keep only its message). */
function raw(dc: DebugClient, command: string, args: unknown): Promise<DebugProtocol.Response> {
  return new Promise((resolve) => (dc as unknown as { doSend(c: string, a: unknown, cb: (r: DebugProtocol.Response) => void): void }).doSend(command, args, resolve));
}

/** Every event of the client from now on, by type (DAP events, and custom ones by their name). */
function record(dc: DebugClient, names: string[]): { type: string; body: Record<string, unknown> }[] {
  const seen: { type: string; body: Record<string, unknown> }[] = [];
  for (const n of names) dc.on(n, (e: DebugProtocol.Event) => seen.push({ type: n, body: e.body ?? {} }));
  return seen;
}

test('hover, watch and Debug Console errors are quiet: an error response VS Code shows inline, never as a notification', () =>
  withClient(async (dc) => {
    await launch(dc, { program: HELLO, untilMs: 5 });
    for (const [context, expression] of [['hover', 'nosuchname'], ['watch', 'a0 +'], ['repl', 'nosuchname'], ['repl', '.seek vm=99 instret=1']]) {
      const r = await raw(dc, 'evaluate', { expression, context });
      assert.equal(r.success, false, `${context} ${expression}`);
      assert.ok(r.message !== undefined && r.message !== '', 'the message VS Code shows inline');
      assert.equal((r.body as { error?: { showUser?: boolean } })?.error?.showUser, false, `${context} ${expression}: ${r.message}`);
    }
    const custom = await raw(dc, 'seek', { event: 'meteor' });
    assert.equal((custom.body as { error?: { showUser?: boolean } }).error?.showUser, false, 'custom requests: the extension shows their errors');
    const step = await raw(dc, 'next', { threadId: 999 });
    assert.equal((step.body as { error?: { showUser?: boolean } }).error?.showUser, true, 'an action of the user VS Code shows nowhere else');
  }));

test('after a seek the client hears continued before the stop, and the FT state of the new moment before the stop', () =>
  withClient(async (dc) => {
    const entry = await launch(dc, { program: HELLO, untilMs: 20, stopOnEntry: true });
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 0.002 }));
    const atStart = (await dc.customRequest('hosts')).body.ftState as string;
    const end = await stoppedAfter(dc, () => dc.continueRequest({ threadId: entry.body.threadId! }));
    assert.notEqual(end.body.reason, 'breakpoint');
    const seen = record(dc, ['continued', 'lockstep.clusterEvent', 'invalidated', 'stopped']);
    const back = await stoppedAfter(dc, () => evalIn(dc, '.seek 0.002ms', undefined, 'repl'));
    assert.equal(back.body.reason, 'goto');
    const types = seen.map((e) => e.type);
    assert.ok(types.indexOf('continued') >= 0 && types.indexOf('continued') < types.indexOf('stopped'), types.join(', '));
    assert.equal(seen.find((e) => e.type === 'continued')?.body.allThreadsContinued, true);
    const state = seen.find((e) => e.type === 'lockstep.clusterEvent' && e.body.kind === 'state');
    assert.ok(state !== undefined && types.indexOf('lockstep.clusterEvent') < types.indexOf('stopped'), types.join(', '));
    assert.equal(state.body.text, atStart, 'the status bar hears the state of the moment the seek landed on');
    assert.deepEqual(state.body.data, { protected: atStart === 'Protected', now: true });
    assert.equal((await dc.customRequest('hosts')).body.ftState, atStart);
    // A stepBack is VS Code's own request (it simulates `continued` itself): the state event still comes.
    const seen2 = record(dc, ['lockstep.clusterEvent']);
    await stoppedAfter(dc, () => dc.stepBackRequest({ threadId: back.body.threadId!, granularity: 'instruction' }));
    assert.ok(seen2.some((e) => e.body.kind === 'state' && (e.body.data as { now?: boolean }).now === true));
  }));

test('the guest console is printed once: travelling back and running the same history again prints nothing twice', () =>
  withClient(async (dc) => {
    const out: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.category === 'stdout') out.push(e.body.output); });
    const entry = await launch(dc, { program: HELLO, untilMs: 20, stopOnEntry: true });
    const tid = entry.body.threadId!;
    await stoppedAfter(dc, () => dc.continueRequest({ threadId: tid }));
    assert.equal(out.join(''), 'Hello from Lockstep!\nTwo VMs, one story.\n');
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 0.001 }));
    await stoppedAfter(dc, () => dc.continueRequest({ threadId: tid }));
    assert.equal(out.join(''), 'Hello from Lockstep!\nTwo VMs, one story.\n', 'nothing printed again');
  }));

test('a guest that powers off ends the run: exited with its code, a console line, a stop that says so; time travel stays', () =>
  withClient(async (dc) => {
    const file = guestFile('counter.s', COUNTER);
    const lines: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => lines.push(e.body.output));
    const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    const stop = await launch(dc, { program: file, untilMs: 50, stopOnEntry: false });
    assert.equal((await exited).body.exitCode, 0);
    assert.equal(stop.body.description, 'Guest powered off (exit code 0)');
    assert.ok(lines.some((l) => /^Lockstep: primary @ host-a powered off with code 0: exit code 0/.test(l)), lines.join(''));
    const back = await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 0.001 }));
    assert.equal(back.body.reason, 'goto');
  }));

test('compareVMs: the FT section is at the compared instruction; with ifNoPair "reply" and no secondary, a quiet noPair body', () =>
  withClient(async (dc) => {
    await launch(dc, { program: KVSTORE, untilMs: 300, stopOnEntry: true });
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 20 }));
    const cmp = (await dc.customRequest('compareVMs')).body;
    for (const text of [cmp.primaryText, cmp.secondaryText] as string[]) {
      const lines = text.split('\n');
      const ft = lines.slice(lines.indexOf('[fault tolerance]')).find((l) => /^instret\s/.test(l));
      assert.match(ft ?? '', new RegExp(`^instret\\s+${cmp.instret}$`), `the FT section's instret is the compared one, ${cmp.instret}`);
    }
    const noPair = await raw(dc, 'compareVMs', { ifNoPair: 'reply' });
    assert.equal(noPair.success, true);
    await dc.customRequest('injectFault', { kind: 'hostCrash', host: '@secondary' });
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 21 }));
    const none = await raw(dc, 'compareVMs', { ifNoPair: 'reply', dumpPages: 8 });
    assert.equal(none.success, true, none.message);
    assert.match((none.body as { noPair: string }).noPair, /^no secondary to compare (now|yet)/);
    assert.match(await evalIn(dc, '.compare', undefined, 'repl'), /^no secondary to compare/);
    const err = await raw(dc, 'compareVMs', {});
    assert.equal(err.success, false, 'without ifNoPair: an error, as before (a quiet one)');
  }));

test('a jump that ends the focused thread: `continued` and the stop name a thread that exists, after the exit', () =>
  withClient(async (dc) => {
    await launch(dc, { program: KVSTORE, untilMs: 300, faults: [{ atMs: 30, kind: 'hostCrash', host: '@primary' }] });
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 80 })); // past the crash: explored
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 10 })); // before it: the primary is back, and focused
    const order: string[] = [];
    let continuedId: number | undefined;
    dc.on('thread', (e: DebugProtocol.ThreadEvent) => order.push(`thread ${e.body.reason}`));
    dc.on('continued', (e: DebugProtocol.ContinuedEvent) => { order.push('continued'); continuedId = e.body.threadId; });
    dc.on('stopped', () => order.push('stopped'));
    const stop = await stoppedAfter(dc, () => dc.evaluateRequest({ expression: '.seek crash', context: 'repl' }));
    const exited = order.indexOf('thread exited');
    assert.ok(exited >= 0 && exited < order.indexOf('continued') && order.indexOf('continued') < order.indexOf('stopped'), order.join(', '));
    const threads = (await dc.threadsRequest()).body.threads.map((t) => t.id);
    // VS Code keeps its focus on the thread a `continued` names: one that exited left its Call Stack reading "Running".
    assert.equal(continuedId, stop.body.threadId);
    assert.ok(threads.includes(continuedId!), `continued names thread ${continuedId}, one of ${threads.join(', ')}`);
  }));
