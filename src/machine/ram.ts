// Guest RAM: one contiguous byte array with 4 KiB pages, dirty-page bits for snapshots, hashing and code invalidation.
//
// The bytes live at offset 0 of a WebAssembly.Memory, followed by the per-page flags and the CPU's
// core (registers and decode cache): translated code compiled to WebAssembly (jit-wasm.ts) reads and
// writes all of them directly, and everything else sees ordinary typed-array views.

import { DC_BASE, DC_SIZE, DC_STRIDE } from './cpu-exec';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
/** Int32s of the CPU's core beside RAM: registers (0..32), scratch (33..DC_BASE-1), then the decode cache (Cpu.core). */
export const CORE_INTS = DC_BASE + DC_SIZE * DC_STRIDE;
const WASM_PAGE = 65_536;
/** Slots of the table translated code dispatches through without leaving WebAssembly (jit-wasm-dispatch.ts): pc, table index + 1. */
export const DISPATCH_SLOTS = 4096;

/** Byte offsets of everything beside RAM in its memory (a function of the RAM size only, so translated code embeds them). */
export interface RamLayout {
  codePage: number;
  dirty: number;
  hashDirty: number;
  core: number;
  /** DISPATCH_SLOTS pairs of int32s: an entry pc and its region's table index + 1 (0: none). */
  dispatch: number;
  /** Bytes in all, whole WebAssembly pages. */
  total: number;
}

export function ramLayout(size: number): RamLayout {
  const pages = size >>> PAGE_SHIFT;
  const codePage = size, dirty = codePage + pages, hashDirty = dirty + pages;
  const core = (hashDirty + pages + 15) & ~15;
  const dispatch = core + CORE_INTS * 4;
  const total = Math.ceil((dispatch + DISPATCH_SLOTS * 8) / WASM_PAGE) * WASM_PAGE;
  return { codePage, dirty, hashDirty, core, dispatch, total };
}

/** The memory behind each RAM's bytes, so a recycled RAM (RamPool) brings its memory along. */
const memories = new WeakMap<ArrayBuffer, WebAssembly.Memory>();

export class Ram {
  readonly base: number;
  readonly size: number;
  readonly bytes: Uint8Array;
  readonly dv: DataView;
  /**
   * One byte per page: 1 once the page was written since the last snapshot (cleared by snapshots).
   * A fresh RAM is all zero and all clean: clean relative to the all-zero image (see zeroImage).
   */
  readonly dirty: Uint8Array;
  /** One byte per page: 1 once the page was written since its cached hash was computed (a fresh cache holds the zero page's hash). */
  readonly hashDirty: Uint8Array;
  readonly pageCount: number;
  /** The memory holding the bytes, the flags and the core (see ramLayout). */
  readonly memory: WebAssembly.Memory;
  readonly layout: RamLayout;
  /** Per page: what the CPU translated or decoded from it (Cpu.codePage). */
  readonly codePage: Uint8Array;
  /** The CPU's registers and decode cache (Cpu.core). */
  readonly core: Int32Array;

  /** `zeroed`: all-zero bytes of `size` (the `bytes` of a RAM no longer used) to use instead of a new allocation. */
  constructor(base: number, size: number, zeroed?: Uint8Array) {
    if (base % PAGE_SIZE !== 0) throw new Error(`RAM base 0x${base.toString(16)} is not page aligned`);
    if (size <= 0 || size % PAGE_SIZE !== 0) throw new Error(`RAM size ${size} is not a positive multiple of ${PAGE_SIZE}`);
    this.base = base >>> 0;
    this.size = size;
    if (zeroed !== undefined && zeroed.length !== size) throw new Error(`RAM of ${size} bytes given ${zeroed.length} bytes`);
    this.layout = ramLayout(size);
    const reused = zeroed === undefined || zeroed.byteOffset !== 0 ? undefined : memories.get(zeroed.buffer as ArrayBuffer);
    this.memory = reused !== undefined && reused.buffer.byteLength === this.layout.total ? reused : new WebAssembly.Memory({ initial: this.layout.total / WASM_PAGE });
    const buf = this.memory.buffer;
    memories.set(buf, this.memory);
    this.bytes = new Uint8Array(buf, 0, size); // a new memory is all zero, and so is a recycled one's RAM
    this.pageCount = size >>> PAGE_SHIFT;
    const { codePage, dirty, hashDirty, core } = this.layout;
    if (this.memory === reused) new Uint8Array(buf, size).fill(0); // a recycled memory's flags and core
    this.codePage = new Uint8Array(buf, codePage, this.pageCount);
    this.dirty = new Uint8Array(buf, dirty, this.pageCount);
    this.hashDirty = new Uint8Array(buf, hashDirty, this.pageCount);
    this.core = new Int32Array(buf, core, CORE_INTS);
    this.dv = new DataView(buf, 0, size);
  }

  /** True when [addr, addr+len) lies inside RAM. */
  contains(addr: number, len: number): boolean {
    const off = (addr >>> 0) - this.base;
    return off >= 0 && off + len <= this.size;
  }

  /** Marks the pages covering [off, off+len) (offsets into RAM) as written. */
  markWritten(off: number, len: number): void {
    const last = (off + Math.max(len, 1) - 1) >>> PAGE_SHIFT;
    for (let p = off >>> PAGE_SHIFT; p <= last && p < this.pageCount; p++) {
      this.dirty[p] = 1;
      this.hashDirty[p] = 1;
    }
  }

  /** Copies `data` into RAM at guest address `addr` (loader, DMA, debugger). Throws if out of range. */
  writeBytes(addr: number, data: Uint8Array): void {
    if (!this.contains(addr, data.length)) {
      throw new RangeError(`write of ${data.length} bytes at 0x${(addr >>> 0).toString(16)} is outside RAM`);
    }
    const off = (addr >>> 0) - this.base;
    this.bytes.set(data, off);
    this.markWritten(off, data.length);
  }

  /** Copies `len` bytes of RAM at guest address `addr`. Throws if out of range. */
  readBytes(addr: number, len: number): Uint8Array {
    if (!this.contains(addr, len)) {
      throw new RangeError(`read of ${len} bytes at 0x${(addr >>> 0).toString(16)} is outside RAM`);
    }
    const off = (addr >>> 0) - this.base;
    return this.bytes.slice(off, off + len);
  }
}
