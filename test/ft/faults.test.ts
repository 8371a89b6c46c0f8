// Each fault kind and FT action does what the paper and vSphere describe: who goes live, when, and what state follows.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { failed, run, traceTexts } from './helpers';
import { parseScenario } from '../../src/ft/scenario';
import { runScenario } from '../../src/ft/report';
import { loadProgramBytes } from '../../src/asm/load-program';

test('no faults: Protected throughout, clients answered, every checker holds', () => {
  const { cluster, summary } = run();
  assert.deepEqual(failed(summary), []);
  assert.equal(summary.ftState, 'Protected');
  assert.equal(summary.failovers.length, 0);
  assert.ok(summary.clients.ok > 100, `clients answered: ${summary.clients.ok}`);
  assert.ok(summary.log.entries > 0);
  const s = cluster.main.secondary!;
  assert.equal(s.status, 'running');
  assert.ok(s.machine.instret > 0 && s.machine.instret <= cluster.main.primary!.machine.instret);
  assert.match(summary.console, /kvstore/);
});

test('primary host crash: the secondary goes live after the failure timeout, a new secondary is respawned', () => {
  const { cluster, summary } = run({ faults: [{ atMs: 40, kind: 'hostCrash', host: '@primary' }] });
  assert.deepEqual(failed(summary), []);
  assert.equal(summary.failovers.length, 1);
  const f = summary.failovers[0];
  assert.equal(f.fromHost, 'host-a');
  assert.equal(f.toHost, 'host-b');
  assert.ok(f.liveAtMs - f.failedAtMs >= 40, 'detection waits for the failure timeout');
  assert.ok(f.liveAtMs - f.failedAtMs < 60, `failover took ${f.liveAtMs - f.failedAtMs} ms`);
  assert.equal(summary.respawns, 1);
  assert.equal(summary.ftState, 'Protected');
  assert.equal(cluster.main.primary!.host, 'host-b');
  assert.equal(cluster.main.secondary!.host, 'host-c', 'the new secondary is never on the primary host nor the dead one');
  assert.ok(summary.clients.ok > 100);
});

test('secondary host crash: the primary wins the test-and-set, carries on alone, then gets a new secondary', () => {
  const { cluster, summary } = run({ faults: [{ atMs: 40, kind: 'hostCrash', host: '@secondary' }] });
  assert.deepEqual(failed(summary), []);
  assert.equal(summary.failovers.length, 0);
  assert.equal(cluster.main.primary!.host, 'host-a');
  assert.equal(cluster.main.secondary!.host, 'host-c');
  assert.ok(traceTexts(cluster, 'arbitrate').some((t) => /primary @ host-a won/.test(t)));
});

test('split brain: logging link cut with both hosts alive leaves exactly one VM running', () => {
  const { cluster, summary } = run({ faults: [{ atMs: 40, kind: 'loggingLinkDown' }], placement: { allowedHosts: ['host-a', 'host-b'] } });
  assert.deepEqual(failed(summary), []);
  const live = cluster.vms.filter((v) => v.status === 'running' && v.role === 'primary');
  assert.equal(live.length, 1, 'exactly one primary');
  const wins = traceTexts(cluster, 'arbitrate').filter((t) => / won /.test(t));
  const losses = traceTexts(cluster, 'arbitrate').filter((t) => / lost /.test(t));
  assert.equal(wins.length, 1);
  assert.equal(losses.length, 1);
  assert.ok(traceTexts(cluster, 'halt').length >= 1, 'the loser halts itself');
});

test('full partition: management and logging cut, storage reachable: one survives, no split brain', () => {
  const { cluster, summary } = run({ faults: [{ atMs: 40, kind: 'partition', groups: [['host-a'], ['host-b', 'host-c']] }] });
  assert.deepEqual(failed(summary), []);
  assert.equal(cluster.vms.filter((v) => v.status === 'running' && v.role === 'primary').length, 1);
});

test('no storage path on the primary during a partition: it waits, the secondary wins and goes live', () => {
  const { cluster, summary } = run({ faults: [
    { atMs: 30, kind: 'storageLoss', host: 'host-a' },
    { atMs: 40, kind: 'partition', groups: [['host-a'], ['host-b', 'host-c']] },
  ] });
  assert.deepEqual(failed(summary).filter((f) => !f.startsWith('respawn')), []);
  assert.equal(cluster.main.primary?.host, 'host-b');
  assert.ok(traceTexts(cluster, 'arbitrate').some((t) => /cannot reach shared storage/.test(t)));
});

test('slow secondary host: lag grows, the primary is throttled', () => {
  const { summary } = run({ faults: [{ atMs: 10, kind: 'slowHost', host: '@secondary', factor: 0.02 }], ft: { lagBoundMs: 2 } });
  assert.deepEqual(failed(summary), []);
  assert.ok(summary.log.throttleEvents >= 1, 'throttled at least once');
});

