// virtio-blk on a whole Machine, driven as a driver would through MMIO: handshake, rings laid out by hand in RAM, requests to the world, the PLIC's S-mode context, broken rings, reset and snapshots.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../src/machine/machine';
import { MemMap, type GuestOutput } from '../../src/machine/types';
import { ACKNOWLEDGE, DRIVER, DRIVER_OK, F_NEXT, F_WRITE, FEATURES_OK, MIP_MEIP, MIP_SEIP, NEEDS_RESET, R, assertStoppedCleanly, enableInSContext } from './virtio-regs';
import { VIRTIO_BLK_ID_BASE } from '../../src/machine/devices/virtio-blk';
import { StandaloneRun } from '../../src/machine/standalone';

const VIRTIO = MemMap.virtioBlk;
const PLIC = MemMap.plic;
const T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8;
const SOURCE = 8;
const DISK_SECTORS = 64;

/** Where the driver keeps its rings and buffers: queue of 8, request k owns descriptors 4k..4k+3. */
const QSIZE = 8;
const DESC = 0x8001_0000, AVAIL = 0x8001_1000, USED = 0x8001_2000;
const HEADER = (k: number): number => 0x8002_0000 + 0x100 * k;
const STATUS = (k: number): number => HEADER(k) + 0x80;
const DATA = (k: number): number => 0x8003_0000 + 0x4000 * k;

type DiskRequest = Extract<GuestOutput, { kind: 'diskRequest' }>;

/** Bytes 0..n-1 of a recognisable pattern. */
function pattern(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);
}

/** A machine with a driver's view of its virtio-blk: registers through the bus, rings through RAM. */
class Rig {
  readonly outputs: DiskRequest[] = [];
  readonly machine: Machine;
  /** The driver's available-ring index (free running). */
  availIdx = 0;

  constructor() {
    const env = { read: () => 0, output: (o: GuestOutput) => { if (o.kind === 'diskRequest') this.outputs.push(o); } };
    this.machine = new Machine({ env, ramSize: 1 << 20, diskSectors: DISK_SECTORS });
  }

  reg(offset: number, size: 1 | 2 | 4 = 4): number {
    return this.machine.bus.read(VIRTIO + offset, size);
  }

  set(offset: number, value: number): void {
    assert.equal(this.machine.bus.write(VIRTIO + offset, 4, value), true, `write to virtio register 0x${offset.toString(16)}`);
  }

