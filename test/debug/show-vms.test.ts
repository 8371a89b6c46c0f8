// A cluster of several VMs in the debugger over DAP (examples/cluster/cluster.json): `showVms` chooses the VMs whose
// instances are threads (default: the fault-tolerant VMs, whatever their programs), threads grouped per VM, compareVMs and
// `.ft` on a chosen VM, the Hosts view's per-VM FT state and logging NIC figures.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { KVSTORE, KVSTORE_C, ROOT, launch, lineOf, stoppedAfter, threadNames, evalIn, errorOf, withClient } from './helpers';
import { prepareLaunch, LaunchError } from '../../src/debug/launch';
import type { CompareVmsReply, HostsReply, TimelineReply } from '../../src/debug/requests';

const CLUSTER_DIR = join(ROOT, 'examples/cluster');
const CLUSTER = JSON.parse(readFileSync(join(CLUSTER_DIR, 'cluster.json'), 'utf8')) as Record<string, unknown>;

/** The example cluster without its scheduled host crash, 300 ms, `extra` on top. */
function clusterArgs(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...CLUSTER, cwd: CLUSTER_DIR, untilMs: 300, faults: [], ...extra };
}

async function threads(dc: DebugClient): Promise<DebugProtocol.Thread[]> {
  return (await dc.threadsRequest()).body.threads;
}

async function threadId(dc: DebugClient, name: string): Promise<number> {
  const t = (await threads(dc)).find((x) => x.name === name);
  assert.ok(t, `no thread ${name} among ${(await threadNames(dc)).join(', ')}`);
  return t.id;
}

const hostOf = (b: HostsReply, name: string): HostsReply['hosts'][number] => b.hosts.find((h) => h.name === name)!;

test('showVms: the default is the fault-tolerant VMs; named VMs must exist, once each, and may run different programs; not for one VM', () => {
  assert.deepEqual(prepareLaunch(clusterArgs()).showVms, ['kv-1', 'kv-2', 'ticker', 'diskhog']);
  const mixed = prepareLaunch(clusterArgs({ showVms: ['kv-1', 'ticker'] }));
  assert.deepEqual(mixed.showVms, ['kv-1', 'ticker']);
  assert.match(mixed.programPath, /kvstore\.elf$/, 'the focused program is the first shown VM\'s');
  assert.equal(mixed.programFiles?.size, 4, 'every VM\'s program file is kept for its debug information');
  const ticker = prepareLaunch(clusterArgs({ showVms: ['ticker'] }));
  assert.deepEqual(ticker.showVms, ['ticker']);
  assert.match(ticker.programPath, /ticker\.elf$/, 'the debugger knows the shown VMs\' program');
  assert.match(ticker.warnings.join('\n'), /the threads are ticker's \(showVms\)/);
  assert.equal(prepareLaunch({ program: KVSTORE }).showVms, undefined);
  const refused = (extra: Record<string, unknown>, pattern: RegExp): void => {
    assert.throws(() => prepareLaunch(extra.program === undefined ? clusterArgs(extra) : extra), (e: unknown) => e instanceof LaunchError && pattern.test(e.message), JSON.stringify(extra));
  };
  refused({ showVms: ['kv-1', 'kv-9'] }, /^showVms: no VM named "kv-9" \(the cluster's VMs: kv-1, kv-2, ticker, diskhog, web-1/);
  refused({ showVms: [] }, /^showVms: must be a non-empty list of VM names/);
  refused({ showVms: 'kv-1' }, /^showVms: must be a non-empty list of VM names/);
  refused({ showVms: ['kv-1', 'kv-1'] }, /^showVms: kv-1 is named twice/);
  refused({ program: KVSTORE, showVms: ['kv-1'] }, /^showVms: only for a cluster of several VMs/);
});

test('showVms over DAP: threads by VM (primary beside secondary), the first named is focused; a bad name is a launch error', () =>
  withClient(async (dc) => {
    await dc.initializeRequest();
    assert.match(await errorOf(dc.launchRequest(clusterArgs({ showVms: ['kv-2', 'kv-3'] }) as DebugProtocol.LaunchRequestArguments)), /showVms: no VM named "kv-3"/);
    const stop = await launch(dc, clusterArgs({ showVms: ['kv-2', 'kv-1'] }));
    // Scenario order in the Call Stack; the entry stop is on the first VM named.
    assert.deepEqual(await threadNames(dc), ["kv-1's primary @ esx-1", "kv-1's secondary @ esx-2 (copying)", "kv-2's primary @ esx-3", "kv-2's secondary @ esx-4 (copying)"]);
    assert.equal(stop.body.threadId, await threadId(dc, "kv-2's primary @ esx-3"));
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 20 }));
    assert.deepEqual(await threadNames(dc), ["kv-1's primary @ esx-1", "kv-1's secondary @ esx-2", "kv-2's primary @ esx-3", "kv-2's secondary @ esx-4"]);
    // The Hosts view's and the status bar's FT state is the focused VM's: turning FT off on kv-2 shows there, kv-1 stays protected.
    await evalIn(dc, '.ft turnOffFT kv-2', undefined, 'repl');
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 30 }));
    const hosts = (await dc.customRequest('hosts')).body as HostsReply;
    assert.equal(hosts.ftState, 'Not Protected (Disabled)');
    assert.equal(((await dc.customRequest('timeline')).body as TimelineReply).protection, 'Not Protected (Disabled)');
    assert.equal(hostOf(hosts, 'esx-1').vms.find((v) => v.vm === 'kv-1')?.ftState, 'Protected');
  }));

