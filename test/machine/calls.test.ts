// The one call/return decoder: calls link ra, returns jump through ra or are mret, in both encodings; millicode links in t0 are neither.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controlKind, depthDelta } from '../../src/machine/calls';

test('calls, returns and mret are recognised in both encodings', () => {
  assert.equal(controlKind(0x3bf1), 'call'); // c.jal
  assert.equal(controlKind(0x8b1ff0ef), 'call'); // jal ra
  assert.equal(controlKind(0x000780e7), 'call'); // jalr ra, 0(a5)
  assert.equal(controlKind(0x9782), 'call'); // c.jalr a5
  assert.equal(controlKind(0x00008067), 'return'); // ret (jalr x0, 0(ra))
  assert.equal(controlKind(0x8082), 'return'); // c.jr ra
  assert.equal(controlKind(0x30200073), 'return'); // mret
  assert.equal(controlKind(0xbd45), 'other'); // c.j
  assert.equal(controlKind(0x00a50533), 'other'); // add
  assert.equal(controlKind(0x00078067), 'other'); // jr a5 (a tail call)
  assert.deepEqual([0x3bf1, 0x8082, 0xbd45].map(depthDelta), [1, -1, 0]);
});

test('millicode linked in t0 (jal t0, __riscv_save_0 … jr t0) is part of the caller, not a call or a return', () => {
  assert.equal(controlKind(0x008002ef), 'other'); // jal t0, +8
  assert.equal(controlKind(0x00028067), 'other'); // jr t0
  assert.equal(controlKind(0x000282e7), 'other'); // jalr t0, 0(t0)
});
