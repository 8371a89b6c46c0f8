// End-to-end snapshot, restore and hash tests: exact continuation, copy-on-write page sharing, hash sensitivity.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../../src/asm/index';
import { Machine, type MachineSnapshot } from '../../src/machine/machine';
import { copiedPages, imagePageCount } from '../../src/machine/snapshot';
import type { Environment, GuestOutput, ReadKind } from '../../src/machine/types';
import type { Program } from '../../src/machine/program';

/** Deterministic environment: every read is a function of (kind, instret); outputs are recorded. */
class DetEnv implements Environment {
  outputs: string[] = [];
  read(kind: ReadKind, instret: number, _pc: number): number {
    if (kind === 'entropy') return Math.imul(instret + 1, 0x9e3779b1) >>> 0;
    return Math.floor(instret / (kind === 'time' ? 7 : 1));
  }
  output(out: GuestOutput, instret: number, pc: number): void {
    this.outputs.push(`${instret}@${pc.toString(16)}:${JSON.stringify(out, (_k, v: unknown) => (v instanceof Uint8Array ? [...v] : v))}`);
  }
}

const WORKLOAD = `
  .globl _start
_start:
  li s0, 0
  la s1, buf
  li s2, 0x10000000
  li s3, 0x10003000
loop:
  lw t0, 0(s3)
  slli t1, s0, 10
  li t2, 0xffff
  and t1, t1, t2
  add t1, t1, s1
  sw t0, 0(t1)
  andi t3, s0, 63
  bnez t3, 1f
  li t4, 'x'
  sb t4, 0(s2)
1:
  rdtime t5
  add s4, s4, t5
  addi s0, s0, 1
  j loop
  .bss
  .align 12
buf: .space 65536
`;

function program(source: string): Program {
  const r = assemble(source);
  assert.ok(r.ok, JSON.stringify(r.diagnostics));
  return r.program!;
}

function boot(source: string, ramSize = 1 << 20): { m: Machine; env: DetEnv } {
  const env = new DetEnv();
  const m = new Machine({ env, ramSize });
  m.load(program(source));
  return { m, env };
}

test('restore is exact: same hash, and continuing gives identical outputs and state', () => {
  const { m, env } = boot(WORKLOAD);
  assert.equal(m.run(5_000), 'limit');
  m.deliver({ kind: 'uartRx', bytes: new Uint8Array([1, 2, 3]) });
  m.deliver({ kind: 'nicRx', packet: new Uint8Array([9, 9]) });
  const s = m.snapshot();
  const h = m.hash();
  const mark = env.outputs.length;
  assert.equal(m.run(20_000), 'limit');
  const later = m.hash();
  const outputs = env.outputs.slice(mark);
  assert.notEqual(later, h);
  m.restore(s);
  assert.equal(m.hash(), h);
  assert.equal(m.instret, 5_000);
  env.outputs.length = mark;
  assert.equal(m.run(20_000), 'limit');
  assert.equal(m.hash(), later);
  assert.deepEqual(env.outputs.slice(mark), outputs);
});

test('equal states give equal hashes across machines; a snapshot restores into a fresh machine', () => {
  const a = boot(WORKLOAD).m;
  const b = boot(WORKLOAD).m;
  a.run(3_000);
  b.run(1_000);
  b.snapshot();
  b.run(3_000);
  assert.equal(a.hash(), b.hash());
  const s = structuredClone(a.snapshot());
  const c = new Machine({ env: new DetEnv(), ramSize: 1 << 20 });
  c.restore(s);
  assert.equal(c.hash(), a.hash());
  a.run(9_000);
  c.run(9_000);
  assert.equal(c.hash(), a.hash());
});

