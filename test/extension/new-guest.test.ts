// Lockstep: New Guest Program in the bundled extension (dist/extension.js against a stand-in `vscode`): the chosen folder gets the project `lockstep new` writes, and Open Folder opens it; a folder in use gets an error message and stays as it was.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE, context, loadExtension, makeVscode, type Any } from '../helpers/vscode-stand-in';

const skip = existsSync(BUNDLE) ? false : 'dist/extension.js is not built (npm run build)';

test('New Guest Program writes the project into the chosen folder and opens it', { skip }, async () => {
  const { vscode, log } = makeVscode({});
  const ext = loadExtension(vscode);
  ext.activate(context());
  const dir = join(mkdtempSync(join(tmpdir(), 'lockstep-newguest-')), 'blinky');
  mkdirSync(dir);
  const asked: Any[] = [];
  vscode.window.showOpenDialog = async (o: Any) => { asked.push(o); return [vscode.Uri.file(dir)]; };
  vscode.window.showInformationMessage = async (m: string, ...items: string[]) => { log.messages.push(m); return items[0]; };
  await log.commands.get('lockstep.newGuestProgram')!();
  assert.equal(asked[0].canSelectFolders, true);
  assert.ok(existsSync(join(dir, 'blinky.c')) && existsSync(join(dir, 'Makefile')) && existsSync(join(dir, '.vscode/launch.json')));
  assert.equal(readFileSync(join(dir, 'lockstep/lockstep.h'), 'utf8'), readFileSync(join(__dirname, '../../examples/common/lockstep.h'), 'utf8'));
  assert.match(log.messages.pop()!, /blinky\.c, a Makefile, scenario\.json and \.vscode\/launch\.json are in .*blinky\. Run make there, then F5\./);
  assert.equal(log.executed.at(-1)?.command, 'vscode.openFolder');

  writeFileSync(join(dir, 'blinky.c'), 'mine');
  await log.commands.get('lockstep.newGuestProgram')!();
  assert.match(log.messages.pop()!, /^Lockstep: .*blinky is not empty: choose a new or empty folder$/);
  assert.equal(readFileSync(join(dir, 'blinky.c'), 'utf8'), 'mine');
  assert.equal(readdirSync(dir).length, 7, 'nothing added');
  vscode.window.showOpenDialog = async () => undefined;
  await log.commands.get('lockstep.newGuestProgram')!();
  assert.equal(log.messages.length, 0, 'a cancelled dialog says nothing');
});
