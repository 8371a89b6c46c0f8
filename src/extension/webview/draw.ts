// Canvas drawing of one frame: lanes, time grid, the unexplored future, span tracks, outputs, lag, minor marks,
// labels of the event buttons and the cursor. Each draws only what is visible: binary search for the first visible
// item of a sorted array, then at most one shape per pixel column.
import type { MarkKind, SpanKind } from '../timeline-model';
import type { LaidOutButton, Layout } from './buttons';
import { AXIS_PX, type HeldSeries, type LaneOutputs, type Prepared, type PreparedLane, type PreparedNic, type Track } from './prepare';
import { type ColorName, type Scene, spanNs, timeAt, xOf } from './scene';
import { fmtTime, lowerBound, upperBound } from './util';

/** Width of an event button (and of a mark's room on its lane). */
export const MARK_PX = 18;

type Band = 'full' | 'top' | 'middle' | 'bottom';

interface SpanStyle {
  color: ColorName;
  alpha: number;
  band: Band;
}

/** Every span kind of the model has a style (tsc fails here when the model gains one). */
const SPAN_STYLE: Record<SpanKind, SpanStyle> = {
  protected: { color: 'green', alpha: 0.28, band: 'full' },
  unprotected: { color: 'orange', alpha: 0.35, band: 'full' },
  failover: { color: 'red', alpha: 0.75, band: 'bottom' },
  linkDown: { color: 'purple', alpha: 0.7, band: 'top' },
  partition: { color: 'red', alpha: 0.5, band: 'top' },
  hostDown: { color: 'red', alpha: 0.45, band: 'full' },
  storageLost: { color: 'yellow', alpha: 0.7, band: 'bottom' },
  slow: { color: 'blue', alpha: 0.6, band: 'top' },
  primary: { color: 'blue', alpha: 0.6, band: 'middle' },
  secondary: { color: 'green', alpha: 0.55, band: 'middle' },
  copying: { color: 'yellow', alpha: 0.6, band: 'middle' },
};

const MARK_COLOR: Partial<Record<MarkKind, ColorName>> = {
  fault: 'red', crash: 'red', detect: 'orange', arbitrate: 'purple', halt: 'muted', goLive: 'green', respawnStart: 'yellow',
  respawnDone: 'green', haRestart: 'orange', divergence: 'red', violation: 'red', exit: 'muted', checkpoint: 'blue', throttle: 'orange', scheduled: 'red',
};

/** A span kind's style; undefined for a kind the page does not know. */
function spanStyle(kind: string): SpanStyle | undefined {
  return (SPAN_STYLE as Partial<Record<string, SpanStyle>>)[kind];
}

function markColor(kind: string): ColorName {
  return (MARK_COLOR as Partial<Record<string, ColorName>>)[kind] || 'muted';
}

export function drawLaneBackgrounds(sc: Scene, d: Prepared): void {
  const { ctx, colors, size } = sc;
  ctx.font = '11px ' + colors.font;
  for (let i = 0; i < d.lanes.length; i++) {
    const l = d.lanes[i];
    if (i % 2 === 1) {
      ctx.fillStyle = colors.laneAlt;
      ctx.fillRect(0, l.top, size.width, l.height);
    }
    ctx.fillStyle = colors.grid;
    ctx.fillRect(0, l.top + l.height - 1, size.width, 1);
  }
}

/** A 1-2-5 step giving at least ~90 px between ticks. */
function tickStepNs(sc: Scene): number {
  const raw = (spanNs(sc) / sc.size.width) * 90;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const steps = [1, 2, 5, 10];
  for (let i = 0; i < steps.length; i++) if (steps[i] * p >= raw) return steps[i] * p;
  return 10 * p;
}

export function drawGrid(sc: Scene): void {
  const { ctx, colors, size, view } = sc;
  const step = tickStepNs(sc);
  ctx.font = '11px ' + colors.font;
  ctx.textBaseline = 'middle';
  for (let t = Math.ceil(view.startNs / step) * step; t <= view.endNs; t += step) {
    const x = Math.round(xOf(sc, t)) + 0.5;
    ctx.fillStyle = colors.grid;
    ctx.fillRect(x, AXIS_PX - 6, 1, size.height - AXIS_PX + 6);
    const label = fmtTime(t, step);
    if (x + 3 + ctx.measureText(label).width > size.width) continue;
    ctx.fillStyle = colors.muted;
    ctx.fillText(label, x + 3, AXIS_PX / 2);
  }
  ctx.fillStyle = colors.grid;
  ctx.fillRect(0, AXIS_PX - 1, size.width, 1);
}

