// The Hosts tree view (Run and Debug container): asks the active lockstep session for `hosts` on every stop and cluster event.
import * as vscode from 'vscode';
import { CLUSTER_EVENT, type HostsReply } from '../debug/requests';
import { request } from './custom-request';
import { hostsTree, TreeNode } from './hosts-tree';
import { partitionRequest } from './actions';
import { send } from './commands';

export class HostsProvider implements vscode.TreeDataProvider<TreeNode> {
  private nodes: TreeNode[] = [];
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  getTreeItem(n: TreeNode): vscode.TreeItem {
    const item = new vscode.TreeItem(n.label, n.children.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.id = n.id;
    item.description = n.description;
    item.tooltip = n.tooltip;
    item.iconPath = new vscode.ThemeIcon(n.icon);
    item.contextValue = n.contextValue;
    return item;
  }

  getChildren(n?: TreeNode): TreeNode[] {
    return n === undefined ? this.nodes : n.children;
  }

  /** Shows a `hosts` reply (undefined: empty view). */
  show(body: HostsReply | undefined): void {
    this.nodes = body === undefined ? [] : hostsTree(body);
    this.changed.fire(undefined);
  }

  /** The hosts of the last reply, in its order. */
  hostNames(): string[] {
    return this.nodes.flatMap((n) => (n.host === undefined ? [] : [n.host]));
  }

  /** Asks the session (default: the active one, if lockstep) for its hosts; a failure (session ending) empties the view. */
  async refresh(session = vscode.debug.activeDebugSession): Promise<void> {
    if (session?.type !== 'lockstep') return this.show(undefined);
    try {
      this.show(await request(session, 'hosts'));
    } catch {
      this.show(undefined);
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Context key that shows the view: some lockstep session runs (VS Code's `debugType` outlives the last session). */
const SESSION_KEY = 'lockstep.sessionActive';

/** Keeps SESSION_KEY true while a lockstep session runs. */
function trackSessions(): vscode.Disposable {
  const running = new Set<string>();
  const update = (): void => { void vscode.commands.executeCommand('setContext', SESSION_KEY, running.size > 0); };
  return vscode.Disposable.from(
    vscode.debug.onDidStartDebugSession((s) => { if (s.type === 'lockstep') { running.add(s.id); update(); } }),
    vscode.debug.onDidTerminateDebugSession((s) => { if (running.delete(s.id)) update(); }),
  );
}

/** Registers the view, its refresh triggers (adapter `stopped` events, cluster events, session changes) and its refresh command. */
export function registerHostsView(context: vscode.ExtensionContext): HostsProvider {
  const provider = new HostsProvider();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const soon = (session: vscode.DebugSession): void => {
    if (session !== vscode.debug.activeDebugSession || timer !== undefined) return;
    timer = setTimeout(() => { timer = undefined; void provider.refresh(); }, 100); // cluster events come in bursts
  };
  context.subscriptions.push(
    provider,
    { dispose: () => clearTimeout(timer) },
    vscode.window.registerTreeDataProvider('lockstep.hosts', provider),
    vscode.debug.registerDebugAdapterTrackerFactory('lockstep', {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (m: { type?: string; event?: string }) => {
          if (m.type === 'event' && m.event === 'stopped' && session === vscode.debug.activeDebugSession) void provider.refresh(session);
        },
      }),
    }),
    vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
      if (e.session.type === 'lockstep' && e.event === CLUSTER_EVENT) soon(e.session);
    }),
    vscode.debug.onDidChangeActiveDebugSession(() => void provider.refresh()),
    vscode.commands.registerCommand('lockstep.hosts.refresh', () => provider.refresh()),
    // A host's context menu: that host alone on one side, every other host on the other.
    vscode.commands.registerCommand('lockstep.host.partition', (node?: { host?: string }) => {
      const req = node?.host === undefined ? undefined : partitionRequest([node.host], provider.hostNames());
      return req === undefined ? undefined : send(req);
    }),
    trackSessions(),
  );
  return provider;
}
