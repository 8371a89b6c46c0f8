// Palette and Hosts-view commands: FT actions and fault injection as custom requests to the active lockstep debug session.
import * as vscode from 'vscode';
import { actionCommands, ActionCommand, CustomRequest, describeReply, hostCommands, lockstepMenu, partitionRequest, requestText, vmScope, withVm } from './actions';
import { request } from './custom-request';
import { RunStates } from './run-state';
import { clusterVms, vmOfThread, vmPickItems, type VmScope } from './vm-choice';

/** Which lockstep sessions are paused: an injection then says it takes effect when the run resumes. */
const runStates = new RunStates();

/** The active debug session if it is a lockstep one. */
export function lockstepSession(): vscode.DebugSession | undefined {
  const s = vscode.debug.activeDebugSession;
  return s?.type === 'lockstep' ? s : undefined;
}

/** The VM of a cluster whose instance the focused thread (Call Stack) of `session` is, if any. */
async function focusedVm(session: vscode.DebugSession, names: readonly string[]): Promise<string | undefined> {
  const item = vscode.debug.activeStackItem;
  if (item?.session.id !== session.id) return undefined;
  try {
    const { threads } = (await session.customRequest('threads')) as { threads: { id: number; name: string }[] };
    const name = threads.find((t) => t.id === item.threadId)?.name;
    return name === undefined ? undefined : vmOfThread(name, names);
  } catch {
    return undefined;
  }
}

/**
 * Which VM of a cluster an action (`what`) concerns, among those `scope` allows: a quick pick of them, the focused
 * thread's VM first (one allowed VM is taken without asking). `{}` in a session of one VM; undefined when cancelled.
 */
export async function chooseVm(session: vscode.DebugSession, scope: VmScope, what: string): Promise<{ vm?: string } | undefined> {
  // No answer (the session is ending: the request itself will say so): no question.
  const vms = await request(session, 'hosts').then(clusterVms).catch(() => []);
  if (vms.length === 0) return {};
  const items = vmPickItems(vms, scope, await focusedVm(session, vms.map((v) => v.name)));
  if (items.length === 0) {
    void vscode.window.showWarningMessage(`Lockstep: ${what}: no VM of this cluster is fault tolerant.`);
    return undefined;
  }
  if (items.length === 1) return { vm: items[0].vm };
  const chosen = await vscode.window.showQuickPick(items, { placeHolder: `Which VM: ${what}`, matchOnDescription: true });
  return chosen === undefined ? undefined : { vm: chosen.vm };
}

/** A Hosts-view tree item a command was invoked on: a VM's row names its VM (in a cluster). */
export type VmNode = { vm?: unknown } | undefined;

/** The VM a Hosts-view VM row names, if the command was invoked on one. */
export function vmOfNode(node: VmNode): string | undefined {
  return typeof node?.vm === 'string' ? node.vm : undefined;
}

/**
 * Sends one custom request to the active lockstep session and tells the user what it did. In a cluster, a request that
 * concerns one VM goes for `vm`, or for the VM the user picks.
 */
export async function send(req: CustomRequest, vm?: string): Promise<void> {
  const session = lockstepSession();
  if (session === undefined) {
    void vscode.window.showWarningMessage('Lockstep: no active Lockstep debug session.');
    return;
  }
  const scope = vm === undefined ? vmScope(req) : null;
  const target = scope === null ? { vm } : await chooseVm(session, scope, requestText(req));
  if (target === undefined) return;
  req = withVm(req, target.vm);
  try {
    const body = await request(session, req.command, req.args);
    void vscode.window.showInformationMessage(describeReply(req, body, { paused: runStates.isPaused(session.id) }));
  } catch (e) {
    void vscode.window.showErrorMessage(`Lockstep: ${req.command}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The host names of the active lockstep session (empty without one, or when it cannot answer). */
async function hostNames(): Promise<string[]> {
  const session = lockstepSession();
  if (session === undefined) return [];
  try {
    return (await request(session, 'hosts')).hosts.map((h) => h.name);
  } catch {
    return [];
  }
}

/** Asks for the hosts on one side of a partition (the others form the other side) and injects it. */
async function pickPartition(): Promise<void> {
  const hosts = await hostNames();
  if (hosts.length < 2) {
    void vscode.window.showWarningMessage('Lockstep: a partition needs an active Lockstep session with at least two hosts.');
    return;
  }
  const side = await vscode.window.showQuickPick(hosts.map((label) => ({ label })), {
    canPickMany: true, placeHolder: 'Hosts on one side of the partition (the others are the other side)',
  });
  if (side === undefined) return;
  const req = partitionRequest(side.map((s) => s.label), hosts);
  if (req === undefined) void vscode.window.showWarningMessage('Lockstep: choose some hosts, not all of them: each side of a partition needs one.');
  else await send(req);
}

/** Inject Fault…: the catalogue's faults and a partition of hosts the user picks. */
async function pickFault(all: ActionCommand[]): Promise<void> {
  const items: { label: string; run: () => Promise<void> }[] = all
    .filter((a) => a.request.command === 'injectFault')
    .map((a) => ({ label: a.title, run: () => send(a.request) }));
  items.splice(items.length - 1, 0, { label: 'Inject Fault: Partition (Choose the Hosts on One Side)…', run: pickPartition });
  const chosen = await vscode.window.showQuickPick(items, { placeHolder: 'Fault to inject now' });
  if (chosen !== undefined) await chosen.run();
}

async function pick(items: ActionCommand[], placeHolder: string): Promise<void> {
  const chosen = await vscode.window.showQuickPick(items.map((a) => ({ label: a.title, action: a })), { placeHolder });
  if (chosen !== undefined) await send(chosen.action.request);
}

/** The debug toolbar's one Lockstep button: every Lockstep action of a session in one quick pick. */
async function pickAction(): Promise<void> {
  const chosen = await vscode.window.showQuickPick(lockstepMenu().map((m) => ({ label: m.title, command: m.command })), { placeHolder: 'Lockstep' });
  if (chosen !== undefined) await vscode.commands.executeCommand(chosen.command);
}

export function registerCommands(context: vscode.ExtensionContext): void {
  const all = actionCommands();
  // A Hosts-view VM row's context menu names its VM; elsewhere (palette, toolbar, view title) there is no node.
  for (const a of all) context.subscriptions.push(vscode.commands.registerCommand(a.id, (node?: VmNode) => send(a.request, vmOfNode(node))));
  context.subscriptions.push(
    vscode.commands.registerCommand('lockstep.ftAction', () => pick(all.filter((a) => a.request.command === 'ftAction'), 'Fault Tolerance action')),
    vscode.commands.registerCommand('lockstep.injectFault', () => pickFault(all)),
    vscode.commands.registerCommand('lockstep.partition', pickPartition),
    vscode.commands.registerCommand('lockstep.menu', pickAction),
    vscode.debug.registerDebugAdapterTrackerFactory('lockstep', {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (m: { type?: string; event?: string }) => runStates.fromAdapter(session.id, m),
        onWillReceiveMessage: (m: { type?: string; command?: string }) => runStates.toAdapter(session.id, m),
      }),
    }),
    vscode.debug.onDidTerminateDebugSession((s) => runStates.forget(s.id)),
  );
  // Hosts view context menu: the tree item (a host node) names the fault's host.
  for (const h of hostCommands()) {
    context.subscriptions.push(vscode.commands.registerCommand(h.id, (node?: { host?: string }) => (node?.host === undefined ? undefined : send(h.request(node.host)))));
  }
}
