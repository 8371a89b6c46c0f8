// The debug runtime in-process: a run observed by the debugger (breakpoints, steps, exception stops, time travel) is the same run as an unobserved one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LockstepRuntime } from '../../src/debug/runtime';
import { prepareLaunch } from '../../src/debug/launch';
import { Cluster } from '../../src/ft/cluster';
import { KVSTORE, HELLO } from './helpers';
import { mulberry32 } from '../helpers/mulberry32';

const FAULTS = [{ atMs: 30, kind: 'hostCrash', host: '@primary' }];

function runtime(extra: Record<string, unknown> = {}): LockstepRuntime {
  const l = prepareLaunch({ program: KVSTORE, untilMs: 80, faults: FAULTS, ...extra });
  return new LockstepRuntime({ scenario: l.scenario, program: l.program, programPath: l.programPath });
}

function straightHash(untilNs: number): string {
  const l = prepareLaunch({ program: KVSTORE, untilMs: 80, faults: FAULTS });
  const c = new Cluster(l.scenario, l.program);
  c.run(untilNs);
  return c.trace.hash();
}

test('stopping at breakpoints, stepping, exception stops and stepping back do not change the run', async () => {
  const rt = runtime();
  rt.setExceptionFilters(['failover', 'hostFailure', 'checker', 'divergence']);
  rt.setCodeBreakpoints('function', [{ id: 1, addrs: [rt.info.symbol('trap_handler')!.addr] }]);
  const reasons = new Set<string>();
  for (let i = 0; i < 12; i++) {
    const s = await rt.continue();
    reasons.add(s.reason === 'exception' ? s.description ?? s.reason : s.reason);
    if (s.vm !== undefined && rt.vm(s.vm)?.alive) {
      await rt.stepLine(s.vm, true);
      await rt.stepInstruction(s.vm, 3);
      rt.stepBack(s.vm);
    }
  }
  rt.setCodeBreakpoints('function', []);
  for (let i = 0; i < 10 && rt.cluster.nowNs < 60e6; i++) await rt.runUntil(60e6);
  assert.equal(rt.cluster.nowNs, 60e6);
  assert.equal(rt.cluster.trace.hash(), straightHash(60e6), `reasons seen: ${[...reasons].join(', ')}`);
  assert.ok(reasons.has('function breakpoint'));
});

test('exception stops happen at the quantum of the event and the run resumes exactly', async () => {
  const rt = runtime();
  rt.setExceptionFilters(['failover', 'hostFailure']);
  const crash = await rt.continue();
  assert.equal(crash.description, 'Host failure');
  assert.ok(Math.abs(rt.cluster.nowNs - 30e6) < 0.1e6, `stopped at ${rt.cluster.nowNs}`);
  const live = await rt.continue();
  assert.equal(live.description, 'Failover');
  assert.equal(rt.cluster.main.primary!.host, 'host-b');
  assert.ok(rt.cluster.nowNs > 60e6 && rt.cluster.nowNs < 80e6, `failover at ${rt.cluster.nowNs}`);
  await rt.runUntil(80e6);
  assert.equal(rt.cluster.nowNs, 80e6);
  assert.equal(rt.cluster.trace.hash(), straightHash(80e6));
});

test('line steps in assembly visit each source line in order; stepping back by line returns', async () => {
  const l = prepareLaunch({ program: HELLO, untilMs: 10 });
  const rt = new LockstepRuntime({ scenario: l.scenario, program: l.program, programPath: l.programPath });
  const p = rt.cluster.main.primary!;
  const lines: number[] = [];
  for (let i = 0; i < 5; i++) {
    lines.push(rt.info.location(p.machine.pc)!.line);
    await rt.stepLine(p.id, true);
  }
  assert.deepEqual(lines, [16, 17, 18, 19, 20]);
  assert.equal(rt.info.location(p.machine.pc)!.line, 21);
  await rt.stepBackLine(p.id, 'over');
  assert.equal(rt.info.location(p.machine.pc)!.line, 20);
  await rt.stepBackLine(p.id, 'over');
  assert.equal(rt.info.location(p.machine.pc)!.line, 19, 'back over the call to puts');
  await rt.stepBackLine(p.id, 'over');
  assert.equal(rt.info.location(p.machine.pc)!.line, 18);
});

