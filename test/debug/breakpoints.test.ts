// Breakpoint flavours (conditional, hit count, log point, function, instruction), C line stepping, recordings and the TCP server mode.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { HELLO, KVSTORE, KVSTORE_C, ROOT, lineOf, launch, stoppedAfter, topFrame, evalIn, threadNames, withClient } from './helpers';
import { parseScenario } from '../../src/ft/scenario';
import { runScenario } from '../../src/ft/report';
import { loadProgramBytes } from '../../src/asm/load-program';
import { recordingOf } from '../../src/replay/replay-run';
import { encodeRecording } from '../../src/replay/recording';
import { SIMULATION_MODEL } from '../../src/ft/model';

test('conditional, hit-count and log breakpoints in assembly', () =>
  withClient(async (dc) => {
    const loop = lineOf(HELLO, 'sb      t1, 0(t0)');
    const outputs: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => outputs.push(e.body.output));
    const stop = await launch(dc, { program: HELLO, untilMs: 20, stopOnEntry: false }, async () => {
      const r = await dc.setBreakpointsRequest({
        source: { path: HELLO },
        breakpoints: [{ line: loop, condition: 't1 == 0x4c' }, { line: lineOf(HELLO, 'beqz    t1, 3f'), logMessage: 'char {t1}' }],
      });
      assert.deepEqual(r.body.breakpoints.map((b) => b.verified), [true, true]);
    });
    assert.equal(stop.body.reason, 'breakpoint');
    const f = await topFrame(dc, stop.body.threadId!);
    assert.equal(f.line, loop);
    assert.equal(await evalIn(dc, 't1', f.id), '0x0000004c (76)', "stopped at the first 'L' of Lockstep");
    assert.ok(outputs.some((o) => o === 'char 72\n'), `log point printed 'H' (72) before: ${JSON.stringify(outputs.slice(0, 5))}`);
    // hit count: the third time the line is reached
    await dc.setBreakpointsRequest({ source: { path: HELLO }, breakpoints: [{ line: loop, hitCondition: '3' }] });
    const s2 = await stoppedAfter(dc, () => dc.continueRequest({ threadId: stop.body.threadId! }));
    assert.equal(s2.body.reason, 'breakpoint');
  }));

test('function and instruction breakpoints; C line stepping stays in the C file', () =>
  withClient(async (dc) => {
    const stop = await launch(dc, { program: KVSTORE, untilMs: 100, stopOnEntry: false }, async () => {
      const r = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'main' }] });
      assert.equal(r.body.breakpoints[0].verified, true);
    });
    assert.equal(stop.body.reason, 'function breakpoint');
    const tid = stop.body.threadId!;
    const f = await topFrame(dc, tid);
    assert.equal(f.name, 'main');
    assert.equal(f.source?.path, KVSTORE_C);
    // Cleared first (the secondary reaches main later and would end a step there). The first step starts at
    // main's entry, before its prologue moved sp: it must still stop at main's next line, not run on.
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const lines = new Set<number>();
    for (let i = 0; i < 10; i++) {
      const st = await stoppedAfter(dc, () => dc.nextRequest({ threadId: tid }));
      assert.equal(st.body.reason, 'step', JSON.stringify(st.body));
      const g = await topFrame(dc, tid);
      assert.match(g.source?.path ?? '', /kvstore\.c$|lockstep\.h$/, 'C sources (lockstep.h has inline functions)');
      if (g.source?.path === KVSTORE_C) lines.add(g.line);
    }
    assert.ok(lines.size >= 2, `lines visited ${[...lines]}`);
    const handler = (await dc.evaluateRequest({ expression: 'trap_handler', context: 'watch' })).body.memoryReference!;
    const ib = await dc.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: handler }] }) as DebugProtocol.SetInstructionBreakpointsResponse;
    assert.equal(ib.body.breakpoints[0].verified, true);
    const s = await stoppedAfter(dc, () => dc.continueRequest({ threadId: tid }));
    assert.equal(s.body.reason, 'instruction breakpoint');
    assert.equal((await topFrame(dc, s.body.threadId!)).instructionPointerReference, handler);
  }));