test('hash changes with one RAM byte, one register, one CSR or device state, and comes back', () => {
  const { m } = boot(WORKLOAD);
  m.run(2_000);
  const h = m.hash();
  assert.equal(m.hash(), h);
  const addr = m.ram.base + 0x8_0123;
  const old = m.ram.readBytes(addr, 1);
  m.ram.writeBytes(addr, new Uint8Array([old[0] ^ 1]));
  assert.notEqual(m.hash(), h);
  m.ram.writeBytes(addr, old);
  assert.equal(m.hash(), h);
  m.cpu.x[31] ^= 1 << 30;
  assert.notEqual(m.hash(), h);
  m.cpu.x[31] ^= 1 << 30;
  assert.equal(m.hash(), h);
  const scratch = m.cpu.readCsr(0x340);
  m.cpu.writeCsr(0x340, scratch + 1);
  assert.notEqual(m.hash(), h);
  m.cpu.writeCsr(0x340, scratch);
  m.cpu.pc += 4;
  assert.notEqual(m.hash(), h);
  m.cpu.pc -= 4;
  assert.equal(m.hash(), h);
  m.deliver({ kind: 'uartRx', bytes: new Uint8Array([0]) });
  assert.notEqual(m.hash(), h);
  assert.match(h, /^[0-9a-f]{16}$/);
});

test('a snapshot after touching 3 pages of a 16 MiB RAM copies exactly 3 pages', () => {
  const { m } = boot(`
    la t0, buf
    li t1, 1
    li t2, 4096
    sw t1, 0(t0)
    add t0, t0, t2
    sw t1, 0(t0)
    add t0, t0, t2
    sw t1, 100(t0)
    wfi
    j .
    .bss
    .align 12
buf: .space 3*4096
  `, 16 << 20);
  const first = m.snapshot();
  assert.equal(imagePageCount(first.ram), 4096);
  assert.equal(m.run(1_000), 'wfi');
  const second = m.snapshot();
  assert.equal(copiedPages(first.ram, second.ram), 3);
  const third = m.snapshot();
  assert.equal(copiedPages(second.ram, third.ram), 0);
  m.restore(first);
  const fourth = m.snapshot();
  assert.equal(copiedPages(first.ram, fourth.ram), 0, 'restore re-bases sharing on the restored snapshot');
});

test('snapshots are immutable plain data and survive later execution and restores', () => {
  const { m } = boot(WORKLOAD);
  m.run(1_000);
  const s1: MachineSnapshot = m.snapshot();
  const h1 = m.hash();
  const copy = structuredClone(s1);
  m.run(4_000);
  const s2 = m.snapshot();
  const h2 = m.hash();
  m.restore(s1);
  m.run(2_000);
  assert.deepEqual(structuredClone(s1), copy);
  assert.ok(Object.isFrozen(s1) && Object.isFrozen(s1.ram) && Object.isFrozen(s1.ram.chunks) && s1.ram.chunks.every((c) => Object.isFrozen(c)));
  m.restore(s2);
  assert.equal(m.hash(), h2);
  m.restore(s1);
  assert.equal(m.hash(), h1);
});

test('restore brings back device state and pending disk requests', () => {
  const { m, env } = boot(`
    li t0, 0x10002000
    li t1, 1
    sw t1, 0x1c(t0)
    sw zero, 0x08(t0)
    sw t1, 0x0c(t0)
    la t2, buf
    sw t2, 0x10(t0)
    sw t1, 0x14(t0)
1:  wfi
    j 1b
    .bss
    .align 9
buf: .space 512
  `);
  assert.equal(m.run(100), 'wfi');
  const s = m.snapshot();
  assert.match(env.outputs.at(-1)!, /"diskRequest","id":1/);
  m.deliver({ kind: 'diskDone', id: 1, ok: true, data: new Uint8Array(512).fill(7) });
  assert.equal(m.describeDevices().disk.status, 'DONE');
  m.restore(s);
  assert.equal(m.describeDevices().disk.status, 'BUSY');
  assert.match(String(m.describeDevices().disk.outstanding), /#1 read/);
  m.deliver({ kind: 'diskDone', id: 1, ok: false });
  assert.equal(m.describeDevices().disk.status, 'ERROR');
});
