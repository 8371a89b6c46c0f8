// The Timeline's pure logic on a real failover run: lanes, spans, marks, outputs and lag from the adapter's `timeline`; messages, seek arguments, HTML/CSP, throttle.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterRuntime, failoverRuntime, syntheticBody, timelineBody } from './timeline-fixture';
import { onlyVm } from '../../src/extension/webview/vm-filter';
import { prepare, VM_ROW_PX } from '../../src/extension/webview/prepare';
import { IMPORTANT_KINDS, markLabel, parseWebviewMessage, seekArguments, Span, TimelineModel, timelineModel } from '../../src/extension/timeline-model';
import { newNonce, timelineCsp, timelineHtml } from '../../src/extension/timeline-html';
import { Throttle } from '../../src/extension/throttle';

const MS = 1e6;

function spansOf(m: TimelineModel, lane: string, kind?: string): Span[] {
  const i = m.lanes.findIndex((l) => l.name === lane);
  assert.ok(i >= 0, `lane ${lane} in ${m.lanes.map((l) => l.name).join(', ')}`);
  return m.spans.filter((s) => s.lane === i && (kind === undefined || s.kind === kind));
}

function marksOn(m: TimelineModel, lane: string): string[] {
  const i = m.lanes.findIndex((l) => l.name === lane);
  return m.marks.filter((k) => k.lane === i && k.important).map((k) => k.kind);
}

test('a real failover run: lanes per host and VM, the crash, detection, arbitration, go-live and respawn where they happened', async () => {
  const rt = await failoverRuntime();
  const m = timelineModel(timelineBody(rt));
  assert.deepEqual(m.lanes.map((l) => l.name), ['cluster', 'host-a', 'VM 1 (host-a)', 'host-b', 'VM 2 (host-b)', 'host-c', 'VM 3 (host-c)', 'lag']);
  assert.deepEqual(m.lanes.map((l) => l.kind), ['cluster', 'host', 'vm', 'host', 'vm', 'host', 'vm', 'lag']);
  assert.equal(m.nowNs, 300 * MS);
  assert.equal(m.frontierNs, 300 * MS);

  // host-a is down from the crash on; the failover runs from the crash to the go-live.
  assert.deepEqual(spansOf(m, 'host-a', 'hostDown').map((s) => [s.startNs, s.endNs]), [[100 * MS, 300 * MS]]);
  const goLive = m.marks.find((k) => k.kind === 'goLive')!;
  assert.ok(goLive.timeNs > 100 * MS && goLive.timeNs < 300 * MS);
  assert.deepEqual(spansOf(m, 'cluster', 'failover').map((s) => [s.startNs, s.endNs]), [[100 * MS, goLive.timeNs]]);
  assert.match(spansOf(m, 'cluster', 'failover')[0].label, /^failover 40\.\d+ ms → host-b$/);
  assert.equal(spansOf(m, 'host-a', 'hostDown')[0].label, 'host down');
  // Protection: protected, then not, then protected again once the new secondary runs.
  const prot = spansOf(m, 'cluster').filter((s) => s.kind === 'protected' || s.kind === 'unprotected').sort((a, b) => a.startNs - b.startNs);
  assert.equal(prot[prot.length - 1].kind, 'protected');
  assert.ok(prot.some((s) => s.kind === 'unprotected' && s.startNs === 100 * MS));
  for (let i = 1; i < prot.length; i++) assert.equal(prot[i].startNs, prot[i - 1].endNs, 'protection spans tile the run');

  // VM roles: the old primary until the crash; the secondary becomes primary at the go-live; the new secondary is copied first.
  assert.deepEqual(spansOf(m, 'VM 1 (host-a)').map((s) => [s.kind, s.startNs, s.endNs]), [['primary', 0, 100 * MS]]);
  assert.deepEqual(spansOf(m, 'VM 2 (host-b)').map((s) => [s.kind, s.startNs, s.endNs]), [['secondary', 0, goLive.timeNs], ['primary', goLive.timeNs, 300 * MS]]);
  const c = spansOf(m, 'VM 3 (host-c)');
  assert.deepEqual(c.map((s) => s.kind), ['copying', 'secondary']);
  assert.equal(c[0].startNs, goLive.timeNs);
  assert.ok(c[0].endNs > goLive.timeNs && c[1].endNs === 300 * MS);

  // Important events on their lanes, in time order.
  assert.deepEqual(marksOn(m, 'host-a'), ['fault']);
  assert.deepEqual(marksOn(m, 'VM 1 (host-a)'), ['crash']);
  assert.deepEqual(marksOn(m, 'VM 2 (host-b)'), ['respawnDone', 'detect', 'arbitrate', 'goLive']);
  assert.deepEqual(marksOn(m, 'VM 3 (host-c)'), ['respawnStart', 'respawnDone']);
  assert.equal(m.marks.find((k) => k.kind === 'fault')!.label, 'hostCrash');
  assert.equal(m.marks.find((k) => k.kind === 'arbitrate')!.label, 'won test-and-set');
  for (let i = 1; i < m.marks.length; i++) assert.ok(m.marks[i].timeNs >= m.marks[i - 1].timeNs);

  // Outputs: every release, held before it, by the primary of the time.
  const n = m.outputs.releasedNs.length;
  assert.ok(n > 500, `${n} releases`);
  const laneOf = (name: string): number => m.lanes.findIndex((l) => l.name === name);
  for (let i = 0; i < n; i++) {
    assert.ok(m.outputs.producedNs[i] < m.outputs.releasedNs[i]);
    if (i > 0) assert.ok(m.outputs.releasedNs[i] >= m.outputs.releasedNs[i - 1]);
    const t = m.outputs.releasedNs[i];
    assert.equal(m.outputs.lane[i], t <= 100 * MS ? laneOf('VM 1 (host-a)') : laneOf('VM 2 (host-b)'));
    assert.ok(t <= 100 * MS || t >= goLive.timeNs, 'no output leaves during the failover');
  }

  // Lag: sampled over the run; no value while there is no running pair (crash → respawn done).
  const { timeNs, lagNs } = m.lag;
  assert.ok(timeNs.length > 100, `${timeNs.length} lag samples`);
  for (let i = 1; i < timeNs.length; i++) assert.ok(timeNs[i] > timeNs[i - 1]);
  const at = (lo: number, hi: number): (number | null)[] => lagNs.filter((_, i) => timeNs[i] > lo && timeNs[i] < hi);
  assert.ok(at(110 * MS, 140 * MS).every((v) => v === null));
  assert.ok(at(10 * MS, 90 * MS).every((v) => typeof v === 'number' && v >= 0));
  assert.ok(at(10 * MS, 90 * MS).some((v) => (v ?? 0) > 0));
});

