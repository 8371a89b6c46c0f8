// The important events as focusable buttons over the canvas, in time order (Tab order). Kept across frames (only
// added or removed at the ends of the visible run, so the focus survives zoom and pan); too many in view become
// one group button per lane and pixel bucket.
import type { MarkKind } from '../timeline-model';
import { MARK_PX } from './draw';
import { MIN_SPAN_NS, type Prepared, type PreparedLane, type PreparedMark } from './prepare';
import { type Scene, spanNs, xOf } from './scene';
import { labelWidths } from './labels';
import { el } from './dom';
import { fmtTime, lowerBound, upperBound } from './util';

/** Most event buttons in the DOM at once; beyond it neighbouring events merge into group buttons. */
const MAX_BUTTONS = 250;

const GLYPHS: Partial<Record<MarkKind | 'group', string>> = {
  fault: '⚡', crash: '✖', detect: '!', arbitrate: '⚖', halt: '■', goLive: '▲', respawnStart: '↻', respawnDone: '✓',
  haRestart: '⟲', divergence: '≠', violation: '⚠', exit: '⏻', checkpoint: '⚑', scheduled: '⚡', group: '…',
};

function glyph(kind: string): string | undefined {
  return (GLYPHS as Partial<Record<string, string>>)[kind];
}

/** One button of a frame's layout; `mark` is null for a group button. `labelPx`: how much of its label is drawn beside it. */
export interface LaidOutButton {
  el: HTMLButtonElement;
  x: number;
  lane: number;
  mark: PreparedMark | null;
  labelPx: number;
}

export interface Layout {
  items: LaidOutButton[];
  /** The visible important events: indexes into `marks.important`. */
  range: [number, number];
  /** Group buttons (the events themselves are drawn as ticks). */
  grouped: boolean;
}

interface Group {
  lane: number;
  count: number;
  firstNs: number;
  lastNs: number;
  firstX: number;
  lastX: number;
  x: number;
}

function place(b: HTMLElement, x: number, lane: PreparedLane): void {
  b.style.left = (x - MARK_PX / 2) + 'px';
  b.style.top = (lane.top + (lane.height - MARK_PX) / 2) + 'px';
}

export class EventButtons {
  /** By mark index, or `g…` for a group. */
  private readonly buttons = new Map<number | string, HTMLButtonElement>();
  private mode: 'single' | 'group' = 'single';

  constructor(
    private readonly sc: Scene,
    private readonly marksEl: HTMLElement,
    /** An event button was chosen: travel to its time. */
    private readonly onSeek: (timeNs: number) => void,
    /** A group button was chosen: show this range. */
    private readonly onZoomTo: (startNs: number, endNs: number) => void,
  ) {}

  /** Buttons for the visible important events, in time order; a neighbour closer than a button's width moves right. */
  layout(d: Prepared): Layout {
    const sc = this.sc;
    const mk = d.marks;
    const a = lowerBound(mk.importantTimeNs, sc.view.startNs - (spanNs(sc) / sc.size.width) * MARK_PX);
    const b = upperBound(mk.importantTimeNs, sc.view.endNs);
    const xs = b - a <= MAX_BUTTONS ? this.dodge(d, a, b) : null;
    const items = xs !== null ? this.layoutSingles(d, a, b, xs) : this.layoutGroups(d, a, b);
    this.measureLabels(items);
    sc.root.dataset.buttons = String(items.length);
    return { items, range: [a, b], grouped: this.mode === 'group' };
  }

  clear(): void {
    this.buttons.forEach((btn) => { btn.remove(); });
    this.buttons.clear();
  }

  private markDescription(d: Prepared, m: PreparedMark): string {
    const lane = d.lanes[m.lane];
    return m.label + ' at ' + fmtTime(m.timeNs) + (lane ? ' on ' + lane.label : '') + ': ' + m.text;
  }

  private makeButton(d: Prepared, idx: number): HTMLButtonElement {
    const m = d.marks.list[idx];
    const b = el('button', 'tl-mark');
    b.type = 'button';
    b.setAttribute('data-kind', m.kind);
    b.setAttribute('data-time-ns', String(m.timeNs));
    b.setAttribute('data-mark', String(idx));
    if (m.of !== undefined) b.setAttribute('data-vm', m.of);
    b.setAttribute('role', 'listitem');
    b.classList.add('tl-k-' + (glyph(m.kind) ? m.kind : 'other'));
    const text = this.markDescription(d, m);
    b.setAttribute('aria-label', 'Travel to ' + text);
    b.title = text;
    b.textContent = glyph(m.kind) || '●';
    b.addEventListener('click', () => { this.onSeek(m.timeNs); });
    return b;
  }