test('degraded logging link: more latency, still protected and correct', () => {
  const { summary } = run({ faults: [{ atMs: 20, kind: 'linkDegrade', latencyUs: 2000, lossRate: 0.05 }] });
  assert.deepEqual(failed(summary), []);
  assert.equal(summary.ftState, 'Protected');
  assert.ok(summary.clients.meanLatencyMs > 1);
});

test('Test Failover: the secondary goes live at once (no timeout) and a new secondary follows', () => {
  const { summary } = run({ faults: [{ atMs: 40, kind: 'testFailover' }] });
  assert.deepEqual(failed(summary), []);
  assert.equal(summary.failovers.length, 1);
  assert.ok(summary.failovers[0].liveAtMs - summary.failovers[0].failedAtMs < 5);
  assert.equal(summary.respawns, 1);
  assert.equal(summary.ftState, 'Protected');
});

test('Test Restart Secondary: a new secondary replaces the old one, the primary never stops', () => {
  const { cluster, summary } = run({ faults: [{ atMs: 40, kind: 'testRestartSecondary' }] });
  assert.deepEqual(failed(summary), []);
  assert.equal(summary.failovers.length, 0);
  assert.equal(summary.respawns, 1);
  assert.equal(cluster.main.primary!.host, 'host-a');
});

test('Turn Off FT then Turn On FT: Not Protected (Disabled), then Protected again', () => {
  const { cluster, summary } = run({ faults: [{ atMs: 30, kind: 'turnOffFT' }, { atMs: 80, kind: 'turnOnFT' }] });
  assert.deepEqual(failed(summary), []);
  const states = traceTexts(cluster, 'state');
  assert.ok(states.includes('Not Protected (Disabled)'), states.join(' / '));
  assert.equal(summary.ftState, 'Protected');
});

test('Suspend FT then Resume FT', () => {
  const { cluster, summary } = run({ faults: [{ atMs: 30, kind: 'suspendFT' }, { atMs: 80, kind: 'resumeFT' }] });
  assert.deepEqual(failed(summary), []);
  assert.ok(traceTexts(cluster, 'state').includes('Not Protected (Disabled)'));
  assert.equal(summary.ftState, 'Protected');
});

test('host restore: a crashed host becomes a home for the next secondary', () => {
  const { cluster, summary } = run({
    hosts: [{ name: 'host-a' }, { name: 'host-b' }],
    faults: [{ atMs: 30, kind: 'hostCrash', host: '@primary' }, { atMs: 90, kind: 'hostRestore', host: 'host-a' }],
  });
  assert.deepEqual(failed(summary), []);
  assert.equal(cluster.main.primary!.host, 'host-b');
  assert.equal(cluster.main.secondary?.host, 'host-a');
});

test('both hosts fail: HA restarts the VM from its disk, acknowledged writes survive', () => {
  const { cluster, summary } = run({
    untilMs: 200,
    faults: [{ atMs: 60, kind: 'hostCrash', host: 'host-a' }, { atMs: 60, kind: 'hostCrash', host: 'host-b' }],
  });
  assert.deepEqual(failed(summary), []);
  assert.equal(summary.haRestarts, 1);
  assert.equal(cluster.main.primary!.host, 'host-c');
  const replayed = /kvstore: (\d+) records replayed/g;
  const counts = [...summary.console.matchAll(replayed)].map((m) => Number(m[1]));
  assert.equal(counts.length, 2, summary.console);
  assert.ok(counts[1] > 0, 'the restarted VM rebuilt its table from the disk log');
});

test('the Output Rule has teeth: without it, a crash right after an output makes a checker fail', () => {
  const faults = [{ atMs: 40, kind: 'hostCrash', host: '@primary', when: 'afterOutput' }];
  const good = run({ faults });
  assert.deepEqual(failed(good.summary), []);
  const bad = run({ faults, whatIf: { outputRule: false } });
  assert.ok(failed(bad.summary).some((f) => f.startsWith('outputs-from-one-execution') || f.startsWith('no-split-brain')), failed(bad.summary).join('\n'));
});

for (const kind of ['time', 'nicRx', 'timer', 'diskDone'] as const) {
  test(`leaving ${kind} out of the log makes the secondary diverge, and the checker says so`, () => {
    const { summary } = run({ whatIf: { omitLogKinds: [kind] } });
    assert.ok(failed(summary).some((f) => f.startsWith('no-divergence')), failed(summary).join('\n') || 'no failure');
  });
}

