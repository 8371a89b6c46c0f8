// Linux with its root on the shared disk (examples/linux/linux-disk.elf): both hosts of the pair crash, HA boots Linux again from the disk on the third, /init replays /kv.log, and every write a client was told about is still there; a server that keeps its table only in memory is caught by the checker.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertServed, assertTicksExact, BANNER, REPLAYED, requestsOf, ROOT, run } from './scenario-run';

const DIR = join(ROOT, 'examples', 'linux');
const SCENARIO = join(DIR, 'ha-restart.json');
const missing = existsSync(join(DIR, 'linux-disk.elf')) ? false : 'examples/linux is not built: `npm run linux` builds it (CI does)';
const opts = { skip: missing, timeout: 300_000 };

/** Each boot's part of the console: from /init's banner up to the next boot's kernel log. */
function boots(console: string): string[][] {
  return console.split(BANNER).slice(1).map((part) => [BANNER, ...part.split(/\r?\n/).filter((l) => l !== '' && !l.startsWith('['))]);
}

test('both hosts of the pair crash: HA boots Linux again from the disk, /init replays every acknowledged write from /kv.log, and every read after it sees them', opts, () => {
  const r = run(SCENARIO);
  assertServed(r, requestsOf(SCENARIO));
  assert.equal(r.haRestarts, 1, 'one HA restart, on the host left');
  assert.equal(r.failovers.length, 0, 'no secondary survived to go live');
  const [first, second, ...more] = boots(r.console);
  assert.equal(more.length, 0, `two boots (${r.console.slice(-300)})`);
  assert.equal(first[1], 'lockstep /init: keeping the table in /kv.log: 0 writes replayed', 'the first boot finds the log empty');
  const replayed = Number(REPLAYED.exec(second[1])?.[1]);
  assert.ok(replayed >= 5, `the second boot replays the writes made before the crash (${second[1]})`);
  // The checker behind the claim: a GET after the restart returned the value of the last acknowledged PUT, or of one in flight.
  assert.ok(r.invariants.some((c) => c.name === 'reads-see-acked-writes' && c.ok));
  assertTicksExact(second);
  assert.equal(r.ftState, 'Protected', 'protected again once a host returns');
  assert.equal(run(SCENARIO).traceHash, r.traceHash, 'one seed, one configuration, one program: one run');
});

test('the same double failure with a server that keeps its table in memory only (linux.elf, no /kv.log): the checker reports the acknowledged write a read no longer sees', opts, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lockstep-ha-'));
  try {
    const s = JSON.parse(readFileSync(SCENARIO, 'utf8')) as { program: string };
    s.program = join(DIR, 'linux.elf');
    const file = join(tmp, 'ha-memory.json');
    writeFileSync(file, JSON.stringify(s));
    const r = run(file, false);
    const c = r.invariants.find((x) => x.name === 'reads-see-acked-writes');
    assert.equal(c?.ok, false, 'the lost table is caught');
    assert.match(c!.detail, /GET of k\d+ .* returned nothing, but client \d's PUT of "v\d+\.\d+" had been acknowledged at/);
    assert.equal(r.ok, false);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
