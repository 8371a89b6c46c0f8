// C debugging through the real adapter, no GDB needed: Arguments and Locals per frame (callers too), inlined calls as frames, C expressions with memory references, function breakpoints past the prologue.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { DebugInfo } from '../../src/machine/dwarf-debug-info';
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

/** Launches `program`, breaks at the corpus line marked `/* STOP: marker *\/` of `source`, continues there: the stop and its top frame. */
async function stopAtMarker(dc: DebugClient, program: string, source: string, marker: string): Promise<{ hit: DebugProtocol.StoppedEvent; top: DebugProtocol.StackFrame }> {
  const stop = await launch(dc, { program, untilMs: 2000 }, async () => {
    await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line: lineOf(source, `STOP: ${marker}`) }] });
  });
  const hit = await stoppedAfter(dc, () => dc.continueRequest({ threadId: stop.body.threadId! }));
  return { hit, top: (await dc.stackTraceRequest({ threadId: hit.body.threadId! })).body.stackFrames[0] };
}

test('recursion: every walk frame shows its own arguments, and the caller frames are at their calls', () =>
  withClient(async (dc) => {
    const { hit } = await stopAtMarker(dc, ELF, FRAMES_C, 'walk_base');
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
    assert.equal(Number(row.memoryReference), Number(/^0x[0-9a-f]+/.exec(row.value)![0]), 'a pointer\'s memory reference is the address it holds (View Binary Data opens the node)');
    const own = /0x[0-9a-f]+/.exec(await evalIn(dc, '&n', frames[1].id))![0];
    const info = await dc.dataBreakpointInfoRequest({ name: 'n', frameId: frames[1].id });
    assert.equal(Number(info.body.dataId!.split(':')[0]), Number(own), 'a data breakpoint on a C local of the selected frame, by name: the variable itself');
    assert.ok(info.body.dataId!.endsWith(':4'));
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
    const { hit } = await stopAtMarker(dc, CLANG, FRAMES_C, 'walk_base');
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
    const { hit } = await stopAtMarker(dc, og, FRAMES_C, 'walk_base');
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
    const { top } = await stopAtMarker(dc, join(DIR, 'build/types-gcc-Og.elf'), join(DIR, 'types.c'), 'unions_body');
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

test('members, elements and bit fields: each row names itself in C, and is set where it lives', () =>
  withClient(async (dc) => {
    const { top } = await stopAtMarker(dc, join(DIR, 'build/types-gcc-O0.elf'), join(DIR, 'types.c'), 'structs_body');
    const pk = (await scope(dc, top.id, 'Arguments')).get('pk')!;
    const members = new Map((await dc.variablesRequest({ variablesReference: pk.variablesReference })).body.variables.map((v) => [v.name, v]));
    assert.equal(members.get('length')?.evaluateName, 'pk.length');
    await dc.setVariableRequest({ variablesReference: pk.variablesReference, name: 'length', value: '1234' });
    await dc.setVariableRequest({ variablesReference: pk.variablesReference, name: 'urgent', value: '0' });
    await dc.setVariableRequest({ variablesReference: pk.variablesReference, name: 'delta', value: 'pk.delta - 1' });
    assert.equal(await evalIn(dc, 'pk', top.id), "{version = 5, urgent = 0, delta = -4, length = 1234, tag = 80 'P'}", 'the bit fields around the written ones keep their bits');
    const s = (await scope(dc, top.id, 'Arguments')).get('s')!;
    const pointee = (await dc.variablesRequest({ variablesReference: s.variablesReference })).body.variables[0];
    assert.equal(pointee.evaluateName, '*s');
    const fields = new Map((await dc.variablesRequest({ variablesReference: pointee.variablesReference })).body.variables.map((v) => [v.name, v]));
    const sides = fields.get('sides')!;
    assert.equal(sides.evaluateName, '(*s).sides');
    const third = (await dc.variablesRequest({ variablesReference: sides.variablesReference })).body.variables[2];
    assert.equal(third.evaluateName, '(*s).sides[2]');
    const set = await dc.setVariableRequest({ variablesReference: sides.variablesReference, name: '[2]', value: '33' });
    assert.equal(set.body.value, '33');
    assert.equal(await evalIn(dc, 'g_shape.sides[2]', top.id), '33', 'written through the pointer, into the global');
    const info = await dc.dataBreakpointInfoRequest({ name: 'length', variablesReference: pk.variablesReference });
    assert.match(info.body.dataId ?? '', /:2$/, `a data breakpoint on a member: its own address and size (${JSON.stringify(info.body)})`);
  }));

test('a large array comes a page at a time (indexedVariables), its elements named in C', () =>
  withClient(async (dc) => {
    const stop = await launch(dc, { program: join(ROOT, 'examples/kvstore/kvstore.elf'), untilMs: 50 }, async () => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'main' }] });
    });
    const hit = stop.body.reason === 'entry' ? await stoppedAfter(dc, () => dc.continueRequest({ threadId: stop.body.threadId! })) : stop;
    const top = (await dc.stackTraceRequest({ threadId: hit.body.threadId! })).body.stackFrames[0];
    const table = (await scope(dc, top.id, 'Globals')).get('table')!;
    assert.equal(table.indexedVariables, 256);
    const page = (await dc.variablesRequest({ variablesReference: table.variablesReference, filter: 'indexed', start: 200, count: 10 })).body.variables;
    assert.deepEqual(page.map((v) => v.name), Array.from({ length: 10 }, (_, i) => `[${200 + i}]`));
    assert.equal(page[0].evaluateName, 'table[200]');
    const slot = new Map((await dc.variablesRequest({ variablesReference: page[5].variablesReference })).body.variables.map((v) => [v.name, v]));
    assert.equal(slot.get('keyLen')?.evaluateName, 'table[205].keyLen');
    await dc.setVariableRequest({ variablesReference: page[5].variablesReference, name: 'keyLen', value: '7' });
    assert.equal(await evalIn(dc, 'table[205].keyLen', top.id), "7 '\\a'", 'a uint8_t prints as GDB prints it');
  }));

