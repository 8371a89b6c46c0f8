// C debugging through the real adapter, no GDB needed: Arguments and Locals per frame (callers too), inlined calls as frames, C expressions with memory references, function breakpoints past the prologue.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { ROOT, launch, stoppedAfter, evalIn, withClient, lineOf } from './helpers';

const DIR = join(ROOT, 'test/fixtures/c-debug');
const FRAMES_C = join(DIR, 'frames.c');
const ELF = join(DIR, 'build/frames-gcc-O0.elf');
const CLANG = join(DIR, 'build/frames-clang-O0.elf');

async function scope(dc: DebugClient, frameId: number, name: string): Promise<Map<string, DebugProtocol.Variable>> {
  const s = (await dc.scopesRequest({ frameId })).body.scopes.find((x) => x.name === name);
  assert.ok(s !== undefined, `scope ${name}`);
  const vars = (await dc.variablesRequest({ variablesReference: s.variablesReference })).body.variables;
  return new Map(vars.map((v) => [v.name, v]));
}

test('recursion: every walk frame shows its own arguments, and the caller frames are at their calls', () =>
  withClient(async (dc) => {
    const stop = await launch(dc, { program: ELF, untilMs: 2000 }, async () => {
      await dc.setBreakpointsRequest({ source: { path: FRAMES_C }, breakpoints: [{ line: lineOf(FRAMES_C, 'STOP: walk_base') }] });
    });
    const hit = await stoppedAfter(dc, () => dc.continueRequest({ threadId: stop.body.threadId! }));
    assert.equal(hit.body.reason, 'breakpoint');
    const frames = (await dc.stackTraceRequest({ threadId: hit.body.threadId! })).body.stackFrames;
    assert.deepEqual(frames.map((f) => f.name), ['walk', 'walk', 'walk', 'walk', 'main'], 'down to main, as GDB shows');
    const depths = [];
    for (const f of frames.slice(0, 4)) depths.push((await scope(dc, f.id, 'Arguments')).get('depth')?.value);
    assert.deepEqual(depths, ['3', '2', '1', '0']);
    assert.equal(frames[1].line, lineOf(FRAMES_C, 'int rest = walk(n->next, depth + 1);'));
    const n = (await scope(dc, frames[0].id, 'Arguments')).get('n')!;
    assert.match(n.value, /^0x[0-9a-f]+ <chain\+24>$/);
    assert.ok(n.variablesReference > 0, 'a pointer to a struct expands to what it points at');
    assert.equal(await evalIn(dc, 'n->value + depth', frames[0].id), '43');
    const chain = await dc.evaluateRequest({ expression: 'chain[1]', frameId: frames[0].id, context: 'hover' });
    assert.match(chain.body.result, /^\{value = 20, next = 0x[0-9a-f]+ <chain\+16>\}$/);
    assert.ok(chain.body.memoryReference !== undefined, 'a value in memory opens the memory view there');
    const args = (await dc.scopesRequest({ frameId: frames[0].id })).body.scopes.find((s) => s.name === 'Arguments')!;
    const set = await dc.setVariableRequest({ variablesReference: args.variablesReference, name: 'depth', value: 'depth * 2 + 1' });
    assert.equal(set.body.value, '7');
    assert.equal(await evalIn(dc, 'depth', frames[0].id), '7');
    assert.equal(await evalIn(dc, 'depth', frames[1].id), '2', 'the caller\'s own depth is untouched');
    const row = (await scope(dc, frames[1].id, 'Arguments')).get('n')!;
    const info = await dc.dataBreakpointInfoRequest({ name: 'n', frameId: frames[1].id });
    assert.equal(info.body.dataId, `${row.memoryReference}:4`, 'a data breakpoint on a C local of the selected frame, by name');
    assert.equal((await dc.dataBreakpointInfoRequest({ name: 'chain[1]', frameId: frames[0].id })).body.dataId?.endsWith(':8'), true, 'the size of its type');
    const chainRow = (await scope(dc, frames[0].id, 'Globals')).get('chain')!;
    assert.match(chainRow.value, /^\{\{value = 10, next = 0x[0-9a-f]+ <chain\+8>\}, /, 'globals typed from DWARF');
    assert.ok(chainRow.variablesReference > 0);
  }));

test('an always-inline call is a frame of its own; a function breakpoint stops past the prologue with the arguments stored', () =>
  withClient(async (dc) => {
    const stop = await launch(dc, { program: ELF, untilMs: 2000 }, async () => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'probe_inline' }] });
      await dc.setBreakpointsRequest({ source: { path: FRAMES_C }, breakpoints: [{ line: lineOf(FRAMES_C, 'STOP: clamp_body') }] });
    });
    const entry = await stoppedAfter(dc, () => dc.continueRequest({ threadId: stop.body.threadId! }));
    assert.equal(entry.body.reason, 'function breakpoint');
    const top = (await dc.stackTraceRequest({ threadId: entry.body.threadId! })).body.stackFrames[0];
    assert.equal(top.name, 'probe_inline');
    assert.equal(top.line, lineOf(FRAMES_C, 'int first = clamp_add(a, b, 100);'));
    const args = await scope(dc, top.id, 'Arguments');
    assert.deepEqual([args.get('a')?.value, args.get('b')?.value], ['30', '40']);
    const inner = await stoppedAfter(dc, () => dc.continueRequest({ threadId: entry.body.threadId! }));
    const frames = (await dc.stackTraceRequest({ threadId: inner.body.threadId! })).body.stackFrames;
    assert.deepEqual(frames.slice(0, 3).map((f) => f.name), ['clamp_add [inlined]', 'probe_inline', 'main']);
    assert.equal((await scope(dc, frames[0].id, 'Locals')).get('s')?.value, '70');
    assert.equal((await scope(dc, frames[0].id, 'Arguments')).get('limit')?.value, '100');
  }));

