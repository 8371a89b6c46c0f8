// A lockstep session started while another is focused takes the focus at its first stop (VS Code leaves it on the old one).
import * as vscode from 'vscode';

/** VS Code's "focus next debug console" command: it focuses the next session (its top stack frame) in start order. */
const NEXT_SESSION = 'workbench.action.debug.nextConsole';

/**
 * Moves the focus to `session`: VS Code offers extensions no setter for the focused session, so this steps through
 * the sessions with NEXT_SESSION until it is the active one (at most once per session).
 */
async function focus(session: vscode.DebugSession, sessions: number): Promise<void> {
  for (let i = 0; i < sessions && vscode.debug.activeDebugSession?.id !== session.id; i++) {
    await vscode.commands.executeCommand(NEXT_SESSION);
  }
}

export function registerSessionFocus(context: vscode.ExtensionContext): void {
  const running = new Set<string>();
  const seen = new Set<string>();
  /** Sessions whose adapter started while another session was focused, until their first stop. */
  const pending = new Set<string>();
  /** The first tracker of a session is made as its adapter starts (before VS Code reports the session started). */
  const starting = (session: vscode.DebugSession): void => {
    if (seen.has(session.id)) return;
    seen.add(session.id);
    const other = vscode.debug.activeDebugSession;
    if (other !== undefined && other.id !== session.id) pending.add(session.id);
  };
  context.subscriptions.push(
    vscode.debug.onDidStartDebugSession((s) => running.add(s.id)),
    vscode.debug.onDidTerminateDebugSession((s) => {
      running.delete(s.id);
      pending.delete(s.id);
      seen.delete(s.id);
    }),
    vscode.debug.registerDebugAdapterTrackerFactory('lockstep', {
      createDebugAdapterTracker: (session) => {
        starting(session);
        return {
          onDidSendMessage: (m: { type?: string; event?: string }) => {
            if (m.type !== 'event' || m.event !== 'stopped' || !pending.delete(session.id)) return;
            // After VS Code handled the stop (it focuses the stopped thread only when nothing else is focused).
            setTimeout(() => void focus(session, Math.max(running.size, 2)), 50);
          },
        };
      },
    }),
  );
}
