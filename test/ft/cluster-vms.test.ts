// Clusters of many VMs: placement under vSphere's rules, failovers and HA restarts after host failures, Need Secondary VM, the shared logging NIC, and the cluster checkers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster, NS_PER_MS } from '../../src/ft/cluster';
import { parseScenario, type Scenario } from '../../src/ft/scenario';
import { runScenario, runToDecision, summarize } from '../../src/ft/report';
import { takeCheckpoint, restoreCheckpoint } from '../../src/ft/checkpoint';
import { ftState } from '../../src/ft/ft-state';
import { ruleViolations } from '../../src/ft/placement';
import { placementView } from '../../src/ft/cluster-placement';
import type { Program } from '../../src/machine/program';
import { example, failed } from './helpers';

const ROOT = join(__dirname, '../..');

/** Programs by the paths the scenarios below name. */
function programs(): Map<string, Program> {
  return new Map([
    ['kvstore.elf', example('kvstore/kvstore.elf')],
    ['ticker.elf', example('ticker/ticker.elf')],
    ['idle.elf', example('cluster/idle.elf')],
    ['diskhog.elf', example('diskhog/diskhog.elf')],
  ]);
}

function hosts(n: number, extra: Record<string, unknown> = {}): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({ name: `h${i + 1}`, ...extra }));
}

function cluster(raw: Record<string, unknown>): { c: Cluster; s: Scenario } {
  const s = parseScenario(raw);
  return { c: new Cluster(s, example('cluster/idle.elf'), { programs: programs() }), s };
}

function run(raw: Record<string, unknown>) {
  const s = parseScenario(raw);
  return runScenario(s, example('cluster/idle.elf'), { programs: programs() });
}

