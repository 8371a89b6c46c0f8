// Unit tests of the GDB value parser on text GDB 13 printed for the C corpus, and on the forms it prints elsewhere.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseValue, parseValueAt, ValueSyntaxError, type Value } from './gdb-value';

/** The tree without its `text` fields, for compact expectations. */
function shape(v: Value): unknown {
  switch (v.kind) {
    case 'struct': return Object.fromEntries(v.fields.map((f) => [f.name, shape(f.value)]));
    case 'array': return v.elements.map((e) => (e.repeats === undefined ? shape(e.value) : { repeat: shape(e.value), times: e.repeats }));
    case 'char': return `char ${v.code} ${v.literal}`;
    case 'pointer': return `ptr ${v.type ?? ''}|${v.address}|${v.symbol ?? ''}|${v.string ?? ''}`;
    default: return `${v.kind} ${v.text}`;
  }
}

test('nested structs, a union with a char array, an int array', () => {
  const text = '{name = 0x800004a0 "square", box = {min = {x = -3, y = 4}, max = {x = 10, y = 20}, fill = GREEN}, ' +
    'id = {u = 287454020, half = {13124, 4386}, bytes = "D3\\"\\021"}, sides = {1, 2, 3, 4}}';
  const v = parseValue(text);
  assert.equal(v.text, text);
  assert.deepEqual(shape(v), {
    name: 'ptr |0x800004a0||"square"',
    box: { min: { x: 'scalar -3', y: 'scalar 4' }, max: { x: 'scalar 10', y: 'scalar 20' }, fill: 'scalar GREEN' },
    id: { u: 'scalar 287454020', half: ['scalar 13124', 'scalar 4386'], bytes: 'string "D3\\"\\021"' },
    sides: ['scalar 1', 'scalar 2', 'scalar 3', 'scalar 4'],
  });
});

test('bitfields and a char member', () => {
  assert.deepEqual(shape(parseValue("{version = 5, urgent = 1, delta = -3, length = 1500, tag = 80 'P'}")), {
    version: 'scalar 5', urgent: 'scalar 1', delta: 'scalar -3', length: 'scalar 1500', tag: "char 80 'P'",
  });
});

test('2-D arrays, partly optimised out', () => {
  assert.deepEqual(shape(parseValue('{{1, 2, 3}, {4, 5, 75}}')), [['scalar 1', 'scalar 2', 'scalar 3'], ['scalar 4', 'scalar 5', 'scalar 75']]);
  const v = parseValue('{{<optimized out>, 2, <optimized out>}, {<optimized out>, <optimized out>, 75}}');
  assert.deepEqual(shape(v), [['special <optimized out>', 'scalar 2', 'special <optimized out>'],
    ['special <optimized out>', 'special <optimized out>', 'scalar 75']]);
});

test('repeats: indices count the elements they stand for', () => {
  const v = parseValue('{1, 0 <repeats 15 times>, 7}');
  assert.equal(v.kind, 'array');
  if (v.kind !== 'array') return;
  assert.deepEqual(v.elements.map((e) => [e.index, e.value.text, e.repeats]), [[0, '1', undefined], [1, '0', 15], [16, '7', undefined]]);
  assert.deepEqual(shape(parseValue('{{a = 0} <repeats 12 times>}')), [{ repeat: { a: 'scalar 0' }, times: 12 }]);
});

test('char arrays: strings, runs of repeats, a lone run; arrays of strings stay arrays', () => {
  assert.deepEqual(shape(parseValue('"hello\\000\\000\\000"')), 'string "hello\\000\\000\\000"');
  assert.deepEqual(shape(parseValue("'\\000' <repeats 23 times>")), "string '\\000' <repeats 23 times>");
  assert.deepEqual(shape(parseValue(`"ab", 'x' <repeats 20 times>, "cd"`)), `string "ab", 'x' <repeats 20 times>, "cd"`);
  assert.deepEqual(shape(parseValue('{owner = "alice\\000\\000", balance = 100}')), { owner: 'string "alice\\000\\000"', balance: 'scalar 100' });
  assert.deepEqual(shape(parseValue('{"ab", "cd"}')), ['string "ab"', 'string "cd"']);
  assert.deepEqual(shape(parseValue('"\\324ò\\241"')), 'string "\\324ò\\241"');
});

