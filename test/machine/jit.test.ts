// Fast-path unit tests: exact limits, self-modifying code, invalidation, breakpoints, cache bounds, and fault injection the differential harness must catch.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadElf } from '../../src/machine/elf';
import { ramLayout } from '../../src/machine/ram';
import { Machine } from '../../src/machine/machine';
import { mulberry32 } from '../helpers/mulberry32';
import type { WasmFault } from '../../src/machine/jit-wasm';
import type { Jit } from '../../src/machine/jit';
import { E, Prog, R, li } from './cpu-encode';
import { FINISHER, RAM_BASE, makeRig } from './cpu-harness';
import { assertSameMachine, assertSameRig, drive, rigPair, runRigPair, step } from './jit-pair';
import { randomProgram } from './jit-random';

function pass(p: Prog): Prog {
  return p.w(li(R.t6, FINISHER), li(R.t5, 0x5555), E.sw(R.t5, R.t6, 0));
}

/** Nested loops with loads, stores, a call and a compressed instruction: most of what regions translate. */
function loopProgram(outer = 40, inner = 7): Uint8Array {
  const p = new Prog(RAM_BASE);
  p.w(li(R.s0, RAM_BASE + 0x8000), li(R.s1, outer));
  p.label('outer').w(li(R.t0, inner));
  p.label('inner').w(E.lw(R.t1, R.s0, 0), E.add(R.t1, R.t1, R.t0), E.sw(R.t1, R.s0, 0), E.sb(R.t0, R.s0, 5), E.lbu(R.t2, R.s0, 5));
  p.h(0x0585); // c.addi a1, 1
  p.w(E.addi(R.t0, R.t0, -1));
  p.br('bne', R.t0, R.zero, 'inner');
  p.jal(R.ra, 'sub');
  p.w(E.addi(R.s1, R.s1, -1));
  p.br('bne', R.s1, R.zero, 'outer');
  pass(p);
  p.label('sub').w(E.xor(R.a2, R.a2, R.t1), E.jalr(0, R.ra, 0));
  return p.bytes();
}

/** A bare machine with `code` at RAM_BASE and the JIT eager (hot after 2, every loop head dispatched). */
function codeMachine(code: Uint8Array, fast = true, resumeThreshold?: number): Machine {
  const m = new Machine({ env: { read: () => 0, output: () => {} } });
  m.cpu.fastPath = fast;
  m.cpu.jit.hotThreshold = 2;
  m.cpu.jit.loopsPerChunk = 1;
  if (resumeThreshold !== undefined) m.cpu.jit.resumeThreshold = resumeThreshold;
  m.ram.writeBytes(RAM_BASE, code);
  m.cpu.invalidateCode(RAM_BASE, code.length);
  m.cpu.pc = RAM_BASE;
  return m;
}

/** Steps both rigs through limits 1, 2, ... (small random steps, many of one instruction) up to `to`, comparing after each run. */
function stepEvery(a: ReturnType<typeof makeRig>, b: ReturnType<typeof makeRig>, to: number, seed = 1): void {
  const rand = mulberry32(seed);
  for (let limit = 1; limit <= to; limit += rand() < 0.3 ? 1 : 1 + Math.floor(rand() * 40)) {
    const sa = a.cpu.run(limit), sb = b.cpu.run(limit);
    assert.equal(sb, sa, `run(${limit})`);
    assertSameRig(a, b, `run(${limit})`);
    if (sa === 'exit') return;
  }
}

test('every run limit stops translated code at the interpreter\'s instret, pc and state', () => {
  for (const threshold of [0, 3]) {
    const { interp, fast } = rigPair(loopProgram(), threshold);
    stepEvery(interp, fast, 4000);
    assert.equal(fast.cpu.exitCode, 0);
    assert.ok(fast.cpu.jit.retired > fast.cpu.instret / 2, `translated ${fast.cpu.jit.retired} of ${fast.cpu.instret}`);
  }
});

