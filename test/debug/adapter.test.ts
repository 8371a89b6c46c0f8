// The debug adapter over DAP against the real adapter process: launch, threads, stacks, breakpoints, stepping both ways, data breakpoints, faults, compare, bad input.

import { test } from 'node:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { HELLO, KVSTORE, KVSTORE_C, ROOT, lineOf, launch, stoppedAfter, topFrame, threadNames, evalIn, errorOf, withClient } from './helpers';

test('launch stops on entry; threads are the VMs by role and host; the top frame is the first line of the .s', () =>
  withClient(async (dc) => {
    const stop = await launch(dc, { program: 'examples/hello/hello.s', cwd: ROOT, untilMs: 20 });
    assert.equal(stop.body.reason, 'entry');
    const names = await threadNames(dc);
    assert.equal(names[0], 'primary @ host-a');
    assert.match(names[1], /^secondary @ host-b/);
    const f = await topFrame(dc, stop.body.threadId!);
    assert.equal(f.source?.path, HELLO);
    assert.equal(f.line, lineOf(HELLO, 'la      sp, stack_top'));
    assert.equal(f.name, '_start');
    assert.equal(f.instructionPointerReference, '0x80000000');
    const scopes = (await dc.scopesRequest({ frameId: f.id })).body.scopes;
    assert.deepEqual(scopes.map((s) => s.name), ['Registers', 'CSRs', 'FT state', 'Devices', 'Globals', 'Difference vs peer']);
    const regs = (await dc.variablesRequest({ variablesReference: scopes[0].variablesReference })).body.variables;
    assert.equal(regs.find((r) => r.name === 'pc')?.value, '0x80000000');
    assert.ok(regs.some((r) => r.name === 'a0'));
    const ft = (await dc.variablesRequest({ variablesReference: scopes[2].variablesReference })).body.variables;
    assert.equal(ft.find((r) => r.name === 'role')?.value, 'primary');
    assert.equal(ft.find((r) => r.name === 'host')?.value, 'host-a');
    assert.ok(ft.some((r) => r.name === 'protection'));
  }));

test('assembly: a breakpoint in a callee is hit, the caller is unwound via ra, instruction steps go forwards and back', () =>
  withClient(async (dc) => {
    const line = lineOf(HELLO, '1:  lbu     t1, 0(a0)');
    const stop = await launch(dc, { program: HELLO, untilMs: 20, stopOnEntry: false }, async () => {
      const r = await dc.setBreakpointsRequest({ source: { path: HELLO }, breakpoints: [{ line }] });
      assert.equal(r.body.breakpoints[0].verified, true);
      assert.equal(r.body.breakpoints[0].line, line);
    });
    assert.equal(stop.body.reason, 'breakpoint');
    const tid = stop.body.threadId!;
    const st = (await dc.stackTraceRequest({ threadId: tid })).body.stackFrames;
    assert.equal(st[0].name, 'puts');
    assert.equal(st[0].line, line);
    assert.equal(st[1].name, '_start');
    assert.equal(st[1].line, lineOf(HELLO, 'call    puts'));
    const pc0 = st[0].instructionPointerReference;
    const stepped = await stoppedAfter(dc, () => dc.stepInRequest({ threadId: tid, granularity: 'instruction' }));
    assert.equal(stepped.body.reason, 'step');
    const pc1 = (await topFrame(dc, tid)).instructionPointerReference;
    assert.notEqual(pc1, pc0);
    const back = await stoppedAfter(dc, () => dc.stepBackRequest({ threadId: tid, granularity: 'instruction' }));
    assert.equal(back.body.reason, 'step');
    assert.equal((await topFrame(dc, tid)).instructionPointerReference, pc0);
    // line step out of puts' first line, then step out back to _start
    const next = await stoppedAfter(dc, () => dc.nextRequest({ threadId: tid }));
    assert.equal((await topFrame(dc, tid)).line, lineOf(HELLO, 'beqz    t1, 3f'), `next: ${next.body.reason}`);
    await dc.setBreakpointsRequest({ source: { path: HELLO }, breakpoints: [] });
    await stoppedAfter(dc, () => dc.stepOutRequest({ threadId: tid }));
    const out = await topFrame(dc, tid);
    assert.equal(out.name, '_start');
  }));

