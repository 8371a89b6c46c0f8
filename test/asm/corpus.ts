// Test helper: the compatibility corpus (test/fixtures/asm/*.s plus the examples) and its expected-bytes files.
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

export const FIXTURE_DIR = join(__dirname, '..', 'fixtures', 'asm');
const EXTRA_SOURCES = [join(__dirname, '..', '..', 'examples', 'hello', 'hello.s')];

export function corpusFiles(): string[] {
  return [...readdirSync(FIXTURE_DIR).filter((n) => n.endsWith('.s')).sort().map((n) => join(FIXTURE_DIR, n)), ...EXTRA_SOURCES];
}

export function expectedPath(source: string): string {
  return join(FIXTURE_DIR, basename(source).replace(/\.s$/, '.expected.json'));
}
