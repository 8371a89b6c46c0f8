// The debugger's view of guest memory: physical in M-mode or with paging off, virtual through the page tables below M under Sv32, with no effect on the TLB or the A/D bits.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../src/machine/machine';

const ROOT_TABLE = 0x8001_0000, LEAF_TABLE = 0x8001_1000, PAGE = 0x8002_0000, SUPER = 0x8040_0000;
const V = 1, R = 2, W = 4, X = 8, A = 64, D = 128;
const pte = (pa: number, flags: number): number => (((pa >>> 12) << 10) | flags) >>> 0;

/** A machine in S-mode with Sv32 on: 0x4000_0000 → PAGE (4 KiB, R/W, A and D clear), 0xc000_0000 → SUPER (4 MiB, R/X). */
function pagedMachine(): Machine {
  const m = new Machine({ env: { read: () => 0, output: () => {} }, ramSize: 8 << 20 });
  const w32 = (a: number, v: number): void => m.ram.dv.setUint32(a - m.ram.base, v, true);
  w32(ROOT_TABLE + (0x4000_0000 >>> 22) * 4, pte(LEAF_TABLE, V));
  w32(LEAF_TABLE + ((0x4000_0000 >>> 12) & 0x3ff) * 4, pte(PAGE, V | R | W));
  w32(ROOT_TABLE + (0xc000_0000 >>> 22) * 4, pte(SUPER, V | R | X | A));
  m.ram.bytes.set(new TextEncoder().encode('hello'), PAGE + 0x10 - m.ram.base);
  m.cpu.satp = (0x8000_0000 | (ROOT_TABLE >>> 12)) >>> 0;
  m.cpu.priv = 1;
  return m;
}

test('below M with Sv32 on, the view reads and writes through the page tables; unmapped addresses are not memory', () => {
  const m = pagedMachine();
  assert.equal(m.view.translating, true);
  assert.equal(new TextDecoder().decode(m.view.readBytes(0x4000_0010, 5)), 'hello');
  assert.equal(m.view.physical(0x4000_0010), PAGE + 0x10);
  assert.equal(m.view.physical(0xc012_3456), SUPER + 0x12_3456, 'a 4 MiB superpage');
  assert.equal(m.view.contains(0x4000_0ffe, 4), false, 'the next page is unmapped');
  assert.equal(m.view.word(0x5000_0000, 4), undefined);
  assert.equal(m.view.u8(0x5000_0000), -1);
  assert.throws(() => m.view.readBytes(0x4000_0ffe, 4), /0x40001000 is not mapped to RAM/);
  m.view.writeBytes(0x4000_0010, new TextEncoder().encode('J'));
  assert.equal(m.ram.bytes[PAGE + 0x10 - m.ram.base], 'J'.charCodeAt(0), 'written at the physical page');
  const leaf = m.ram.dv.getUint32(LEAF_TABLE + ((0x4000_0000 >>> 12) & 0x3ff) * 4 - m.ram.base, true);
  assert.equal(leaf & (A | D), 0, 'the debugger sets no A or D bit');
  assert.deepEqual(m.cpu.mmu.getState().vpn.filter((v) => v !== -1), [], 'nor fills the TLB');
});

test('in M-mode, or with paging off, the view is physical', () => {
  const m = pagedMachine();
  m.cpu.priv = 3;
  assert.equal(m.view.translating, false);
  assert.equal(new TextDecoder().decode(m.view.readBytes(PAGE + 0x10, 5)), 'hello');
  assert.equal(m.view.contains(0x4000_0010, 1), false);
  m.cpu.priv = 1;
  m.cpu.satp = 0;
  assert.equal(m.view.physical(PAGE), PAGE);
});