test('assembly: next steps over a call at line granularity', () =>
  withClient(async (dc) => {
    const stop = await launch(dc, { program: HELLO, untilMs: 20 });
    const tid = stop.body.threadId!;
    for (let i = 0; i < 2; i++) await stoppedAfter(dc, () => dc.nextRequest({ threadId: tid }));
    assert.equal((await topFrame(dc, tid)).line, lineOf(HELLO, 'call    puts'));
    await stoppedAfter(dc, () => dc.nextRequest({ threadId: tid }));
    assert.equal((await topFrame(dc, tid)).line, lineOf(HELLO, 'la      a0, farewell'));
    const back = await stoppedAfter(dc, () => dc.stepBackRequest({ threadId: tid }));
    assert.equal(back.body.reason, 'step');
    assert.equal((await topFrame(dc, tid)).line, lineOf(HELLO, 'call    puts'), 'reverse next steps back over the call');
  }));

test('assembly: .back in enters the call the previous line made, .back out returns to it', () =>
  withClient(async (dc) => {
    const stop = await launch(dc, { program: HELLO, untilMs: 20 });
    const tid = stop.body.threadId!;
    for (let i = 0; i < 3; i++) await stoppedAfter(dc, () => dc.nextRequest({ threadId: tid }));
    assert.equal((await topFrame(dc, tid)).line, lineOf(HELLO, 'la      a0, farewell'));
    const into = await stoppedAfter(dc, () => evalIn(dc, '.back in', undefined, 'repl'));
    assert.equal(into.body.reason, 'step');
    assert.equal((await topFrame(dc, tid)).name, 'puts', 'back inside puts, at the last line it ran');
    assert.match(await evalIn(dc, '.back out', undefined, 'repl'), /stepped back \(out\) to /);
    assert.equal((await topFrame(dc, tid)).line, lineOf(HELLO, 'call    puts'), 'out of puts: at the call');
    assert.match(await errorOf(dc.customRequest('reverseStep', { kind: 'sideways' })), /kind must be one of over, in, out, instruction/);
  }));

test('C: a breakpoint in kvstore.c is hit with the C source line; reverse continue goes back to the previous hit', () =>
  withClient(async (dc) => {
    const line = lineOf(KVSTORE_C, 'ticks++;');
    const stop = await launch(dc, { program: KVSTORE, untilMs: 200, stopOnEntry: false }, async () => {
      const r = await dc.setBreakpointsRequest({ source: { path: KVSTORE_C }, breakpoints: [{ line }] });
      assert.equal(r.body.breakpoints[0].verified, true);
    });
    assert.equal(stop.body.reason, 'breakpoint');
    const f = await topFrame(dc, stop.body.threadId!);
    assert.equal(f.source?.path, KVSTORE_C);
    assert.equal(f.line, line);
    assert.equal(f.name, 'timer_interrupt [inlined]', 'the handler GCC inlined into trap_handler is a frame of its own');
    const frames = (await dc.stackTraceRequest({ threadId: stop.body.threadId! })).body.stackFrames;
    assert.equal(frames[1].name, 'trap_handler');
    assert.equal(frames[1].line, lineOf(KVSTORE_C, 'timer_interrupt()'), 'the caller of an inlined call is at the call');
    assert.match(frames[2].name, /^trap_entry/);
    assert.match(frames[3].name, /\[interrupted\]$/, 'the trap vector frame continues at mepc');
    const callerScopes = (await dc.scopesRequest({ frameId: frames[3].id })).body.scopes;
    const callerRegs = (await dc.variablesRequest({ variablesReference: callerScopes.find((s) => s.name.startsWith('Registers'))!.variablesReference })).body.variables;
    assert.equal(callerRegs.find((r) => r.name === 'pc')?.value, frames[3].instructionPointerReference);
    const first = { tid: stop.body.threadId!, instret: await evalIn(dc, 'instret', f.id) };
    const second = await stoppedAfter(dc, () => dc.continueRequest({ threadId: first.tid }));
    assert.equal(second.body.reason, 'breakpoint');
    const rev = await stoppedAfter(dc, () => dc.reverseContinueRequest({ threadId: second.body.threadId! }));
    assert.equal(rev.body.reason, 'breakpoint');
    assert.equal(rev.body.threadId, first.tid);
    const fr = await topFrame(dc, first.tid);
    assert.equal(fr.line, line);
    assert.equal(await evalIn(dc, 'instret', fr.id), first.instret);
  }));

