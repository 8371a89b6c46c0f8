// Palette and Hosts-view commands: FT actions and fault injection as custom requests to the active lockstep debug session.
import * as vscode from 'vscode';
import { actionCommands, ActionCommand, CustomRequest, describeReply, hostCommands } from './actions';
import { request } from './custom-request';

/** The active debug session if it is a lockstep one. */
export function lockstepSession(): vscode.DebugSession | undefined {
  const s = vscode.debug.activeDebugSession;
  return s?.type === 'lockstep' ? s : undefined;
}

async function send(req: CustomRequest): Promise<void> {
  const session = lockstepSession();
  if (session === undefined) {
    void vscode.window.showWarningMessage('Lockstep: no active Lockstep debug session.');
    return;
  }
  try {
    const body = await request(session, req.command, req.args);
    void vscode.window.showInformationMessage(describeReply(req, body));
  } catch (e) {
    void vscode.window.showErrorMessage(`Lockstep: ${req.command}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function pick(items: ActionCommand[], placeHolder: string): Promise<void> {
  const chosen = await vscode.window.showQuickPick(items.map((a) => ({ label: a.title, action: a })), { placeHolder });
  if (chosen !== undefined) await send(chosen.action.request);
}

export function registerCommands(context: vscode.ExtensionContext): void {
  const all = actionCommands();
  for (const a of all) context.subscriptions.push(vscode.commands.registerCommand(a.id, () => send(a.request)));
  context.subscriptions.push(
    vscode.commands.registerCommand('lockstep.ftAction', () => pick(all.filter((a) => a.request.command === 'ftAction'), 'Fault Tolerance action')),
    vscode.commands.registerCommand('lockstep.injectFault', () => pick(all.filter((a) => a.request.command === 'injectFault'), 'Fault to inject now')),
  );
  // Hosts view context menu: the tree item (a host node) names the fault's host.
  for (const h of hostCommands()) {
    context.subscriptions.push(vscode.commands.registerCommand(h.id, (node?: { host?: string }) => (node?.host === undefined ? undefined : send(h.request(node.host)))));
  }
}
