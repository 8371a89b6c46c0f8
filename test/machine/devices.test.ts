// Unit tests of every guest device register against a fake host (no CPU): widths, offsets, faults, interrupts, DMA.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeviceHost } from '../../src/machine/devices/device';
import type { GuestOutput, ReadKind } from '../../src/machine/types';
import { Ram } from '../../src/machine/ram';
import { TestDevice } from '../../src/machine/devices/test-device';
import { EntropyDevice } from '../../src/machine/devices/entropy';
import { Clint } from '../../src/machine/devices/clint';
import { Plic } from '../../src/machine/devices/plic';
import { Uart, UART_RX_CAPACITY } from '../../src/machine/devices/uart';
import { Nic, NIC_ID, NIC_RX_CAPACITY } from '../../src/machine/devices/nic';
import { Disk, DISK_ID, DISK_BUSY, DISK_DONE, DISK_ERROR } from '../../src/machine/devices/disk';

const RAM_BASE = 0x8000_0000;

class FakeHost implements DeviceHost {
  readonly ram = new Ram(RAM_BASE, 64 * 1024);
  readonly outputs: GuestOutput[] = [];
  readonly irq = new Map<number, boolean>();
  readonly invalidated: [number, number][] = [];
  exitCode: number | null = null;
  time = 0;
  entropy = 0x1234_5678;
  read(kind: ReadKind): number {
    return kind === 'entropy' ? this.entropy : this.time;
  }
  output(out: GuestOutput): void {
    this.outputs.push(out);
  }
  setCpuIrq(bit: number, level: boolean): void {
    this.irq.set(bit, level);
  }
  powerOff(code: number): void {
    this.exitCode = code;
  }
  invalidateCode(addr: number, len: number): void {
    this.invalidated.push([addr, len]);
  }
}

function fakeLine(): { level: boolean; set(level: boolean): void } {
  const line = { level: false, set(level: boolean) { line.level = level; } };
  return line;
}

test('test device: pass, fail code, reset, reads 0, faults', () => {
  for (const [value, code] of [[0x5555, 0], [(42 << 16) | 0x3333, 42], [0x7777, 0]]) {
    const host = new FakeHost();
    const dev = new TestDevice(host);
    assert.equal(dev.write(0, 4, value), true);
    assert.equal(host.exitCode, code);
  }
  const host = new FakeHost();
  const dev = new TestDevice(host);
  assert.equal(dev.write(0, 4, 0x1234), true);
  assert.equal(host.exitCode, null);
  assert.equal(dev.read(0, 4), 0);
  assert.equal(dev.read(4, 4), -1);
  assert.equal(dev.read(0, 1), -1);
  assert.equal(dev.write(0, 2, 0x5555), false);
  assert.equal(host.exitCode, null);
});

test('entropy: 32-bit read from the environment; other widths and offsets fault', () => {
  const host = new FakeHost();
  const dev = new EntropyDevice(host);
  host.entropy = 0xdead_beef;
  assert.equal(dev.read(0, 4), 0xdead_beef);
  assert.equal(dev.read(0, 2), -1);
  assert.equal(dev.read(4, 4), -1);
  assert.equal(dev.write(0, 4, 1), true);
  assert.equal(dev.write(8, 4, 1), false);
});

test('clint: msip drives MSIP; mtime reads the environment; mtimecmp arms the timer and lowers MTIP', () => {
  const host = new FakeHost();
  const clint = new Clint(host);
  assert.equal(clint.write(0, 4, 3), true);
  assert.equal(clint.read(0, 4), 1);
  assert.equal(host.irq.get(3), true);
  clint.write(0, 4, 0);
  assert.equal(host.irq.get(3), false);
  host.time = 0x1_2345_6789;
  assert.equal(clint.read(0xbff8, 4), 0x2345_6789);
  assert.equal(clint.read(0xbffc, 4), 1);
  assert.equal(clint.write(0xbff8, 4, 5), true); // ignored
  assert.equal(clint.read(0x4000, 4), 0xffff_ffff);
  host.irq.set(7, true);
  clint.write(0x4004, 4, 0);
  clint.write(0x4000, 4, 1000);
  assert.equal(host.irq.get(7), false);
  assert.deepEqual(host.outputs.at(-1), { kind: 'timerArm', mtimecmp: 1000 });
  assert.equal(clint.read(0x4000, 4), 1000);
  assert.equal(clint.read(0x4004, 4), 0);
  assert.equal(clint.read(0x4000, 1), -1);
  assert.equal(clint.read(0x4002, 4), -1);
  assert.equal(clint.read(0x8, 4), -1);
  assert.equal(clint.write(0x8, 4, 0), false);
});