test('breakpoints stop the shown VMs: with showVms [kv-2], kvstore.c\'s request line stops kv-2\'s primary (kv-1 runs the same code unstopped)', () =>
  withClient(async (dc) => {
    const line = lineOf(KVSTORE_C, 'uint32_t op = pkt[8]');
    const stop = await launch(dc, clusterArgs({ showVms: ['kv-2'], stopOnEntry: false }), () => dc.setBreakpointsRequest({ source: { path: KVSTORE_C }, breakpoints: [{ line }] }));
    assert.equal(stop.body.reason, 'breakpoint');
    assert.match(stop.body.text ?? '', /^kv-2's primary @ esx-3, instruction \d+$/);
    assert.deepEqual(await threadNames(dc), ["kv-2's primary @ esx-3", "kv-2's secondary @ esx-4"]);
  }));

test('VMs running different programs side by side: each thread is debugged with its own program; a breakpoint stops only the VMs whose program has that code', () =>
  withClient(async (dc) => {
    const tickerC = join(ROOT, 'examples/ticker/ticker.c');
    const tickLine = lineOf(tickerC, 'ticks = t;');
    const requestLine = lineOf(KVSTORE_C, 'uint32_t op = pkt[8]');
    let verified: boolean[] = [];
    const stop = await launch(dc, clusterArgs({ showVms: ['kv-1', 'ticker'], stopOnEntry: false }), async () => {
      const a = await dc.setBreakpointsRequest({ source: { path: tickerC }, breakpoints: [{ line: tickLine }] });
      const b = await dc.setBreakpointsRequest({ source: { path: KVSTORE_C }, breakpoints: [{ line: requestLine }] });
      const c = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'no_such_function' }] });
      verified = [...a.body.breakpoints, ...b.body.breakpoints, ...c.body.breakpoints].map((x) => x.verified);
    });
    assert.deepEqual(verified, [true, true, false], 'each line resolves in the program that has it');
    assert.deepEqual((await threadNames(dc)).map((n) => n.replace(/ @ .*/, '')), ["kv-1's primary", "kv-1's secondary", "ticker's primary", "ticker's secondary"]);
    // The ticker stops at its tick line, kv-1 at kvstore.c's request line, and neither at the other's.
    const seen: string[] = [];
    let s = stop;
    for (let i = 0; i < 12 && seen.length < 2; i++) {
      const frame = (await dc.stackTraceRequest({ threadId: s.body.threadId! })).body.stackFrames[0];
      const who = (await threads(dc)).find((t) => t.id === s.body.threadId)!.name.replace(/ @ .*/, '');
      const where = `${who} ${frame.source?.name}:${frame.line} ${frame.name}`;
      if (!seen.includes(where)) seen.push(where);
      if (who === "ticker's primary" && frame.line === tickLine) assert.match(await evalIn(dc, 't', frame.id), /^\d+$/, "ticker's locals come from ticker.elf's DWARF");
      s = await stoppedAfter(dc, () => dc.continueRequest({ threadId: s.body.threadId! }));
    }
    assert.ok(seen.some((w) => w.startsWith(`ticker's primary ticker.c:${tickLine} `)), seen.join('\n'));
    assert.ok(seen.some((w) => w.startsWith(`kv-1's primary kvstore.c:${requestLine} `)), seen.join('\n'));
    // A VM stops only at its own program's breakpoint address (ticker.c's address means other code in kvstore.elf).
    assert.ok(seen.every((w) => w.startsWith(`ticker's primary ticker.c:${tickLine} `) || w.startsWith(`kv-1's primary kvstore.c:${requestLine} `)), seen.join('\n'));
  }));

