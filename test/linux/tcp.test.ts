// Clients over TCP/IPv4 to Linux (workload.transport "tcp"): the kernel's own TCP and virtio-net driver serve them through a failover with no request sent twice by the application, and after an HA restart the clients' connections are reset and opened again.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertServed, assertTicksExact, initLines, lockstep, requestsOf, ROOT, type RunJson, SERVING_TCP } from './scenario-run';

const DIR = join(ROOT, 'examples', 'linux');
const SCENARIO = join(DIR, 'tcp-failover.json');
const missing = existsSync(join(DIR, 'linux-disk.elf')) ? false : 'examples/linux is not built: `npm run linux` builds it (CI does)';
const opts = { skip: missing, timeout: 300_000 };

type TcpRun = RunJson & { log: { bytesByKind: Record<string, number> } };

function run(scenario: string): TcpRun {
  const r = lockstep(['run', scenario, '--json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as TcpRun;
}

test('over TCP through a failover: every request answered once, none sent again by a client (TCP retransmits what the crash lost), the frames logged as netRx', opts, () => {
  const r = run(SCENARIO);
  assertServed(r, requestsOf(SCENARIO));
  assert.equal(r.failovers.length, 1);
  assert.equal(r.clients.retries, 0, 'no application retry: the connection survived the failover in the VM\'s memory');
  assert.equal(r.clients.duplicates, 0);
  const f = r.failovers[0];
  assert.ok(r.clients.maxLatencyMs >= f.liveAtMs - f.failedAtMs, `a request in flight across the failover waited for it (${r.clients.maxLatencyMs} ms)`);
  assert.ok(r.log.bytesByKind.netRx > 0 && r.log.bytesByKind.nicRx === 0, `the requests came as Ethernet frames (${JSON.stringify(r.log.bytesByKind)})`);
  const lines = initLines(r.console);
  assert.ok(lines.includes(SERVING_TCP), '/init serves on TCP');
  assertTicksExact(lines);
  assert.equal(run(SCENARIO).traceHash, r.traceHash, 'one seed, one configuration, one program: one run');
});

test('over TCP through a double failure: HA boots Linux from its disk, the clients\' connections are reset, opened again and their requests sent again; every acknowledged write is still read', opts, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lockstep-tcp-'));
  try {
    const s = JSON.parse(readFileSync(join(DIR, 'ha-restart.json'), 'utf8')) as { program: string; workload: { transport: string } };
    s.program = join(DIR, s.program);
    s.workload.transport = 'tcp';
    const file = join(tmp, 'tcp-ha.json');
    writeFileSync(file, JSON.stringify(s));
    const r = run(file);
    assertServed(r, requestsOf(file));
    assert.equal(r.haRestarts, 1);
    assert.ok(r.clients.retries >= 1, 'a client whose connection the restart lost opened another and sent its request again');
    assert.ok(r.invariants.some((c) => c.name === 'reads-see-acked-writes' && c.ok));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
