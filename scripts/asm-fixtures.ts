// Regenerates test/fixtures/asm/*.expected.json: GNU as + ld bytes per section for each corpus file,
// in both variants (rv32ima and rv32imac). Run: node --import tsx scripts/asm-fixtures.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { corpusFiles, expectedPath } from '../test/asm/corpus';
import { gnuAssemble, haveGnu, MARCH, Variant } from '../test/asm/gnu';

function main(): void {
  if (!haveGnu()) { console.error('riscv64-unknown-elf-as not found'); process.exit(1); }
  let failed = false;
  for (const path of corpusFiles()) {
    const source = readFileSync(path, 'utf8');
    const expected: Record<string, unknown> = {};
    for (const v of Object.keys(MARCH) as Variant[]) {
      const r = gnuAssemble(source, v);
      if (r.error) { console.error(`${basename(path)} [${v}]: ${r.error}`); failed = true; continue; }
      expected[v] = r.sections;
    }
    writeFileSync(expectedPath(path), JSON.stringify(expected, null, 1) + '\n');
    console.log(`${basename(path)}: ok`);
  }
  if (failed) process.exit(1);
}

main();
