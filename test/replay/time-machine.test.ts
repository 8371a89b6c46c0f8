// Time travel: reaching a point backwards gives the same state as reaching it forwards; reverse continue finds the last hit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from '../../src/ft/cluster';
import { TimeMachine } from '../../src/replay/time-machine';
import { Prng } from '../../src/ft/sim/prng';
import { kvstore, scenario } from '../ft/helpers';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareLaunch } from '../../src/debug/launch';

const TRAP_HANDLER = 0x80000650; // kvstore's trap_handler (nm examples/kvstore/kvstore.elf)
const TICKS = 0x80000d10; // kvstore's `ticks` counter, written by every timer interrupt

function fresh(untilMs = 60, faults: unknown[] = []): Cluster {
  return new Cluster(scenario({ untilMs, faults }), kvstore());
}

/** State of VM `vm` after exactly `instret` instructions, reached by running forward from the start. */
function forwardHash(vm: number, instret: number, faults: unknown[] = []): string {
  const c = fresh(60, faults);
  c.stepTargets.set(vm, instret);
  const stop = c.run(1e9);
  assert.equal(stop.reason, 'step');
  return c.vm(vm)!.machine.hash();
}

test('seeking backwards to random points gives the same state as running forwards to them', () => {
  const faults = [{ atMs: 25, kind: 'hostCrash', host: '@primary' }];
  const tm = new TimeMachine(fresh(100, faults));
  tm.forward(100e6);
  const c = tm.cluster;
  const prng = new Prng(5, 'test');
  const ends = c.vms.filter((v) => v.machine.instret > 10).map((v) => ({ id: v.id, end: v.machine.instret, start: 0 }));
  assert.equal(ends.length, 3, 'old primary, new primary, respawned secondary');
  for (let i = 0; i < 12; i++) {
    const e = prng.pick(ends);
    const vm = { id: e.id };
    const instret = prng.int(e.id === 3 ? e.end - 20_000 : 1, e.end - 1); // VM 3 was born mid-run
    const stop = tm.seekInstret(vm.id, instret);
    assert.equal(stop.reason, 'step', `seek vm ${vm.id} to ${instret}`);
    assert.equal(c.vm(vm.id)!.machine.instret, instret);
    assert.equal(c.vm(vm.id)!.machine.hash(), forwardHash(vm.id, instret, faults), `vm ${vm.id} at ${instret}`);
  }
});

test('step back: one instruction back, the same state as forwards, and the start of the recording stops it', () => {
  const tm = new TimeMachine(fresh());
  tm.forward(20e6);
  const p = tm.cluster.main.primary!;
  const k = p.machine.instret;
  for (let i = 1; i <= 3; i++) {
    assert.equal(tm.stepBack(p.id).reason, 'step');
    assert.equal(p.machine.instret, k - i);
  }
  assert.equal(p.machine.hash(), forwardHash(p.id, k - 3));
  tm.seekInstret(p.id, 1);
  assert.equal(tm.stepBack(p.id).reason, 'step');
  assert.equal(tm.stepBack(p.id).reason, 'start');
});

test('reverse continue stops at exactly the last breakpoint hit, again and again, then at the start', () => {
  const tm = new TimeMachine(fresh());
  const c = tm.cluster;
  const p = c.main.primary!;
  tm.stops.setCode([TRAP_HANDLER]); // the time machine re-arms its stop set after every restore
  const hits: number[] = [];
  for (let n = 0; n < 10_000; n++) {
    const stop = tm.forward(12e6);
    if (stop.reason === 'breakpoint' && stop.vm === p.id) hits.push(p.machine.instret);
    else if (stop.reason === 'time') break;
  }
  assert.ok(hits.length >= 5, `hits: ${hits.length}`);
  for (let i = hits.length - 1; i >= hits.length - 4; i--) {
    let stop = tm.reverseContinue(p.id);
    while (stop.reason === 'breakpoint' && stop.vm !== p.id) stop = tm.reverseContinue(p.id); // the secondary's hits (the stops are every VM's)
    assert.equal(stop.reason, 'breakpoint');
    assert.equal(p.machine.instret, hits[i]);
    assert.equal(p.machine.pc, TRAP_HANDLER);
  }
  tm.seekInstret(p.id, hits[0]);
  assert.equal(tm.reverseContinue(p.id).reason, 'start');
});

test('a data breakpoint is hit both ways: forwards at each write, backwards at the last write', () => {
  const tm = new TimeMachine(fresh());
  const p = tm.cluster.main.primary!;
  tm.stops.setWatches([{ addr: TICKS, len: 4 }]);
  const writes: number[] = [];
  for (let n = 0; n < 1000; n++) {
    const stop = tm.forward(8e6);
    if (stop.reason === 'watchpoint' && stop.vm === p.id) writes.push(p.machine.instret);
    else if (stop.reason === 'time') break;
  }
  assert.ok(writes.length >= 4, `timer ticks written ${writes.length} times`);
  const stop = tm.reverseContinue(p.id);
  assert.equal(stop.reason, 'watchpoint');
  assert.equal(p.machine.instret, writes[writes.length - 1]);
});

