// Reverse source-line stepping in the kvstore's C code: over a call lands on the calling line, in enters it, out leaves it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from '../../src/ft/cluster';
import { TimeMachine } from '../../src/replay/time-machine';
import { callDelta, lineKey, reverseLineStep } from '../../src/replay/line-stepping';
import { kvstore, scenario } from '../ft/helpers';

// kvstore.c:204 `status = … table_put(…)` then :201 `applied++` (objdump --dwarf=decodedline).
const LINE_207 = 0x8000090c; // kvstore.c:207, right after `jal send_reply` (line 204), a leaf without a stack frame

function stoppedAfterCall(): { tm: TimeMachine; vm: number } {
  const tm = new TimeMachine(new Cluster(scenario({ untilMs: 60 }), kvstore()));
  const p = tm.cluster.primary!;
  p.machine.cpu.setBreakpoints([LINE_207]);
  const stop = tm.forward(60e6);
  assert.equal(stop.reason, 'breakpoint', 'a PUT completed and reached line 207');
  p.machine.cpu.setBreakpoints([]);
  return { tm, vm: p.id };
}

const line = (pc: number) => lineKey(kvstore().lines, pc)?.replace(/^.*\//, '');

const SEND_REPLY = [0x80000294, 0x80000420]; // send_reply … start_next_write
const CALL = 0x8000090a; // jal send_reply

test('reverse step over a call lands on the calling line, skipping the callee (a leaf with no stack frame)', () => {
  const { tm, vm } = stoppedAfterCall();
  const m = tm.cluster.vm(vm)!.machine;
  assert.equal(line(m.pc), 'kvstore.c:207');
  const before = m.instret;
  assert.equal(reverseLineStep(tm, kvstore(), vm, 'over').reason, 'step');
  assert.equal(line(m.pc), 'kvstore.c:204');
  assert.ok(m.pc < SEND_REPLY[0] || m.pc >= SEND_REPLY[1], 'not inside send_reply');
  assert.ok(before - m.instret > 20, `went back over the whole call (${before - m.instret} instructions)`);
});

test('reverse step in enters the callee at the last line it executed', () => {
  const { tm, vm } = stoppedAfterCall();
  const m = tm.cluster.vm(vm)!.machine;
  assert.equal(reverseLineStep(tm, kvstore(), vm, 'in').reason, 'step');
  assert.ok(m.pc >= SEND_REPLY[0] && m.pc < SEND_REPLY[1], `inside send_reply: 0x${m.pc.toString(16)}`);
});

test('reverse step out of the callee goes back to the call instruction in the caller', () => {
  const { tm, vm } = stoppedAfterCall();
  const m = tm.cluster.vm(vm)!.machine;
  reverseLineStep(tm, kvstore(), vm, 'in');
  assert.equal(reverseLineStep(tm, kvstore(), vm, 'out').reason, 'step');
  assert.equal(m.pc, CALL);
  assert.equal(line(m.pc), 'kvstore.c:204');
});

test('call depth: calls, returns and mret are recognised in both encodings', () => {
  assert.equal(callDelta(0x3bf1), 1); // c.jal
  assert.equal(callDelta(0x8b1ff0ef), 1); // jal ra
  assert.equal(callDelta(0x00008067), -1); // ret (jalr x0, 0(ra))
  assert.equal(callDelta(0x8082), -1); // c.jr ra
  assert.equal(callDelta(0x9782), 1); // c.jalr a5
  assert.equal(callDelta(0x30200073), -1); // mret
  assert.equal(callDelta(0xbd45), 0); // c.j
  assert.equal(callDelta(0x00a50533), 0); // add
});

test('seek to a cluster event: just after the first go-live', () => {
  const tm = new TimeMachine(new Cluster(scenario({ untilMs: 120, faults: [{ atMs: 30, kind: 'hostCrash', host: '@primary' }] }), kvstore()));
  tm.forward(120e6);
  assert.equal(tm.seekEvent('goLive', 0).reason, 'time');
  const live = tm.events().find((e) => e.kind === 'goLive')!;
  assert.equal(tm.cluster.nowNs, live.timeNs);
  assert.equal(tm.cluster.primary!.host, 'host-b');
  assert.equal(tm.seekEvent('goLive', 5).reason, 'unreachable');
});