test('data breakpoint on a C global: hit forwards at each write, backwards at the last one', () =>
  withClient(async (dc) => {
    const stop0 = await launch(dc, { program: KVSTORE, untilMs: 200 });
    const info = await dc.dataBreakpointInfoRequest({ name: 'ticks' });
    assert.match(info.body.dataId!, /^0x[0-9a-f]{8}:4$/);
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    assert.equal(set.body.breakpoints[0].verified, true);
    const hits: { tid: number; ticks: string; instret: string }[] = [];
    let tid = stop0.body.threadId!;
    for (let i = 0; i < 3; i++) {
      const s = await stoppedAfter(dc, () => dc.continueRequest({ threadId: tid }));
      assert.equal(s.body.reason, 'data breakpoint');
      tid = s.body.threadId!;
      const f = await topFrame(dc, tid);
      hits.push({ tid, ticks: await evalIn(dc, 'ticks', f.id), instret: await evalIn(dc, 'instret', f.id) });
    }
    assert.ok(hits.some((h) => h.ticks !== hits[0].ticks), `ticks changes: ${JSON.stringify(hits)}`);
    const rev = await stoppedAfter(dc, () => dc.reverseContinueRequest({ threadId: tid }));
    assert.equal(rev.body.reason, 'data breakpoint');
    const f = await topFrame(dc, rev.body.threadId!);
    const at = { tid: rev.body.threadId!, ticks: await evalIn(dc, 'ticks', f.id), instret: await evalIn(dc, 'instret', f.id) };
    assert.deepEqual(at, hits[1], 'back at the previous write');
  }));

test('a fault injected mid-session fails over: the secondary becomes primary @ host-b; compareVMs finds no difference before it and after the respawn', () =>
  withClient(async (dc) => {
    const stop = await launch(dc, { program: KVSTORE, untilMs: 300 });
    const seek = await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 20 }));
    assert.equal(seek.body.reason, 'goto');
    const cmp = (await dc.customRequest('compareVMs')).body;
    assert.equal(cmp.same, true, JSON.stringify({ r: cmp.registers, c: cmp.csrs, p: cmp.pages }));
    assert.ok(cmp.instret > 0);
    assert.match(cmp.primaryText, /primary @ host-a at instruction/);
    assert.match(await evalIn(dc, '.compare', undefined, 'repl'), /identical/);
    await dc.setExceptionBreakpointsRequest({ filters: ['failover'] });
    const exited = dc.waitForEvent('thread');
    const inj = await dc.customRequest('injectFault', { kind: 'hostCrash', host: '@primary' });
    assert.equal(inj.body.fault.host, '@primary');
    const s = await stoppedAfter(dc, () => dc.continueRequest({ threadId: stop.body.threadId! }));
    assert.equal(s.body.reason, 'exception');
    assert.match(s.body.description ?? '', /Failover/);
    const names = await threadNames(dc);
    assert.ok(names.includes('primary @ host-b'), names.join(', '));
    assert.ok(!names.includes('primary @ host-a'), names.join(', '));
    assert.equal((await exited).body.reason, 'exited');
    const ex = await dc.exceptionInfoRequest({ threadId: s.body.threadId! });
    assert.match(ex.body.description ?? '', /went live/);
    const tl = (await dc.customRequest('timeline')).body;
    assert.ok(tl.events.some((e: { kind: string }) => e.kind === 'goLive'));
    // After the respawn the new secondary (a copy of the new primary) is identical at the same instruction.
    const respawned = await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: tl.events.find((e: { kind: string }) => e.kind === 'goLive').timeNs / 1e6 + 40 }));
    assert.equal(respawned.body.reason, 'goto');
    const after = await threadNames(dc);
    assert.ok(after.includes('secondary @ host-c'), after.join(', '));
    const cmp2 = (await dc.customRequest('compareVMs')).body;
    assert.equal(cmp2.same, true, JSON.stringify({ r: cmp2.registers, c: cmp2.csrs, p: cmp2.pages }));
    assert.match(cmp2.secondaryText, /secondary @ host-c/);
    // seek to a cluster event: just after the go-live, host-b is the primary
    const toLive = await stoppedAfter(dc, () => dc.customRequest('seek', { event: 'goLive', n: 0 }));
    assert.equal(toLive.body.reason, 'goto');
    assert.ok((await threadNames(dc)).includes('primary @ host-b'));
    await assert.rejects(dc.customRequest('seek', { event: 'goLive', n: 5 }), /no goLive number 5/);
    await assert.rejects(dc.customRequest('seek', { event: 'meteor' }), /unknown event kind/);
    await stoppedAfter(dc, () => evalIn(dc, '.seek respawnDone 1', undefined, 'repl'));
    assert.ok((await threadNames(dc)).includes('secondary @ host-c'));
    // back before the fault: host-a is primary again
    await stoppedAfter(dc, () => evalIn(dc, '.seek 10ms', undefined, 'repl'));
    assert.ok((await threadNames(dc)).includes('primary @ host-a'));
  }));

