// Starts the guest-assembly language server (dist/server.js) over node IPC for `lockstep-asm` documents; bundled alone as dist/language-client.js, loaded by language-start.ts.
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';

export interface StartedClient {
  client: LanguageClient;
  /** Settles when the client is running or failed to start (never rejects: a failure is shown to the user). */
  started: Promise<void>;
}

export function startLanguageClient(context: vscode.ExtensionContext): StartedClient {
  const module = vscode.Uri.joinPath(context.extensionUri, 'dist', 'server.js').fsPath;
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'lockstep-asm' }],
  };
  const client = new LanguageClient('lockstep-asm', 'Lockstep Assembly', serverOptions, clientOptions);
  const started = client.start().catch((e: unknown) => {
    void vscode.window.showErrorMessage(`Lockstep: the assembly language server did not start: ${e instanceof Error ? e.message : String(e)}`);
  });
  return { client, started };
}