test('pointers: cast, symbol, string, function type, null, array of char pointers', () => {
  assert.equal(shape(parseValue('(struct shape *) 0x800004c0 <g_shape>')), 'ptr struct shape *|0x800004c0|g_shape|');
  assert.equal(shape(parseValue('(struct node *) 0x0')), 'ptr struct node *|0x0||');
  assert.equal(shape(parseValue('0x80000424 <chain+24>')), 'ptr |0x80000424|chain+24|');
  assert.equal(shape(parseValue('(binop) 0x800000c0 <add>')), 'ptr binop|0x800000c0|add|');
  assert.equal(shape(parseValue('{int (int, int)} 0x800000c0 <add>')), 'ptr int (int, int)|0x800000c0|add|');
  assert.equal(shape(parseValue('0x80000500 <buf> "text"')), 'ptr |0x80000500|buf|"text"');
  assert.deepEqual(shape(parseValue('{0x80000320 "alpha", 0x80000328 "beta", 0x0}')),
    ['ptr |0x80000320||"alpha"', 'ptr |0x80000328||"beta"', 'ptr |0x0||']);
  assert.deepEqual(shape(parseValue('{name = 0x80000394 "mul", fn = 0x800000e0 <mul>}')),
    { name: 'ptr |0x80000394||"mul"', fn: 'ptr |0x800000e0|mul|' });
});

test('scalars: enums, flag enums, chars, 64-bit numbers, floats, booleans', () => {
  for (const t of ['BLUE', '(P_READ | P_EXEC)', '(unknown: 0x8)', '(P_READ | unknown: 0x8)', '0', '-1234567890123',
    '18364758544493064720', '1.5', '-2.5e-10', 'inf', '-nan(0x400000)', 'true', 'information']) {
    const v = parseValue(t);
    assert.deepEqual([v.kind, v.text], ['scalar', t], t);
  }
  assert.equal(shape(parseValue("-100 '\\234'")), "char -100 '\\234'");
  assert.equal(shape(parseValue("39 '\\''")), "char 39 '\\''");
});

test('special values, including one whose message holds a quote', () => {
  for (const t of ['<optimized out>', '<synthetic pointer>', '<unavailable>', "<error: Can't read memory at 0x0>"]) {
    assert.deepEqual(shape(parseValue(t)), `special ${t}`);
  }
  assert.deepEqual(shape(parseValue("{a = <error: Can't read>, b = 2}")), { a: "special <error: Can't read>", b: 'scalar 2' });
  assert.deepEqual(shape(parseValue('(int *) <synthetic pointer>')), 'special (int *) <synthetic pointer>');
});

test('anonymous members and empty structs', () => {
  assert.deepEqual(parseValue('{x = 1, {u = 2, f = 3}}').kind, 'struct');
  const v = parseValue('{{u = 2, f = 3}, x = 1}');
  assert.equal(v.kind, 'struct');
  if (v.kind === 'struct') assert.deepEqual(v.fields.map((f) => f.name), ['', 'x']);
  assert.deepEqual(shape(parseValue('{}')), {});
  assert.deepEqual(shape(parseValue('{<No data fields>}')), {});
});

test('a value inside a longer line ends where the value ends', () => {
  const line = 'probe (r={min = {x = -3, y = 4}}, p=(P_READ | P_EXEC)) at ./types.c:65';
  const r = parseValueAt(line, line.indexOf('{'));
  assert.equal(line.slice(r.end, r.end + 4), ', p=');
  const p = parseValueAt(line, line.indexOf('(P_'));
  assert.equal(p.value.text, '(P_READ | P_EXEC)');
});

test('text that is not a value is refused', () => {
  for (const t of ['', '{1, 2', "'a'", '"open', 'x = 1', '{a = 1} trailing', '@']) {
    assert.throws(() => parseValue(t), ValueSyntaxError, JSON.stringify(t));
  }
});
