// Copy-on-write RAM snapshots: a page not written since the previous snapshot is shared by reference with it.

import { PAGE_SHIFT, PAGE_SIZE, type Ram } from './ram';
import { CHUNK, SavedSlots, savedAt, savedCopyOf, type SavedCopy } from './saved-slots';

/** Pages per chunk of an image's page table (saved-slots.ts): a snapshot copies the chunks that hold a written page. */
export const CHUNK_PAGES = CHUNK;

/** Immutable page contents of a RAM at one moment. Never mutate the pages: later snapshots share them. */
export interface RamImage {
  readonly base: number;
  readonly size: number;
  /** The page table as a saved copy: chunks are shared between images like pages. */
  readonly chunks: SavedCopy<Uint8Array>;
}

/** Page `p` of an image. */
export function imagePage(image: RamImage, p: number): Uint8Array {
  return savedAt(image.chunks, p);
}

/** How many pages an image holds. */
export function imagePageCount(image: RamImage): number {
  return image.size >>> PAGE_SHIFT;
}

/** Every page of an image, in order (a new array). */
export function imagePages(image: RamImage): Uint8Array[] {
  return image.chunks.flat();
}

/** The page every all-zero page of every snapshot shares. */
const ZERO_PAGE = new Uint8Array(PAGE_SIZE);

/** True when the page of `words` (a 32-bit view of RAM) starting at byte `off` is all zero. */
function isZeroPage(words: Uint32Array, off: number): boolean {
  const end = (off + PAGE_SIZE) >>> 2;
  for (let i = off >>> 2; i < end; i++) if (words[i] !== 0) return false;
  return true;
}

const zeroImages = new Map<string, RamImage>();

/** The image of an all-zero RAM of this geometry (what a fresh Ram holds; its dirty bits are relative to this). */
export function zeroImage(base: number, size: number): RamImage {
  const key = `${base}:${size}`;
  let image = zeroImages.get(key);
  if (image === undefined) {
    image = Object.freeze({ base, size, chunks: savedCopyOf(new Array<Uint8Array>(size >>> PAGE_SHIFT).fill(ZERO_PAGE)) });
    zeroImages.set(key, image);
  }
  return image;
}

/**
 * The same image with every all-zero page replaced by the shared zero page (each distinct page object
 * is checked once). An image that crossed a thread has its own zero page: interned, restoring it
 * skips the pages RAM already holds as zero without looking at them.
 */
export function internZeroPages(image: RamImage): RamImage {
  const zero = new Map<Uint8Array, boolean>();
  const pages = imagePages(image).map((page) => {
    let z = zero.get(page);
    if (z === undefined) {
      const words = pageWords(page);
      z = words === null ? page.length === PAGE_SIZE && page.every((b) => b === 0) : isZeroPage(words, 0);
      zero.set(page, z);
    }
    return z ? ZERO_PAGE : page;
  });
  return Object.freeze({ base: image.base, size: image.size, chunks: savedCopyOf(pages) });
}

/** A 32-bit view of an image page, or null when it is not a whole page on a 4-byte boundary. */
function pageWords(page: Uint8Array): Uint32Array | null {
  if (page.length !== PAGE_SIZE || page.byteOffset % 4 !== 0) return null;
  return new Uint32Array(page.buffer, page.byteOffset, PAGE_SIZE >>> 2);
}

/** Counts pages of `next` that are not shared with `prev` (the pages a snapshot had to copy). */
export function copiedPages(prev: RamImage, next: RamImage): number {
  let n = 0;
  next.chunks.forEach((chunk, c) => {
    const before = prev.chunks[c];
    if (chunk !== before) for (let i = 0; i < chunk.length; i++) if (chunk[i] !== before[i]) n++;
  });
  return n;
}

/**
 * Images RAM, copying only the pages written since `prev` was taken (or all when there is none) and
 * clearing their dirty bits (`hashDirty` is the hash cache's business and is left alone). Chunks
 * without a written page are shared with `prev`.
 */
export function captureRam(ram: Ram, prev: RamImage | null): RamImage {
  if (prev !== null && (prev.base !== ram.base || prev.size !== ram.size)) throw new Error('previous RAM image has another geometry');
  const words = new Uint32Array(ram.bytes.buffer, ram.bytes.byteOffset, ram.size >>> 2);
  const table = prev === null ? SavedSlots.filled<Uint8Array>(ram.pageCount, ZERO_PAGE) : SavedSlots.from(prev.chunks);
  for (let p = 0; p < ram.pageCount; p++) {
    if (prev !== null && ram.dirty[p] === 0) continue;
    const off = p << PAGE_SHIFT;
    table.set(p, isZeroPage(words, off) ? ZERO_PAGE : ram.bytes.slice(off, off + PAGE_SIZE));
    ram.dirty[p] = 0;
  }
  return Object.freeze({ base: ram.base, size: ram.size, chunks: table.save() });
}

/** True when RAM's page `p` (through its 32-bit view `words`) holds exactly the image page seen as `other`. */
function pageEquals(words: Uint32Array, p: number, other: Uint32Array): boolean {
  const first = (p << PAGE_SHIFT) >>> 2;
  for (let i = 0; i < other.length; i++) if (words[first + i] !== other[i]) return false;
  return true;
}

/**
 * Makes RAM equal to `image`. `current` is the image RAM was last captured into or restored from
 * (null if unknown): pages still clean and shared with it are already right and are skipped.
 * `compare`: any other page whose bytes already equal the image's is skipped too (an image that
 * crossed a thread shares no page objects with this RAM's; skipping keeps code translated there).
 * Calls `changed(off, len)` for each run of rewritten pages. Afterwards RAM is clean relative to `image`.
 */
export function restoreRam(ram: Ram, image: RamImage, current: RamImage | null, changed: (off: number, len: number) => void, compare = false): void {
  if (image.base !== ram.base || image.size !== ram.size) throw new Error('RAM image has another geometry than this RAM');
  const words = compare ? new Uint32Array(ram.bytes.buffer, ram.bytes.byteOffset, ram.size >>> 2) : null;
  let runStart = -1;
  for (let p = 0; p <= ram.pageCount; p++) {
    let same = p === ram.pageCount || (current !== null && ram.dirty[p] === 0 && imagePage(current, p) === imagePage(image, p));
    const other = !same && words !== null ? pageWords(imagePage(image, p)) : null;
    if (other !== null && pageEquals(words!, p, other)) {
      ram.dirty[p] = 0; // equal bytes: clean relative to `image`, and the page's cached hash still holds
      same = true;
    }
    if (!same) {
      ram.bytes.set(imagePage(image, p), p << PAGE_SHIFT);
      ram.hashDirty[p] = 1;
      ram.dirty[p] = 0;
      if (runStart < 0) runStart = p;
    } else if (runStart >= 0) {
      changed(runStart << PAGE_SHIFT, (p - runStart) << PAGE_SHIFT);
      runStart = -1;
    }
  }
}
