// Physical memory protection: 16 entries (pmpcfg0-3, pmpaddr0-15) with a 4-byte grain (G = 0), as QEMU has.
//
// As the privileged spec says once any entry is implemented: an S- or U-mode access (a page-table walk's
// included, at S) that no entry matches fails, so software that leaves M-mode first grants itself memory
// (riscv-tests, OpenSBI and code written for QEMU do: pmpaddr0 = all ones, pmpcfg0 = NAPOT|R|W|X).
// M-mode accesses are checked only against locked entries. The lowest-numbered entry that matches any
// byte decides; an access it matches only in part fails. Entries 16-63 (pmpcfg4-15, pmpaddr16-63) read
// as zero and ignore writes. WARL: cfg bits 6:5 read zero; a cfg byte with W but not R is not taken (the
// entry keeps its old byte, as in QEMU); a locked entry's cfg and address, and the address below a locked
// TOR entry, ignore writes until reset.
//
// The hart needs no check at all while every byte of RAM is readable, writable and executable at the
// privilege that runs (`ramOpen`): then the fast paths run as before and only device accesses, on the slow
// path, are checked. Otherwise the run loop goes through cpu-paged.ts, which checks every access.

export const PMP_ENTRIES = 16;
const PMP_R = 0x01;
const PMP_W = 0x02;
const PMP_X = 0x04;
const PMP_A = 0x18;
const PMP_TOR = 0x08;
const PMP_NA4 = 0x10;
const PMP_NAPOT = 0x18;
const PMP_L = 0x80;
/** The cfg bits that hold state (6:5 are reserved). */
const CFG_BITS = PMP_L | PMP_A | PMP_X | PMP_W | PMP_R;
const RWX = PMP_R | PMP_W | PMP_X;
const PRIV_M = 3;
/** Permission bit by access kind (fetch, load, store/AMO: the order of mmu.ts's Access). */
const NEEDS = [PMP_X, PMP_R, PMP_W];

/** The entries as plain data (snapshots): one cfg byte and one pmpaddr value each. */
export interface PmpState { cfg: number[]; addr: number[] }

export class Pmp {
  private readonly cfg = new Uint8Array(PMP_ENTRIES);
  private readonly addr = new Uint32Array(PMP_ENTRIES);
  /** Byte range [lo, hi) each entry matches (up to 2^34: pmpaddr holds address bits 33:2); empty when off. */
  private readonly lo = new Float64Array(PMP_ENTRIES);
  private readonly hi = new Float64Array(PMP_ENTRIES);
  private anyLocked = false;
  /** Every access inside RAM is allowed at M, respectively at S and U (see the file comment). */
  private ramOpenM = true;
  private ramOpenSU = false;

  constructor(private readonly ramBase: number, private readonly ramSize: number) {
    this.update();
  }

  /** Whether every fetch, load and store inside RAM by privilege `priv` is allowed (no check needed). */
  ramOpen(priv: number): boolean {
    return priv === PRIV_M ? this.ramOpenM : this.ramOpenSU;
  }

  /** pmpcfg`n` (n < 16): four cfg bytes, zero for the entries not implemented. */
  readCfg(n: number): number {
    if (n >= PMP_ENTRIES / 4) return 0;
    const c = this.cfg, i = n * 4;
    return (c[i] | (c[i + 1] << 8) | (c[i + 2] << 16) | (c[i + 3] << 24)) >>> 0;
  }

  writeCfg(n: number, v: number): void {
    if (n >= PMP_ENTRIES / 4) return;
    for (let k = 0; k < 4; k++) {
      const i = n * 4 + k, b = (v >>> (8 * k)) & CFG_BITS;
      if ((this.cfg[i] & PMP_L) !== 0) continue;
      if ((b & (PMP_R | PMP_W)) === PMP_W) continue; // reserved: keep the old value
      this.cfg[i] = b;
    }
    this.update();
  }

