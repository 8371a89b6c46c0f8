// End-to-end test of examples/kvstore/kvstore.elf in Lockstep's machine: boot, log replay, GET/PUT/DEL, disk errors, ticks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadElf } from '../../src/machine/elf';
import { Machine } from '../../src/machine/machine';
import type { Environment, GuestOutput, InputEvent, ReadKind } from '../../src/machine/types';

const ELF = join(__dirname, '..', '..', 'examples', 'kvstore', 'kvstore.elf');
const SECTOR = 512;
const DISK_LATENCY = 20_000; // cycles
const OP = { GET: 1, PUT: 2, DEL: 3 } as const;
const ST = { OK: 0, NOT_FOUND: 1, BAD_REQUEST: 2, FULL: 3, DISK_ERROR: 4 } as const;

/** A tiny deterministic world: time = cycles / 10, a RAM disk with fixed latency, a timer, captured replies. */
class World implements Environment {
  idle = 0;
  uart = '';
  replies: Uint8Array[] = [];
  timerDue: number | null = null;
  diskDue: { at: number; ev: InputEvent } | null = null;
  failWrites = false;
  writes = 0;
  machine!: Machine;

  constructor(readonly disk: Uint8Array) {}

  cycles(instret = this.machine.instret): number {
    return instret + this.idle;
  }

  read(kind: ReadKind, instret: number): number {
    if (kind === 'time') return Math.floor(this.cycles(instret) / 10) >>> 0;
    return kind === 'cycle' ? instret >>> 0 : 0x5eed;
  }

  output(out: GuestOutput, instret: number): void {
    if (out.kind === 'uart') this.uart += String.fromCharCode(out.byte);
    else if (out.kind === 'nicTx') this.replies.push(out.packet.slice());
    else if (out.kind === 'timerArm') this.timerDue = out.mtimecmp * 10;
    else if (out.kind === 'diskRequest') this.diskRequest(out, instret);
    this.machine.cpu.requestStop();
  }

  private diskRequest(req: Extract<GuestOutput, { kind: 'diskRequest' }>, instret: number): void {
    const off = req.sector * SECTOR;
    const len = req.count * SECTOR;
    let ev: InputEvent;
    if (off + len > this.disk.length || (req.op === 'write' && this.failWrites)) ev = { kind: 'diskDone', id: req.id, ok: false };
    else if (req.op === 'read') ev = { kind: 'diskDone', id: req.id, ok: true, data: this.disk.slice(off, off + len) };
    else {
      this.disk.set(req.data ?? new Uint8Array(len), off);
      this.writes++;
      ev = { kind: 'diskDone', id: req.id, ok: true };
    }
    this.diskDue = { at: this.cycles(instret) + DISK_LATENCY, ev };
  }

  private deliverDue(): void {
    const now = this.cycles();
    if (this.timerDue !== null && this.timerDue <= now) {
      this.timerDue = null;
      this.machine.deliver({ kind: 'timer', pending: true });
    }
    if (this.diskDue !== null && this.diskDue.at <= now) {
      const { ev } = this.diskDue;
      this.diskDue = null;
      this.machine.deliver(ev);
    }
  }

  /** Runs until `done()` holds when the guest sleeps, sleeping through timer ticks and disk latency. */
  runUntil(done: () => boolean, maxInstructions = 20_000_000): void {
    const m = this.machine;
    const stopAt = m.instret + maxInstructions;
    while (m.instret < stopAt) {
      this.deliverDue();
      const next = Math.min(this.timerDue ?? Infinity, this.diskDue?.at ?? Infinity);
      const r = m.run(Math.min(stopAt, m.instret + 1_000_000, m.instret + Math.max(1, next - this.cycles())));
      assert.ok(r !== 'fatal' && r !== 'exit', `guest stopped: ${r} ${JSON.stringify(m.fatal)} exit=${m.exitCode}`);
      if (r !== 'wfi') continue;
      if (done()) return;
      assert.ok(next !== Infinity, 'guest sleeps with nothing to wake it');
      this.idle += Math.max(0, next - this.cycles());
    }
    assert.fail('guest did not finish in time');
  }
}

