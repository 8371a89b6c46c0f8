// The project lint has teeth: nondeterminism in the simulation layers, upward imports, stray vscode imports and a session reaching past the runtime fail it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const lint = join(__dirname, '../../scripts/lint.mjs');

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'lockstep-lint-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function runLint(root: string): { code: number; err: string } {
  const r = spawnSync(process.execPath, [lint, root], { encoding: 'utf8' });
  return { code: r.status ?? -1, err: r.stderr };
}

test('the real tree passes the lint', () => {
  const r = runLint(join(__dirname, '../..'));
  assert.equal(r.code, 0, r.err);
});

test('each rule fails on a violation', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ 'src/machine/a.ts': 'export const x = Math.random();\n' }, /Math\.random/],
    [{ 'src/ft/a.ts': 'export const t = Date.now();\n' }, /Date/],
    [{ 'src/replay/a.ts': 'setTimeout(() => 0, 1);\n' }, /timers/],
    [{ 'src/ft/a.ts': "import { readFileSync } from 'node:fs';\n" }, /I\/O modules/],
    [{ 'src/machine/a.ts': 'export const e = process.env;\n' }, /process/],
    [{ 'src/debug/a.ts': "import * as vscode from 'vscode';\n" }, /only src\/extension may import vscode/],
    [{ 'src/machine/a.ts': "import { x } from '../ft/b';\n", 'src/ft/b.ts': 'export const x = 1;\n' }, /imports must point down/],
    [{ 'src/lsp/a.ts': "import { x } from '../ft/b';\n", 'src/ft/b.ts': 'export const x = 1;\n' }, /must not import src\/ft/],
    [{ 'src/debug/session.ts': "import type { VmInstance } from '../ft/protocol/vm';\n", 'src/ft/protocol/vm.ts': 'export interface VmInstance { id: number }\n' }, /only translates: it must not import src\/ft/],
    [{ 'src/debug/session.ts': "import { hex8 } from '../machine/abi';\n", 'src/machine/abi.ts': 'export const hex8 = 1;\n' }, /must not import src\/machine/],
  ];
  for (const [files, message] of cases) {
    const r = runLint(tree(files));
    assert.equal(r.code, 1, `expected a failure for ${Object.keys(files).join(', ')}`);
    assert.match(r.err, message);
  }
});

test('comments mentioning forbidden names are fine', () => {
  const r = runLint(tree({ 'src/machine/a.ts': '// never use Math.random or Date here\nexport const x = 1;\n' }));
  assert.equal(r.code, 0, r.err);
});