test('continuing from breakpoint and data breakpoint hits and line steps (no time travel) is the same run', async () => {
  const rt = runtime();
  rt.setCodeBreakpoints('function', [{ id: 1, addrs: [rt.info.symbol('send_reply')!.addr] }]);
  rt.setDataBreakpoints([{ id: 2, addr: rt.info.symbol('ticks')!.addr, len: 4 }]);
  const seen = new Map<string, number>();
  for (let i = 0; i < 40; i++) {
    const s = await rt.continue();
    seen.set(s.reason, (seen.get(s.reason) ?? 0) + 1);
    if (s.vm !== undefined && rt.vm(s.vm)?.alive && i % 5 === 0) await rt.stepLine(s.vm, true);
  }
  rt.setCodeBreakpoints('function', []);
  rt.setDataBreakpoints([]);
  await rt.runUntil(80e6);
  assert.ok((seen.get('function breakpoint') ?? 0) > 0 && (seen.get('data breakpoint') ?? 0) > 0, JSON.stringify([...seen]));
  assert.equal(rt.cluster.trace.hash(), straightHash(80e6));
});

/**
 * Chunk lengths from 1 ns to 3 ms, seeded: chunk ends fall anywhere. (Where an instant must be hit exactly —
 * just before an output's instruction — test/ft/determinism.test.ts slices the cluster there.)
 */
function randomChunks(seed: number): number[] {
  let r = seed;
  return Array.from({ length: 997 }, () => {
    r = (r * 1103515245 + 12345) % 2147483648;
    return 1 + (r % (r % 4 === 0 ? 3_000_000 : 40_000));
  });
}

const HELD_FAULTS = [{ atMs: 10, kind: 'loggingLinkDown' }, { atMs: 25, kind: 'loggingLinkUp' }, { atMs: 40, kind: 'loggingLinkDown' }];
for (const [name, plan] of [['chunks sized by wall time', undefined], ['seeded random chunks', randomChunks(35)]] as const) {
  test(`held-output stops and gotos both ways do not change the run (${name})`, async () => {
    await heldOutputStopsAndGotos(plan);
  });
}

async function heldOutputStopsAndGotos(chunkPlanNs: readonly number[] | undefined): Promise<void> {
  const faults = HELD_FAULTS;
  const l = prepareLaunch({ program: KVSTORE, untilMs: 80, faults });
  const rt = new LockstepRuntime({ scenario: l.scenario, program: l.program, programPath: l.programPath, chunkPlanNs });
  rt.setExceptionFilters(['heldOutput'], 2);
  const stops: string[] = [];
  for (let i = 0; i < 4; i++) {
    const s = await rt.continue();
    stops.push(s.description ?? s.reason);
    if (s.reason !== 'exception') break;
    assert.equal(rt.lastException?.filter, 'heldOutput');
  }
  assert.deepEqual(stops.slice(0, 2), ['Output held too long', 'Output held too long'], 'one stop per backlog: two link outages');
  const p = rt.cluster.main.primary!.id;
  const addr = rt.info.symbol('send_reply')!.addr;
  const back = await rt.goto(p, addr);
  assert.equal(back?.reason, 'goto');
  assert.equal(rt.vm(p)!.machine.pc >>> 0, addr);
  await rt.stepInstruction(p, 5);
  const l2 = prepareLaunch({ program: KVSTORE, untilMs: 80, faults });
  const c = new Cluster(l2.scenario, l2.program);
  c.run(70e6);
  rt.setExceptionFilters([]);
  await rt.runUntil(70e6);
  assert.equal(rt.cluster.trace.hash(), c.trace.hash());
}

test('held-output stops do not depend on how the runtime chunks a run (chunks are sized by wall time)', async () => {
  // Three outages, the middle one healed while outputs are still queued behind the reported one.
  const faults = [{ atMs: 10, kind: 'loggingLinkDown' }, { atMs: 25, kind: 'loggingLinkUp' }, { atMs: 40, kind: 'loggingLinkDown' }, { atMs: 52, kind: 'loggingLinkUp' }];
  const stopsWith = async (chunkPlanNs: number[] | undefined): Promise<string[]> => {
    const l = prepareLaunch({ program: KVSTORE, untilMs: 70, faults });
    const rt = new LockstepRuntime({ scenario: l.scenario, program: l.program, programPath: l.programPath, chunkPlanNs });
    rt.setExceptionFilters(['heldOutput'], 2);
    const stops: string[] = [];
    for (let i = 0; i < 20; i++) {
      const s = await rt.continue();
      stops.push(`${s.reason}@${rt.cluster.nowNs}:${rt.lastException?.text ?? ''}`);
      if (s.reason !== 'exception') break;
    }
    return stops;
  };
  const adaptive = await stopsWith(undefined);
  assert.ok(adaptive.filter((s) => s.startsWith('exception')).length >= 2, adaptive.join('\n'));
  for (const plan of [[7_000], [130_000], [5_000_000], randomChunks(3)]) assert.deepEqual(await stopsWith(plan), adaptive, `chunks of ${plan.slice(0, 4)}… ns`);
});

