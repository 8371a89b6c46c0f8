// What a new user met in a real VS Code, against the bundled extension and a stand-in `vscode`: F5 on a plain .s or an
// ELF, partitions from the UI, a quiet Compare tab with no secondary, the Hosts view and focus across sessions, the toolbar's one button.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Any, BUNDLE, ROOT, makeVscode, withExtension as withStandIn } from '../helpers/vscode-stand-in';

const skip = existsSync(BUNDLE) ? false : 'dist/extension.js is not built (npm run build)';
const hello = join(ROOT, 'examples/hello/hello.s');
const elf = join(ROOT, 'examples/kvstore/kvstore.elf');

const HOSTS = {
  nowNs: 5e6, ftState: 'Protected',
  hosts: ['host-a', 'host-b', 'host-c'].map((name, i) => ({
    name, family: 'rv-gen1', up: true, slowFactor: 1, storageReachable: true,
    vms: i < 2 ? [{ id: i + 1, name: `${i === 0 ? 'primary' : 'secondary'} @ ${name}`, role: i === 0 ? 'primary' : 'secondary', status: 'running' }] : [],
  })),
  links: [],
};

/** A lockstep session answering `hosts` with HOSTS, `injectFault` with its time, and `reply(command)` otherwise. */
function session(log: Any, id = 's1', reply: (command: string) => unknown = () => undefined): Any {
  return {
    id, type: 'lockstep', name: id,
    customRequest: async (command: string, args: Any) => {
      log.requests.push({ command, args });
      if (command === 'hosts') return HOSTS;
      if (command === 'injectFault') return { atNs: 5e6, fault: { atMs: 5, ...args } };
      return reply(command);
    },
  };
}

/** What the tests record of `vscode.languages` (the bundle reads the namespaces the stand-in has when it loads). */
const languageSets: [string, string][] = [];

/** Activates the bundle against a fresh stand-in that records language changes; `use` gets it, deactivation follows. */
function withExtension(use: (s: ReturnType<typeof makeVscode>) => Promise<void>): Promise<void> {
  return withStandIn(use, (standIn) => {
    standIn.vscode.languages = { setTextDocumentLanguage: async (d: Any, id: string) => { languageSets.push([d.fileName, id]); return d; } };
  });
}

const doc = (path: string, languageId: string, text = readFileSync(path, 'utf8')): Any =>
  ({ uri: { scheme: 'file', fsPath: path, toString: () => `file://${path}` }, fileName: path, languageId, getText: () => text });

test('a plain-text RISC-V .s becomes Lockstep assembly (so F5 finds Lockstep), once; x86 and other languages are left alone', { skip }, () =>
  withExtension(async ({ events }) => {
    const set = languageSets;
    set.length = 0;
    const plain = doc(hello, 'plaintext');
    events.openDocument.fire(plain);
    assert.deepEqual(set, [[hello, 'lockstep-asm']]);
    events.openDocument.fire(plain);
    assert.equal(set.length, 1, 'a document the user set back to Plain Text stays so');
    events.openDocument.fire(doc('/w/boot.s', 'plaintext', 'movl $1, %eax\n  int $0x80\n  ret\n'));
    events.openDocument.fire(doc('/w/other.s', 'riscv', readFileSync(hello, 'utf8')));
    events.openDocument.fire(doc('/w/notes.txt', 'plaintext', readFileSync(hello, 'utf8')));
    assert.equal(set.length, 1);
  }));

test('Debug Guest Program (editor Run menu, Explorer, F5 on an ELF) launches the file it is given, or the active tab\'s ELF', { skip }, () =>
  withExtension(async ({ vscode, log }) => {
    const started: Any[] = [];
    vscode.debug.startDebugging = async (folder: Any, config: Any) => { started.push([folder, config]); return true; };
    const debugFile = log.commands.get('lockstep.debugFile')!;
    assert.equal(await debugFile(), false);
    assert.match(log.messages.pop()!, /open a RISC-V assembly file/);
    await debugFile({ scheme: 'file', fsPath: hello });
    // An ELF opens in VS Code's binary editor: no text editor, only the active tab.
    vscode.window.tabGroups.activeTabGroup.activeTab = { input: new vscode.TabInputText({ scheme: 'file', fsPath: elf }) };
    await debugFile();
    assert.deepEqual(started.map(([, c]) => c), [
      { type: 'lockstep', request: 'launch', name: 'Lockstep: hello.s', program: hello, stopOnEntry: true },
      { type: 'lockstep', request: 'launch', name: 'Lockstep: kvstore.elf', program: elf, stopOnEntry: true },
    ]);
    // F5 with the ELF's tab active and no launch.json: the provider resolves it too.
    const resolved = log.providers[0].p.resolveDebugConfiguration(undefined, {});
    assert.equal(resolved.program, elf);
  }));

