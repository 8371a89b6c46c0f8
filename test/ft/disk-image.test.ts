// A program's disk image in the FT world: the shared storage starts from it (zeros past it), and one bigger than the scenario's disk is a ProgramFitError.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SECTOR_BYTES, SharedStorage } from '../../src/ft/world/storage';
import { Cluster } from '../../src/ft/cluster';
import { ProgramFitError, type Program } from '../../src/machine/program';
import { kvstore, scenario } from './helpers';

/** `sectors` sectors, each filled with its own number + 1 (so no sector is all zeros). */
function image(sectors: number): Uint8Array {
  const b = new Uint8Array(sectors * SECTOR_BYTES);
  for (let s = 0; s < sectors; s++) b.fill(s + 1, s * SECTOR_BYTES, (s + 1) * SECTOR_BYTES);
  return b;
}

function withDisk(diskImage: Uint8Array): Program {
  return { ...kvstore(), origin: 'disk.elf', diskImage };
}

test('shared storage made from an image reads it back, reads zeros past it, and keeps its own copy', () => {
  const img = image(3);
  img.fill(0, SECTOR_BYTES, 2 * SECTOR_BYTES); // an all-zero sector inside the image
  const storage = new SharedStorage(16, 1000, img);
  assert.equal(storage.capacitySectors, 16);
  assert.deepEqual(storage.read(0, 3), img);
  assert.deepEqual(storage.read(3, 13), new Uint8Array(13 * SECTOR_BYTES), 'zeros past the image');
  img.fill(0xff);
  assert.equal(storage.read(0, 1)[0], 1, 'changing the caller\'s array later changes nothing');
  assert.deepEqual(new SharedStorage(4, 1000).read(0, 4), new Uint8Array(4 * SECTOR_BYTES), 'no image: all zeros');
});

test('a restored storage state goes back to the image, not to zeros', () => {
  const storage = new SharedStorage(8, 1000, image(2));
  const start = storage.getState();
  storage.write(0, new Uint8Array(2 * SECTOR_BYTES).fill(0xee));
  assert.equal(storage.read(1, 1)[0], 0xee);
  storage.setState(start);
  assert.deepEqual(storage.read(0, 2), image(2));
});

test('an image that is not whole sectors or bigger than the disk is refused by the storage itself', () => {
  assert.throws(() => new SharedStorage(8, 1000, new Uint8Array(100)), /does not fit 8 sectors/);
  assert.throws(() => new SharedStorage(2, 1000, image(3)), /does not fit 2 sectors/);
});

test('a program whose disk image exceeds storage.diskSectors is a ProgramFitError naming both sizes', () => {
  const s = scenario({ storage: { diskSectors: 8 } });
  assert.throws(() => new Cluster(s, withDisk(image(9))),
    (e: unknown) => e instanceof ProgramFitError && e.message === 'disk.elf: its disk image has 9 sectors, more than the scenario\'s disk (storage.diskSectors: 8)');
});

test('a program whose disk image fits starts the VM\'s shared disk with it', () => {
  const cluster = new Cluster(scenario({ storage: { diskSectors: 8 } }), withDisk(image(8)));
  assert.deepEqual(cluster.main.storage.read(0, 8), image(8));
  const small = new Cluster(scenario({ storage: { diskSectors: 16 } }), withDisk(image(2)));
  assert.deepEqual(small.main.storage.read(0, 2), image(2));
  assert.deepEqual(small.main.storage.read(2, 14), new Uint8Array(14 * SECTOR_BYTES));
  assert.deepEqual(new Cluster(scenario(), kvstore()).main.storage.read(0, 1), new Uint8Array(SECTOR_BYTES), 'no image: zeros');
});
