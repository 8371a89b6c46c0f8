// Lockstep: Show Memory in the bundled extension (a stand-in `vscode`): a variable's memory reference is read with DAP readMemory and shown as a hex dump, with what is not guest RAM said.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { BUNDLE, context, loadExtension, makeVscode, type Any } from '../helpers/vscode-stand-in';
import { hexDump } from '../../src/extension/hex-dump';

const skip = existsSync(BUNDLE) ? false : 'dist/extension.js is not built (npm run build)';

test('a hex dump: address, 16 bytes, their text; the unreadable rest is said', () => {
  const data = new Uint8Array([0x68, 0x69, 0, 1, ...Array(14).fill(0x41)]);
  assert.equal(hexDump(0x80001010, data, 3),
    '0x80001010  68 69 00 01 41 41 41 41 41 41 41 41 41 41 41 41  |hi..AAAAAAAAAAAA|\n0x80001020  41 41                                            |AA|\n(3 bytes after these are not guest RAM)\n');
});

test('Show Memory on a variable reads its memory reference through the session and shows it', { skip }, async () => {
  const { vscode, log } = makeVscode({});
  loadExtension(vscode).activate(context());
  const asked: Any[] = [];
  vscode.debug.activeDebugSession = {
    id: 's1', type: 'lockstep',
    customRequest: async (command: string, args: Any) => { asked.push({ command, args }); return { address: '0x80001010', data: Buffer.from('hello').toString('base64'), unreadableBytes: 0 }; },
  };
  const opened: Any[] = [];
  vscode.workspace.openTextDocument = async (uri: Any) => { opened.push(uri); return { uri }; };
  vscode.window.showTextDocument = async () => undefined;
  vscode.Uri.from = (c: Any) => ({ ...c, toString: () => `${c.scheme}:${c.path}?${c.query}` });
  await log.commands.get('lockstep.showMemory')!({ sessionId: 's1', variable: { name: 'pkt', memoryReference: '0x80001010' } });
  assert.equal(opened[0].scheme, 'lockstep-memory');
  const text = await log.contentProviders.get('lockstep-memory').provideTextDocumentContent(opened[0]);
  assert.deepEqual(asked, [{ command: 'readMemory', args: { memoryReference: '0x80001010', offset: 0, count: 512 } }]);
  assert.match(text, /^0x80001010 {2}68 65 6c 6c 6f .*\|hello\|$/m);
  await log.commands.get('lockstep.showMemory')!(undefined);
  assert.match(log.messages.pop()!, /Show Memory needs a variable with an address/);
});
