// Lockstep Timeline webview script: lanes per host and VM over simulated time on a canvas, important events as
// focusable buttons, click to seek. Runs in the webview under a strict CSP: no eval, no markup from data (DOM nodes,
// textContent, canvas only). Built by scripts/build.mjs into dist/webview/timeline.js; the messages it exchanges
// with timeline-panel.ts are timeline-messages.ts, the data it draws timeline-model.ts's `TimelineModel`.
import { parsePanelMessage } from '../timeline-messages';
import type { TimelineModel } from '../timeline-model';
import { EventButtons } from './buttons';
import {
  drawCursor, drawGrid, drawImportantTicks, drawLag, drawLaneBackgrounds, drawMarkLabels, drawMinorMarks, drawNic, drawOutputs, drawTrack,
  drawUnexplored, labelObstacles,
} from './draw';
import { fitRange } from './labels';
import { AXIS_PX, MIN_SPAN_NS, prepare } from './prepare';
import { readColors, type Scene, spanNs, timeAt } from './scene';
import { el } from './dom';
import { fmtTime, lowerBound, upperBound } from './util';
import { onlyVm, vmNamesOf } from './vm-filter';
import { webviewApi } from './vscode-api';

/** A pointer move shorter than this is a click, not a drag. */
const DRAG_PX = 4;

const vscode = webviewApi();

const root = document.getElementById('timeline')!;
const body = root.querySelector<HTMLElement>('.tl-body')!;
const plot = root.querySelector<HTMLElement>('.tl-plot')!;
const canvas = root.querySelector<HTMLCanvasElement>('.tl-canvas')!;
const marksEl = root.querySelector<HTMLElement>('.tl-marks')!;
const gutter = root.querySelector<HTMLElement>('.tl-gutter')!;
const statusEl = root.querySelector<HTMLElement>('.tl-status')!;
const readoutEl = root.querySelector<HTMLElement>('.tl-readout')!;
const vmLabel = root.querySelector<HTMLElement>('.tl-vm')!;
const vmSelect = root.querySelector<HTMLSelectElement>('.tl-vm-filter')!;

const sc: Scene = {
  root, canvas, ctx: canvas.getContext('2d')!,
  data: null,
  view: { startNs: 0, endNs: 1, fitted: true },
  size: { width: 0, height: 0, dpr: 1 },
  colors: readColors(root),
};
const view = sc.view;
const buttons = new EventButtons(sc, marksEl, seek, (startNs, endNs) => {
  view.startNs = startNs;
  view.endNs = endNs;
  view.fitted = false;
  clampView();
  changed();
});
let renderQueued = false;
let renderCount = 0;
/** The last model from the extension, drawn through the VM filter. */
let model: TimelineModel | null = null;
/** One VM of a cluster whose lanes and events alone are shown, or null for every VM. */
let vmFilter: string | null = null;

// ---- view ----------------------------------------------------------------------------------------

function clampView(): void {
  const full = sc.data ? sc.data.endNs : 1;
  const s = Math.min(Math.max(spanNs(sc), MIN_SPAN_NS), full * 1.1);
  const start = Math.min(Math.max(view.startNs, -full * 0.05), full * 1.05 - s);
  view.startNs = start;
  view.endNs = start + s;
}

/** Fit: the explored part of the run (up to the furthest time reached), not the whole of `untilMs`. */
const FIT_MIN_NS = 1e6;

function fitView(): void {
  const d = sc.data!;
  [view.startNs, view.endNs] = fitRange(d.nowNs, d.frontierNs, d.endNs, FIT_MIN_NS);
}

function fit(): void {
  if (!sc.data) return;
  fitView();
  view.fitted = true;
  changed();
}

function zoom(factor: number, anchorX?: number): void {
  const ax = anchorX === undefined ? sc.size.width / 2 : anchorX;
  const t = timeAt(sc, ax);
  const s = spanNs(sc) * factor;
  view.startNs = t - (ax / sc.size.width) * s;
  view.endNs = view.startNs + s;
  view.fitted = false;
  clampView();
  changed();
}

