// The decode cache of code run under translation (cpu-paged.ts): reused only for the same virtual pc at the same physical address, and dropped when the code's physical bytes change, whichever alias or device wrote them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../src/machine/machine';

const ROOT_TABLE = 0x8001_0000, LEAF_TABLE = 0x8001_1000, CODE = 0x8002_0000;
const V = 1, R = 2, W = 4, X = 8, A = 64, D = 128;
const pte = (pa: number, flags: number): number => (((pa >>> 12) << 10) | flags) >>> 0;
const ADDI_1 = 0x00150513, ADDI_100 = 0x06450513, SW_T0_T1 = 0x00532023, J_BACK_8 = 0xff9ff06f;
const CODE_VA = 0x4000_0000, ALIAS_VA = 0x4000_1000;

/** S-mode, Sv32: CODE_VA → CODE (R/X) and ALIAS_VA → CODE (R/W); at CODE: addi a0,a0,1; sw t0,0(t1); j back. */
function machine(): Machine {
  const m = new Machine({ env: { read: () => 0, output: () => {} }, ramSize: 1 << 20 });
  const w32 = (a: number, v: number): void => m.ram.dv.setUint32(a - m.ram.base, v >>> 0, true);
  w32(ROOT_TABLE + (CODE_VA >>> 22) * 4, pte(LEAF_TABLE, V));
  w32(LEAF_TABLE + ((CODE_VA >>> 12) & 0x3ff) * 4, pte(CODE, V | R | X | A));
  w32(LEAF_TABLE + ((ALIAS_VA >>> 12) & 0x3ff) * 4, pte(CODE, V | R | W | A | D));
  [ADDI_1, SW_T0_T1, J_BACK_8].forEach((w, i) => w32(CODE + 4 * i, w));
  m.cpu.writeCsr(0x3b0, 0xffff_ffff); // pmpaddr0: all of memory
  m.cpu.writeCsr(0x3a0, 0x1f); // pmpcfg0: NAPOT, R/W/X
  m.cpu.priv = 1;
  m.cpu.writeCsr(0x180, (0x8000_0000 | (ROOT_TABLE >>> 12)) >>> 0); // satp: Sv32
  m.cpu.pc = CODE_VA;
  m.cpu.x[5] = ADDI_100; // t0: the instruction the store writes over the first one
  m.cpu.x[6] = ALIAS_VA; // t1: the code's page through its writable alias
  return m;
}

test('a store through another virtual alias replaces code already decoded under translation: the next pass runs the new instruction', () => {
  const m = machine();
  m.run(4); // addi +1, the store over it, the jump back, then the new addi +100
  assert.equal(m.cpu.instret, 4);
  assert.equal(m.cpu.x[10], 101);
  m.run(7); // the store and the jump again, then +100 once more
  assert.equal(m.cpu.x[10], 201);
});

test('a write behind the CPU (a device\'s DMA, the debugger) to the code\'s physical page is seen on the next fetch', () => {
  const m = machine();
  m.cpu.x[5] = ADDI_1; // the store writes back the same instruction: only the DMA changes the code
  m.run(3);
  assert.equal(m.cpu.x[10], 1);
  m.ram.writeBytes(CODE, new Uint8Array([0x13, 0x05, 0x45, 0x06])); // addi a0,a0,100 at the physical address
  m.cpu.invalidateCode(CODE, 4);
  m.run(4);
  assert.equal(m.cpu.x[10], 101);
});

test('a decoding kept from S-mode is not run in U-mode: the user fetch of a supervisor page is an instruction page fault', () => {
  const m = machine();
  const HANDLER = 0x8003_0000;
  m.ram.dv.setUint32(HANDLER - m.ram.base, 0x0000006f, true); // j . (M-mode, physical)
  m.ram.dv.setUint32(CODE + 4 - m.ram.base, 0x10200073, true); // sret, after the addi
  m.cpu.writeCsr(0x305, HANDLER); // mtvec
  m.cpu.writeCsr(0x141, CODE_VA); // sepc: back to the addi, in U-mode (sstatus.SPP = 0)
  m.run(2); // addi (decoded and kept, in S), sret
  assert.equal(m.cpu.priv, 0);
  assert.equal(m.cpu.pc >>> 0, CODE_VA);
  m.run(3);
  assert.equal(m.cpu.readCsr(0x342), 12, 'mcause: instruction page fault');
  assert.equal(m.cpu.readCsr(0x341) >>> 0, CODE_VA, 'mepc');
  assert.equal(m.cpu.x[10], 1, 'the addi ran once, in S-mode only');
});

test('after sfence.vma a page remapped to other code runs the new code; an unmapped pc 0 faults, whatever empty slots hold', () => {
  const m = machine();
  const CODE2 = 0x8002_8000;
  m.ram.dv.setUint32(CODE2 - m.ram.base, ADDI_100, true);
  m.run(1);
  assert.equal(m.cpu.x[10], 1);
  m.ram.dv.setUint32(LEAF_TABLE + ((CODE_VA >>> 12) & 0x3ff) * 4 - m.ram.base, pte(CODE2, V | R | X | A), true);
  m.cpu.sfenceVma(0, m.cpu.pc, m.cpu.instret);
  m.cpu.pc = CODE_VA;
  m.run(2);
  assert.equal(m.cpu.x[10], 101);
  m.cpu.writeCsr(0x305, 0x8003_0000);
  m.cpu.sfenceVma(0, m.cpu.pc, m.cpu.instret); // pc 0's slot (CODE_VA's too) is now an empty one
  m.cpu.pc = 0;
  m.run(3);
  assert.equal(m.cpu.readCsr(0x342), 12, 'pc 0 is not mapped: an instruction page fault');
  assert.equal(m.cpu.readCsr(0x343), 0, 'mtval');
});
