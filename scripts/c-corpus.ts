// Builds the C debug corpus (test/fixtures/c-debug/*.c) in every variant the GDB oracle reads: GCC at -O0, -Og, -O2 and DWARF 4, Clang at -O0.
//
// Usage: node --import tsx scripts/c-corpus.ts [outDir]   (default: test/fixtures/c-debug/build, which is committed)
// Every source is compiled on its own and then linked, from the corpus folder, with the build folder mapped to "."
// in the debug info: the ELFs are byte-for-byte reproducible with the same compilers, and their source paths are
// relative (types.c; start.S as ../../../examples/common/start.S). build/TOOLCHAIN.txt records the compilers used.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const CORPUS_DIR = resolve(__dirname, '..', 'test', 'fixtures', 'c-debug');
export const BUILD_DIR = join(CORPUS_DIR, 'build');
/** The C programs of the corpus, by base name (types.c …). */
export const PROGRAMS = ['types', 'frames', 'scopes'] as const;
export type Program = (typeof PROGRAMS)[number];

export type Compiler = 'gcc' | 'clang';
export interface Variant { name: string; compiler: Compiler; flags: string[] }
/** Every build of every program: the optimisation levels and DWARF versions the oracle compares. */
export const VARIANTS: readonly Variant[] = [
  { name: 'gcc-O0', compiler: 'gcc', flags: ['-O0', '-g'] },
  { name: 'gcc-Og', compiler: 'gcc', flags: ['-Og', '-g'] },
  { name: 'gcc-O2', compiler: 'gcc', flags: ['-O2', '-g'] },
  { name: 'gcc-O0-dwarf4', compiler: 'gcc', flags: ['-O0', '-g', '-gdwarf-4'] },
  // Unwind tables in .eh_frame (pc-relative pointers, 'zR' augmentation) instead of .debug_frame.
  { name: 'gcc-Og-eh', compiler: 'gcc', flags: ['-Og', '-g', '-fasynchronous-unwind-tables'] },
  { name: 'clang-O0', compiler: 'clang', flags: ['-O0', '-g'] },
];

const COMMON = '../../../examples/common';
const COMMANDS: Record<Compiler, string> = { gcc: 'riscv64-unknown-elf-gcc', clang: 'clang' };
const ARCH: Record<Compiler, string[]> = {
  // -misa-spec=2.2 keeps CSR instructions in the base ISA (start.S) and picks the right libgcc multilib.
  gcc: ['-march=rv32imac', '-mabi=ilp32', '-misa-spec=2.2'],
  clang: ['--target=riscv32-unknown-elf', '-march=rv32imac', '-mabi=ilp32', '-mno-relax'],
};
const COMPILE = ['-ffreestanding', '-fno-builtin', '-nostdlib', '-mcmodel=medany', '-Wall', '-Wextra', '-I.'];
const LINK: Record<Compiler, string[]> = {
  gcc: ['-nostdlib', '-T', `${COMMON}/link.ld`, '-Wl,--no-warn-rwx-segments'],
  clang: ['-nostdlib', '-fuse-ld=lld', '-T', `${COMMON}/link.ld`],
};
const LIBS: Record<Compiler, string[]> = { gcc: ['-lgcc'], clang: [] };
/* GAS writes the address range of an assembly file's debug info before the linker relaxes its calls: the range
   of start.S would run 6 bytes into the first C function and GDB would find no line there. Unrelaxed, it is exact. */
const START_FLAGS: Record<Compiler, string[]> = { gcc: ['-mno-relax'], clang: [] };

/** The ELF of one program in one variant, e.g. build/types-gcc-O2.elf. */
export function elfName(program: Program, variant: Variant | string): string {
  return `${program}-${typeof variant === 'string' ? variant : variant.name}.elf`;
}

/** True when the variant's compiler runs here. */
export function compilerAvailable(compiler: Compiler): boolean {
  try {
    execFileSync(COMMANDS[compiler], ['--version'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** First line of the compiler's --version. */
export function compilerVersion(compiler: Compiler): string {
  return execFileSync(COMMANDS[compiler], ['--version'], { encoding: 'utf8', timeout: 10_000 }).split('\n')[0].trim();
}

function run(compiler: Compiler, args: string[]): void {
  execFileSync(COMMANDS[compiler], args, { cwd: CORPUS_DIR, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
}

/** Compiles start.S and every program in one variant into outDir (objects in a scratch folder). */
export function buildVariant(variant: Variant, outDir: string): string[] {
  const { compiler, flags } = variant;
  const map = [`-ffile-prefix-map=${CORPUS_DIR}=.`, `-fdebug-prefix-map=${CORPUS_DIR}=.`];
  if (compiler === 'gcc') map.push(`-Wa,--debug-prefix-map=${CORPUS_DIR}=.`);
  else map.push('-fdebug-compilation-dir=.');
  const obj = mkdtempSync(join(tmpdir(), 'lockstep-c-corpus-'));
  try {
    const start = join(obj, 'start.o');
    run(compiler, [...ARCH[compiler], ...START_FLAGS[compiler], ...flags, ...map, '-c', '-o', start, `${COMMON}/start.S`]);
    return PROGRAMS.map((program) => {
      const o = join(obj, `${program}.o`);
      run(compiler, [...ARCH[compiler], ...COMPILE, ...flags, ...map, '-c', '-o', o, `${program}.c`]);
      const elf = join(outDir, elfName(program, variant));
      run(compiler, [...ARCH[compiler], ...LINK[compiler], ...flags, '-o', elf, start, o, ...LIBS[compiler]]);
      return elf;
    });
  } finally {
    rmSync(obj, { recursive: true, force: true });
  }
}

/** Builds every variant whose compiler is installed; returns the ELFs written and the variants skipped. */
export function buildCorpus(outDir: string): { elves: string[]; skipped: string[] } {
  mkdirSync(outDir, { recursive: true });
  const elves: string[] = [];
  const skipped: string[] = [];
  for (const v of VARIANTS) {
    if (compilerAvailable(v.compiler)) elves.push(...buildVariant(v, outDir));
    else skipped.push(v.name);
  }
  return { elves, skipped };
}

/** The toolchain note committed beside the ELFs: which compiler built which variants. */
export function toolchainNote(): string {
  const compilers = [...new Set(VARIANTS.map((v) => v.compiler))].filter(compilerAvailable);
  return compilers.map((c) => `${c}: ${compilerVersion(c)}`).join('\n') + '\n';
}

if (require.main === module) {
  const outDir = resolve(process.argv[2] ?? BUILD_DIR);
  const { elves, skipped } = buildCorpus(outDir);
  writeFileSync(join(outDir, 'TOOLCHAIN.txt'), toolchainNote());
  console.log(`built ${elves.length} ELFs into ${outDir}`);
  if (skipped.length > 0) console.log(`skipped (compiler not installed): ${skipped.join(', ')}`);
}