test('pause stops a free-running cluster promptly; evaluate, console verbs, disassembly and memory work', () =>
  withClient(async (dc) => {
    const init = dc.waitForEvent('initialized');
    await dc.launch({ program: KVSTORE, untilMs: 100000, stopOnEntry: false });
    await init;
    await dc.configurationDoneRequest();
    await new Promise((r) => setTimeout(r, 300));
    const s = await stoppedAfter(dc, () => dc.pauseRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'pause');
    const tid = s.body.threadId!;
    const f = await topFrame(dc, tid);
    assert.match(await evalIn(dc, 'x0 + 0x10 * 2', f.id), /^0x00000020 \(32\)$/);
    assert.match(await evalIn(dc, 'sp > 0x80000000', f.id), /\(1\)$/);
    const sym = await dc.evaluateRequest({ expression: '&ticks', frameId: f.id, context: 'hover' });
    assert.equal(sym.body.memoryReference, '0x80000d10');
    const dis = await dc.disassembleRequest({ memoryReference: f.instructionPointerReference!, instructionOffset: -4, instructionCount: 10, resolveSymbols: true });
    assert.equal(dis.body!.instructions.length, 10);
    assert.ok(dis.body!.instructions.some((i) => i.address === f.instructionPointerReference), 'pc inside the listing');
    const mem = await dc.customRequest('readMemory', { memoryReference: '0x80000000', count: 8 });
    assert.equal(Buffer.from(mem.body.data, 'base64').length, 8);
    await dc.customRequest('writeMemory', { memoryReference: '0x80011000', data: Buffer.from([1, 2, 3, 4]).toString('base64') });
    assert.equal(await evalIn(dc, '*0x80011000', f.id), '0x04030201 (67305985)');
    const cp = await evalIn(dc, '.checkpoint create here', undefined, 'repl');
    assert.match(cp, /here @/);
    assert.match(await evalIn(dc, '.help', undefined, 'repl'), /\.inject/);
    const comp = await dc.completionsRequest({ text: '.se', column: 4 });
    assert.ok(comp.body.targets.some((t) => t.label === '.seek'));
    const comp2 = await dc.completionsRequest({ text: 'tic', column: 4, frameId: f.id });
    assert.ok(comp2.body.targets.some((t) => t.label === 'ticks'));
  }));

