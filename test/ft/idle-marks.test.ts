// Progress marks on a quiet log: the primary sends bare marks every idleMarkIntervalUs, entries still leave within flushIntervalUs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadElf } from '../../src/machine/elf';
import { parseScenario, ScenarioError } from '../../src/ft/scenario';
import { runScenario } from '../../src/ft/report';
import { NS_PER_MS } from '../../src/ft/cluster';
import { failed, run } from './helpers';

const crc32 = loadElf(readFileSync(join(__dirname, '../../examples/bench/crc32-rv32im.elf')), 'crc32-rv32im.elf');
const HEADER_BYTES = 32; // a log message with no entries: a bare progress mark

/** A CPU-bound guest that logs nothing for 100 ms: every message is a bare mark. */
function quiet(ft: Record<string, unknown>) {
  return runScenario(parseScenario({ program: 'crc32-rv32im.elf', untilMs: 100, ft, workload: { clients: 0 } }), crc32);
}

test('a quiet log sends one bare progress mark per idleMarkIntervalUs, and the secondary lags by about that much', () => {
  for (const idleUs of [50, 200, 1000]) {
    const { summary, cluster } = quiet({ idleMarkIntervalUs: idleUs });
    assert.deepEqual(failed(summary), []);
    assert.equal(summary.log.entries, 0, 'crc32 logs nothing before it powers off');
    const marks = summary.log.messages;
    assert.equal(summary.log.bytes, marks * HEADER_BYTES);
    const expected = (100 * 1000) / idleUs;
    assert.ok(Math.abs(marks - expected) <= expected * 0.05 + 2, `idle ${idleUs} µs: ${marks} marks, expected about ${expected}`);
    const latencyNs = cluster.scenario.network.logging.latencyUs * 1000;
    assert.ok(cluster.main.stats.maxLagNs <= idleUs * 1000 + 2 * latencyNs, `idle ${idleUs} µs: lag ${cluster.main.stats.maxLagNs} ns`);
    assert.ok(cluster.main.stats.maxLagNs >= idleUs * 1000 * 0.9, `idle ${idleUs} µs: lag ${cluster.main.stats.maxLagNs} ns reflects the mark interval`);
  }
});

test('with entries to send the log still leaves every flushIntervalUs: a busy kvstore is served the same with long idle marks', () => {
  const busy = { workload: { clients: 4, requests: 10_000, ratePerSec: 20_000 }, untilMs: 80 };
  const short = run({ ...busy, ft: { idleMarkIntervalUs: 50 } }).summary;
  const long = run({ ...busy, ft: { idleMarkIntervalUs: 20_000 } }).summary;
  assert.deepEqual(failed(long), []);
  assert.ok(long.clients.ok > 100);
  assert.ok(Math.abs(long.clients.ok - short.clients.ok) <= short.clients.ok * 0.02, `${long.clients.ok} vs ${short.clients.ok} requests served`);
  assert.ok(long.clients.meanLatencyMs <= short.clients.meanLatencyMs * 1.05, `latency ${long.clients.meanLatencyMs} vs ${short.clients.meanLatencyMs} ms`);
  assert.ok(long.log.maxLagMs * NS_PER_MS <= 20_000 * 1000, 'lag under the idle interval');
});

test('an entry on a quiet log leaves within flushIntervalUs, not at the next idle mark', () => {
  // kvstore without clients: a timer interrupt every 1 ms is all it logs (no outputs, so no urgent flushes).
  const quietKv = run({ workload: { clients: 0 }, untilMs: 60, ft: { idleMarkIntervalUs: 20_000 } }).summary;
  assert.deepEqual(failed(quietKv), []);
  assert.ok(quietKv.log.entries >= 100, `${quietKv.log.entries} entries`);
  // Each tick's entries go out within 50 µs of it (at least one message per 1 ms tick), not batched into three 20 ms marks.
  assert.ok(quietKv.log.messages >= 55, `${quietKv.log.messages} messages for ${quietKv.log.entries} entries`);
  assert.ok(quietKv.log.maxLagMs < 20, `lag ${quietKv.log.maxLagMs} ms`);
});

test('idleMarkIntervalUs shorter than flushIntervalUs is refused with a clear message', () => {
  assert.throws(
    () => parseScenario({ program: 'x.elf', ft: { flushIntervalUs: 100, idleMarkIntervalUs: 50 } }),
    (e: unknown) => e instanceof ScenarioError && /idleMarkIntervalUs: 50 µs is shorter than ft.flushIntervalUs \(100 µs\)/.test(e.message),
  );
});
