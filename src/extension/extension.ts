// Entry of the Lockstep VS Code extension: debugger (adapter factory, configuration providers), language client, commands, status bar, Hosts view.
import * as vscode from 'vscode';
import { LockstepAdapterFactory } from './adapter';
import { registerCommands } from './commands';
import { LockstepConfigurationProvider, LockstepDynamicConfigurationProvider } from './configuration';
import { StartedClient, startLanguageClient, stopLanguageClient } from './language-client';
import { registerStatusBar } from './status-bar';
import { registerHostsView } from './hosts-view';

let client: StartedClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const factory = new LockstepAdapterFactory(context);
  context.subscriptions.push(
    factory,
    vscode.debug.registerDebugAdapterDescriptorFactory('lockstep', factory),
    vscode.debug.registerDebugConfigurationProvider('lockstep', new LockstepConfigurationProvider()),
    vscode.debug.registerDebugConfigurationProvider('lockstep', new LockstepDynamicConfigurationProvider(), vscode.DebugConfigurationProviderTriggerKind.Dynamic),
  );
  registerCommands(context);
  registerStatusBar(context);
  registerHostsView(context);
  client = startLanguageClient(context);
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c !== undefined) await stopLanguageClient(c);
}