  /** pmpaddr`n` (n < 64): address bits 33:2, zero for the entries not implemented. */
  readAddr(n: number): number {
    return n < PMP_ENTRIES ? this.addr[n] : 0;
  }

  writeAddr(n: number, v: number): void {
    if (n >= PMP_ENTRIES || (this.cfg[n] & PMP_L) !== 0) return;
    const next = n + 1 < PMP_ENTRIES ? this.cfg[n + 1] : 0;
    if ((next & PMP_L) !== 0 && (next & PMP_A) === PMP_TOR) return;
    this.addr[n] = v >>> 0;
    this.update();
  }

  /**
   * Whether an access of `size` bytes at physical address `pa` by privilege `priv` is allowed; `access` is
   * 0 fetch, 1 load, 2 store/AMO.
   */
  allows(pa: number, size: number, access: number, priv: number): boolean {
    if (priv === PRIV_M && !this.anyLocked) return true;
    const start = pa >>> 0, end = start + size;
    for (let i = 0; i < PMP_ENTRIES; i++) {
      const lo = this.lo[i], hi = this.hi[i];
      if (hi === lo || end <= lo || start >= hi) continue; // off, empty, or no byte matches
      if (start < lo || end > hi) return false; // matched in part
      const cfg = this.cfg[i];
      if (priv === PRIV_M && (cfg & PMP_L) === 0) return true;
      return (cfg & NEEDS[access]) !== 0;
    }
    return priv === PRIV_M;
  }

  getState(): PmpState {
    return { cfg: Array.from(this.cfg), addr: Array.from(this.addr) };
  }

  setState(s: PmpState): void {
    if (s.cfg.length !== PMP_ENTRIES || s.addr.length !== PMP_ENTRIES) throw new Error(`Pmp.setState: ${s.cfg.length} entries, expected ${PMP_ENTRIES}`);
    this.cfg.set(s.cfg);
    this.addr.set(s.addr);
    this.update();
  }

  /** Recomputes each entry's range and whether RAM is open at M and below. */
  private update(): void {
    this.anyLocked = false;
    for (let i = 0; i < PMP_ENTRIES; i++) {
      const cfg = this.cfg[i], a = this.addr[i];
      let lo = 0, hi = 0;
      switch (cfg & PMP_A) {
        case PMP_TOR: lo = i === 0 ? 0 : this.addr[i - 1] * 4; hi = a * 4; break;
        case PMP_NA4: lo = a * 4; hi = lo + 4; break;
        case PMP_NAPOT: {
          const ones = trailingOnes(a), size = 2 ** (ones + 3);
          lo = Math.floor((a * 4) / size) * size;
          hi = lo + size;
          break;
        }
      }
      this.lo[i] = lo;
      this.hi[i] = hi > lo ? hi : lo; // a TOR entry whose top is not above its bottom matches nothing
      if ((cfg & PMP_A) !== 0 && (cfg & PMP_L) !== 0) this.anyLocked = true;
    }
    this.ramOpenM = !this.anyLocked || this.firstOverRamGrants(true);
    this.ramOpenSU = this.firstOverRamGrants(false);
  }

  /**
   * Whether the first entry with a byte in RAM covers all of it and grants everything: R, W and X (for M, or
   * not locked). Conservative: false means "check each access", never a wrong answer.
   */
  private firstOverRamGrants(m: boolean): boolean {
    const start = this.ramBase, end = this.ramBase + this.ramSize;
    for (let i = 0; i < PMP_ENTRIES; i++) {
      const lo = this.lo[i], hi = this.hi[i];
      if (hi === lo || end <= lo || start >= hi) continue;
      if (start < lo || end > hi) return false;
      const cfg = this.cfg[i];
      return (m && (cfg & PMP_L) === 0) || (cfg & RWX) === RWX;
    }
    return m;
  }
}

function trailingOnes(v: number): number {
  let n = 0;
  while (n < 32 && ((v >>> n) & 1) === 1) n++;
  return n;
}