function plicWithSources(): { host: FakeHost; plic: Plic } {
  const host = new FakeHost();
  const plic = new Plic(host);
  plic.write(4 * 1, 4, 1);
  plic.write(4 * 2, 4, 2);
  plic.write(4 * 10, 4, 3);
  plic.write(0x2000, 4, (1 << 1) | (1 << 2) | (1 << 10));
  return { host, plic };
}

test('plic: priorities, enables, pending, threshold and MEIP', () => {
  const { host, plic } = plicWithSources();
  assert.equal(plic.read(4 * 10, 4), 3);
  plic.write(4 * 5, 4, 0xff);
  assert.equal(plic.read(4 * 5, 4), 7);
  assert.equal(plic.write(0, 4, 5), true);
  assert.equal(plic.read(0, 4), 0);
  assert.equal(plic.read(0x2000, 4), (1 << 1) | (1 << 2) | (1 << 10));
  plic.write(0x2000, 4, 0xffff_ffff);
  assert.equal(plic.read(0x2000, 4), 0xffff_fffe);
  plic.line(2).set(true);
  assert.equal(plic.read(0x1000, 4), 1 << 2);
  assert.equal(host.irq.get(11), true);
  plic.write(0x200000, 4, 2);
  assert.equal(plic.read(0x200000, 4), 2);
  assert.equal(host.irq.get(11), false, 'priority 2 is not above threshold 2');
  plic.write(0x200000, 4, 1);
  assert.equal(host.irq.get(11), true);
  plic.line(2).set(false);
  assert.equal(host.irq.get(11), false);
  assert.equal(plic.read(0x1000, 4), 0);
  assert.equal(plic.read(0x1004, 4), -1);
  assert.equal(plic.read(0x200008, 4), -1);
  assert.equal(plic.read(0x200004, 2), -1);
  assert.equal(plic.write(0x3000, 4, 0), false);
  assert.throws(() => plic.line(0));
});

test('plic: claim returns the highest priority, complete reopens a level-triggered source', () => {
  const { host, plic } = plicWithSources();
  plic.line(1).set(true);
  plic.line(10).set(true);
  assert.equal(plic.read(0x200004, 4), 10);
  assert.equal(plic.read(0x1000, 4), 1 << 1, 'claimed source is no longer pending');
  assert.equal(host.irq.get(11), true);
  assert.equal(plic.read(0x200004, 4), 1);
  assert.equal(host.irq.get(11), false);
  assert.equal(plic.read(0x200004, 4), 0, 'nothing left to claim');
  plic.write(0x200004, 4, 10); // complete while the line is still asserted
  assert.equal(plic.read(0x1000, 4), 1 << 10);
  assert.equal(host.irq.get(11), true);
  plic.line(1).set(false);
  plic.write(0x200004, 4, 1);
  assert.equal(plic.read(0x1000, 4), 1 << 10);
  plic.write(0x200004, 4, 7); // completing an unclaimed source is ignored
  plic.line(10).set(false);
  assert.equal(host.irq.get(11), false);
});

test('plic: equal priorities claim the lowest source first; disabled sources are not claimed', () => {
  const { plic } = plicWithSources();
  plic.write(4 * 10, 4, 1);
  plic.line(10).set(true);
  plic.line(1).set(true);
  assert.equal(plic.read(0x200004, 4), 1);
  plic.write(0x2000, 4, 0);
  assert.equal(plic.read(0x200004, 4), 0);
});

// Context 0 is the hart's M-mode (enable 0x2000, threshold 0x200000, claim 0x200004, MEIP = mip bit 11);
// context 1 its S-mode (enable 0x2080, threshold 0x201000, claim 0x201004, SEIP = mip bit 9).
const M_ENABLE = 0x2000, M_THRESHOLD = 0x200000, M_CLAIM = 0x200004, MEIP = 11;
const S_ENABLE = 0x2080, S_THRESHOLD = 0x201000, S_CLAIM = 0x201004, SEIP = 9;

