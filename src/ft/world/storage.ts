// Shared storage: the protected VM's virtual disk and the lock area whose atomic test-and-set prevents split brain.

import { SavedSlots, type SavedCopy } from '../../machine/saved-slots';
import { assert } from '../sim/assert';

export const SECTOR_BYTES = 512;

export interface StorageState {
  /**
   * Sector contents by number (undefined = never written, reads as zeros), as saved: shared by the
   * checkpoints between two writes. A sector's bytes are never changed in place (a write replaces them).
   */
  sectors: SavedCopy<Uint8Array | undefined>;
  /** Pair generation → VM id that won the test-and-set for it. */
  locks: Map<number, number>;
  /** Hosts that lost their path to the storage. */
  unreachableFrom: Set<string>;
}

export class SharedStorage {
  /** The lock area and the storage paths (the sectors are kept apart, copied only when written). */
  state: Omit<StorageState, 'sectors'>;
  private readonly sectors: SavedSlots<Uint8Array | undefined>;

  /** `image`: the disk's initial contents from sector 0 (whole sectors; the rest reads as zeros). */
  constructor(readonly capacitySectors: number, readonly latencyNs: number, image?: Uint8Array) {
    this.sectors = SavedSlots.filled<Uint8Array | undefined>(capacitySectors, undefined);
    this.state = { locks: new Map(), unreachableFrom: new Set() };
    if (image !== undefined) this.fill(image);
  }

  /** Writes `image` from sector 0, keeping all-zero sectors unwritten (they read as zeros all the same). */
  private fill(image: Uint8Array): void {
    const count = image.length / SECTOR_BYTES;
    assert(Number.isInteger(count) && count <= this.capacitySectors, `a disk image of ${image.length} bytes does not fit ${this.capacitySectors} sectors`);
    for (let i = 0; i < count; i++) {
      const sector = image.subarray(i * SECTOR_BYTES, (i + 1) * SECTOR_BYTES);
      if (sector.some((b) => b !== 0)) this.sectors.set(i, sector.slice());
    }
  }

  reachable(host: string): boolean {
    return !this.state.unreachableFrom.has(host);
  }

  /** Atomic test-and-set of the lock for one pair generation: true if `vm` owns it afterwards. */
  testAndSet(generation: number, vm: number): boolean {
    const owner = this.state.locks.get(generation);
    if (owner === undefined) {
      this.state.locks.set(generation, vm);
      return true;
    }
    return owner === vm;
  }

  lockOwner(generation: number): number | undefined {
    return this.state.locks.get(generation);
  }

  inRange(sector: number, count: number): boolean {
    return Number.isInteger(sector) && sector >= 0 && count >= 1 && sector + count <= this.capacitySectors;
  }

  read(sector: number, count: number): Uint8Array {
    if (!this.inRange(sector, count)) throw new Error(`storage read out of range: ${sector}+${count}`);
    const out = new Uint8Array(count * SECTOR_BYTES);
    for (let i = 0; i < count; i++) {
      const s = this.sectors.get(sector + i);
      if (s !== undefined) out.set(s, i * SECTOR_BYTES);
    }
    return out;
  }

  write(sector: number, data: Uint8Array): void {
    const count = Math.ceil(data.length / SECTOR_BYTES);
    if (!this.inRange(sector, count)) throw new Error(`storage write out of range: ${sector}+${count}`);
    for (let i = 0; i < count; i++) {
      const s = new Uint8Array(SECTOR_BYTES);
      s.set(data.subarray(i * SECTOR_BYTES, (i + 1) * SECTOR_BYTES));
      this.sectors.set(sector + i, s);
    }
  }

  getState(): StorageState {
    return { sectors: this.sectors.save(), locks: new Map(this.state.locks), unreachableFrom: new Set(this.state.unreachableFrom) };
  }

  setState(st: StorageState): void {
    this.sectors.restore(st.sectors);
    this.state = { locks: new Map(st.locks), unreachableFrom: new Set(st.unreachableFrom) };
  }
}
