// The Timeline panel against a stand-in `vscode`: one webview beside the editor (media-only roots, CSP'd page); ready → timeline → data; seek → adapter seek then refresh; stops and cluster events refresh it, throttled.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Module from 'node:module';
import { syntheticBody } from './timeline-fixture';

const root = join(__dirname, '../..');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

class Emitter {
  private listeners: ((e: unknown) => void)[] = [];
  event = (l: (e: unknown) => void): { dispose(): void } => {
    this.listeners.push(l);
    return { dispose: () => undefined };
  };
  fire(e: unknown): void {
    for (const l of this.listeners) l(e);
  }
}

function standIn() {
  const log = { panels: [] as Any[], commands: new Map<string, () => unknown>(), requests: [] as [string, unknown][], warnings: [] as string[], trackers: [] as Any[] };
  const events = { custom: new Emitter(), start: new Emitter(), terminate: new Emitter(), active: new Emitter() };
  const body = syntheticBody(500);
  const session: Any = {
    type: 'lockstep', id: 's1',
    customRequest: async (command: string, args?: unknown) => {
      log.requests.push([command, args]);
      if (command === 'timeline') return body;
      if (command === 'seek') return { nowNs: 1 };
      throw new Error(`unexpected ${command}`);
    },
  };
  const uri = (fsPath: string): Any => ({ fsPath, toString: () => `file://${fsPath}` });
  const vscode: Any = {
    Uri: { joinPath: (base: Any, ...parts: string[]) => uri(join(base.fsPath, ...parts)) },
    ViewColumn: { Beside: -2 },
    commands: { registerCommand: (id: string, fn: () => unknown) => { log.commands.set(id, fn); return { dispose() {} }; } },
    window: {
      createWebviewPanel: (viewType: string, title: string, show: Any, options: Any) => {
        const received = new Emitter();
        const disposed = new Emitter();
        const panel: Any = {
          viewType, title, show, options, revealed: 0, posted: [] as Any[],
          webview: {
            cspSource: 'https://webview.test', html: '',
            asWebviewUri: (u: Any) => ({ toString: () => `https://webview.test${u.fsPath}` }),
            onDidReceiveMessage: received.event,
            postMessage: async (m: unknown) => { panel.posted.push(m); return true; },
          },
          send: (m: unknown) => received.fire(m),
          reveal() { panel.revealed++; },
          onDidDispose: disposed.event,
          dispose() { disposed.fire(undefined); },
        };
        log.panels.push(panel);
        return panel;
      },
      showWarningMessage: async (m: string) => { log.warnings.push(m); },
      showErrorMessage: async (m: string) => { log.warnings.push(m); },
    },
    debug: {
      activeDebugSession: session,
      registerDebugAdapterTrackerFactory: (type: string, f: Any) => { log.trackers.push([type, f]); return { dispose() {} }; },
      onDidReceiveDebugSessionCustomEvent: events.custom.event,
      onDidStartDebugSession: events.start.event,
      onDidTerminateDebugSession: events.terminate.event,
      onDidChangeActiveDebugSession: events.active.event,
    },
  };
  return { vscode, log, events, session, body };
}

function loadPanelModule(vscode: Any): Any {
  const load = (Module as Any)._load;
  (Module as Any)._load = function (request: string, ...rest: Any[]) {
    return request === 'vscode' ? vscode : load.call(this, request, ...rest);
  };
  try {
    const path = require.resolve('../../src/extension/timeline-panel');
    delete require.cache[path];
    return require(path);
  } finally {
    (Module as Any)._load = load;
  }
}

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits (polling) until `ok()` holds; a slow machine only makes it wait longer. */
async function until(ok: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await tick(10);
  }
}
const count = (log: { requests: [string, unknown][] }, command: string): number => log.requests.filter(([c]) => c === command).length;

test('lockstep.showTimeline opens one panel beside the editor with the CSP page; the webview gets the model and seeks by time', async () => {
  const { vscode, log, events, session } = standIn();
  const ctx: Any = { subscriptions: [] as Any[], extensionUri: { fsPath: root } };
  loadPanelModule(vscode).registerTimeline(ctx);
  try {
    log.commands.get('lockstep.showTimeline')!();
    log.commands.get('lockstep.showTimeline')!();
    assert.equal(log.panels.length, 1, 'a second show reveals the same panel');
    const p = log.panels[0];
    assert.equal(p.revealed, 1);
    assert.deepEqual([p.viewType, p.title, p.show.viewColumn], ['lockstep.timeline', 'Lockstep Timeline', -2]);
    assert.equal(p.options.enableScripts, true);
    assert.deepEqual(p.options.localResourceRoots.map((u: Any) => u.fsPath), [join(root, 'media'), join(root, 'dist/webview')]);
    const nonce = /script-src 'nonce-([^']+)'/.exec(p.webview.html)![1];
    assert.ok(p.webview.html.includes(`<script nonce="${nonce}" src="https://webview.test${join(root, 'dist/webview/timeline.js')}"></script>`));
    assert.ok(p.webview.html.includes(`style-src https://webview.test;`));

    // The page says ready: it gets the model of the session's timeline.
    p.send({ type: 'ready' });
    await until(() => p.posted.length > 0);
    assert.equal(count(log, 'timeline'), 1);
    const data = p.posted.at(-1);
    assert.equal(data.type, 'data');
    assert.deepEqual(data.data.lanes.map((l: Any) => l.name).slice(0, 3), ['cluster', 'host-a', 'VM 1 (host-a)']);

    // A seek: the adapter's seek by time, then the timeline again. Malformed messages do nothing.
    p.send({ type: 'seek', timeNs: 'soon' });
    p.send({ type: 'eval', code: 'x' });
    p.send({ type: 'seek', timeNs: 140_200_000 });
    await until(() => count(log, 'timeline') === 2);
    assert.deepEqual(log.requests.filter(([c]) => c === 'seek'), [['seek', { timeMs: 140.2 }]]);
    assert.equal(count(log, 'timeline'), 2);

    // Stops (from the adapter tracker) and bursts of cluster events refresh it, throttled.
    const [type, factory] = log.trackers[0];
    assert.equal(type, 'lockstep');
    const tracker = factory.createDebugAdapterTracker(session);
    for (let i = 0; i < 5; i++) tracker.onDidSendMessage({ type: 'event', event: 'stopped' });
    for (let i = 0; i < 20; i++) events.custom.fire({ session, event: 'lockstep.clusterEvent', body: { kind: 'fault' } });
    events.custom.fire({ session, event: 'other', body: {} });
    await until(() => count(log, 'timeline') >= 3);
    await tick(600);
    const n = count(log, 'timeline');
    assert.ok(n >= 3 && n <= 4, `${n - 2} refreshes for a burst`);

    // Session gone: the last data stays, the status says so.
    vscode.debug.activeDebugSession = undefined;
    events.active.fire(undefined);
    await until(() => p.posted.at(-1).type === 'status');
    assert.deepEqual(p.posted.at(-1), { type: 'status', text: 'Session ended: the last timeline stays' });
    p.send({ type: 'seek', timeNs: 5 });
    await until(() => log.warnings.length > 0);
    assert.match(log.warnings.at(-1)!, /no active Lockstep debug session/);

    // Closed and opened again: a new panel with a new nonce.
    p.dispose();
    log.commands.get('lockstep.showTimeline')!();
    assert.equal(log.panels.length, 2);
    assert.notEqual(/nonce-([^']+)'/.exec(log.panels[1].webview.html)![1], nonce);
  } finally {
    for (const d of ctx.subscriptions) d.dispose();
  }
});