test('logging link down briefly, up before the timeout: no failover, the log is resent, still Protected', () => {
  const { cluster, summary } = run({ faults: [{ atMs: 40, kind: 'loggingLinkDown' }, { atMs: 55, kind: 'loggingLinkUp' }] });
  assert.deepEqual(failed(summary), []);
  assert.equal(summary.failovers.length, 0);
  assert.equal(traceTexts(cluster, 'detect').length, 0);
  assert.equal(summary.ftState, 'Protected');
  assert.ok(cluster.main.secondary!.machine.instret > 0);
});

test('partition then heal: one VM survives the partition, after the heal a new secondary restores protection', () => {
  const { cluster, summary } = run({
    untilMs: 250,
    placement: { allowedHosts: ['host-a', 'host-b'] },
    faults: [{ atMs: 40, kind: 'partition', groups: [['host-a'], ['host-b', 'host-c']] }, { atMs: 150, kind: 'heal' }],
  });
  assert.deepEqual(failed(summary), []);
  assert.equal(summary.ftState, 'Protected');
  assert.equal(traceTexts(cluster, 'halt').length, 1);
  assert.equal(summary.respawns, 1);
});

test('storage path lost and restored on the primary: disk writes wait (all paths down), then complete; nothing lost', () => {
  const { summary } = run({ faults: [{ atMs: 40, kind: 'storageLoss', host: '@primary' }, { atMs: 70, kind: 'storageRestore', host: 'host-a' }] });
  assert.deepEqual(failed(summary), []);
  assert.equal(summary.failovers.length, 0);
  assert.ok(summary.clients.maxLatencyMs >= 25, `a write waited for the storage path: ${summary.clients.maxLatencyMs} ms`);
});

test('affinity rules bind the secondary too: no respawn outside the allowed hosts', () => {
  const { cluster, summary } = run({ placement: { allowedHosts: ['host-a', 'host-b'] }, faults: [{ atMs: 40, kind: 'hostCrash', host: '@primary' }] });
  assert.deepEqual(failed(summary), []);
  assert.equal(summary.respawns, 0);
  assert.equal(summary.ftState, 'Not Protected (Need Secondary VM)');
  assert.ok(cluster.vms.every((v) => v.host !== 'host-c'));
});

test('processor family: a secondary is only respawned on a host of the same family', () => {
  const { cluster, summary } = run({
    hosts: [{ name: 'host-a' }, { name: 'host-b' }, { name: 'host-x', family: 'rv-gen2' }, { name: 'host-c' }],
    faults: [{ atMs: 40, kind: 'hostCrash', host: '@primary' }],
  });
  assert.deepEqual(failed(summary), []);
  assert.equal(cluster.main.secondary!.host, 'host-c');
});

test('a crash during respawn: the copy is abandoned and tried again elsewhere', () => {
  const { summary } = run({
    untilMs: 200,
    hosts: [{ name: 'host-a' }, { name: 'host-b' }, { name: 'host-c' }, { name: 'host-d' }],
    faults: [{ atMs: 40, kind: 'hostCrash', host: '@primary' }, { atMs: 41, kind: 'hostCrash', host: '@secondary', when: 'duringRespawn' }],
  });
  assert.deepEqual(failed(summary), []);
  assert.equal(summary.ftState, 'Protected');
  assert.equal(summary.respawns, 1);
});

test('a guest that powers off: its last outputs still leave once acknowledged, both VMs power off, nothing fails', () => {
  const { cluster, summary } = runScenario(
    parseScenario({ program: 'hello.s', untilMs: 20, workload: { clients: 0 } }),
    loadProgramBytes('hello.s', readFileSync(join(__dirname, '../../examples/hello/hello.s'))),
  );
  assert.deepEqual(failed(summary), []);
  assert.equal(summary.console, 'Hello from Lockstep!\nTwo VMs, one story.\n');
  assert.deepEqual(cluster.vms.map((v) => v.status), ['exited', 'exited']);
  assert.equal(summary.ftState, 'Not Protected (VM not Running)');
});

test('a guest that traps with no handler stops on both VMs at the same instruction: no failover, no HA restart', () => {
  const src = '.globl _start\n_start:\n  li t0, 0x10000000\n  li t1, 88\n  sb t1, 0(t0)\n  .word 0\n';
  const { cluster, summary } = runScenario(parseScenario({ program: 'trap.s', untilMs: 120, workload: { clients: 0 } }), loadProgramBytes('trap.s', Buffer.from(src)));
  assert.deepEqual(failed(summary), []);
  assert.deepEqual(cluster.vms.map((v) => v.status), ['fatal', 'fatal']);
  assert.deepEqual(cluster.vms.map((v) => v.machine.pc), [0x8000000c, 0x8000000c]);
  assert.equal(summary.failovers.length, 0);
  assert.equal(summary.haRestarts, 0);
  assert.equal(summary.console, 'X');
});