test('compareVMs on kv-2\'s pair by a thread of kv-2; a VM the debugger does not show is refused', () =>
  withClient(async (dc) => {
    await launch(dc, clusterArgs({ showVms: ['kv-1', 'kv-2'] }));
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 20 }));
    const kv2 = await threadId(dc, "kv-2's secondary @ esx-4");
    const cmp = (await dc.customRequest('compareVMs', { threadId: kv2 })).body as CompareVmsReply;
    assert.equal(cmp.primary.name, "kv-2's primary @ esx-3");
    assert.equal(cmp.secondary.name, "kv-2's secondary @ esx-4");
    assert.equal(cmp.same, true);
    assert.match(cmp.primaryText, /^kv-2's primary @ esx-3 at instruction/);
    const first = (await dc.customRequest('compareVMs')).body as CompareVmsReply;
    assert.equal(first.primary.name, "kv-1's primary @ esx-1", 'no thread: the focused VM\'s pair');
    const hosts = (await dc.customRequest('hosts')).body as HostsReply;
    const ticker = hostOf(hosts, 'esx-5').vms.find((v) => v.vm === 'ticker')!;
    assert.match(await errorOf(dc.customRequest('compareVMs', { threadId: ticker.id })), /is ticker's, which the debugger does not show \(showVms\)/);
    // Difference vs peer of kv-2's thread compares kv-2's pair.
    const frame = (await dc.stackTraceRequest({ threadId: kv2 })).body.stackFrames[0];
    const scope = (await dc.scopesRequest({ frameId: frame.id })).body.scopes.find((s) => s.name === 'Difference vs peer')!;
    const rows = (await dc.variablesRequest({ variablesReference: scope.variablesReference })).body.variables;
    assert.equal(rows.find((r) => r.name === 'result')?.value, 'identical');
  }));

test('.ft testFailover kv-2 fails kv-2 over (not kv-1); an unknown VM is a clear error, and so is a VM name for a single VM', async () => {
  await withClient(async (dc) => {
    await launch(dc, clusterArgs());
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 20 }));
    assert.match(await errorOf(dc.evaluateRequest({ expression: '.ft testFailover kv-9', context: 'repl' })), /ftAction: no VM named "kv-9" \(the cluster's VMs: kv-1, kv-2, ticker/);
    assert.match(await evalIn(dc, '.ft testFailover kv-2', undefined, 'repl'), /^testFailover on kv-2 takes effect at 20\.0\d* ms, when the cluster runs on/);
    const events: { kind: string; of?: string }[] = [];
    dc.on('lockstep.clusterEvent', (e: DebugProtocol.Event) => events.push(e.body));
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 60 }));
    assert.deepEqual(events.filter((e) => e.kind === 'goLive').map((e) => e.of), ['kv-2']);
    const names = await threadNames(dc);
    assert.ok(names.includes("kv-2's primary @ esx-4"), names.join(', '));
    assert.ok(names.includes("kv-1's primary @ esx-1") && names.includes("kv-1's secondary @ esx-2"), names.join(', '));
    const r = await dc.customRequest('ftAction', { action: 'testRestartSecondary', vm: 'kv-1' });
    assert.equal(r.body.fault.vm, 'kv-1');
  });
  await withClient(async (dc) => {
    await launch(dc, { program: KVSTORE, untilMs: 100 });
    assert.match(await errorOf(dc.evaluateRequest({ expression: '.ft testFailover kv-2', context: 'repl' })), /ftAction: a VM is named only in a cluster of several VMs/);
  });
});