test('a divergence (what-if: timer interrupts left out of the log) stops with an exception on the secondary', () =>
  withClient(async (dc) => {
    const stop = await launch(dc, { program: KVSTORE, untilMs: 100, stopOnEntry: false, whatIf: { omitLogKinds: ['timer'] } });
    assert.equal(stop.body.reason, 'exception');
    assert.equal(stop.body.description, 'Divergence');
    const names = await threadNames(dc);
    const t = (await dc.threadsRequest()).body.threads.find((x) => x.id === stop.body.threadId);
    assert.match(t?.name ?? '', /^secondary @ host-b/, names.join(', '));
    const ex = await dc.exceptionInfoRequest({ threadId: stop.body.threadId! });
    assert.equal(ex.body.exceptionId, 'divergence');
    assert.match(ex.body.description ?? '', /waits for an interrupt/);
  }));

const TRAPPER = `    .text
    .globl _start
_start:
    la      t0, handler
    csrw    mtvec, t0
    li      a0, 0
1:  addi    a0, a0, 1
    li      t1, 1000
    bne     a0, t1, 1b
    ecall
2:  j       2b
handler:
    csrr    t1, mepc
    addi    t1, t1, 4
    csrw    mepc, t1
    mret
`;

test('the guest-trap exception filter stops at a synchronous exception, in the handler', () =>
  withClient(async (dc) => {
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-trap-'));
    const file = join(dir, 'trap.s');
    writeFileSync(file, TRAPPER);
    const stop = await launch(dc, { program: file, untilMs: 5, stopOnEntry: false }, () => dc.setExceptionBreakpointsRequest({ filters: ['guestTrap'] }));
    assert.equal(stop.body.reason, 'exception');
    assert.equal(stop.body.description, 'Guest trap');
    const f = await topFrame(dc, stop.body.threadId!);
    assert.equal(f.name, 'handler');
    assert.equal(await evalIn(dc, 'mcause', f.id), '0x0000000b (11)', 'ecall from M-mode');
    assert.equal(await evalIn(dc, 'a0', f.id), '0x000003e8 (1000)');
  }));

test('a recording reopens in the debugger with its live-injected fault', () =>
  withClient(async (dc) => {
    const bytes = readFileSync(KVSTORE);
    const scenario = parseScenario({ program: 'kvstore.elf', untilMs: 80 });
    const { cluster, summary } = runScenario(scenario, loadProgramBytes('kvstore.elf', bytes));
    const rec = recordingOf(scenario, 'kvstore.elf', bytes, cluster, summary, 'test');
    rec.injected.push({ atNs: 20e6 + 1, fault: { atMs: 20, kind: 'hostCrash', host: '@primary' } });
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-dbg-'));
    const file = join(dir, 'run.lsrec');
    writeFileSync(file, encodeRecording(rec));
    const stop = await launch(dc, { replay: file });
    assert.equal(stop.body.reason, 'entry');
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 79 }));
    assert.ok((await threadNames(dc)).includes('primary @ host-b'));
  }));

test('a recording made under another simulation model opens with a notice saying why it may differ', () =>
  withClient(async (dc) => {
    const bytes = readFileSync(HELLO);
    const scenario = parseScenario({ program: 'hello.s', untilMs: 2, workload: { clients: 0 } });
    const { cluster, summary } = runScenario(scenario, loadProgramBytes('hello.s', bytes));
    const rec = recordingOf(scenario, 'hello.s', bytes, cluster, summary, 'test');
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-dbg-'));
    const file = join(dir, 'old.lsrec');
    writeFileSync(file, encodeRecording({ ...rec, expect: { ...rec.expect, model: SIMULATION_MODEL + 1 } }));
    const notice = dc.assertOutput('important', `Lockstep: old.lsrec: the recording was made under simulation model ${SIMULATION_MODEL + 1} (a newer Lockstep)`);
    const stop = await launch(dc, { replay: file });
    assert.equal(stop.body.reason, 'entry', 'the recording still opens');
    await notice;
  }));

test('TCP server mode serves a session', async () => {
  const port = 40000 + (process.pid % 20000);
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/debug/main.ts'), `--server=${port}`], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (d: Buffer) => { if (d.toString().includes('waiting')) resolve(); });
      child.on('exit', (code) => reject(new Error(`adapter exited with ${code}`)));
    });
    const dc = new DebugClient('node', 'unused', 'lockstep');
    await dc.start(port);
    try {
      const stop = await launch(dc, { program: HELLO, untilMs: 5 });
      assert.equal(stop.body.reason, 'entry');
      assert.equal((await threadNames(dc))[0], 'primary @ host-a');
    } finally {
      await dc.stop();
    }
  } finally {
    child.kill();
  }
});