  private makeGroupButton(d: Prepared, g: Group): HTMLButtonElement {
    const b = el('button', 'tl-mark tl-k-group', String(g.count));
    b.type = 'button';
    b.setAttribute('data-kind', 'group');
    b.setAttribute('role', 'listitem');
    const text = g.count + ' events from ' + fmtTime(g.firstNs) + ' to ' + fmtTime(g.lastNs) + ' on ' + d.lanes[g.lane].label;
    b.setAttribute('aria-label', text + ': zoom in');
    b.title = text + ' (click to zoom in)';
    b.addEventListener('click', () => {
      const pad = Math.max((g.lastNs - g.firstNs) * 0.2, MIN_SPAN_NS);
      this.onZoomTo(g.firstNs - pad, g.lastNs + pad);
    });
    return b;
  }

  /** x of each visible event's button, pushed right past its lane neighbour; null when that crowds them far from their time. */
  private dodge(d: Prepared, a: number, b: number): Float64Array | null {
    const mk = d.marks;
    const xs = new Float64Array(b - a), lastX = new Map<number, number>();
    for (let j = a; j < b; j++) {
      const m = mk.list[mk.important[j]];
      const x0 = xOf(this.sc, m.timeNs);
      let x = x0;
      const prev = lastX.get(m.lane);
      if (prev !== undefined && x - prev < MARK_PX) x = prev + MARK_PX;
      if (x - x0 > 4 * MARK_PX) return null;
      lastX.set(m.lane, x);
      xs[j - a] = x;
    }
    return xs;
  }

  private layoutSingles(d: Prepared, a: number, b: number, xs: Float64Array): LaidOutButton[] {
    const mk = d.marks;
    if (this.mode !== 'single') this.clear();
    this.mode = 'single';
    const keep = new Set<number>();
    for (let i = a; i < b; i++) keep.add(mk.important[i]);
    this.buttons.forEach((btn, idx) => { if (!keep.has(idx as number)) { btn.remove(); this.buttons.delete(idx); } });
    // Existing buttons are a contiguous run of the visible range: new earlier ones go before it, later ones after (focus is never moved).
    const first = this.marksEl.firstChild as Element | null;
    const out: LaidOutButton[] = [];
    for (let j = a; j < b; j++) {
      const idx = mk.important[j];
      let btn = this.buttons.get(idx);
      if (btn === undefined) {
        btn = this.makeButton(d, idx);
        this.buttons.set(idx, btn);
        if (first !== null && Number(first.getAttribute('data-mark')) > idx) this.marksEl.insertBefore(btn, first); else this.marksEl.appendChild(btn);
      }
      const m = mk.list[idx];
      place(btn, xs[j - a], d.lanes[m.lane]);
      out.push({ el: btn, x: xs[j - a], lane: m.lane, mark: m, labelPx: 0 });
    }
    return out;
  }

  /** Too many events in view: one button per lane and bucket of pixels (at most MAX_BUTTONS), the events themselves drawn as ticks. */
  private layoutGroups(d: Prepared, a: number, b: number): LaidOutButton[] {
    const mk = d.marks;
    this.clear();
    this.mode = 'group';
    const bucketPx = Math.max(2 * MARK_PX, Math.ceil((d.lanes.length * this.sc.size.width) / MAX_BUTTONS));
    const groups = new Map<string, Group>();
    for (let i = a; i < b; i++) {
      const m = mk.list[mk.important[i]];
      const x = xOf(this.sc, m.timeNs);
      const key = m.lane + ':' + Math.floor(x / bucketPx);
      let g = groups.get(key);
      if (g === undefined) groups.set(key, g = { lane: m.lane, count: 0, firstNs: m.timeNs, lastNs: m.timeNs, firstX: x, lastX: x, x: (Math.floor(x / bucketPx) + 0.5) * bucketPx });
      g.count++;
      g.lastNs = m.timeNs;
      g.lastX = x;
    }
    const out: LaidOutButton[] = [];
    const list = Array.from(groups.values()).sort((p, q) => p.firstNs - q.firstNs);
    for (let k = 0; k < list.length; k++) {
      const gr = list[k];
      gr.x = Math.min(Math.max(gr.x, gr.firstX), gr.lastX); // the bucket's middle, but over its events
      const btn = this.makeGroupButton(d, gr);
      place(btn, gr.x, d.lanes[gr.lane]);
      this.marksEl.appendChild(btn);
      this.buttons.set('g' + k, btn);
      out.push({ el: btn, x: gr.x, lane: gr.lane, mark: null, labelPx: 0 });
    }
    return out;
  }

  /** Each single button's label width when it fits whole before the next button of its lane, else 0 (not drawn). */
  private measureLabels(layout: LaidOutButton[]): void {
    const { ctx, colors, size } = this.sc;
    ctx.font = '11px ' + colors.font;
    const widths = labelWidths(layout.map((it) => ({ x: it.x, lane: it.lane, width: it.mark === null ? 0 : ctx.measureText(it.mark.label).width })), size.width, MARK_PX);
    let drawn = 0;
    for (let i = 0; i < layout.length; i++) {
      layout[i].labelPx = widths[i];
      layout[i].el.toggleAttribute('data-labelled', widths[i] > 0);
      if (widths[i] > 0) drawn++;
    }
    this.sc.root.dataset.labels = String(drawn);
  }
}