test('going back in time keeps the explored future on the timeline; a what-if injection in the past cuts it', async () => {
  const rt = await failoverRuntime(200);
  rt.seekTime(50 * MS);
  const back = timelineModel(timelineBody(rt));
  assert.equal(back.nowNs, 50 * MS);
  assert.equal(back.frontierNs, 200 * MS);
  assert.ok(back.marks.some((k) => k.kind === 'goLive'), 'the go-live ahead of the present is still shown');
  assert.ok(back.lanes.some((l) => l.name === 'VM 3 (host-c)'), 'the VM respawned later has its lane');
  assert.ok(back.lag.timeNs[back.lag.timeNs.length - 1] > 150 * MS);

  rt.inject({ kind: 'hostCrash', host: '@secondary' });
  const branch = timelineModel(timelineBody(rt));
  assert.equal(branch.frontierNs, 50 * MS);
  assert.ok(!branch.marks.some((k) => k.kind === 'goLive'));
  assert.ok(!branch.lanes.some((l) => l.name === 'VM 3 (host-c)'));
  assert.ok(branch.lag.timeNs.every((t) => t <= 50 * MS));
  assert.ok(branch.outputs.releasedNs.every((t) => t <= 50 * MS));
});

test('faults not reached yet are scheduled marks; once the run passes them they are fault events', async () => {
  const rt = await failoverRuntime(60);
  const early = timelineModel(timelineBody(rt));
  const sch = early.marks.filter((k) => k.kind === 'scheduled');
  assert.deepEqual(sch.map((k) => [k.timeNs, k.label, early.lanes[k.lane].name, k.important]), [[100 * MS, 'hostCrash (scheduled)', 'cluster', true]]);
  assert.equal(sch[0].text, 'scheduled: hostCrash on @primary');
  assert.ok(!early.marks.some((k) => k.kind === 'fault'));
  rt.inject({ kind: 'slowHost', host: 'host-b', factor: 0.5 });
  const injected = timelineModel(timelineBody(rt)).marks.filter((k) => k.kind === 'scheduled');
  assert.deepEqual(injected.map((k) => k.label), ['slowHost (scheduled)', 'hostCrash (scheduled)'], 'injected now: scheduled until it fires');
  assert.ok(injected[0].timeNs >= 60 * MS && injected[0].timeNs < 61 * MS, String(injected[0].timeNs));
  await rt.runUntil(150 * MS);
  const later = timelineModel(timelineBody(rt));
  assert.deepEqual(later.marks.filter((k) => k.kind === 'scheduled'), []);
  assert.deepEqual(later.marks.filter((k) => k.kind === 'fault').map((k) => k.label), ['slowHost', 'hostCrash']);
});

