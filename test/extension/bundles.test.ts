// What the extension bundle and the Timeline page's bundle take from the rest of the tree (esbuild's own view of the
// import graph, built in memory as scripts/build.mjs bundles them): the extension nothing of the adapter but the
// custom-request contract; the Timeline page nothing but its own modules and the messages it shares with the panel.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(__dirname, '../..');

async function inputs(entry: string, platform: 'node' | 'browser'): Promise<string[]> {
  const r = await build({ absWorkingDir: ROOT, entryPoints: [entry], bundle: true, platform, format: platform === 'node' ? 'cjs' : 'iife', external: ['vscode'], write: false, metafile: true, logLevel: 'silent' });
  return Object.keys(r.metafile.inputs).sort();
}

test('the extension bundle takes only the contract from src/debug (types from elsewhere vanish)', async () => {
  const files = await inputs('src/extension/extension.ts', 'node');
  assert.deepEqual(files.filter((f) => f.startsWith('src/debug/')), ['src/debug/requests.ts']);
  // New Guest Program writes the same project as `lockstep new`: the template (node:fs and node:path only) is shared.
  assert.deepEqual(files.filter((f) => f.startsWith('src/') && !/^src\/(extension|debug)\//.test(f)), ['src/cli/new-project.ts', 'src/ft/sim/units.ts']);
});

test('the Timeline page bundles its own modules and the shared messages, nothing else', async () => {
  const files = await inputs('src/extension/webview/timeline.ts', 'browser');
  assert.deepEqual(files.filter((f) => !f.startsWith('src/extension/webview/')), ['src/extension/timeline-messages.ts']);
  assert.ok(files.includes('src/extension/webview/timeline.ts'));
});
