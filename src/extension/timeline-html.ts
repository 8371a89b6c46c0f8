// Pure Timeline webview HTML (no `vscode` import): the page skeleton under a strict Content Security Policy with a per-render nonce.
import { randomBytes } from 'node:crypto';

export interface TimelineHtmlOptions {
  /** `webview.cspSource`: the origin the webview loads local resources from. */
  cspSource: string;
  /** Fresh for every render (`newNonce()`): only the script carrying it runs. */
  nonce: string;
  /** `webview.asWebviewUri(dist/webview/timeline.js)`. */
  scriptUri: string;
  /** `webview.asWebviewUri(media/timeline.css)`. */
  styleUri: string;
}

/** 128 random bits, base64url (letters, digits, `-`, `_`: valid in a CSP nonce and in an attribute). */
export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

/** No inline styles, no inline or foreign scripts, no network: only our media files, data: images and the nonce'd script. */
export function timelineCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The whole page. Everything data-dependent is built by the page script (src/extension/webview) from DOM nodes and canvas drawing, never from markup. */
export function timelineHtml(o: TimelineHtmlOptions): string {
  if (!/^[A-Za-z0-9+/_=-]+$/.test(o.nonce)) throw new Error('timelineHtml: the nonce must be base64');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(timelineCsp(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(o.styleUri)}">
<title>Lockstep Timeline</title>
</head>
<body>
<div id="timeline" class="tl-root" data-state="empty">
  <div class="tl-toolbar" role="toolbar" aria-label="Timeline controls">
    <button type="button" class="tl-tool" data-action="zoomIn" aria-label="Zoom in" title="Zoom in (+)">+</button>
    <button type="button" class="tl-tool" data-action="zoomOut" aria-label="Zoom out" title="Zoom out (-)">−</button>
    <button type="button" class="tl-tool" data-action="fit" aria-label="Fit: show the explored part of the run" title="Fit the explored run (F)">Fit</button>
    <button type="button" class="tl-tool" data-action="now" aria-label="Center on the current position" title="Go to the cursor (N)">Now</button>
    <label class="tl-vm" hidden>VM <select class="tl-vm-filter" aria-label="Show the events of one VM" title="Show one VM's lanes and events (a cluster of several VMs)"><option value="">all VMs</option></select></label>
    <span class="tl-status" aria-live="polite"></span>
    <span class="tl-legend" aria-hidden="true">
      <span class="tl-legend-item"><span class="tl-sw tl-sw-primary"></span>primary</span>
      <span class="tl-legend-item"><span class="tl-sw tl-sw-secondary"></span>secondary</span>
      <span class="tl-legend-item"><span class="tl-sw tl-sw-copying"></span>copying</span>
      <span class="tl-legend-item"><span class="tl-sw tl-sw-down"></span>down / failover</span>
      <span class="tl-legend-item"><span class="tl-sw tl-sw-held"></span>held outputs</span>
      <span class="tl-legend-item"><span class="tl-sw tl-sw-released"></span>released</span>
      <span class="tl-legend-item"><span class="tl-sw tl-sw-lag"></span>lag</span>
    </span>
    <span class="tl-readout"></span>
  </div>
  <div class="tl-body">
    <div class="tl-gutter" role="list" aria-label="Lanes"></div>
    <div class="tl-plot" tabindex="0" role="group" aria-label="Timeline plot: click to travel to a time; arrow keys pan, + and - zoom, F fits">
      <canvas class="tl-canvas" aria-hidden="true"></canvas>
      <div class="tl-marks" role="list" aria-label="Cluster events"></div>
    </div>
  </div>
  <p class="tl-empty">Start a Lockstep debug session: its timeline shows here.</p>
</div>
<script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>
`;
}