test('bookmarks: create, list, jump back to the same state, delete', () => {
  const tm = new TimeMachine(fresh());
  tm.forward(15e6);
  const p = tm.cluster.main.primary!;
  const at = { instret: p.machine.instret, hash: p.machine.hash(), trace: tm.cluster.trace.hash() };
  tm.bookmark('before-load');
  tm.forward(40e6);
  assert.deepEqual(tm.listBookmarks().map((b) => b.name), ['before-load']);
  assert.ok(tm.jumpToBookmark('before-load'));
  assert.deepEqual({ instret: p.machine.instret, hash: p.machine.hash(), trace: tm.cluster.trace.hash() }, at);
  assert.ok(tm.deleteBookmark('before-load'));
  assert.equal(tm.jumpToBookmark('before-load'), false);
});

test('what-if: go back, inject a different fault, and a new future runs from there', () => {
  const tm = new TimeMachine(fresh(80));
  tm.forward(80e6);
  assert.equal(tm.cluster.main.checkers.failovers.length, 0);
  tm.seekTime(30e6);
  tm.inject({ atMs: 0, kind: 'hostCrash', host: '@primary' });
  tm.forward(80e6);
  assert.equal(tm.cluster.main.checkers.failovers.length, 1);
  assert.equal(tm.cluster.main.primary!.host, 'host-b');
  tm.seekTime(20e6);
  assert.equal(tm.cluster.main.primary!.host, 'host-a', 'before the branch point the old primary runs');
});

test('a fault injected live replays when the past is run again; a what-if before it replaces it', () => {
  const tm = new TimeMachine(fresh(100));
  tm.forward(30e6);
  tm.inject({ atMs: 0, kind: 'hostCrash', host: '@primary' });
  tm.forward(100e6);
  const straight = tm.cluster.trace.hash();
  assert.equal(tm.cluster.main.checkers.failovers.length, 1);
  tm.seekTime(10e6);
  assert.equal(tm.cluster.main.primary!.host, 'host-a');
  tm.forward(100e6);
  assert.equal(tm.cluster.main.checkers.failovers.length, 1, 'the injected crash happened again');
  assert.equal(tm.cluster.trace.hash(), straight, 'the very same run');
  tm.seekTime(10e6);
  tm.inject({ atMs: 0, kind: 'testRestartSecondary' });
  tm.forward(100e6);
  assert.equal(tm.cluster.main.checkers.failovers.length, 0, 'the old future (the crash) is gone');
  assert.equal(tm.cluster.main.primary!.host, 'host-a');
});

test('a restore ahead of the present (seek forward, come back from a visit) brings back the histories kept by length, no holes', () => {
  const tm = new TimeMachine(fresh(60));
  const c = tm.cluster;
  tm.forward(20e6);
  tm.inject({ atMs: 0, kind: 'slowHost', host: '@secondary', factor: 0.5 });
  tm.forward(40e6);
  const events = c.trace.events.slice();
  const replies = c.main.clients.list.map((x) => x.replies.slice());
  const here = tm.here();
  tm.seekTime(3e6); // cuts the histories back
  assert.ok(c.trace.events.length < events.length);
  tm.returnTo(here); // restores ahead of what the cluster now holds
  assert.deepEqual(c.trace.events, events);
  assert.deepEqual(c.main.clients.list.map((x) => x.replies), replies);
  assert.equal(c.injected.length, 1);
  tm.seekTime(5e6);
  tm.seekTime(39e6); // the checkpoint at 38 ms lies ahead: restored, then run on
  assert.deepEqual(c.trace.events, events.filter((e) => e.timeNs <= c.nowNs));
  assert.ok(c.trace.events.every((e) => e !== undefined) && c.injected.every((i) => i !== undefined));
});

test('shownVms: stops are armed on the shown VMs\' instances only (default the first VM)', () => {
  const raw = JSON.parse(readFileSync(join(__dirname, '../../examples/cluster/cluster.json'), 'utf8'));
  const cluster = (): Cluster => {
    const l = prepareLaunch({ ...raw, cwd: join(__dirname, '../../examples/cluster'), untilMs: 40, faults: [] });
    return new Cluster(l.scenario, l.program, { programs: l.programs });
  };
  /** The owner (member index) of the VM the first trap-handler breakpoint stops. */
  const firstStopOwner = (tm: TimeMachine): number => {
    tm.stops.setCode([TRAP_HANDLER]);
    const stop = tm.forward(40e6);
    assert.equal(stop.reason, 'breakpoint');
    return tm.cluster.vm(stop.vm!)!.owner;
  };
  assert.equal(firstStopOwner(new TimeMachine(cluster())), 0, 'default: kv-1');
  const kv2 = new TimeMachine(cluster(), { shownVms: [1] });
  assert.equal(firstStopOwner(kv2), 1, 'kv-2 only');
  for (let i = 0; i < 20; i++) {
    const s = kv2.forward(40e6);
    if (s.reason !== 'breakpoint') break;
    assert.equal(kv2.cluster.vm(s.vm!)!.owner, 1);
    kv2.cluster.vm(s.vm!)!.machine.cpu.stepOffBreakpoint();
  }
  assert.throws(() => new TimeMachine(cluster(), { shownVms: [99] }), /bad shownVms/);
});