test('clang keeps its frame base in s0: caller frames read their arguments through s0 recovered by call frame information', () =>
  withClient(async (dc) => {
    const stop = await launch(dc, { program: CLANG, untilMs: 2000 }, async () => {
      await dc.setBreakpointsRequest({ source: { path: FRAMES_C }, breakpoints: [{ line: lineOf(FRAMES_C, 'STOP: walk_base') }] });
    });
    const hit = await stoppedAfter(dc, () => dc.continueRequest({ threadId: stop.body.threadId! }));
    const frames = (await dc.stackTraceRequest({ threadId: hit.body.threadId! })).body.stackFrames;
    const depths = [];
    for (const f of frames.slice(0, 4)) depths.push((await scope(dc, f.id, 'Arguments')).get('depth')?.value);
    assert.deepEqual(depths, ['3', '2', '1', '0']);
    const top = await scope(dc, frames[0].id, 'Registers');
    const caller = await scope(dc, frames[1].id, 'Registers (pc, sp of this frame)');
    assert.match(caller.get('s0')!.value, /^0x[0-9a-f]{8}$/);
    assert.notEqual(caller.get('s0')!.value, top.get('s0')!.value, 'the caller\'s own frame pointer, restored from where the callee saved it');
    assert.equal(caller.get('a0')!.value, '<not saved>', 'a caller-saved register is not known in a caller frame');
  }));

