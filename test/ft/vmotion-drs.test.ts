// Live migration (vMotion), Migrate Secondary and DRS load balancing by demand in a cluster of several VMs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, NS_PER_MS } from '../../src/ft/cluster';
import { parseScenario } from '../../src/ft/scenario';
import { runScenario, runToDecision } from '../../src/ft/report';
import { takeCheckpoint, restoreCheckpoint } from '../../src/ft/checkpoint';
import { ftState } from '../../src/ft/ft-state';
import type { Program } from '../../src/machine/program';
import { cpuLoads } from '../../src/ft/drs-demand';
import { example, failed } from './helpers';

function programs(): Map<string, Program> {
  return new Map([['kvstore.elf', example('kvstore/kvstore.elf')], ['idle.elf', example('cluster/idle.elf')]]);
}

const hosts = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `h${i + 1}` }));

function run(raw: Record<string, unknown>) {
  return runScenario(parseScenario(raw), example('cluster/idle.elf'), { programs: programs() });
}

function migrations(c: Cluster): string[] {
  return c.trace.events.filter((e) => e.kind === 'migrate').map((e) => `${e.of}: ${e.text}`);
}

const kv = { name: 'kv', program: 'kvstore.elf', placement: { primary: 'h1', secondary: 'h2' }, workload: { clients: 2, requests: 300, ratePerSec: 2000 } };
const idle = (name: string, primary?: string) => ({ name, program: 'idle.elf', ft: false, ...(primary ? { placement: { primary } } : {}) });

test('Migrate Secondary: the FT secondary moves to the host asked for, the pair stays Protected, clients notice nothing', () => {
  const base = { seed: 1, untilMs: 200, hosts: hosts(4), cluster: { drs: 'off' }, vms: [kv, idle('other')] };
  const { cluster: c, summary } = run({ ...base, faults: [{ atMs: 40, kind: 'migrateSecondary', vm: 'kv', host: 'h4' }] });
  const still = run(base).summary;
  assert.deepEqual(failed(summary), []);
  const m = c.members[0];
  assert.equal(m.secondary?.host, 'h4');
  assert.equal(ftState(m).label, 'Protected');
  assert.equal(summary.failovers.length, 0);
  const moves = migrations(c);
  assert.equal(moves.length, 2, moves.join('\n'));
  assert.match(moves[0], /Migrate Secondary: vMotion of kv's secondary @ h2 to h4 began/);
  assert.match(moves[1], /vMotion done: kv's secondary @ h4 runs on h4 \(was h2/);
  assert.deepEqual(summary.clients, still.clients, 'the log reaches the moving secondary throughout: replies leave as they would have');
});

test('migrate: a primary moves by vMotion and goes on from where it was (no failover, no restart); an ordinary VM too', () => {
  const { cluster: c, summary } = run({ seed: 2, untilMs: 200, hosts: hosts(4), cluster: { drs: 'off' }, vms: [kv, idle('web', 'h3')],
    faults: [{ atMs: 30, kind: 'migrate', vm: 'kv', host: 'h3' }, { atMs: 60, kind: 'migrate', vm: 'web' }] });
  assert.deepEqual(failed(summary), []);
  assert.equal(c.members[0].primary?.host, 'h3');
  assert.notEqual(c.members[1].primary?.host, 'h3');
  assert.equal(summary.failovers.length + summary.haRestarts, 0);
  assert.equal(c.members[0].primary!.epoch, 1, 'the same VM instance, not a restart');
});

test('a vMotion caught by a crash: the source host dies (the VM fails over) or the destination dies (the move is abandoned)', () => {
  const src = run({ seed: 3, untilMs: 400, hosts: hosts(4), cluster: { drs: 'off' }, vms: [kv, idle('x')], faults: [{ atMs: 30, kind: 'migrate', vm: 'kv', host: 'h3' }, { atMs: 31, kind: 'hostCrash', host: 'h1' }] });
  assert.deepEqual(failed(src.summary), []);
  assert.equal(src.summary.failovers.length, 1);
  assert.ok(!migrations(src.cluster).some((t) => t.includes('vMotion done')));
  const dst = run({ seed: 3, untilMs: 400, hosts: hosts(4), cluster: { drs: 'off' }, vms: [kv, idle('x')], faults: [{ atMs: 30, kind: 'migrate', vm: 'kv', host: 'h3' }, { atMs: 31, kind: 'hostCrash', host: 'h3' }] });
  assert.deepEqual(failed(dst.summary), []);
  assert.equal(dst.summary.failovers.length, 0);
  assert.ok(migrations(dst.cluster).some((t) => /abandoned: h3 is down/.test(t)), migrations(dst.cluster).join('\n'));
  assert.equal(dst.cluster.members[0].primary?.host, 'h1');
});

test('the rules bind a migration: a secondary is never moved onto its primary\'s host, and a refused move says why', () => {
  const { cluster: c, summary } = run({ untilMs: 100, hosts: hosts(3), cluster: { drs: 'off' }, vms: [kv], faults: [{ atMs: 20, kind: 'migrateSecondary', host: 'h1' }] });
  assert.deepEqual(failed(summary), []);
  assert.equal(c.members[0].secondary?.host, 'h3', 'h1 is refused (the primary runs there): the rules choose h3');
  const none = run({ untilMs: 100, hosts: hosts(2), vms: [{ ...kv }], faults: [{ atMs: 20, kind: 'migrateSecondary' }] });
  assert.ok(none.cluster.trace.events.some((e) => e.kind === 'fault' && /Migrate Secondary: no host for/.test(e.text)));
});

// DRS weighs demand: hosts of 10 MIPS, where a kvstore server under 2,000 requests/s keeps about 45% of a host busy and an idle guest next to nothing.
const slowHosts = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `h${i + 1}`, mips: 10 }));
const busyKv = { ...kv, workload: { clients: 2, requests: 100000, ratePerSec: 1000 } };
const busy = (name: string, primary: string) => ({ ...busyKv, name, ft: false, placement: { primary } });

