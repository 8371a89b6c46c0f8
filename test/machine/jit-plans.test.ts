// Plans shared between CPUs (src/machine/jit-plans.ts): a CPU adopts another's region only where its own RAM holds the same instructions, and runs exactly as the interpreter.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../src/machine/machine';
import { clearPlans } from '../../src/machine/jit-plans';
import { E, Prog, R, li } from './cpu-encode';
import { FINISHER, RAM_BASE } from './cpu-harness';

/** A counted loop summing into a0, then power-off; `step` is the loop's increment (the instruction a variant changes). */
function loop(step: number, count = 5000): Uint8Array {
  const p = new Prog(RAM_BASE);
  p.w(li(R.t0, count), li(R.a0, 0));
  p.label('top').w(E.addi(R.a0, R.a0, step), E.addi(R.t0, R.t0, -1));
  p.br('bne', R.t0, R.zero, 'top');
  p.w(li(R.t6, FINISHER), li(R.t5, 0x5555), E.sw(R.t5, R.t6, 0));
  return p.bytes();
}

function machine(code: Uint8Array, fast = true): Machine {
  const m = new Machine({ env: { read: () => 0, output: () => {} } });
  m.cpu.fastPath = fast;
  m.ram.writeBytes(RAM_BASE, code);
  m.cpu.invalidateCode(RAM_BASE, code.length);
  m.cpu.pc = RAM_BASE;
  return m;
}

/** Runs to power-off in slices of `slice` instructions; returns a0 and instret. */
function finish(m: Machine, slice = 997): { a0: number; instret: number } {
  for (let i = 0; i < 10_000 && m.cpu.run(m.cpu.instret + slice) !== 'exit'; i++);
  assert.equal(m.cpu.exitCode, 0);
  return { a0: m.cpu.x[R.a0], instret: m.cpu.instret };
}

test('a second CPU running the same code adopts the first one\'s regions without profiling them', () => {
  clearPlans();
  const first = machine(loop(3));
  first.cpu.jit.hotThreshold = 100;
  const a = finish(first);
  assert.ok(first.cpu.jit.compiled > 0 && first.cpu.jit.adopted === 0, 'the first CPU compiled by itself');
  const second = machine(loop(3));
  second.cpu.jit.hotThreshold = 1e9; // it would never compile by itself
  const b = finish(second);
  assert.ok(second.cpu.jit.adopted > 0, 'the second CPU adopted');
  assert.ok(second.cpu.jit.retired > b.instret * 0.9, `it ran translated code from the start (${second.cpu.jit.retired} of ${b.instret})`);
  assert.deepEqual(b, a);
  assert.deepEqual(b, finish(machine(loop(3), false)), 'the interpreter agrees');
});

test('different instructions at the same pc: the plan is refused, and the CPU runs its own code', () => {
  clearPlans();
  finish(machine(loop(3)));
  const other = machine(loop(5));
  other.cpu.jit.hotThreshold = 1e9;
  const got = finish(other);
  assert.equal(other.cpu.jit.adopted, 0, 'no plan matched this RAM');
  assert.deepEqual(got, finish(machine(loop(5), false)));
  assert.equal(got.a0, 5 * 5000);
});

test('a CPU with plan sharing off neither adopts nor publishes', () => {
  clearPlans();
  const quiet = machine(loop(3));
  quiet.cpu.jit.sharePlans = false;
  quiet.cpu.jit.hotThreshold = 100;
  finish(quiet);
  assert.ok(quiet.cpu.jit.compiled > 0);
  const next = machine(loop(3));
  next.cpu.jit.hotThreshold = 1e9;
  finish(next);
  assert.equal(next.cpu.jit.adopted, 0, 'nothing was published');
  const off = machine(loop(3));
  off.cpu.jit.sharePlans = false;
  off.cpu.jit.hotThreshold = 100;
  finish(machine(loop(3))); // publishes
  finish(off);
  assert.equal(off.cpu.jit.adopted, 0, 'nothing was adopted');
});

test('code rewritten after adoption drops the adopted region like any other', () => {
  clearPlans();
  finish(machine(loop(3, 200_000)), 100_000);
  const m = machine(loop(3, 200_000));
  m.cpu.jit.hotThreshold = 1e9;
  m.cpu.run(50_000);
  assert.ok(m.cpu.jit.adopted > 0 && m.cpu.jit.regionCount > 0);
  // The debugger (or DMA) rewrites the loop's increment: 3 becomes 7 from here on.
  const fresh = loop(7, 200_000);
  m.ram.writeBytes(RAM_BASE, fresh);
  m.cpu.invalidateCode(RAM_BASE, fresh.length);
  const before = m.cpu.x[R.a0], left = m.cpu.x[R.t0];
  const end = finish(m);
  assert.equal(end.a0, (before + 7 * left) | 0, 'the rest of the loop added 7 each time');
});