test('random debugging sessions (continue, steps, step back, seeks both ways, reverse continue, live faults) end in the run a straight cluster gives with the faults they injected', async () => {
  const faultPool: Record<string, unknown>[] = [
    { kind: 'hostCrash', host: '@primary' }, { kind: 'hostCrash', host: '@secondary' }, { kind: 'loggingLinkDown' }, { kind: 'loggingLinkUp' },
    { kind: 'slowHost', host: '@secondary', factor: 0.5 }, { kind: 'testFailover' }, { kind: 'testRestartSecondary' }, { kind: 'suspendFT' }, { kind: 'resumeFT' },
  ];
  for (let seed = 1; seed <= 12; seed++) {
    const rnd = mulberry32(seed);
    const chunkPlanNs = Array.from({ length: 257 }, () => 1 + Math.floor(rnd() * (rnd() < 0.2 ? 3e6 : 40e3)));
    const l = prepareLaunch({ program: KVSTORE, untilMs: 60 });
    const rt = new LockstepRuntime({ scenario: l.scenario, program: l.program, programPath: l.programPath, chunkPlanNs });
    const reply = [{ id: 1, addrs: [rt.info.symbol('send_reply')!.addr] }];
    rt.setCodeBreakpoints('function', reply);
    const ops: string[] = [];
    for (let i = 0; i < 40; i++) {
      const r = rnd(), p = rt.cluster.main.primary;
      try {
        if (r < 0.3) ops.push((await rt.continue()).reason);
        else if (r < 0.4 && p) ops.push((await rt.stepInstruction(p.id, 1 + Math.floor(rnd() * 50))).reason);
        else if (r < 0.5 && p) ops.push(`back:${rt.stepBack(p.id).reason}`);
        else if (r < 0.6) ops.push(`seek:${rt.seekTime(Math.floor(rnd() * rt.cluster.nowNs)).reason}`);
        else if (r < 0.7) ops.push((await rt.runUntil(Math.min(60e6, rt.cluster.nowNs + rnd() * 5e6))).reason);
        else if (r < 0.78) ops.push(`inject:${rt.inject(faultPool[Math.floor(rnd() * faultPool.length)]).fault.kind}`);
        else if (r < 0.85 && p) ops.push(`reverse:${(await rt.reverseContinue(p.id)).reason}`);
        else if (r < 0.9) rt.setCodeBreakpoints('function', rnd() < 0.5 ? [] : reply);
        else ops.push(`seek:${rt.seekTime(Math.min(60e6, rt.cluster.nowNs + rnd() * 3e6)).reason}`);
      } catch (e) {
        ops.push(`refused:${(e as Error).message.slice(0, 30)}`); // a step on a VM that is gone, say: the user gets an error
      }
    }
    rt.setCodeBreakpoints('function', []);
    for (let i = 0; i < 20 && rt.cluster.nowNs < 60e6; i++) await rt.runUntil(60e6);
    const straight = new Cluster(l.scenario, l.program);
    for (const inj of rt.cluster.injected) straight.scheduleInjected(inj.atNs, inj.fault);
    straight.run(60e6);
    assert.equal(rt.cluster.trace.hash(), straight.trace.hash(), `seed ${seed}: ${ops.join(' ')}`);
  }
});

