// The Call Stack of assembly programs: no false caller frames (half-made calls, program exit), and caller registers prologue analysis does not recover shown as `<not saved>`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HELLO, lineOf, launch, stoppedAfter, withClient } from './helpers';

test('no false caller frame on the jalr of a call (ra set by its auipc) nor at program exit', () =>
  withClient(async (dc) => {
    const entry = await launch(dc, { program: HELLO, untilMs: 20 });
    const tid = entry.body.threadId!;
    // la sp (auipc, addi), la a0 (auipc, addi), call puts (auipc ra, jalr): five steps reach the jalr.
    for (let i = 0; i < 5; i++) await stoppedAfter(dc, () => dc.stepInRequest({ threadId: tid, granularity: 'instruction' }));
    const atJalr = (await dc.stackTraceRequest({ threadId: tid })).body.stackFrames;
    assert.equal(atJalr[0].line, lineOf(HELLO, 'call    puts'));
    assert.deepEqual(atJalr.map((f) => f.name), ['_start'], 'ra holds what auipc computed, not a return address');
    const end = await stoppedAfter(dc, () => dc.continueRequest({ threadId: tid }));
    const atExit = (await dc.stackTraceRequest({ threadId: end.body.threadId! })).body.stackFrames;
    assert.deepEqual(atExit.map((f) => f.name), ['_start'], 'nothing calls the entry point');
  }));

test('an assembly caller frame shows its pc and sp, and <not saved> for the registers nothing recovered', () =>
  withClient(async (dc) => {
    const line = lineOf(HELLO, '1:  lbu     t1, 0(a0)');
    const stop = await launch(dc, { program: HELLO, untilMs: 20, stopOnEntry: false }, () => dc.setBreakpointsRequest({ source: { path: HELLO }, breakpoints: [{ line }] }));
    const frames = (await dc.stackTraceRequest({ threadId: stop.body.threadId! })).body.stackFrames;
    assert.deepEqual(frames.map((f) => f.name), ['puts', '_start']);
    const scopes = (await dc.scopesRequest({ frameId: frames[1].id })).body.scopes;
    const regs = (await dc.variablesRequest({ variablesReference: scopes.find((s) => s.name.startsWith('Registers'))!.variablesReference })).body.variables;
    assert.equal(regs.find((r) => r.name === 'pc')?.value, frames[1].instructionPointerReference);
    assert.match(regs.find((r) => r.name === 'sp')?.value ?? '', /^0x8/);
    for (const name of ['a0', 't0', 't1', 's0']) assert.equal(regs.find((r) => r.name === name)?.value, '<not saved>', name);
  }));
