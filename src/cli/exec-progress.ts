// Signs of life for `lockstep exec` on a terminal: a progress line redrawn in place on stderr, and Ctrl-C that stops the run cleanly.

import type { Io } from './io';
import type { StandaloneResult, StandaloneRun } from '../machine/standalone';

/** The wall clock and the signals a terminal run listens to (tests pass their own: no real time, no real signals). */
export interface ExecPacing {
  /** Wall-clock milliseconds, monotonic. */
  nowMs(): number;
  /** Lets waiting events (a Ctrl-C) run between two steps of the run. */
  breathe(): Promise<void>;
  /** Calls `handler` at each Ctrl-C (SIGINT) until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
}

export const SYSTEM_PACING: ExecPacing = {
  nowMs: () => Number(process.hrtime.bigint()) / 1e6,
  breathe: () => new Promise((resolve) => setImmediate(resolve)),
  onInterrupt: (handler) => {
    process.on('SIGINT', handler);
    return () => { process.off('SIGINT', handler); };
  },
};

/** The line is redrawn at most this often (and first shown once the run has gone on this long). */
export const PROGRESS_INTERVAL_MS = 250;
/** Instructions per step between two looks at the clock and at Ctrl-C (tens of milliseconds of guest work). */
const STEP_INSTRUCTIONS = 1 << 22;
const CLEAR_LINE = '\r\x1b[K';

/** 1234567 → "1,234,567" (the same in every locale). */
export function groupThousands(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+$)/g, ',');
}

export function formatProgress(instret: number, elapsedMs: number, uartBytes: number): string {
  const mips = elapsedMs > 0 ? instret / elapsedMs / 1000 : 0;
  return `lockstep exec: ${groupThousands(instret)} instructions · ${mips.toFixed(1)} MIPS · ${groupThousands(uartBytes)} UART bytes`;
}

export function formatInterrupted(instret: number, uartBytes: number): string {
  return `lockstep exec: interrupted after ${groupThousands(instret)} instructions, ${groupThousands(uartBytes)} UART bytes`;
}

/** The progress line on stderr: drawn over itself, paced by the clock, cleared before other output and at the end. */
export class ProgressLine {
  private shown = false;
  private lastDrawMs: number;

  /** `mayDraw` says when the terminal's line is free (not when it holds the start of a guest's line). */
  constructor(private readonly io: Io, private readonly startMs: number, private readonly mayDraw: () => boolean = () => true) {
    this.lastDrawMs = startMs;
  }

  /** Redraws the line if PROGRESS_INTERVAL_MS passed since the last drawing (or since the start). */
  update(nowMs: number, instret: number, uartBytes: number): void {
    if (nowMs - this.lastDrawMs < PROGRESS_INTERVAL_MS || !this.mayDraw()) return;
    this.lastDrawMs = nowMs;
    this.io.stderr(`${CLEAR_LINE}${formatProgress(instret, nowMs - this.startMs, uartBytes)}`);
    this.shown = true;
  }

  /** Takes the line away (before the guest's output, and at the end); nothing when it is not shown. */
  clear(): void {
    if (!this.shown) return;
    this.io.stderr(CLEAR_LINE);
    this.shown = false;
  }
}

/**
 * Takes `run` in steps, updating `progress` between them, until the guest stops (its result) or Ctrl-C
 * (null). The progress line is cleared either way.
 */
export async function runWithProgress(run: StandaloneRun, progress: ProgressLine, pacing: ExecPacing): Promise<StandaloneResult | null> {
  let interrupted = false;
  const stopListening = pacing.onInterrupt(() => { interrupted = true; });
  try {
    for (;;) {
      const result = run.advance(run.instret + STEP_INSTRUCTIONS);
      if (result !== null) return result;
      progress.update(pacing.nowMs(), run.instret, run.env.uartBytes);
      await pacing.breathe();
      if (interrupted) return null;
    }
  } finally {
    stopListening();
    progress.clear();
  }
}
