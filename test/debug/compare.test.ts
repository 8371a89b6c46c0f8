// The `compareVMs` request's full-state texts over DAP (what the diff editor shows): equal on a clean run, one differing line per edit, a clear error without a pair.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { KVSTORE, ROOT, errorOf, launch, startClient, stoppedAfter } from './helpers';
import type { CompareVmsReply as Comparison } from '../../src/debug/requests';
import { LockstepRuntime } from '../../src/debug/runtime';
import { prepareLaunch } from '../../src/debug/launch';
import { compareVms, formatComparison } from '../../src/debug/inspect';

const FAILOVER = { ...JSON.parse(readFileSync(join(ROOT, 'examples/kvstore/failover.json'), 'utf8')), program: KVSTORE, stopOnEntry: true };

async function compare(dc: DebugClient, args: Record<string, unknown> = { dumpPages: 8 }): Promise<Comparison> {
  return (await dc.customRequest('compareVMs', args)).body as Comparison;
}

/** The lines of `text` from its `[cpu]` section on (what is compared at the common instruction count). */
const stateLines = (text: string): string[] => text.split('\n').slice(text.split('\n').indexOf('[cpu]'));
const lineOf = (text: string, re: RegExp): string | undefined => text.split('\n').find((l) => re.test(l));

async function withFailover(f: (dc: DebugClient) => Promise<void>): Promise<void> {
  const dc = await startClient();
  try {
    await launch(dc, FAILOVER);
    await stoppedAfter(dc, () => dc.customRequest('seek', { timeMs: 20 }));
    await f(dc);
  } finally {
    await dc.stop();
  }
}

async function secondaryRegisters(dc: DebugClient, vm: number): Promise<number> {
  const frame = (await dc.stackTraceRequest({ threadId: vm })).body.stackFrames[0];
  const scopes = (await dc.scopesRequest({ frameId: frame.id })).body.scopes;
  return scopes.find((s) => s.name === 'Registers')!.variablesReference;
}

test('compareVMs on examples/kvstore/failover.json: both texts at the same instret, identical from [cpu] on; a register written on the secondary is the one differing line', () =>
  withFailover(async (dc) => {
    const cmp = await compare(dc);
    assert.equal(cmp.same, true, JSON.stringify(cmp.registers));
    assert.ok(cmp.instret > 0);
    assert.deepEqual([cmp.primary.host, cmp.secondary.host], ['host-a', 'host-b']);
    assert.match(cmp.primaryText, new RegExp(`^primary @ host-a at instruction ${cmp.instret} \\(VM ${cmp.primary.vm}\\)\n`));
    assert.match(cmp.secondaryText, new RegExp(`^secondary @ host-b at instruction ${cmp.instret} `));
    for (const t of [cmp.primaryText, cmp.secondaryText]) {
      assert.equal(lineOf(t, /^instret /), `${'instret'.padEnd(21)} ${cmp.instret}`);
      assert.match(t, /^x10 a0 +0x[0-9a-f]{8}$/m);
      assert.match(t, /^mstatus +0x/m);
      assert.match(t, /^uart\.lcr /m);
      assert.match(t, /^protection /m);
      assert.match(t, /^\[memory\] 4096 pages of 4096 bytes from 0x80000000: 4096 identical, 0 differ$/m);
      assert.doesNotMatch(t, /\[differing pages\]/);
    }
    assert.deepEqual(stateLines(cmp.primaryText), stateLines(cmp.secondaryText));
    assert.equal(lineOf(cmp.primaryText, /^machine hash/), lineOf(cmp.secondaryText, /^machine hash/));

    const regs = await secondaryRegisters(dc, cmp.secondary.vm);
    await dc.setVariableRequest({ variablesReference: regs, name: 'a0', value: '0x1234abcd' });
    const after = await compare(dc);
    assert.equal(after.same, false);
    assert.equal(after.instret, cmp.instret, 'the edit does not move the compared count');
    assert.deepEqual(after.registers.map((r) => [r.name, r.secondary]), [['a0', '0x1234abcd']]);
    const [p, s] = [stateLines(after.primaryText), stateLines(after.secondaryText)];
    assert.equal(p.length, s.length, 'the same lines on both sides');
    const differ = p.map((l, i) => [l, s[i]]).filter(([a, b]) => a !== b);
    assert.deepEqual(differ, [[lineOf(after.primaryText, /^x10 a0 /)!, `${'x10 a0'.padEnd(21)} 0x1234abcd`]]);
    assert.notEqual(lineOf(after.primaryText, /^machine hash/), lineOf(after.secondaryText, /^machine hash/));
  }));