test('checkpoints, cluster-wide faults and a slowed host become marks and spans', () => {
  const m = timelineModel({
    nowNs: 30 * MS, frontierNs: 40 * MS, endNs: 100 * MS, protection: 'Protected',
    hosts: [{ name: 'h1', up: true, mips: 100, slowFactor: 0.5 }, { name: 'h2', up: true, mips: 100, slowFactor: 1 }],
    vms: [{ id: 1, role: 'primary', host: 'h1', status: 'running', instret: 5, lagNs: 0, held: 2 }, { id: 2, role: 'secondary', host: 'h2', status: 'running', instret: 4, lagNs: 0, held: 0 }],
    events: [
      { timeNs: 0, kind: 'state', vm: 1, host: 'h1', text: 'VM powered on as primary on h1' },
      { timeNs: 0, kind: 'respawnDone', vm: 2, host: 'h2', text: 'secondary running on h2' },
      { timeNs: 5 * MS, kind: 'fault', text: 'loggingLinkDown', data: { fault: 'loggingLinkDown' } },
      { timeNs: 6 * MS, kind: 'throttle', vm: 1, host: 'h1', text: 'primary CPU throttled' },
      { timeNs: 8 * MS, kind: 'fault', text: 'loggingLinkUp', data: { fault: 'loggingLinkUp' } },
      { timeNs: 10 * MS, kind: 'fault', host: 'h1', text: 'slowHost on h1 (speed ×0.5)', data: { fault: 'slowHost' } },
      { timeNs: 20 * MS, kind: 'fault', host: 'h1', text: 'slowHost on h1 (speed ×1)', data: { fault: 'slowHost' } },
      { timeNs: 25 * MS, kind: 'fault', host: 'h2', text: 'storageLoss on h2', data: { fault: 'storageLoss' } },
    ],
    failovers: [],
    checkpoints: [{ name: 'before', nowNs: 12 * MS }],
  });
  assert.deepEqual(spansOf(m, 'cluster', 'linkDown').map((s) => [s.startNs, s.endNs]), [[5 * MS, 8 * MS]]);
  assert.deepEqual(spansOf(m, 'h1', 'slow').map((s) => [s.startNs, s.endNs]), [[10 * MS, 20 * MS]]);
  assert.deepEqual(spansOf(m, 'h2', 'storageLost').map((s) => [s.startNs, s.endNs]), [[25 * MS, 40 * MS]]);
  assert.equal(m.lanes.find((l) => l.name === 'VM 1 (h1)')!.detail, 'primary · running · 2 held', 'named by identity; the role it has now in the detail');
  assert.equal(m.lanes.find((l) => l.name === 'h1')!.detail, 'up · 100 MIPS · slow ×0.5');
  const cp = m.marks.find((k) => k.kind === 'checkpoint')!;
  assert.deepEqual([cp.label, cp.timeNs, cp.important, m.lanes[cp.lane].name], ['before', 12 * MS, true, 'cluster']);
  const th = m.marks.find((k) => k.kind === 'throttle')!;
  assert.deepEqual([th.important, m.lanes[th.lane].name], [false, 'VM 1 (h1)']);
  assert.deepEqual(m.lag, { timeNs: [], lagNs: [] }, 'an adapter without lag samples');
});

