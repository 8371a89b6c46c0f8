// The part of the webview API (`acquireVsCodeApi`) the page uses, typed by the messages it may send.
import type { WebviewMessage } from '../timeline-messages';

/** The view the page keeps across reloads (the panel hidden and shown again). */
export interface SavedView {
  startNs: number;
  endNs: number;
  fitted: boolean;
  /** The VM filter: one VM of a cluster, or null for every VM. */
  vm: string | null;
}

export interface WebviewApi {
  postMessage(message: WebviewMessage): void;
  getState(): Partial<SavedView> | undefined;
  setState(state: SavedView): void;
}

declare const acquireVsCodeApi: (() => WebviewApi) | undefined;

/** The webview API (callable once per page), or a stand-in that drops everything when the page runs in a plain browser. */
export function webviewApi(): WebviewApi {
  return typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : { postMessage: () => {}, getState: () => undefined, setState: () => {} };
}