// How fast a pause lands is a benchmark figure, never a test assertion; this test checks that it lands at all.
test('a runaway guest can be paused again and again (the cluster runs in chunks and yields between them)', () =>
  withClient(async (dc) => {
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-spin-'));
    const spin = join(dir, 'spin.s');
    writeFileSync(spin, '    .text\n    .globl _start\n_start:\n    li a0, 0\n1:  addi a0, a0, 1\n    j 1b\n');
    const init = dc.waitForEvent('initialized');
    await dc.launch({ program: spin, untilMs: 600000, stopOnEntry: false });
    await init;
    await dc.configurationDoneRequest();
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const s = await stoppedAfter(dc, () => dc.pauseRequest({ threadId: 1 }));
      assert.equal(s.body.reason, 'pause');
      const f = await topFrame(dc, s.body.threadId!);
      assert.ok(Number((await evalIn(dc, 'a0', f.id)).match(/\((\d+)\)/)![1]) > 1000, 'the guest ran');
      await dc.continueRequest({ threadId: 1 });
    }
  }));

/** Launches an endless counting loop (a0 += 1) for a client that shows progress, stopped on entry. */
async function launchSpin(dc: DebugClient, untilMs: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-spin-'));
  const spin = join(dir, 'spin.s');
  writeFileSync(spin, '    .text\n    .globl _start\n_start:\n1:  addi a0, a0, 1\n    j 1b\n');
  await dc.initializeRequest({ adapterID: 'lockstep', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true, supportsProgressReporting: true });
  const init = dc.waitForEvent('initialized');
  await dc.launchRequest({ program: spin, untilMs } as DebugProtocol.LaunchRequestArguments);
  await init;
  await stoppedAfter(dc, () => dc.configurationDoneRequest());
}

test('a long seek into the future reports progress, and cancelling it pauses the cluster', () =>
  withClient(async (dc) => {
    await launchSpin(dc, 600000);
    const started = dc.waitForEvent('progressStart') as Promise<DebugProtocol.ProgressStartEvent>;
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await dc.customRequest('seek', { timeMs: 500000 });
    const p = await started;
    assert.equal(p.body.cancellable, true);
    await new Promise((r) => setTimeout(r, 100));
    const ended = dc.waitForEvent('progressEnd');
    await dc.customRequest('cancel', { progressId: p.body.progressId });
    assert.equal((await stopped).body.reason, 'pause');
    await ended;
    const tl = (await dc.customRequest('timeline')).body;
    assert.ok(tl.nowNs > 0 && tl.nowNs < 500000e6, `stopped on the way at ${tl.nowNs} ns`);
  }));

test('a long reverse continue reports progress, and cancelling it leaves the cluster where it was', () =>
  withClient(async (dc) => {
    await launchSpin(dc, 1000);
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 400 }));
    const before = (await dc.customRequest('timeline')).body.nowNs;
    const a0 = await evalIn(dc, 'a0');
    // No breakpoints: the search re-runs every segment of 400 ms of history, far longer than one chunk.
    const started = dc.waitForEvent('progressStart') as Promise<DebugProtocol.ProgressStartEvent>;
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    const reply = dc.reverseContinueRequest({ threadId: 1 });
    const p = await started;
    assert.equal(p.body.cancellable, true);
    assert.equal(p.body.title, 'Reverse continue');
    const ended = dc.waitForEvent('progressEnd');
    await dc.customRequest('cancel', { progressId: p.body.progressId });
    await reply;
    const stop = await stopped;
    assert.equal(stop.body.reason, 'pause');
    assert.match(stop.body.description ?? '', /reverse continue stopped where it began/);
    await ended;
    assert.equal((await dc.customRequest('timeline')).body.nowNs, before);
    assert.equal(await evalIn(dc, 'a0'), a0);
  }));