test('optimized code (-Og): arguments the compiler keeps only as entry values are read from the caller\'s call site, as GDB reads them', () =>
  withClient(async (dc) => {
    const og = join(DIR, 'build/frames-gcc-Og.elf');
    const stop = await launch(dc, { program: og, untilMs: 2000 }, async () => {
      await dc.setBreakpointsRequest({ source: { path: FRAMES_C }, breakpoints: [{ line: lineOf(FRAMES_C, 'STOP: walk_base') }] });
    });
    const hit = await stoppedAfter(dc, () => dc.continueRequest({ threadId: stop.body.threadId! }));
    const frames = (await dc.stackTraceRequest({ threadId: hit.body.threadId! })).body.stackFrames;
    assert.deepEqual(frames.map((f) => f.name), ['walk', 'walk', 'walk', 'walk', 'main']);
    const depths = [];
    for (const f of frames.slice(0, 4)) depths.push((await scope(dc, f.id, 'Arguments')).get('depth')?.value);
    // depth lives in no register past the call: DW_OP_entry_value(a1), and each call site passes entry_value(a1) + 1.
    assert.deepEqual(depths, ['3', '2', '1', '0'], 'each caller\'s depth from its own caller\'s call site, recursively');
    assert.equal(await evalIn(dc, 'depth@entry', frames[1].id), '2');
    assert.equal(await evalIn(dc, 'depth@entry + 40', frames[3].id), '40');
    const args = await scope(dc, frames[0].id, 'Arguments');
    assert.deepEqual([...args.keys()], ['n', 'depth'], 'no x@entry row where the value on entry is the value now');
    await assert.rejects(dc.evaluateRequest({ expression: 'n@entry', frameId: frames[0].id, context: 'repl' }), /n@entry: the value on entry is not known here/,
      'the recursive call site passes no a0 value');
  }));

test('optimized code (-Og): an argument gone from its register shows <optimized out> with its value on entry beside it', () =>
  withClient(async (dc) => {
    const typesC = join(DIR, 'types.c');
    const stop = await launch(dc, { program: join(DIR, 'build/types-gcc-Og.elf'), untilMs: 2000 }, async () => {
      await dc.setBreakpointsRequest({ source: { path: typesC }, breakpoints: [{ line: lineOf(typesC, 'STOP: unions_body') }] });
    });
    const hit = await stoppedAfter(dc, () => dc.continueRequest({ threadId: stop.body.threadId! }));
    const top = (await dc.stackTraceRequest({ threadId: hit.body.threadId! })).body.stackFrames[0];
    const args = await scope(dc, top.id, 'Arguments');
    assert.equal(args.get('w')?.value, '<optimized out>');
    assert.equal(args.get('w@entry')?.value, '{u = 2712847316, half = {-15404, -24142}, bytes = "\\324ò\\241"}');
    assert.equal(await evalIn(dc, 'w@entry.half[1]', top.id), '-24142');
    assert.equal(await evalIn(dc, 'w.half[1]', top.id), '<optimized out>', 'an element of a value not in memory, as GDB gives it');
  }));

test('breakpoint conditions and log points read C: `depth == 2 && n->value == 30` stops once, `{*n}` logs each visit', () =>
  withClient(async (dc) => {
    const line = lineOf(FRAMES_C, 'STOP: walk_base');
    const stop = await launch(dc, { program: ELF, untilMs: 2000 }, async () => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'walk', condition: 'depth == 2 && n->value == 30' }] });
      await dc.setBreakpointsRequest({ source: { path: FRAMES_C }, breakpoints: [{ line, logMessage: 'base {depth}: {*n} {a0 == a0}' }] });
    });
    const logged: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.output.startsWith('base')) logged.push(e.body.output.trim()); });
    const hit = await stoppedAfter(dc, () => dc.continueRequest({ threadId: stop.body.threadId! }));
    const top = (await dc.stackTraceRequest({ threadId: hit.body.threadId! })).body.stackFrames[0];
    assert.equal(await evalIn(dc, 'depth', top.id), '2', 'the condition held only at depth 2');
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    await stoppedAfter(dc, () => dc.continueRequest({ threadId: hit.body.threadId! }));
    // Each VM that runs the line logs it (both do here: the secondary replays it).
    assert.ok(logged.length > 0 && logged.every((l) => l === 'base 3: {value = 40, next = 0x0} 1'), `a log point prints C values as GDB does, machine expressions too: ${JSON.stringify(logged)}`);
  }));
