// Lockstep: New Guest Program — asks for an empty folder, writes a ready guest project there (what `lockstep new` writes), and offers to open it.

import * as vscode from 'vscode';
import { basename } from 'node:path';
import { findCommonDir, guestProject, programName, readCommon, writeProject } from '../cli/new-project';

export function registerNewGuest(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.commands.registerCommand('lockstep.newGuestProgram', () => newGuest()));
}

async function newGuest(): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true, canSelectFiles: false, canSelectMany: false,
    openLabel: 'Create Guest Program Here', title: 'Lockstep: an empty folder for the new guest program',
  });
  const folder = picked?.[0];
  if (folder === undefined) return;
  const common = findCommonDir();
  if (common === undefined) {
    void vscode.window.showErrorMessage("Lockstep: this installation lacks Lockstep's examples/common (reinstall the extension)");
    return;
  }
  const name = programName(basename(folder.fsPath));
  try {
    writeProject(folder.fsPath, guestProject(name, readCommon(common)));
  } catch (e) {
    void vscode.window.showErrorMessage(`Lockstep: ${(e as Error).message}`);
    return;
  }
  const open = await vscode.window.showInformationMessage(
    `Lockstep: ${name}.c, a Makefile, scenario.json and .vscode/launch.json are in ${folder.fsPath}. Run make there, then F5.`, 'Open Folder');
  if (open === 'Open Folder') await vscode.commands.executeCommand('vscode.openFolder', folder);
}
