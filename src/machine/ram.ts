// Guest RAM: one contiguous byte array with 4 KiB pages, dirty-page bits for snapshots, hashing and code invalidation.

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;

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

  /** `zeroed`: all-zero bytes of `size` to use instead of a new allocation. */
  constructor(base: number, size: number, zeroed?: Uint8Array) {
    if (base % PAGE_SIZE !== 0) throw new Error(`RAM base 0x${base.toString(16)} is not page aligned`);
    if (size <= 0 || size % PAGE_SIZE !== 0) throw new Error(`RAM size ${size} is not a positive multiple of ${PAGE_SIZE}`);
    this.base = base >>> 0;
    this.size = size;
    if (zeroed !== undefined && zeroed.length !== size) throw new Error(`RAM of ${size} bytes given ${zeroed.length} bytes`);
    this.bytes = zeroed ?? new Uint8Array(size);
    this.dv = new DataView(this.bytes.buffer);
    this.pageCount = size >>> PAGE_SHIFT;
    this.dirty = new Uint8Array(this.pageCount);
    this.hashDirty = new Uint8Array(this.pageCount);
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
