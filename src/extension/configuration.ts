// The `lockstep` DebugConfigurationProvider: F5 with no launch.json debugs the active .s/ELF file; the initial configurations.
import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import { EditorContext, initialConfigurations, resolveLaunch } from './defaults';

/** The file of the active editor: a text document, or the active tab's file (an ELF opens in no text editor: binary). */
export function activeFileUri(): vscode.Uri | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  if (doc !== undefined && doc.uri.scheme === 'file') return doc.uri;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri = input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined;
  return uri?.scheme === 'file' ? uri : undefined;
}

function editorContext(folder: vscode.WorkspaceFolder | undefined): EditorContext {
  const ctx: EditorContext = { folder: folder?.uri.fsPath };
  const uri = activeFileUri();
  if (uri !== undefined) {
    ctx.activeFile = uri.fsPath;
    const doc = vscode.window.activeTextEditor?.document;
    if (doc?.uri.toString() === uri.toString()) ctx.languageId = doc.languageId;
    try {
      ctx.head = readFileSync(ctx.activeFile).subarray(0, 4);
    } catch {
      // unreadable: judged by its name only
    }
  }
  if (ctx.folder === undefined && ctx.activeFile !== undefined) ctx.folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(ctx.activeFile))?.uri.fsPath;
  return ctx;
}

/**
 * One provider, registered with the default (initial) trigger only: a dynamic one too would list Lockstep twice in
 * VS Code's debugger picker ("Lockstep" and "Lockstep…", both debugging the active file).
 */
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
