// Compatibility: every corpus file assembles to the same section bytes as GNU as + ld (committed fixtures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { assemble } from '../../src/asm';
import { corpusFiles, expectedPath } from './corpus';
import type { GnuSection, Variant } from './gnu';

/** Our output as GNU-style sections (name, addr, size, hex) for comparison. */
export function ourSections(source: string, variant: Variant, fileName = 'in.s'): GnuSection[] {
  const r = assemble(source, { fileName, rvc: variant === 'rvc' });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => `${d.line}:${d.column}: ${d.message}`), [], `${fileName} [${variant}] has errors`);
  return r.program!.segments.map((s) => ({ name: s.name, addr: s.addr, size: s.memSize, hex: s.data.length ? Buffer.from(s.data).toString('hex') : '' }));
}

/** Compares section by section, and reports the first differing 4-byte word with its offset. */
export function assertSameSections(ours: GnuSection[], gnu: GnuSection[], what: string): void {
  assert.deepEqual(ours.map((s) => `${s.name}@${s.addr.toString(16)}+${s.size}`), gnu.map((s) => `${s.name}@${s.addr.toString(16)}+${s.size}`), `${what}: section layout`);
  ours.forEach((s, i) => {
    if (s.hex === gnu[i].hex) return;
    let k = 0;
    while (k < s.hex.length && s.hex[k] === gnu[i].hex[k]) k++;
    const off = Math.floor(k / 8) * 4;
    assert.fail(`${what}: ${s.name} differs at +0x${off.toString(16)} (addr 0x${(s.addr + off).toString(16)}): ours ${s.hex.slice(off * 2, off * 2 + 16)} gnu ${gnu[i].hex.slice(off * 2, off * 2 + 16)}`);
  });
}

for (const path of corpusFiles()) {
  const f = basename(path);
  const expected = JSON.parse(readFileSync(expectedPath(path), 'utf8')) as Record<Variant, GnuSection[]>;
  const source = readFileSync(path, 'utf8');
  for (const variant of ['base', 'rvc'] as Variant[]) {
    test(`${f} [${variant}] matches GNU as`, () => {
      assertSameSections(ourSections(source, variant, f), expected[variant], `${f} [${variant}]`);
    });
  }
}