test('plic contexts: M and S have their own enables and thresholds; each drives its own interrupt bit', () => {
  const host = new FakeHost();
  const plic = new Plic(host);
  plic.write(4 * 1, 4, 1);
  plic.write(4 * 8, 4, 3);
  plic.write(M_ENABLE, 4, 1 << 1);
  plic.write(S_ENABLE, 4, 1 << 8);
  assert.equal(plic.read(M_ENABLE, 4), 1 << 1);
  assert.equal(plic.read(S_ENABLE, 4), 1 << 8);
  plic.line(8).set(true);
  assert.equal(host.irq.get(SEIP), true, 'source 8 is enabled in S');
  assert.equal(host.irq.get(MEIP), false, 'but not in M');
  plic.line(1).set(true);
  assert.equal(host.irq.get(MEIP), true);
  plic.write(S_THRESHOLD, 4, 3);
  assert.equal(plic.read(S_THRESHOLD, 4), 3);
  assert.equal(plic.read(M_THRESHOLD, 4), 0, 'thresholds are per context');
  assert.equal(host.irq.get(SEIP), false, 'priority 3 is not above S threshold 3');
  assert.equal(host.irq.get(MEIP), true, 'M threshold is still 0');
  plic.write(M_THRESHOLD, 4, 1);
  assert.equal(host.irq.get(MEIP), false);
  plic.write(S_THRESHOLD, 4, 2);
  assert.equal(host.irq.get(SEIP), true);
  assert.equal(plic.read(M_CLAIM, 4), 0, 'source 1 is at the M threshold');
  plic.write(M_THRESHOLD, 4, 0);
  assert.equal(plic.read(M_CLAIM, 4), 1, 'M claims only what M enables');
  assert.equal(plic.read(S_CLAIM, 4), 8, 'S claims only what S enables');
  assert.equal(host.irq.get(MEIP), false);
  assert.equal(host.irq.get(SEIP), false);
});

test('plic contexts: a source claimed by one context is not pending for the other until it is completed', () => {
  const host = new FakeHost();
  const plic = new Plic(host);
  plic.write(4 * 8, 4, 1);
  plic.write(M_ENABLE, 4, 1 << 8);
  plic.write(S_ENABLE, 4, 1 << 8);
  plic.line(8).set(true);
  assert.equal(host.irq.get(MEIP), true);
  assert.equal(host.irq.get(SEIP), true);
  assert.equal(plic.read(S_CLAIM, 4), 8);
  assert.equal(host.irq.get(MEIP), false, 'claimed by S: M no longer sees it');
  assert.equal(host.irq.get(SEIP), false);
  assert.equal(plic.read(M_CLAIM, 4), 0);
  assert.equal(plic.read(0x1000, 4), 0, 'not pending');
  plic.write(S_CLAIM, 4, 8); // complete while the line is still high: pending again for both
  assert.equal(host.irq.get(MEIP), true);
  assert.equal(host.irq.get(SEIP), true);
  assert.equal(plic.read(M_CLAIM, 4), 8);
  assert.equal(plic.read(S_CLAIM, 4), 0, 'claimed by M now');
  assert.equal(host.irq.get(SEIP), false);
  plic.line(8).set(false);
  plic.write(M_CLAIM, 4, 8);
  assert.equal(host.irq.get(MEIP), false);
  assert.equal(host.irq.get(SEIP), false);
  assert.equal(plic.read(0x1000, 4), 0);
});

test('plic contexts: registers of a third context fault; states carry both contexts, as copies', () => {
  const host = new FakeHost();
  const plic = new Plic(host);
  assert.equal(plic.read(0x2100, 4), -1, 'no context 2 enable');
  assert.equal(plic.read(0x202000, 4), -1, 'no context 2 threshold');
  assert.equal(plic.write(0x202004, 4, 1), false);
  assert.equal(plic.read(0x201008, 4), -1);
  assert.equal(plic.read(0x2084, 4), -1, 'sources 32.. do not exist');
  plic.write(S_ENABLE, 4, 1 << 8);
  plic.write(S_THRESHOLD, 4, 5);
  const s = plic.getState();
  assert.deepEqual([s.enable, s.threshold], [[0, 1 << 8], [0, 5]]);
  plic.write(S_THRESHOLD, 4, 1);
  assert.deepEqual(s.threshold, [0, 5], 'the state is a copy');
  plic.setState(s);
  assert.equal(plic.read(S_THRESHOLD, 4), 5);
  assert.throws(() => plic.setState({ ...s, enable: [0] }), /wrong number of contexts/);
});