export function drawUnexplored(sc: Scene, d: Prepared): void {
  const { ctx, colors, size } = sc;
  const x0 = Math.max(0, xOf(sc, d.frontierNs));
  const x1 = Math.min(size.width, xOf(sc, d.endNs));
  if (x1 <= x0) return;
  ctx.fillStyle = colors.unexplored;
  ctx.fillRect(x0, AXIS_PX, x1 - x0, size.height - AXIS_PX);
  if (x1 - x0 > 80) {
    ctx.fillStyle = colors.muted;
    ctx.textBaseline = 'top';
    ctx.fillText('unexplored', x0 + 6, AXIS_PX + 4);
  }
}

/** The y and height of a band of a lane. */
/** Where a track of band `band` draws in its lane: its VM's own row when several VMs share the lane. */
function trackY(lane: PreparedLane, band: Band, tr: Track): [number, number] {
  if (tr.rows <= 1) return bandY(lane, band);
  const rowH = (lane.height - 4) / tr.rows, top = lane.top + 2 + tr.row * rowH;
  return band === 'full' ? [top, rowH * 0.7] : [top + rowH * 0.7, rowH * 0.3];
}

function bandY(lane: PreparedLane, band: Band): [number, number] {
  const top = lane.top + 2, h = lane.height - 4;
  if (lane.kind === 'cluster') return band === 'full' ? [top, h * 0.55] : [top + h * 0.6, h * 0.4];
  if (band === 'top') return [top, Math.max(3, h * 0.3)];
  if (band === 'bottom') return [top + h * 0.7, Math.max(3, h * 0.3)];
  if (band === 'middle') return [top + h * 0.2, h * 0.45];
  return [top, h];
}

/** Per lane, the x ranges event buttons and their labels cover (sorted), so span labels avoid them. */
export type Obstacles = Map<number, [number, number][]>;

/** Visible spans of one track only: binary search on the (ascending) ends, stop at the first start past the view. */
export function drawTrack(sc: Scene, d: Prepared, tr: Track, obstacles: Obstacles): void {
  const { ctx, colors, size, view } = sc;
  const st = spanStyle(tr.kind);
  if (!st) return;
  const lane = d.lanes[tr.lane];
  const yh = trackY(lane, st.band, tr);
  const labelled = (lane.kind === 'cluster' || st.band === 'middle' || tr.kind === 'hostDown') && yh[1] >= 11;
  let lastX = -Infinity;
  ctx.font = '11px ' + colors.font;
  ctx.textBaseline = 'middle';
  for (let i = lowerBound(tr.end, view.startNs); i < tr.start.length && tr.start[i] <= view.endNs; i++) {
    const x0 = Math.max(-1, xOf(sc, tr.start[i]));
    const x1 = Math.min(size.width + 1, xOf(sc, tr.end[i]));
    const w = Math.max(1, x1 - x0);
    if (w < 1.5 && Math.floor(x0) === lastX) continue; // one rectangle per pixel column is enough
    lastX = Math.floor(x0);
    ctx.globalAlpha = st.alpha;
    ctx.fillStyle = colors[st.color];
    ctx.fillRect(x0, yh[0], w, yh[1]);
    ctx.globalAlpha = 1;
    if (labelled && w >= 40) drawSpanLabel(sc, tr.labels[i], x0, x1, yh, obstacles.get(tr.lane));
  }
}