/** The ELF with one byte of its .debug_info at `at` (from the section's start) replaced. */
function withDebugInfoByte(elf: Uint8Array, at: number, byte: number): Uint8Array {
  const out = new Uint8Array(elf);
  const dv = new DataView(out.buffer);
  const shoff = dv.getUint32(0x20, true);
  const shentsize = dv.getUint16(0x2e, true);
  const shnum = dv.getUint16(0x30, true);
  const strtab = dv.getUint32(shoff + dv.getUint16(0x32, true) * shentsize + 16, true);
  for (let i = 0; i < shnum; i++) {
    const sh = shoff + i * shentsize;
    let name = '';
    for (let p = strtab + dv.getUint32(sh, true); out[p] !== 0; p++) name += String.fromCharCode(out[p]);
    if (name === '.debug_info') {
      out[dv.getUint32(sh + 16, true) + at] = byte;
      return out;
    }
  }
  throw new Error('no .debug_info');
}

test('damaged DWARF costs its unit only: one message in the Debug Console, and that code still debugs by lines and symbols', () =>
  withClient(async (dc) => {
    const src = join(ROOT, 'test/fixtures/dwarf/types-dwarf4.elf');
    const bytes = new Uint8Array(readFileSync(src));
    const sumList = DebugInfo.fromElf(bytes).findFunction('sum_list')!;
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-dwarf-'));
    const elf = join(dir, 'damaged.elf');
    writeFileSync(elf, withDebugInfoByte(bytes, sumList.offset, 0x7e)); // an abbreviation code the table lacks
    const notes: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.category === 'important' && /DWARF/.test(e.body.output)) notes.push(e.body.output); });
    const stop = await launch(dc, { program: elf, untilMs: 50 }, async () => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'sum_list' }] });
    });
    const hit = stop.body.reason === 'entry' ? await stoppedAfter(dc, () => dc.continueRequest({ threadId: stop.body.threadId! })) : stop;
    assert.equal(hit.body.reason, 'function breakpoint');
    const top = (await dc.stackTraceRequest({ threadId: hit.body.threadId! })).body.stackFrames[0];
    assert.equal(top.name, 'sum_list');
    assert.ok(top.line > 0 && top.source?.path?.endsWith('types.c'), 'the line table still places it');
    const scopes = (await dc.scopesRequest({ frameId: top.id })).body.scopes.map((s) => s.name);
    assert.ok(scopes.includes('Registers') && !scopes.includes('Arguments'), `machine scopes, no C ones: ${scopes.join(', ')}`);
    await stoppedAfter(dc, () => dc.stepInRequest({ threadId: hit.body.threadId! }));
    assert.equal(notes.length, 1, `one message: ${JSON.stringify(notes)}`);
    assert.match(notes[0], /unit at 0x22.*abbreviation 126.*lines and symbols/);
  }));

test('call frame information unwinds where prologue analysis cannot: at walk\'s `ret`, its frame already popped', () =>
  withClient(async (dc) => {
    const og = join(DIR, 'build/frames-gcc-Og.elf');
    // walk (objdump -d): 8000012c lw ra,12(sp) / 8000012e lw s0,8(sp) / 80000130 addi sp,sp,16 / 80000132 ret
    const stop = await launch(dc, { program: og, untilMs: 2000 }, async () => {
      await dc.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: '0x80000132' }] });
    });
    const hit = stop.body.reason === 'entry' ? await stoppedAfter(dc, () => dc.continueRequest({ threadId: stop.body.threadId! })) : stop;
    const frames = (await dc.stackTraceRequest({ threadId: hit.body.threadId! })).body.stackFrames;
    assert.deepEqual(frames.map((f) => f.name), ['walk', 'walk', 'walk', 'walk', 'main'], 'the innermost walk returns from depth 3');
    assert.deepEqual(frames.slice(1, 4).map((f) => f.line), Array(3).fill(lineOf(FRAMES_C, 'int rest = walk(n->next, depth + 1);')));
    const depths = [];
    for (const f of frames.slice(0, 4)) depths.push(await evalIn(dc, 'depth', f.id));
    assert.deepEqual(depths, ['3', '2', '1', '0']);
  }));