test('malformed launch arguments and requests get error responses and the adapter keeps serving', () =>
  withClient(async (dc) => {
    await dc.initializeRequest();
    assert.match(await errorOf(dc.launchRequest({ program: HELLO, bogusKey: 1 } as DebugProtocol.LaunchRequestArguments)), /bogusKey/);
    assert.match(await errorOf(dc.launchRequest({ program: 'no/such/file.s' } as DebugProtocol.LaunchRequestArguments)), /cannot read/);
    assert.match(await errorOf(dc.launchRequest({ program: HELLO, seed: 'x' } as DebugProtocol.LaunchRequestArguments)), /seed/);
    assert.match(await errorOf(dc.threadsRequest().then(() => dc.stackTraceRequest({ threadId: 1 }))), /launch first/);
    const init = dc.waitForEvent('initialized');
    await dc.launchRequest({ program: HELLO, untilMs: 10, type: 'lockstep', name: 'x', __sessionId: 'abc' } as DebugProtocol.LaunchRequestArguments);
    await init;
    await dc.configurationDoneRequest();
    assert.match(await errorOf(dc.stackTraceRequest({} as DebugProtocol.StackTraceArguments)), /threadId/);
    assert.match(await errorOf(dc.stackTraceRequest({ threadId: 99 })), /no thread 99/);
    assert.match(await errorOf(dc.variablesRequest({ variablesReference: 12345 })), /no variables/);
    assert.match(await errorOf(dc.evaluateRequest({ expression: '1 +', context: 'watch' })), /end of expression/);
    assert.match(await errorOf(dc.evaluateRequest({ expression: '.frobnicate', context: 'repl' })), /unknown command/);
    assert.match(await errorOf(dc.customRequest('injectFault', { kind: 'meteorStrike' })), /kind/);
    assert.match(await errorOf(dc.customRequest('seek', { when: 'now' })), /timeMs/);
    assert.match(await errorOf(dc.customRequest('nope')), /unrecognized/);
    assert.match(await errorOf(dc.disassembleRequest({ memoryReference: 'zz', instructionCount: 3 })), /memoryReference/);
    const bad = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: 'garbage' }] });
    assert.equal(bad.body.breakpoints[0].verified, false);
    const fb = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'no_such_function' }, { name: 'puts' }] });
    assert.deepEqual(fb.body.breakpoints.map((b) => b.verified), [false, true]);
    const sb = await dc.setBreakpointsRequest({ source: { path: '/nowhere.c' }, breakpoints: [{ line: 3 }] });
    assert.equal(sb.body.breakpoints[0].verified, false);
    assert.deepEqual(await threadNames(dc).then((n) => n.length > 0), true, 'still serving');
  }));

test('every request with garbage arguments gets a response, and the session goes on', () =>
  withClient(async (dc) => {
    const stop = await launch(dc, { program: HELLO, untilMs: 10 });
    const commands = [
      'threads', 'stackTrace', 'scopes', 'variables', 'setVariable', 'source', 'evaluate', 'completions', 'setBreakpoints',
      'setFunctionBreakpoints', 'setInstructionBreakpoints', 'setExceptionBreakpoints', 'dataBreakpointInfo', 'setDataBreakpoints',
      'disassemble', 'readMemory', 'writeMemory', 'exceptionInfo', 'stepBack', 'reverseContinue', 'next', 'stepIn', 'stepOut',
      'injectFault', 'compareVMs', 'seek', 'checkpoint', 'timeline', 'gotoTargets', 'loadedSources', 'modules', 'cancel',
    ];
    const garbage: unknown[] = [undefined, null, 42, 'x', [], {}, { threadId: 'one', frameId: -1, variablesReference: 'r', expression: 7, memoryReference: {}, breakpoints: 'no', source: 3, count: -5, instructionCount: 1e12, op: 'explode', timeMs: -1, vm: 'a', kind: 9, dataId: 5 }];
    for (const c of commands) {
      for (const g of garbage) {
        const r = await dc.customRequest(c, g).then((x) => x, (e: Error) => ({ success: false, message: e.message }));
        assert.equal(typeof r.success, 'boolean', `${c} ${JSON.stringify(g)}`);
      }
    }
    assert.equal((await threadNames(dc))[0], 'primary @ host-a');
    const f = await topFrame(dc, stop.body.threadId!);
    assert.equal(f.source?.path, HELLO);
  }));
