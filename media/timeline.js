// Lockstep Timeline webview script: lanes per host and VM over simulated time on a canvas, important events as focusable buttons, click to seek.
// Plain browser JS under a strict CSP: no eval, no markup from data (DOM nodes, textContent, canvas only).
(function () {
  'use strict';

  /* global acquireVsCodeApi, ResizeObserver */
  var vscode = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : { postMessage: function () {}, getState: function () { return undefined; }, setState: function () {} };

  var AXIS_PX = 22;
  var LANE_PX = { cluster: 40, host: 26, vm: 34, lag: 56 };
  /** Most event buttons in the DOM at once; beyond it neighbouring events merge into group buttons. */
  var MAX_BUTTONS = 250;
  var MARK_PX = 18;
  var MIN_SPAN_NS = 1000;
  var DRAG_PX = 4;
  var NS_PER_MS = 1e6;

  var GLYPHS = {
    fault: '⚡', crash: '✖', detect: '!', arbitrate: '⚖', halt: '■', goLive: '▲', respawnStart: '↻', respawnDone: '✓',
    haRestart: '⟲', divergence: '≠', violation: '⚠', exit: '⏻', checkpoint: '⚑', scheduled: '⚡', group: '…',
  };

  var root = document.getElementById('timeline');
  var body = root.querySelector('.tl-body');
  var plot = root.querySelector('.tl-plot');
  var canvas = root.querySelector('.tl-canvas');
  var marksEl = root.querySelector('.tl-marks');
  var gutter = root.querySelector('.tl-gutter');
  var statusEl = root.querySelector('.tl-status');
  var readoutEl = root.querySelector('.tl-readout');
  var ctx = canvas.getContext('2d');

  var data = null; // the prepared model
  var view = { startNs: 0, endNs: 1, fitted: true };
  var size = { width: 0, height: 0, dpr: 1 };
  var colors = {};
  var buttons = new Map(); // mark index (or 'g…' for a group) -> button
  var buttonMode = 'single';
  var laidOut = []; // buttons of the last layout: { el, x, lane, mark }
  var renderQueued = false;
  var renderCount = 0;

  // ---- small helpers -------------------------------------------------------------------------------

  /** First index i with a[i] >= x (a sorted ascending). */
  function lowerBound(a, x) {
    var lo = 0, hi = a.length;
    while (lo < hi) {
      var mid = (lo + hi) >>> 1;
      if (a[mid] < x) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** First index i with a[i] > x. */
  function upperBound(a, x) {
    var lo = 0, hi = a.length;
    while (lo < hi) {
      var mid = (lo + hi) >>> 1;
      if (a[mid] <= x) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  function num(v, dflt) {
    var n = Number(v);
    return Number.isFinite(n) ? n : dflt;
  }

  function str(v) {
    return typeof v === 'string' ? v : String(v == null ? '' : v);
  }

  function fmtTime(ns, stepNs) {
    var decimals = stepNs === undefined ? 3 : Math.max(0, Math.min(6, Math.ceil(-Math.log10(stepNs / NS_PER_MS) - 1e-9)));
    return (ns / NS_PER_MS).toFixed(decimals) + ' ms';
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // ---- data ----------------------------------------------------------------------------------------

  function prepareLanes(lanes) {
    var out = [];
    var y = AXIS_PX;
    for (var i = 0; i < lanes.length; i++) {
      var l = lanes[i] || {};
      var kind = LANE_PX[l.kind] !== undefined ? l.kind : 'vm';
      out.push({ name: str(l.name), kind: kind, label: str(l.label), detail: str(l.detail), top: y, height: LANE_PX[kind] });
      y += LANE_PX[kind];
    }
    return { lanes: out, heightPx: y };
  }

  /** Spans grouped into tracks (one lane, one kind): disjoint and sorted, so both their starts and ends ascend. */
  function prepareTracks(spans, laneCount) {
    var byKey = new Map();
    for (var i = 0; i < spans.length; i++) {
      var s = spans[i];
      var lane = num(s.lane, -1);
      if (lane < 0 || lane >= laneCount) continue;
      var key = lane + ':' + str(s.kind);
      if (!byKey.has(key)) byKey.set(key, { lane: lane, kind: str(s.kind), items: [] });
      byKey.get(key).items.push({ startNs: num(s.startNs, 0), endNs: num(s.endNs, 0), label: str(s.label) });
    }
    var tracks = [];
    byKey.forEach(function (t) {
      t.items.sort(function (a, b) { return a.startNs - b.startNs; });
      var n = t.items.length;
      var start = new Float64Array(n), end = new Float64Array(n), labels = new Array(n), maxEnd = -Infinity;
      for (var j = 0; j < n; j++) {
        start[j] = t.items[j].startNs;
        maxEnd = Math.max(maxEnd, t.items[j].endNs);
        end[j] = maxEnd; // running maximum keeps it sorted even if spans overlapped
        labels[j] = t.items[j].label;
      }
      tracks.push({ lane: t.lane, kind: t.kind, start: start, end: end, labels: labels });
    });
    return tracks;
  }

  function prepareMarks(marks, laneCount) {
    var list = [];
    for (var i = 0; i < marks.length; i++) {
      var m = marks[i] || {};
      var lane = num(m.lane, 0);
      list.push({ lane: lane >= 0 && lane < laneCount ? lane : 0, kind: str(m.kind), timeNs: num(m.timeNs, 0), label: str(m.label), text: str(m.text), important: m.important === true });
    }
    list.sort(function (a, b) { return a.timeNs - b.timeNs; });
    var imp = [], minor = [];
    for (var k = 0; k < list.length; k++) (list[k].important ? imp : minor).push(k);
    var impTime = new Float64Array(imp.length), minorTime = new Float64Array(minor.length);
    for (var a = 0; a < imp.length; a++) impTime[a] = list[imp[a]].timeNs;
    for (var b = 0; b < minor.length; b++) minorTime[b] = list[minor[b]].timeNs;
    return { list: list, important: Int32Array.from(imp), importantTimeNs: impTime, minor: Int32Array.from(minor), minorTimeNs: minorTime };
  }

  /** Per lane: releases (sorted) with their production times, and the step series "outputs held" (+1 produced, -1 released). */
  function prepareOutputs(o) {
    var lanes = (o && o.lane) || [], prod = (o && o.producedNs) || [], rel = (o && o.releasedNs) || [];
    var byLane = new Map();
    for (var i = 0; i < lanes.length; i++) {
      var l = num(lanes[i], -1);
      if (!byLane.has(l)) byLane.set(l, { rel: [], prod: [] });
      byLane.get(l).rel.push(num(rel[i], 0));
      byLane.get(l).prod.push(num(prod[i], 0));
    }
    var out = new Map();
    byLane.forEach(function (v, lane) {
      var order = v.rel.map(function (_, i) { return i; }).sort(function (a, b) { return v.rel[a] - v.rel[b]; });
      var relNs = new Float64Array(order.length), pairProdNs = new Float64Array(order.length), maxHeldNs = 0;
      for (var j = 0; j < order.length; j++) {
        relNs[j] = v.rel[order[j]];
        pairProdNs[j] = v.prod[order[j]];
        maxHeldNs = Math.max(maxHeldNs, relNs[j] - pairProdNs[j]);
      }
      var prodSorted = Float64Array.from(v.prod).sort();
      out.set(lane, { relNs: relNs, prodNs: pairProdNs, maxHeldNs: maxHeldNs, held: heldSeries(prodSorted, relNs) });
    });
    return out;
  }

  /** Merges sorted production and release times into (time, outputs held after it). */
  function heldSeries(prod, rel) {
    var n = prod.length + rel.length;
    var t = new Float64Array(n), v = new Int32Array(n);
    var i = 0, j = 0, k = 0, cur = 0, max = 0;
    while (i < prod.length || j < rel.length) {
      if (j >= rel.length || (i < prod.length && prod[i] <= rel[j])) { t[k] = prod[i++]; cur++; } else { t[k] = rel[j++]; cur--; }
      v[k++] = cur;
      if (cur > max) max = cur;
    }
    return { timeNs: t, count: v, max: max };
  }

  function prepareLag(lag) {
    var t = (lag && lag.timeNs) || [], v = (lag && lag.lagNs) || [];
    var n = Math.min(t.length, v.length);
    var timeNs = new Float64Array(n), lagNs = new Float64Array(n), max = 0;
    for (var i = 0; i < n; i++) {
      timeNs[i] = num(t[i], 0);
      lagNs[i] = v[i] === null ? NaN : num(v[i], NaN);
      if (lagNs[i] > max) max = lagNs[i];
    }
    return { timeNs: timeNs, lagNs: lagNs, maxNs: max };
  }

  function prepare(m) {
    var ls = prepareLanes(Array.isArray(m.lanes) ? m.lanes : []);
    var endNs = Math.max(num(m.endNs, 0), num(m.frontierNs, 0), num(m.nowNs, 0), MIN_SPAN_NS);
    return {
      nowNs: num(m.nowNs, 0), frontierNs: num(m.frontierNs, 0), endNs: endNs, protection: str(m.protection),
      lanes: ls.lanes, heightPx: ls.heightPx,
      tracks: prepareTracks(Array.isArray(m.spans) ? m.spans : [], ls.lanes.length),
      marks: prepareMarks(Array.isArray(m.marks) ? m.marks : [], ls.lanes.length),
      outputs: prepareOutputs(m.outputs),
      lag: prepareLag(m.lag),
    };
  }

  // ---- view ----------------------------------------------------------------------------------------

  function spanNs() {
    return view.endNs - view.startNs;
  }

  function xOf(tNs) {
    return ((tNs - view.startNs) / spanNs()) * size.width;
  }

  function timeAt(x) {
    return view.startNs + (x / size.width) * spanNs();
  }

  function clampView() {
    var full = data ? data.endNs : 1;
    var s = Math.min(Math.max(spanNs(), MIN_SPAN_NS), full * 1.1);
    var start = Math.min(Math.max(view.startNs, -full * 0.05), full * 1.05 - s);
    view.startNs = start;
    view.endNs = start + s;
  }

  function fit() {
    if (!data) return;
    var pad = data.endNs * 0.01;
    view.startNs = -pad;
    view.endNs = data.endNs + pad;
    view.fitted = true;
    changed();
  }

  function zoom(factor, anchorX) {
    var ax = anchorX === undefined ? size.width / 2 : anchorX;
    var t = timeAt(ax);
    var s = spanNs() * factor;
    view.startNs = t - (ax / size.width) * s;
    view.endNs = view.startNs + s;
    view.fitted = false;
    clampView();
    changed();
  }

  function pan(dxPx) {
    var d = (dxPx / size.width) * spanNs();
    view.startNs += d;
    view.endNs += d;
    view.fitted = false;
    clampView();
    changed();
  }

  function centerOn(tNs) {
    var s = spanNs();
    view.startNs = tNs - s / 2;
    view.endNs = tNs + s / 2;
    view.fitted = false;
    clampView();
    changed();
  }

  function changed() {
    vscode.setState({ startNs: view.startNs, endNs: view.endNs, fitted: view.fitted });
    schedule();
  }

  function schedule() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(function () {
      renderQueued = false;
      render();
    });
  }

  // ---- colours -------------------------------------------------------------------------------------

  function readColors() {
    var cs = getComputedStyle(root);
    var get = function (name, dflt) { var v = cs.getPropertyValue(name).trim(); return v || dflt; };
    colors = {
      bg: get('--tl-bg', '#1e1e1e'), fg: get('--tl-fg', '#cccccc'), muted: get('--tl-muted', '#8b8b8b'), grid: get('--tl-grid', 'rgba(128,128,128,0.25)'),
      laneAlt: get('--tl-lane-alt', 'rgba(128,128,128,0.06)'), red: get('--tl-red', '#f14c4c'), green: get('--tl-green', '#89d185'),
      blue: get('--tl-blue', '#3794ff'), yellow: get('--tl-yellow', '#cca700'), orange: get('--tl-orange', '#d18616'),
      purple: get('--tl-purple', '#b180d7'), cursor: get('--tl-cursor', '#f5c518'), unexplored: get('--tl-unexplored', 'rgba(128,128,128,0.18)'),
      font: get('--tl-font', 'sans-serif'),
    };
  }

  var SPAN_STYLE = {
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

  var MARK_COLOR = {
    fault: 'red', crash: 'red', detect: 'orange', arbitrate: 'purple', halt: 'muted', goLive: 'green', respawnStart: 'yellow',
    respawnDone: 'green', haRestart: 'orange', divergence: 'red', violation: 'red', exit: 'muted', checkpoint: 'blue', throttle: 'orange', scheduled: 'red',
  };

  // ---- drawing -------------------------------------------------------------------------------------

  function resize() {
    var w = Math.max(1, plot.clientWidth);
    var h = data ? data.heightPx : AXIS_PX;
    var dpr = window.devicePixelRatio || 1;
    if (w === size.width && h === size.height && dpr === size.dpr) return;
    size = { width: w, height: h, dpr: dpr };
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    canvas.style.width = w + 'px';
    canvas.style.height = h + 'px';
    plot.style.height = h + 'px';
  }

  function render() {
    var t0 = performance.now();
    resize();
    ctx.setTransform(size.dpr, 0, 0, size.dpr, 0, 0);
    ctx.fillStyle = colors.bg;
    ctx.fillRect(0, 0, size.width, size.height);
    if (data) {
      drawLaneBackgrounds();
      drawGrid();
      drawUnexplored();
      var layout = layoutButtons();
      var obstacles = labelObstacles(layout);
      for (var i = 0; i < data.tracks.length; i++) drawTrack(data.tracks[i], obstacles);
      data.outputs.forEach(drawOutputs);
      drawLag();
      drawMinorMarks();
      if (buttonMode === 'group') drawImportantTicks(layout.range[0], layout.range[1]);
      drawMarkLabels(layout);
      drawCursor();
    }
    renderCount++;
    root.dataset.renders = String(renderCount);
    root.dataset.renderMs = (performance.now() - t0).toFixed(2);
    root.dataset.viewStartNs = String(view.startNs);
    root.dataset.viewEndNs = String(view.endNs);
  }

  function drawLaneBackgrounds() {
    ctx.font = '11px ' + colors.font;
    for (var i = 0; i < data.lanes.length; i++) {
      var l = data.lanes[i];
      if (i % 2 === 1) {
        ctx.fillStyle = colors.laneAlt;
        ctx.fillRect(0, l.top, size.width, l.height);
      }
      ctx.fillStyle = colors.grid;
      ctx.fillRect(0, l.top + l.height - 1, size.width, 1);
    }
  }

  /** A 1-2-5 step giving at least ~90 px between ticks. */
  function tickStepNs() {
    var raw = (spanNs() / size.width) * 90;
    var p = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * p >= raw) return steps[i] * p;
    return 10 * p;
  }

  function drawGrid() {
    var step = tickStepNs();
    ctx.font = '11px ' + colors.font;
    ctx.textBaseline = 'middle';
    for (var t = Math.ceil(view.startNs / step) * step; t <= view.endNs; t += step) {
      var x = Math.round(xOf(t)) + 0.5;
      ctx.fillStyle = colors.grid;
      ctx.fillRect(x, AXIS_PX - 6, 1, size.height - AXIS_PX + 6);
      var label = fmtTime(t, step);
      if (x + 3 + ctx.measureText(label).width > size.width) continue;
      ctx.fillStyle = colors.muted;
      ctx.fillText(label, x + 3, AXIS_PX / 2);
    }
    ctx.fillStyle = colors.grid;
    ctx.fillRect(0, AXIS_PX - 1, size.width, 1);
  }

  function drawUnexplored() {
    var x0 = Math.max(0, xOf(data.frontierNs));
    var x1 = Math.min(size.width, xOf(data.endNs));
    if (x1 <= x0) return;
    ctx.fillStyle = colors.unexplored;
    ctx.fillRect(x0, AXIS_PX, x1 - x0, size.height - AXIS_PX);
    if (x1 - x0 > 80) {
      ctx.fillStyle = colors.muted;
      ctx.textBaseline = 'top';
      ctx.fillText('unexplored', x0 + 6, AXIS_PX + 4);
    }
  }

  function bandY(lane, band) {
    var top = lane.top + 2, h = lane.height - 4;
    if (lane.kind === 'cluster') return band === 'full' ? [top, h * 0.55] : [top + h * 0.6, h * 0.4];
    if (band === 'top') return [top, Math.max(3, h * 0.3)];
    if (band === 'bottom') return [top + h * 0.7, Math.max(3, h * 0.3)];
    if (band === 'middle') return [top + h * 0.2, h * 0.45];
    return [top, h];
  }

  /** Visible spans of one track only: binary search on the (ascending) ends, stop at the first start past the view. */
  function drawTrack(tr, obstacles) {
    var st = SPAN_STYLE[tr.kind];
    if (!st) return;
    var lane = data.lanes[tr.lane];
    var yh = bandY(lane, st.band);
    var labelled = lane.kind === 'cluster' || st.band === 'middle' || tr.kind === 'hostDown';
    var lastX = -Infinity;
    ctx.font = '11px ' + colors.font;
    ctx.textBaseline = 'middle';
    for (var i = lowerBound(tr.end, view.startNs); i < tr.start.length && tr.start[i] <= view.endNs; i++) {
      var x0 = Math.max(-1, xOf(tr.start[i]));
      var x1 = Math.min(size.width + 1, xOf(tr.end[i]));
      var w = Math.max(1, x1 - x0);
      if (w < 1.5 && Math.floor(x0) === lastX) continue; // one rectangle per pixel column is enough
      lastX = Math.floor(x0);
      ctx.globalAlpha = st.alpha;
      ctx.fillStyle = colors[st.color];
      ctx.fillRect(x0, yh[0], w, yh[1]);
      ctx.globalAlpha = 1;
      if (labelled && w >= 40) drawSpanLabel(tr.labels[i], x0, x1, yh, obstacles.get(tr.lane));
    }
  }

  /** A span's label inside it, moved right past event buttons and their labels; left out when it no longer fits. */
  function drawSpanLabel(text, x0, x1, yh, obstacles) {
    var end = Math.min(x1, size.width) - 4;
    var x = Math.max(x0, 0) + 4;
    var w = ctx.measureText(text).width;
    var list = obstacles || [];
    for (var i = 0; i < list.length; i++) {
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

  /** Per lane, the x ranges event buttons and their labels cover (sorted), so span labels avoid them. */
  function labelObstacles(layout) {
    var byLane = new Map();
    for (var i = 0; i < layout.length; i++) {
      var it = layout[i];
      if (!byLane.has(it.lane)) byLane.set(it.lane, []);
      byLane.get(it.lane).push([it.x - MARK_PX / 2, it.x + MARK_PX / 2 + (it.labelPx > 0 ? it.labelPx + 10 : 0)]);
    }
    byLane.forEach(function (l) { l.sort(function (a, b) { return a[0] - b[0]; }); });
    return byLane;
  }

  /** Releases as ticks (one per pixel column, taller with more), held outputs as an area; each held→released pair as a line when zoomed in. */
  function drawOutputs(o, laneIdx) {
    var lane = data.lanes[laneIdx];
    if (!lane) return;
    var W = Math.ceil(size.width);
    var base = lane.top + lane.height - 2;
    drawHeld(o.held, lane, base, W);
    var a = lowerBound(o.relNs, view.startNs), b = upperBound(o.relNs, view.endNs);
    var counts = new Uint32Array(W + 1);
    for (var i = a; i < b; i++) counts[Math.min(W, Math.max(0, Math.floor(xOf(o.relNs[i]))))]++;
    ctx.fillStyle = colors.green;
    for (var c = 0; c <= W; c++) {
      if (counts[c] === 0) continue;
      var h = Math.min(lane.height * 0.45, 3 + 2.5 * Math.log2(counts[c]));
      ctx.fillRect(c, base - h, 1, h);
    }
    if (b - a > 0 && b - a < size.width / 6) drawPairs(o, a, b, base);
  }

  function drawHeld(held, lane, base, W) {
    if (held.max === 0) return;
    var hMax = lane.height * 0.35;
    var i = upperBound(held.timeNs, view.startNs) - 1;
    var cur = i >= 0 ? held.count[i] : 0;
    var j = i + 1;
    ctx.globalAlpha = 0.45;
    ctx.fillStyle = colors.orange;
    for (var c = 0; c < W; c++) {
      var colEnd = timeAt(c + 1), m = cur;
      while (j < held.timeNs.length && held.timeNs[j] < colEnd) {
        cur = held.count[j++];
        if (cur > m) m = cur;
      }
      if (m > 0) {
        var h = Math.max(1, (m / held.max) * hMax);
        ctx.fillRect(c, base - h, 1, h);
      }
      if (j >= held.timeNs.length && cur === 0) break;
      if (held.timeNs[j] > view.endNs && cur === 0) break;
    }
    ctx.globalAlpha = 1;
  }

  function drawPairs(o, a, b, base) {
    ctx.strokeStyle = colors.orange;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (var i = a; i < b; i++) {
      var x0 = xOf(o.prodNs[i]), x1 = xOf(o.relNs[i]);
      var y = base - 9 - (i % 3) * 3;
      ctx.moveTo(x0, y);
      ctx.lineTo(x1, y);
    }
    ctx.stroke();
    ctx.fillStyle = colors.green;
    for (var k = a; k < b; k++) ctx.fillRect(xOf(o.relNs[k]) - 1.5, base - 10 - (k % 3) * 3, 3, 3);
  }

  /** The lag chart: per pixel column the largest sample, joined into a line over an area; no running pair leaves a gap. */
  function drawLag() {
    var lane = data.lanes[data.lanes.length - 1];
    var lag = data.lag;
    if (!lane || lane.name !== 'lag' || lag.timeNs.length === 0) return;
    var top = lane.top + 14, h = lane.height - 18, base = top + h;
    var maxNs = Math.max(lag.maxNs, 1);
    var a = Math.max(0, lowerBound(lag.timeNs, view.startNs) - 1), b = Math.min(lag.timeNs.length, upperBound(lag.timeNs, view.endNs) + 1);
    var pts = [];
    var lastCol = NaN, visMax = 0;
    for (var i = a; i < b; i++) {
      var v = lag.lagNs[i];
      var col = Math.floor(xOf(lag.timeNs[i]));
      if (col === lastCol && pts.length > 0) {
        var p = pts[pts.length - 1];
        if (Number.isNaN(p.v) || v > p.v) p.v = v;
      } else pts.push({ x: col, v: v });
      lastCol = col;
      if (v > visMax) visMax = v;
    }
    ctx.globalAlpha = 0.35;
    ctx.fillStyle = colors.blue;
    lagPath(pts, base, h, maxNs, true);
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.strokeStyle = colors.blue;
    ctx.lineWidth = 1.5;
    lagPath(pts, base, h, maxNs, false);
    ctx.stroke();
    ctx.fillStyle = colors.muted;
    ctx.textBaseline = 'top';
    ctx.fillText('max ' + fmtTime(maxNs) + (visMax > 0 ? ' · in view ' + fmtTime(visMax) : ''), 4, lane.top + 2);
  }

  function lagPath(pts, base, h, maxNs, closed) {
    ctx.beginPath();
    var open = false, startX = 0, lastX = 0;
    for (var i = 0; i < pts.length; i++) {
      var p = pts[i];
      if (Number.isNaN(p.v)) {
        if (open && closed) { ctx.lineTo(lastX, base); ctx.lineTo(startX, base); ctx.closePath(); }
        open = false;
        continue;
      }
      var y = base - (p.v / maxNs) * h;
      if (!open) {
        if (closed) { ctx.moveTo(p.x, base); ctx.lineTo(p.x, y); } else ctx.moveTo(p.x, y);
        startX = p.x;
        open = true;
      } else ctx.lineTo(p.x, y);
      lastX = p.x;
    }
    if (open && closed) { ctx.lineTo(lastX, base); ctx.lineTo(startX, base); ctx.closePath(); }
  }

  /** Events that are not buttons (throttling…): a short tick per lane and pixel column. */
  function drawMinorMarks() {
    var mk = data.marks;
    var a = lowerBound(mk.minorTimeNs, view.startNs), b = upperBound(mk.minorTimeNs, view.endNs);
    var last = new Map();
    for (var i = a; i < b; i++) {
      var m = mk.list[mk.minor[i]];
      var col = Math.floor(xOf(m.timeNs));
      if (last.get(m.lane) === col) continue;
      last.set(m.lane, col);
      var lane = data.lanes[m.lane];
      ctx.fillStyle = colors[MARK_COLOR[m.kind] || 'muted'];
      ctx.fillRect(col, lane.top + 2, 1, 7);
    }
  }

  /** How much of each single button's label fits before the next button of its lane (0: none). */
  function measureLabels(layout) {
    ctx.font = '11px ' + colors.font;
    var nextX = new Map();
    for (var i = layout.length - 1; i >= 0; i--) {
      var it = layout[i];
      var room = (nextX.has(it.lane) ? nextX.get(it.lane) - MARK_PX / 2 : size.width) - it.x - MARK_PX / 2 - 8;
      nextX.set(it.lane, it.x);
      it.labelPx = it.group || room < 24 ? 0 : Math.min(room, ctx.measureText(it.mark.label).width);
    }
  }

  function drawMarkLabels(layout) {
    ctx.font = '11px ' + colors.font;
    ctx.textBaseline = 'middle';
    for (var i = 0; i < layout.length; i++) {
      var it = layout[i];
      if (!(it.labelPx > 0)) continue;
      var lane = data.lanes[it.lane];
      var x = it.x + MARK_PX / 2 + 2, y = lane.top + lane.height / 2;
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

  function drawImportantTicks(a, b) {
    var mk = data.marks;
    for (var i = a; i < b; i++) {
      var m = mk.list[mk.important[i]];
      ctx.fillStyle = colors[MARK_COLOR[m.kind] || 'muted'];
      ctx.fillRect(Math.floor(xOf(m.timeNs)), data.lanes[m.lane].top + 2, 1, 7);
    }
  }

  function drawCursor() {
    var fx = xOf(data.frontierNs);
    if (fx >= 0 && fx <= size.width && data.frontierNs !== data.nowNs) {
      ctx.strokeStyle = colors.muted;
      ctx.setLineDash([4, 3]);
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(Math.round(fx) + 0.5, AXIS_PX);
      ctx.lineTo(Math.round(fx) + 0.5, size.height);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    var x = xOf(data.nowNs);
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

  // ---- event buttons -------------------------------------------------------------------------------

  function markDescription(m) {
    var lane = data.lanes[m.lane];
    return m.label + ' at ' + fmtTime(m.timeNs) + (lane ? ' on ' + lane.label : '') + ': ' + m.text;
  }

  function makeButton(idx) {
    var m = data.marks.list[idx];
    var b = el('button', 'tl-mark');
    b.type = 'button';
    b.setAttribute('data-kind', m.kind);
    b.setAttribute('data-time-ns', String(m.timeNs));
    b.setAttribute('data-mark', String(idx));
    b.setAttribute('role', 'listitem');
    b.classList.add('tl-k-' + (GLYPHS[m.kind] ? m.kind : 'other'));
    var text = markDescription(m);
    b.setAttribute('aria-label', 'Travel to ' + text);
    b.title = text;
    b.textContent = GLYPHS[m.kind] || '●';
    b.addEventListener('click', function () { seek(m.timeNs); });
    return b;
  }

  function makeGroupButton(g) {
    var b = el('button', 'tl-mark tl-k-group', String(g.count));
    b.type = 'button';
    b.setAttribute('data-kind', 'group');
    b.setAttribute('role', 'listitem');
    var text = g.count + ' events from ' + fmtTime(g.firstNs) + ' to ' + fmtTime(g.lastNs) + ' on ' + data.lanes[g.lane].label;
    b.setAttribute('aria-label', text + ': zoom in');
    b.title = text + ' (click to zoom in)';
    b.addEventListener('click', function () {
      var pad = Math.max((g.lastNs - g.firstNs) * 0.2, MIN_SPAN_NS);
      view.startNs = g.firstNs - pad;
      view.endNs = g.lastNs + pad;
      view.fitted = false;
      clampView();
      changed();
    });
    return b;
  }

  function place(b, x, lane) {
    b.style.left = (x - MARK_PX / 2) + 'px';
    b.style.top = (lane.top + (lane.height - MARK_PX) / 2) + 'px';
  }

  /** Buttons for the visible important events, in time order; a neighbour closer than a button's width moves right. */
  function layoutButtons() {
    var mk = data.marks;
    var a = lowerBound(mk.importantTimeNs, view.startNs - (spanNs() / size.width) * MARK_PX);
    var b = upperBound(mk.importantTimeNs, view.endNs);
    var xs = b - a <= MAX_BUTTONS ? dodge(a, b) : null;
    laidOut = xs !== null ? layoutSingles(a, b, xs) : layoutGroups(a, b);
    laidOut.range = [a, b];
    measureLabels(laidOut);
    root.dataset.buttons = String(laidOut.length);
    return laidOut;
  }

  /** x of each visible event's button, pushed right past its lane neighbour; null when that crowds them far from their time. */
  function dodge(a, b) {
    var mk = data.marks;
    var xs = new Float64Array(b - a), lastX = new Map();
    for (var j = a; j < b; j++) {
      var m = mk.list[mk.important[j]];
      var x0 = xOf(m.timeNs), x = x0;
      var prev = lastX.get(m.lane);
      if (prev !== undefined && x - prev < MARK_PX) x = prev + MARK_PX;
      if (x - x0 > 4 * MARK_PX) return null;
      lastX.set(m.lane, x);
      xs[j - a] = x;
    }
    return xs;
  }

  function layoutSingles(a, b, xs) {
    var mk = data.marks;
    if (buttonMode !== 'single') clearButtons();
    buttonMode = 'single';
    var keep = new Set();
    for (var i = a; i < b; i++) keep.add(mk.important[i]);
    buttons.forEach(function (btn, idx) { if (!keep.has(idx)) { btn.remove(); buttons.delete(idx); } });
    // Existing buttons are a contiguous run of the visible range: new earlier ones go before it, later ones after (focus is never moved).
    var first = marksEl.firstChild;
    var out = [];
    for (var j = a; j < b; j++) {
      var idx = mk.important[j];
      var btn = buttons.get(idx);
      if (btn === undefined) {
        btn = makeButton(idx);
        buttons.set(idx, btn);
        if (first !== null && Number(first.getAttribute('data-mark')) > idx) marksEl.insertBefore(btn, first); else marksEl.appendChild(btn);
      }
      var m = mk.list[idx];
      place(btn, xs[j - a], data.lanes[m.lane]);
      out.push({ el: btn, x: xs[j - a], lane: m.lane, mark: m });
    }
    return out;
  }

  /** Too many events in view: one button per lane and bucket of pixels (at most MAX_BUTTONS), the events themselves drawn as ticks. */
  function layoutGroups(a, b) {
    var mk = data.marks;
    clearButtons();
    buttonMode = 'group';
    var bucketPx = Math.max(2 * MARK_PX, Math.ceil((data.lanes.length * size.width) / MAX_BUTTONS));
    var groups = new Map();
    for (var i = a; i < b; i++) {
      var m = mk.list[mk.important[i]];
      var x = xOf(m.timeNs);
      var key = m.lane + ':' + Math.floor(x / bucketPx);
      var g = groups.get(key);
      if (g === undefined) groups.set(key, g = { lane: m.lane, count: 0, firstNs: m.timeNs, lastNs: m.timeNs, firstX: x, x: (Math.floor(x / bucketPx) + 0.5) * bucketPx });
      g.count++;
      g.lastNs = m.timeNs;
      g.lastX = x;
    }
    var out = [];
    var list = Array.from(groups.values()).sort(function (p, q) { return p.firstNs - q.firstNs; });
    for (var k = 0; k < list.length; k++) {
      var gr = list[k];
      gr.x = Math.min(Math.max(gr.x, gr.firstX), gr.lastX); // the bucket's middle, but over its events
      var btn = makeGroupButton(gr);
      place(btn, gr.x, data.lanes[gr.lane]);
      marksEl.appendChild(btn);
      buttons.set('g' + k, btn);
      out.push({ el: btn, x: gr.x, lane: gr.lane, group: true });
    }
    return out;
  }

  function clearButtons() {
    buttons.forEach(function (btn) { btn.remove(); });
    buttons.clear();
  }

  // ---- lanes (gutter) ------------------------------------------------------------------------------

  function buildGutter() {
    gutter.replaceChildren();
    var spacer = el('div', 'tl-axis-spacer');
    spacer.style.height = AXIS_PX + 'px';
    gutter.appendChild(spacer);
    for (var i = 0; i < data.lanes.length; i++) {
      var l = data.lanes[i];
      var row = el('div', 'tl-lane tl-lane-' + l.kind);
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

  function seek(timeNs) {
    if (!data) return;
    var t = Math.min(Math.max(0, timeNs), data.endNs);
    vscode.postMessage({ type: 'seek', timeNs: t });
  }

  function plotX(e) {
    return e.clientX - canvas.getBoundingClientRect().left;
  }

  var drag = null;

  function onPointerDown(e) {
    if (e.button !== 0 || !data || e.target.closest('.tl-mark')) return;
    drag = { x0: e.clientX, last: e.clientX, moved: false, id: e.pointerId };
    plot.setPointerCapture(e.pointerId);
  }

  function onPointerMove(e) {
    if (data) showReadout(plotX(e), e.clientY - canvas.getBoundingClientRect().top);
    if (drag === null || e.pointerId !== drag.id) return;
    if (!drag.moved && Math.abs(e.clientX - drag.x0) < DRAG_PX) return;
    drag.moved = true;
    plot.classList.add('tl-dragging');
    pan(drag.last - e.clientX);
    drag.last = e.clientX;
  }

  function onPointerUp(e) {
    if (drag === null || e.pointerId !== drag.id) return;
    var moved = drag.moved;
    drag = null;
    plot.classList.remove('tl-dragging');
    if (!moved) seek(Math.round(timeAt(plotX(e))));
  }

  function onWheel(e) {
    if (!data) return;
    e.preventDefault();
    var unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? size.width : 1;
    if (Math.abs(e.deltaX) > Math.abs(e.deltaY) || e.shiftKey) pan((e.deltaX || e.deltaY) * unit);
    else zoom(Math.exp(e.deltaY * unit * 0.002), plotX(e));
  }

  function onKey(e) {
    if (!data || e.altKey || e.ctrlKey || e.metaKey) return;
    var k = e.key;
    if (k === '+' || k === '=') zoom(1 / 1.5);
    else if (k === '-' || k === '_') zoom(1.5);
    else if (k === 'ArrowLeft') pan(-size.width * 0.1);
    else if (k === 'ArrowRight') pan(size.width * 0.1);
    else if (k === 'f' || k === 'F' || k === '0') fit();
    else if (k === 'n' || k === 'N') centerOn(data.nowNs);
    else return;
    e.preventDefault();
  }

  function onTool(e) {
    var b = e.target.closest('.tl-tool');
    if (!b || !data) return;
    var action = b.getAttribute('data-action');
    if (action === 'zoomIn') zoom(1 / 1.5);
    else if (action === 'zoomOut') zoom(1.5);
    else if (action === 'fit') fit();
    else if (action === 'now') centerOn(data.nowNs);
  }

  /** Time under the pointer, its lane, and what that lane shows there (span label, lag value). */
  function showReadout(x, y) {
    if (x < 0 || x > size.width) return;
    var t = timeAt(x), laneIdx = -1;
    for (var i = 0; i < data.lanes.length; i++) if (y >= data.lanes[i].top && y < data.lanes[i].top + data.lanes[i].height) laneIdx = i;
    var parts = [fmtTime(t)];
    if (laneIdx >= 0) {
      parts.push(data.lanes[laneIdx].label);
      for (var k = 0; k < data.tracks.length; k++) {
        var tr = data.tracks[k];
        if (tr.lane !== laneIdx) continue;
        var j = lowerBound(tr.end, t);
        if (j < tr.start.length && tr.start[j] <= t) parts.push(tr.labels[j]);
      }
      if (data.lanes[laneIdx].kind === 'lag') {
        var li = upperBound(data.lag.timeNs, t) - 1;
        if (li >= 0) parts.push(Number.isNaN(data.lag.lagNs[li]) ? 'no running pair' : fmtTime(data.lag.lagNs[li]));
      }
    }
    readoutEl.textContent = parts.join(' · ');
  }

  // ---- messages ------------------------------------------------------------------------------------

  /** The event button focused before new data arrived, so the same event keeps the focus afterwards. */
  function focusedMark() {
    var a = document.activeElement;
    if (!a || !a.classList || !a.classList.contains('tl-mark') || !a.hasAttribute('data-mark')) return null;
    return { kind: a.getAttribute('data-kind'), timeNs: a.getAttribute('data-time-ns') };
  }

  function refocus(f) {
    if (f === null) return;
    var list = marksEl.querySelectorAll('.tl-mark');
    for (var i = 0; i < list.length; i++) {
      if (list[i].getAttribute('data-kind') === f.kind && list[i].getAttribute('data-time-ns') === f.timeNs) { list[i].focus(); return; }
    }
  }

  function onData(m) {
    var f = focusedMark();
    data = prepare(m);
    clearButtons();
    buildGutter();
    root.setAttribute('data-state', 'ready');
    statusEl.textContent = data.protection + ' · now ' + fmtTime(data.nowNs);
    if (view.fitted) {
      var pad = data.endNs * 0.01;
      view.startNs = -pad;
      view.endNs = data.endNs + pad;
    }
    clampView();
    render();
    refocus(f);
  }

  window.addEventListener('message', function (e) {
    var m = e.data;
    if (!m || typeof m !== 'object') return;
    if (m.type === 'data' && m.data && typeof m.data === 'object') onData(m.data);
    else if (m.type === 'status') statusEl.textContent = str(m.text);
  });

  // ---- start ---------------------------------------------------------------------------------------

  var saved = vscode.getState();
  if (saved && Number.isFinite(saved.startNs) && Number.isFinite(saved.endNs) && saved.endNs > saved.startNs) {
    view = { startNs: saved.startNs, endNs: saved.endNs, fitted: saved.fitted !== false };
  }
  readColors();
  plot.addEventListener('pointerdown', onPointerDown);
  plot.addEventListener('pointermove', onPointerMove);
  plot.addEventListener('pointerup', onPointerUp);
  plot.addEventListener('pointercancel', function () { drag = null; plot.classList.remove('tl-dragging'); });
  plot.addEventListener('wheel', onWheel, { passive: false });
  root.addEventListener('keydown', onKey);
  root.querySelector('.tl-toolbar').addEventListener('click', onTool);
  new ResizeObserver(schedule).observe(body);
  // A theme change: VS Code swaps the body's class and the --vscode-* variables on <html>.
  var themeObserver = new MutationObserver(function () { readColors(); schedule(); });
  themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  vscode.postMessage({ type: 'ready' });
})();
