// `run --perfetto` / `replay --perfetto`: the cluster trace as Chrome trace-event JSON, with hosts, VM role spans and the failover.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './run-cli';
import { toChromeTrace, type ChromeTrace, type ChromeTraceEvent } from '../../src/cli/perfetto';

const root = join(__dirname, '../..');
const failover = join(root, 'examples/kvstore/failover.json');
const dir = mkdtempSync(join(tmpdir(), 'lockstep-perfetto-'));

const names = (t: ChromeTrace, kind: 'process_name' | 'thread_name') =>
  t.traceEvents.filter((e) => e.ph === 'M' && e.name === kind).map((e) => e.args!.name);
const pidOf = (t: ChromeTrace, host: string) => t.traceEvents.find((e) => e.name === 'process_name' && e.args!.name === host)!.pid;
const spansOf = (t: ChromeTrace, pid: number, tid: number): ChromeTraceEvent[] =>
  t.traceEvents.filter((e) => e.ph === 'X' && e.pid === pid && e.tid === tid);

test('run --perfetto writes the failover: hosts as processes, role spans per VM, the go-live instant', async () => {
  const file = join(dir, 'run.json');
  const r = await cli('run', failover, '--json', '--perfetto', file);
  assert.equal(r.code, 0, r.err);
  const t = JSON.parse(readFileSync(file, 'utf8')) as ChromeTrace;
  assert.deepEqual(names(t, 'process_name'), ['cluster', 'host-a', 'host-b', 'host-c']);
  assert.equal(t.metadata.traceHash, JSON.parse(r.out).traceHash);
  // vm 1: primary on host-a until the crash at 100 ms.
  assert.deepEqual(spansOf(t, pidOf(t, 'host-a'), 1).map((s) => [s.name, s.ts, s.dur]), [['primary', 0, 100_000]]);
  // vm 2: secondary on host-b, then primary from its go-live to the end.
  const goLive = t.traceEvents.find((e) => e.ph === 'i' && e.name === 'goLive')!;
  assert.equal(goLive.pid, pidOf(t, 'host-b'));
  const b = spansOf(t, pidOf(t, 'host-b'), 2);
  assert.deepEqual(b.map((s) => s.name), ['secondary', 'primary']);
  assert.equal(b[1].ts, goLive.ts);
  assert.equal(b[1].ts! + b[1].dur!, 300_000, 'the last span lasts until the end of the run');
  // vm 3: copied, then secondary on host-c.
  assert.deepEqual(spansOf(t, pidOf(t, 'host-c'), 3).map((s) => s.name), ['copying', 'secondary']);
  const states = t.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'state').map((e) => e.name);
  assert.deepEqual(states.slice(-2), ['Not Protected (Starting)', 'Protected']);
});

test('replay --perfetto writes the same trace as the run it replays', async () => {
  const rec = join(dir, 'r.lsrec');
  const a = join(dir, 'a.json');
  const b = join(dir, 'b.json');
  assert.equal((await cli('run', failover, '--until-ms', '160', '--json', '--record', rec, '--perfetto', a)).code, 0);
  assert.equal((await cli('replay', rec, '--json', '--perfetto', b)).code, 0);
  const strip = (f: string) => (JSON.parse(readFileSync(f, 'utf8')) as ChromeTrace).traceEvents;
  assert.deepEqual(strip(b), strip(a));
});

test('a bad end time or a missing --perfetto value is a clear error', async () => {
  assert.throws(() => toChromeTrace([], Number.NaN), /bad end time/);
  const r = await cli('run', failover, '--perfetto');
  assert.notEqual(r.code, 0);
  assert.match(r.err, /--perfetto needs a value/);
});

test('run --perfetto on a cluster: one protection-state track per VM, each VM incarnation named after its VM', async () => {
  const file = join(dir, 'cluster.json');
  const r = await cli('run', join(root, 'examples/cluster/cluster.json'), '--json', '--until-ms', '200', '--perfetto', file);
  assert.equal(r.code, 0, r.err);
  const t = JSON.parse(readFileSync(file, 'utf8')) as ChromeTrace;
  const threads = names(t, 'thread_name');
  for (const vm of ['kv-1', 'kv-2', 'ticker', 'diskhog']) assert.ok(threads.includes(`${vm}: FT protection state`), threads.join(', '));
  assert.ok(threads.some((n) => /^kv-1 · vm \d+$/.test(String(n))), threads.join(', '));
  const kv1 = t.traceEvents.find((e) => e.ph === 'M' && e.args!.name === 'kv-1: FT protection state')!;
  const spans = spansOf(t, kv1.pid, kv1.tid).map((e) => e.name);
  assert.ok(spans.includes('Protected') && spans.includes('Not Protected (VM not Running)'), spans.join(', '));
});
