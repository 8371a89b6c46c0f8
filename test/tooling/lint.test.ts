// The project lint has teeth: nondeterminism in the simulation layers, upward imports, stray vscode imports, a session reaching past the runtime and runtime imports into the webview page fail it.

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
    [{ 'src/extension/webview/a.ts': "import { randomBytes } from 'node:crypto';\n" }, /webview page imports no package, Node module or vscode \(node:crypto\)/],
    [{ 'src/extension/webview/a.ts': "import * as vscode from 'vscode';\n" }, /webview page imports no package/],
    [{ 'src/extension/webview/a.ts': "import {\n  timelineModel,\n} from '../timeline-model';\n", 'src/extension/timeline-model.ts': 'export const timelineModel = 1;\n' }, /a\.ts:1: the webview page imports \.\.\/timeline-model at run time/],
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

test('the webview page may import its own modules, the shared messages, and other modules\' types', () => {
  const r = runLint(tree({
    'src/extension/webview/a.ts': "import { b } from './b';\nimport { parsePanelMessage } from '../timeline-messages';\nimport type { TimelineModel } from '../timeline-model';\nexport const a = b;\n",
    'src/extension/webview/b.ts': 'export const b = 1;\n',
    'src/extension/timeline-messages.ts': 'export const parsePanelMessage = 1;\n',
    'src/extension/timeline-model.ts': 'export type TimelineModel = number;\n',
  }));
  assert.equal(r.code, 0, r.err);
});
