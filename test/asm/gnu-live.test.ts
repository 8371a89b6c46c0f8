// Live compatibility against the installed GNU assembler (skipped without riscv64-unknown-elf-as):
// the corpus, plus seeded random programs in both variants (223 and 313 once exposed relaxation-order
// differences), must produce identical section bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { assemble } from '../../src/asm';
import { corpusFiles } from './corpus';
import { gnuAssemble, GnuSection, haveGnu, Variant } from './gnu';
import { randomProgram } from './random-asm';

const gnu = haveGnu();

/** Compares with GNU; on a mismatch names the source line of the first differing byte. */
function compare(source: string, variant: Variant, what: string): void {
  const g = gnuAssemble(source, variant);
  assert.equal(g.error, undefined, `${what}: GNU as failed: ${g.error}`);
  const r = assemble(source, { rvc: variant === 'rvc', fileName: what });
  assert.equal(r.ok, true, `${what}: ${JSON.stringify(r.diagnostics.slice(0, 3))}`);
  const ours: GnuSection[] = r.program!.segments.map((s) => ({ name: s.name, addr: s.addr, size: s.memSize, hex: Buffer.from(s.data).toString('hex') }));
  for (const gs of g.sections!) {
    const os = ours.find((s) => s.name === gs.name);
    assert.ok(os, `${what}: missing section ${gs.name}`);
    if (os.hex === gs.hex && os.addr === gs.addr) continue;
    let k = 0;
    while (k < os.hex.length && os.hex[k] === gs.hex[k]) k++;
    const addr = os.addr + Math.floor(k / 2);
    const row = [...(r.listing ?? [])].reverse().find((l) => l.addr <= addr);
    const line = row ? source.split('\n')[row.line - 1] : '?';
    assert.fail(`${what}: ${gs.name} differs at 0x${addr.toString(16)} (line ${row?.line}: ${line.trim()}): ours ${os.hex.slice(k - (k % 8), k - (k % 8) + 16)} gnu ${gs.hex.slice(k - (k % 8), k - (k % 8) + 16)}`);
  }
}

for (const path of corpusFiles()) {
  const f = basename(path);
  for (const variant of ['base', 'rvc'] as Variant[]) {
    test(`live: ${f} [${variant}]`, { skip: !gnu && 'riscv64-unknown-elf-as not on PATH' }, () => {
      compare(readFileSync(path, 'utf8'), variant, f);
    });
  }
}

for (const seed of [1, 2, 3, 4, 5, 6, 223, 313]) {
  for (const variant of ['base', 'rvc'] as Variant[]) {
    test(`live: random program seed ${seed} [${variant}]`, { skip: !gnu && 'riscv64-unknown-elf-as not on PATH' }, () => {
      compare(randomProgram(seed, 1500), variant, `random-${seed}.s`);
    });
  }
}
