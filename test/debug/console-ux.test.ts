// The Debug Console and fault injection as a new user meets them: unsigned addresses, an 80-column `.help`, partitions with groups, faults injected while stopped, a lost storage path.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HELLO, launch, stoppedAfter, topFrame, evalIn, withClient } from './helpers';

test('Debug Console: an address prints its decimal unsigned; .help fits an 80-column console', () =>
  withClient(async (dc) => {
    const entry = await launch(dc, { program: HELLO, untilMs: 20 });
    const tid = entry.body.threadId!;
    await stoppedAfter(dc, () => dc.nextRequest({ threadId: tid }));
    const f = await topFrame(dc, tid);
    const sp = await evalIn(dc, 'sp', f.id, 'repl');
    assert.match(sp, /^0x8[0-9a-f]{7} \(\d+\)$/, sp);
    assert.equal(Number(/\((\d+)\)/.exec(sp)![1]), parseInt(sp.slice(2, 10), 16));
    assert.equal(await evalIn(dc, '0 - 1', f.id, 'repl'), '0xffffffff (-1)', 'a number that is no address stays signed');
    const help = await evalIn(dc, '.help', undefined, 'repl');
    for (const line of help.split('\n')) assert.ok(line.length <= 80, `${line.length} columns: ${line}`);
    assert.match(help, /^\.inject partition HOST… \| HOST…$/m);
  }));

test('.inject partition with groups; a fault injected while stopped is listed as scheduled and said to wait for the run; storage loss shows in FT state', () =>
  withClient(async (dc) => {
    const entry = await launch(dc, { program: HELLO, untilMs: 20 });
    const tid = entry.body.threadId!;
    const note = dc.assertOutput('console', 'injected partition ({host-a} | {host-b, host-c}): it takes effect when the cluster runs on');
    const said = await evalIn(dc, '.inject partition host-a | host-b,host-c', undefined, 'repl');
    assert.match(said, /^partition host-a \| host-b,host-c takes effect at .*, when the cluster runs on: continue or step to see it$/);
    await note;
    const before = (await dc.customRequest('hosts')).body;
    assert.deepEqual(before.scheduled.map((x: { kind: string }) => x.kind), ['partition'], 'pending until the cluster runs');
    await evalIn(dc, '.inject storageLoss host-a', undefined, 'repl');
    await stoppedAfter(dc, () => dc.stepInRequest({ threadId: tid, granularity: 'instruction' }));
    const after = (await dc.customRequest('hosts')).body;
    assert.deepEqual(after.scheduled, []);
    const ab = after.links.find((l: { a: string; b: string }) => l.a === 'host-a' && l.b === 'host-b');
    assert.equal(ab.logging.up, false, 'the partition cut host-a from host-b');
    assert.equal(after.links.find((l: { a: string; b: string }) => l.a === 'host-b' && l.b === 'host-c').logging.up, true, 'host-b and host-c are one group');
    assert.equal(after.hosts.find((h: { name: string }) => h.name === 'host-a').storageReachable, false);
    const f = await topFrame(dc, tid);
    const ft = (await dc.scopesRequest({ frameId: f.id })).body.scopes.find((s) => s.name === 'FT state')!;
    const rows = (await dc.variablesRequest({ variablesReference: ft.variablesReference })).body.variables;
    assert.equal(rows.find((r) => r.name === 'shared storage')?.value, 'unreachable from host-a (storage path lost)');
  }));