function uart(): { host: FakeHost; dev: Uart; line: ReturnType<typeof fakeLine> } {
  const host = new FakeHost();
  const line = fakeLine();
  return { host, dev: new Uart(host, line), line };
}

test('uart: THR transmits, LSR reports ready, 8-bit registers only', () => {
  const { host, dev } = uart();
  assert.equal(dev.write(0, 1, 0x41), true);
  assert.deepEqual(host.outputs, [{ kind: 'uart', byte: 0x41 }]);
  assert.equal(dev.read(5, 1), 0x60);
  assert.equal(dev.read(0, 4), -1);
  assert.equal(dev.write(0, 4, 0x41), false);
  assert.equal(dev.read(8, 1), -1);
  assert.equal(dev.write(0x10, 1, 0), false);
  for (const [off, v] of [[3, 0x03], [4, 0x0b], [7, 0x5a]]) {
    dev.write(off, 1, v);
    assert.equal(dev.read(off, 1), v);
  }
  assert.equal(dev.read(6, 1), 0);
  assert.equal(dev.read(2, 1), 0x01);
  dev.write(2, 1, 0x07);
  assert.equal(dev.read(2, 1), 0xc1, 'FIFO enabled bits in IIR');
});

test('uart: divisor latch behind DLAB', () => {
  const { host, dev } = uart();
  dev.write(3, 1, 0x83);
  dev.write(0, 1, 0x12);
  dev.write(1, 1, 0x34);
  assert.equal(host.outputs.length, 0);
  assert.equal(dev.read(0, 1), 0x12);
  assert.equal(dev.read(1, 1), 0x34);
  dev.write(3, 1, 0x03);
  assert.equal(dev.read(1, 1), 0);
});

test('uart: RX polling, DR bit, receive interrupt, bounded queue', () => {
  const { dev, line } = uart();
  dev.receive(new Uint8Array([1, 2]));
  assert.equal(dev.read(5, 1) & 1, 1);
  assert.equal(line.level, false, 'no interrupt while IER bit 0 is clear');
  dev.write(1, 1, 1);
  assert.equal(line.level, true);
  assert.equal(dev.read(2, 1), 0x04);
  assert.equal(dev.read(0, 1), 1);
  assert.equal(dev.read(0, 1), 2);
  assert.equal(dev.read(5, 1) & 1, 0);
  assert.equal(line.level, false);
  assert.equal(dev.read(0, 1), 0, 'empty RBR reads 0');
  dev.receive(new Uint8Array(UART_RX_CAPACITY + 10).fill(7));
  assert.equal(dev.getState().rx.length, UART_RX_CAPACITY);
  assert.equal(dev.getState().rxDropped, 10);
  dev.write(2, 1, 0x03); // FCR: clear the RX FIFO
  assert.equal(dev.read(5, 1) & 1, 0);
  assert.equal(line.level, false);
});

function nic(): { host: FakeHost; dev: Nic; line: ReturnType<typeof fakeLine> } {
  const host = new FakeHost();
  const line = fakeLine();
  return { host, dev: new Nic(host, line), line };
}

test('nic: registers, widths and offsets', () => {
  const { dev } = nic();
  assert.equal(dev.read(0x00, 4), NIC_ID);
  assert.equal(dev.read(0x04, 4), 0);
  assert.equal(dev.read(0x0c, 4), 0);
  for (const off of [0x08, 0x10, 0x18, 0x1c]) {
    dev.write(off, 4, off === 0x08 ? 1 : 0x8000_0100);
    assert.equal(dev.read(off, 4), off === 0x08 ? 1 : 0x8000_0100);
  }
  assert.equal(dev.read(0x2c, 4), -1);
  assert.equal(dev.read(0x00, 2), -1);
  assert.equal(dev.write(0x02, 4, 0), false);
  assert.equal(dev.write(0x00, 4, 0), true, 'read-only registers ignore writes');
  assert.equal(dev.read(0x00, 4), NIC_ID);
});