test('one long run and many short ones end in the same state', () => {
  const long = makeRig(loopProgram(400, 50));
  long.cpu.jit.hotThreshold = 1;
  long.cpu.jit.loopsPerChunk = 1;
  assert.equal(long.cpu.run(1e9), 'exit');
  const { interp, fast } = rigPair(loopProgram(400, 50), 1);
  runRigPair(interp, fast, mulberry32(5), 1e9, 500, 'short slices');
  assert.equal(fast.cpu.instret, long.cpu.instret);
  assert.deepEqual(fast.cpu.getState().x, long.cpu.getState().x);
  assert.equal(fast.cpu.pc, long.cpu.pc);
});

test('RAM sizes whose memories round to the same size each get a dispatcher for their own layout', () => {
  // 16 MiB and 16 MiB + 4 KiB: one total of wasm pages, the flags and the core 4 KiB apart. A dispatcher compiled for
  // the first layout read the second machine's slots in the wrong place: every dispatch missed and the interpreter ran.
  assert.equal(ramLayout(16 << 20).total, ramLayout((16 << 20) + 4096).total);
  assert.notEqual(ramLayout(16 << 20).dispatch, ramLayout((16 << 20) + 4096).dispatch);
  const name = join(__dirname, '..', '..', 'examples', 'bench', 'crc32-rv32im.elf');
  const program = loadElf(readFileSync(name), name);
  const expected = readFileSync(name.replace(/\.elf$/, '.expected.txt'), 'latin1');
  for (const ramSize of [16 << 20, (16 << 20) + 4096]) {
    let uart = '';
    const m = new Machine({ env: { read: () => 0, output: (o) => { if (o.kind === 'uart') uart += String.fromCharCode(o.byte); } }, ramSize });
    m.load(program);
    m.cpu.jit.backend = 'wasm';
    assert.equal(m.run(2e9), 'exit');
    assert.equal(uart, expected, `RAM of ${ramSize} bytes: output`);
    assert.ok(m.cpu.jit.retired > m.instret * 0.99, `RAM of ${ramSize} bytes: ${m.cpu.jit.retired} of ${m.instret} instructions ran translated`);
  }
});

test('short time slices resume inside a region through resume variants, exactly as the interpreter', () => {
  const name = join(__dirname, '..', '..', 'examples', 'bench', 'crc32-rv32im.elf');
  const program = loadElf(readFileSync(name), name);
  const [a, b] = [false, true].map((fast) => {
    const m = new Machine({ env: { read: () => 0, output: () => {} } });
    m.load(program);
    return drive(m, fast);
  });
  const rand = mulberry32(77);
  let interpreted = 0;
  for (let k = 0; a.machine.instret < 4_000_000; k++) {
    // Slices like the FT cluster's: mostly a few thousand instructions, some of one to three.
    const limit = a.machine.instret + (rand() < 0.4 ? 1 + Math.floor(rand() * 3) : 1 + Math.floor(rand() * 6000));
    const retired = b.machine.cpu.jit.retired, before = b.machine.instret;
    const ra = step(a, limit), rb = step(b, limit);
    assert.equal(rb, ra, `step ${k}: stop reason`);
    assertSameMachine(a, b, `step ${k} limit ${limit}`, k % 200 === 0);
    if (ra === 'exit') break;
    if (k > 300) interpreted += b.machine.instret - before - (b.machine.cpu.jit.retired - retired);
  }
  assertSameMachine(a, b, 'end', true);
  const jit = b.machine.cpu.jit;
  assert.ok(jit.resumes > 0, 'no resume variant was compiled');
  // Once warm, a slice interprets only what does not fit a whole block, not a run to a region entry.
  assert.ok(interpreted < a.machine.instret / 200, `interpreted ${interpreted} of ${a.machine.instret}`);
});

test('a resume variant is compiled only where runs keep resuming (resumeThreshold), and runs exactly', () => {
  const p = new Prog(RAM_BASE);
  p.label('loop').w(E.addi(R.a0, R.a0, 1), E.addi(R.a1, R.a1, 2), E.addi(R.a2, R.a2, 3)).jal(0, 'loop'); // 4 instructions
  const [ref, m] = [false, true].map((fast) => codeMachine(p.bytes(), fast, 3));
  for (const x of [ref, m]) x.run(1002); // the loop's region is compiled; the run ends two instructions into the loop
  assert.equal(m.cpu.jit.resumes, 0);
  const seen: number[] = [];
  for (let k = 0; k < 5; k++) {
    for (const x of [ref, m]) x.run(x.instret + 4 * 50); // whole iterations: every slice starts and ends at loop+8
    assert.equal(m.cpu.pc, RAM_BASE + 8);
    assert.equal(m.hash(), ref.hash(), `slice ${k}`);
    seen.push(m.cpu.jit.resumes);
  }
  // Runs resuming at loop+8: the 1st and 2nd are interpreted to the loop head, the 3rd compiles the variant.
  assert.deepEqual(seen, [0, 0, 1, 1, 1]);
});

