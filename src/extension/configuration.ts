// The `lockstep` DebugConfigurationProvider: F5 with no launch.json debugs the active .s/ELF file; initial and dynamic configurations.
import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import { dynamicConfigurations, EditorContext, initialConfigurations, resolveLaunch } from './defaults';

function editorContext(folder: vscode.WorkspaceFolder | undefined): EditorContext {
  const doc = vscode.window.activeTextEditor?.document;
  const ctx: EditorContext = { folder: folder?.uri.fsPath };
  if (doc !== undefined && doc.uri.scheme === 'file') {
    ctx.activeFile = doc.uri.fsPath;
    ctx.languageId = doc.languageId;
  } else {
    // An ELF opens in no text editor (binary): take the active tab's file instead.
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    const uri = input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined;
    if (uri?.scheme === 'file') ctx.activeFile = uri.fsPath;
  }
  if (ctx.activeFile !== undefined) {
    try {
      ctx.head = readFileSync(ctx.activeFile).subarray(0, 4);
    } catch {
      // unreadable: judged by its name only
    }
  }
  if (ctx.folder === undefined && ctx.activeFile !== undefined) ctx.folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(ctx.activeFile))?.uri.fsPath;
  return ctx;
}

export class LockstepConfigurationProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return initialConfigurations() as vscode.DebugConfiguration[];
  }

  resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    const r = resolveLaunch(config, editorContext(folder));
    if ('error' in r) {
      void vscode.window.showErrorMessage(r.error);
      return undefined;
    }
    return r.config as vscode.DebugConfiguration;
  }
}

export class LockstepDynamicConfigurationProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): vscode.DebugConfiguration[] {
    return dynamicConfigurations(editorContext(folder)) as vscode.DebugConfiguration[];
  }
}
