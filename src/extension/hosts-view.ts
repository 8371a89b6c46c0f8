// The Hosts tree view (Run and Debug container): asks the active lockstep session for `hosts` on every stop and cluster event.
import * as vscode from 'vscode';
import { CLUSTER_EVENT, type HostsReply } from '../debug/requests';
import { request } from './custom-request';
import { hostsTree, TreeNode } from './hosts-tree';

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
  );
  return provider;
}
