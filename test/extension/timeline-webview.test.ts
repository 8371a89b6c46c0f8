// The Timeline webview in headless Chromium under its real CSP: a recorded failover renders (lanes, fault and go-live buttons), clicks and keys post seeks, 100 000 events stay bounded.

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { newNonce, timelineHtml } from '../../src/extension/timeline-html';
import { TimelineModel, timelineModel } from '../../src/extension/timeline-model';
import { clusterRuntime, failoverRuntime, syntheticBody, timelineBody } from './timeline-fixture';

const ROOT = join(__dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts');
/** The page script as scripts/build.mjs builds it from src/extension/webview. */
const SCRIPT = join(ROOT, 'dist/webview/timeline.js');
const skip = !existsSync(CHROMIUM) ? `${CHROMIUM} is missing (apt-get install chromium)` : !existsSync(SCRIPT) ? 'dist/webview/timeline.js is not built (npm run build)' : false;

/** Serves the page from the pure HTML module (a fresh nonce per load), media/ and the built script as the webview's resource origin would. */
function serve(): Promise<{ server: Server; origin: string }> {
  const types: Record<string, string> = { js: 'text/javascript', css: 'text/css' };
  const server = createServer((req, res) => {
    const origin = `http://${req.headers.host}`;
    const url = req.url ?? '/';
    if (url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(timelineHtml({ cspSource: origin, nonce: newNonce(), scriptUri: `${origin}/dist/webview/timeline.js`, styleUri: `${origin}/media/timeline.css` }));
      return;
    }
    const m = /^\/(media\/timeline\.css|dist\/webview\/timeline\.js)$/.exec(url);
    if (m === null) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[m[1].slice(m[1].lastIndexOf('.') + 1)] });
    res.end(readFileSync(join(ROOT, m[1])));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

/** Stands in for VS Code's webview API (messages posted are kept in window.__posted) and records CSP violations. */
const INIT = `
  window.__posted = [];
  window.__violations = [];
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi may be called once');
    acquired = true;
    let state;
    return { postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))), getState: () => state, setState: (s) => { state = s; } };
  };
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
`;

let browser: Browser | undefined;
let server: Server | undefined;
let origin = '';

before(async () => {
  if (skip) return;
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  ({ server, origin } = await serve());
});

after(async () => {
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
});

/**
 * Polls a page expression until it is truthy. (Playwright's waitForFunction evaluates a string predicate with
 * eval inside the page, which the page's CSP rightly refuses.)
 */
async function waitFor(page: Page, expr: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate(expr))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${expr}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function rendersAbove(n: number): string {
  return `Number(document.getElementById('timeline').dataset.renders) > ${n}`;
}

async function openPage(): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 560 }, deviceScaleFactor: 1 });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  (page as Page & { errors?: string[] }).errors = errors;
  await page.addInitScript(INIT);
  await page.goto(origin);
  await waitFor(page, 'window.__posted.some((m) => m.type === "ready")');
  return page;
}

/** Posts `{type: 'data'}` as the extension would and waits until it is drawn; returns the wall time in the page. */
async function sendData(page: Page, model: TimelineModel): Promise<number> {
  return page.evaluate(`(async (data) => {
    const t0 = performance.now();
    const done = new Promise((r) => window.addEventListener('message', () => setTimeout(r, 0), { once: true }));
    window.postMessage({ type: 'data', data }, '*');
    await done;
    return performance.now() - t0;
  })(${JSON.stringify(model)})`);
}

async function view(page: Page): Promise<{ startNs: number; endNs: number; left: number; top: number; width: number; renders: number; renderMs: number }> {
  return page.evaluate(`(() => {
    const root = document.getElementById('timeline');
    const r = document.querySelector('.tl-canvas').getBoundingClientRect();
    return { startNs: Number(root.dataset.viewStartNs), endNs: Number(root.dataset.viewEndNs), left: r.left, top: r.top, width: r.width,
      renders: Number(root.dataset.renders), renderMs: Number(root.dataset.renderMs) };
  })()`);
}

/** Presses a key on the plot and waits for the frame that redraws it; the draw's own duration as measured by the page. */
async function keyRedraw(page: Page, key: string): Promise<{ renderMs: number; wallMs: number }> {
  const before = await view(page);
  const t0 = Date.now();
  await page.keyboard.press(key);
  await waitFor(page, rendersAbove(before.renders));
  return { renderMs: (await view(page)).renderMs, wallMs: Date.now() - t0 };
}

function pageErrors(page: Page): string[] {
  return (page as Page & { errors?: string[] }).errors ?? [];
}

