// The bundled extension (dist/extension.js) activates against a stand-in `vscode` module: it registers the debugger's
// factory and providers, the palette commands and the status bar; each adapter mode yields a working descriptor;
// the commands send the custom requests; the status bar follows `lockstep.clusterEvent` state events; the Hosts view
// asks the session for `hosts` when it stops and shows the reply.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Any, BUNDLE as bundle, ROOT as root, context, loadExtension, makeVscode } from '../helpers/vscode-stand-in';

const skip = existsSync(bundle) ? false : 'dist/extension.js is not built (npm run build)';

// The language client starts only with the first lockstep-asm document: then it really starts dist/server.js over IPC
// (the stand-in answers its calls) and deactivate stops it.
test('activation registers the debugger, its providers, every contributed command and the status bar; the language client waits for an assembly document', { skip }, async () => {
  const { vscode, log, events, statusItem } = makeVscode({});
  const ext = loadExtension(vscode);
  const ctx = context();
  ext.activate(ctx);
  try {
    assert.equal(ext.languageClientStarted(), false, 'a debug-only activation starts no language server');
    events.openDocument.fire({ languageId: 'c', uri: { scheme: 'file', fsPath: '/x.c' } });
    assert.equal(ext.languageClientStarted(), false);
    events.openDocument.fire({ languageId: 'lockstep-asm', uri: { scheme: 'file', fsPath: join(root, 'examples/hello/hello.s') } });
    assert.equal(ext.languageClientStarted(), true);
    assert.ok(log.factories.has('lockstep'));
    // One provider (initial trigger): a dynamic one as well listed Lockstep twice in VS Code's debugger picker.
    assert.deepEqual(log.providers.map((p) => [p.type, p.trigger]), [['lockstep', undefined]]);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    assert.deepEqual([...log.commands.keys()].sort(), pkg.contributes.commands.map((c: Any) => c.command).sort());

    // Inline mode (the default): a LockstepSession inside the extension host.
    const inline = await log.factories.get('lockstep').createDebugAdapterDescriptor({});
    assert.equal(inline.implementation.constructor.name, 'LockstepSession');

    // The configuration provider fills F5 defaults from the editor (none here: an error message, no launch).
    const provider = log.providers[0].p;
    assert.equal(provider.resolveDebugConfiguration(undefined, {}), undefined);
    assert.match(log.messages.pop()!, /Open a RISC-V assembly file/);
    assert.deepEqual(provider.provideDebugConfigurations(undefined).map((c: Any) => c.program), ['${file}']);
    vscode.window.activeTextEditor = { document: { uri: { scheme: 'file', fsPath: join(root, 'examples/hello/hello.s') }, languageId: 'lockstep-asm' } };
    const resolved = provider.resolveDebugConfiguration(undefined, {});
    assert.equal(resolved.program, join(root, 'examples/hello/hello.s'));
    assert.equal(resolved.stopOnEntry, true);

    // Commands: no session → a warning; a lockstep session → its custom request.
    await log.commands.get('lockstep.ft.testFailover')!();
    assert.match(log.messages.pop()!, /no active Lockstep debug session/);
    const session = { id: 's1', type: 'lockstep', customRequest: async (command: string, args: Any) => { log.requests.push({ command, args }); return { atNs: 5e6 }; } };
    vscode.debug.activeDebugSession = session;
    await log.commands.get('lockstep.ft.testFailover')!();
    await log.commands.get('lockstep.fault.crashPrimaryHost')!();
    // (Each first asks for the hosts: in a cluster the user picks the VM; here there is none.)
    assert.deepEqual(log.requests.filter((r: Any) => r.command !== 'hosts'), [
      { command: 'ftAction', args: { action: 'testFailover' } },
      { command: 'injectFault', args: { kind: 'hostCrash', host: '@primary' } },
    ]);
    assert.match(log.messages.pop()!, /hostCrash on @primary injected at 5\.000 ms/);

    // Status bar: follows the session's FT state events.
    events.start.fire(session);
    assert.equal(statusItem.visible, true);
    assert.match(statusItem.text, /starting/);
    events.custom.fire({ session, event: 'lockstep.clusterEvent', body: { kind: 'state', text: 'Protected', data: { protected: true }, timeNs: 0 } });
    assert.equal(statusItem.text, '$(shield) FT: Protected');
    events.custom.fire({ session, event: 'lockstep.clusterEvent', body: { kind: 'crash', text: 'primary is gone' } });
    assert.equal(statusItem.text, '$(shield) FT: Protected');
    events.custom.fire({ session, event: 'lockstep.clusterEvent', body: { kind: 'state', text: 'Not Protected (VM not Running)', data: { protected: false } } });
    assert.equal(statusItem.text, '$(warning) FT: Not Protected (VM not Running)');
    assert.equal(statusItem.backgroundColor.id, 'statusBarItem.warningBackground');
    vscode.debug.activeDebugSession = undefined;
    events.terminate.fire(session);
    assert.equal(statusItem.visible, false);
  } finally {
    await ext.deactivate();
    for (const d of ctx.subscriptions) d.dispose();
  }
});

