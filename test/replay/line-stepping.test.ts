// Reverse source-line stepping in the kvstore's C code: over a call lands on the calling line, in enters it, out leaves it; seeking to cluster events.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from '../../src/ft/cluster';
import { TimeMachine } from '../../src/replay/time-machine';
import { Reverse } from '../../src/replay/reverse';
import type { ReverseLineKind } from '../../src/replay/reverse';
import { drain } from '../../src/replay/search';
import { ProgramInfo } from '../../src/debug/program-info';
import { kvstore, scenario } from '../ft/helpers';

// kvstore.c:204 `status = … table_put(…)` then :201 `applied++` (objdump --dwarf=decodedline).
// Right after `jal send_reply` (line 204), a leaf without a stack frame. Rows for 205 (a statement) and 207 start
// there; the debugger shows the statement's line, 205.
const LINE_207 = 0x8000090c;

function stoppedAfterCall(): { tm: TimeMachine; vm: number } {
  const tm = new TimeMachine(new Cluster(scenario({ untilMs: 60 }), kvstore()));
  const p = tm.cluster.main.primary!;
  tm.stops.setCode([LINE_207]);
  const stop = tm.forward(60e6);
  assert.equal(stop.reason, 'breakpoint', 'a PUT completed and reached line 207');
  tm.stops.setCode([]);
  return { tm, vm: p.id };
}

const info = new ProgramInfo(kvstore(), 'examples/kvstore/kvstore.elf');
const line = (pc: number) => info.lineKey(pc)?.replace(/^.*\//, '');
const reverseLineStep = (tm: TimeMachine, vm: number, kind: ReverseLineKind) => drain(new Reverse(tm, () => info).stepLine(vm, kind));

const SEND_REPLY = [0x80000294, 0x80000420]; // send_reply … start_next_write
const CALL = 0x8000090a; // jal send_reply

test('reverse step over a call lands on the calling line, skipping the callee (a leaf with no stack frame)', () => {
  const { tm, vm } = stoppedAfterCall();
  const m = tm.cluster.vm(vm)!.machine;
  assert.equal(line(m.pc), 'kvstore.c:205');
  const before = m.instret;
  assert.equal(reverseLineStep(tm, vm, 'over').reason, 'step');
  assert.equal(line(m.pc), 'kvstore.c:204');
  assert.ok(m.pc < SEND_REPLY[0] || m.pc >= SEND_REPLY[1], 'not inside send_reply');
  assert.ok(before - m.instret > 20, `went back over the whole call (${before - m.instret} instructions)`);
});

test('reverse step in enters the callee at the last line it executed', () => {
  const { tm, vm } = stoppedAfterCall();
  const m = tm.cluster.vm(vm)!.machine;
  assert.equal(reverseLineStep(tm, vm, 'in').reason, 'step');
  assert.ok(m.pc >= SEND_REPLY[0] && m.pc < SEND_REPLY[1], `inside send_reply: 0x${m.pc.toString(16)}`);
});

test('reverse step out of the callee goes back to the call instruction in the caller', () => {
  const { tm, vm } = stoppedAfterCall();
  const m = tm.cluster.vm(vm)!.machine;
  reverseLineStep(tm, vm, 'in');
  assert.equal(reverseLineStep(tm, vm, 'out').reason, 'step');
  assert.equal(m.pc, CALL);
  assert.equal(line(m.pc), 'kvstore.c:204');
});

test('seek to a cluster event: just after the first go-live', () => {
  const tm = new TimeMachine(new Cluster(scenario({ untilMs: 120, faults: [{ atMs: 30, kind: 'hostCrash', host: '@primary' }] }), kvstore()));
  tm.forward(120e6);
  assert.equal(tm.seekEvent('goLive', 0).reason, 'time');
  const live = tm.events().find((e) => e.kind === 'goLive')!;
  assert.equal(tm.cluster.nowNs, live.timeNs);
  assert.equal(tm.cluster.main.primary!.host, 'host-b');
  assert.equal(tm.seekEvent('goLive', 5).reason, 'unreachable');
});
