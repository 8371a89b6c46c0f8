// virtio-net on a whole Machine, driven as a driver would through MMIO: the MAC, receive and transmit rings laid out by hand in RAM, queued and dropped frames, the PLIC's S-mode context, broken rings, reset and snapshots.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../src/machine/machine';
import { MemMap, type GuestOutput } from '../../src/machine/types';
import { ACKNOWLEDGE, DRIVER, DRIVER_OK, F_NEXT, F_WRITE, FEATURES_OK, MIP_MEIP, MIP_SEIP, NEEDS_RESET, R, assertStoppedCleanly, enableInSContext } from './virtio-regs';
import { VIRTIO_NET_MAC, VIRTIO_NET_RX_CAPACITY } from '../../src/machine/devices/virtio-net';

const VIRTIO = MemMap.virtioNet;
const PLIC = MemMap.plic;
const SOURCE = 7;
const HDR = 12;
const RXQ = 0, TXQ = 1;

/** Where the driver keeps its rings (queues of 8) and buffers: descriptor i of queue q owns the 4 KiB at BUF(q, i). */
const QSIZE = 8;
const RING = (q: number): { desc: number; avail: number; used: number } => ({ desc: 0x8001_0000 + 0x4000 * q, avail: 0x8001_1000 + 0x4000 * q, used: 0x8001_2000 + 0x4000 * q });
const BUF = (q: number, i: number): number => 0x8002_0000 + 0x10000 * q + 0x1000 * i;

/** An Ethernet frame of n bytes: to the VM's MAC, from 02:00:00:00:00:<seed>, then a recognisable pattern. */
function frame(n: number, seed: number): Uint8Array {
  const f = Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);
  f.set(VIRTIO_NET_MAC, 0);
  f.set([2, 0, 0, 0, 0, seed & 0xff], 6);
  return f;
}

/** The header the device writes in front of every received frame: all zero but num_buffers = 1. */
const RX_HEADER = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0);

/** A machine with a driver's view of its virtio-net: registers through the bus, rings through RAM. */
class Rig {
  readonly outputs: Uint8Array[] = [];
  readonly machine: Machine;
  /** The driver's available-ring indices (free running), per queue. */
  readonly availIdx = [0, 0];

  constructor() {
    const env = { read: () => 0, output: (o: GuestOutput) => { if (o.kind === 'netTx') this.outputs.push(o.frame); } };
    this.machine = new Machine({ env, ramSize: 1 << 20 });
  }

  reg(offset: number, size: 1 | 2 | 4 = 4): number {
    return this.machine.bus.read(VIRTIO + offset, size);
  }

  set(offset: number, value: number): void {
    assert.equal(this.machine.bus.write(VIRTIO + offset, 4, value), true, `write to virtio register 0x${offset.toString(16)}`);
  }

