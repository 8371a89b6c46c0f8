// Linux as a guest (examples/linux, built by `npm run linux`): it boots to /init on one VM and on the FT pair, the same run every time; /init answers the kvstore protocol on the NIC, and a failover mid-request keeps the console exact and every request answered once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadElf } from '../../src/machine/elf';
import { Machine } from '../../src/machine/machine';
import { StandaloneRun } from '../../src/machine/standalone';
import { decodeReply, encodeRequest, KvOp, KvStatus, type KvReply } from '../../src/ft/world/kv-protocol';

import { assertServed, assertTicksExact, initLines, lockstep, requestsOf, ROOT, run, SERVING } from './scenario-run';

const ELF = join(ROOT, 'examples', 'linux', 'linux.elf');
const SCENARIO = join(ROOT, 'examples', 'linux', 'failover.json');
const BOOT = join(ROOT, 'examples', 'linux', 'boot.json');
const missing = existsSync(ELF) ? false : 'examples/linux/linux.elf is not built: `npm run linux` builds it (CI does)';
const opts = { skip: missing, timeout: 300_000 };

test('one VM boots Linux to /init, and the same boot twice prints the same bytes at the same instruction count', opts, () => {
  const args = ['exec', ELF, '--ram', '64', '--max-instructions', '25000000'];
  const a = lockstep(args), b = lockstep(args);
  assert.equal(a.status, 4, `stopped by --max-instructions: ${a.stderr}`);
  assert.match(a.stdout, /Linux version 6\.1\./);
  assert.match(a.stdout, /Machine model: Lockstep FT VM \(RV32\)/, 'the kernel read the device tree Lockstep wrote');
  assert.match(a.stdout, /Memory: \d+K\/61440K available/, 'all of the 64 MiB above the firmware\'s 4 MiB');
  assert.ok(assertTicksExact(initLines(a.stdout)) >= 1, '/init runs and its timer sleeps end');
  assert.equal(b.stdout, a.stdout);
  assert.equal(b.stderr, a.stderr);
});

/** Linux on one machine with a hand on its NIC: packets in, /init's replies out. */
class LinuxOnNic {
  readonly machine = new Machine({ env: { read: () => 0, output: () => undefined }, ramSize: 64 << 20 });
  readonly run: StandaloneRun;
  readonly replies: KvReply[] = [];
  console = '';

  constructor() {
    this.machine.load(loadElf(readFileSync(ELF), 'linux.elf'));
    this.run = new StandaloneRun(this.machine, { maxInstructions: 100_000_000, onUart: (b) => { this.console += String.fromCharCode(b); } });
    const output = this.run.env.output.bind(this.run.env);
    this.run.env.output = (out, instret, pc) => {
      if (out.kind === 'nicTx') {
        const reply = decodeReply(out.packet);
        assert.ok(reply !== null, `a reply of ${out.packet.length} bytes decodes`);
        assert.equal(out.packet.length, 24 + reply.value.length, 'a reply is its header and its value');
        this.replies.push(reply);
      }
      output(out, instret, pc);
    };
  }

  /** Runs until `done` holds, checking every 100 000 instructions (fails after `max`). */
  until(done: () => boolean, what: string, max = 30_000_000): void {
    const stop = this.run.instret + max;
    while (!done()) {
      assert.ok(this.run.instret < stop, `${what} within ${max} instructions; the console ends: ${this.console.slice(-300)}`);
      assert.equal(this.run.advance(this.run.instret + 100_000), null, 'Linux keeps running');
    }
  }

