// Entry of the Lockstep VS Code extension: debugger (adapter factory, configuration providers), language client, commands, status bar, Hosts view, Timeline, VM diff.
import * as vscode from 'vscode';
import { LockstepAdapterFactory } from './adapter';
import { registerCommands } from './commands';
import { LockstepConfigurationProvider } from './configuration';
import type { StartedClient } from './language-client';
import { startOnFirstAsmDocument, stopClient } from './language-start';
import { registerStatusBar } from './status-bar';
import { registerHostsView } from './hosts-view';
import { registerTimeline } from './timeline-panel';
import { registerCompareView } from './compare-view';
import { registerNewGuest } from './new-guest';
import { registerMemoryView } from './memory-view';
import { registerGuestFiles } from './guest-files';
import { registerSessionFocus } from './session-focus';

let client: StartedClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const factory = new LockstepAdapterFactory(context);
  context.subscriptions.push(
    factory,
    vscode.debug.registerDebugAdapterDescriptorFactory('lockstep', factory),
    vscode.debug.registerDebugConfigurationProvider('lockstep', new LockstepConfigurationProvider()),
  );
  registerCommands(context);
  registerStatusBar(context);
  registerHostsView(context);
  registerTimeline(context);
  registerCompareView(context);
  registerNewGuest(context);
  registerMemoryView(context);
  registerGuestFiles(context);
  registerSessionFocus(context);
  // Nothing expensive at activation: the language server process starts with the first lockstep-asm document.
  context.subscriptions.push(startOnFirstAsmDocument(context, (c) => { client = c; }));
}

/** Whether the language client was started (for the activation test and bench: a debug-only activation starts none). */
export function languageClientStarted(): boolean {
  return client !== undefined;
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c !== undefined) await stopClient(c);
}