test('a store that rewrites the next instruction of its own block is seen at once, without fence.i', () => {
  const p = new Prog(RAM_BASE);
  p.la(R.s0, 'patch').w(li(R.t2, E.addi(R.a1, R.a1, 2)), li(R.t0, 20));
  p.label('loop').w(E.sw(R.t2, R.s0, 0));
  p.label('patch').w(E.addi(R.a1, R.a1, 1), E.addi(R.t0, R.t0, -1));
  p.br('bne', R.t0, R.zero, 'loop');
  pass(p);
  const { interp, fast } = rigPair(p.bytes(), 1);
  stepEvery(interp, fast, 200);
  assert.equal(fast.cpu.exitCode, 0);
  assert.equal(fast.cpu.x[R.a1], 40, 'every iteration ran the patched addi');
});

test('data stores into a code page keep translations; only stores over translated bytes drop them', () => {
  const p = new Prog(RAM_BASE);
  p.la(R.s0, 'data').w(li(R.t0, 5000));
  p.label('loop').w(E.sw(R.t0, R.s0, 0), E.addi(R.t0, R.t0, -1));
  p.br('bne', R.t0, R.zero, 'loop');
  pass(p);
  p.label('data').w(0);
  const { interp, fast } = rigPair(p.bytes(), 1);
  runRigPair(interp, fast, mulberry32(9), 1e6, 1000, 'data in the code page');
  assert.equal(fast.cpu.exitCode, 0);
  assert.ok(fast.cpu.jit.compiled <= 4, `${fast.cpu.jit.compiled} regions compiled: the data stores dropped translations`);
  assert.ok(fast.cpu.jit.retired > 14_000);
});

test('invalidateCode after an external write (DMA, loader, debugger) drops the translation; the new code runs', () => {
  const p = new Prog(RAM_BASE);
  p.label('loop').w(E.addi(R.a0, R.a0, 1));
  p.label('loop2').w(E.addi(R.a1, R.a1, 1));
  p.jal(0, 'loop');
  const { interp, fast } = rigPair(p.bytes(), 1);
  for (const rig of [interp, fast]) assert.equal(rig.cpu.run(1000), 'limit');
  assert.ok(fast.cpu.jit.regionCount > 0);
  const patch = new Uint8Array(new Uint32Array([E.addi(R.a1, R.a1, 100)]).buffer);
  for (const rig of [interp, fast]) {
    rig.ram.writeBytes(RAM_BASE + 4, patch);
    rig.cpu.invalidateCode(RAM_BASE + 4, 4);
  }
  assert.equal(fast.cpu.jit.regionCount, 0, 'the region over the patched word is gone');
  for (const rig of [interp, fast]) assert.equal(rig.cpu.run(2000), 'limit');
  assertSameRig(interp, fast, 'after the patch');
  assert.ok(fast.cpu.x[R.a1] > 30_000, 'the new addi ran');
});

test('fence.i, setState and flushDecodeCache drop every translation', () => {
  const { cpu } = makeRig(loopProgram(1000, 10));
  cpu.jit.hotThreshold = 1;
  cpu.jit.loopsPerChunk = 1;
  cpu.run(5000);
  assert.ok(cpu.jit.regionCount > 0);
  cpu.setState(cpu.getState());
  assert.equal(cpu.jit.regionCount, 0, 'setState without keepDecodeCache');
  cpu.run(10_000);
  assert.ok(cpu.jit.regionCount > 0);
  cpu.setState(cpu.getState(), true);
  assert.ok(cpu.jit.regionCount > 0, 'setState keeping the decode cache keeps translations');
  cpu.flushDecodeCache();
  assert.equal(cpu.jit.regionCount, 0);

  const p = new Prog(RAM_BASE).label('loop').w(E.addi(R.a0, R.a0, 1), E.fenceI()).jal(0, 'loop');
  const { interp, fast } = rigPair(p.bytes(), 1);
  runRigPair(interp, fast, mulberry32(3), 5000, 100, 'fence.i loop');
  assert.equal(fast.cpu.jit.regionCount, 0, 'fence.i flushed');
});

