// The primary-vs-secondary diff editor: one read-only `lockstep-vm:` document per VM, filled from `compareVMs`, refreshed at every stop while open.
import * as vscode from 'vscode';
import { lockstepSession } from './commands';
import { request } from './custom-request';
import { COMPARE_ARGS, Snapshot, VM_SCHEME, diffTitle, docContent, docPaths, failureSnapshot, snapshotOf } from './compare-docs';

export class VmDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private snap: Snapshot | undefined;
  /** Every document VS Code asked for, by URI string (they all change together). */
  private readonly served = new Map<string, vscode.Uri>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private loading: Promise<Snapshot> | undefined;
  /** The session to ask (again) once the request in flight answers. */
  private next: vscode.DebugSession | undefined;

  provideTextDocumentContent(uri: vscode.Uri): string {
    this.served.set(uri.toString(), uri);
    return docContent(uri.path, this.snap);
  }

  /** Shows `snap` in every document served so far. */
  show(snap: Snapshot): void {
    this.snap = snap;
    for (const uri of this.served.values()) this.changed.fire(uri);
  }

  /** Asks the session for both VMs' state and shows it; a refused request (no pair…) shows its reason. One request at a time: a call meanwhile asks once more after it. */
  load(session: vscode.DebugSession): Promise<Snapshot> {
    this.next = session;
    this.loading ??= this.loadPending();
    return this.loading;
  }

  private async loadPending(): Promise<Snapshot> {
    let snap: Snapshot = { kind: 'none', reason: 'no request made' };
    for (let s = this.next; s !== undefined; s = this.next) {
      this.next = undefined;
      try {
        snap = snapshotOf(await request(s, 'compareVMs', COMPARE_ARGS));
      } catch (e) {
        snap = failureSnapshot(e);
      }
    }
    // No await from the loop's last check to here: a load() meanwhile is never left without its request.
    this.loading = undefined;
    this.show(snap);
    return snap;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Is a `lockstep-vm:` document on screen (the diff, or one side opened alone)? */
function diffOpen(): boolean {
  const ours = (u: vscode.Uri | undefined): boolean => u?.scheme === VM_SCHEME;
  return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => {
    const i = t.input;
    return (i instanceof vscode.TabInputTextDiff && (ours(i.original) || ours(i.modified))) || (i instanceof vscode.TabInputText && ours(i.uri));
  }));
}

async function openDiff(docs: VmDocuments): Promise<void> {
  const session = lockstepSession();
  if (session === undefined) {
    void vscode.window.showWarningMessage('Lockstep: no active Lockstep debug session.');
    return;
  }
  const snap = await docs.load(session);
  if (snap.kind === 'none') {
    void vscode.window.showWarningMessage(`Lockstep: cannot compare the primary and the secondary now: ${snap.reason}`);
    return;
  }
  const [left, right] = docPaths(snap.body).map((path) => vscode.Uri.from({ scheme: VM_SCHEME, path }));
  await vscode.commands.executeCommand('vscode.diff', left, right, diffTitle(snap.body), { preview: false });
}

/** Registers the document provider, the `lockstep.compareVms` command and the refresh at every `stopped` of a lockstep session. */
export function registerCompareView(context: vscode.ExtensionContext): VmDocuments {
  const docs = new VmDocuments();
  context.subscriptions.push(
    docs,
    vscode.workspace.registerTextDocumentContentProvider(VM_SCHEME, docs),
    vscode.commands.registerCommand('lockstep.compareVms', () => openDiff(docs)),
    vscode.debug.registerDebugAdapterTrackerFactory('lockstep', {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (m: { type?: string; event?: string }) => {
          if (m.type === 'event' && m.event === 'stopped' && session === vscode.debug.activeDebugSession && diffOpen()) void docs.load(session);
        },
      }),
    }),
    vscode.debug.onDidTerminateDebugSession((s) => {
      if (s.type === 'lockstep') docs.show({ kind: 'none', reason: 'the debug session ended' });
    }),
  );
  return docs;
}
