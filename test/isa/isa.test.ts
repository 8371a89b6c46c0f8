// ISA test harness: assembles test/isa/*.s (project assembler, and GNU as when installed) and runs each on a bare CPU.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRig } from '../machine/cpu-harness';

interface Image { segments: { addr: number; data: Uint8Array }[]; entry: number; tohost?: number }

const GNU = 'riscv64-unknown-elf-';

function hasGnu(): boolean {
  try {
    execFileSync(GNU + 'as', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The project's assembler (src/asm); throws with its diagnostics when the program does not assemble. */
function assembleLockstep(source: string, fileName: string): Image {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const asm = require('../../src/asm/index') as typeof import('../../src/asm/index');
  const r = asm.assemble(source, { fileName });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (!r.ok || !r.program) {
    throw new Error(errors.slice(0, 5).map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('\n'));
  }
  return { segments: r.program.segments, entry: r.program.entry, tohost: r.program.tohost };
}

/** GNU as + ld (text at 0x80000000) + objcopy to a flat image. */
function assembleGnu(source: string, fileName: string): Image {
  const dir = mkdtempSync(join(tmpdir(), 'isa-'));
  try {
    const s = join(dir, 'p.s'), o = join(dir, 'p.o'), elf = join(dir, 'p.elf'), bin = join(dir, 'p.bin');
    writeFileSync(s, source);
    execFileSync(GNU + 'as', ['-march=rv32imac_zicsr_zifencei', '-mabi=ilp32', '-mno-relax', '-o', o, s], { stdio: 'pipe' });
    execFileSync(GNU + 'ld', ['-m', 'elf32lriscv', '-Ttext=0x80000000', '-e', '_start', '-o', elf, o], { stdio: 'pipe' });
    execFileSync(GNU + 'objcopy', ['-O', 'binary', elf, bin]);
    return { segments: [{ addr: 0x80000000, data: new Uint8Array(readFileSync(bin)) }], entry: 0x80000000 };
  } catch (e) {
    throw new Error(`${fileName}: GNU toolchain failed: ${(e as { stderr?: Buffer }).stderr?.toString() ?? e}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs an image until it powers off; returns the exit code (0 = pass, n = check n failed). */
function runImage(img: Image): number {
  const { cpu, ram } = makeRig(new Uint8Array(0), 4 << 20);
  for (const seg of img.segments) ram.writeBytes(seg.addr, seg.data);
  cpu.invalidateCode(ram.base, ram.size);
  cpu.pc = img.entry;
  if (img.tohost !== undefined) cpu.tohost = img.tohost;
  const stop = cpu.run(50_000_000);
  assert.equal(stop, 'exit', `stopped with ${stop}: ${cpu.fatal?.message ?? ''} pc=0x${cpu.pc.toString(16)}`);
  return cpu.exitCode ?? -1;
}

const files = readdirSync(__dirname).filter((f) => f.endsWith('.s')).sort();
const gnu = hasGnu();

for (const f of files) {
  const source = readFileSync(join(__dirname, f), 'utf8');
  test(`isa/${f} (project assembler)`, () => {
    assert.equal(runImage(assembleLockstep(source, f)), 0, 'exit code = number of the failing check');
  });
  test(`isa/${f} (GNU as)`, { skip: !gnu && 'riscv64-unknown-elf toolchain not installed' }, () => {
    assert.equal(runImage(assembleGnu(source, f)), 0, 'exit code = number of the failing check');
  });
}
