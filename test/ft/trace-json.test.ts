// The trace's canonical data form: the same string as JSON.stringify over sorted [key, value] pairs, for every kind of value.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stableJson, Trace } from '../../src/ft/sim/trace';
import { Hash64 } from '../../src/machine/hash';
import { mulberry32 } from '../helpers/mulberry32';

const reference = (o: Record<string, unknown>): string => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));

test('stableJson gives exactly the reference form (the trace hash of every run depends on it)', () => {
  const fixed: Record<string, unknown>[] = [
    {}, { a: 1 }, { b: 2, a: 1 }, { instret: 12345, heldNs: 50_026 }, { won: true, generation: 3 },
    { x: -0, y: NaN, z: Infinity, w: -Infinity, v: 1e21, u: 1.5e-7, t: -12.25 },
    { s: 'quote " backslash \\ newline \n tab \t unicode é \u2028', 'key "odd"': null, 'ключ': 'значение' },
    { u: undefined, f: () => 1, arr: [1, 'two', { z: 1, a: 2 }], obj: { b: 1, a: [null] } },
    { 10: 'numeric keys sort as strings', 9: 'x', a10: 1, a9: 2 },
  ];
  for (const o of fixed) assert.equal(stableJson(o), reference(o), JSON.stringify(Object.keys(o)));
  const rand = mulberry32(5);
  const values = [() => Math.floor(rand() * 2 ** 40) - 2 ** 39, () => rand() * 1e6, () => rand() < 0.5, () => `v${rand()}`, () => null, () => [rand()], () => ({ k: rand() })];
  for (let n = 0; n < 500; n++) {
    const o: Record<string, unknown> = {};
    const keys = Math.floor(rand() * 6);
    for (let k = 0; k < keys; k++) o[`k${Math.floor(rand() * 20)}`] = values[Math.floor(rand() * values.length)]();
    assert.equal(stableJson(o), reference(o));
  }
});

test('the trace hash of strings is the one it always was (Hash64.chars; recorded trace hashes depend on it)', () => {
  const pinned: [string, string][] = [
    ['', 'cbf29ce484222325'],
    ['a', 'af63da998601ec8c'],
    ['12345|state|||Protected|[["protected",true]]\n', 'adc6be2d3f5b7f23'],
    ['é€😀 mixed ✓', '18b05e00b4191e53'],
  ];
  for (const [s, hex] of pinned) {
    const t = new Trace(0);
    t.mix(s);
    assert.equal(t.hash(), hex, JSON.stringify(s));
    const h = new Hash64();
    for (const ch of s) h.chars(ch); // char by char, or a string at once: the same
    assert.equal(h.hex(), hex);
  }
});