function pan(dxPx: number): void {
  const d = (dxPx / sc.size.width) * spanNs(sc);
  view.startNs += d;
  view.endNs += d;
  view.fitted = false;
  clampView();
  changed();
}

function centerOn(tNs: number): void {
  const s = spanNs(sc);
  view.startNs = tNs - s / 2;
  view.endNs = tNs + s / 2;
  view.fitted = false;
  clampView();
  changed();
}

function changed(): void {
  vscode.setState({ startNs: view.startNs, endNs: view.endNs, fitted: view.fitted, vm: vmFilter });
  schedule();
}

function schedule(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

// ---- drawing -------------------------------------------------------------------------------------

function resize(): void {
  const w = Math.max(1, plot.clientWidth);
  const h = sc.data ? sc.data.heightPx : AXIS_PX;
  const dpr = window.devicePixelRatio || 1;
  const size = sc.size;
  if (w === size.width && h === size.height && dpr === size.dpr) return;
  size.width = w;
  size.height = h;
  size.dpr = dpr;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  canvas.style.width = w + 'px';
  canvas.style.height = h + 'px';
  plot.style.height = h + 'px';
}

function render(): void {
  const t0 = performance.now();
  resize();
  const { ctx, size } = sc;
  ctx.setTransform(size.dpr, 0, 0, size.dpr, 0, 0);
  ctx.fillStyle = sc.colors.bg;
  ctx.fillRect(0, 0, size.width, size.height);
  const d = sc.data;
  if (d) {
    drawLaneBackgrounds(sc, d);
    drawGrid(sc);
    drawUnexplored(sc, d);
    const layout = buttons.layout(d);
    const obstacles = labelObstacles(layout.items);
    for (let i = 0; i < d.tracks.length; i++) drawTrack(sc, d, d.tracks[i], obstacles);
    d.outputs.forEach((o, lane) => drawOutputs(sc, d, o, lane));
    drawLag(sc, d);
    drawNic(sc, d);
    drawMinorMarks(sc, d);
    if (layout.grouped) drawImportantTicks(sc, d, layout.range[0], layout.range[1]);
    drawMarkLabels(sc, d, layout);
    drawCursor(sc, d);
  }
  renderCount++;
  root.dataset.renders = String(renderCount);
  root.dataset.renderMs = (performance.now() - t0).toFixed(2);
  root.dataset.viewStartNs = String(view.startNs);
  root.dataset.viewEndNs = String(view.endNs);
}

// ---- lanes (gutter) ------------------------------------------------------------------------------

function buildGutter(): void {
  const d = sc.data!;
  gutter.replaceChildren();
  const spacer = el('div', 'tl-axis-spacer');
  spacer.style.height = AXIS_PX + 'px';
  gutter.appendChild(spacer);
  for (let i = 0; i < d.lanes.length; i++) {
    const l = d.lanes[i];
    const row = el('div', 'tl-lane tl-lane-' + l.kind);
    row.setAttribute('role', 'listitem');
    row.setAttribute('data-lane', l.name);
    row.style.height = l.height + 'px';
    row.title = l.label + ' — ' + l.detail;
    row.appendChild(el('span', 'tl-lane-label', l.label));
    row.appendChild(el('span', 'tl-lane-detail', l.detail));
    gutter.appendChild(row);
  }
}

// ---- input ---------------------------------------------------------------------------------------

function seek(timeNs: number): void {
  if (!sc.data) return;
  const t = Math.min(Math.max(0, timeNs), sc.data.endNs);
  vscode.postMessage({ type: 'seek', timeNs: t });
}

function plotX(e: MouseEvent): number {
  return e.clientX - canvas.getBoundingClientRect().left;
}

let drag: { x0: number; last: number; moved: boolean; id: number } | null = null;

function onPointerDown(e: PointerEvent): void {
  if (e.button !== 0 || !sc.data || (e.target as Element).closest('.tl-mark')) return;
  drag = { x0: e.clientX, last: e.clientX, moved: false, id: e.pointerId };
  plot.setPointerCapture(e.pointerId);
}

function onPointerMove(e: PointerEvent): void {
  if (sc.data) showReadout(plotX(e), e.clientY - canvas.getBoundingClientRect().top);
  if (drag === null || e.pointerId !== drag.id) return;
  if (!drag.moved && Math.abs(e.clientX - drag.x0) < DRAG_PX) return;
  drag.moved = true;
  plot.classList.add('tl-dragging');
  pan(drag.last - e.clientX);
  drag.last = e.clientX;
}

function onPointerUp(e: PointerEvent): void {
  if (drag === null || e.pointerId !== drag.id) return;
  const moved = drag.moved;
  drag = null;
  plot.classList.remove('tl-dragging');
  if (!moved) seek(Math.round(timeAt(sc, plotX(e))));
}

function onWheel(e: WheelEvent): void {
  if (!sc.data) return;
  e.preventDefault();
  const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? sc.size.width : 1;
  if (Math.abs(e.deltaX) > Math.abs(e.deltaY) || e.shiftKey) pan((e.deltaX || e.deltaY) * unit);
  else zoom(Math.exp(e.deltaY * unit * 0.002), plotX(e));
}

function onKey(e: KeyboardEvent): void {
  if (!sc.data || e.altKey || e.ctrlKey || e.metaKey || (e.target as Element).closest('select')) return; // a select's keys are its own
  const k = e.key;
  if (k === '+' || k === '=') zoom(1 / 1.5);
  else if (k === '-' || k === '_') zoom(1.5);
  else if (k === 'ArrowLeft') pan(-sc.size.width * 0.1);
  else if (k === 'ArrowRight') pan(sc.size.width * 0.1);
  else if (k === 'f' || k === 'F' || k === '0') fit();
  else if (k === 'n' || k === 'N') centerOn(sc.data.nowNs);
  else return;
  e.preventDefault();
}

function onTool(e: MouseEvent): void {
  const b = (e.target as Element).closest('.tl-tool');
  if (!b || !sc.data) return;
  const action = b.getAttribute('data-action');
  if (action === 'zoomIn') zoom(1 / 1.5);
  else if (action === 'zoomOut') zoom(1.5);
  else if (action === 'fit') fit();
  else if (action === 'now') centerOn(sc.data.nowNs);
}

/** Time under the pointer, its lane, and what that lane shows there (span label, lag value). */
function showReadout(x: number, y: number): void {
  const d = sc.data!;
  if (x < 0 || x > sc.size.width) return;
  const t = timeAt(sc, x);
  let laneIdx = -1;
  for (let i = 0; i < d.lanes.length; i++) if (y >= d.lanes[i].top && y < d.lanes[i].top + d.lanes[i].height) laneIdx = i;
  const parts = [fmtTime(t)];
  if (laneIdx >= 0) {
    parts.push(d.lanes[laneIdx].label);
    for (let k = 0; k < d.tracks.length; k++) {
      const tr = d.tracks[k];
      if (tr.lane !== laneIdx) continue;
      const j = lowerBound(tr.end, t);
      if (j < tr.start.length && tr.start[j] <= t) parts.push(tr.labels[j]);
    }
    if (d.lanes[laneIdx].kind === 'lag') {
      const li = upperBound(d.lag.timeNs, t) - 1;
      if (li >= 0) parts.push(Number.isNaN(d.lag.lagNs[li]) ? 'no running pair' : fmtTime(d.lag.lagNs[li]));
    }
    const nic = d.nic.get(laneIdx);
    const ni = nic === undefined ? -1 : lowerBound(nic.timeNs, t); // the interval that holds t ends at the next sample
    if (nic !== undefined && ni < nic.timeNs.length) parts.push('logging ' + nic.mbps[ni].toFixed(nic.mbps[ni] >= 10 ? 0 : 2) + ' Mbit/s');
  }
  readoutEl.textContent = parts.join(' · ');
}

// ---- messages ------------------------------------------------------------------------------------

/** The event button focused before new data arrived, so the same event keeps the focus afterwards. */
function focusedMark(): { kind: string | null; timeNs: string | null } | null {
  const a = document.activeElement;
  if (!a || !a.classList || !a.classList.contains('tl-mark') || !a.hasAttribute('data-mark')) return null;
  return { kind: a.getAttribute('data-kind'), timeNs: a.getAttribute('data-time-ns') };
}

function refocus(f: { kind: string | null; timeNs: string | null } | null): void {
  if (f === null) return;
  const list = marksEl.querySelectorAll<HTMLElement>('.tl-mark');
  for (let i = 0; i < list.length; i++) {
    if (list[i].getAttribute('data-kind') === f.kind && list[i].getAttribute('data-time-ns') === f.timeNs) { list[i].focus(); return; }
  }
}

function onData(m: TimelineModel): void {
  model = m;
  syncVmOptions(vmNamesOf(m));
  show();
}

/** The select lists "all VMs" and each VM of a cluster (hidden for one VM); a filter naming a VM gone is dropped. */
function syncVmOptions(names: string[]): void {
  vmLabel.hidden = names.length === 0;
  if (vmFilter !== null && !names.includes(vmFilter)) vmFilter = null;
  const now = Array.from(vmSelect.options).slice(1).map((o) => o.value);
  if (now.join('\n') !== names.join('\n')) {
    vmSelect.replaceChildren(vmSelect.options[0]);
    for (const n of names) {
      const o = el('option', undefined, n);
      o.value = n;
      vmSelect.appendChild(o);
    }
  }
  vmSelect.value = vmFilter ?? '';
  root.dataset.vm = vmFilter ?? '';
}

function onVmChosen(): void {
  vmFilter = vmSelect.value === '' ? null : vmSelect.value;
  root.dataset.vm = vmFilter ?? '';
  if (model !== null) show();
  changed();
}

/** Draws the last model through the VM filter (new data, or another VM chosen). */
function show(): void {
  const f = focusedMark();
  const d = sc.data = prepare(onlyVm(model!, vmFilter));
  buttons.clear();
  buildGutter();
  root.setAttribute('data-state', 'ready');
  statusEl.textContent = d.protection + ' · now ' + fmtTime(d.nowNs);
  if (view.fitted) fitView();
  clampView();
  render();
  refocus(f);
}

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  const m = parsePanelMessage(e.data);
  if (m === undefined) return;
  if (m.type === 'data') onData(m.data);
  else statusEl.textContent = m.text;
});

// ---- start ---------------------------------------------------------------------------------------

const finite = (v: unknown): v is number => Number.isFinite(v);
const saved = vscode.getState();
if (saved && finite(saved.startNs) && finite(saved.endNs) && saved.endNs > saved.startNs) {
  view.startNs = saved.startNs;
  view.endNs = saved.endNs;
  view.fitted = saved.fitted !== false;
}
if (saved && typeof saved.vm === 'string') vmFilter = saved.vm;
plot.addEventListener('pointerdown', onPointerDown);
plot.addEventListener('pointermove', onPointerMove);
plot.addEventListener('pointerup', onPointerUp);
plot.addEventListener('pointercancel', () => { drag = null; plot.classList.remove('tl-dragging'); });
plot.addEventListener('wheel', onWheel, { passive: false });
root.addEventListener('keydown', onKey);
root.querySelector<HTMLElement>('.tl-toolbar')!.addEventListener('click', onTool);
vmSelect.addEventListener('change', onVmChosen);
new ResizeObserver(schedule).observe(body);
// A theme change: VS Code swaps the body's class and the --vscode-* variables on <html>.
const themeObserver = new MutationObserver(() => { sc.colors = readColors(root); schedule(); });
themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });
themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
vscode.postMessage({ type: 'ready' });
