// The primary-vs-secondary diff editor: one read-only `lockstep-vm:` document per VM, filled from `compareVMs`, refreshed at every stop while open; in a cluster one pair of documents per VM compared.
import * as vscode from 'vscode';
import { chooseVm, lockstepSession, vmOfNode, type VmNode } from './commands';
import { request } from './custom-request';
import { VM_SCHEME, compareArgs, diffTitle, docContent, docPaths, failureSnapshot, parseDocPath, snapshotOf, type Snapshot } from './compare-docs';

/** The key of a VM's documents: its name in a cluster, '' for the only VM. */
type VmKey = string;

const keyOf = (vm: string | undefined): VmKey => vm ?? '';
const vmOfKey = (key: VmKey): string | undefined => (key === '' ? undefined : key);
/** The VM whose state the document at `uri` shows. */
const keyOfUri = (uri: vscode.Uri): VmKey => keyOf(parseDocPath(uri.path)?.vm);

export class VmDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  /** Each VM's last state shown; a VM without one shows `ended` (the session ended) or waits. */
  private readonly snaps = new Map<VmKey, Snapshot>();
  private ended: Snapshot | undefined;
  /** Every document VS Code asked for, by URI string (a VM's two change together). */
  private readonly served = new Map<string, vscode.Uri>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  /** Per VM: the request in flight, and the session to ask (again) once it answers. */
  private readonly loading = new Map<VmKey, Promise<Snapshot>>();
  private readonly next = new Map<VmKey, vscode.DebugSession>();

  provideTextDocumentContent(uri: vscode.Uri): string {
    this.served.set(uri.toString(), uri);
    return docContent(uri.path, this.snaps.get(keyOfUri(uri)) ?? this.ended);
  }

  /** Shows `snap` in VM `key`'s documents served so far. */
  private show(key: VmKey, snap: Snapshot): void {
    this.snaps.set(key, snap);
    for (const uri of this.served.values()) if (keyOfUri(uri) === key) this.changed.fire(uri);
  }

  /** Shows `snap` (why there is nothing to compare: the session ended) in every document. */
  showAll(snap: Snapshot): void {
    this.snaps.clear();
    this.ended = snap;
    for (const uri of this.served.values()) this.changed.fire(uri);
  }

  /**
   * Asks the session for both VMs' state (of VM `vm` of a cluster) and shows it; a refused request (no pair…) shows its
   * reason. One request per VM at a time: a call meanwhile asks once more after it.
   */
  load(session: vscode.DebugSession, vm?: string): Promise<Snapshot> {
    const key = keyOf(vm);
    this.next.set(key, session);
    let p = this.loading.get(key);
    if (p === undefined) {
      p = this.loadPending(key);
      this.loading.set(key, p);
    }
    return p;
  }

  private async loadPending(key: VmKey): Promise<Snapshot> {
    let snap: Snapshot = { kind: 'none', reason: 'no request made' };
    for (let s = this.next.get(key); s !== undefined; s = this.next.get(key)) {
      this.next.delete(key);
      try {
        snap = snapshotOf(await request(s, 'compareVMs', compareArgs(vmOfKey(key))));
      } catch (e) {
        snap = failureSnapshot(e);
      }
    }
    // No await from the loop's last check to here: a load() meanwhile is never left without its request.
    this.loading.delete(key);
    this.show(key, snap);
    return snap;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The VMs whose `lockstep-vm:` documents are on screen (the diff, or one side opened alone). */
function openVms(): Set<VmKey> {
  const keys = new Set<VmKey>();
  const note = (u: vscode.Uri | undefined): void => { if (u?.scheme === VM_SCHEME) keys.add(keyOfUri(u)); };
  for (const t of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
    const i = t.input;
    if (i instanceof vscode.TabInputTextDiff) {
      note(i.original);
      note(i.modified);
    } else if (i instanceof vscode.TabInputText) note(i.uri);
  }
  return keys;
}

/** Compare Primary and Secondary: of the VM a Hosts-view row names, else in a cluster of the VM the user picks. */
async function openDiff(docs: VmDocuments, node: VmNode): Promise<void> {
  const session = lockstepSession();
  if (session === undefined) {
    void vscode.window.showWarningMessage('Lockstep: no active Lockstep debug session.');
    return;
  }
  const named = vmOfNode(node);
  const target = named !== undefined ? { vm: named } : await chooseVm(session, 'ft', 'Compare Primary and Secondary');
  if (target === undefined) return;
  const snap = await docs.load(session, target.vm);
  if (snap.kind === 'none') {
    void vscode.window.showWarningMessage(`Lockstep: cannot compare the primary and the secondary${target.vm === undefined ? '' : ` of ${target.vm}`} now: ${snap.reason}`);
    return;
  }
  const [left, right] = docPaths(snap.body, target.vm).map((path) => vscode.Uri.from({ scheme: VM_SCHEME, path }));
  await vscode.commands.executeCommand('vscode.diff', left, right, diffTitle(snap.body, target.vm), { preview: false });
}

/** Registers the document provider, the `lockstep.compareVms` command and the refresh at every `stopped` of a lockstep session. */
export function registerCompareView(context: vscode.ExtensionContext): VmDocuments {
  const docs = new VmDocuments();
  context.subscriptions.push(
    docs,
    vscode.workspace.registerTextDocumentContentProvider(VM_SCHEME, docs),
    vscode.commands.registerCommand('lockstep.compareVms', (node?: VmNode) => openDiff(docs, node)),
    vscode.debug.registerDebugAdapterTrackerFactory('lockstep', {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (m: { type?: string; event?: string }) => {
          if (m.type !== 'event' || m.event !== 'stopped' || session !== vscode.debug.activeDebugSession) return;
          for (const key of openVms()) void docs.load(session, vmOfKey(key)); // each VM an open diff shows
        },
      }),
    }),
    vscode.debug.onDidTerminateDebugSession((s) => {
      if (s.type === 'lockstep') docs.showAll({ kind: 'none', reason: 'the debug session ended' });
    }),
  );
  return docs;
}