/** The committed example's scenario with its programs as loaded here. */
function exampleCluster(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const raw = JSON.parse(readFileSync(join(ROOT, 'examples/cluster/cluster.json'), 'utf8'));
  const name = (p: string) => p.replace(/^.*\//, '');
  return { ...raw, vms: raw.vms.map((v: { program: string }) => ({ ...v, program: name(v.program) })), ...extra };
}

test('the example cluster: 4 FT VMs and 8 others on 6 hosts survive a host crash, every FT VM Protected again, every restartable VM running', () => {
  const { cluster: c, summary } = run(exampleCluster());
  assert.deepEqual(failed(summary), []);
  const rows = summary.cluster!.vms;
  assert.equal(rows.length, 12);
  for (const v of rows.filter((r) => r.ft)) assert.equal(v.ftState, 'Protected', `${v.name}: ${v.ftState}`);
  for (const v of rows.filter((r) => !r.ft && r.restartPriority !== 'disabled')) assert.notEqual(v.host, null, `${v.name} is not running`);
  // esx-1 held two FT primaries and one ordinary VM: two failovers and one HA restart.
  assert.equal(summary.failovers.length, 2);
  assert.deepEqual(new Set(summary.failovers.map((f) => f.vm)), new Set(['kv-1', 'diskhog']));
  assert.equal(summary.haRestarts, 1);
  assert.equal(summary.cluster!.hosts.find((h) => h.name === 'esx-1')!.vms, 0);
  assert.deepEqual(ruleViolations(placementView(c)), []);
  // Trace events name their VM; the anti-affinity pair never shared a host as primaries.
  assert.ok(c.trace.events.filter((e) => e.kind === 'goLive').every((e) => e.of === 'kv-1' || e.of === 'diskhog'));
  assert.notEqual(rows.find((r) => r.name === 'kv-1')!.host, rows.find((r) => r.name === 'kv-2')!.host);
});

test('a single-VM scenario is one VM of the cluster and names no VM in its trace or summary', () => {
  const s = parseScenario({ program: 'kvstore.elf', untilMs: 60 });
  const { cluster: c, summary } = runScenario(s, example('kvstore/kvstore.elf'));
  assert.equal(c.members.length, 1);
  assert.equal(c.clusterCheckers, null);
  assert.equal(summary.cluster, undefined);
  assert.ok(c.trace.events.every((e) => e.of === undefined));
  assert.ok(summary.failovers.every((f) => !('vm' in f)));
});

test('5 FT VMs on 6 hosts at 2 FT VMs per host: two host failures leave two VMs at Need Secondary VM, protected again when the hosts return', () => {
  const vms = Array.from({ length: 5 }, (_, i) => ({ name: `ft-${i + 1}`, program: 'idle.elf' }));
  const { c } = cluster({
    seed: 5, untilMs: 700, hosts: hosts(6), cluster: { maxFtVmsPerHost: 2 }, vms,
    faults: [
      { atMs: 50, kind: 'hostCrash', host: 'h1' }, { atMs: 50, kind: 'hostCrash', host: 'h2' },
      { atMs: 400, kind: 'hostRestore', host: 'h1' }, { atMs: 400, kind: 'hostRestore', host: 'h2' },
    ],
  });
  runToDecision(c, 300 * NS_PER_MS);
  const waiting = c.members.filter((m) => !ftState(m).protected);
  assert.equal(waiting.length, 2, c.members.map((m) => `${m.name}: ${ftState(m).label}`).join(', '));
  for (const m of waiting) {
    assert.equal(ftState(m).label, 'Not Protected (Need Secondary VM)');
    assert.match(m.waiting ?? '', /Need Secondary VM: .*maxFtVmsPerHost/);
  }
  for (const m of c.members) assert.equal(m.primary?.status, 'running', `${m.name} runs`);
  runToDecision(c, 700 * NS_PER_MS);
  for (const m of c.members) assert.equal(ftState(m).label, 'Protected', m.name);
  const summary = summarize(c, c.finish());
  assert.deepEqual(failed(summary), []);
  assert.ok(summary.cluster!.hosts.every((h) => h.ftVms <= 2));
});

test('the issue\'s 5 FT VMs, 6 hosts, 1 FT VM per host: the VMs that fit are protected, the rest wait and say why, no rule is broken', () => {
  const vms = Array.from({ length: 5 }, (_, i) => ({ name: `ft-${i + 1}`, program: 'idle.elf' }));
  const { summary } = run({ seed: 2, untilMs: 300, hosts: hosts(6), cluster: { maxFtVmsPerHost: 1 }, vms, faults: [{ atMs: 50, kind: 'hostCrash', host: 'h1' }, { atMs: 50, kind: 'hostCrash', host: 'h2' }, { atMs: 200, kind: 'hostRestore', host: 'h1' }] });
  assert.deepEqual(failed(summary), []);
  const rows = summary.cluster!.vms;
  assert.ok(rows.some((r) => (r.waiting ?? '').includes('maxFtVmsPerHost')), JSON.stringify(rows.map((r) => r.waiting)));
  assert.ok(summary.cluster!.hosts.every((h) => h.ftVms <= 1));
});

test('HA restarts the VMs of a failed host in restart-priority order; a VM with restart disabled stays down', () => {
  const vms = [
    { name: 'low', program: 'idle.elf', ft: false, restartPriority: 'low', placement: { primary: 'h1' } },
    { name: 'top', program: 'idle.elf', ft: false, restartPriority: 'highest', placement: { primary: 'h1' } },
    { name: 'mid', program: 'idle.elf', ft: false, placement: { primary: 'h1' } },
    { name: 'off', program: 'idle.elf', ft: false, restartPriority: 'disabled', placement: { primary: 'h1' } },
  ];
  const { cluster: c, summary } = run({ untilMs: 200, hosts: hosts(3), vms, faults: [{ atMs: 20, kind: 'hostCrash', host: 'h1' }] });
  assert.deepEqual(failed(summary), []);
  assert.deepEqual(c.trace.events.filter((e) => e.kind === 'haRestart').map((e) => e.of), ['top', 'mid', 'low']);
  assert.equal(summary.cluster!.vms.find((v) => v.name === 'off')!.host, null);
});

test('admission control: power-ons that would leave no room for a host failure wait for resources', () => {
  const vms = Array.from({ length: 10 }, (_, i) => ({ name: `vm-${i + 1}`, program: 'idle.elf', ft: false }));
  const { summary } = run({ untilMs: 50, ramMiB: 16, hosts: hosts(3, { ramMiB: 64 }), cluster: { admissionControl: { hostFailuresTolerated: 1 } }, vms });
  assert.deepEqual(failed(summary), []);
  const rows = summary.cluster!.vms;
  assert.equal(rows.filter((r) => r.host !== null).length, 8); // 2 of 3 hosts' 64 MiB hold 8 VMs of 16 MiB
  for (const r of rows.slice(8)) assert.match(r.waiting ?? '', /waiting for resources: admission control/);
});

test('the logging NIC is shared: two FT VMs whose primaries share a host answer far slower behind a narrow NIC (the Output Rule waits for the log)', () => {
  const vms = [
    { name: 'kv-1', program: 'kvstore.elf', placement: { primary: 'h1', secondary: 'h2' }, workload: { clients: 4, requests: 400, ratePerSec: 4000 } },
    { name: 'kv-2', program: 'kvstore.elf', placement: { primary: 'h1', secondary: 'h3' }, workload: { clients: 4, requests: 400, ratePerSec: 4000 } },
  ];
  const base = { seed: 4, untilMs: 150, vms };
  const wide = run({ ...base, hosts: hosts(3) }).summary;
  const narrow = run({ ...base, hosts: hosts(3, { loggingNicMbps: 2 }) }).summary;
  const alone = run({ ...base, vms: vms.slice(0, 1), hosts: hosts(3, { loggingNicMbps: 2 }) }).summary;
  for (const s of [wide, narrow, alone]) assert.deepEqual(failed(s), []);
  assert.ok(narrow.clients.meanLatencyMs > 10 * wide.clients.meanLatencyMs, `mean latency ${narrow.clients.meanLatencyMs} ms behind the NIC, ${wide.clients.meanLatencyMs} ms without`);
  assert.ok(narrow.clients.meanLatencyMs > 1.3 * alone.clients.meanLatencyMs, `two VMs share the NIC: ${narrow.clients.meanLatencyMs} ms, one alone: ${alone.clients.meanLatencyMs} ms`);
  const h1 = narrow.cluster!.hosts.find((h) => h.name === 'h1')!;
  assert.ok(h1.loggingNicMbps === 2 && h1.loggingBytes > 0 && h1.loggingBytes < wide.cluster!.hosts[0].loggingBytes / 2, `h1 sent ${h1.loggingBytes} bytes`);
});

test('a cluster run is deterministic and a checkpoint restored mid-run continues to the same trace hash', () => {
  const raw = exampleCluster({ untilMs: 250 });
  const straight = cluster(raw).c;
  straight.run(250 * NS_PER_MS);
  const again = cluster(raw).c;
  again.run(120 * NS_PER_MS);
  const cp = takeCheckpoint(again);
  again.run(200 * NS_PER_MS);
  restoreCheckpoint(again, cp);
  again.run(250 * NS_PER_MS);
  assert.equal(again.trace.hash(), straight.trace.hash());
});

test('the cluster checkers bite: a second FT instance forced onto a host past its limit fails cluster-rules', () => {
  const vms = [{ name: 'a', program: 'idle.elf' }, { name: 'b', program: 'idle.elf' }];
  const { c } = cluster({ untilMs: 30, hosts: hosts(3), cluster: { maxFtVmsPerHost: 1 }, vms });
  const b = c.members[1];
  const extra = b.createVm('secondary', c.members[0].primary!.host, 'halted');
  extra.status = 'running'; // a secondary no placement would make: on a host already at its FT limit
  c.run(10 * NS_PER_MS);
  const verdict = c.clusterCheckers!.results().find((r) => r.name === 'cluster-rules')!;
  assert.equal(verdict.ok, false);
  assert.match(verdict.detail, /maxFtVmsPerHost|FT/);
});

test('scenario errors name the VM: duplicate names, unknown hosts and VMs, a secondary for a VM without FT', () => {
  assert.throws(() => parseScenario({ vms: [{ name: 'a', program: 'x' }, { name: 'a', program: 'y' }] }), /vms\[1\]\.name: duplicate VM "a"/);
  assert.throws(() => parseScenario({ vms: [{ name: 'a', program: 'x', placement: { primary: 'nope' } }] }), /vms\[0\]\.placement\.primary: unknown host "nope"/);
  assert.throws(() => parseScenario({ vms: [{ name: 'a', program: 'x', ft: false, placement: { secondary: 'host-b' } }] }), /not fault tolerant/);
  assert.throws(() => parseScenario({ vms: [{ name: 'a', program: 'x' }], faults: [{ atMs: 1, kind: 'testFailover', vm: 'b' }] }), /faults\[0\]\.vm: unknown VM "b"/);
  assert.throws(() => parseScenario({ vms: [{ name: 'a', program: 'x' }], cluster: { vmAntiAffinity: [['a', 'z']] } }), /vmAntiAffinity\[0\]\[1\]: unknown VM "z"/);
});