test('partitions from the UI: a host\'s context menu, and Inject Fault… with the hosts of one side picked; paused, the note says when it takes effect', { skip }, () =>
  withExtension(async ({ vscode, log, adapterSent }) => {
    const s = session(log);
    vscode.debug.activeDebugSession = s;
    const hostsView = log.trees.get('lockstep.hosts');
    const changed = new Promise((resolve) => hostsView.onDidChangeTreeData(resolve));
    adapterSent(s, { type: 'event', event: 'stopped', body: { reason: 'entry' } });
    await changed;
    const hostA = hostsView.getChildren()[0];
    await log.commands.get('lockstep.host.partition')!(hostA);
    assert.deepEqual(log.requests.at(-1), { command: 'injectFault', args: { kind: 'partition', groups: [['host-a'], ['host-b', 'host-c']] } });
    assert.match(log.messages.pop()!, /^Lockstep: partition host-a \| host-b, host-c injected at 5\.000 ms\. The cluster is paused: the fault takes effect when the run resumes/);

    // Inject Fault…: the partition entry, then the hosts of one side.
    const picks: Any[] = [];
    vscode.window.showQuickPick = async (items: Any[], options: Any) => {
      picks.push({ labels: items.map((i) => i.label), options });
      return picks.length === 1 ? items.find((i) => /Partition/.test(i.label)) : [items[0], items[2]];
    };
    await log.commands.get('lockstep.injectFault')!();
    assert.ok(picks[0].labels.includes('Inject Fault: Heal Every Partition'));
    assert.deepEqual(picks[1].labels, ['host-a', 'host-b', 'host-c']);
    assert.equal(picks[1].options.canPickMany, true);
    assert.deepEqual(log.requests.at(-1), { command: 'injectFault', args: { kind: 'partition', groups: [['host-a', 'host-c'], ['host-b']] } });

    // Running (VS Code asked the adapter to continue): no paused note.
    for (const f of log.trackers.get('lockstep')!) f.createDebugAdapterTracker(s)?.onWillReceiveMessage?.({ type: 'request', command: 'continue' });
    await log.commands.get('lockstep.fault.heal')!();
    assert.equal(log.messages.pop(), 'Lockstep: heal injected at 5.000 ms.');
    // Every host on one side is no partition.
    vscode.window.showQuickPick = async (items: Any[]) => (items[0].label === 'host-a' ? items : items.find((i: Any) => /Partition/.test(i.label)));
    const before = log.requests.length;
    await log.commands.get('lockstep.injectFault')!();
    assert.equal(log.requests.filter((r: Any) => r.command === 'injectFault').length, log.requests.slice(0, before).filter((r: Any) => r.command === 'injectFault').length);
    assert.match(log.messages.pop()!, /each side of a partition needs one/);
  }));

test('an open Compare tab with no secondary: the documents say so, asked quietly (ifNoPair), no notification', { skip }, () =>
  withExtension(async ({ vscode, log, adapterSent, showDiff }) => {
    const s = session(log, 's1', () => ({ noPair: 'no secondary to compare now: Not Protected (Starting)' }));
    vscode.debug.activeDebugSession = s;
    const provider = log.contentProviders.get('lockstep-vm');
    const left = vscode.Uri.from({ scheme: 'lockstep-vm', path: '/primary@host-a.txt' });
    provider.provideTextDocumentContent(left);
    showDiff(left, vscode.Uri.from({ scheme: 'lockstep-vm', path: '/secondary@host-b.txt' }));
    const changed = new Promise((resolve) => provider.onDidChange(resolve));
    const shown = log.messages.length;
    adapterSent(s, { type: 'event', event: 'stopped', body: { reason: 'step' } });
    await changed;
    assert.deepEqual(log.requests.find((r: Any) => r.command === 'compareVMs').args, { dumpPages: 16, ifNoPair: 'reply' });
    assert.match(provider.provideTextDocumentContent(left), /right now:\n {2}no secondary to compare now: Not Protected \(Starting\)/);
    assert.equal(log.messages.length, shown, 'nothing shown as a notification');
  }));

test('the Hosts view shows only while a Lockstep session runs; a second session takes the focus at its first stop', { skip }, () =>
  withExtension(async ({ vscode, log, events, adapterSent }) => {
    const ctxKeys = (): Any[] => log.executed.filter((e) => e.command === 'setContext').map((e) => e.args);
    const a = session(log, 'a');
    const b = session(log, 'b');
    for (const f of log.trackers.get('lockstep')!) f.createDebugAdapterTracker(a);
    events.start.fire(a);
    vscode.debug.activeDebugSession = a;
    adapterSent(a, { type: 'event', event: 'stopped', body: { reason: 'entry' } });
    // The second adapter starts while the first session is focused; VS Code keeps the focus there at its stop.
    for (const f of log.trackers.get('lockstep')!) f.createDebugAdapterTracker(b);
    events.start.fire(b);
    adapterSent(b, { type: 'event', event: 'stopped', body: { reason: 'entry' } });
    await new Promise((r) => setTimeout(r, 120));
    const next = log.executed.filter((e) => e.command === 'workbench.action.debug.nextConsole');
    assert.ok(next.length >= 1 && next.length <= 2, `focus moved towards the new session (${next.length} steps)`);
    vscode.debug.activeDebugSession = b;
    adapterSent(b, { type: 'event', event: 'stopped', body: { reason: 'step' } });
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(log.executed.filter((e) => e.command === 'workbench.action.debug.nextConsole').length, next.length, 'only at its first stop');

    assert.deepEqual(ctxKeys().at(-1), ['lockstep.sessionActive', true]);
    events.terminate.fire(a);
    assert.deepEqual(ctxKeys().at(-1), ['lockstep.sessionActive', true]);
    events.terminate.fire(b);
    assert.deepEqual(ctxKeys().at(-1), ['lockstep.sessionActive', false], 'no session: the view hides');
  }));

test('the debug toolbar\'s one Lockstep button: a quick pick of the actions, running the one chosen', { skip }, () =>
  withExtension(async ({ vscode, log }) => {
    let labels: string[] = [];
    vscode.window.showQuickPick = async (items: Any[]) => { labels = items.map((i) => i.label); return items.find((i) => i.label === 'Show Timeline'); };
    await log.commands.get('lockstep.menu')!();
    assert.ok(labels.includes('Compare Primary and Secondary') && labels.includes('Inject Fault…') && labels.includes('Test Failover'));
    assert.deepEqual(log.executed.at(-1), { command: 'lockstep.showTimeline', args: [] });
  }));
