// Prints every trap Lockstep's hart takes running an ELF, one a line in the words of QEMU's `-d int` log
// ("async:0 cause:00000002 epc:80000094 tval:74445073"), for run.sh --qemu to compare with QEMU's.
// Usage: node --import tsx scripts/riscv-tests/traps.ts PROGRAM.elf [max instructions]

import { readFileSync } from 'node:fs';
import { loadElf } from '../../src/machine/elf';
import { Machine } from '../../src/machine/machine';

const [path, max = '50000000'] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: traps.ts PROGRAM.elf [max instructions]');
const machine = new Machine({ env: { read: () => 0, output: () => undefined }, ramSize: 16 << 20 });
machine.load(loadElf(readFileSync(path), path));
const cpu = machine.cpu;
const hex8 = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');
const lines: string[] = [];
const trap = cpu.trap.bind(cpu);
cpu.trap = (cause: number, tval: number, pc: number, instret: number): number => {
  lines.push(`async:${cause < 0 ? 1 : 0} cause:${hex8(cause & 0x7fffffff)} epc:${hex8(pc)} tval:${hex8(tval)}`);
  return trap(cause, tval, pc, instret);
};
machine.run(Number(max));
process.stdout.write(lines.map((l) => `${l}\n`).join(''));
