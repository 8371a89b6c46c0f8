// Guest memory as the debugger sees it: by the addresses the hart's current mode uses (virtual under Sv32 paging below M, physical otherwise), read and written without touching the TLB or the A/D bits.

import type { Cpu } from './cpu';
import type { Ram } from './ram';
import { PAGE_SHIFT, PAGE_SIZE } from './ram';
import { PRIV_M } from './priv';
import { SATP_MODE_SV32 } from './csr';

export class GuestView {
  constructor(private readonly ram: Ram, private readonly cpu: Cpu) {}

  /** True while addresses are virtual: the hart below M with Sv32 on. */
  get translating(): boolean {
    return this.cpu.priv !== PRIV_M && (this.cpu.satp & SATP_MODE_SV32) !== 0;
  }

  /** The RAM address `addr` shows, or -1 (unmapped, or outside RAM). */
  physical(addr: number): number {
    const a = addr >>> 0;
    const pa = this.translating ? this.cpu.mmu.peek(a) : a;
    return pa >= 0 && this.ram.contains(pa, 1) ? pa : -1;
  }

  /** True when every byte of [addr, addr+len) shows RAM. */
  contains(addr: number, len: number): boolean {
    if (!this.translating) return this.ram.contains(addr, len);
    if (len <= 0) return this.physical(addr) >= 0;
    for (let a = addr >>> 0, end = a + len; a < end; a = pageEnd(a)) if (this.physical(a) < 0) return false;
    return true;
  }

  /** Copies `len` bytes from `addr`, page by page. Throws where a byte is not RAM. */
  readBytes(addr: number, len: number): Uint8Array {
    if (!this.translating) return this.ram.readBytes(addr, len);
    const out = new Uint8Array(len);
    this.eachPiece(addr, len, (pa, at, n) => out.set(this.ram.bytes.subarray(pa - this.ram.base, pa - this.ram.base + n), at));
    return out;
  }

  /** Writes `data` at `addr` (dirty pages marked, decoded code there dropped). Throws where a byte is not RAM. */
  writeBytes(addr: number, data: Uint8Array): void {
    this.eachPiece(addr, data.length, (pa, at, n) => {
      this.ram.writeBytes(pa, data.subarray(at, at + n));
      this.cpu.invalidateCode(pa, n);
    });
  }

  /** The byte at `addr`, or -1. */
  u8(addr: number): number {
    const pa = this.physical(addr);
    return pa < 0 ? -1 : this.ram.bytes[pa - this.ram.base];
  }

  /** The little-endian word of `bytes` bytes at `addr` (unsigned), or undefined where one is not RAM. */
  word(addr: number, bytes: 2 | 4): number | undefined {
    if (!this.contains(addr, bytes)) return undefined;
    const b = this.readBytes(addr, bytes);
    return bytes === 2 ? b[0] | (b[1] << 8) : (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  }

  /** Calls `f(physical, offset, length)` for each page's piece of [addr, addr+len). */
  private eachPiece(addr: number, len: number, f: (pa: number, at: number, n: number) => void): void {
    let at = 0;
    for (let a = addr >>> 0; at < len; ) {
      const n = Math.min(len - at, pageEnd(a) - a);
      const pa = this.physical(a);
      if (pa < 0 || !this.ram.contains(pa, n)) throw new RangeError(`${len} bytes at 0x${(addr >>> 0).toString(16)}: 0x${a.toString(16)} is not mapped to RAM`);
      f(pa, at, n);
      at += n;
      a += n;
    }
  }
}

/** The first address of the page after `a`'s. */
function pageEnd(a: number): number {
  return ((a >>> PAGE_SHIFT) + 1) * PAGE_SIZE;
}
