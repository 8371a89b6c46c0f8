// A fixed-length array whose checkpoint copies are one shared frozen copy until the next write: saving a disk-sized array costs nothing while the disk is idle.
//
// The storage's sectors and the checkers' per-sector marks are as long as the disk (4 096 slots by
// default), and a checkpoint every 5 ms of simulated time used to copy all three: 97 KB of the
// 139 KB a checkpoint of a CPU-bound run held, which the collector then moved and marked. A saved copy
// is never written (restore copies it back), so consecutive checkpoints can hold the same one.

import { assert } from './assert';

export class SavedSlots<T> {
  private items: T[];
  /** A frozen copy equal to `items`, or null after a write since the last save. */
  private copy: readonly T[] | null = null;

  constructor(readonly length: number, fill: T) {
    assert(Number.isInteger(length) && length >= 0, `SavedSlots: bad length ${length}`);
    this.items = new Array<T>(length).fill(fill);
  }

  get(i: number): T {
    return this.items[i];
  }

  set(i: number, value: T): void {
    assert(Number.isInteger(i) && i >= 0 && i < this.length, `SavedSlots: slot ${i} outside 0..${this.length - 1}`);
    this.items[i] = value;
    this.copy = null;
  }

  /** The slots as they are now, for a checkpoint: the same frozen array until the next write. */
  save(): readonly T[] {
    this.copy ??= Object.freeze(this.items.slice());
    return this.copy;
  }

  /** Takes back a saved copy; it stays shared (nothing writes a saved copy). */
  restore(saved: readonly T[]): void {
    assert(saved.length === this.length, `SavedSlots: restoring ${saved.length} slots into ${this.length}`);
    this.items = saved.slice();
    this.copy = saved;
  }
}