test('Machine.restore to a snapshot whose code differs runs the snapshot\'s code on the fast path', () => {
  // The loop rewrites its own addi (a self-modifying store), so code after the snapshot differs from code in it.
  const p = new Prog(RAM_BASE);
  p.la(R.s0, 'patch').w(li(R.t2, E.addi(R.a1, R.a1, 7)), li(R.t0, 3000));
  p.label('loop');
  p.label('patch').w(E.addi(R.a1, R.a1, 1), E.addi(R.t0, R.t0, -1));
  p.br('bne', R.t0, R.zero, 'loop');
  p.w(E.sw(R.t2, R.s0, 0), li(R.t0, 3000)).jal(0, 'loop');
  const machines = [false, true].map((fast) => codeMachine(p.bytes(), fast));
  const snaps = machines.map((m) => (m.run(2000), m.snapshot()));
  for (const m of machines) m.run(20_000); // past the patch
  machines.forEach((m, i) => m.restore(snaps[i]));
  for (const limit of [2001, 2500, 9000, 20_000, 40_000]) {
    for (const m of machines) m.run(limit);
    assert.equal(machines[1].hash(), machines[0].hash(), `run(${limit}) after restore`);
  }
  assert.ok(machines[1].cpu.jit.retired > 30_000);
});

test('restore with compareRam of a snapshot from another thread keeps unchanged code translated and continues exactly', () => {
  const machine = (): Machine => codeMachine(loopProgram(400, 50));
  const reference = machine();
  reference.run(3000);
  const snap = structuredClone(reference.snapshot()); // no page object shared with any RAM image, as after postMessage
  assert.equal(reference.run(1e9), 'exit');
  const kept = machine(), flushed = machine();
  for (const m of [kept, flushed]) m.run(9000); // translated, and data pages moved on past the snapshot
  const compiled = [kept.cpu.jit.compiled, flushed.cpu.jit.compiled];
  kept.restore(snap, true);
  flushed.restore(snap);
  for (const m of [kept, flushed]) assert.equal(m.run(1e9), 'exit');
  assert.equal(kept.hash(), reference.hash(), 'compared restore continues exactly');
  assert.equal(flushed.hash(), reference.hash(), 'plain restore continues exactly');
  const again = [kept.cpu.jit.compiled - compiled[0], flushed.cpu.jit.compiled - compiled[1]];
  assert.ok(again[0] <= 1, `the code pages were equal: at most a resume variant where the snapshot stopped (${again[0]} compiled)`);
  assert.ok(again[1] > again[0], 'a plain restore rewrote the code pages and compiled its regions again');
});

test('breakpoints and watchpoints run the interpreter; clearing them resumes translated code', () => {
  const { interp, fast } = rigPair(loopProgram(1000, 10), 1);
  for (const rig of [interp, fast]) rig.cpu.run(3000);
  const bp = RAM_BASE + 0x14; // inside the inner loop
  for (const rig of [interp, fast]) rig.cpu.setBreakpoints([bp]);
  const before = fast.cpu.jit.retired;
  for (const rig of [interp, fast]) assert.equal(rig.cpu.run(1e6), 'breakpoint');
  assertSameRig(interp, fast, 'at the breakpoint');
  assert.equal(fast.cpu.jit.retired, before, 'no translated code ran while a breakpoint was set');
  for (const rig of [interp, fast]) rig.cpu.setBreakpoints([]);
  for (const rig of [interp, fast]) rig.cpu.setWatchpoints([{ addr: RAM_BASE + 0x8000, len: 4 }]);
  for (const rig of [interp, fast]) assert.equal(rig.cpu.run(1e6), 'watchpoint');
  assertSameRig(interp, fast, 'at the watchpoint');
  assert.equal(fast.cpu.jit.retired, before);
  for (const rig of [interp, fast]) rig.cpu.setWatchpoints([]);
  for (const rig of [interp, fast]) rig.cpu.run(200_000);
  assertSameRig(interp, fast, 'after clearing');
  assert.ok(fast.cpu.jit.retired > before);
});

