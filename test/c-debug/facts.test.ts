// Unit tests of the stop facts' comparison: leaf paths, white space, optimized-out values, shadowed names, missing and extra facts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareFacts, normaliseText, stopLeaves, type Binding, type StopFacts } from './facts';
import { parseValue } from './gdb-value';

const bind = (name: string, text: string, atEntry?: boolean): Binding =>
  (atEntry ? { name, value: parseValue(text), atEntry } : { name, value: parseValue(text) });

/** A stop in probe_structs called from main, as GDB shows it at -O0. */
function stop(over: Partial<StopFacts> = {}): StopFacts {
  return {
    stop: 'structs_body', reached: true, notes: [],
    frames: [
      { level: 0, function: 'probe_structs', file: 'types.c', line: 38, inlined: false, args: [bind('s', '0x800004c0 <g_shape>')] },
      { level: 1, function: 'main', file: 'types.c', line: 72, inlined: false, args: [] },
    ],
    args: [bind('s', '0x800004c0 <g_shape>')],
    locals: [bind('center', '{x = 3, y = 12}'), bind('area', '208')],
    prints: [{ expr: 'grid', value: parseValue('{{0, 1}, {0 <repeats 12 times>}}') }],
    ...over,
  };
}

test('white space is normalised outside quoted literals only', () => {
  assert.equal(normaliseText('  {a =  1,\n b = 2}  '), '{a = 1, b = 2}');
  assert.equal(normaliseText('0x1  "a  b"'), '0x1 "a  b"');
  assert.equal(normaliseText("65 ' '"), "65 ' '");
});

test('the leaves of a stop: frames, arguments, locals and printed values by path', () => {
  const leaves = stopLeaves(stop());
  assert.equal(leaves.get('structs_body.depth'), '2');
  assert.equal(leaves.get('structs_body.frame[1].function'), 'main');
  assert.equal(leaves.get('structs_body.frame[0].arg(s)'), '0x800004c0 <g_shape>');
  assert.equal(leaves.get('structs_body.local(center).y'), '12');
  assert.equal(leaves.get('structs_body.print(grid)[1][0]'), '0');
  assert.equal(leaves.get('structs_body.print(grid)[1][0]<repeats>'), '12');
});

test('identical facts are all equal', () => {
  const r = compareFacts([stop()], [stop()]);
  assert.deepEqual(r.mismatches, []);
  assert.equal(r.equal, r.total);
  assert.equal(r.total, stopLeaves(stop()).size);
});

test('white space differences do not count; a different member does, by its path', () => {
  const ours = stop({ locals: [bind('center', '{x = 3, y = 13}'), { name: 'area', value: { kind: 'scalar', text: ' 208\n' } }] });
  const r = compareFacts([stop()], [ours]);
  assert.deepEqual(r.mismatches, ['structs_body.local(center).y: gdb 12 | ours 13']);
  assert.equal(r.equal, r.total - 1);
});

test('<optimized out> equals only itself', () => {
  const oracle = stop({ locals: [bind('center', '<optimized out>'), bind('area', '<optimized out>')] });
  const ours = stop({ locals: [bind('center', '{x = 3, y = 12}'), bind('area', '<optimized out>')] });
  const r = compareFacts([oracle], [ours]);
  assert.deepEqual(r.mismatches.sort(), [
    'structs_body.local(center): gdb <optimized out> | ours (none)',
    'structs_body.local(center).x: gdb (none) | ours 3',
    'structs_body.local(center).y: gdb (none) | ours 12',
  ].sort());
});

test('a shadowed name is compared occurrence by occurrence', () => {
  const oracle = stop({ locals: [bind('y', '30'), bind('x', '15'), bind('y', '14')] });
  const swapped = stop({ locals: [bind('y', '14'), bind('x', '15'), bind('y', '30')] });
  const r = compareFacts([oracle], [swapped]);
  assert.deepEqual(r.mismatches, ['structs_body.local(y): gdb 30 | ours 14', 'structs_body.local(y#2): gdb 14 | ours 30']);
});

test('a missing frame, a missing entry mark and an inlined flag are mismatches', () => {
  const oracle = stop();
  oracle.frames[0].args = [bind('s', '0x800004c0 <g_shape>', true)];
  const ours = stop();
  ours.frames = [{ ...ours.frames[0], inlined: true }];
  const r = compareFacts([oracle], [ours]);
  assert.ok(r.mismatches.includes('structs_body.depth: gdb 2 | ours 1'));
  assert.ok(r.mismatches.includes('structs_body.frame[0].inlined: gdb false | ours true'));
  assert.ok(r.mismatches.includes('structs_body.frame[0].arg(s)@entry: gdb same | ours (none)'));
  assert.ok(r.mismatches.includes('structs_body.frame[1].function: gdb main | ours (none)'));
});

test('a stop missing on our side counts every oracle fact; an extra stop of ours counts once', () => {
  const r = compareFacts([stop()], [{ ...stop(), stop: 'elsewhere' }]);
  assert.equal(r.equal, 0);
  assert.equal(r.total, stopLeaves(stop()).size + 1);
  assert.ok(r.mismatches.includes('elsewhere: a stop the oracle does not have'));
});