/** A span's label inside it, moved right past event buttons and their labels; left out when it no longer fits. */
function drawSpanLabel(sc: Scene, text: string, x0: number, x1: number, yh: [number, number], obstacles: [number, number][] | undefined): void {
  const { ctx, colors, size } = sc;
  const end = Math.min(x1, size.width) - 4;
  let x = Math.max(x0, 0) + 4;
  const w = ctx.measureText(text).width;
  const list = obstacles || [];
  for (let i = 0; i < list.length; i++) {
    if (list[i][1] <= x) continue;
    if (list[i][0] >= x + w) break;
    x = list[i][1] + 4;
  }
  if (end - x < Math.min(w, 40)) return;
  ctx.save();
  ctx.beginPath();
  ctx.rect(x, yh[0], end - x, yh[1]);
  ctx.clip();
  ctx.fillStyle = colors.fg;
  ctx.fillText(text, x, yh[0] + yh[1] / 2);
  ctx.restore();
}

export function labelObstacles(layout: readonly LaidOutButton[]): Obstacles {
  const byLane: Obstacles = new Map();
  for (let i = 0; i < layout.length; i++) {
    const it = layout[i];
    if (!byLane.has(it.lane)) byLane.set(it.lane, []);
    byLane.get(it.lane)!.push([it.x - MARK_PX / 2, it.x + MARK_PX / 2 + (it.labelPx > 0 ? it.labelPx + 10 : 0)]);
  }
  byLane.forEach((l) => { l.sort((a, b) => a[0] - b[0]); });
  return byLane;
}

/** Releases as ticks (one per pixel column, taller with more), held outputs as an area; each held→released pair as a line when zoomed in. */
export function drawOutputs(sc: Scene, d: Prepared, o: LaneOutputs, laneIdx: number): void {
  const { ctx, colors, size, view } = sc;
  const lane = d.lanes[laneIdx];
  if (!lane) return;
  const W = Math.ceil(size.width);
  const base = lane.top + lane.height - 2;
  drawHeld(sc, o.held, lane, base, W);
  const a = lowerBound(o.relNs, view.startNs), b = upperBound(o.relNs, view.endNs);
  const counts = new Uint32Array(W + 1);
  for (let i = a; i < b; i++) counts[Math.min(W, Math.max(0, Math.floor(xOf(sc, o.relNs[i]))))]++;
  ctx.fillStyle = colors.green;
  for (let c = 0; c <= W; c++) {
    if (counts[c] === 0) continue;
    const h = Math.min(lane.height * 0.45, 3 + 2.5 * Math.log2(counts[c]));
    ctx.fillRect(c, base - h, 1, h);
  }
  if (b - a > 0 && b - a < size.width / 6) drawPairs(sc, o, a, b, base);
}

function drawHeld(sc: Scene, held: HeldSeries, lane: PreparedLane, base: number, W: number): void {
  const { ctx, colors, view } = sc;
  if (held.max === 0) return;
  const hMax = lane.height * 0.35;
  const i = upperBound(held.timeNs, view.startNs) - 1;
  let cur = i >= 0 ? held.count[i] : 0;
  let j = i + 1;
  ctx.globalAlpha = 0.45;
  ctx.fillStyle = colors.orange;
  for (let c = 0; c < W; c++) {
    const colEnd = timeAt(sc, c + 1);
    let m = cur;
    while (j < held.timeNs.length && held.timeNs[j] < colEnd) {
      cur = held.count[j++];
      if (cur > m) m = cur;
    }
    if (m > 0) {
      const h = Math.max(1, (m / held.max) * hMax);
      ctx.fillRect(c, base - h, 1, h);
    }
    if (j >= held.timeNs.length && cur === 0) break;
    if (held.timeNs[j] > view.endNs && cur === 0) break;
  }
  ctx.globalAlpha = 1;
}

function drawPairs(sc: Scene, o: LaneOutputs, a: number, b: number, base: number): void {
  const { ctx, colors } = sc;
  ctx.strokeStyle = colors.orange;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let i = a; i < b; i++) {
    const x0 = xOf(sc, o.prodNs[i]), x1 = xOf(sc, o.relNs[i]);
    const y = base - 9 - (i % 3) * 3;
    ctx.moveTo(x0, y);
    ctx.lineTo(x1, y);
  }
  ctx.stroke();
  ctx.fillStyle = colors.green;
  for (let k = a; k < b; k++) ctx.fillRect(xOf(sc, o.relNs[k]) - 1.5, base - 10 - (k % 3) * 3, 3, 3);
}

interface LagPoint {
  x: number;
  v: number;
}

