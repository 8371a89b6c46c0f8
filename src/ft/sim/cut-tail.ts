// The cut-off tail of an append-only history a checkpoint keeps by length: going back keeps what it cut, so a restore to a later checkpoint of the same branch gets it back instead of holes.

/**
 * Beside one array that only grows while the simulation runs. `setLength(n)` truncates it (keeping the
 * cut items) or lengthens it again from them; `appended()` says the run re-made the next kept item (a
 * deterministic re-execution makes the same one); `discard()` forgets them when history branches (a
 * what-if: the old future is not this branch's).
 */
export class CutTail<T> {
  /** Cut items, the next one to come back on top (the end of the array). */
  private readonly stack: T[] = [];

  constructor(private readonly items: T[]) {}

  setLength(n: number): void {
    const items = this.items;
    if (!(Number.isSafeInteger(n) && n >= 0)) throw new Error(`history: bad length ${n}`);
    while (items.length > n) this.stack.push(items.pop()!);
    while (items.length < n) {
      if (this.stack.length === 0) throw new Error(`invariant: history restored to length ${n} past what this branch made (${items.length})`);
      items.push(this.stack.pop()!);
    }
  }

  /** The run appended an item: the same one as the next cut item, which is no longer ahead. */
  appended(): void {
    this.stack.pop();
  }

  discard(): void {
    this.stack.length = 0;
  }

  /** Cut items that a restore could bring back. */
  get cutCount(): number {
    return this.stack.length;
  }
}
