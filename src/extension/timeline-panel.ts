// The Timeline webview panel: shows the active lockstep session's `timeline` as lanes over simulated time and seeks where the user clicks.
import * as vscode from 'vscode';
import { CLUSTER_EVENT } from '../debug/requests';
import { request } from './custom-request';
import { newNonce, timelineHtml } from './timeline-html';
import { PanelMessage, parseWebviewMessage } from './timeline-messages';
import { seekArguments, timelineModel } from './timeline-model';
import { Throttle } from './throttle';

const VIEW_TYPE = 'lockstep.timeline';
/** Least time between two `timeline` requests while events stream in. */
const REFRESH_MS = 250;

function lockstepSession(): vscode.DebugSession | undefined {
  const s = vscode.debug.activeDebugSession;
  return s?.type === 'lockstep' ? s : undefined;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class TimelinePanel {
  private readonly panel: vscode.WebviewPanel;
  private readonly throttle = new Throttle(() => this.refresh(), REFRESH_MS);
  private shown = false;

  constructor(extensionUri: vscode.Uri, onDispose: () => void) {
    const media = vscode.Uri.joinPath(extensionUri, 'media');
    // The page script is built from src/extension/webview (scripts/build.mjs); its stylesheet and icon are in media/.
    const script = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    this.panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'Lockstep Timeline', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, {
      enableScripts: true,
      localResourceRoots: [media, script],
    });
    this.panel.iconPath = vscode.Uri.joinPath(media, 'lockstep.svg');
    const w = this.panel.webview;
    w.html = timelineHtml({
      cspSource: w.cspSource,
      nonce: newNonce(),
      scriptUri: w.asWebviewUri(vscode.Uri.joinPath(script, 'timeline.js')).toString(),
      styleUri: w.asWebviewUri(vscode.Uri.joinPath(media, 'timeline.css')).toString(),
    });
    w.onDidReceiveMessage((m: unknown) => this.onMessage(m));
    this.panel.onDidDispose(() => {
      this.throttle.dispose();
      onDispose();
    });
  }

  reveal(): void {
    this.panel.reveal(vscode.ViewColumn.Beside);
  }

  /** A throttled refresh (stops and cluster events come in bursts). */
  refreshSoon(): void {
    this.throttle.request();
  }

  /** Asks the active lockstep session for its timeline and sends the webview the model; the last data stays when there is none. */
  async refresh(): Promise<void> {
    const session = lockstepSession();
    if (session === undefined) {
      this.post({ type: 'status', text: this.shown ? 'Session ended: the last timeline stays' : 'No active Lockstep debug session' });
      return;
    }
    try {
      this.post({ type: 'data', data: timelineModel(await request(session, 'timeline')) });
      this.shown = true;
    } catch (e) {
      this.post({ type: 'status', text: `timeline: ${message(e)}` });
    }
  }

  private post(m: PanelMessage): void {
    void this.panel.webview.postMessage(m);
  }

  /** `ready`: the page (re)loaded, send it the data; `seek`: time travel there, then show the new present. */
  private async onMessage(raw: unknown): Promise<void> {
    const m = parseWebviewMessage(raw);
    if (m === undefined) return;
    if (m.type === 'ready') return this.refresh();
    const session = lockstepSession();
    if (session === undefined) {
      void vscode.window.showWarningMessage('Lockstep: no active Lockstep debug session to travel in.');
      return;
    }
    try {
      await request(session, 'seek', seekArguments(m.timeNs));
    } catch (e) {
      void vscode.window.showErrorMessage(`Lockstep: seek: ${message(e)}`);
    }
    this.refreshSoon();
  }

  dispose(): void {
    this.panel.dispose();
  }
}

/** The `lockstep.showTimeline` command and the triggers that keep an open panel following the session. */
export function registerTimeline(context: vscode.ExtensionContext): void {
  let panel: TimelinePanel | undefined;
  const soon = (): void => panel?.refreshSoon();
  context.subscriptions.push(
    vscode.commands.registerCommand('lockstep.showTimeline', () => {
      if (panel !== undefined) panel.reveal();
      else panel = new TimelinePanel(context.extensionUri, () => (panel = undefined));
    }),
    vscode.debug.registerDebugAdapterTrackerFactory('lockstep', {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (m: { type?: string; event?: string }) => {
          if (m.type === 'event' && m.event === 'stopped' && session === vscode.debug.activeDebugSession) soon();
        },
      }),
    }),
    vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
      if (e.session.type === 'lockstep' && e.event === CLUSTER_EVENT && e.session === vscode.debug.activeDebugSession) soon();
    }),
    vscode.debug.onDidStartDebugSession(soon),
    vscode.debug.onDidTerminateDebugSession(soon),
    vscode.debug.onDidChangeActiveDebugSession(soon),
    { dispose: () => panel?.dispose() },
  );
}
