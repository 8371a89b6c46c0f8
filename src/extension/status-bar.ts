// Status bar item with the FT protection state of the active lockstep session (from `lockstep.clusterEvent` events).
import * as vscode from 'vscode';
import { CLUSTER_EVENT } from '../debug/requests';
import { ClusterEvent, FtStatus, initialStatus, statusFromEvent } from './status';

export function registerStatusBar(context: vscode.ExtensionContext): void {
  const item = vscode.window.createStatusBarItem('lockstep.ftState', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Lockstep FT state';
  item.command = 'lockstep.ftAction';
  const bySession = new Map<string, FtStatus>();
  const show = (): void => {
    const s = vscode.debug.activeDebugSession;
    const st = s?.type === 'lockstep' ? bySession.get(s.id) : undefined;
    if (st === undefined) {
      item.hide();
      return;
    }
    item.text = st.text;
    item.tooltip = `${st.tooltip}\nClick for FT actions.`;
    item.backgroundColor = st.protected ? undefined : new vscode.ThemeColor('statusBarItem.warningBackground');
    item.show();
  };
  context.subscriptions.push(
    item,
    vscode.debug.onDidStartDebugSession((s) => {
      if (s.type === 'lockstep') bySession.set(s.id, initialStatus());
      show();
    }),
    vscode.debug.onDidTerminateDebugSession((s) => {
      bySession.delete(s.id);
      show();
    }),
    vscode.debug.onDidChangeActiveDebugSession(show),
    vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
      if (e.session.type !== 'lockstep' || e.event !== CLUSTER_EVENT) return;
      const st = statusFromEvent(e.body as ClusterEvent);
      if (st === undefined) return;
      bySession.set(e.session.id, st);
      show();
    }),
  );
}
