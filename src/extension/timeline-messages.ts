// The messages between the Timeline panel (timeline-panel.ts, in the extension host) and its page (webview/, in the
// webview): one definition both sides import. Pure: neither `vscode` nor the DOM, so both programs compile it.
import type { TimelineModel } from './timeline-model';

/** Webview → extension. `seek` asks for time travel to `timeNs` (an event's own time when an event was chosen). */
export type WebviewMessage = { type: 'ready' } | { type: 'seek'; timeNs: number };

/** Extension → webview. */
export type PanelMessage = { type: 'data'; data: TimelineModel } | { type: 'status'; text: string };

/** Validates a message from the webview (its content is untrusted): undefined when malformed. */
export function parseWebviewMessage(m: unknown): WebviewMessage | undefined {
  if (typeof m !== 'object' || m === null) return undefined;
  const r = m as Record<string, unknown>;
  if (r.type === 'ready') return { type: 'ready' };
  if (r.type === 'seek' && typeof r.timeNs === 'number' && Number.isFinite(r.timeNs) && r.timeNs >= 0) return { type: 'seek', timeNs: r.timeNs };
  return undefined;
}

/**
 * A message as the page receives it (any `message` event of its window): undefined when it is not one of ours. The
 * model's fields are not checked here: the page reads each one defensively as it prepares the drawing.
 */
export function parsePanelMessage(m: unknown): PanelMessage | undefined {
  if (typeof m !== 'object' || m === null) return undefined;
  const r = m as Record<string, unknown>;
  if (r.type === 'data' && typeof r.data === 'object' && r.data !== null) return { type: 'data', data: r.data as TimelineModel };
  if (r.type === 'status') return { type: 'status', text: typeof r.text === 'string' ? r.text : String(r.text ?? '') };
  return undefined;
}