function boot(disk: Uint8Array): World {
  const world = new World(disk);
  const m = new Machine({ env: world, diskSectors: disk.length / SECTOR });
  world.machine = m;
  m.load(loadElf(readFileSync(ELF), 'kvstore.elf'));
  world.runUntil(() => world.uart.endsWith('\n'));
  return world;
}

function request(clientId: number, reqId: number, op: number, key: string, val = ''): Uint8Array {
  const k = Buffer.from(key);
  const v = Buffer.from(val);
  const b = Buffer.alloc(12 + k.length + v.length);
  b.writeUInt32LE(clientId, 0);
  b.writeUInt32LE(reqId, 4);
  b[8] = op;
  b[9] = k.length;
  b.writeUInt16LE(v.length, 10);
  k.copy(b, 12);
  v.copy(b, 12 + k.length);
  return new Uint8Array(b);
}

interface Reply { clientId: number; reqId: number; status: number; op: number; timeLo: number; ticks: number; seq: number; value: string }

function parseReply(p: Uint8Array): Reply {
  const b = Buffer.from(p);
  const valLen = b.readUInt16LE(10);
  assert.equal(b.length, 24 + valLen, 'reply length');
  return {
    clientId: b.readUInt32LE(0), reqId: b.readUInt32LE(4), status: b[8], op: b[9], timeLo: b.readUInt32LE(12),
    ticks: b.readUInt32LE(16), seq: b.readUInt32LE(20), value: b.subarray(24).toString(),
  };
}

/** Sends one packet and waits for its reply. */
function call(w: World, packet: Uint8Array): Reply {
  const before = w.replies.length;
  w.machine.deliver({ kind: 'nicRx', packet });
  w.runUntil(() => w.replies.length > before);
  assert.equal(w.replies.length, before + 1);
  return parseReply(w.replies[before]);
}

test('kvstore: boot, PUT/GET/DEL, bad requests, ticks and time', { timeout: 120_000 }, () => {
  const w = boot(new Uint8Array(64 * SECTOR));
  assert.equal(w.uart, 'kvstore: 0 records replayed\n');
  let r = call(w, request(7, 1, OP.GET, 'alpha'));
  assert.deepEqual([r.clientId, r.reqId, r.status, r.op, r.seq, r.value], [7, 1, ST.NOT_FOUND, OP.GET, 0, '']);
  r = call(w, request(7, 2, OP.PUT, 'alpha', 'one'));
  assert.deepEqual([r.status, r.op, r.seq, r.value], [ST.OK, OP.PUT, 1, '']);
  assert.equal(w.writes, 1, 'the reply came after the disk write');
  r = call(w, request(8, 3, OP.GET, 'alpha'));
  assert.deepEqual([r.clientId, r.status, r.value], [8, ST.OK, 'one']);
  r = call(w, request(7, 4, OP.PUT, 'alpha', 'x'.repeat(200)));
  assert.deepEqual([r.status, r.seq], [ST.OK, 2]);
  assert.equal(call(w, request(7, 5, OP.GET, 'alpha')).value, 'x'.repeat(200));
  assert.deepEqual([call(w, request(7, 6, OP.DEL, 'alpha')).status, w.writes], [ST.OK, 3]);
  assert.deepEqual([call(w, request(7, 7, OP.DEL, 'alpha')).status, w.writes], [ST.NOT_FOUND, 3], 'no record for a no-op DEL');
  assert.equal(call(w, request(7, 8, OP.GET, 'alpha')).status, ST.NOT_FOUND);
  // Bad requests.
  assert.equal(call(w, request(7, 9, 9, 'k')).status, ST.BAD_REQUEST);
  assert.equal(call(w, request(7, 10, OP.GET, 'k'.repeat(33))).status, ST.BAD_REQUEST);
  assert.equal(call(w, request(7, 11, OP.GET, 'k', 'v')).status, ST.BAD_REQUEST);
  assert.equal(call(w, request(7, 12, OP.PUT, 'k', 'v').subarray(0, 13)).status, ST.BAD_REQUEST);
  r = call(w, new Uint8Array([1, 0, 0, 0, 2]));
  assert.deepEqual([r.clientId, r.reqId, r.status, r.op], [1, 0, ST.BAD_REQUEST, 0]);
  // Time passes: ticks (1 ms = 10000 time units) and timeLo follow the world's clock.
  const t0 = call(w, request(1, 1, OP.GET, 'zz'));
  w.idle += 10_000_000; // 100 ms of guest time (cycles = 10 × time)
  w.runUntil(() => w.timerDue !== null && w.timerDue > w.cycles());
  const t1 = call(w, request(1, 2, OP.GET, 'zz'));
  assert.ok(t1.timeLo - t0.timeLo >= 1_000_000, `time advanced ${t1.timeLo - t0.timeLo}`);
  assert.ok(t1.ticks > t0.ticks, `ticks ${t0.ticks} → ${t1.ticks}`);
});