test('.ft migrateSecondary kv-2 moves kv-2\'s secondary by vMotion; the pair stays Protected and no VM fails over', () =>
  withClient(async (dc) => {
    await launch(dc, clusterArgs());
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 20 }));
    const before = (await threadNames(dc)).find((n) => n.startsWith("kv-2's secondary @ "))!;
    assert.match(await evalIn(dc, '.ft migrateSecondary kv-2', undefined, 'repl'), /^migrateSecondary on kv-2 takes effect at 20\.0\d* ms/);
    const events: { kind: string; of?: string; text: string }[] = [];
    dc.on('lockstep.clusterEvent', (e: DebugProtocol.Event) => events.push(e.body));
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 60 }));
    const moves = events.filter((e) => e.kind === 'migrate' && e.of === 'kv-2').map((e) => e.text);
    assert.equal(moves.length, 2, moves.join('\n'));
    assert.match(moves[1], /^vMotion done: kv-2's secondary @ esx-\d runs on esx-\d \(was esx-\d/);
    assert.deepEqual(events.filter((e) => e.kind === 'goLive'), []);
    const after = (await threadNames(dc)).find((n) => n.startsWith("kv-2's secondary @ "))!;
    assert.notEqual(after, before);
    const b = (await dc.customRequest('hosts')).body as HostsReply;
    assert.ok(b.hosts.flatMap((h) => h.vms).filter((v) => v.vm === 'kv-2').every((v) => v.ftState === 'Protected'));
  }));

test('hosts: each VM entry names its VM and that VM\'s FT state; each host its FT instances and what its logging NIC sent', () =>
  withClient(async (dc) => {
    await launch(dc, clusterArgs());
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 20 }));
    const b = (await dc.customRequest('hosts')).body as HostsReply;
    const esx1 = hostOf(b, 'esx-1');
    assert.deepEqual(esx1.vms.map((v) => [v.name, v.vm, v.ftState]), [
      ["kv-1's primary @ esx-1", 'kv-1', 'Protected'],
      ["diskhog's primary @ esx-1", 'diskhog', 'Protected'],
      ["batch-1's primary @ esx-1", 'batch-1', 'FT off'],
    ]);
    assert.equal(esx1.ftVms, 2, 'kv-1 and diskhog are FT, batch-1 is not');
    assert.equal(esx1.loggingNicMbps, 1000);
    assert.ok(esx1.loggingBytes > 0, 'the primaries\' logging traffic leaves through esx-1\'s NIC');
    assert.equal(b.hosts.reduce((n, h) => n + h.ftVms, 0), 8, '4 FT VMs, a primary and a secondary each');
    assert.equal(b.ftState, 'Protected');
    // DRS (fully automated, looking every 200 ms) has measured: each host's load, each live instance's CPU demand.
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 250 }));
    const m = (await dc.customRequest('hosts')).body as HostsReply;
    const all = m.hosts.flatMap((h) => h.vms);
    const demand = (name: string) => all.find((v) => v.name === name)!.demandMips!;
    assert.ok(m.hosts.every((h) => h.load !== undefined && h.load.cpu >= 0 && h.load.mem > 0), JSON.stringify(m.hosts.map((h) => h.load)));
    assert.ok(demand("kv-1's primary @ esx-1") > 100 * demand("web-1's primary @ esx-3"), 'a kvstore serving clients runs; an idle guest sleeps in wfi');
  }).then(() => withClient(async (dc) => {
    await launch(dc, { program: KVSTORE, untilMs: 100 });
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 10 }));
    const b = (await dc.customRequest('hosts')).body as HostsReply;
    const a = hostOf(b, 'host-a');
    assert.deepEqual(a.vms.map((v) => [v.name, v.vm, v.ftState]), [['primary @ host-a', undefined, b.ftState]], 'one VM: not named');
    assert.equal(a.loggingNicMbps, null);
    assert.ok(a.loggingBytes > 0);
    assert.deepEqual(b.hosts.map((h) => h.ftVms), [1, 1, 0]);
    assert.ok(b.hosts.every((h) => h.load === undefined && h.vms.every((v) => v.demandMips === undefined)), 'one VM: no DRS, no load');
  })));

test('a recording of a cluster opens in the debugger: every VM\'s program comes from the file, the first VM\'s instances are threads', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-cluster-rec-'));
  const file = join(dir, 'cluster.lsrec');
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/lockstep.js'), 'run', join(CLUSTER_DIR, 'cluster.json'), '--until-ms', '60', '--json', '--record', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  await withClient(async (dc) => {
    await launch(dc, { replay: file });
    const names = await threadNames(dc);
    assert.ok(names.length > 0 && names.every((n) => n.startsWith("kv-1's ")), names.join(', '));
  });
});