test('compareVMs with dumpPages: a RAM write on the secondary shows in the page map and as one differing hex line', () =>
  withFailover(async (dc) => {
    const cmp = await compare(dc);
    // Travel to the secondary at its own count: it becomes the focused VM, which writeMemory writes to.
    await stoppedAfter(dc, () => dc.customRequest('seek', { vm: cmp.secondary.vm, instret: cmp.instret }));
    await dc.send('writeMemory', { memoryReference: '0x80800000', offset: 4, data: Buffer.from('LOCK').toString('base64') });
    const after = await compare(dc, { dumpPages: 2 });
    assert.equal(after.same, false);
    assert.deepEqual(after.pages, [{ addr: '0x80800000', bytesDiffering: 4 }]);
    for (const t of [after.primaryText, after.secondaryText]) {
      assert.match(t, /^0x80800000-0x80800fff {2}differs \(4 bytes\)$/m);
      assert.match(t, /^0x80000000-0x807fffff {2}identical \(2048 pages\)$/m);
      assert.match(t, /^\[differing pages\] 1 of 1 dumped, 16 bytes a line$/m);
      assert.match(t, /^page 0x80800000:$/m);
    }
    const sLine = lineOf(after.secondaryText, /^0x80800000 {2}/)!;
    assert.match(sLine, /^0x80800000 {2}[0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{2} 4c 4f 43 4b .*\|....LOCK/);
    assert.notEqual(lineOf(after.primaryText, /^0x80800000 {2}/), sLine);
    assert.equal(lineOf(after.primaryText, /^0x80800010 {2}/), lineOf(after.secondaryText, /^0x80800010 {2}/));
    assert.match(await errorOf(dc.customRequest('compareVMs', { dumpPages: 1000 })), /dumpPages must be an integer from 0 to 64/);
  }));

test('compareVMs without a pair (the primary\'s host crashed, no secondary yet): an error that says so', async () => {
  const dc = await startClient();
  try {
    const stop = await launch(dc, FAILOVER);
    await dc.setExceptionBreakpointsRequest({ filters: ['failover'] });
    const s = await stoppedAfter(dc, () => dc.continueRequest({ threadId: stop.body.threadId! }));
    assert.match(s.body.description ?? '', /Failover/);
    assert.match(await errorOf(dc.customRequest('compareVMs', { dumpPages: 8 })), /needs a live primary and secondary|still being copied/);
  } finally {
    await dc.stop();
  }
});

test('compareVMs names the C globals that differ, with their values as GDB prints them', async () => {
  const l = prepareLaunch({ ...JSON.parse(readFileSync(join(ROOT, 'examples/kvstore/failover.json'), 'utf8')), program: KVSTORE, faults: [] });
  const rt = new LockstepRuntime({ scenario: l.scenario, program: l.program, programPath: l.programPath, programBytes: l.programBytes });
  await rt.runUntil(60e6);
  assert.deepEqual(compareVms(rt).globals, [], 'a healthy pair: no global differs');
  const s = rt.pair()!.s.id;
  const ticks = rt.info.symbol('ticks')!.addr;
  rt.writeMemory(s, ticks, new Uint8Array([0x39, 0x30, 0, 0]), false); // 12345 on the secondary only
  const cmp = compareVms(rt);
  const g = cmp.globals.find((x) => x.name === 'ticks');
  assert.equal(g?.secondary, '12345');
  assert.notEqual(g?.primary, '12345');
  assert.match(formatComparison(cmp), /^ {2}ticks = \d+ vs 12345$/m);
});
