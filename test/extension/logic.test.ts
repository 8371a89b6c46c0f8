// The extension's VS Code-free logic: F5 defaults, initial/dynamic configurations, FT status text, the palette's requests.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileConfiguration, initialConfigurations, isGuestProgram, resolveLaunch } from '../../src/extension/defaults';
import { initialStatus, statusFromEvent } from '../../src/extension/status';
import { ActionCommand, actionCommands, CustomRequest, describeReply, hostCommands } from '../../src/extension/actions';
import { argsProblems } from '../../src/debug/requests';
import { DIFF_DUMP_PAGES } from '../../src/extension/compare-docs';
import { seekArguments } from '../../src/extension/timeline-model';
import { prepareLaunch } from '../../src/debug/launch';
import { parseScenario } from '../../src/ft/scenario';

const root = join(__dirname, '../..');
const hello = join(root, 'examples/hello/hello.s');
const elf = join(root, 'examples/kvstore/kvstore.elf');

test('F5 with no launch.json on an open .s file debugs it, stopping on entry', () => {
  const r = resolveLaunch({}, { activeFile: hello, languageId: 'plaintext', folder: root });
  assert.ok('config' in r);
  assert.deepEqual(r.config, { type: 'lockstep', request: 'launch', name: 'Lockstep: hello.s', program: hello, stopOnEntry: true, cwd: root });
  // …and the adapter accepts what the provider produced.
  const launch = prepareLaunch(r.config);
  assert.equal(launch.stopOnEntry, true);
  assert.equal(launch.programPath, hello);
});

test('F5 on an ELF (recognised by its magic, whatever its name) debugs it; cwd falls back to its folder', () => {
  const head = new Uint8Array([0x7f, 0x45, 0x4c, 0x46]);
  const r = resolveLaunch({}, { activeFile: '/some/where/firmware', head });
  assert.ok('config' in r);
  assert.equal(r.config.program, '/some/where/firmware');
  assert.equal(r.config.cwd, '/some/where');
  assert.ok(isGuestProgram({ activeFile: elf }));
  assert.ok(isGuestProgram({ activeFile: '/x/y.txt', languageId: 'lockstep-asm' }));
  assert.ok(!isGuestProgram({ activeFile: '/x/y.txt', head: new Uint8Array([1, 2, 3, 4]) }));
});

test('F5 with nothing to debug is an error message, not a broken launch', () => {
  const r = resolveLaunch({}, { activeFile: '/x/notes.md', languageId: 'markdown' });
  assert.ok('error' in r && /assembly/.test(r.error));
  assert.ok('error' in resolveLaunch({}, {}));
  const partial = resolveLaunch({ type: 'lockstep', request: 'launch', name: 'x' }, {});
  assert.ok('error' in partial && /program/.test(partial.error));
});

test('an explicit configuration keeps its values; only missing ones are filled', () => {
  const config = { type: 'lockstep', request: 'launch', name: 'demo', program: 'examples/kvstore/kvstore.elf', stopOnEntry: false, seed: 3 };
  const r = resolveLaunch(config, { activeFile: hello, folder: root });
  assert.ok('config' in r);
  assert.deepEqual(r.config, { ...config, cwd: root });
  const replay = resolveLaunch({ type: 'lockstep', request: 'launch', name: 'r', replay: '/rec/seed-1.lsrec' }, {});
  assert.ok('config' in replay);
  assert.equal(replay.config.program, undefined, 'a replay takes no program');
  assert.equal(replay.config.cwd, '/rec');
  assert.equal(replay.config.stopOnEntry, true);
  // A cluster names each VM's program under `vms`: the active file is not added (a scenario gives `program` or `vms`).
  const cluster = resolveLaunch({ type: 'lockstep', request: 'launch', name: 'c', vms: [{ name: 'kv-1', program: 'kvstore.elf' }] }, { activeFile: hello, folder: root });
  assert.ok('config' in cluster);
  assert.equal(cluster.config.program, undefined, 'a cluster takes no program');
  assert.equal(cluster.config.cwd, root);
});

