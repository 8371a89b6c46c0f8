// The page's drawing state: the prepared data, the visible time range, the canvas size and the theme colours, and
// the mapping between time and x.
import type { Prepared } from './prepare';

/** The visible time range; `fitted`: it follows the whole run as new data arrives. */
export interface View {
  startNs: number;
  endNs: number;
  fitted: boolean;
}

/** The plot's size in CSS pixels and the device pixel ratio the canvas is backed at. */
export interface Size {
  width: number;
  height: number;
  dpr: number;
}

/** The theme as the canvas needs it: CSS variables of the page read into values. */
export interface Colors {
  bg: string;
  fg: string;
  muted: string;
  grid: string;
  laneAlt: string;
  red: string;
  green: string;
  blue: string;
  yellow: string;
  orange: string;
  purple: string;
  cursor: string;
  unexplored: string;
  font: string;
}

export type ColorName = Exclude<keyof Colors, 'font'>;

/** Everything a frame draws from and onto (one per page; `view` and `size` are changed in place). */
export interface Scene {
  readonly root: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  readonly ctx: CanvasRenderingContext2D;
  data: Prepared | null;
  readonly view: View;
  readonly size: Size;
  colors: Colors;
}

export function spanNs(sc: Scene): number {
  return sc.view.endNs - sc.view.startNs;
}

export function xOf(sc: Scene, tNs: number): number {
  return ((tNs - sc.view.startNs) / spanNs(sc)) * sc.size.width;
}

export function timeAt(sc: Scene, x: number): number {
  return sc.view.startNs + (x / sc.size.width) * spanNs(sc);
}

/** The colours from the page's CSS variables (VS Code's theme, or the stylesheet's fallbacks in a plain browser). */
export function readColors(root: HTMLElement): Colors {
  const cs = getComputedStyle(root);
  const get = (name: string, dflt: string): string => { const v = cs.getPropertyValue(name).trim(); return v || dflt; };
  return {
    bg: get('--tl-bg', '#1e1e1e'), fg: get('--tl-fg', '#cccccc'), muted: get('--tl-muted', '#8b8b8b'), grid: get('--tl-grid', 'rgba(128,128,128,0.25)'),
    laneAlt: get('--tl-lane-alt', 'rgba(128,128,128,0.06)'), red: get('--tl-red', '#f14c4c'), green: get('--tl-green', '#89d185'),
    blue: get('--tl-blue', '#3794ff'), yellow: get('--tl-yellow', '#cca700'), orange: get('--tl-orange', '#d18616'),
    purple: get('--tl-purple', '#b180d7'), cursor: get('--tl-cursor', '#f5c518'), unexplored: get('--tl-unexplored', 'rgba(128,128,128,0.18)'),
    font: get('--tl-font', 'sans-serif'),
  };
}