test('a cluster: VM lanes and events name their VM, each VM has its own protection and failover spans; the VM filter keeps one VM\'s', async () => {
  const body = timelineBody(await clusterRuntime());
  const m = timelineModel(body);
  assert.deepEqual(m.vmNames, ['kv-1', 'kv-2', 'ticker', 'diskhog', 'web-1', 'web-2', 'web-3', 'web-4', 'batch-1', 'batch-2', 'dev-1', 'dev-2']);
  const lane1 = m.lanes.find((l) => l.name === 'VM 1 (esx-1)')!;
  assert.deepEqual([lane1.label, lane1.of], ['kv-1 · VM 1 (esx-1)', 'kv-1']);
  assert.equal(m.lanes.find((l) => l.kind === 'host')!.of, undefined);
  // Every event of a VM names it (label and `of`); the host crash concerns no VM in particular.
  const goLives = m.marks.filter((k) => k.kind === 'goLive');
  assert.deepEqual(goLives.map((k) => [k.of, k.label]), [['kv-1', 'kv-1 · go-live'], ['diskhog', 'diskhog · go-live']]);
  const fault = m.marks.find((k) => k.kind === 'fault')!;
  assert.deepEqual([fault.of, fault.label], [undefined, 'hostCrash']);
  // Two failovers from the one crash, each from 150 ms to its own go-live.
  const failovers = spansOf(m, 'cluster', 'failover');
  assert.deepEqual(failovers.map((f) => [f.of, f.startNs, f.endNs]), goLives.map((g) => [g.of, 150 * MS, g.timeNs]));
  const kv1 = spansOf(m, 'cluster').filter((x) => x.of === 'kv-1' && (x.kind === 'protected' || x.kind === 'unprotected'));
  for (let i = 1; i < kv1.length; i++) assert.equal(kv1[i].startNs, kv1[i - 1].endNs, 'kv-1\'s protection spans tile its run');
  assert.ok(kv1.some((x) => x.kind === 'unprotected' && x.startNs === 150 * MS));

  // The page's VM filter: only kv-2's lanes and events, and what concerns no VM (hosts, the crash, lag).
  const only = onlyVm(m, 'kv-2');
  assert.deepEqual(only.lanes.filter((l) => l.kind === 'vm').map((l) => l.of), ['kv-2', 'kv-2']);
  assert.ok(only.lanes.some((l) => l.name === 'esx-1') && only.lanes.some((l) => l.kind === 'lag'));
  assert.ok(only.marks.length > 0 && only.marks.every((k) => k.of === undefined || k.of === 'kv-2'));
  assert.ok(only.marks.some((k) => k.of === 'kv-2') && only.marks.some((k) => k.kind === 'fault'));
  assert.ok(only.spans.every((x) => x.lane < only.lanes.length && (x.of === undefined || x.of === 'kv-2')));
  assert.ok(only.outputs.lane.length > 0 && only.outputs.lane.every((l) => only.lanes[l].of === 'kv-2'), 'kv-2\'s outputs on its renumbered lanes');
  assert.equal(onlyVm(m, null), m);

  // The lag lane draws the focused VM's lag (kv-1, the first shown); the filter draws the chosen VM's own.
  const lagLane = (x: typeof m) => x.lanes.find((l) => l.kind === 'lag')!;
  assert.equal(lagLane(m).label, 'kv-1 · secondary lag');
  assert.deepEqual(Object.keys(m.lagByVm!), ['kv-1', 'kv-2', 'ticker', 'diskhog'], 'every FT VM has a lag series');
  assert.deepEqual(m.lag, m.lagByVm!['kv-1']);
  assert.deepEqual(only.lag, m.lagByVm!['kv-2']);
  assert.equal(lagLane(only).label, 'kv-2 · secondary lag');
  // kv-1 lost its pair at the crash (150 ms) and kv-2 did not: their series differ there.
  const at = (x: typeof m.lag, tNs: number) => x.lagNs[x.timeNs.findIndex((t) => t >= tNs)];
  assert.equal(at(m.lag, 160 * MS), null, 'kv-1 has no running pair just after the crash');
  assert.equal(typeof at(only.lag, 160 * MS), 'number', 'kv-2 still has its pair');
  // Each host's logging NIC: rates that add up to what the NIC sent; esx-1 sends nothing once it crashed (150 ms).
  const esx1 = m.nicByHost!['esx-1'];
  assert.deepEqual(Object.keys(m.nicByHost!), ['esx-1', 'esx-2', 'esx-3', 'esx-4', 'esx-5', 'esx-6']);
  assert.equal(esx1.capMbps, 1000);
  const sentBytes = esx1.mbps.reduce((sum, r, i) => sum + (r * (esx1.timeNs[i] - (i > 0 ? esx1.timeNs[i - 1] : body.loggingNic!.samples[0].timeNs))) / 8000, 0);
  const first = body.loggingNic!.samples[0].bytes[0], last = body.loggingNic!.samples.at(-1)!.bytes[0];
  assert.ok(Math.abs(sentBytes - (last - first)) < 1e-6 * last, `${sentBytes} bytes by the rates, ${last - first} sent`);
  assert.ok(esx1.mbps.some((r, i) => r > 0 && esx1.timeNs[i] < 150 * MS));
  assert.ok(esx1.mbps.every((r, i) => r === 0 || esx1.timeNs[i] <= 151 * MS), 'a crashed host sends nothing');
  assert.match(m.lanes.find((l) => l.name === 'esx-3')!.detail, /logging peak [\d.]+ of 1000 Mbit\/s \(\d+%\)/);
  // The page gives each FT VM its own row of the FT state lane: one VM's Protected never hides another's Not Protected.
  const d = prepare(m);
  const ftLane = d.lanes.findIndex((l) => l.kind === 'cluster');
  const rows = d.tracks.filter((t) => t.lane === ftLane && (t.kind === 'protected' || t.kind === 'unprotected'));
  assert.deepEqual([...new Set(rows.map((t) => `${t.row}/${t.rows}`))].sort(), ['0/4', '1/4', '2/4', '3/4']);
  assert.equal(d.lanes[ftLane].height, 4 * VM_ROW_PX + 8);
  assert.match(d.lanes[ftLane].detail, / · rows: kv-1, kv-2, ticker, diskhog$/);
  for (const t of rows) for (let j = 0; j < t.start.length; j++) assert.ok(t.start[j] <= t.end[j] && (j === 0 || t.end[j - 1] <= t.start[j]), 'a VM\'s spans of a kind are disjoint');
  const kv1Row = rows.find((t) => t.kind === 'unprotected' && t.row === 0)!;
  assert.ok(kv1Row.start.some((x) => x === 150 * MS), 'kv-1 (row 0) is Not Protected from the crash on');
  const one = prepare(onlyVm(m, 'kv-2'));
  assert.ok(one.tracks.filter((t) => t.lane === 0).every((t) => t.rows === 1) && one.lanes[0].height === 40, 'one VM: the whole lane');
  const web = onlyVm(m, 'web-1');
  assert.equal(web.lag.timeNs.length, 0);
  assert.match(lagLane(web).detail, /web-1 is not fault tolerant/);
});

