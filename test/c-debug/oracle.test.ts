// The GDB oracle on the C corpus: GDB reaches every stop of every build, its text parses whole, and known -O0 values come out right.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gdbFacts, oracleUnavailable } from '../helpers/gdb-oracle';
import { corpusElf, corpusStops, PROGRAMS, VARIANTS, type Program } from './corpus';
import type { Binding, StopFacts, Value } from './facts';

const skip = oracleUnavailable() ?? false;
const opts = { skip, timeout: 60_000 };
const O0 = ['gcc-O0', 'gcc-O0-dwarf4', 'clang-O0'];

/** One GDB session per program and build, shared by the tests that read its facts. */
const sessions = new Map<string, Promise<StopFacts[]>>();
function facts(program: Program, variant: string): Promise<StopFacts[]> {
  const key = `${program}-${variant}`;
  if (!sessions.has(key)) sessions.set(key, gdbFacts(corpusElf(program, variant), corpusStops(program)));
  return sessions.get(key)!;
}

function unparsed(v: Value): boolean {
  if (v.kind === 'struct') return v.fields.some((f) => unparsed(f.value));
  if (v.kind === 'array') return v.elements.some((e) => unparsed(e.value));
  return v.kind === 'unparsed';
}

function allValues(s: StopFacts): Value[] {
  const bound = (list: Binding[]): Value[] => list.map((b) => b.value);
  return [...s.frames.flatMap((f) => bound(f.args)), ...bound(s.args), ...bound(s.locals), ...s.prints.map((p) => p.value)];
}

for (const program of PROGRAMS) {
  for (const v of VARIANTS) {
    test(`${program} ${v.name}: GDB reaches every stop, in its function, down to main, and its text parses whole`, opts, async () => {
      const got = await facts(program, v.name);
      for (const [i, stop] of corpusStops(program).entries()) {
        const s = got[i];
        assert.equal(s.stop, stop.name);
        assert.ok(s.reached, `${stop.name} not reached: ${s.notes.join('; ')}`);
        assert.deepEqual(s.notes, [], stop.name);
        assert.equal(s.frames[0].function, stop.func, stop.name);
        assert.equal(s.frames[0].file, `${program}.c`, stop.name);
        assert.equal(s.frames[s.frames.length - 1].function, 'main', stop.name);
        assert.deepEqual(s.frames.map((f) => f.level), s.frames.map((_, n) => n), stop.name);
        assert.deepEqual(s.prints.map((p) => p.expr), stop.exprs, stop.name);
        assert.ok(!allValues(s).some(unparsed), `${stop.name}: a value GDB printed did not parse`);
      }
    });
  }
}

/** The stop's facts by name, with its printed values and bindings as text. */
async function at(program: Program, variant: string, name: string) {
  const s = (await facts(program, variant)).find((f) => f.stop === name)!;
  const text = (list: Binding[]): string[] => list.map((b) => `${b.name} = ${b.value.text}`);
  const printed = (expr: string): Value => s.prints.find((p) => p.expr === expr)!.value;
  return { s, locals: text(s.locals), args: text(s.args), printed, print: (expr: string): string => printed(expr).text };
}

test('frames, in every build: the always-inline call is an inlined frame, and recursion keeps a frame per level', opts, async () => {
  for (const v of VARIANTS) {
    const clamp = (await at('frames', v.name, 'clamp_first')).s;
    assert.deepEqual(clamp.frames.map((f) => [f.function, f.inlined]), [['clamp_add', true], ['probe_inline', false], ['main', false]], v.name);
    const base = (await at('frames', v.name, 'walk_base')).s;
    assert.deepEqual(base.frames.map((f) => f.function), ['walk', 'walk', 'walk', 'walk', 'main'], v.name);
    const third = (await at('frames', v.name, 'walk_third')).s;
    assert.equal(third.frames.length, 4, v.name);
  }
});