test('nic: receive, RX_POP DMA into RAM, interrupt, queue limit and drops', () => {
  const { host, dev, line } = nic();
  dev.receive(new Uint8Array([1, 2, 3]));
  dev.receive(new Uint8Array([4, 5]));
  assert.equal(dev.read(0x04, 4), 1);
  assert.equal(dev.read(0x0c, 4), 3);
  assert.equal(dev.read(0x24, 4), 2);
  assert.equal(line.level, false);
  dev.write(0x08, 4, 1);
  assert.equal(line.level, true);
  dev.write(0x10, 4, RAM_BASE + 0x100);
  host.ram.dirty.fill(0);
  assert.equal(dev.write(0x14, 4, 1), true);
  assert.deepEqual([...host.ram.readBytes(RAM_BASE + 0x100, 3)], [1, 2, 3]);
  assert.equal(host.ram.dirty[0], 1);
  assert.deepEqual(host.invalidated, [[RAM_BASE + 0x100, 3]]);
  assert.equal(dev.read(0x0c, 4), 2);
  dev.write(0x10, 4, 0x1000);
  assert.equal(dev.write(0x14, 4, 1), false, 'pop to a buffer outside RAM is an access fault');
  assert.equal(dev.read(0x24, 4), 1, 'and leaves the packet queued');
  dev.write(0x10, 4, RAM_BASE);
  dev.write(0x14, 4, 1);
  assert.equal(line.level, false);
  assert.equal(dev.write(0x14, 4, 1), true, 'pop of an empty queue does nothing');
  for (let i = 0; i < NIC_RX_CAPACITY + 3; i++) dev.receive(new Uint8Array([i]));
  assert.equal(dev.read(0x24, 4), NIC_RX_CAPACITY);
  assert.equal(dev.read(0x28, 4), 3);
  assert.throws(() => dev.receive(new Uint8Array(1515)));
  assert.throws(() => dev.receive(new Uint8Array(0)));
});

test('nic: TX_SEND copies TX_LEN bytes from RAM; bad length or buffer faults', () => {
  const { host, dev } = nic();
  host.ram.writeBytes(RAM_BASE + 8, new Uint8Array([9, 8, 7, 6]));
  dev.write(0x18, 4, RAM_BASE + 8);
  dev.write(0x1c, 4, 4);
  assert.equal(dev.write(0x20, 4, 1), true);
  assert.equal(host.outputs.length, 1);
  const out = host.outputs[0];
  assert.equal(out.kind, 'nicTx');
  if (out.kind === 'nicTx') assert.deepEqual([...out.packet], [9, 8, 7, 6]);
  dev.write(0x1c, 4, 0);
  assert.equal(dev.write(0x20, 4, 1), false);
  dev.write(0x1c, 4, 1515);
  assert.equal(dev.write(0x20, 4, 1), false);
  dev.write(0x1c, 4, 16);
  dev.write(0x18, 4, RAM_BASE + 64 * 1024 - 8);
  assert.equal(dev.write(0x20, 4, 1), false);
  assert.equal(host.outputs.length, 1);
});

function disk(capacity = 100): { host: FakeHost; dev: Disk; line: ReturnType<typeof fakeLine> } {
  const host = new FakeHost();
  const line = fakeLine();
  return { host, dev: new Disk(host, line, capacity), line };
}

function setup(dev: Disk, sector: number, count: number, addr: number): void {
  dev.write(0x08, 4, sector);
  dev.write(0x0c, 4, count);
  dev.write(0x10, 4, addr);
}

test('disk: registers, widths and offsets', () => {
  const { dev } = disk(77);
  assert.equal(dev.read(0x00, 4), DISK_ID);
  assert.equal(dev.read(0x04, 4), 77);
  setup(dev, 5, 2, RAM_BASE);
  assert.equal(dev.read(0x08, 4), 5);
  assert.equal(dev.read(0x0c, 4), 2);
  assert.equal(dev.read(0x10, 4), RAM_BASE);
  dev.write(0x1c, 4, 1);
  assert.equal(dev.read(0x1c, 4), 1);
  assert.equal(dev.read(0x18, 4), 0);
  assert.equal(dev.read(0x24, 4), -1);
  assert.equal(dev.read(0x04, 1), -1);
  assert.equal(dev.write(0x24, 4, 0), false);
});