test('100 000 events make a model in one pass', () => {
  const m = timelineModel(syntheticBody(100_000));
  assert.ok(m.outputs.releasedNs.length > 98_000);
  assert.ok(m.marks.filter((k) => k.important).length > 1000);
});

test('webview messages are validated; a seek goes to the time in ms, never just before it', () => {
  assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parseWebviewMessage({ type: 'seek', timeNs: 140_200_000 }), { type: 'seek', timeNs: 140_200_000 });
  for (const bad of [null, 'seek', { type: 'seek' }, { type: 'seek', timeNs: -1 }, { type: 'seek', timeNs: NaN }, { type: 'seek', timeNs: '5' }, { type: 'eval', code: '1' }]) {
    assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
  }
  let x = 0x9e3779b9;
  for (let i = 0; i < 20_000; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    const t = i % 2 === 0 ? x * 137 : x * 1.37 + 0.5;
    const { timeMs } = seekArguments(t);
    assert.ok(timeMs * MS >= t, `${t} ns → ${timeMs} ms`);
    assert.ok(timeMs * MS - t <= t * 1e-12, `${t} ns → ${timeMs} ms is close`);
  }
  assert.equal(seekArguments(0).timeMs, 0);
});

test('the page: strict CSP with a fresh nonce on the only script, media from the webview origin, no inline style or script', () => {
  const a = newNonce();
  const b = newNonce();
  assert.notEqual(a, b);
  assert.match(a, /^[A-Za-z0-9_-]{22}$/);
  const src = 'https://x.vscode-cdn.net';
  assert.equal(timelineCsp(src, a), `default-src 'none'; img-src ${src} data:; style-src ${src}; script-src 'nonce-${a}'`);
  const html = timelineHtml({ cspSource: src, nonce: a, scriptUri: `${src}/media/timeline.js?a="b"`, styleUri: `${src}/media/timeline.css` });
  assert.ok(html.includes(`content="default-src 'none'; img-src ${src} data:; style-src ${src}; script-src 'nonce-${a}'"`));
  assert.equal(html.match(/<script\b/g)!.length, 1);
  assert.ok(html.includes(`<script nonce="${a}" src="${src}/media/timeline.js?a=&quot;b&quot;"></script>`), 'URIs are attribute-escaped');
  assert.ok(html.includes(`<link rel="stylesheet" href="${src}/media/timeline.css">`));
  assert.doesNotMatch(html, /\sstyle=|<style|\son[a-z]+=/i);
  assert.match(html, /id="timeline"/);
  assert.throws(() => timelineHtml({ cspSource: src, nonce: `x' 'unsafe-inline`, scriptUri: '', styleUri: '' }), /nonce/);
});

