// A stand-in `vscode` module that records what the bundled extension registers, and a loader of dist/extension.js against it (tests and bench share it).

import { join } from 'node:path';
import Module from 'node:module';

export const ROOT = join(__dirname, '../..');
export const BUNDLE = join(ROOT, 'dist/extension.js');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Any = any;

/** A value every unknown property of which is another such value, callable, returning one too (for the language client's many calls). */
function anything(): Any {
  const f = function () {
    return anything();
  };
  return new Proxy(f, {
    get: (_t, k) => (k === 'then' || typeof k === 'symbol' ? undefined : k === 'dispose' ? () => undefined : anything()),
    apply: () => anything(),
    construct: () => anything(),
  });
}

export class Emitter {
  private listeners: ((e: unknown) => void)[] = [];
  event = (l: (e: unknown) => void): { dispose(): void } => {
    this.listeners.push(l);
    return { dispose: () => { this.listeners = this.listeners.filter((x) => x !== l); } };
  };
  fire(e: unknown): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

/** A URI of the stand-in: scheme, path, fsPath, and `scheme:path` as its string. */
function uri(scheme: string, path: string): Any {
  return { scheme, path, fsPath: path, toString: () => `${scheme}:${path}` };
}

class TabInputText { constructor(public uri: Any) {} }
class TabInputTextDiff { constructor(public original: Any, public modified: Any) {} }

const registration = (): { dispose(): void } => ({ dispose() {} });

/** The stand-in module, a log of what was registered or shown, event emitters to drive it, and the status bar item. */
export function makeVscode(settings: Record<string, unknown>) {
  const log = {
    factories: new Map<string, Any>(), providers: [] as Any[], commands: new Map<string, (...a: Any[]) => Any>(), messages: [] as string[],
    requests: [] as Any[], trees: new Map<string, Any>(), trackers: new Map<string, Any[]>(), contentProviders: new Map<string, Any>(),
    executed: [] as { command: string; args: Any[] }[],
  };
  const events = { start: new Emitter(), terminate: new Emitter(), active: new Emitter(), custom: new Emitter(), openDocument: new Emitter() };
  const statusItem: Any = { text: '', tooltip: '', visible: false, show() { this.visible = true; }, hide() { this.visible = false; }, dispose() {} };
  const tabGroups = { all: [] as { tabs: { input: unknown }[] }[], activeTabGroup: { activeTab: undefined } };
  const debug: Any = {
    activeDebugSession: undefined,
    registerDebugAdapterDescriptorFactory: (type: string, f: Any) => { log.factories.set(type, f); return registration(); },
    registerDebugConfigurationProvider: (type: string, p: Any, trigger?: number) => { log.providers.push({ type, p, trigger }); return registration(); },
    onDidStartDebugSession: events.start.event,
    onDidTerminateDebugSession: events.terminate.event,
    onDidChangeActiveDebugSession: events.active.event,
    onDidReceiveDebugSessionCustomEvent: events.custom.event,
    registerDebugAdapterTrackerFactory: (type: string, f: Any) => { log.trackers.set(type, [...(log.trackers.get(type) ?? []), f]); return registration(); },
  };
  const vscode: Any = new Proxy({
    version: '1.91.0',
    debug,
    commands: {
      registerCommand: (id: string, fn: Any) => { log.commands.set(id, fn); return registration(); },
      executeCommand: async (command: string, ...args: Any[]) => { log.executed.push({ command, args }); },
    },
    window: new Proxy({
      createStatusBarItem: () => statusItem,
      registerTreeDataProvider: (id: string, p: Any) => { log.trees.set(id, p); return registration(); },
      showErrorMessage: async (m: string) => { log.messages.push(m); },
      showWarningMessage: async (m: string) => { log.messages.push(m); },
      showInformationMessage: async (m: string) => { log.messages.push(m); },
      activeTextEditor: undefined,
      tabGroups,
    }, { get: (t: Any, k) => (k in t ? t[k] : anything()) }),
    workspace: new Proxy({
      getConfiguration: () => ({ get: (key: string, dflt: unknown) => (settings[key] ?? dflt) }),
      getWorkspaceFolder: () => undefined,
      workspaceFolders: undefined,
      textDocuments: [] as Any[],
      onDidOpenTextDocument: events.openDocument.event,
      registerTextDocumentContentProvider: (scheme: string, p: Any) => { log.contentProviders.set(scheme, p); return registration(); },
    }, { get: (t: Any, k) => (k in t ? t[k] : anything()) }),
    Uri: {
      joinPath: (base: Any, ...parts: string[]) => ({ fsPath: join(base.fsPath, ...parts) }),
      file: (p: string) => uri('file', p),
      from: (c: { scheme: string; path: string }) => uri(c.scheme, c.path),
    },
    DebugAdapterInlineImplementation: class { constructor(public implementation: Any) {} },
    DebugAdapterExecutable: class { constructor(public command: string, public args: string[], public options: Any) {} },
    DebugAdapterServer: class { constructor(public port: number, public host?: string) {} },
    DebugConfigurationProviderTriggerKind: { Initial: 1, Dynamic: 2 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ThemeColor: class { constructor(public id: string) {} },
    ThemeIcon: class { constructor(public id: string) {} },
    TreeItem: class { constructor(public label: string, public collapsibleState: number) {} },
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    TabInputText,
    TabInputTextDiff,
    TabInputCustom: class {},
    EventEmitter: Emitter,
    Disposable: class { static from() { return registration(); } constructor(public fn: () => void) {} dispose() { this.fn?.(); } },
  }, { get: (t: Any, k) => (k in t ? t[k] : anything()) });

  /** Every tracker registered for `lockstep`, told that the adapter of `session` sent `message`. */
  const adapterSent = (session: Any, message: Any): void => {
    for (const f of log.trackers.get('lockstep') ?? []) f.createDebugAdapterTracker(session)?.onDidSendMessage?.(message);
  };
  /** Puts a diff of `left` ↔ `right` on screen (what `vscode.diff` would do), as the tab groups show it. */
  const showDiff = (left: Any, right: Any): void => { tabGroups.all = [{ tabs: [{ input: new TabInputTextDiff(left, right) }] }]; };
  const closeTabs = (): void => { tabGroups.all = []; };
  return { vscode, log, events, statusItem, adapterSent, showDiff, closeTabs };
}

/** The stand-in `require('vscode')` returns: the one of the latest loadExtension (the bundle also requires it lazily, after loading). */
let current: Any;
let hooked = false;

function hookVscode(): void {
  if (hooked) return;
  hooked = true;
  const load = (Module as Any)._load;
  (Module as Any)._load = function (request: string, ...rest: Any[]) {
    return request === 'vscode' && current !== undefined ? current : load.call(this, request, ...rest);
  };
}

/** Loads dist/extension.js afresh (out of the require cache) with `vscode` resolving to the stand-in. */
export function loadExtension(vscode: Any): Any {
  hookVscode();
  current = vscode;
  // A require of its own: under a scoped tsx loader (the bench's child), the bundle still loads as plain Node loads it.
  const req = Module.createRequire(BUNDLE);
  delete req.cache[BUNDLE];
  return req(BUNDLE);
}

/** An extension context rooted at the repository. */
export function context(): Any {
  return { subscriptions: [] as { dispose(): void }[], extensionUri: { fsPath: ROOT }, extensionPath: ROOT, asAbsolutePath: (p: string) => join(ROOT, p) };
}

/**
 * Activates the bundle against a fresh stand-in (`prepare` adds to it first); `use` gets it, deactivation and the
 * disposal of everything the extension registered follow.
 */
export async function withExtension(use: (s: ReturnType<typeof makeVscode>) => Promise<void>, prepare: (s: ReturnType<typeof makeVscode>) => void = () => undefined): Promise<void> {
  const standIn = makeVscode({});
  prepare(standIn);
  const ext = loadExtension(standIn.vscode);
  const ctx = context();
  ext.activate(ctx);
  try {
    await use(standIn);
  } finally {
    await ext.deactivate();
    for (const d of ctx.subscriptions) d.dispose();
  }
}