  /** The driver's initialisation (virtio 1.x, 3.1.1) accepting every offered feature, both queues set up; returns Status after FEATURES_OK. */
  handshake(): number {
    this.set(R.status, 0);
    this.set(R.status, ACKNOWLEDGE);
    this.set(R.status, ACKNOWLEDGE | DRIVER);
    for (const word of [0, 1]) {
      this.set(R.deviceFeaturesSel, word);
      const offered = this.reg(R.deviceFeatures);
      this.set(R.driverFeaturesSel, word);
      this.set(R.driverFeatures, offered);
    }
    this.set(R.status, ACKNOWLEDGE | DRIVER | FEATURES_OK);
    const status = this.reg(R.status);
    for (const q of [RXQ, TXQ]) this.setUpQueue(q);
    this.set(R.status, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
    return status;
  }

  private setUpQueue(q: number): void {
    const { desc, avail, used } = RING(q);
    this.machine.ram.writeBytes(avail, new Uint8Array(4 + 2 * QSIZE));
    this.machine.ram.writeBytes(used, new Uint8Array(4 + 8 * QSIZE));
    this.availIdx[q] = 0;
    this.set(R.queueSel, q);
    this.set(R.queueNum, QSIZE);
    this.set(R.queueDesc, desc);
    this.set(R.queueDriver, avail);
    this.set(R.queueDevice, used);
    this.set(R.queueReady, 1);
  }

  desc(q: number, i: number, addr: number, len: number, flags: number, next = 0): void {
    const b = new Uint8Array(16), v = new DataView(b.buffer);
    v.setUint32(0, addr, true);
    v.setUint32(8, len, true);
    v.setUint16(12, flags, true);
    v.setUint16(14, next, true);
    this.machine.ram.writeBytes(RING(q).desc + 16 * i, b);
  }

  /** A receive chain from descriptor i: device-writable buffers of `lens` bytes (descriptors i, i+1, ...), filled with 0xee and a little past them. */
  rxChain(i: number, lens: number[]): number {
    lens.forEach((len, j) => {
      this.machine.ram.writeBytes(BUF(RXQ, i + j), new Uint8Array(len + 16).fill(0xee));
      this.desc(RXQ, i + j, BUF(RXQ, i + j), len, F_WRITE | (j < lens.length - 1 ? F_NEXT : 0), i + j + 1);
    });
    return i;
  }

  /** A transmit chain from descriptor i: driver-readable buffers holding `parts` (the first usually the 12-byte header). */
  txChain(i: number, parts: Uint8Array[]): number {
    parts.forEach((part, j) => {
      this.machine.ram.writeBytes(BUF(TXQ, i + j), part);
      this.desc(TXQ, i + j, BUF(TXQ, i + j), part.length, j < parts.length - 1 ? F_NEXT : 0, i + j + 1);
    });
    return i;
  }

  /** Makes chains available on queue q (one avail.idx update) and notifies it. */
  submit(q: number, ...heads: number[]): void {
    const ram = this.machine.ram, { avail } = RING(q);
    for (const h of heads) {
      ram.writeBytes(avail + 4 + 2 * (this.availIdx[q] % QSIZE), Uint8Array.of(h & 0xff, h >> 8));
      this.availIdx[q] = (this.availIdx[q] + 1) & 0xffff;
    }
    ram.writeBytes(avail + 2, Uint8Array.of(this.availIdx[q] & 0xff, this.availIdx[q] >> 8));
    this.set(R.queueNotify, q);
  }

  usedIdx(q: number): number {
    const b = this.machine.ram.readBytes(RING(q).used + 2, 2);
    return b[0] | (b[1] << 8);
  }

  /** Used-ring element i of queue q: [descriptor head, bytes written]. */
  used(q: number, i: number): [number, number] {
    const b = this.machine.ram.readBytes(RING(q).used + 4 + 8 * (i % QSIZE), 8), v = new DataView(b.buffer);
    return [v.getUint32(0, true), v.getUint32(4, true)];
  }

  bytes(addr: number, len: number): Uint8Array {
    return this.machine.ram.readBytes(addr, len);
  }

  /** What receive chain i (one buffer) holds after a frame of `len` bytes landed: header, then frame. */
  received(i: number, len: number): Uint8Array {
    return this.bytes(BUF(RXQ, i), HDR + len);
  }

  rx(f: Uint8Array): void {
    this.machine.deliver({ kind: 'netRx', frame: f });
  }

  /** Source 7 at priority 1, enabled in the S-mode context only (threshold 0). */
  enableInSContext(): void {
    assert.equal(enableInSContext(this.machine.bus, PLIC, SOURCE), true);
  }

  get mip(): number {
    return this.machine.cpu.mip;
  }

  get device(): Record<string, string | number | boolean> {
    return this.machine.devices.virtioNet.describe();
  }

  /** Counts the device's used-buffer interrupts from now on. */
  countInterrupts(): { n: number } {
    const dev = this.machine.devices.virtioNet as unknown as { interrupt(): void };
    const count = { n: 0 }, raise = dev.interrupt.bind(dev);
    dev.interrupt = () => {
      count.n++;
      raise();
    };
    return count;
  }
}

const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

test('the register file: magic, version 2, network device, MAC and VERSION_1 only, two queues, the MAC in the config space', () => {
  const rig = new Rig();
  assert.equal(rig.reg(R.magic), 0x74726976, '"virt"');
  assert.equal(rig.reg(R.version), 2);
  assert.equal(rig.reg(R.deviceId), 1, 'network device');
  rig.set(R.deviceFeaturesSel, 0);
  assert.equal(rig.reg(R.deviceFeatures), 1 << 5, 'VIRTIO_NET_F_MAC only: no CSUM, GSO, MRG_RXBUF, STATUS or CTRL_VQ');
  rig.set(R.deviceFeaturesSel, 1);
  assert.equal(rig.reg(R.deviceFeatures), 1, 'VERSION_1 (feature bit 32)');
  for (const [q, max] of [[0, 128], [1, 128], [2, 0]]) {
    rig.set(R.queueSel, q);
    assert.equal(rig.reg(R.queueNumMax), max, `queue ${q}`);
  }
  assert.deepEqual([...VIRTIO_NET_MAC], [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
  assert.deepEqual(Array.from({ length: 6 }, (_, i) => rig.reg(R.config + i, 1)), [...VIRTIO_NET_MAC], 'the MAC byte by byte');
  assert.equal(rig.reg(R.config), 0x12005452, 'and as a little-endian word');
  assert.equal(rig.reg(R.config + 4, 2), 0x5634);
  assert.equal(rig.machine.bus.write(VIRTIO + R.config, 4, 0), true, 'config writes are ignored');
  assert.equal(rig.reg(R.config), 0x12005452);
  assert.ok(Object.isFrozen(VIRTIO_NET_MAC), 'the exported MAC cannot be changed');

  rig.set(R.status, ACKNOWLEDGE | DRIVER);
  for (const word of [0, 1]) {
    rig.set(R.driverFeaturesSel, word);
    rig.set(R.driverFeatures, 0xffffffff);
  }
  assert.equal(rig.device.features, '0x0000000100000020', 'a driver asking for everything gets VERSION_1 and MAC');
  assert.equal(rig.handshake(), ACKNOWLEDGE | DRIVER | FEATURES_OK);
  assert.equal(rig.reg(R.status), ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
  assert.equal(rig.device.mac, '52:54:00:12:34:56');
  assert.equal(rig.device.features, '0x0000000100000020');
  assert.equal(typeof rig.machine.describeDevices().virtioNet, 'object', 'the Devices view lists it');
});

test('receive: header and frame land in the driver\'s buffers, the used ring says how much, source 7 interrupts the S context', () => {
  const rig = new Rig();
  rig.handshake();
  rig.enableInSContext();
  rig.submit(RXQ, rig.rxChain(0, [1526]), rig.rxChain(1, [HDR + 2, 1524])); // one buffer, and one split inside the frame
  assert.equal(rig.usedIdx(RXQ), 0);
  assert.equal(rig.reg(R.interruptStatus), 0);
  assert.equal(rig.mip & MIP_SEIP, 0);

  const a = frame(60, 1);
  rig.rx(a);
  assert.deepEqual(rig.received(0, 60), concat(RX_HEADER, a));
  assert.equal(rig.bytes(BUF(RXQ, 0) + HDR + 60, 1)[0], 0xee, 'nothing past the frame');
  assert.equal(rig.usedIdx(RXQ), 1);
  assert.deepEqual(rig.used(RXQ, 0), [0, HDR + 60]);
  assert.equal(rig.reg(R.interruptStatus), 1, 'used buffer notification');
  assert.equal(rig.mip & MIP_SEIP, MIP_SEIP, 'SEIP from the PLIC\'s S context');
  assert.equal(rig.mip & MIP_MEIP, 0, 'source 7 is not enabled in the M context');
  assert.equal(rig.machine.bus.read(PLIC + 0x201004, 4), SOURCE, 'the S context claims source 7');
  assert.equal(rig.mip & MIP_SEIP, 0);
  rig.set(R.interruptAck, 1);
  rig.machine.bus.write(PLIC + 0x201004, 4, SOURCE);
  assert.equal(rig.mip & MIP_SEIP, 0, 'acked and completed: quiet');

  const b = frame(1514, 2);
  rig.rx(b);
  assert.deepEqual(rig.bytes(BUF(RXQ, 1), HDR + 2), concat(RX_HEADER, b.subarray(0, 2)));
  assert.deepEqual(rig.bytes(BUF(RXQ, 2), 1512), b.subarray(2));
  assert.equal(rig.bytes(BUF(RXQ, 2) + 1512, 1)[0], 0xee, 'the second buffer\'s last 12 bytes are untouched');
  assert.deepEqual(rig.used(RXQ, 1), [1, HDR + 1514]);
  assert.equal(rig.mip & MIP_SEIP, MIP_SEIP);
  assert.deepEqual([rig.device.rxFrames, rig.device.rxBuffers, rig.device.rxQueued], [2, 0, 0]);
  assert.deepEqual(rig.outputs, [], 'receiving sends nothing');
});

test('frames 14 to 1514 bytes long are accepted; anything else is the world\'s bug', () => {
  const rig = new Rig();
  rig.handshake();
  assert.doesNotThrow(() => rig.rx(frame(14, 0)));
  assert.throws(() => rig.rx(frame(13, 0)), /virtio-net frame of 13 bytes \(must be 14–1514\)/);
  assert.throws(() => rig.rx(new Uint8Array(1515)), /1515 bytes/);
});

test('frames before any receive buffer wait, and land in order when the driver posts buffers and notifies queue 0', () => {
  const rig = new Rig();
  rig.handshake();
  const frames = [frame(60, 1), frame(100, 2), frame(70, 3)];
  frames.forEach((f) => rig.rx(f));
  assert.equal(rig.usedIdx(RXQ), 0);
  assert.equal(rig.reg(R.interruptStatus), 0, 'no interrupt without a buffer');
  assert.equal(rig.device.rxQueued, 3);

  const interrupts = rig.countInterrupts();
  rig.submit(RXQ, rig.rxChain(0, [1526]), rig.rxChain(1, [1526]));
  assert.equal(rig.usedIdx(RXQ), 2);
  assert.deepEqual([rig.used(RXQ, 0), rig.used(RXQ, 1)], [[0, HDR + 60], [1, HDR + 100]]);
  assert.deepEqual(rig.received(0, 60), concat(RX_HEADER, frames[0]));
  assert.deepEqual(rig.received(1, 100), concat(RX_HEADER, frames[1]));
  assert.equal(interrupts.n, 1, 'one interrupt for both');
  assert.equal(rig.device.rxQueued, 1);

  rig.submit(RXQ, rig.rxChain(2, [1526]));
  assert.deepEqual(rig.used(RXQ, 2), [2, HDR + 70]);
  assert.deepEqual(rig.received(2, 70), concat(RX_HEADER, frames[2]));
  rig.submit(RXQ, rig.rxChain(3, [1526]));
  assert.equal(rig.usedIdx(RXQ), 3, 'a buffer with no frame waiting stays with the device');
  assert.equal(rig.device.rxBuffers, 1);
  rig.rx(frames[0]);
  assert.deepEqual(rig.used(RXQ, 3), [3, HDR + 60], 'and takes the next frame at once');
  assert.equal(interrupts.n, 3);
});

test('the waiting queue holds 64 frames: more are dropped and counted, the first 64 are kept', () => {
  const rig = new Rig();
  rig.handshake();
  for (let i = 0; i < VIRTIO_NET_RX_CAPACITY + 3; i++) rig.rx(frame(20 + i, i));
  assert.equal(rig.device.rxQueued, VIRTIO_NET_RX_CAPACITY);
  assert.equal(rig.device.rxDroppedFull, 3);
  rig.submit(RXQ, ...Array.from({ length: QSIZE }, (_, i) => rig.rxChain(i, [1526])));
  assert.equal(rig.usedIdx(RXQ), QSIZE);
  for (let i = 0; i < QSIZE; i++) {
    assert.deepEqual(rig.used(RXQ, i), [i, HDR + 20 + i]);
    assert.deepEqual(rig.received(i, 20 + i), concat(RX_HEADER, frame(20 + i, i)), `frame ${i} in buffer ${i}`);
  }
  assert.equal(rig.device.rxQueued, VIRTIO_NET_RX_CAPACITY - QSIZE);
});

test('a receive chain too small for header and frame drops the frame (counted) and waits for one that fits', () => {
  const rig = new Rig();
  rig.handshake();
  rig.submit(RXQ, rig.rxChain(0, [40]));
  rig.rx(frame(60, 1));
  assert.equal(rig.usedIdx(RXQ), 0);
  assert.equal(rig.reg(R.interruptStatus), 0);
  assert.deepEqual(rig.bytes(BUF(RXQ, 0), 41), new Uint8Array(41).fill(0xee), 'nothing written');
  assert.deepEqual([rig.device.rxDroppedSmall, rig.device.rxQueued, rig.device.rxBuffers], [1, 0, 1]);
  const small = frame(28, 2);
  rig.rx(small);
  assert.deepEqual(rig.used(RXQ, 0), [0, 40], 'header and 28 bytes fill the 40-byte buffer exactly');
  assert.deepEqual(rig.received(0, 28), concat(RX_HEADER, small));
  assert.equal(rig.reg(R.interruptStatus), 1);
});

test('transmit: two chains notified at once leave in order as two frames without their headers, used with length 0, one interrupt', () => {
  const rig = new Rig();
  rig.handshake();
  rig.enableInSContext();
  const interrupts = rig.countInterrupts();
  const a = frame(60, 5), b = frame(1514, 6);
  const hdr = new Uint8Array(HDR).fill(0x11); // whatever the driver puts there, it is not part of the frame
  const first = rig.txChain(0, [hdr, a]);
  const second = rig.txChain(2, [concat(hdr, b.subarray(0, 500)), b.subarray(500)]); // header and frame share a buffer
  rig.submit(TXQ, first, second);
  assert.equal(rig.outputs.length, 2);
  assert.deepEqual(rig.outputs[0], a);
  assert.deepEqual(rig.outputs[1], b);
  assert.equal(rig.usedIdx(TXQ), 2);
  assert.deepEqual([rig.used(TXQ, 0), rig.used(TXQ, 1)], [[first, 0], [second, 0]]);
  assert.equal(interrupts.n, 1);
  assert.equal(rig.reg(R.interruptStatus), 1);
  assert.equal(rig.mip & MIP_SEIP, MIP_SEIP);
  assert.equal(rig.usedIdx(RXQ), 0, 'the receive queue is untouched');
  assert.equal(rig.device.txFrames, 2);
});

test('a transmitted frame under 14 or over 1514 bytes, or a chain shorter than the header, is dropped and counted, never thrown', () => {
  const rig = new Rig();
  rig.handshake();
  const hdr = new Uint8Array(HDR);
  const heads = [rig.txChain(0, [hdr, frame(14, 1).subarray(0, 10)]), rig.txChain(2, [new Uint8Array(5)]), rig.txChain(3, [hdr, new Uint8Array(1515)]), rig.txChain(5, [hdr, frame(14, 4)])];
  assert.doesNotThrow(() => rig.submit(TXQ, ...heads));
  assert.equal(rig.outputs.length, 1, 'only the 14-byte frame leaves');
  assert.deepEqual(rig.outputs[0], frame(14, 4));
  assert.equal(rig.usedIdx(TXQ), 4, 'every chain is returned');
  assert.deepEqual(Array.from({ length: 4 }, (_, i) => rig.used(TXQ, i)), heads.map((h) => [h, 0]));
  assert.deepEqual([rig.device.txDropped, rig.device.txFrames], [3, 1]);
  assert.equal(rig.reg(R.status) & NEEDS_RESET, 0);
});

/** Sets a machine up, breaks a ring with `breakIt`, and checks that the device stopped cleanly and says so. */
function assertNeedsReset(what: string, breakIt: (rig: Rig) => void): Rig {
  const rig = new Rig();
  rig.handshake();
  rig.enableInSContext();
  assert.doesNotThrow(() => breakIt(rig), what);
  assertStoppedCleanly(assert, what, rig);
  return rig;
}

test('a broken ring, found on a notify or when a frame arrives, sets DEVICE_NEEDS_RESET, never an exception', () => {
  assertNeedsReset('transmit descriptor loop', (rig) => {
    rig.desc(TXQ, 0, BUF(TXQ, 0), 100, F_NEXT, 1);
    rig.desc(TXQ, 1, BUF(TXQ, 1), 100, F_NEXT, 0);
    rig.submit(TXQ, 0);
  });
  assertNeedsReset('transmit head past the queue', (rig) => rig.submit(TXQ, QSIZE));
  const outside = assertNeedsReset('receive buffer outside RAM, found by an arriving frame', (rig) => {
    rig.desc(RXQ, 0, 0x1000, 1526, F_WRITE);
    rig.submit(RXQ, 0);
    rig.rx(frame(60, 1));
  });
  assert.equal(outside.usedIdx(RXQ), 0);
  assertNeedsReset('receive buffer past the end of RAM, found on the notify', (rig) => {
    rig.rx(frame(60, 1));
    rig.desc(RXQ, 0, 0x8010_0000 - 100, 1526, F_WRITE);
    rig.submit(RXQ, 0);
  });
  assertNeedsReset('receive available index more than a queue ahead', (rig) => {
    rig.machine.ram.writeBytes(RING(RXQ).avail + 2, Uint8Array.of(QSIZE + 1, 0));
    rig.set(R.queueNotify, RXQ);
  });

  // A stopped device keeps frames but places none, and sends nothing, until the driver resets it.
  outside.rx(frame(60, 2));
  outside.submit(TXQ, outside.txChain(0, [new Uint8Array(HDR), frame(60, 3)]));
  assert.deepEqual([outside.outputs.length, outside.usedIdx(TXQ)], [0, 0]);
  outside.handshake();
  assert.equal(outside.reg(R.status), ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
  outside.submit(TXQ, outside.txChain(0, [new Uint8Array(HDR), frame(60, 3)]));
  assert.deepEqual(outside.outputs, [frame(60, 3)], 'after the reset the device sends again');
});

test('writing 0 to Status forgets the waiting frames and the receive buffers taken', () => {
  const rig = new Rig();
  rig.handshake();
  rig.submit(RXQ, rig.rxChain(0, [40]));
  rig.rx(frame(60, 1)); // too small: dropped, and the chain stays with the device
  assert.deepEqual([rig.device.rxBuffers, rig.device.rxDroppedSmall], [1, 1]);
  rig.set(R.status, 0);
  assert.equal(rig.device.rxBuffers, 0);
  rig.rx(frame(60, 2)); // no queue is ready: they wait
  rig.rx(frame(60, 3));
  assert.equal(rig.device.rxQueued, 2);
  rig.set(R.status, 0);
  assert.deepEqual([rig.reg(R.status), rig.reg(R.interruptStatus), rig.device.rxQueued, rig.device.rxBuffers], [0, 0, 0, 0]);
  assert.equal(rig.device.rxDroppedSmall, 1, 'the counters are the device\'s life, not the driver\'s');

  rig.handshake();
  rig.submit(RXQ, rig.rxChain(0, [1526]));
  assert.equal(rig.usedIdx(RXQ), 0, 'no frame from before the reset lands');
  const fresh = frame(80, 5);
  rig.rx(fresh);
  assert.deepEqual(rig.used(RXQ, 0), [0, HDR + 80]);
  assert.deepEqual(rig.received(0, 80), concat(RX_HEADER, fresh));
});

test('a snapshot taken with frames waiting and buffers posted, restored here or in another machine, carries on to the same RAM, outputs and hash', () => {
  const rig = new Rig();
  rig.handshake();
  rig.enableInSContext();
  rig.submit(RXQ, rig.rxChain(0, [1526]));
  rig.rx(frame(60, 1));
  rig.rx(frame(61, 2));
  rig.rx(frame(62, 3));
  rig.submit(RXQ, rig.rxChain(1, [1526]));
  assert.deepEqual([rig.usedIdx(RXQ), rig.device.rxQueued], [2, 1]);
  const snap = rig.machine.snapshot();
  const atSnapshot = rig.machine.hash();
  assert.equal(structuredClone(snap).devices.virtioNet.device.rxQueue[0].length, 62, 'the state is structured-clone-able');

  /** Posts two buffers, receives one more frame and sends one: what the machine holds afterwards. */
  const carryOn = (r: Rig): { hash: string; ram: Buffer; outputs: Uint8Array[] } => {
    r.availIdx[RXQ] = 2; // the driver's own counts, as at the snapshot
    r.availIdx[TXQ] = 0;
    r.outputs.length = 0;
    r.submit(RXQ, r.rxChain(2, [1526]), r.rxChain(3, [1526]));
    r.rx(frame(100, 4));
    r.submit(TXQ, r.txChain(0, [new Uint8Array(HDR), frame(90, 5)]));
    return { hash: r.machine.hash(), ram: Buffer.from(r.machine.ram.bytes), outputs: r.outputs.slice() };
  };
  const straight = carryOn(rig);
  assert.deepEqual([rig.used(RXQ, 2), rig.used(RXQ, 3)], [[2, HDR + 62], [3, HDR + 100]]);

  rig.machine.restore(snap);
  assert.equal(rig.machine.hash(), atSnapshot, 'restore returns to the snapshot');
  const again = carryOn(rig);
  assert.equal(again.hash, straight.hash);
  assert.ok(again.ram.equals(straight.ram), 'same RAM');
  assert.deepEqual(again.outputs, straight.outputs);

  const other = new Rig();
  other.machine.restore(structuredClone(snap), true);
  assert.equal(other.machine.hash(), atSnapshot);
  const elsewhere = carryOn(other);
  assert.equal(elsewhere.hash, straight.hash, 'another machine restored from a copy of the snapshot agrees');
  assert.ok(elsewhere.ram.equals(straight.ram));
  assert.equal(other.mip & MIP_SEIP, MIP_SEIP);

  rig.machine.restore(snap);
  rig.rx(frame(14, 9));
  assert.notEqual(carryOn(rig).hash, straight.hash, 'another frame: another hash');
});