test('initial configurations, and the launch of Debug Guest Program on a file', () => {
  const [init] = initialConfigurations();
  assert.deepEqual(init, { type: 'lockstep', request: 'launch', name: 'Lockstep: debug the active file', program: '${file}', stopOnEntry: true });
  const file = fileConfiguration(elf);
  assert.deepEqual(file, { type: 'lockstep', request: 'launch', name: 'Lockstep: kvstore.elf', program: elf, stopOnEntry: true });
  const r = resolveLaunch(file, { folder: root });
  assert.ok('config' in r && r.config.program === elf, 'the resolver keeps its program whatever the active editor');
});

test('status bar text from the FT state events', () => {
  assert.equal(statusFromEvent({ kind: 'state', text: 'VM powered on as primary on host-a', vm: 1, host: 'host-a' }), undefined);
  assert.equal(statusFromEvent({ kind: 'goLive', text: 'secondary went live' }), undefined);
  const ok = statusFromEvent({ kind: 'state', timeNs: 154_622_000, text: 'Protected', data: { protected: true } });
  assert.deepEqual(ok, { text: '$(shield) FT: Protected', tooltip: 'Lockstep Fault Tolerance: Protected at 154.622 ms (simulated)', protected: true });
  const bad = statusFromEvent({ kind: 'state', timeNs: 100_000_000, text: 'Not Protected (VM not Running)', data: { protected: false } });
  assert.equal(bad?.text, '$(warning) FT: Not Protected (VM not Running)');
  assert.equal(bad?.protected, false);
  assert.equal(initialStatus().protected, false);
});

test('palette commands are valid custom requests: FT actions and faults the scenario schema accepts', () => {
  const cmds = actionCommands();
  assert.deepEqual(cmds.flatMap((c) => (c.request.command === 'ftAction' ? [c.request.args.action] : [])),
    ['testFailover', 'testRestartSecondary', 'turnOffFT', 'turnOnFT', 'suspendFT', 'resumeFT', 'migrateSecondary']);
  const faults = cmds.filter((c): c is ActionCommand & { request: CustomRequest<'injectFault'> } => c.request.command === 'injectFault');
  assert.ok(faults.some((f) => f.request.args.kind === 'hostCrash' && f.request.args.host === '@primary'));
  const hosts = [{ name: 'host-a' }, { name: 'host-b' }];
  for (const f of faults) assert.doesNotThrow(() => parseScenario({ program: hello, hosts, faults: [{ atMs: 1, ...f.request.args }] }), f.id);
  for (const c of cmds) assert.match(c.id, /^lockstep\.[\w.]+$/);
  assert.equal(describeReply(faults[0].request, { atNs: 2_500_000 }), 'Lockstep: hostCrash on @primary injected at 2.500 ms.');
  assert.match(describeReply({ command: 'findDivergence', args: {} }, { same: true }), /never differ/);
  assert.equal(describeReply({ command: 'reverseStep', args: { kind: 'out' } }, { nowNs: 1_250_000 }), 'Lockstep: stepped back (out) to 1.250 ms.');
  assert.deepEqual(cmds.flatMap((c) => (c.request.command === 'reverseStep' ? [c.request.args.kind] : [])), ['in', 'out']);
});

test('every request the extension sends has arguments the contract accepts', () => {
  for (const c of actionCommands()) assert.deepEqual(argsProblems(c.request.command, c.request.args), [], c.id);
  for (const h of hostCommands()) assert.deepEqual(argsProblems('injectFault', h.request('host-b').args), [], h.id);
  for (const t of [0, 1, 140_200_000, 299_999_999.5]) assert.deepEqual(argsProblems('seek', seekArguments(t)), [], String(t));
  assert.deepEqual(argsProblems('compareVMs', { dumpPages: DIFF_DUMP_PAGES }), []);
  for (const bare of ['timeline', 'hosts', 'findDivergence'] as const) assert.deepEqual(argsProblems(bare, undefined), [], bare);
});
