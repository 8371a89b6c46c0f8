// Run by region-env.test.ts under --allow-natives-syntax: does building another CPU deoptimise the region functions compiled before it?

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadElf } from '../../src/machine/elf';
import { Machine } from '../../src/machine/machine';
import { Jit } from '../../src/machine/jit';

// The JavaScript backend's regions (V8 optimises them like any function; the wasm backend's are not JS functions).
Jit.backendDefault = 'js';

type Fn = (...a: unknown[]) => unknown;
const natives = {
  prepare: new Function('f', '%PrepareFunctionForOptimization(f)') as (f: Fn) => void,
  optimizeNext: new Function('f', '%OptimizeFunctionOnNextCall(f)') as (f: Fn) => void,
  status: new Function('f', 'return %GetOptimizationStatus(f)') as (f: Fn) => number,
};
const OPTIMIZED = 1 << 4;

const program = loadElf(readFileSync(join(__dirname, '../../examples/bench/crc32-rv32im.elf')), 'crc32');
const machine = (): Machine => {
  const m = new Machine({ env: { read: () => 0, output: () => undefined } });
  m.load(program);
  return m;
};
const regionFns = (m: Machine): Fn[] => [...((m.cpu.jit as unknown as { entries: Map<number, { fn: Fn | null }> }).entries.values())].flatMap((e) => (e.fn === null ? [] : [e.fn]));

/** Runs `m` on in short slices: each starts a region again (a slice that ended inside one makes it a resume variant). */
const slices = (m: Machine, n: number): void => {
  for (let i = 0; i < n; i++) m.run(m.cpu.instret + 1_000);
};

const first = machine();
first.run(2_000_000);
slices(first, 100);
const fns = regionFns(first);
for (const f of fns) {
  natives.prepare(f);
  natives.optimizeNext(f);
}
slices(first, 100);
const optimized = (): Fn[] => fns.filter((f) => (natives.status(f) & OPTIMIZED) !== 0);
const before = optimized();
machine();
// A region optimised before and not after was deoptimised by the new CPU. (Another may finish optimising in the
// background meanwhile, so the counts alone may grow: only a region lost counts.)
const after = new Set(optimized());
const lost = before.filter((f) => !after.has(f)).length;
process.stdout.write(JSON.stringify({ regions: fns.length, before: before.length, after: after.size, lost }));
