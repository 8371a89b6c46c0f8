// Figure 2: the same ELFs under QEMU (-icount shift=0): process wall time minus QEMU's start-up cost, MIPS, Lockstep/QEMU.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble, writeElf } from '../../src/asm';
import type { CpuRow } from './cpu';
import { elfPath, expectedPath } from './cpu';
import { median, round, spawnTimed } from './util';

export const QEMU_BIN = 'qemu-system-riscv32';
/** QEMU's JIT (TCG) as a deterministic-time emulator: one instruction per ns of virtual time. */
export const QEMU_ICOUNT_ARGS = ['-M', 'virt', '-bios', 'none', '-nographic', '-icount', 'shift=0', '-kernel'];
/** QEMU's JIT (TCG) at full speed. */
export const QEMU_TCG_ARGS = ['-M', 'virt', '-bios', 'none', '-nographic', '-kernel'];
const QEMU = QEMU_BIN;
const QEMU_ARGS = QEMU_ICOUNT_ARGS;
const TIMEOUT_MS = 120_000;

/** The trivial guest whose run measures QEMU's start-up and shut-down: it powers off through the SiFive test device at once. */
const POWER_OFF_SOURCE = `
    .text
    .globl _start
_start:
    li  t0, 0x100000
    li  t1, 0x5555
    sw  t1, 0(t0)
1:  wfi
    j   1b
`;

export interface QemuRow { name: string; wallMs: number; netMs: number; mips: number; lockstepOverQemu: number; outputOk: boolean }
export interface QemuReport { available: boolean; version: string; startupMs: number; rows: QemuRow[]; note: string }

/** QEMU's version line, or null when it is not installed. */
export function qemuVersion(): string | null {
  try {
    return execFileSync(QEMU, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0].trim();
  } catch {
    return null;
  }
}

/** One QEMU process on `elf`: its wall time (spawn to exit) and what the guest printed. */
function runQemu(elf: string): { ms: number; out: string } {
  return spawnTimed(QEMU, [...QEMU_ARGS, elf], TIMEOUT_MS);
}

/** Assembles the power-off guest with Lockstep's own assembler into a scratch folder; returns the ELF's path. */
export function writePowerOffElf(dir: string): string {
  const r = assemble(POWER_OFF_SOURCE, { fileName: 'poweroff.s' });
  if (!r.ok || r.program === undefined) throw new Error(`cannot assemble the power-off guest: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  const path = join(dir, 'poweroff.elf');
  writeFileSync(path, writeElf(r.program));
  return path;
}

/** Median start-up cost of QEMU over `reps` runs of the power-off guest, in ms. */
function startupMs(reps: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-bench-'));
  try {
    const elf = writePowerOffElf(dir);
    runQemu(elf); // page cache warm-up
    return median(Array.from({ length: reps }, () => runQemu(elf).ms));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One benchmark under QEMU: median wall time, net of start-up, compared with Lockstep's row. */
function qemuRow(root: string, row: CpuRow, reps: number, startup: number): QemuRow {
  const expected = readFileSync(expectedPath(root, row.name), 'latin1');
  const runs = Array.from({ length: reps }, () => runQemu(elfPath(root, row.name)));
  const wallMs = median(runs.map((r) => r.ms));
  const netMs = Math.max(1, wallMs - startup);
  const mips = row.instret / netMs / 1e3;
  return {
    name: row.name, wallMs: round(wallMs, 1), netMs: round(netMs, 1), mips: round(mips, 1),
    lockstepOverQemu: round(row.mips / mips, 3), outputOk: runs.every((r) => r.out === expected),
  };
}

/** Every Lockstep row again under QEMU, or a note saying why QEMU was skipped. */
export function benchQemu(root: string, cpu: CpuRow[], reps: number, onRow: (r: QemuRow) => void = () => {}): QemuReport {
  const version = qemuVersion();
  if (version === null) return { available: false, version: '', startupMs: 0, rows: [], note: `${QEMU} is not installed: QEMU figures skipped` };
  const startup = startupMs(Math.max(3, reps));
  const rows = cpu.map((r) => {
    const q = qemuRow(root, r, reps, startup);
    onRow(q);
    return q;
  });
  return { available: true, version, startupMs: round(startup, 1), rows, note: '' };
}