test('process mode runs dist/adapter.js with the editor\'s Node; server mode serves DAP on a loopback port', { skip }, async () => {
  const proc = makeVscode({ 'adapter.mode': 'process' });
  const ext1 = loadExtension(proc.vscode);
  const ctx1 = context();
  ext1.activate(ctx1);
  const exe = await proc.log.factories.get('lockstep').createDebugAdapterDescriptor({});
  assert.equal(exe.command, process.execPath);
  assert.deepEqual(exe.args, [join(root, 'dist/adapter.js')]);
  assert.equal(exe.options.env.ELECTRON_RUN_AS_NODE, '1');
  await ext1.deactivate();
  for (const d of ctx1.subscriptions) d.dispose();

  const srv = makeVscode({ 'adapter.mode': 'server' });
  const ext2 = loadExtension(srv.vscode);
  const ctx2 = context();
  ext2.activate(ctx2);
  try {
    const factory = srv.log.factories.get('lockstep');
    const d = await factory.createDebugAdapterDescriptor({});
    assert.ok(d.port > 0);
    assert.equal((await factory.createDebugAdapterDescriptor({})).port, d.port, 'one server for every session');
    // Speak DAP to it: initialize answers with the capabilities.
    const reply = await new Promise<Any>((resolve, reject) => {
      const socket = connect(d.port, '127.0.0.1');
      let buf = '';
      socket.on('data', (chunk) => {
        buf += chunk.toString('utf8');
        const m = /Content-Length: (\d+)\r\n\r\n/.exec(buf);
        if (m && buf.length >= m.index + m[0].length + Number(m[1])) {
          socket.destroy();
          resolve(JSON.parse(buf.slice(m.index + m[0].length, m.index + m[0].length + Number(m[1]))));
        }
      });
      socket.on('error', reject);
      const body = JSON.stringify({ seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'lockstep', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true } });
      socket.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
    assert.equal(reply.command, 'initialize');
    assert.equal(reply.success, true, JSON.stringify(reply));
    assert.equal(reply.body.supportsStepBack, true);
  } finally {
    await ext2.deactivate();
    for (const d of ctx2.subscriptions) d.dispose();
  }
});

const HOSTS_BODY = {
  nowNs: 50e6,
  ftState: 'Protected',
  hosts: [
    { name: 'host-a', family: 'rv-gen1', up: false, slowFactor: 1, storageReachable: true, vms: [{ id: 1, name: 'primary @ host-a', role: 'primary', status: 'dead' }] },
    { name: 'host-b', family: 'rv-gen1', up: true, slowFactor: 1, storageReachable: true, vms: [{ id: 2, name: 'primary @ host-b', role: 'primary', status: 'running' }] },
  ],
  links: [{ a: 'host-a', b: 'host-b', logging: { up: true, latencyUs: 100, lossRate: 0 }, management: { up: true } }],
};

test('the Hosts view: registered for lockstep.hosts, refreshed by a stopped event from the session, its host menu injects on that host', { skip }, async () => {
  const { vscode, log, adapterSent } = makeVscode({});
  const ext = loadExtension(vscode);
  const ctx = context();
  ext.activate(ctx);
  try {
    const provider = log.trees.get('lockstep.hosts');
    assert.ok(provider, 'a tree data provider for lockstep.hosts');
    assert.deepEqual(provider.getChildren(), []);
    const session = { id: 's1', type: 'lockstep', customRequest: async (command: string, args: Any) => { log.requests.push({ command, args }); return command === 'hosts' ? HOSTS_BODY : { atNs: 1e6 }; } };
    vscode.debug.activeDebugSession = session;
    const changed = new Promise((resolve) => provider.onDidChangeTreeData(resolve));
    adapterSent(session, { type: 'event', event: 'stopped', body: { reason: 'step' } });
    await changed;
    assert.deepEqual(log.requests, [{ command: 'hosts', args: undefined }]);
    const roots = provider.getChildren();
    const items = roots.map((n: Any) => provider.getTreeItem(n));
    assert.deepEqual(items.map((i: Any) => [i.label, i.iconPath.id, i.contextValue, i.collapsibleState]), [
      ['host-a', 'error', 'lockstep.host.down', 2], ['host-b', 'pass', 'lockstep.host.up', 2], ['Links', 'type-hierarchy', 'lockstep.links', 2],
    ]);
    assert.deepEqual(provider.getChildren(roots[1]).map((n: Any) => provider.getTreeItem(n).label), ['primary @ host-b']);
    assert.deepEqual(provider.getChildren(roots[2]).map((n: Any) => provider.getTreeItem(n).contextValue), ['lockstep.link'], 'no live secondary: not the FT pair');
    await log.commands.get('lockstep.host.restore')!(roots[0]);
    assert.deepEqual(log.requests[1], { command: 'injectFault', args: { kind: 'hostRestore', host: 'host-a' } });
    // The session ends: the view empties.
    vscode.debug.activeDebugSession = undefined;
    await log.commands.get('lockstep.hosts.refresh')!();
    assert.deepEqual(provider.getChildren(), []);
  } finally {
    await ext.deactivate();
    for (const d of ctx.subscriptions) d.dispose();
  }
});

test('a language client bundle that cannot be loaded is an error message when an assembly document opens, not a crash', { skip }, async () => {
  const { vscode, log, events } = makeVscode({});
  const ext = loadExtension(vscode);
  const ctx = { ...context(), extensionUri: { fsPath: join(root, 'no-such-folder') } };
  ext.activate(ctx);
  try {
    events.openDocument.fire({ languageId: 'lockstep-asm', uri: { scheme: 'file', fsPath: join(root, 'examples/hello/hello.s') } });
    assert.equal(ext.languageClientStarted(), false);
    assert.match(log.messages.pop()!, /^Lockstep: the assembly language client could not be loaded: Cannot find module/);
  } finally {
    await ext.deactivate();
    for (const d of ctx.subscriptions) d.dispose();
  }
});
