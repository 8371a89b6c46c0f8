// Pure refresh throttle (no `vscode` import, unit-tested): bursts of requests become at most one run per interval, never two at once.

export class Throttle {
  private running = false;
  private pending = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastMs = -Infinity;
  private disposed = false;

  /** `run` is what a request leads to; `intervalMs` the least time between the starts of two runs. */
  constructor(private readonly run: () => Promise<void>, private readonly intervalMs: number, private readonly nowMs: () => number = Date.now) {}

  /** Asks for a run: now if the last one started long enough ago, else once at the end of the interval (requests meanwhile fold into it). */
  request(): void {
    if (this.disposed) return;
    if (this.running || this.timer !== undefined) {
      this.pending = true;
      return;
    }
    const waitMs = this.lastMs + this.intervalMs - this.nowMs();
    if (waitMs > 0) {
      this.timer = setTimeout(() => { this.timer = undefined; void this.start(); }, waitMs);
      return;
    }
    void this.start();
  }

  private async start(): Promise<void> {
    if (this.disposed) return;
    this.running = true;
    this.pending = false;
    this.lastMs = this.nowMs();
    try {
      await this.run();
    } catch {
      // the run reports its own errors
    } finally {
      this.running = false;
    }
    if (this.pending) this.request();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
