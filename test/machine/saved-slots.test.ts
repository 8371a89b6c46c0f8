// SavedSlots (src/machine/saved-slots.ts): saved copies never change, restores give back exactly what was saved, and unchanged chunks are shared, not copied.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SavedSlots, type SavedCopy } from '../../src/machine/saved-slots';
import { mulberry32 } from '../helpers/mulberry32';

const flat = <T>(copy: SavedCopy<T>): T[] => copy.flat();

test('random writes, saves and restores match a plain array copied whole each time', () => {
  for (const length of [0, 1, 63, 64, 65, 4096, 200]) {
    const rand = mulberry32(length + 1);
    const slots = SavedSlots.filled<number | undefined>(length, undefined);
    let model: (number | undefined)[] = new Array<number | undefined>(length).fill(undefined);
    const saves: { copy: SavedCopy<number | undefined>; model: (number | undefined)[] }[] = [];
    for (let op = 0; op < 2000; op++) {
      const r = rand();
      if (r < 0.7 && length > 0) {
        const i = Math.floor(rand() * length), v = Math.floor(rand() * 1000);
        slots.set(i, v);
        model[i] = v;
      } else if (r < 0.85) {
        saves.push({ copy: slots.save(), model: model.slice() });
      } else if (saves.length > 0) {
        const s = saves[Math.floor(rand() * saves.length)];
        slots.restore(s.copy);
        model = s.model.slice();
      }
      if (op % 97 === 0) for (let i = 0; i < length; i++) assert.equal(slots.get(i), model[i], `length ${length}, op ${op}, slot ${i}`);
    }
    for (const s of saves) assert.deepEqual(flat(s.copy), s.model, 'a saved copy never changes');
  }
});

test('a save after one write shares every chunk but the written one; a save with no write is the same copy', () => {
  const slots = SavedSlots.filled<string>(4096, '');
  const a = slots.save();
  assert.equal(slots.save(), a, 'nothing written: the same copy');
  slots.set(100, 'x');
  const b = slots.save();
  assert.equal(a.length, 64);
  const fresh = b.filter((chunk, c) => chunk !== a[c]);
  assert.equal(fresh.length, 1, 'one chunk copied');
  assert.ok(Object.isFrozen(b) && b.every((c) => Object.isFrozen(c)));
  assert.throws(() => slots.set(4096, "y"), /outside/);
  assert.throws(() => slots.restore(SavedSlots.filled<string>(10, '').save()), /another length/);
});