/** The lag chart: per pixel column the largest sample, joined into a line over an area; no running pair leaves a gap. */
export function drawLag(sc: Scene, d: Prepared): void {
  const { ctx, colors, view } = sc;
  const lane = d.lanes[d.lanes.length - 1];
  const lag = d.lag;
  if (!lane || lane.name !== 'lag' || lag.timeNs.length === 0) return;
  const top = lane.top + 14, h = lane.height - 18, base = top + h;
  const maxNs = Math.max(lag.maxNs, 1);
  const a = Math.max(0, lowerBound(lag.timeNs, view.startNs) - 1), b = Math.min(lag.timeNs.length, upperBound(lag.timeNs, view.endNs) + 1);
  const pts: LagPoint[] = [];
  let lastCol = NaN, visMax = 0;
  for (let i = a; i < b; i++) {
    const v = lag.lagNs[i];
    const col = Math.floor(xOf(sc, lag.timeNs[i]));
    if (col === lastCol && pts.length > 0) {
      const p = pts[pts.length - 1];
      if (Number.isNaN(p.v) || v > p.v) p.v = v;
    } else pts.push({ x: col, v });
    lastCol = col;
    if (v > visMax) visMax = v;
  }
  ctx.globalAlpha = 0.35;
  ctx.fillStyle = colors.blue;
  lagPath(sc, pts, base, h, maxNs, true);
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.strokeStyle = colors.blue;
  ctx.lineWidth = 1.5;
  lagPath(sc, pts, base, h, maxNs, false);
  ctx.stroke();
  ctx.fillStyle = colors.muted;
  ctx.textBaseline = 'top';
  ctx.fillText('max ' + fmtTime(maxNs) + (visMax > 0 ? ' · in view ' + fmtTime(visMax) : ''), 4, lane.top + 2);
}

function lagPath(sc: Scene, pts: readonly LagPoint[], base: number, h: number, maxNs: number, closed: boolean): void {
  const { ctx } = sc;
  ctx.beginPath();
  let open = false, startX = 0, lastX = 0;
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i];
    if (Number.isNaN(p.v)) {
      if (open && closed) { ctx.lineTo(lastX, base); ctx.lineTo(startX, base); ctx.closePath(); }
      open = false;
      continue;
    }
    const y = base - (p.v / maxNs) * h;
    if (!open) {
      if (closed) { ctx.moveTo(p.x, base); ctx.lineTo(p.x, y); } else ctx.moveTo(p.x, y);
      startX = p.x;
      open = true;
    } else ctx.lineTo(p.x, y);
    lastX = p.x;
  }
  if (open && closed) { ctx.lineTo(lastX, base); ctx.lineTo(startX, base); ctx.closePath(); }
}

/** Height of a host lane's logging NIC chart, along its foot (the lane's events and spans draw over it). */
const NIC_PX = 16;

/**
 * Each host's FT logging NIC use along the foot of its lane: per pixel column the highest rate, as a bar on a square-root
 * scale all hosts share (the busiest one's peak at full height: log traffic is bursty, and a linear scale hides all but
 * the bursts); a column at the NIC's bandwidth is drawn red (the NIC saturated).
 */
export function drawNic(sc: Scene, d: Prepared): void {
  d.nic.forEach((n, lane) => {
    const l = d.lanes[lane];
    if (l !== undefined) drawNicLane(sc, n, l.top + l.height - 1);
  });
}

function drawNicLane(sc: Scene, n: PreparedNic, base: number): void {
  const { ctx, colors, view } = sc;
  const a = Math.max(0, lowerBound(n.timeNs, view.startNs)), b = Math.min(n.timeNs.length, upperBound(n.timeNs, view.endNs) + 1);
  let col = NaN, colMax = 0, colStart = 0;
  const flush = (): void => {
    if (Number.isNaN(col) || colMax <= 0) return;
    const full = n.capMbps !== null && colMax >= n.capMbps * 0.98;
    ctx.fillStyle = full ? colors.red : colors.purple;
    ctx.globalAlpha = full ? 0.8 : 0.45;
    const h = Math.max(1, Math.sqrt(Math.min(1, colMax / n.scaleMbps)) * NIC_PX);
    ctx.fillRect(colStart, base - h, Math.max(1, col - colStart + 1), h);
  };
  for (let i = a; i < b; i++) {
    // A sample is the rate over the interval that ends at its time: it covers from the previous sample on.
    const x0 = Math.floor(xOf(sc, i > 0 ? n.timeNs[i - 1] : n.timeNs[i]));
    const x1 = Math.floor(xOf(sc, n.timeNs[i]));
    if (x1 !== col) {
      flush();
      col = x1;
      colStart = Math.min(x0 + 1, x1);
      colMax = 0;
    }
    if (n.mbps[i] > colMax) colMax = n.mbps[i];
  }
  flush();
  ctx.globalAlpha = 1;
}

