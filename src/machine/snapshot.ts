// Copy-on-write RAM snapshots: a page not written since the previous snapshot is shared by reference with it.

import { PAGE_SHIFT, PAGE_SIZE, type Ram } from './ram';

/** Immutable page contents of a RAM at one moment. Never mutate the pages: later snapshots share them. */
export interface RamImage {
  readonly base: number;
  readonly size: number;
  readonly pages: readonly Uint8Array[];
}

/** The page every all-zero page of every snapshot shares. */
const ZERO_PAGE = new Uint8Array(PAGE_SIZE);

/** True when the page of `words` (a 32-bit view of RAM) starting at byte `off` is all zero. */
function isZeroPage(words: Uint32Array, off: number): boolean {
  const end = (off + PAGE_SIZE) >>> 2;
  for (let i = off >>> 2; i < end; i++) if (words[i] !== 0) return false;
  return true;
}

/** Counts pages of `next` that are not shared with `prev` (the pages a snapshot had to copy). */
export function copiedPages(prev: RamImage, next: RamImage): number {
  let n = 0;
  for (let p = 0; p < next.pages.length; p++) if (next.pages[p] !== prev.pages[p]) n++;
  return n;
}

/**
 * Images RAM, copying only the pages written since `prev` was taken (or all when there is none) and
 * clearing their dirty bits (`hashDirty` is the hash cache's business and is left alone).
 */
export function captureRam(ram: Ram, prev: RamImage | null): RamImage {
  if (prev !== null && (prev.base !== ram.base || prev.size !== ram.size)) throw new Error('previous RAM image has another geometry');
  const pages = prev === null ? new Array<Uint8Array>(ram.pageCount) : prev.pages.slice();
  const words = new Uint32Array(ram.bytes.buffer, ram.bytes.byteOffset, ram.size >>> 2);
  for (let p = 0; p < ram.pageCount; p++) {
    if (prev !== null && ram.dirty[p] === 0) continue;
    const off = p << PAGE_SHIFT;
    pages[p] = isZeroPage(words, off) ? ZERO_PAGE : ram.bytes.slice(off, off + PAGE_SIZE);
    ram.dirty[p] = 0;
  }
  return Object.freeze({ base: ram.base, size: ram.size, pages: Object.freeze(pages) });
}

/**
 * Makes RAM equal to `image`. `current` is the image RAM was last captured into or restored from
 * (null if unknown): pages still clean and shared with it are already right and are skipped.
 * Calls `changed(off, len)` for each run of rewritten pages. Afterwards RAM is clean relative to `image`.
 */
export function restoreRam(ram: Ram, image: RamImage, current: RamImage | null, changed: (off: number, len: number) => void): void {
  if (image.base !== ram.base || image.size !== ram.size) throw new Error('RAM image has another geometry than this RAM');
  let runStart = -1;
  for (let p = 0; p <= ram.pageCount; p++) {
    const same = p === ram.pageCount || (current !== null && ram.dirty[p] === 0 && current.pages[p] === image.pages[p]);
    if (!same) {
      ram.bytes.set(image.pages[p], p << PAGE_SHIFT);
      ram.hashDirty[p] = 1;
      ram.dirty[p] = 0;
      if (runStart < 0) runStart = p;
    } else if (runStart >= 0) {
      changed(runStart << PAGE_SHIFT, (p - runStart) << PAGE_SHIFT);
      runStart = -1;
    }
  }
}