  /** The driver's initialisation (virtio 1.x, 3.1.1), with or without VERSION_1; returns Status as read back after FEATURES_OK. */
  handshake(version1 = true): number {
    this.set(R.status, 0);
    this.set(R.status, ACKNOWLEDGE);
    this.set(R.status, ACKNOWLEDGE | DRIVER);
    this.set(R.deviceFeaturesSel, 0);
    const offered0 = this.reg(R.deviceFeatures);
    this.set(R.driverFeaturesSel, 0);
    this.set(R.driverFeatures, offered0);
    this.set(R.driverFeaturesSel, 1);
    this.set(R.driverFeatures, version1 ? 1 : 0);
    this.set(R.status, ACKNOWLEDGE | DRIVER | FEATURES_OK);
    const status = this.reg(R.status);
    if ((status & FEATURES_OK) === 0) return status;
    this.machine.ram.writeBytes(AVAIL, new Uint8Array(4 + 2 * QSIZE));
    this.machine.ram.writeBytes(USED, new Uint8Array(4 + 8 * QSIZE));
    this.availIdx = 0;
    this.set(R.queueSel, 0);
    this.set(R.queueNum, QSIZE);
    this.set(R.queueDesc, DESC);
    this.set(R.queueDesc + 4, 0);
    this.set(R.queueDriver, AVAIL);
    this.set(R.queueDriver + 4, 0);
    this.set(R.queueDevice, USED);
    this.set(R.queueDevice + 4, 0);
    this.set(R.queueReady, 1);
    this.set(R.status, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
    return status;
  }

  desc(i: number, addr: number, len: number, flags: number, next = 0): void {
    const b = new Uint8Array(16), v = new DataView(b.buffer);
    v.setUint32(0, addr, true);
    v.setUint32(8, len, true);
    v.setUint16(12, flags, true);
    v.setUint16(14, next, true);
    this.machine.ram.writeBytes(DESC + 16 * i, b);
  }

  /** Request k's 16-byte header, and its header descriptor 4k (chained to 4k+1). */
  header(k: number, type: number, sector: number, sectorHi = 0): number {
    const b = new Uint8Array(16), v = new DataView(b.buffer);
    v.setUint32(0, type, true);
    v.setUint32(8, sector, true);
    v.setUint32(12, sectorHi, true);
    this.machine.ram.writeBytes(HEADER(k), b);
    this.machine.ram.writeBytes(STATUS(k), Uint8Array.of(0xaa)); // not a status the device writes
    this.desc(4 * k, HEADER(k), 16, F_NEXT, 4 * k + 1);
    return 4 * k;
  }

  /** A chain header, device-writable data buffers of `lens` bytes (at DATA(k), DATA(k)+0x1000, ..., filled with 0xee), status byte. */
  read(k: number, sector: number, lens: number[], type = T_IN): number {
    const head = this.header(k, type, sector);
    lens.forEach((len, j) => {
      this.machine.ram.writeBytes(DATA(k) + 0x1000 * j, new Uint8Array(len + 16).fill(0xee)); // and a little past it
      this.desc(4 * k + 1 + j, DATA(k) + 0x1000 * j, len, F_WRITE | F_NEXT, 4 * k + 2 + j);
    });
    this.desc(4 * k + 1 + lens.length, STATUS(k), 1, F_WRITE);
    return head;
  }

  /** A chain header, driver-readable data buffers holding `parts`, status byte. */
  write(k: number, sector: number, parts: Uint8Array[]): number {
    const head = this.header(k, T_OUT, sector);
    parts.forEach((part, j) => {
      this.machine.ram.writeBytes(DATA(k) + 0x1000 * j, part);
      this.desc(4 * k + 1 + j, DATA(k) + 0x1000 * j, part.length, F_NEXT, 4 * k + 2 + j);
    });
    this.desc(4 * k + 1 + parts.length, STATUS(k), 1, F_WRITE);
    return head;
  }

  /** A header and a status byte only (FLUSH, unknown types). */
  bare(k: number, type: number): number {
    const head = this.header(k, type, 0);
    this.desc(4 * k + 1, STATUS(k), 1, F_WRITE);
    return head;
  }

  /** Makes chains available (one avail.idx update) and notifies queue 0. */
  submit(...heads: number[]): void {
    const ram = this.machine.ram;
    for (const h of heads) {
      ram.writeBytes(AVAIL + 4 + 2 * (this.availIdx % QSIZE), Uint8Array.of(h & 0xff, h >> 8));
      this.availIdx = (this.availIdx + 1) & 0xffff;
    }
    ram.writeBytes(AVAIL + 2, Uint8Array.of(this.availIdx & 0xff, this.availIdx >> 8));
    this.set(R.queueNotify, 0);
  }

  get usedIdx(): number {
    const b = this.machine.ram.readBytes(USED + 2, 2);
    return b[0] | (b[1] << 8);
  }

  /** Used-ring element i: [descriptor head, bytes written]. */
  used(i: number): [number, number] {
    const b = this.machine.ram.readBytes(USED + 4 + 8 * (i % QSIZE), 8), v = new DataView(b.buffer);
    return [v.getUint32(0, true), v.getUint32(4, true)];
  }

  status(k: number): number {
    return this.machine.ram.readBytes(STATUS(k), 1)[0];
  }

  bytes(addr: number, len: number): Uint8Array {
    return this.machine.ram.readBytes(addr, len);
  }

  /** Source 8 at priority 1, enabled in the S-mode context only (threshold 0). */
  enableInSContext(): void {
    assert.equal(enableInSContext(this.machine.bus, PLIC, SOURCE), true);
  }

  get mip(): number {
    return this.machine.cpu.mip;
  }
}

test('the register file: magic, version 2, block device, features with VERSION_1, queue size, config space', () => {
  const rig = new Rig();
  assert.equal(rig.reg(R.magic), 0x74726976, '"virt"');
  assert.equal(rig.reg(R.version), 2, 'virtio-mmio version 2 (modern)');
  assert.equal(rig.reg(R.deviceId), 2, 'block device');
  rig.set(R.deviceFeaturesSel, 0);
  assert.equal(rig.reg(R.deviceFeatures), (1 << 1) | (1 << 2), 'SIZE_MAX and SEG_MAX');
  rig.set(R.deviceFeaturesSel, 1);
  assert.equal(rig.reg(R.deviceFeatures), 1, 'VERSION_1 (feature bit 32)');
  rig.set(R.deviceFeaturesSel, 2);
  assert.equal(rig.reg(R.deviceFeatures), 0);
  rig.set(R.queueSel, 0);
  assert.equal(rig.reg(R.queueNumMax), 128);
  rig.set(R.queueSel, 1);
  assert.equal(rig.reg(R.queueNumMax), 0, 'one queue only');
  assert.equal(rig.reg(R.config), DISK_SECTORS, 'capacity (low word), in 512-byte sectors');
  assert.equal(rig.reg(R.config + 4), 0, 'capacity (high word)');
  assert.equal(rig.reg(R.config + 8), 4096, 'size_max');
  assert.equal(rig.reg(R.config + 12), 16, 'seg_max: 16 segments of 4 KiB, the world\'s 64 KiB request');
  assert.equal(rig.reg(R.config, 1), DISK_SECTORS, 'config reads byte-wise too');
  assert.equal(rig.reg(R.config + 8, 2), 4096);
  assert.equal(rig.machine.bus.write(VIRTIO + R.config, 4, 1234), true, 'config writes are ignored');
  assert.equal(rig.reg(R.config), DISK_SECTORS);
  assert.equal(rig.reg(R.status), 0);
  assert.equal(rig.handshake(), ACKNOWLEDGE | DRIVER | FEATURES_OK);
  assert.equal(rig.reg(R.status), ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
  rig.set(R.queueSel, 0);
  assert.equal(rig.reg(R.queueReady), 1);
  assert.equal(rig.reg(R.queueNum), QSIZE);
});

test('a driver without VERSION_1 cannot set FEATURES_OK', () => {
  const rig = new Rig();
  const status = rig.handshake(false);
  assert.equal(status & FEATURES_OK, 0, 'FEATURES_OK did not stick');
  assert.equal(status, ACKNOWLEDGE | DRIVER);
});

test('a read: one request to the world, then its data scattered over two buffers, status 0, the used ring and an S-mode interrupt', () => {
  const rig = new Rig();
  rig.handshake();
  rig.enableInSContext();
  const head = rig.read(0, 5, [300, 724]);
  rig.submit(head);
  assert.equal(rig.outputs.length, 1, 'exactly one request');
  const req = rig.outputs[0];
  assert.ok(req.id >= VIRTIO_BLK_ID_BASE, `id ${req.id} is in virtio-blk's range`);
  assert.deepEqual({ ...req, id: 0 }, { kind: 'diskRequest', id: 0, op: 'read', sector: 5, count: 2 });
  assert.equal(rig.usedIdx, 0, 'nothing used before the world answers');
  assert.equal(rig.reg(R.interruptStatus), 0);
  assert.equal(rig.mip & MIP_SEIP, 0);

  const data = pattern(1024, 3);
  rig.machine.deliver({ kind: 'diskDone', id: req.id, ok: true, data });
  assert.deepEqual(rig.bytes(DATA(0), 300), data.subarray(0, 300));
  assert.deepEqual(rig.bytes(DATA(0) + 0x1000, 724), data.subarray(300));
  assert.equal(rig.bytes(DATA(0) + 0x1000 + 724, 1)[0], 0xee, 'nothing past the buffer');
  assert.equal(rig.status(0), 0, 'VIRTIO_BLK_S_OK');
  assert.equal(rig.usedIdx, 1);
  assert.deepEqual(rig.used(0), [head, 1024 + 1], 'data and status byte written');
  assert.equal(rig.reg(R.interruptStatus), 1, 'used buffer notification');
  assert.equal(rig.mip & MIP_SEIP, MIP_SEIP, 'SEIP from the PLIC\'s S context');
  assert.equal(rig.mip & MIP_MEIP, 0, 'source 8 is not enabled in the M context');
  assert.equal(rig.outputs.length, 1);

  // Claim and complete through the S context: level-triggered, so the source comes back until the driver acks.
  assert.equal(rig.machine.bus.read(PLIC + 0x201004, 4), SOURCE);
  assert.equal(rig.mip & MIP_SEIP, 0, 'claimed: no longer pending');
  assert.equal(rig.machine.bus.read(PLIC + 0x201004, 4), 0);
  rig.machine.bus.write(PLIC + 0x201004, 4, SOURCE);
  assert.equal(rig.mip & MIP_SEIP, MIP_SEIP, 'completed while InterruptStatus is still set: pending again');
  assert.equal(rig.machine.bus.read(PLIC + 0x201004, 4), SOURCE);
  rig.set(R.interruptAck, 1);
  assert.equal(rig.reg(R.interruptStatus), 0);
  rig.machine.bus.write(PLIC + 0x201004, 4, SOURCE);
  assert.equal(rig.mip & MIP_SEIP, 0, 'acked and completed: quiet');
});

test('a write: the request carries the bytes gathered from two buffers; a failed write gets IOERR', () => {
  const rig = new Rig();
  rig.handshake();
  const a = pattern(100, 1), b = pattern(924, 9);
  const head = rig.write(0, 7, [a, b]);
  rig.submit(head);
  assert.equal(rig.outputs.length, 1);
  const req = rig.outputs[0];
  assert.equal(req.op, 'write');
  assert.equal(req.sector, 7);
  assert.equal(req.count, 2);
  assert.deepEqual(req.data, Uint8Array.from([...a, ...b]));
  rig.machine.deliver({ kind: 'diskDone', id: req.id, ok: true });
  assert.equal(rig.status(0), 0);
  assert.deepEqual(rig.used(0), [head, 1], 'only the status byte written');

  rig.submit(rig.write(1, 8, [pattern(512, 2)]));
  rig.machine.deliver({ kind: 'diskDone', id: rig.outputs[1].id, ok: false });
  assert.equal(rig.status(1), 1, 'VIRTIO_BLK_S_IOERR');
  assert.equal(rig.usedIdx, 2);
});

test('two requests made available at once are served one after the other', () => {
  const rig = new Rig();
  rig.handshake();
  const first = rig.read(0, 1, [512]), second = rig.write(1, 2, [pattern(512, 5)]);
  rig.submit(first, second);
  assert.equal(rig.outputs.length, 1, 'the second waits for the first');
  assert.equal(rig.outputs[0].op, 'read');
  rig.machine.deliver({ kind: 'diskDone', id: rig.outputs[0].id, ok: true, data: pattern(512, 4) });
  assert.equal(rig.usedIdx, 1);
  assert.equal(rig.outputs.length, 2, 'the first completed: the second goes out');
  assert.equal(rig.outputs[1].op, 'write');
  assert.equal(rig.outputs[1].sector, 2);
  assert.equal(rig.outputs[1].id, rig.outputs[0].id + 1);
  rig.machine.deliver({ kind: 'diskDone', id: rig.outputs[1].id, ok: true });
  assert.equal(rig.usedIdx, 2);
  assert.deepEqual([rig.used(0), rig.used(1)], [[first, 513], [second, 1]]);
  assert.deepEqual([rig.status(0), rig.status(1)], [0, 0]);
});

test('requests past the disk, or not whole sectors, get IOERR at once and never reach the world', () => {
  const rig = new Rig();
  rig.handshake();
  rig.submit(rig.read(0, DISK_SECTORS - 1, [1024]));
  assert.equal(rig.status(0), 1, 'sector 63 + 2 sectors runs past 64');
  assert.deepEqual(rig.used(0), [0, 1]);
  const hi = rig.read(1, 0, [512]);
  rig.header(1, T_IN, 0, 1); // sector 2^32
  rig.submit(hi);
  assert.equal(rig.status(1), 1, 'a sector number above 32 bits');
  rig.submit(rig.read(0, 0, [100]));
  assert.equal(rig.status(0), 1, '100 bytes is not whole sectors');
  assert.equal(rig.usedIdx, 3);
  assert.equal(rig.outputs.length, 0);
  assert.equal(rig.reg(R.interruptStatus), 1);
  rig.submit(rig.read(0, DISK_SECTORS - 2, [1024]));
  assert.equal(rig.outputs.length, 1, 'the last two sectors are fine');
});

test('FLUSH completes at once with OK, GET_ID writes the serial, an unknown type gets UNSUPP', () => {
  const rig = new Rig();
  rig.handshake();
  rig.submit(rig.bare(0, T_FLUSH));
  assert.equal(rig.status(0), 0);
  assert.deepEqual(rig.used(0), [0, 1]);
  rig.submit(rig.bare(1, 99));
  assert.equal(rig.status(1), 2, 'VIRTIO_BLK_S_UNSUPP');
  assert.deepEqual(rig.used(1), [4, 1]);
  rig.submit(rig.read(0, 0, [20], T_GET_ID));
  assert.equal(rig.status(0), 0);
  assert.equal(Buffer.from(rig.bytes(DATA(0), 20)).toString('latin1'), 'lockstep-shared-disk');
  assert.deepEqual(rig.used(2), [0, 21]);
  assert.equal(rig.outputs.length, 0, 'none of them needs the world');
  assert.equal(rig.usedIdx, 3);
});

/** Sets a machine up, breaks its ring with `breakIt`, and checks that the device stopped cleanly and says so. */
function assertNeedsReset(what: string, breakIt: (rig: Rig) => void): Rig {
  const rig = new Rig();
  rig.handshake();
  rig.enableInSContext();
  assert.doesNotThrow(() => breakIt(rig), what);
  assertStoppedCleanly(assert, what, rig);
  assert.equal(rig.usedIdx, 0, `${what}: nothing used`);
  return rig;
}

test('a broken ring sets DEVICE_NEEDS_RESET with a config interrupt, never an exception; a reset recovers', () => {
  const loop = assertNeedsReset('descriptor loop', (rig) => {
    rig.header(0, T_IN, 0); // 0 -> 1
    rig.desc(1, DATA(0), 512, F_WRITE | F_NEXT, 0); // 1 -> 0
    rig.submit(0);
  });
  assertNeedsReset('buffer outside RAM', (rig) => {
    rig.read(0, 0, [512]);
    rig.desc(1, 0x1000, 512, F_WRITE | F_NEXT, 2);
    rig.submit(0);
  });
  assertNeedsReset('buffer running past the end of RAM', (rig) => {
    rig.read(0, 0, [512]);
    rig.desc(1, 0x8010_0000 - 256, 512, F_WRITE | F_NEXT, 2);
    rig.submit(0);
  });
  assertNeedsReset('head past the queue', (rig) => rig.submit(QSIZE));
  assertNeedsReset('available index more than a queue ahead', (rig) => {
    rig.machine.ram.writeBytes(AVAIL + 2, Uint8Array.of(QSIZE + 1, 0));
    rig.set(R.queueNotify, 0);
  });
  assertNeedsReset('no status byte', (rig) => {
    rig.header(0, T_FLUSH, 0);
    rig.desc(0, HEADER(0), 16, 0);
    rig.submit(0);
  });

  // A stopped device ignores notifies and keeps NEEDS_RESET until the driver writes 0.
  loop.submit(loop.read(1, 0, [512]));
  assert.equal(loop.outputs.length, 0);
  loop.set(R.status, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
  assert.equal(loop.reg(R.status) & NEEDS_RESET, NEEDS_RESET);
  loop.handshake();
  assert.equal(loop.reg(R.status), ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
  assert.equal(loop.reg(R.interruptStatus), 0);
  loop.submit(loop.read(0, 0, [512]));
  assert.equal(loop.outputs.length, 1, 'after the reset the device serves requests again');
});

test('a queue set up outside RAM, or of a size that is not a power of two, makes the device need a reset', () => {
  for (const [what, reg, value] of [['used ring outside RAM', R.queueDevice, 0x1000], ['queue size 6', R.queueNum, 6]] as const) {
    const rig = new Rig();
    rig.set(R.status, ACKNOWLEDGE | DRIVER);
    rig.set(R.driverFeaturesSel, 1);
    rig.set(R.driverFeatures, 1);
    rig.set(R.status, ACKNOWLEDGE | DRIVER | FEATURES_OK);
    rig.set(R.queueNum, QSIZE);
    rig.set(R.queueDesc, DESC);
    rig.set(R.queueDriver, AVAIL);
    rig.set(R.queueDevice, USED);
    rig.set(reg, value);
    assert.doesNotThrow(() => rig.set(R.queueReady, 1));
    assert.equal(rig.reg(R.queueReady), 0, `${what}: the queue is not ready`);
    assert.equal(rig.reg(R.status) & NEEDS_RESET, NEEDS_RESET, what);
  }
});

test('writing 0 to Status resets the device; a late completion of a request from before is ignored', () => {
  const rig = new Rig();
  rig.handshake();
  rig.enableInSContext();
  rig.submit(rig.read(0, 3, [512]));
  const old = rig.outputs[0];
  rig.set(R.status, 0);
  assert.equal(rig.reg(R.status), 0);
  assert.equal(rig.reg(R.queueReady), 0);
  assert.equal(rig.reg(R.interruptStatus), 0);

  rig.handshake();
  rig.submit(rig.read(1, 4, [512]));
  assert.equal(rig.outputs.length, 2);
  const fresh = rig.outputs[1];
  assert.ok(fresh.id > old.id, 'ids keep increasing across the reset');
  assert.doesNotThrow(() => rig.machine.deliver({ kind: 'diskDone', id: old.id, ok: true, data: pattern(512, 1) }));
  assert.equal(rig.usedIdx, 0, 'the late completion used nothing');
  assert.equal(rig.status(0), 0xaa, 'nor wrote a status');
  assert.equal(rig.bytes(DATA(0), 1)[0], 0xee, 'nor any data');
  assert.equal(rig.mip & MIP_SEIP, 0);
  rig.machine.deliver({ kind: 'diskDone', id: fresh.id, ok: true, data: pattern(512, 2) });
  assert.deepEqual(rig.used(0), [4, 513], 'the request after the reset completes normally');
  assert.deepEqual(rig.bytes(DATA(1), 512), pattern(512, 2));
  assert.throws(() => rig.machine.deliver({ kind: 'diskDone', id: fresh.id + 5, ok: true }), /virtio-blk completion for request/, 'a completion from the future is the world\'s bug');
});

test('a snapshot taken mid-request and restored (here or in another machine) completes to the same RAM and hash', () => {
  const rig = new Rig();
  rig.handshake();
  rig.enableInSContext();
  rig.submit(rig.read(0, 9, [200, 824]));
  const req = rig.outputs[0];
  const snap = rig.machine.snapshot();
  const atSnapshot = rig.machine.hash();

  /** Completes the request with `data`, then a flush and another read: what the machine holds afterwards. */
  const carryOn = (r: Rig, data: Uint8Array): { hash: string; ram: Buffer; nextId: number } => {
    r.machine.deliver({ kind: 'diskDone', id: req.id, ok: true, data });
    r.availIdx = 1; // the driver's own count, as at the snapshot
    r.outputs.length = 0;
    r.submit(r.bare(1, T_FLUSH));
    r.submit(r.read(0, 0, [512]));
    return { hash: r.machine.hash(), ram: Buffer.from(r.machine.ram.bytes), nextId: r.outputs[0].id };
  };
  const data = pattern(1024, 11);
  const straight = carryOn(rig, data);
  assert.deepEqual(rig.bytes(DATA(0) + 0x1000, 824), data.subarray(200), 'the read landed');

  rig.machine.restore(snap);
  assert.equal(rig.machine.hash(), atSnapshot, 'restore returns to the snapshot');
  const again = carryOn(rig, data);
  assert.equal(again.hash, straight.hash);
  assert.ok(again.ram.equals(straight.ram), 'same RAM');
  assert.equal(again.nextId, straight.nextId, 'the next request gets the same id');

  const other = new Rig();
  other.machine.restore(snap);
  assert.equal(other.machine.hash(), atSnapshot);
  const elsewhere = carryOn(other, data);
  assert.equal(elsewhere.hash, straight.hash, 'another machine restored from the snapshot agrees');
  assert.ok(elsewhere.ram.equals(straight.ram));
  assert.equal(other.mip & MIP_SEIP, MIP_SEIP, 'its interrupt is raised as well');

  rig.machine.restore(snap);
  assert.notEqual(carryOn(rig, pattern(1024, 12)).hash, straight.hash, 'other data: another hash');
});

test('under exec\'s free-running world, virtio-blk and Lockstep\'s disk can both have a request out at once', () => {
  const rig = new Rig();
  const disk = new Uint8Array(DISK_SECTORS * 512);
  disk.set(pattern(512, 21), 2 * 512);
  disk.set(pattern(512, 22), 3 * 512);
  const run = new StandaloneRun(rig.machine, { maxInstructions: 1, diskImage: disk });
  rig.handshake();
  const bus = rig.machine.bus, DISK = MemMap.disk, BUF = 0x8005_0000;
  for (const [reg, value] of [[0x08, 2], [0x0c, 1], [0x10, BUF], [0x14, 1]]) bus.write(DISK + reg, 4, value); // Lockstep disk: read sector 2
  assert.equal(bus.read(DISK + 0x18, 4) & 1, 1, 'Lockstep\'s disk is busy');
  assert.doesNotThrow(() => rig.submit(rig.read(0, 3, [512])), 'virtio-blk asks too');
  run.env.idleCycles += 1_000_000;
  run.env.deliverDue(rig.machine);
  assert.deepEqual(rig.bytes(BUF, 512), pattern(512, 21), 'Lockstep\'s disk got sector 2');
  assert.equal(bus.read(DISK + 0x18, 4), 2, 'DONE');
  assert.deepEqual(rig.bytes(DATA(0), 512), pattern(512, 22), 'virtio-blk got sector 3');
  assert.deepEqual([rig.status(0), rig.usedIdx], [0, 1]);
});
