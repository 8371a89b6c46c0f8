// Test helper: runs the GNU toolchain (as + ld with our layout) on a source and reads back section bytes.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readElfSections } from './elf-read';

export const MARCH = { base: 'rv32ima_zicsr_zifencei', rvc: 'rv32imac_zicsr_zifencei' } as const;
export type Variant = keyof typeof MARCH;

/** Our layout as a linker script: .text at 0x80000000, then .rodata, .data, .bss, each ALIGN(4). */
export const LINKER_SCRIPT = `ENTRY(_start)
SECTIONS {
  . = 0x80000000;
  .text : { *(.text .text.*) }
  . = ALIGN(4);
  .rodata : { *(.rodata .rodata.* .srodata .srodata.*) }
  . = ALIGN(4);
  .data : { *(.data .data.* .sdata .sdata.*) }
  . = ALIGN(4);
  .bss : { *(.bss .bss.* .sbss .sbss.*) }
  /DISCARD/ : { *(.riscv.attributes) *(.comment) *(.note*) }
}
`;

export interface GnuSection { name: string; addr: number; size: number; hex: string }

export function haveGnu(): boolean {
  return spawnSync('riscv64-unknown-elf-as', ['--version']).status === 0;
}

/** Assembles and links `source` with GNU as/ld; returns allocated sections, or the error text. */
export function gnuAssemble(source: string, variant: Variant): { sections?: GnuSection[]; error?: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-gnu-'));
  try {
    writeFileSync(join(dir, 'in.s'), source);
    writeFileSync(join(dir, 'link.ld'), LINKER_SCRIPT);
    const as = spawnSync('riscv64-unknown-elf-as', [`-march=${MARCH[variant]}`, '-mabi=ilp32', '-mno-relax', '-o', join(dir, 'in.o'), join(dir, 'in.s')], { encoding: 'utf8' });
    if (as.status !== 0) return { error: as.stderr };
    execFileSync('riscv64-unknown-elf-ld', ['-m', 'elf32lriscv', '--no-relax', '-T', join(dir, 'link.ld'), '-o', join(dir, 'out.elf'), join(dir, 'in.o')], { stdio: 'pipe' });
    const elf = readElfSections(readFileSync(join(dir, 'out.elf')));
    return {
      sections: elf.filter((s) => s.alloc && s.size > 0).map((s) => ({ name: s.name, addr: s.addr, size: s.size, hex: s.nobits ? '' : Buffer.from(s.data).toString('hex') })),
    };
  } catch (e) {
    return { error: String(e) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
