// The bundled extension's `lockstep.compareVms` against the stand-in `vscode`: it opens vscode.diff over the two lockstep-vm documents,
// refreshes them at every stop while the diff is open, and shows why when there is no pair.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Any, BUNDLE, context, loadExtension, makeVscode } from '../helpers/vscode-stand-in';

const skip = existsSync(BUNDLE) ? false : 'dist/extension.js is not built (npm run build)';

const body = (instret: number, a0: string) => ({
  instret, same: false,
  primary: { vm: 1, name: 'primary @ host-a', host: 'host-a' },
  secondary: { vm: 2, name: 'secondary @ host-b', host: 'host-b' },
  registers: [], csrs: [], pages: [], globals: [],
  primaryText: `primary @ host-a at instruction ${instret} (VM 1)\nx10 a0 0x00000001\n`,
  secondaryText: `secondary @ host-b at instruction ${instret} (VM 2)\nx10 a0 ${a0}\n`,
});

/** A lockstep session whose `compareVMs` answers `reply()` (or throws it when it is an Error). */
function session(log: Any, reply: () => unknown): Any {
  return {
    id: 's1', type: 'lockstep',
    customRequest: async (command: string, args: Any) => {
      log.requests.push({ command, args });
      const r = reply();
      if (r instanceof Error) throw r;
      return r;
    },
  };
}

/** Resolves once the provider reported `n` changed documents. */
/** How many compareVMs requests the session got (the Hosts view asks for `hosts` at every stop too). */
const compares = (log: Any): number => log.requests.filter((r: Any) => r.command === 'compareVMs').length;

const changes = (provider: Any, n: number): Promise<string[]> => new Promise((resolve) => {
  const seen: string[] = [];
  provider.onDidChange((u: Any) => { seen.push(u.toString()); if (seen.length === n) resolve(seen.sort()); });
});

test('lockstep.compareVms opens vscode.diff over lockstep-vm:/primary@host-a.txt and lockstep-vm:/secondary@host-b.txt, refreshed at each stop while open', { skip }, async () => {
  const { vscode, log, events, adapterSent, showDiff, closeTabs } = makeVscode({});
  const ext = loadExtension(vscode);
  const ctx = context();
  ext.activate(ctx);
  try {
    const provider = log.contentProviders.get('lockstep-vm');
    assert.ok(provider, 'a content provider for the lockstep-vm scheme');
    await log.commands.get('lockstep.compareVms')!();
    assert.match(log.messages.pop()!, /no active Lockstep debug session/);

    let reply: unknown = body(1234, '0x00000001');
    const s = session(log, () => reply);
    vscode.debug.activeDebugSession = s;
    await log.commands.get('lockstep.compareVms')!();
    assert.deepEqual(log.requests.filter((r: Any) => r.command !== 'hosts'), [{ command: 'compareVMs', args: { dumpPages: 16, ifNoPair: 'reply' } }], 'one VM: no vm named');
    assert.equal(log.executed.length, 1);
    const [left, right, title, options] = log.executed[0].args;
    assert.equal(log.executed[0].command, 'vscode.diff');
    assert.deepEqual([left.toString(), right.toString()], ['lockstep-vm:/primary@host-a.txt', 'lockstep-vm:/secondary@host-b.txt']);
    assert.equal(title, 'Primary @ host-a ↔ Secondary @ host-b (instret 1234)');
    assert.deepEqual(options, { preview: false });
    assert.equal(provider.provideTextDocumentContent(left), (reply as Any).primaryText);
    assert.equal(provider.provideTextDocumentContent(right), (reply as Any).secondaryText);

    // A stop while the diff is open: one new compareVMs, both documents change.
    showDiff(left, right);
    reply = body(2000, '0x1234abcd');
    const changed = changes(provider, 2);
    adapterSent(s, { type: 'event', event: 'stopped', body: { reason: 'step' } });
    assert.deepEqual(await changed, ['lockstep-vm:/primary@host-a.txt', 'lockstep-vm:/secondary@host-b.txt']);
    assert.equal(compares(log), 2);
    assert.match(provider.provideTextDocumentContent(right), /instruction 2000[\s\S]*a0 0x1234abcd/);
    adapterSent(s, { type: 'event', event: 'output', body: {} });
    assert.equal(compares(log), 2, 'only stopped events refresh');

    // After a failover with the new secondary still being copied: the documents say so.
    reply = new Error('the secondary is still being copied (Not Protected (Starting))');
    const noPair = changes(provider, 2);
    adapterSent(s, { type: 'event', event: 'stopped', body: { reason: 'exception' } });
    await noPair;
    assert.match(provider.provideTextDocumentContent(left), /cannot compare the primary and the secondary right now:\n {2}the secondary is still being copied/);
    await log.commands.get('lockstep.compareVms')!();
    assert.match(log.messages.pop()!, /cannot compare the primary and the secondary now: the secondary is still being copied/);
    assert.equal(log.executed.length, 1, 'no diff opened without a pair');

    // The diff closed: stops no longer ask the adapter.
    closeTabs();
    const before = compares(log);
    adapterSent(s, { type: 'event', event: 'stopped', body: { reason: 'step' } });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(compares(log), before);

    // The session ends: the documents say so.
    events.terminate.fire(s);
    assert.match(provider.provideTextDocumentContent(left), /the debug session ended/);
  } finally {
    await ext.deactivate();
    for (const d of ctx.subscriptions) d.dispose();
  }
});