test('the refresh throttle: a burst becomes one run now and one after the interval; never two at once', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let nowMs = 0;
  let runs = 0;
  let active = 0;
  let maxActive = 0;
  const finish: (() => void)[] = [];
  const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
  const th = new Throttle(() => {
    runs++;
    maxActive = Math.max(maxActive, ++active);
    return new Promise<void>((r) => finish.push(() => { active--; r(); }));
  }, 100, () => nowMs);
  for (let i = 0; i < 10; i++) th.request();
  assert.equal(runs, 1, 'the first request runs at once');
  nowMs = 20;
  finish.shift()!();
  await settle();
  for (let i = 0; i < 10; i++) th.request();
  assert.equal(runs, 1, 'the rest wait for the interval');
  nowMs = 100;
  t.mock.timers.tick(80);
  assert.equal(runs, 2, 'one trailing run for both bursts');
  th.request();
  nowMs = 130;
  finish.shift()!();
  await settle();
  assert.equal(runs, 2, 'a request during a run waits for it and for the interval');
  nowMs = 200;
  t.mock.timers.tick(70);
  assert.equal(runs, 3);
  nowMs = 500;
  finish.shift()!();
  await settle();
  th.request();
  assert.equal(runs, 4, 'long enough after the last run: at once');
  assert.equal(maxActive, 1);
  finish.shift()!();
  th.dispose();
  th.request();
  t.mock.timers.tick(1000);
  assert.equal(runs, 4, 'nothing after dispose');
});

test('a live migration shows on the timeline as an event, labelled by what happened', () => {
  const ev = (text: string) => ({ timeNs: 1, kind: 'migrate' as const, text, of: 'kv-1' });
  assert.ok(IMPORTANT_KINDS.has('migrate'));
  assert.equal(markLabel(ev("Migrate Secondary: vMotion of kv-1's secondary @ esx-2 to esx-5 began (pre-copy of 16 MiB, 16.9 ms)")), 'vMotion');
  assert.equal(markLabel(ev("vMotion done: kv-1's secondary @ esx-5 runs on esx-5 (was esx-2; stopped 1.0 ms for the switch-over)")), 'vMotion done');
  assert.equal(markLabel(ev("vMotion of kv-1's primary @ esx-1 to esx-2 abandoned: esx-2 is down")), 'vMotion abandoned');
  assert.equal(markLabel(ev('DRS: move web-1 to esx-4 (esx-1 runs 5 VMs, esx-4 1): recommended (DRS is manual)')), 'DRS recommends');
});