test('cache bounds: exceeding maxRegions or maxEntries flushes, and the run stays identical', () => {
  for (const bound of ['maxRegions', 'maxEntries'] as const) {
    const { interp, fast } = rigPair(loopProgram(300, 20), 1);
    fast.cpu.jit[bound] = bound === 'maxRegions' ? 2 : 12;
    runRigPair(interp, fast, mulberry32(11), 1e7, 3000, bound);
    assert.equal(fast.cpu.exitCode, 0);
    assert.ok(fast.cpu.jit.regionCount <= 2 || bound === 'maxEntries');
  }
});

test('an HTIF exit stored by translated code stops at the interpreter\'s instret with the same output', () => {
  const tohost = RAM_BASE + 0x100;
  const p = new Prog(RAM_BASE);
  p.w(li(R.s0, tohost), li(R.t0, 3000), li(R.t2, (9 << 1) | 1));
  p.label('loop').w(E.sw(R.t0, R.s0, 8), E.addi(R.t0, R.t0, -1));
  p.br('bne', R.t0, R.zero, 'loop');
  p.w(E.sw(R.t2, R.s0, 0), E.addi(R.a0, 0, 1));
  p.jal(0, 'loop');
  const { interp, fast } = rigPair(p.bytes(), 1);
  for (const rig of [interp, fast]) rig.cpu.tohost = tohost;
  runRigPair(interp, fast, mulberry32(4), 1e6, 700, 'tohost');
  assert.equal(fast.cpu.exitCode, 9);
  assert.equal(fast.cpu.x[R.a0], 0, 'nothing ran after the exiting store');
});

test('with Cpu.fastPath off nothing is compiled', () => {
  const { cpu } = makeRig(loopProgram());
  cpu.fastPath = false;
  cpu.jit.hotThreshold = 1;
  assert.equal(cpu.run(1e6), 'exit');
  assert.equal(cpu.jit.compiled, 0);
});

/** Runs random streams (up to 40 seeds) with a fast path `spoil` made wrong until the differential harness notices. */
function assertCaught(name: string, spoil: (jit: Jit) => void): void {
  let caught = false;
  for (let seed = 1; seed <= 40 && !caught; seed++) {
    const rand = mulberry32(seed * 7919);
    const { interp, fast } = rigPair(randomProgram(rand).code, 0);
    spoil(fast.cpu.jit);
    try {
      runRigPair(interp, fast, rand, 100_000, 20_000, name);
    } catch (e) {
      assert.ok(e instanceof assert.AssertionError, `${name}: ${String(e)}`);
      caught = true;
    }
  }
  assert.ok(caught, `the differential test did not notice: ${name}`);
}

test('fault injection: the differential harness catches a wrong WebAssembly translation or a wrong count', () => {
  const faults: WasmFault[] = ['xor-as-or', 'unsigned-as-signed', 'count-one-more', 'budget-one-late', 'store-leaves-page-clean'];
  for (const fault of faults) {
    assertCaught(fault, (jit) => {
      jit.backend = 'wasm';
      jit.wasmFaults = new Set([fault]);
    });
  }
});

test('fault injection: the differential harness catches a wrong JavaScript translation or a wrong count', () => {
  const mutations: [string, (s: string) => string][] = [
    ['xor computed as or', (s) => s.replace(/ \^ /g, ' | ')],
    ['unsigned compare as signed', (s) => s.replace(/>>> 0\) < \(/g, '| 0) < (')],
    ['one instruction too many counted per block', (s) => s.replace(/n \+= (\d+);/, (_, k) => `n += ${Number(k) + 1};`)],
    ['budget checked one instruction late', (s) => s.replace(/n > budget - (\d+)/g, (_, k) => `n > budget - ${Number(k) - 1}`)],
    ['store leaves its page clean', (s) => s.replace(/dirty\[p\] = 1; /g, '')],
  ];
  for (const [name, mutate] of mutations) {
    assertCaught(name, (jit) => {
      jit.backend = 'js';
      jit.sourceFilter = mutate;
    });
  }
});
