// What fills the FT log: bytes by kind of entry add up to the log's bytes, and a heavy log names its dominant kind with a hint.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProgramBytes } from '../../src/asm/load-program';
import { parseScenario } from '../../src/ft/scenario';
import { runScenario } from '../../src/ft/report';
import { formatSummary } from '../../src/cli/timeline-format';
import { formatLogHint, heavyLogHint, HEAVY_LOG_BYTES_PER_MINSTR, HEAVY_LOG_BYTES_PER_MS } from '../../src/ft/log-hint';
import { emptyLogBytesByKind, LOG_BYTE_KINDS, type LogBytesByKind } from '../../src/ft/protocol/log-kinds';
import { demoScenario, kvstore } from './helpers';

const POLL = join(__dirname, '../fixtures/ft/poll-mtime.s');

function pollMtime() {
  return loadProgramBytes(POLL, readFileSync(POLL));
}

const total = (b: LogBytesByKind) => LOG_BYTE_KINDS.reduce((a, k) => a + b[k], 0);

test('a guest that busy-polls mtime: timer reads fill the log, and the summary says to sleep with wfi', () => {
  const { summary } = runScenario(parseScenario({ program: 'poll-mtime.s', untilMs: 5, workload: { clients: 0 } }), pollMtime());
  const log = summary.log;
  assert.equal(total(log.bytesByKind), log.bytes, 'every sent byte is counted under one kind');
  assert.ok(log.bytesPerMInstr > HEAVY_LOG_BYTES_PER_MINSTR, `${log.bytesPerMInstr} bytes per million instructions`);
  assert.ok(log.hint !== null);
  assert.equal(log.hint.kind, 'time');
  assert.ok(log.hint.sharePct >= 95, `${log.hint.sharePct}%`);
  assert.equal(log.hint.bytes, log.bytesByKind.time);
  assert.match(formatSummary(summary), /^heavy log: timer reads \(mtime, rdtime\): \d+% of log bytes — sleep with `wfi` .* instead of polling `mtime`$/m);
});

test('the kvstore demo: a light log, every kind counted, no hint (its existing fields as before)', () => {
  const { summary } = runScenario(demoScenario({ untilMs: 60, faults: [] }), kvstore());
  const log = summary.log;
  assert.equal(total(log.bytesByKind), log.bytes);
  assert.ok(log.bytesByKind.nicRx > 0 && log.bytesByKind.time > 0 && log.bytesByKind.marks > 0);
  assert.equal(log.hint, null);
  assert.deepEqual(Object.keys(log).slice(0, 7), ['bytes', 'entries', 'messages', 'maxLagMs', 'stalls', 'throttleEvents', 'bytesPerMInstr']);
  assert.doesNotMatch(formatSummary(summary), /heavy log/);
});

test('heavyLogHint: only a heavy log (per instruction and per simulated second) with one kind over half of it', () => {
  const b = { ...emptyLogBytesByKind(), diskDone: 600, outputs: 100, marks: 300 };
  const heavy = [HEAVY_LOG_BYTES_PER_MINSTR, HEAVY_LOG_BYTES_PER_MS] as const;
  const h = heavyLogHint(b, ...heavy);
  assert.deepEqual(h && { kind: h.kind, sharePct: h.sharePct, bytes: h.bytes }, { kind: 'diskDone', sharePct: 60, bytes: 600 });
  assert.match(formatLogHint(h!), /^disk reads: 60% of log bytes — /);
  assert.equal(heavyLogHint(b, HEAVY_LOG_BYTES_PER_MINSTR - 1, HEAVY_LOG_BYTES_PER_MS), null, 'light per instruction');
  assert.equal(heavyLogHint(b, HEAVY_LOG_BYTES_PER_MINSTR, HEAVY_LOG_BYTES_PER_MS - 1), null, 'light per second: an idle guest');
  assert.equal(heavyLogHint({ ...b, diskDone: 500, outputs: 200 }, ...heavy), null, 'half is not more than half');
  assert.equal(heavyLogHint({ ...b, diskDone: 0, marks: 900 }, ...heavy), null, 'headers are the floor of any log');
  for (const k of LOG_BYTE_KINDS.filter((x) => x !== 'marks')) {
    const only = heavyLogHint({ ...emptyLogBytesByKind(), [k]: 1 }, ...heavy);
    assert.ok(only !== null && only.hint.length > 0 && only.what.length > 0, k);
  }
});