  /** Delivers these packets together and returns the replies to them, in the order they came. */
  exchange(...packets: Uint8Array[]): KvReply[] {
    const before = this.replies.length;
    for (const packet of packets) this.machine.deliver({ kind: 'nicRx', packet });
    this.until(() => this.replies.length >= before + packets.length, `${packets.length} replies`);
    return this.replies.slice(before);
  }
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const get = (reqId: number, key: string) => encodeRequest({ clientId: 7, reqId, op: KvOp.get, key, value: new Uint8Array(0) });
const put = (reqId: number, key: string, value: string) => encodeRequest({ clientId: 7, reqId, op: KvOp.put, key, value: text(value) });
const del = (reqId: number, key: string) => encodeRequest({ clientId: 7, reqId, op: KvOp.del, key, value: new Uint8Array(0) });

test('/init serves the kvstore protocol on the NIC: GET, PUT, DEL, NOT_FOUND and BAD_REQUEST, each reply to its request, in order', opts, () => {
  const linux = new LinuxOnNic();
  linux.until(() => linux.console.includes(SERVING), '/init maps the NIC');
  const status = (r: KvReply) => [r.clientId, r.reqId, r.status, r.op, r.seq, new TextDecoder().decode(r.value)];
  assert.deepEqual(linux.exchange(get(1, 'k1')).map(status), [[7, 1, KvStatus.notFound, KvOp.get, 0, '']]);
  assert.deepEqual(linux.exchange(put(2, 'k1', 'one')).map(status), [[7, 2, KvStatus.ok, KvOp.put, 1, '']]);
  assert.deepEqual(linux.exchange(get(3, 'k1')).map(status), [[7, 3, KvStatus.ok, KvOp.get, 1, 'one']]);
  // Several waiting at once: answered in arrival order, each write applied before the next request is read.
  assert.deepEqual(linux.exchange(put(4, 'k1', 'two'), put(5, 'k2', 'x'.repeat(200)), get(6, 'k1'), del(7, 'k1'), get(8, 'k1'), del(9, 'k1')).map(status), [
    [7, 4, KvStatus.ok, KvOp.put, 2, ''],
    [7, 5, KvStatus.ok, KvOp.put, 3, ''],
    [7, 6, KvStatus.ok, KvOp.get, 3, 'two'],
    [7, 7, KvStatus.ok, KvOp.del, 4, ''],
    [7, 8, KvStatus.notFound, KvOp.get, 4, ''],
    [7, 9, KvStatus.notFound, KvOp.del, 4, ''],
  ]);
  assert.deepEqual(linux.exchange(get(10, 'k2')).map(status), [[7, 10, KvStatus.ok, KvOp.get, 4, 'x'.repeat(200)]]);
  const withValue = get(11, 'k2');
  withValue[10] = 1; // a GET with a value
  const longKey = put(12, 'k'.repeat(33), 'v');
  const short = new Uint8Array([9, 0, 0, 0, 13]);
  assert.deepEqual(linux.exchange(withValue, longKey, short).map(status), [
    [7, 11, KvStatus.badRequest, KvOp.get, 4, ''],
    [7, 12, KvStatus.badRequest, KvOp.put, 4, ''],
    [9, 0, KvStatus.badRequest, 0, 4, ''],
  ]);
  const ticks = linux.replies.map((r) => r.ticks), times = linux.replies.map((r) => r.timeLo);
  assert.ok(ticks.every((t, i) => i === 0 || t >= ticks[i - 1]) && ticks.at(-1)! > ticks[0], `ticks count /init's 1 ms polls (${ticks})`);
  assert.ok(times.every((t, i) => i === 0 || t >= times[i - 1]), `timeLo goes forward (${times})`);
  assertTicksExact(initLines(linux.console));
});

test('the protected pair boots Linux and /init serves the clients; the primary\'s host crashes mid-request; the secondary goes live, every request is answered once and the console carries on exact', opts, () => {
  const r = run(SCENARIO);
  assertServed(r, requestsOf(SCENARIO));
  assert.equal(r.failovers.length, 1);
  const f = r.failovers[0];
  assert.deepEqual([f.fromHost, f.toHost], ['host-a', 'host-b']);
  assert.ok(r.outputs.duplicated >= 1, 'the crash caught replies the Output Rule still held: the new primary sent them again at go-live');
  assert.ok(r.clients.retries >= 1, 'requests sent while no VM was live timed out and were sent again');
  assert.ok(r.clients.maxLatencyMs >= f.liveAtMs - f.failedAtMs, `a request outstanding across the failover was answered (${r.clients.maxLatencyMs} ms)`);
  const ticks = assertTicksExact(initLines(r.console));
  assert.ok(ticks >= 15, `ticks before and after the failover (${ticks})`);
  assert.equal(r.respawns, 1, 'a new secondary (a 64 MiB copy) is spawned');
  assert.equal(r.ftState, 'Protected');
  assert.equal(run(SCENARIO).traceHash, r.traceHash, 'one seed, one configuration, one program: one run');
});

test('without the crash every request is answered at the first try, and the console holds the same lines: the failover neither lost nor invented one', opts, () => {
  const crash = run(SCENARIO), calm = run(BOOT);
  assert.equal(calm.failovers.length, 0);
  assertServed(calm, requestsOf(BOOT));
  assert.equal(calm.clients.retries, 0);
  const withCrash = initLines(crash.console), without = initLines(calm.console);
  assertTicksExact(without);
  const n = Math.min(withCrash.length, without.length);
  assert.ok(n >= 15);
  assert.deepEqual(withCrash.slice(0, n), without.slice(0, n));
});