for (const variant of O0) {
  test(`types ${variant}: nested struct members, bitfields, a 2-D array element, a union, 64-bit and char values`, opts, async () => {
    const structs = await at('types', variant, 'structs_body');
    assert.deepEqual(structs.locals, ['center = {x = 3, y = 12}', 'area = 208']);
    assert.equal(structs.print('s->box.max.y'), '20');
    assert.match(structs.print('&g_shape.box'), /^\(struct rect \*\) 0x[0-9a-f]+ <g_shape\+4>$/);
    assert.equal(structs.print('g_packet'), "{version = 5, urgent = 1, delta = -7, length = 1500, tag = 80 'P'}");
    const arrays = await at('types', variant, 'arrays_body');
    assert.equal(arrays.print('grid[2][1]'), '21');
    const local2d = arrays.printed('local2d');
    assert.ok(local2d.kind === 'array' && local2d.elements[1].value.kind === 'array');
    assert.equal(local2d.elements[1].value.elements[2].value.text, '75');
    assert.equal(arrays.print('g_zeros'), "'\\000' <repeats 23 times>");
    assert.equal((await at('types', variant, 'unions_body')).print('*pw'), '{u = 4294849348, half = {13124, -2}, bytes = "D3\\376\\377"}');
    const scalars = await at('types', variant, 'scalars_body');
    assert.ok(scalars.args.includes("d = 200 '\\310'") && scalars.args.includes('p = (P_READ | P_EXEC)'), scalars.args.join('; '));
    assert.equal(scalars.print('g_ubig'), '18364758544493064720');
    assert.equal(scalars.print('g_big'), '-1234567890123');
  });

  test(`frames ${variant}: recursion depths, inlined locals, function pointers`, opts, async () => {
    const base = await at('frames', variant, 'walk_base');
    assert.deepEqual(base.s.frames.slice(0, 4).map((f) => f.args.find((a) => a.name === 'depth')!.value.text), ['3', '2', '1', '0']);
    assert.equal(base.print('*n'), '{value = 40, next = 0x0}');
    assert.equal((await at('frames', variant, 'clamp_first')).print('s'), '70');
    assert.equal((await at('frames', variant, 'clamp_second')).print('s'), '50');
    const add = await at('frames', variant, 'add_entry');
    assert.deepEqual(add.s.frames.map((f) => f.function), ['add', 'probe_callback', 'main']);
    const callback = await at('frames', variant, 'callback_body');
    const pointer = (expr: string): string[] => {
      const p = callback.printed(expr);
      return p.kind === 'pointer' ? [p.type ?? '', p.symbol ?? ''] : [p.kind];
    };
    assert.deepEqual([pointer('fn'), pointer('chosen'), pointer('handlers[1].fn')], [['binop', 'add'], ['binop', 'mul'], ['binop', 'mul']]);
  });

  test(`scopes ${variant}: static locals across calls, shadowing blocks, strings and pointers to structs`, opts, async () => {
    const first = await at('scopes', variant, 'statics_first');
    assert.deepEqual([first.print('counter'), first.print('s_calls')], ['15', '1']);
    assert.match(first.print('last'), /^0x[0-9a-f]+ "up"$/);
    const second = await at('scopes', variant, 'statics_second');
    assert.deepEqual([second.print('counter'), second.print('s_calls')], ['13', '2']);
    assert.deepEqual((await at('scopes', variant, 'shadow_inner')).locals, ['y = 30', 'x = 15', 'z = 45', 'y = 14']);
    const pointers = await at('scopes', variant, 'pointers_body');
    assert.equal(pointers.print('a->peer->owner'), '"bob\\000\\000\\000\\000"');
    assert.equal(pointers.print('total'), '50');
    assert.equal(pointers.print('initial'), "104 'h'");
    assert.match(pointers.print('words[1]'), /^0x[0-9a-f]+ "beta"$/);
  });
}

/** Our own child processes still alive (or not yet reaped), by command name. */
function children(): string[] {
  const stats = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((d) => {
    try { return readFileSync(`/proc/${d}/stat`, 'utf8'); } catch { return ''; }
  });
  return stats.map((st) => /^\d+ \((.*)\) \S+ (\d+)/.exec(st)).filter((m) => m !== null && Number(m[2]) === process.pid).map((m) => m![1]);
}

const noProc = !existsSync('/proc/self/stat') && 'no /proc to list child processes';
test('a session that times out is killed whole: every stop unreached, no GDB or QEMU left behind', { ...opts, skip: skip || noProc }, async () => {
  const got = await gdbFacts(corpusElf('frames', 'gcc-O0'), corpusStops('frames'), { timeoutMs: 50 });
  assert.ok(got.every((s) => !s.reached && s.notes.includes('the GDB session timed out')), JSON.stringify(got.map((s) => s.notes)));
  assert.deepEqual(children().filter((c) => /gdb|qemu/.test(c)), []);
});
