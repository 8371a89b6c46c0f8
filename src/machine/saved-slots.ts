// Chunked copy-on-write arrays: a saved copy is frozen chunks that later copies share wherever nothing was written (RAM images' page tables; the world's disk-sized arrays in src/ft).
//
// A checkpoint every 5 ms of simulated time used to copy four arrays whole: a 16 MiB RAM image's
// page table (4 096 slots), the storage's sectors and the checkers' two per-sector marks (4 096
// each), 93% of the 139 KB a checkpoint of a CPU-bound run held, which the collector then moved and
// marked. Here the slots live in chunks of CHUNK; a save freezes the chunks as they are and shares
// them with the live array, and the next write to a shared chunk copies that chunk first. A saved
// copy is never written, so consecutive copies (and a restore) hold the same chunks.

const CHUNK_SHIFT = 6;
export const CHUNK = 1 << CHUNK_SHIFT;

/** What `save` returns: frozen chunks of the slots, CHUNK to a chunk (the last may be shorter). */
export type SavedCopy<T> = readonly (readonly T[])[];

/** Slot `i` of a saved copy. */
export function savedAt<T>(copy: SavedCopy<T>, i: number): T {
  return copy[i >>> CHUNK_SHIFT][i & (CHUNK - 1)];
}

/** A saved copy of `items` (chunks made and frozen). */
export function savedCopyOf<T>(items: readonly T[]): SavedCopy<T> {
  const chunks: (readonly T[])[] = [];
  for (let at = 0; at < items.length; at += CHUNK) chunks.push(Object.freeze(items.slice(at, at + CHUNK)));
  return Object.freeze(chunks);
}

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`invariant: SavedSlots: ${what}`);
}

export class SavedSlots<T> {
  /** Per chunk: whether a saved copy holds it (frozen: a write copies it first). */
  private readonly shared: boolean[];
  /** The copy the last save made, while no slot has been written since. */
  private copy: SavedCopy<T> | null;

  private constructor(readonly length: number, private chunks: T[][], saved: SavedCopy<T> | null) {
    this.shared = new Array<boolean>(chunks.length).fill(saved !== null);
    this.copy = saved;
  }

  /** `length` slots holding `fill`. */
  static filled<T>(length: number, fill: T): SavedSlots<T> {
    check(Number.isInteger(length) && length >= 0, 'a length is a whole number');
    const chunks = Array.from({ length: Math.ceil(length / CHUNK) }, (_, c) => new Array<T>(Math.min(CHUNK, length - c * CHUNK)).fill(fill));
    return new SavedSlots(length, chunks, null);
  }

  /** Slots holding a saved copy, sharing its chunks. */
  static from<T>(saved: SavedCopy<T>): SavedSlots<T> {
    return new SavedSlots(saved.reduce((n, ch) => n + ch.length, 0), saved.slice() as T[][], saved);
  }

  get(i: number): T {
    return this.chunks[i >>> CHUNK_SHIFT][i & (CHUNK - 1)];
  }

  set(i: number, value: T): void {
    check(Number.isInteger(i) && i >= 0 && i < this.length, 'slot outside the array');
    const c = i >>> CHUNK_SHIFT;
    if (this.shared[c]) {
      this.chunks[c] = this.chunks[c].slice();
      this.shared[c] = false;
    }
    this.chunks[c][i & (CHUNK - 1)] = value;
    this.copy = null;
  }

  /** The slots as they are now: the same copy until the next write, then new chunks only where written. */
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
    check(saved.length === count && saved.every((ch, c) => ch.length === Math.min(CHUNK, this.length - c * CHUNK)), 'restoring a copy of another length');
    this.chunks = saved.slice() as T[][];
    this.shared.fill(true);
    this.copy = saved;
  }
}
