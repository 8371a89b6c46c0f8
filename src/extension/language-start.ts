// Starts the assembly language client with the first `lockstep-asm` document, loading vscode-languageclient only then (not at activation).
import * as vscode from 'vscode';
import type { StartedClient } from './language-client';

const isAsm = (d: vscode.TextDocument): boolean => d.languageId === 'lockstep-asm';

/**
 * language-client.ts on first use, from its own bundle (dist/language-client.js, scripts/build.mjs): extension.js
 * holds none of vscode-languageclient, which VS Code would otherwise parse at every activation.
 */
function clientModule(context: vscode.ExtensionContext): typeof import('./language-client') {
  return require(vscode.Uri.joinPath(context.extensionUri, 'dist', 'language-client.js').fsPath) as typeof import('./language-client');
}

/** Starts the client; a bundle that cannot be loaded (a broken install) is an error message, not an exception in an event. */
function start(context: vscode.ExtensionContext, started: (c: StartedClient) => void): void {
  try {
    started(clientModule(context).startLanguageClient(context));
  } catch (e) {
    void vscode.window.showErrorMessage(`Lockstep: the assembly language client could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Starts the client when the first `lockstep-asm` document is open (at once if one already is), not at activation:
 * a debug session of a C program or an ELF activates the extension too, and needs no language server process.
 * `started` receives the client.
 */
export function startOnFirstAsmDocument(context: vscode.ExtensionContext, started: (c: StartedClient) => void): vscode.Disposable {
  if (vscode.workspace.textDocuments.some(isAsm)) {
    start(context, started);
    return { dispose: () => undefined };
  }
  const listener = vscode.workspace.onDidOpenTextDocument((d) => {
    if (!isAsm(d)) return;
    listener.dispose();
    start(context, started);
  });
  return listener;
}

/** Stops a started client, after its start settled (stopping a client that is still starting throws). */
export async function stopClient(c: StartedClient): Promise<void> {
  await c.started;
  if (c.client.needsStop()) await c.client.stop();
}