test('travels through the past run in chunks: they report progress, and a pause brings the cluster back where it began', async () => {
  const l = prepareLaunch({ program: KVSTORE, untilMs: 80 });
  const rt = new LockstepRuntime({ scenario: l.scenario, program: l.program, programPath: l.programPath, travelChunkSteps: 1 });
  await rt.runUntil(40e6);
  const p = rt.cluster.main.primary!.id;
  const here = { nowNs: rt.cluster.nowNs, instret: rt.vm(p)!.machine.instret, hash: rt.vm(p)!.machine.hash() };
  const seen: { what: string; done: number; total: number }[] = [];
  rt.on('progress', (x) => seen.push(x));
  // No breakpoints: reverse continue scans every segment of history back to the start.
  const done = await rt.reverseContinue(p);
  assert.equal(done.description, 'Start of the recording');
  assert.ok(seen.length >= 6, `progress reported ${seen.length} times (one per segment between checkpoints: 8 over 40 ms)`);
  assert.ok(seen.every((x, i) => x.what === 'reverse continue' && x.done < x.total && (i === 0 || x.done > seen[i - 1].done)), 'progress only grows');
  await rt.runUntil(40e6);
  assert.equal(rt.cluster.nowNs, here.nowNs);
  seen.length = 0;
  rt.once('progress', () => rt.pause());
  const paused = await rt.reverseContinue(p);
  assert.equal(paused.reason, 'pause');
  assert.match(paused.description ?? '', /Paused: reverse continue stopped where it began/);
  assert.equal(seen.length, 1, 'the pause took effect at the end of the first chunk');
  assert.deepEqual({ nowNs: rt.cluster.nowNs, instret: rt.vm(p)!.machine.instret, hash: rt.vm(p)!.machine.hash() }, here);
  assert.equal(rt.isRunning, false);
});

test('reverse line steps: in enters the callee the previous line called, out goes back to the call', async () => {
  const l = prepareLaunch({ program: HELLO, untilMs: 10 });
  const rt = new LockstepRuntime({ scenario: l.scenario, program: l.program, programPath: l.programPath });
  const p = rt.cluster.main.primary!;
  const line = () => rt.info.location(p.machine.pc)?.line;
  for (let i = 0; i < 5; i++) await rt.stepLine(p.id, true); // to line 21, after the call to puts on 20
  assert.equal(line(), 21);
  const puts = rt.info.symbol('puts')!;
  await rt.stepBackLine(p.id, 'in');
  assert.equal(rt.info.functionAt(p.machine.pc)?.name, puts.name, 'back into puts, at the last line it ran');
  await rt.stepBackLine(p.id, 'out');
  assert.equal(line(), 20, 'out of puts: at the call on line 20');
  assert.equal(rt.info.functionAt(p.machine.pc)?.name === puts.name, false);
});

test('a write into a VM at a past moment branches history there: travelling forward keeps it', async () => {
  const l = prepareLaunch({ program: KVSTORE, untilMs: 80 });
  const rt = new LockstepRuntime({ scenario: l.scenario, program: l.program, programPath: l.programPath });
  await rt.runUntil(40e6);
  const p = rt.cluster.main.primary!.id;
  const ticks = rt.info.symbol('ticks')!.addr;
  const read = () => new DataView(rt.readMemory(p, ticks, 4).bytes.buffer).getUint32(0, true);
  const atForty = read();
  rt.seekTime(20e6);
  rt.writeMemory(p, ticks, new Uint8Array([0, 0, 0, 1]), false); // ticks = 0x01000000
  assert.equal(rt.frontierNs, 20e6, 'the old future is gone');
  rt.seekTime(40e6);
  assert.ok(read() >= 0x01000000, `the write survived the travel (ticks ${read()}, ${atForty} before the write)`);
  rt.seekTime(30e6);
  rt.setRegister(p, 'regs', 'a0', '0x1234');
  assert.equal(rt.frontierNs, 30e6);
});

test('a program of few compile units looks a C name up in every unit, as it always did: a name no unit has is then the machine evaluator\'s to refuse', async () => {
  const l = prepareLaunch({ program: KVSTORE, untilMs: 80 });
  const rt = new LockstepRuntime({ scenario: l.scenario, program: l.program, programPath: l.programPath, programBytes: l.programBytes });
  rt.setCodeBreakpoints('function', [{ id: 1, addrs: [rt.resolveFunction('send_reply')!.addr] }]);
  const s = await rt.continue();
  assert.equal(s.reason, 'function breakpoint');
  const d = rt.info.dwarf!;
  assert.equal(d.large, false, `${d.unitCount} units`);
  assert.equal(rt.evaluateC(s.vm!, 0, 'REQ_HEADER'), undefined, 'a macro: no C name');
  assert.throws(() => rt.evaluate(s.vm!, 'REQ_HEADER'), /unknown name "REQ_HEADER" \(registers, CSRs, pc, instret and program symbols are known\)/);
  assert.equal(d.unitsRead(), d.unitCount, 'every unit was read for it');
  assert.match(rt.evaluateC(s.vm!, 0, 'applied')?.text ?? '', /^\d+$/, 'a file-static global');
});
