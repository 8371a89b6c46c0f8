// CPU micro benchmark: MIPS of tight guest loops (run: node --import tsx scripts/bench-cpu.ts [millions] [mix|alu]).

import { E, Prog, R, li } from '../test/machine/cpu-encode';
import { FINISHER, RAM_BASE, makeRig } from '../test/machine/cpu-harness';

/** Exits through the finisher with code 0. */
function finish(p: Prog): Prog {
  return p.w(li(R.t6, FINISHER), li(R.t5, 0x5555), E.sw(R.t5, R.t6, 0));
}

/** ALU + load/store + branch mix: 9 instructions per iteration. */
function mixLoop(iterations: number): Uint8Array {
  const p = new Prog(RAM_BASE);
  p.w(li(R.t0, iterations), li(R.a0, RAM_BASE + 0x10000));
  p.label('loop').w(
    E.lw(R.t1, R.a0, 0), E.add(R.t2, R.t2, R.t1), E.addi(R.t1, R.t1, 3), E.sw(R.t1, R.a0, 0),
    E.xor(R.t3, R.t2, R.t0), E.andi(R.t4, R.t3, 0xff), E.add(R.t5, R.t5, R.t4), E.addi(R.t0, R.t0, -1),
  );
  p.br('bne', R.t0, R.zero, 'loop');
  return finish(p).bytes();
}

/** Register-only loop with compressed instructions: c.addi, c.add, c.xor... 6 per iteration. */
function aluLoop(iterations: number): Uint8Array {
  const p = new Prog(RAM_BASE);
  p.w(li(R.a0, iterations));
  p.label('loop').h(
    0x0585, // c.addi a1, 1
    0x962e, // c.add a2, a1
    0x8ead, // c.xor a3, a1
    0x9736, // c.add a4, a3
    0x157d, // c.addi a0, -1
  );
  p.br('bne', R.a0, R.zero, 'loop');
  return finish(p).bytes();
}

/** Best of `repeats` runs (the host may be shared: the best run is the least disturbed one). */
function bench(name: string, code: Uint8Array, repeats = 3): void {
  for (let i = 0; i < repeats; i++) benchOnce(name, code, i === repeats - 1);
}

const best = new Map<string, { wall: number; cpu: number }>();

function benchOnce(name: string, code: Uint8Array, report: boolean): void {
  const { cpu } = makeRig(code);
  const t0 = process.hrtime.bigint();
  const u0 = process.cpuUsage();
  const stop = cpu.run(Number.MAX_SAFE_INTEGER);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuSeconds = process.cpuUsage(u0).user / 1e6;
  if (stop !== 'exit' || cpu.exitCode !== 0) throw new Error(`${name}: stopped with ${stop}`);
  const prev = best.get(name) ?? { wall: 0, cpu: 0 };
  const mips = Math.max(prev.wall, cpu.instret / seconds / 1e6);
  const cpuMips = Math.max(prev.cpu, cpu.instret / cpuSeconds / 1e6);
  best.set(name, { wall: mips, cpu: cpuMips });
  if (!report) return;
  console.log(
    `${name.padEnd(24)} ${(cpu.instret / 1e6).toFixed(1).padStart(6)} M instr  best of runs: ` +
      `${mips.toFixed(1).padStart(6)} MIPS wall-clock, ${cpuMips.toFixed(1)} MIPS per CPU-second of this process`,
  );
}

const millions = Number(process.argv[2] ?? '200');
const which = process.argv[3] ?? 'all';
bench('warm-up', mixLoop(1e6), 1);
if (which !== 'alu') bench('mix (lw/sw/alu/branch)', mixLoop(Math.round((millions * 1e6) / 9)));
if (which !== 'mix') bench('alu (compressed)', aluLoop(Math.round((millions * 1e6) / 6)));