/** Every host's CPU load as DRS measured it at its last look, by host name. */
function cpuByHost(c: Cluster): Map<string, number> {
  return cpuLoads(c, c.drs!);
}

/** h1 runs the FT kvstore's primary and a busy ordinary kvstore, h2 its secondary and an idle VM, h3 two idle VMs: two instances on each host, and h1 twice as busy as h2. */
const busyAndIdle = (drs: string) => ({
  seed: 4, untilMs: 600, hosts: slowHosts(3), cluster: { drs, drsIntervalMs: 100 },
  vms: [{ ...busyKv, placement: { primary: 'h1', secondary: 'h2' } }, busy('kv-b', 'h1'), idle('a', 'h2'), idle('b', 'h3'), idle('c', 'h3')],
});

test('DRS fully automated moves a busy VM off a busy host although every host runs as many VMs; the FT pair stays Protected', () => {
  const { cluster: c, summary } = run(busyAndIdle('fullyAutomated'));
  assert.deepEqual(failed(summary), []);
  const moves = migrations(c).filter((t) => t.includes('DRS load balancing'));
  assert.equal(moves.length, 1, migrations(c).join('\n'));
  assert.match(moves[0], /DRS load balancing \(h1 CPU (8\d|9\d)%, memory 1%; h3 CPU 0%, memory 1%; host load std dev 0\.\d+ → 0\.\d+\): vMotion of kv(-b)?'s primary @ h1 to h3 began/);
  const cpu = [...cpuByHost(c).values()];
  assert.ok(Math.max(...cpu) - Math.min(...cpu) < 0.15, `CPU loads after DRS: ${cpu.join(', ')}`);
  assert.ok(Math.min(...cpu) > 0.3, 'each host runs one busy instance');
  assert.equal(ftState(c.members[0]).label, 'Protected');
  assert.equal(summary.failovers.length, 0);
});

test('DRS manual recommends the move with the numbers behind it, once, and moves nothing; off neither measures nor says anything', () => {
  const manual = run(busyAndIdle('manual'));
  assert.deepEqual(failed(manual.summary), []);
  const said = migrations(manual.cluster);
  assert.equal(said.length, 1, said.join('\n'));
  assert.match(said[0], /^kv(-b)?: DRS: move kv(-b)?'s primary @ h1 to h3 \(h1 CPU \d+%, memory 1%; h3 CPU 0%, memory 1%; host load std dev 0\.\d{3} → 0\.\d{3}\): recommended \(DRS is manual\)$/);
  assert.ok(cpuByHost(manual.cluster).get('h1')! > 0.8, 'h1 still runs both busy instances');
  assert.deepEqual(manual.summary.cluster!.hosts.map((h) => h.vms), [2, 2, 2]);

  const off = run(busyAndIdle('off'));
  assert.deepEqual(migrations(off.cluster), []);
  assert.equal(off.cluster.drs, null);
});

test('DRS leaves idle VMs where they are however unevenly they are counted: their demand is balanced', () => {
  const { cluster: c, summary } = run({
    seed: 6, untilMs: 600, hosts: hosts(3), cluster: { drs: 'fullyAutomated', drsIntervalMs: 100 },
    vms: [idle('a', 'h1'), idle('b', 'h1'), idle('c', 'h1'), idle('d', 'h1'), idle('e', 'h2'), idle('f', 'h3')],
  });
  assert.deepEqual(failed(summary), []);
  assert.deepEqual(summary.cluster!.hosts.map((h) => h.vms), [4, 1, 1], 'an instance count would call for a move');
  assert.deepEqual(migrations(c), []);
  for (const [host, cpu] of cpuByHost(c)) assert.ok(cpu < 0.001, `idle guests asleep in wfi demand next to nothing (${host}: ${cpu})`);
});

test('HA restarts a VM on the host DRS measures least loaded; with DRS off, on the one with the least RAM in use', () => {
  // h1: two busy VMs (32 MiB); h2: three idle ones (48 MiB); h3 runs w, and crashes after DRS has looked twice.
  const raw = (drs: string) => ({
    seed: 7, untilMs: 400, hosts: slowHosts(3), cluster: { drs, drsIntervalMs: 100 },
    vms: [busy('kv-a', 'h1'), busy('kv-b', 'h1'), idle('x', 'h2'), idle('y', 'h2'), idle('z', 'h2'), idle('w', 'h3')],
    faults: [{ atMs: 250, kind: 'hostCrash', host: 'h3' }],
  });
  const measured = run(raw('manual'));
  assert.deepEqual(failed(measured.summary), []);
  assert.equal(measured.cluster.members[5].primary?.host, 'h2', 'h1 uses less RAM but is busy');
  const off = run(raw('off'));
  assert.deepEqual(failed(off.summary), []);
  assert.equal(off.cluster.members[5].primary?.host, 'h1');
});

test('a checkpoint taken during a vMotion restores and runs on to the same trace hash', () => {
  const raw = parseScenario({ seed: 5, untilMs: 200, hosts: hosts(4), cluster: { drs: 'off' }, vms: [kv, idle('w')], faults: [{ atMs: 40, kind: 'migrateSecondary', vm: 'kv', host: 'h4' }] });
  const straight = new Cluster(raw, example('cluster/idle.elf'), { programs: programs() });
  straight.run(200 * NS_PER_MS);
  const again = new Cluster(raw, example('cluster/idle.elf'), { programs: programs() });
  again.run(41 * NS_PER_MS);
  assert.notEqual(again.members[0].secondary?.migratingTo, null, 'the checkpoint is taken mid-migration');
  const cp = takeCheckpoint(again);
  runToDecision(again, 150 * NS_PER_MS);
  restoreCheckpoint(again, cp);
  assert.equal(again.members[0].secondary?.host, 'h2');
  again.run(200 * NS_PER_MS);
  assert.equal(again.trace.hash(), straight.trace.hash());
});

test('DRS\'s measurements travel in checkpoints: restored between two looks, the run makes the same moves to the same trace hash', () => {
  const sc = parseScenario(busyAndIdle('fullyAutomated'));
  const straight = new Cluster(sc, example('cluster/idle.elf'), { programs: programs() });
  straight.run(300 * NS_PER_MS);
  const again = new Cluster(sc, example('cluster/idle.elf'), { programs: programs() });
  again.run(150 * NS_PER_MS);
  assert.ok(again.drs!.demandMips.size > 0, 'the checkpoint is taken after DRS measured demand');
  const cp = takeCheckpoint(again);
  runToDecision(again, 250 * NS_PER_MS);
  restoreCheckpoint(again, cp);
  again.run(300 * NS_PER_MS);
  assert.ok(migrations(straight).some((t) => t.includes('DRS load balancing')));
  assert.deepEqual(migrations(again), migrations(straight));
  assert.equal(again.trace.hash(), straight.trace.hash());
});