async function posted(page: Page): Promise<{ type: string; timeNs?: number }[]> {
  return page.evaluate('window.__posted');
}

/** Distinct colours (RGB rounded to 16 levels) and the share of pixels differing from the top-left one, on the canvas. */
async function pixelStats(page: Page): Promise<{ colours: number; nonBackground: number }> {
  return page.evaluate(`(() => {
    const c = document.querySelector('.tl-canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    let other = 0;
    for (let i = 0; i < d.length; i += 4) {
      seen.add((d[i] >> 4) << 8 | (d[i + 1] >> 4) << 4 | (d[i + 2] >> 4));
      if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) other++;
    }
    return { colours: seen.size, nonBackground: other / (d.length / 4) };
  })()`);
}

test('a recorded failover: lanes, fault and go-live buttons, a non-blank canvas; clicks and keys post seeks; zoom and pan; no CSP violation', { skip, timeout: 120_000 }, async (t) => {
  // Explored to 300 ms, then back at 120 ms (during the failure detection): the future stays on the timeline.
  const rt = await failoverRuntime();
  rt.seekTime(120e6);
  const model = timelineModel(timelineBody(rt));
  const page = await openPage();
  try {
    await sendData(page, model);
    assert.equal(await page.getAttribute('#timeline', 'data-state'), 'ready');
    // Tab from the top of the page reaches the zoom controls first.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.getAttribute("data-action")'), 'zoomIn');
    await page.evaluate('document.activeElement.blur()');

    // Lanes for every host and VM, and the important events as buttons the e2e test finds.
    for (const lane of ['cluster', 'host-a', 'host-b', 'host-c', 'VM 1 (host-a)', 'VM 2 (host-b)', 'VM 3 (host-c)', 'lag']) {
      assert.equal(await page.locator(`[data-lane="${lane}"]`).count(), 1, `lane ${lane}`);
    }
    for (const kind of ['fault', 'crash', 'detect', 'arbitrate', 'goLive', 'respawnStart']) {
      assert.ok(await page.locator(`button[data-kind="${kind}"]`).count() >= 1, `a ${kind} button`);
    }
    assert.match((await page.getAttribute('button[data-kind="goLive"]', 'aria-label'))!, /^Travel to go-live at 140\.200 ms on VM 2 \(host-b\): secondary on host-b went live/);
    assert.match((await page.getAttribute('button[data-kind="fault"]', 'aria-label'))!, /hostCrash at 100\.000 ms on host-a/);

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'timeline.png');
    const gutterBox = (await page.locator('.tl-gutter').boundingBox())!;
    await page.screenshot({ path: shot, clip: { x: 0, y: 0, width: 1280, height: Math.ceil(gutterBox.y + gutterBox.height + 8) } });
    t.diagnostic(`screenshot: ${shot}`);
    const px = await pixelStats(page);
    t.diagnostic(`canvas: ${px.colours} colours, ${(px.nonBackground * 100).toFixed(1)}% non-background`);
    assert.ok(px.colours >= 12, `${px.colours} distinct colours`);
    assert.ok(px.nonBackground > 0.15, `${px.nonBackground} of the pixels drawn`);

    // A click on the plot (host-c's lane, no button there) travels to the time under the pointer.
    const v = await view(page);
    const laneBox = (await page.locator('[data-lane="host-c"]').boundingBox())!;
    const x = Math.round(v.left + v.width * 0.3);
    await page.mouse.click(x, laneBox.y + laneBox.height / 2);
    const expected = v.startNs + ((x - v.left) / v.width) * (v.endNs - v.startNs);
    const click = (await posted(page)).at(-1)!;
    assert.equal(click.type, 'seek');
    assert.ok(Math.abs(click.timeNs! - expected) <= 1, `seek to ${click.timeNs} ns, expected ${expected}`);
    assert.deepEqual(Object.keys(click).sort(), ['timeNs', 'type']);

    // Keyboard: the go-live button seeks to the go-live itself on Enter and on Space.
    const goLiveNs = model.marks.find((m) => m.kind === 'goLive')!.timeNs;
    await page.focus('button[data-kind="goLive"]');
    await page.keyboard.press('Enter');
    assert.deepEqual((await posted(page)).at(-1), { type: 'seek', timeNs: goLiveNs });
    await page.keyboard.press('Space');
    assert.deepEqual((await posted(page)).at(-1), { type: 'seek', timeNs: goLiveNs });
    // The event buttons come in time order.
    const times = await page.evaluate<number[]>('[...document.querySelectorAll(".tl-mark")].map((b) => Number(b.dataset.timeNs))');
    assert.deepEqual(times, [...times].sort((a, b) => a - b));

    // New data (the extension refreshes after the seek) keeps the go-live focused.
    await sendData(page, { ...model, nowNs: goLiveNs });
    assert.equal(await page.evaluate('document.activeElement.dataset.kind'), 'goLive');

    // Zoom with + and the wheel, pan with the arrow keys and by dragging (a drag does not seek), fit with F.
    await page.focus('.tl-plot');
    const span = (w: { startNs: number; endNs: number }): number => w.endNs - w.startNs;
    const v0 = await view(page);
    await keyRedraw(page, '+');
    const v1 = await view(page);
    assert.ok(span(v1) < span(v0) * 0.7, 'zoomed in');
    await keyRedraw(page, 'ArrowRight');
    const v2 = await view(page);
    assert.ok(v2.startNs > v1.startNs, 'panned right');
    await page.mouse.move(v.left + 400, laneBox.y + 5);
    await page.mouse.wheel(0, -300);
    await waitFor(page, rendersAbove(v2.renders));
    const v3 = await view(page);
    assert.ok(span(v3) < span(v2) * 0.7, 'the wheel zooms in');
    const seeks = (await posted(page)).length;
    await page.mouse.move(v.left + 500, laneBox.y + 5);
    await page.mouse.down();
    await page.mouse.move(v.left + 400, laneBox.y + 5, { steps: 5 });
    await page.mouse.up();
    await waitFor(page, rendersAbove(v3.renders));
    const v4 = await view(page);
    assert.ok(v4.startNs > v3.startNs, 'dragged left = later times');
    assert.equal((await posted(page)).length, seeks, 'a drag posts no seek');
    await page.click('button[data-action="fit"]');
    await waitFor(page, rendersAbove(v4.renders));
    const v5 = await view(page);
    // Fit shows what was explored (to the frontier), not the whole of untilMs ahead of it.
    const reached = Math.min(Math.max(model.frontierNs, model.nowNs), model.endNs);
    assert.ok(v5.startNs <= 0 && v5.endNs >= reached && v5.endNs <= reached * 1.03, `fit shows the explored run: ${v5.endNs} for ${reached} reached`);

    // The page ran under its CSP without a violation, and the CSP is in force: an inline script does not run.
    assert.deepEqual(await page.evaluate('window.__violations'), []);
    await page.evaluate(`(() => { const s = document.createElement('script'); s.textContent = 'window.__inline = 1'; document.body.appendChild(s); })()`);
    assert.equal(await page.evaluate('window.__inline'), undefined);
    assert.match((await page.evaluate<string[]>('window.__violations')).join('\n'), /script-src/);

    assert.deepEqual(pageErrors(page), []);

    // Keep a copy for the docs when the screenshot is current (view it before committing it).
    if (process.env.LOCKSTEP_UPDATE_SCREENSHOT === '1') {
      mkdirSync(join(ROOT, 'media/screenshots'), { recursive: true });
      copyFileSync(shot, join(ROOT, 'media/screenshots/timeline.png'));
    }
  } finally {
    await page.close();
  }
});