/** Events that are not buttons (throttling…): a short tick per lane and pixel column. */
export function drawMinorMarks(sc: Scene, d: Prepared): void {
  const { ctx, colors, view } = sc;
  const mk = d.marks;
  const a = lowerBound(mk.minorTimeNs, view.startNs), b = upperBound(mk.minorTimeNs, view.endNs);
  const last = new Map<number, number>();
  for (let i = a; i < b; i++) {
    const m = mk.list[mk.minor[i]];
    const col = Math.floor(xOf(sc, m.timeNs));
    if (last.get(m.lane) === col) continue;
    last.set(m.lane, col);
    const lane = d.lanes[m.lane];
    ctx.fillStyle = colors[markColor(m.kind)];
    ctx.fillRect(col, lane.top + 2, 1, 7);
  }
}

/** The label beside each single event button that has room for one. */
export function drawMarkLabels(sc: Scene, d: Prepared, layout: Layout): void {
  const { ctx, colors } = sc;
  ctx.font = '11px ' + colors.font;
  ctx.textBaseline = 'middle';
  for (let i = 0; i < layout.items.length; i++) {
    const it = layout.items[i];
    if (!(it.labelPx > 0) || it.mark === null) continue;
    const lane = d.lanes[it.lane];
    const x = it.x + MARK_PX / 2 + 2, y = lane.top + lane.height / 2;
    ctx.globalAlpha = 0.8;
    ctx.fillStyle = colors.bg;
    ctx.fillRect(x, y - 7, it.labelPx + 6, 14);
    ctx.globalAlpha = 1;
    ctx.save();
    ctx.beginPath();
    ctx.rect(x, lane.top, it.labelPx + 6, lane.height);
    ctx.clip();
    ctx.fillStyle = colors.fg;
    ctx.fillText(it.mark.label, x + 3, y);
    ctx.restore();
  }
}

/** With group buttons, the important events they stand for as ticks. */
export function drawImportantTicks(sc: Scene, d: Prepared, a: number, b: number): void {
  const { ctx, colors } = sc;
  const mk = d.marks;
  for (let i = a; i < b; i++) {
    const m = mk.list[mk.important[i]];
    ctx.fillStyle = colors[markColor(m.kind)];
    ctx.fillRect(Math.floor(xOf(sc, m.timeNs)), d.lanes[m.lane].top + 2, 1, 7);
  }
}

/** The cursor at the present, a dashed line at the explored frontier when the present is behind it. */
export function drawCursor(sc: Scene, d: Prepared): void {
  const { ctx, colors, size } = sc;
  const fx = xOf(sc, d.frontierNs);
  if (fx >= 0 && fx <= size.width && d.frontierNs !== d.nowNs) {
    ctx.strokeStyle = colors.muted;
    ctx.setLineDash([4, 3]);
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(Math.round(fx) + 0.5, AXIS_PX);
    ctx.lineTo(Math.round(fx) + 0.5, size.height);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  const x = xOf(sc, d.nowNs);
  if (x < -2 || x > size.width + 2) return;
  ctx.fillStyle = colors.cursor;
  ctx.fillRect(Math.round(x) - 1, AXIS_PX - 4, 2, size.height - AXIS_PX + 4);
  ctx.beginPath();
  ctx.moveTo(x - 6, 0);
  ctx.lineTo(x + 6, 0);
  ctx.lineTo(x, AXIS_PX - 4);
  ctx.closePath();
  ctx.fill();
}