test('disk: read request goes out, completion DMAs into RAM, raises DONE and the interrupt, ACK clears', () => {
  const { host, dev, line } = disk();
  dev.write(0x1c, 4, 1);
  setup(dev, 3, 2, RAM_BASE + 0x1000);
  dev.write(0x14, 4, 1);
  assert.equal(dev.read(0x18, 4), DISK_BUSY);
  assert.deepEqual(host.outputs, [{ kind: 'diskRequest', id: 1, op: 'read', sector: 3, count: 2 }]);
  assert.equal(line.level, false);
  host.ram.dirty.fill(0);
  const data = new Uint8Array(1024).map((_, i) => i & 0xff);
  dev.complete(1, true, data);
  assert.deepEqual(host.ram.readBytes(RAM_BASE + 0x1000, 1024), data);
  assert.deepEqual([...host.ram.dirty.slice(0, 3)], [0, 1, 0]);
  assert.deepEqual(host.invalidated, [[RAM_BASE + 0x1000, 1024]]);
  assert.equal(dev.read(0x18, 4), DISK_DONE);
  assert.equal(line.level, true);
  dev.write(0x20, 4, 1);
  assert.equal(dev.read(0x18, 4), 0);
  assert.equal(line.level, false);
});

test('disk: write request carries guest data; ids increase; failure sets ERROR', () => {
  const { host, dev, line } = disk();
  host.ram.writeBytes(RAM_BASE, new Uint8Array(512).fill(0xab));
  setup(dev, 0, 1, RAM_BASE);
  dev.write(0x14, 4, 2);
  const out = host.outputs[0];
  assert.ok(out.kind === 'diskRequest' && out.op === 'write' && out.id === 1);
  if (out.kind === 'diskRequest') assert.deepEqual(out.data, new Uint8Array(512).fill(0xab));
  dev.complete(1, true);
  assert.equal(dev.read(0x18, 4), DISK_DONE);
  dev.write(0x1c, 4, 1);
  assert.equal(line.level, true);
  dev.write(0x14, 4, 1);
  assert.equal(dev.read(0x18, 4), DISK_BUSY, 'a new request clears DONE');
  assert.equal(line.level, false);
  const second = host.outputs[1];
  assert.ok(second.kind === 'diskRequest' && second.id === 2);
  dev.complete(2, false);
  assert.equal(dev.read(0x18, 4), DISK_ERROR);
  assert.equal(line.level, true);
  assert.throws(() => dev.complete(2, true), /no request/);
});

test('disk: invalid requests set ERROR at once and send nothing', () => {
  const cases: [number, number, number, number][] = [
    [99, 2, RAM_BASE, 1], // past capacity
    [0, 0, RAM_BASE, 1], // count 0
    [0, 129, RAM_BASE, 1], // count too large
    [0, 1, 0x1000, 1], // buffer outside RAM
    [0, 1, RAM_BASE + 64 * 1024 - 256, 1], // buffer runs off RAM
    [0, 1, RAM_BASE, 3], // bad op
  ];
  for (const [sector, count, addr, op] of cases) {
    const { host, dev } = disk();
    setup(dev, sector, count, addr);
    dev.write(0x14, 4, op);
    assert.equal(dev.read(0x18, 4), DISK_ERROR, `case ${sector},${count},${addr},${op}`);
    assert.equal(host.outputs.length, 0);
  }
  const { host, dev } = disk();
  setup(dev, 0, 1, RAM_BASE);
  dev.write(0x14, 4, 1);
  dev.write(0x14, 4, 1);
  assert.equal(dev.read(0x18, 4), DISK_BUSY | DISK_ERROR, 'a request while busy');
  assert.equal(host.outputs.length, 1);
  assert.throws(() => dev.complete(1, true, new Uint8Array(10)), /expected 512/);
});

test('device states are copies: later activity does not change them, setState restores', () => {
  const { dev } = uart();
  dev.receive(new Uint8Array([1]));
  const s = dev.getState();
  dev.receive(new Uint8Array([2]));
  assert.deepEqual(s.rx, [1]);
  dev.setState(s);
  assert.equal(dev.read(0, 1), 1);
  assert.equal(dev.read(5, 1) & 1, 0);
  assert.deepEqual(s.rx, [1]);
});
