// The discrete-event queue: plain-data events ordered by (time, insertion sequence), so runs are deterministic and snapshot-able.

export interface QueuedEvent<T> {
  timeNs: number;
  /** Among events at the same time, lower priority numbers fire first (injected faults use 0). */
  prio: number;
  seq: number;
  ev: T;
}

export class EventQueue<T> {
  private heap: QueuedEvent<T>[] = [];
  private nextSeq = 0;

  constructor(private readonly capacity: number) {
    if (capacity <= 0) throw new Error('event queue capacity must be positive');
  }

  get size(): number {
    return this.heap.length;
  }

  push(timeNs: number, ev: T, prio = 1): void {
    if (!Number.isFinite(timeNs) || timeNs < 0) throw new Error(`bad event time ${timeNs}`);
    if (this.heap.length >= this.capacity) throw new Error(`event queue full (${this.capacity} events): a runaway schedule`);
    const item = { timeNs, prio, seq: this.nextSeq++, ev };
    this.heap.push(item);
    this.up(this.heap.length - 1);
  }

  peekTime(): number {
    return this.heap.length === 0 ? Infinity : this.heap[0].timeNs;
  }

  pop(): QueuedEvent<T> | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      this.down(0);
    }
    return top;
  }

  /** Removes every event the predicate selects (e.g. the timers of a crashed VM). */
  removeWhere(pred: (ev: T) => boolean): number {
    const before = this.heap.length;
    this.heap = this.heap.filter((q) => !pred(q.ev));
    this.heap.sort(less2);
    return before - this.heap.length;
  }

  /** Plain-data copy for checkpoints. */
  getState(): { heap: QueuedEvent<T>[]; nextSeq: number } {
    return { heap: this.heap.map((q) => ({ ...q })), nextSeq: this.nextSeq };
  }

  setState(st: { heap: QueuedEvent<T>[]; nextSeq: number }): void {
    this.heap = st.heap.map((q) => ({ ...q }));
    this.nextSeq = st.nextSeq;
  }

  /** Events in time order (for views). */
  list(): QueuedEvent<T>[] {
    return [...this.heap].sort(less2);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && less(h[l], h[m])) m = l;
      if (r < h.length && less(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}

function less<T>(a: QueuedEvent<T>, b: QueuedEvent<T>): boolean {
  return less2(a, b) < 0;
}

function less2<T>(a: QueuedEvent<T>, b: QueuedEvent<T>): number {
  return a.timeNs - b.timeNs || a.prio - b.prio || a.seq - b.seq;
}
