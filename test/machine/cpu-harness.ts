// Test rig for the CPU alone: RAM + bus + a finisher and an interrupt-line device, a scripted environment.

import { Bus, type MmioDevice } from '../../src/machine/bus';
import { Cpu } from '../../src/machine/cpu';
import { Ram } from '../../src/machine/ram';
import type { Environment, GuestOutput, ReadKind } from '../../src/machine/types';

export const RAM_BASE = 0x8000_0000;
export const FINISHER = 0x0010_0000;
/** Test-only device: a 32-bit write of v sets mip line (v >> 1) to level (v & 1). */
export const IRQ_DEV = 0x0020_0000;
/** Test-only device: reads return a counter that increments per read; writes are stored. */
export const SCRATCH_DEV = 0x0030_0000;

/** Environment answering time = 1000 + 10·instret and cycle = 3·instret; records every call. */
export class TestEnv implements Environment {
  readonly reads: { kind: ReadKind; instret: number; pc: number }[] = [];
  readonly outputs: { out: GuestOutput; instret: number; pc: number }[] = [];
  timeOf = (instret: number): number => 1000 + 10 * instret;
  cycleOf = (instret: number): number => 3 * instret;

  read(kind: ReadKind, instret: number, pc: number): number {
    this.reads.push({ kind, instret, pc });
    if (kind === 'time') return this.timeOf(instret);
    if (kind === 'cycle') return this.cycleOf(instret);
    return 0x12345678;
  }

  output(out: GuestOutput, instret: number, pc: number): void {
    this.outputs.push({ out, instret, pc });
  }
}

export interface Rig {
  cpu: Cpu;
  ram: Ram;
  env: TestEnv;
  bus: Bus;
  /** Values written to SCRATCH_DEV, in order. */
  scratchWrites: { offset: number; size: number; value: number }[];
}

function device(name: string, base: number, read: MmioDevice['read'], write: MmioDevice['write']): MmioDevice {
  return { name, base, size: 0x1000, read, write };
}

/** Builds a CPU over `ramSize` bytes of RAM with `code` loaded at the RAM base and pc there. */
export function makeRig(code: Uint8Array, ramSize = 1 << 20): Rig {
  const ram = new Ram(RAM_BASE, ramSize);
  const bus = new Bus();
  const env = new TestEnv();
  const cpu = new Cpu(ram, bus, env);
  const scratchWrites: Rig['scratchWrites'] = [];
  let counter = 0;
  bus.attach(device('finisher', FINISHER, () => 0, (off, size, v) => {
    if (off !== 0 || size !== 4) return false;
    if ((v & 0xffff) === 0x5555) cpu.powerOff(0);
    else if ((v & 0xffff) === 0x3333) cpu.powerOff(v >>> 16);
    return true;
  }));
  bus.attach(device('irq', IRQ_DEV, () => cpu.mip, (off, size, v) => {
    if (off !== 0 || size !== 4) return false;
    cpu.setIrq(v >>> 1, (v & 1) === 1);
    return true;
  }));
  bus.attach(device('scratch', SCRATCH_DEV, (off) => (off === 0 ? ++counter : off), (offset, size, value) => {
    scratchWrites.push({ offset, size, value });
    return true;
  }));
  ram.writeBytes(RAM_BASE, code);
  cpu.pc = RAM_BASE;
  return { cpu, ram, env, bus, scratchWrites };
}
