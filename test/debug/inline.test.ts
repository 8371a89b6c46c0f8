// The session in-process (how the extension runs it inline): messages in through handleMessage, out through onDidSendMessage.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { LockstepSession } from '../../src/debug/main';
import { HELLO } from './helpers';

test('inline: initialize, launch, stop on entry, threads, step, step back', async () => {
  const session = new LockstepSession();
  const out: DebugProtocol.ProtocolMessage[] = [];
  const waiters: { pred: (m: DebugProtocol.ProtocolMessage) => boolean; resolve: (m: DebugProtocol.ProtocolMessage) => void }[] = [];
  session.onDidSendMessage((m) => {
    const msg = m as DebugProtocol.ProtocolMessage;
    out.push(msg);
    for (const w of waiters.splice(0)) if (w.pred(msg)) w.resolve(msg); else waiters.push(w);
  });
  let seq = 1;
  const wait = (pred: (m: DebugProtocol.ProtocolMessage) => boolean): Promise<DebugProtocol.ProtocolMessage> => {
    const found = out.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => waiters.push({ pred, resolve }));
  };
  const request = async (command: string, args: unknown): Promise<DebugProtocol.Response> => {
    const s = seq++;
    const p = wait((m) => m.type === 'response' && (m as DebugProtocol.Response).request_seq === s);
    session.handleMessage({ seq: s, type: 'request', command, arguments: args } as DebugProtocol.Request);
    return p as Promise<DebugProtocol.Response>;
  };
  const event = (name: string, after: number) => wait((m) => m.type === 'event' && (m as DebugProtocol.Event).event === name && m.seq > after);
  try {
    const init = await request('initialize', { adapterID: 'lockstep', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
    assert.equal(init.body.supportsStepBack, true);
    assert.equal((await request('launch', { program: HELLO, untilMs: 5 })).success, true);
    await event('initialized', 0);
    const mark = out.length > 0 ? out[out.length - 1].seq : 0;
    await request('configurationDone', {});
    const stopped = await event('stopped', mark) as DebugProtocol.StoppedEvent;
    assert.equal(stopped.body.reason, 'entry');
    const threads = await request('threads', {});
    assert.equal(threads.body.threads[0].name, 'primary @ host-a');
    const m2 = out[out.length - 1].seq;
    await request('stepIn', { threadId: 1, granularity: 'instruction' });
    await event('stopped', m2);
    const st = await request('stackTrace', { threadId: 1 });
    assert.equal(st.body.stackFrames[0].instructionPointerReference, '0x80000004');
    const m3 = out[out.length - 1].seq;
    await request('stepBack', { threadId: 1, granularity: 'instruction' });
    await event('stopped', m3);
    // VS Code's own stepBack: its stop refreshes everything, and an `invalidated` beside it raced that refresh.
    assert.ok(!out.slice(out.findIndex((m) => m.seq > m3)).some((m) => m.type === 'event' && (m as DebugProtocol.Event).event === 'invalidated'), 'no invalidated after a stepBack');
    const st2 = await request('stackTrace', { threadId: 1 });
    assert.equal(st2.body.stackFrames[0].instructionPointerReference, '0x80000000');
    assert.equal((await request('bogusRequest', {})).success, false);
  } finally {
    session.dispose();
  }
});
