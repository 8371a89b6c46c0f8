// Tests of the RAM layer of snapshots and hashes: copy-on-write page sharing, exact restore, page hash cache, FNV vectors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ram, PAGE_SIZE } from '../../src/machine/ram';
import { CHUNK_PAGES, captureRam, copiedPages, imagePage, imagePageCount, restoreRam, zeroImage } from '../../src/machine/snapshot';
import { Hash64, PageHashCache, hashValue } from '../../src/machine/hash';

const BASE = 0x8000_0000;
const MiB = 1024 * 1024;

function fnv(s: string): string {
  const h = new Hash64();
  for (const c of Buffer.from(s)) h.word(c);
  return h.hex();
}

test('Hash64 fed bytes is FNV-1a 64 (published test vectors)', () => {
  assert.equal(fnv(''), 'cbf29ce484222325');
  assert.equal(fnv('a'), 'af63dc4c8601ec8c');
  assert.equal(fnv('foobar'), '85944171f73967e8');
});

test('hashValue is canonical for plain data and sensitive to every field', () => {
  const digest = (v: unknown): string => { const h = new Hash64(); hashValue(h, v); return h.hex(); };
  assert.equal(digest({ a: 1, b: [2, 3] }), digest({ b: [2, 3], a: 1 }));
  assert.notEqual(digest({ a: 1 }), digest({ a: 2 }));
  assert.notEqual(digest([1, 2]), digest([2, 1]));
  assert.notEqual(digest(new Int32Array([1])), digest(new Int32Array([2])));
  assert.notEqual(digest(null), digest(undefined));
  assert.notEqual(digest(0x1_0000_0000), digest(0));
  assert.throws(() => digest(() => 1));
});

test('a snapshot after touching 3 pages of 16 MiB copies exactly those 3 pages', () => {
  const ram = new Ram(BASE, 16 * MiB);
  const first = captureRam(ram, null);
  assert.equal(imagePageCount(first), 4096);
  assert.equal(first.chunks.length, 4096 / CHUNK_PAGES);
  for (const p of [0, 100, 4095]) {
    ram.bytes[p * PAGE_SIZE + 7] = 0x5a;
    ram.markWritten(p * PAGE_SIZE + 7, 1);
  }
  const second = captureRam(ram, first);
  assert.equal(copiedPages(first, second), 3);
  assert.equal(imagePage(second, 100)[7], 0x5a);
  assert.equal(imagePage(first, 100)[7], 0, 'the earlier image is unchanged');
  const changed = second.chunks.filter((chunk, c) => chunk !== first.chunks[c]).length;
  assert.equal(changed, 3, 'only the chunks holding a written page are new; the others are shared');
  const third = captureRam(ram, second);
  assert.equal(copiedPages(second, third), 0);
  assert.ok(Object.isFrozen(third) && Object.isFrozen(third.chunks) && third.chunks.every((c) => Object.isFrozen(c)));
  assert.ok(third.chunks.every((chunk, c) => chunk === second.chunks[c]), 'nothing written: every chunk is shared');
});

test('a RAM whose pages do not fill the last chunk is imaged and restored exactly', () => {
  const pages = CHUNK_PAGES * 2 + 5;
  const ram = new Ram(BASE, pages * PAGE_SIZE);
  const first = captureRam(ram, null);
  assert.deepEqual(first.chunks.map((c) => c.length), [CHUNK_PAGES, CHUNK_PAGES, 5]);
  for (const p of [1, CHUNK_PAGES * 2 + 4]) {
    ram.bytes[p * PAGE_SIZE + 3] = p & 0xff;
    ram.markWritten(p * PAGE_SIZE + 3, 1);
  }
  const second = captureRam(ram, first);
  assert.equal(copiedPages(first, second), 2);
  assert.equal(second.chunks[1], first.chunks[1], 'the untouched chunk is shared');
  assert.equal(imagePage(second, CHUNK_PAGES * 2 + 4)[3], (CHUNK_PAGES * 2 + 4) & 0xff);
  const changed: number[] = [];
  restoreRam(ram, first, second, (off, len) => changed.push(off / PAGE_SIZE, len / PAGE_SIZE));
  assert.deepEqual(changed, [1, 1, CHUNK_PAGES * 2 + 4, 1]);
  assert.ok(ram.bytes.every((b) => b === 0));
  assert.equal(zeroImage(BASE, pages * PAGE_SIZE).chunks.length, 3);
});