test('a narrow editor group: the lane names leave the plot most of the width, the legend wraps, Fit shows the explored run, labels whole', { skip, timeout: 120_000 }, async () => {
  const rt = await failoverRuntime();
  const explored = timelineModel(timelineBody(rt));
  // untilMs well past what was explored (as the user's 1 s run stopped at entry or at a breakpoint).
  const model = { ...explored, endNs: Math.max(explored.endNs, 3 * explored.frontierNs) };
  const page = await browser!.newPage({ viewport: { width: 380, height: 640 }, deviceScaleFactor: 1 });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(INIT);
  await page.goto(origin);
  await waitFor(page, 'window.__posted.some((m) => m.type === "ready")');
  try {
    await sendData(page, model);
    const box = await page.evaluate<{ gutter: number; plot: number; page: number; legendClipped: boolean; hidden: string[] }>(`(() => {
      const w = (sel) => document.querySelector(sel).getBoundingClientRect().width;
      const legend = document.querySelector('.tl-legend');
      const lr = legend.getBoundingClientRect();
      const hidden = [...legend.querySelectorAll('.tl-legend-item')].filter((i) => { const r = i.getBoundingClientRect(); return r.width === 0 || r.right > lr.right + 0.5 || r.right > window.innerWidth; }).map((i) => i.textContent);
      return { gutter: w('.tl-gutter'), plot: w('.tl-plot'), page: window.innerWidth, legendClipped: legend.scrollWidth > legend.clientWidth + 1, hidden };
    })()`);
    assert.ok(box.gutter <= box.page * 0.34, `lane names take at most a third: ${box.gutter} of ${box.page}`);
    assert.ok(box.plot >= box.page * 0.6, `the plot keeps the rest: ${box.plot}`);
    assert.equal(box.legendClipped, false, 'the legend wraps instead of being cut off');
    assert.deepEqual(box.hidden, [], 'every legend entry is on screen');
    const v = await view(page);
    assert.ok(v.endNs < model.endNs * 0.5, `fitted to the explored ${model.frontierNs}, not untilMs ${model.endNs}: ${v.endNs}`);
    assert.ok(v.endNs >= model.frontierNs);
    // Each lane keeps its VM: a failover changes the role drawn in a lane, not the lane.
    assert.equal(await page.locator('[data-lane="VM 2 (host-b)"]').count(), 1);
    assert.ok(Number(await page.getAttribute('#timeline', 'data-labels')) >= 0);
    await page.screenshot({ path: join(ARTIFACTS, 'timeline-narrow.png') });
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

/** `data-vm` of every event button in the page ('' for an event of no VM in particular). */
async function buttonVms(page: Page): Promise<string[]> {
  return page.evaluate<string[]>('[...document.querySelectorAll(".tl-mark")].map((b) => b.getAttribute("data-vm") || "")');
}

/** Chooses `vm` ('' for every VM) in the VM filter and waits for the frame that draws it. */
async function chooseVm(page: Page, vm: string): Promise<void> {
  const before = await view(page);
  await page.selectOption('.tl-vm-filter', vm);
  await waitFor(page, rendersAbove(before.renders));
  assert.equal(await page.getAttribute('#timeline', 'data-vm'), vm);
}

test('a cluster timeline: a VM filter lists every VM; choosing one leaves only its lanes and events, each event naming its VM', { skip, timeout: 120_000 }, async () => {
  const model = timelineModel(timelineBody(await clusterRuntime()));
  const page = await openPage();
  try {
    await sendData(page, model);
    assert.equal(await page.isVisible('.tl-vm-filter'), true);
    assert.deepEqual(await page.evaluate('[...document.querySelectorAll(".tl-vm-filter option")].map((o) => o.textContent)'), ['all VMs', ...model.vmNames]);
    const all = await buttonVms(page);
    assert.ok(['kv-1', 'kv-2', 'diskhog', 'batch-1'].every((vm) => all.includes(vm)), `every VM's events: ${[...new Set(all)].join(', ')}`);
    assert.match((await page.getAttribute('button[data-kind="goLive"][data-vm="diskhog"]', 'aria-label'))!, /^Travel to diskhog · go-live at 190\.\d+ ms on diskhog · VM 8 \(esx-2\): /);
    const vmLanes = await page.locator('.tl-lane-vm').count();

    await chooseVm(page, 'kv-2');
    const kv2 = await buttonVms(page);
    assert.ok(kv2.includes('kv-2') && kv2.every((vm) => vm === '' || vm === 'kv-2'), `only kv-2's events: ${kv2.join(', ')}`);
    assert.equal(await page.locator('button[data-kind="fault"]').count(), 1, 'the host crash concerns every VM: it stays');
    assert.deepEqual(await page.evaluate('[...document.querySelectorAll(".tl-lane-vm")].map((l) => l.textContent.split(" · ")[0])'), ['kv-2', 'kv-2']);

    await chooseVm(page, 'diskhog');
    assert.equal(await page.locator('button[data-kind="goLive"]').count(), 1);
    assert.equal(await page.locator('button[data-kind="goLive"][data-vm="diskhog"]').count(), 1);
    await page.screenshot({ path: join(ARTIFACTS, 'timeline-cluster-diskhog.png') });

    await chooseVm(page, '');
    assert.deepEqual(await buttonVms(page), all);
    assert.equal(await page.locator('.tl-lane-vm').count(), vmLanes);

    // A single VM's timeline has no VM filter.
    await sendData(page, timelineModel(timelineBody(await failoverRuntime())));
    assert.equal(await page.isVisible('.tl-vm-filter'), false);
    assert.deepEqual(await page.evaluate('window.__violations'), []);
    assert.deepEqual(pageErrors(page), []);
  } finally {
    await page.close();
  }
});

/** Pixels of the canvas rows `y0`..`y1` (page coordinates, left `x0`..`x1`) that differ from the lane's own background. */
async function inkIn(page: Page, box: { x0: number; x1: number; y0: number; y1: number }): Promise<number> {
  return page.evaluate(`(() => {
    const c = document.querySelector('.tl-canvas');
    const r = c.getBoundingClientRect(), k = c.width / r.width;
    const b = ${JSON.stringify(box)};
    const x = Math.round((b.x0 - r.left) * k), y = Math.round((b.y0 - r.top) * k);
    const d = c.getContext('2d').getImageData(x, y, Math.round((b.x1 - b.x0) * k), Math.round((b.y1 - b.y0) * k)).data;
    let ink = 0;
    for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - d[0]) + Math.abs(d[i + 1] - d[1]) + Math.abs(d[i + 2] - d[2]) > 24) ink++;
    return ink;
  })()`);
}

test('a cluster timeline: each host lane charts its FT logging NIC along its foot, and the pointer reads the rate', { skip, timeout: 120_000 }, async () => {
  const model = timelineModel(timelineBody(await clusterRuntime()));
  const page = await openPage();
  try {
    await sendData(page, model);
    const v = await view(page);
    const lane = (await page.locator('[data-lane="esx-3"]').boundingBox())!; // kv-2's primary: logs all run long
    const foot = { x0: v.left + 10, x1: v.left + v.width - 10, y0: lane.y + lane.height - 11, y1: lane.y + lane.height - 2 };
    const withNic = await inkIn(page, foot);
    await page.screenshot({ path: join(ARTIFACTS, 'timeline-cluster-nic.png') });
    await sendData(page, { ...model, nicByHost: undefined });
    const without = await inkIn(page, foot);
    assert.ok(withNic > without + 50, `the NIC chart draws along esx-3's foot: ${withNic} inked pixels, ${without} without it`);
    await sendData(page, model);
    await page.mouse.move(v.left + v.width / 2, lane.y + lane.height / 2);
    await waitFor(page, 'document.querySelector(".tl-readout").textContent.includes("Mbit/s")');
    assert.match((await page.textContent('.tl-readout'))!, /esx-3 · logging [\d.]+ Mbit\/s/);
    assert.match((await page.getAttribute('[data-lane="esx-3"]', 'title'))!, /logging peak [\d.]+ of 1000 Mbit\/s/);
    assert.deepEqual(pageErrors(page), []);
  } finally {
    await page.close();
  }
});

test('100 000 events: initial render and zoom/pan redraws complete with a bounded DOM', { skip, timeout: 120_000 }, async (t) => {
  const model = timelineModel(syntheticBody(100_000));
  const page = await openPage();
  try {
    const initialMs = await sendData(page, model);
    const first = await view(page);
    t.diagnostic(`100k events: data message to first frame ${initialMs.toFixed(1)} ms (draw ${first.renderMs.toFixed(1)} ms)`);
    await page.focus('.tl-plot');
    const zooms = [];
    for (let i = 0; i < 4; i++) zooms.push(await keyRedraw(page, '+'));
    const pans = [];
    for (let i = 0; i < 4; i++) pans.push(await keyRedraw(page, 'ArrowRight'));
    const outs = [];
    for (let i = 0; i < 6; i++) outs.push(await keyRedraw(page, '-'));
    const fmt = (xs: { renderMs: number; wallMs: number }[]): string => xs.map((x) => `${x.renderMs.toFixed(1)}/${x.wallMs}`).join(' ');
    t.diagnostic(`zoom in draws (draw ms/key-to-frame ms): ${fmt(zooms)}`);
    t.diagnostic(`pan draws: ${fmt(pans)}`);
    t.diagnostic(`zoom out draws: ${fmt(outs)}`);

    const nodes = await page.evaluate<number>('document.querySelectorAll("*").length');
    const buttons = await page.evaluate<number>('document.querySelectorAll(".tl-mark").length');
    t.diagnostic(`DOM: ${nodes} elements, ${buttons} event buttons`);
    assert.ok(nodes < 2000, `${nodes} DOM elements`);
    assert.ok(buttons > 0 && buttons <= 250, `${buttons} event buttons`);
    const px = await pixelStats(page);
    assert.ok(px.colours >= 8 && px.nonBackground > 0.1, JSON.stringify(px));
    await page.screenshot({ path: join(ARTIFACTS, 'timeline-100k.png') });
    assert.deepEqual(await page.evaluate('window.__violations'), []);
    assert.deepEqual(pageErrors(page), []);
  } finally {
    await page.close();
  }
});