test('kvstore: the log survives a reboot; a failed write is reported and not applied', { timeout: 120_000 }, () => {
  const disk = new Uint8Array(64 * SECTOR);
  const w = boot(disk);
  call(w, request(1, 1, OP.PUT, 'a', 'A'));
  call(w, request(1, 2, OP.PUT, 'b', 'B'));
  call(w, request(1, 3, OP.DEL, 'a'));
  w.failWrites = true;
  const failed = call(w, request(1, 4, OP.PUT, 'c', 'C'));
  assert.deepEqual([failed.status, failed.seq], [ST.DISK_ERROR, 3]);
  w.failWrites = false;
  assert.equal(call(w, request(1, 5, OP.GET, 'c')).status, ST.NOT_FOUND);
  assert.equal(call(w, request(1, 6, OP.PUT, 'd', 'D')).seq, 4);
  // The record format on disk: magic, seq, op, lengths, key, value, FNV-1a at 508.
  const rec = Buffer.from(disk.subarray(0, SECTOR));
  assert.deepEqual([rec.readUInt32LE(0), rec.readUInt32LE(4), rec[8], rec[9], rec.readUInt16LE(10), rec.subarray(12, 14).toString()], [0x474c564b, 1, OP.PUT, 1, 1, 'aA']);
  let h = 2166136261;
  for (let i = 0; i < 508; i++) h = Math.imul(h ^ rec[i], 16777619) >>> 0;
  assert.equal(rec.readUInt32LE(508), h);

  const w2 = boot(disk);
  assert.equal(w2.uart, 'kvstore: 4 records replayed\n');
  assert.deepEqual([call(w2, request(2, 1, OP.GET, 'a')).status, call(w2, request(2, 2, OP.GET, 'b')).value], [ST.NOT_FOUND, 'B']);
  assert.equal(call(w2, request(2, 3, OP.GET, 'd')).value, 'D');
  assert.equal(call(w2, request(2, 4, OP.PUT, 'e', 'E')).seq, 5);
  // A corrupted record ends the replay there.
  disk[2 * SECTOR + 20] ^= 1;
  assert.equal(boot(disk).uart, 'kvstore: 2 records replayed\n');
});

test('kvstore: a burst of writes is queued, answered in order, and the table fills up with FULL', { timeout: 120_000 }, () => {
  const w = boot(new Uint8Array(512 * SECTOR));
  const before = w.replies.length;
  for (let i = 0; i < 40; i++) w.machine.deliver({ kind: 'nicRx', packet: request(3, i, OP.PUT, `key${i}`, `v${i}`) });
  w.runUntil(() => w.replies.length >= before + 40);
  const replies = w.replies.slice(before).map(parseReply);
  assert.deepEqual(replies.map((r) => r.reqId), [...Array(40).keys()]);
  assert.deepEqual(replies.map((r) => r.seq), [...Array(40).keys()].map((i) => i + 1));
  assert.ok(replies.every((r) => r.status === ST.OK));
  for (let i = 40; i < 256; i++) assert.equal(call(w, request(3, i, OP.PUT, `key${i}`, '')).status, ST.OK);
  assert.equal(call(w, request(3, 999, OP.PUT, 'one-too-many', '')).status, ST.FULL);
  assert.equal(call(w, request(3, 1000, OP.PUT, 'key5', 'updated')).status, ST.OK, 'existing keys can still change');
  assert.equal(call(w, request(3, 1001, OP.GET, 'key5')).value, 'updated');
});