test('restoreRam is exact and rewrites only pages that differ', () => {
  const ram = new Ram(BASE, 1 * MiB);
  ram.writeBytes(BASE + 5000, new Uint8Array([1, 2, 3]));
  const a = captureRam(ram, null);
  const before = ram.bytes.slice();
  ram.writeBytes(BASE + 5000, new Uint8Array([9]));
  ram.writeBytes(BASE + 3 * PAGE_SIZE, new Uint8Array([9]));
  ram.writeBytes(BASE + 4 * PAGE_SIZE, new Uint8Array([9]));
  const b = captureRam(ram, a);
  const runs: [number, number][] = [];
  restoreRam(ram, a, b, (off, len) => runs.push([off, len]));
  assert.deepEqual(ram.bytes, before);
  assert.deepEqual(runs, [[PAGE_SIZE, PAGE_SIZE], [3 * PAGE_SIZE, 2 * PAGE_SIZE]]);
  assert.equal(ram.dirty.reduce((x, y) => x + y, 0), 0);
  ram.writeBytes(BASE, new Uint8Array([7]));
  const fresh: [number, number][] = [];
  restoreRam(ram, b, a, (off, len) => fresh.push([off, len]));
  assert.deepEqual(fresh, [[0, 2 * PAGE_SIZE], [3 * PAGE_SIZE, 2 * PAGE_SIZE]], 'dirty page 0 is rewritten too');
  assert.equal(ram.bytes[5000], 9);
  assert.equal(ram.bytes[0], 0);
});

test('a fresh RAM is clean relative to the zero image: its first snapshot copies only the pages written, and restoring skips zero pages', () => {
  const ram = new Ram(BASE, 16 * MiB);
  const zero = zeroImage(BASE, 16 * MiB);
  assert.equal(zeroImage(BASE, 16 * MiB), zero, 'one shared zero image per geometry');
  ram.writeBytes(BASE + 5 * PAGE_SIZE, new Uint8Array([1, 2, 3]));
  ram.writeBytes(BASE + 900 * PAGE_SIZE + 7, new Uint8Array([4]));
  const image = captureRam(ram, zero);
  assert.equal(copiedPages(zero, image), 2);
  const other = new Ram(BASE, 16 * MiB);
  const rewritten: [number, number][] = [];
  restoreRam(other, image, zeroImage(BASE, 16 * MiB), (off, len) => rewritten.push([off, len]));
  assert.deepEqual(rewritten, [[5 * PAGE_SIZE, PAGE_SIZE], [900 * PAGE_SIZE, PAGE_SIZE]]);
  assert.deepEqual(other.bytes, ram.bytes);
});

test('page hash cache rehashes only written pages and tracks content exactly', () => {
  const ram = new Ram(BASE, 1 * MiB);
  const cache = new PageHashCache(ram);
  const digest = (): string => { const h = new Hash64(); cache.feed(h); return h.hex(); };
  const empty = digest();
  assert.equal(cache.rehashedPages, 0, 'a fresh RAM is all zero: its page hashes are known without hashing');
  ram.hashDirty.fill(1);
  assert.equal(digest(), empty, 'the zero hashes a fresh cache starts with are what hashing the pages gives');
  assert.equal(cache.rehashedPages, 256);
  assert.equal(digest(), empty);
  assert.equal(cache.rehashedPages, 256);
  ram.writeBytes(BASE + 10 * PAGE_SIZE + 1, new Uint8Array([1]));
  const one = digest();
  assert.notEqual(one, empty);
  assert.equal(cache.rehashedPages, 257);
  ram.writeBytes(BASE + 10 * PAGE_SIZE + 1, new Uint8Array([0]));
  assert.equal(digest(), empty);
  ram.writeBytes(BASE + 11 * PAGE_SIZE + 1, new Uint8Array([1]));
  assert.notEqual(digest(), one, 'same bytes on another page hash differently');
});
