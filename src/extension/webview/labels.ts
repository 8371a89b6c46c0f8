// Which event labels the Timeline draws beside their buttons: whole or not at all, so neighbours never pile up. Pure: no DOM.

/** An event button of a frame in time order: its x, its lane and the width of its whole label (0: it has none). */
export interface LabelCandidate {
  x: number;
  lane: number;
  width: number;
}

/**
 * The drawn width of each candidate's label: its whole width when it fits between its button and the next button of
 * its lane (or the plot's right edge), else 0 — the button's tooltip and accessible name still carry it.
 */
export function labelWidths(items: readonly LabelCandidate[], plotWidth: number, markPx: number): number[] {
  const out = new Array<number>(items.length).fill(0);
  const nextX = new Map<number, number>();
  for (let i = items.length - 1; i >= 0; i--) {
    const it = items[i];
    const room = (nextX.has(it.lane) ? nextX.get(it.lane)! - markPx / 2 : plotWidth) - it.x - markPx / 2 - 8;
    nextX.set(it.lane, it.x);
    out[i] = it.width > 0 && it.width <= room ? it.width : 0;
  }
  return out;
}

/**
 * The range Fit shows: from 0 to the furthest simulated time reached (the explored frontier, or the cursor if it is
 * beyond), with the run's end (`untilMs`) as the ceiling; at least `minNs` (capped by the end) so a fresh run shows
 * something. A small margin each side keeps the first and last events off the edges.
 */
export function fitRange(nowNs: number, frontierNs: number, endNs: number, minNs: number): [number, number] {
  const end = endNs > 0 ? endNs : 1;
  const reached = Math.min(Math.max(frontierNs, nowNs, Math.min(minNs, end)), end);
  const pad = reached * 0.02;
  return [-pad, reached + pad];
}
