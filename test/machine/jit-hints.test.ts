// Hints from an earlier process (src/machine/jit-plans.ts): a CPU discovers a hinted region again from its own RAM at once, and whatever a hint says, it runs exactly as the interpreter.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Machine } from '../../src/machine/machine';
import { loadElf } from '../../src/machine/elf';
import { clearPlans, exportPlanHints, importPlanHints, type PlanHint } from '../../src/machine/jit-plans';
import { runStandalone } from '../../src/machine/standalone';
import { mulberry32 } from '../helpers/mulberry32';

const program = loadElf(readFileSync(join(__dirname, '../../examples/suite/marks.elf')), 'marks');
const expected = readFileSync(join(__dirname, '../../examples/suite/marks.expected.txt'), 'latin1');

/** Runs marks to power-off on a new machine; its UART, instret, final state hash and Jit counters. */
function run(fast = true): { uart: string; instret: number; hash: string; fromHints: number; compiled: number } {
  const m = new Machine({ env: { read: () => 0, output: () => {} } });
  m.cpu.fastPath = fast;
  m.load(program);
  let uart = '';
  const r = runStandalone(m, { maxInstructions: 2e9, onUart: (b) => (uart += String.fromCharCode(b)) });
  assert.equal(r.reason, 'exit');
  return { uart, instret: r.instret, hash: m.hash(), fromHints: m.cpu.jit.fromHints, compiled: m.cpu.jit.compiled };
}

/** What a fresh process would see: only the hints, no plans. */
function freshProcessWith(hints: unknown): number {
  clearPlans();
  return importPlanHints(hints);
}

test('hints exported by one run let the next process translate at once, with the same result', () => {
  clearPlans();
  const first = run();
  assert.equal(first.uart, expected);
  const hints = JSON.parse(JSON.stringify(exportPlanHints())) as PlanHint[]; // as the cache file carries them
  assert.ok(hints.length > 10, `marks made ${hints.length} plans`);
  assert.equal(freshProcessWith(hints), hints.length);
  const second = run();
  assert.ok(second.fromHints > 10, `regions from hints: ${second.fromHints}`);
  assert.deepEqual({ ...second, fromHints: 0, compiled: 0 }, { ...first, fromHints: 0, compiled: 0 });
});

test('wrong, foreign and malformed hints change nothing but when code is translated', () => {
  clearPlans();
  const reference = run(false);
  const good = (() => { run(); return exportPlanHints(); })();
  const rand = mulberry32(16);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const addrs = good.flatMap((h) => h.heads);
  // Hints whose entries, stops and heads are other real pcs, odd pcs, pcs outside RAM, swapped flags.
  const wrong: PlanHint[] = Array.from({ length: 400 }, () => {
    const h = pick(good);
    const shift = pick([0, 2, 4, -2, 1, 0x1000, -0x8000_0000]);
    return {
      entry: rand() < 0.5 ? (h.entry + shift) | 0 : pick(addrs),
      stop: rand() < 0.3 ? null : pick(addrs),
      full: rand() < 0.5,
      heads: Array.from({ length: 1 + Math.floor(rand() * 12) }, () => (rand() < 0.7 ? pick(addrs) : (pick(addrs) + pick([2, 6, -4])) | 0)),
    };
  });
  const malformed = [null, 7, 'x', {}, { entry: 1 }, { entry: 1.5, stop: null, full: true, heads: [1] }, { entry: 1, stop: null, full: 'yes', heads: [1] },
    { entry: 1, stop: null, full: true, heads: [] }, { entry: 2 ** 40, stop: null, full: true, heads: [1] }, { entry: 1, stop: null, full: true, heads: ['1'] }];
  const perEntry = new Map<number, number>();
  for (const h of wrong) perEntry.set(h.entry, (perEntry.get(h.entry) ?? 0) + 1);
  const bounded = [...perEntry.values()].reduce((n, k) => n + Math.min(k, 4), 0); // at most 4 per entry pc
  assert.equal(freshProcessWith([...malformed, ...wrong]), bounded, 'only well-formed hints are taken, at most 4 per pc');
  const got = run();
  assert.ok(got.fromHints > 0, 'some wrong hints still discovered real regions');
  assert.deepEqual({ ...got, fromHints: 0, compiled: 0 }, { ...reference, fromHints: 0, compiled: 0 }, 'the interpreter agrees');
  assert.equal(importPlanHints({ hints: good }), 0, 'not a list: nothing taken');
});
