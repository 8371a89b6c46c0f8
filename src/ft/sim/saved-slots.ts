// A fixed-length array whose checkpoint copies share everything that did not change: saving a disk-sized array costs nothing while the disk is idle, and a chunk per write while it is busy.
//
// The storage's sectors and the checkers' per-sector marks are as long as the disk (4 096 slots by
// default), and a checkpoint every 5 ms of simulated time used to copy all three: 97 KB of the
// 139 KB a checkpoint of a CPU-bound run held, which the collector then moved and marked. The slots
// live in chunks of CHUNK slots; a save freezes the chunks as they are and shares them with the
// live array, and the next write to a shared chunk copies that chunk first. A saved copy is never
// written, so consecutive checkpoints (and a restore) can hold the same chunks.

import { assert } from './assert';

const CHUNK_SHIFT = 6;
const CHUNK = 1 << CHUNK_SHIFT;

/** What `save` returns: frozen chunks of the slots (opaque to callers; `restore` takes it back). */
export type SavedCopy<T> = readonly (readonly T[])[];

export class SavedSlots<T> {
  private chunks: T[][];
  /** Per chunk: whether a saved copy holds it (frozen: a write copies it first). */
  private readonly shared: boolean[];
  /** The copy the last save made, while no slot has been written since. */
  private copy: SavedCopy<T> | null = null;

  constructor(readonly length: number, fill: T) {
    assert(Number.isInteger(length) && length >= 0, 'SavedSlots: a length is a whole number');
    const count = Math.ceil(length / CHUNK);
    this.chunks = Array.from({ length: count }, (_, c) => new Array<T>(Math.min(CHUNK, length - c * CHUNK)).fill(fill));
    this.shared = new Array<boolean>(count).fill(false);
  }

  get(i: number): T {
    return this.chunks[i >>> CHUNK_SHIFT][i & (CHUNK - 1)];
  }

  set(i: number, value: T): void {
    assert(Number.isInteger(i) && i >= 0 && i < this.length, 'SavedSlots: slot outside the array');
    const c = i >>> CHUNK_SHIFT;
    if (this.shared[c]) {
      this.chunks[c] = this.chunks[c].slice();
      this.shared[c] = false;
    }
    this.chunks[c][i & (CHUNK - 1)] = value;
    this.copy = null;
  }

  /** The slots as they are now, for a checkpoint: the same copy until the next write, then new chunks only where written. */
  save(): SavedCopy<T> {
    if (this.copy === null) {
      for (let c = 0; c < this.chunks.length; c++) {
        if (!this.shared[c]) Object.freeze(this.chunks[c]);
        this.shared[c] = true;
      }
      this.copy = Object.freeze(this.chunks.slice());
    }
    return this.copy;
  }

  /** Takes back a saved copy; its chunks stay shared (nothing writes a saved copy). */
  restore(saved: SavedCopy<T>): void {
    const count = Math.ceil(this.length / CHUNK);
    assert(saved.length === count && saved.every((ch, c) => ch.length === Math.min(CHUNK, this.length - c * CHUNK)), 'SavedSlots: restoring a copy of another length');
    this.chunks = saved.slice() as T[][];
    this.shared.fill(true);
    this.copy = saved;
  }
}
