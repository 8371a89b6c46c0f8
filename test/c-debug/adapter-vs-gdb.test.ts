// The adapter against GDB on the C corpus: the same stops, fact by fact (frames, arguments, locals, printed values); -O0 and -Og must agree on at least 95% of the facts, -O2 is reported (with a floor against regressions).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gdbFacts, oracleUnavailable } from '../helpers/gdb-oracle';
import { corpusElf, corpusStops, PROGRAMS, VARIANTS } from './corpus';
import { compareFacts, type Comparison } from './facts';
import { adapterFacts } from './adapter-facts';
import { ROOT } from '../debug/helpers';

const skip = oracleUnavailable() ?? false;
/**
 * Builds that must agree with GDB on this share of the facts: -O0 and -Og as the issue asks (GCC's DWARF 5
 * and 4, Clang); -O2 is reported, held to the same bar now that it reaches it.
 */
const REQUIRED = new Map([['gcc-O0', 0.95], ['gcc-O0-dwarf4', 0.95], ['gcc-Og', 0.95], ['clang-O0', 0.95], ['gcc-O2', 0.95], ['gcc-Og-eh', 0.95]]);
const OUT = join(ROOT, 'test-artifacts', 'c-debug');

async function compare(variant: string): Promise<{ cmp: Comparison; lines: string[] }> {
  const lines: string[] = [];
  const cmp: Comparison = { equal: 0, total: 0, mismatches: [] };
  for (const p of PROGRAMS) {
    const elf = corpusElf(p, variant);
    const [gdb, ours] = await Promise.all([gdbFacts(elf, corpusStops(p)), adapterFacts(elf, corpusStops(p))]);
    const c = compareFacts(gdb, ours);
    cmp.equal += c.equal;
    cmp.total += c.total;
    cmp.mismatches.push(...c.mismatches);
    lines.push(`${p} ${variant}: ${c.equal} / ${c.total} facts equal`);
  }
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, `${variant}.txt`), [...lines, '', ...cmp.mismatches].join('\n') + '\n');
  return { cmp, lines };
}

for (const v of VARIANTS) {
  test(`${v.name}: the adapter shows what GDB shows at every stop of the corpus`, { skip, timeout: 180_000 }, async (t) => {
    const { cmp, lines } = await compare(v.name);
    const share = cmp.equal / cmp.total;
    for (const l of lines) t.diagnostic(l);
    t.diagnostic(`${v.name}: ${(100 * share).toFixed(1)}% of ${cmp.total} facts equal (mismatches in test-artifacts/c-debug/${v.name}.txt)`);
    const need = REQUIRED.get(v.name);
    if (need !== undefined) assert.ok(share >= need, `${(100 * share).toFixed(1)}% < ${100 * need}%:\n${cmp.mismatches.slice(0, 30).join('\n')}`);
    else assert.ok(cmp.total > 0);
  });
}
