// The C debug corpus: every committed ELF powers off cleanly in Lockstep's machine, its STOP markers resolve, and it rebuilds from source.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadElf } from '../../src/machine/elf';
import { Machine } from '../../src/machine/machine';
import { runStandalone, StandaloneEnvironment } from '../../src/machine/standalone';
import { BUILD_DIR, buildVariant, compilerAvailable, compilerVersion, elfName } from '../../scripts/c-corpus';
import { corpusElf, corpusStops, PROGRAMS, VARIANTS } from './corpus';

for (const program of PROGRAMS) {
  test(`${program}: every build runs to a clean power-off in Lockstep's machine`, () => {
    for (const v of VARIANTS) {
      const m = new Machine({ env: new StandaloneEnvironment({}, 0) });
      m.load(loadElf(readFileSync(corpusElf(program, v)), elfName(program, v)));
      const r = runStandalone(m, { maxInstructions: 1_000_000 });
      assert.deepEqual({ reason: r.reason, exitCode: r.exitCode }, { reason: 'exit', exitCode: 0 }, elfName(program, v));
    }
  });

  test(`${program}: its stops have unique names and its STOP markers resolve to lines`, () => {
    const stops = corpusStops(program);
    assert.equal(new Set(stops.map((s) => s.name)).size, stops.length);
    for (const s of stops) assert.match(s.location, new RegExp(`^(${program}\\.c:\\d+|[a-z_]+)$`));
  });
}

/** The toolchain note of the committed build: `gcc: <version line>` a line. */
function committedVersions(): Map<string, string> {
  const lines = readFileSync(join(BUILD_DIR, 'TOOLCHAIN.txt'), 'utf8').trim().split('\n');
  return new Map(lines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
}

for (const v of VARIANTS) {
  const skip = !compilerAvailable(v.compiler) && `${v.compiler} for RISC-V is not installed`;
  test(`the ${v.name} build rebuilds from source (byte for byte with the committed compiler)`, { skip, timeout: 120_000 }, () => {
    const out = mkdtempSync(join(tmpdir(), 'lockstep-c-corpus-test-'));
    try {
      const same = committedVersions().get(v.compiler) === compilerVersion(v.compiler);
      for (const elf of buildVariant(v, out)) {
        const bytes = readFileSync(elf);
        assert.doesNotThrow(() => loadElf(bytes, elf));
        if (same) assert.ok(bytes.equals(readFileSync(join(BUILD_DIR, elf.slice(out.length + 1)))), `${elf} differs from the committed one`);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
}
