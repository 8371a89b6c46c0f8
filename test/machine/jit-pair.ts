// Lockstep comparison of an interpreter-only CPU and a fast-path CPU: same program, same run limits and inputs, identical state at every stop.

import assert from 'node:assert/strict';
import { Cpu } from '../../src/machine/cpu';
import type { Machine } from '../../src/machine/machine';
import { StandaloneEnvironment } from '../../src/machine/standalone';
import type { StopReason } from '../../src/machine/types';
import { type Rig, makeRig } from './cpu-harness';

type Rand = () => number;

/** Totals a differential run reports (and the test prints). */
export interface PairStats {
  checkpoints: number;
  instructions: number;
  /** Instructions the fast-path CPU retired inside compiled regions. */
  translated: number;
  regions: number;
}

export const emptyStats = (): PairStats => ({ checkpoints: 0, instructions: 0, translated: 0, regions: 0 });

export function addStats(into: PairStats, s: PairStats): void {
  into.checkpoints += s.checkpoints;
  into.instructions += s.instructions;
  into.translated += s.translated;
  into.regions += s.regions;
}

/** Run-limit increments: many single instructions and short slices, some long ones (scaled by `long`). */
export function sliceLength(rand: Rand, long: number): number {
  const r = rand();
  if (r < 0.08) return 1;
  if (r < 0.3) return 1 + Math.floor(rand() * 40);
  if (r < 0.6) return 1 + Math.floor(rand() * 3000);
  return 1 + Math.floor(rand() * long);
}

// ---- bare CPUs (test rig) ----

/**
 * Two rigs over the same code: `interp` never uses the fast path, `fast` compiles once `threshold`
 * instructions ran from an entry, dispatching after `loopsPerChunk` loop iterations (1: every loop head).
 */
export function rigPair(code: Uint8Array, threshold: number, ramSize = 1 << 20, loopsPerChunk = 1): { interp: Rig; fast: Rig } {
  const interp = makeRig(code, ramSize), fast = makeRig(code, ramSize);
  interp.cpu.fastPath = false;
  fast.cpu.fastPath = true;
  fast.cpu.jit.hotThreshold = threshold;
  fast.cpu.jit.loopsPerChunk = loopsPerChunk;
  return { interp, fast };
}

/** A Buffer over the same memory (Buffer.from(view) would copy). */
const buf = (v: Uint8Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

function cpuView(cpu: Cpu): string {
  return JSON.stringify({ s: cpu.getState(), fatal: cpu.fatal, exit: cpu.exitCode, watch: cpu.lastWatchHit });
}

/** Asserts the two rigs are in the same state (registers, CSRs, RAM, dirty bits, device traffic since the last call), then clears dirty bits and traffic logs. */
export function assertSameRig(a: Rig, b: Rig, where: string): void {
  assert.equal(cpuView(b.cpu), cpuView(a.cpu), `${where}: CPU state`);
  assert.ok(buf(a.ram.bytes).equals(buf(b.ram.bytes)), `${where}: RAM differs`);
  assert.ok(buf(a.ram.dirty).equals(buf(b.ram.dirty)), `${where}: dirty pages differ`);
  assert.ok(buf(a.ram.hashDirty).equals(buf(b.ram.hashDirty)), `${where}: hash-dirty pages differ`);
  a.ram.dirty.fill(0); b.ram.dirty.fill(0); a.ram.hashDirty.fill(0); b.ram.hashDirty.fill(0);
  assert.equal(JSON.stringify(b.env.reads), JSON.stringify(a.env.reads), `${where}: environment reads`);
  assert.equal(JSON.stringify(b.env.outputs), JSON.stringify(a.env.outputs), `${where}: outputs`);
  assert.equal(JSON.stringify(b.scratchWrites), JSON.stringify(a.scratchWrites), `${where}: MMIO writes`);
  for (const rig of [a, b]) {
    rig.env.reads.length = 0;
    rig.env.outputs.length = 0;
    rig.scratchWrites.length = 0;
  }
}

/** One side's reaction to a stop, applied to both: wake a wfi, and now and then an interrupt line from outside. */
function betweenRuns(rig: Rig, stop: StopReason, rand: number): void {
  if (stop === 'wfi') rig.cpu.waiting = false;
  if (rand < 0.03) rig.cpu.setIrq([3, 7, 11][Math.floor(rand * 100) % 3], rand < 0.02);
}

/** Runs both rigs with the same random limits until `maxInstructions` or a final stop, comparing after every run. */
export function runRigPair(a: Rig, b: Rig, rand: Rand, maxInstructions: number, long: number, name: string): PairStats {
  const stats = emptyStats();
  let limit = a.cpu.instret;
  while (limit < maxInstructions) {
    limit = Math.min(maxInstructions, limit + sliceLength(rand, long));
    const sa = a.cpu.run(limit), sb = b.cpu.run(limit);
    const where = `${name} run(${limit}) #${stats.checkpoints}`;
    assert.equal(sb, sa, `${where}: stop reason`);
    assertSameRig(a, b, where);
    stats.checkpoints++;
    if (sa === 'exit' || sa === 'fatal') break;
    const r = rand();
    betweenRuns(a, sa, r);
    betweenRuns(b, sb, r);
    if (sa !== 'limit') limit = a.cpu.instret;
  }
  stats.instructions = a.cpu.instret;
  stats.translated = b.cpu.jit.retired;
  stats.regions = b.cpu.jit.compiled;
  return stats;
}

// ---- whole machines (ELFs) ----

/** A machine driven like runStandalone, with the run limits chosen by the test. */
export interface Driven {
  machine: Machine;
  env: StandaloneEnvironment;
  uart: string;
}

export function drive(machine: Machine, fast: boolean): Driven {
  machine.cpu.fastPath = fast;
  const d: Driven = { machine, env: undefined as unknown as StandaloneEnvironment, uart: '' };
  d.env = new StandaloneEnvironment({ onUart: (b) => (d.uart += String.fromCharCode(b)) }, machine.devices.disk.capacitySectors);
  d.env.onSchedule = () => machine.cpu.requestStop();
  machine.setEnvironment(d.env);
  return d;
}

/** One step of the standalone loop: deliver due events, run to at most `limit`, sleep through a wfi. */
export function step(d: Driven, limit: number): StopReason {
  const { machine: m, env } = d;
  env.deliverDue(m);
  const untilEvent = env.nextEventCycles() - env.cycles(m.instret);
  const reason = m.run(Math.min(limit, m.instret + Math.max(1, untilEvent)));
  if (reason === 'wfi') {
    const next = env.nextEventCycles();
    if (next !== Infinity) env.idleCycles += Math.max(0, next - env.cycles(m.instret));
  }
  return reason;
}

/** Same CPU state (every step) and same machine hash and dirty pages (every `hashEvery` steps and at the end). */
export function assertSameMachine(a: Driven, b: Driven, where: string, full: boolean): void {
  assert.equal(cpuView(b.machine.cpu), cpuView(a.machine.cpu), `${where}: CPU state`);
  assert.equal(b.uart, a.uart, `${where}: UART output`);
  if (!full) return;
  assert.ok(buf(a.machine.ram.dirty).equals(buf(b.machine.ram.dirty)), `${where}: dirty pages differ`);
  assert.ok(buf(a.machine.ram.hashDirty).equals(buf(b.machine.ram.hashDirty)), `${where}: hash-dirty pages differ`);
  assert.equal(b.machine.hash(), a.machine.hash(), `${where}: machine hash`);
}
