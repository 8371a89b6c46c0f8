// PLIC (0x0c00_0000): 31 level-triggered sources, one hart's machine context, claim/complete; drives MEIP.

import { Irq, MemMap } from '../types';
import { type Device, type DeviceHost, type IrqLine, isWord } from './device';
import { hex8 } from '../abi';

export const PLIC_SOURCES = 32; // source 0 is reserved ("no interrupt")
/** Priority and threshold are 3-bit fields, as on QEMU virt (0 = never). */
const PRIORITY_MASK = 7;
const PENDING = 0x001000;
const ENABLE = 0x002000;
const THRESHOLD = 0x200000;
const CLAIM = 0x200004;
const SOURCE_BITS = 0xfffffffe; // bit 0 (source 0) is hardwired to zero

export interface PlicState {
  /** Priority of each source (index 0 unused, always 0). */
  priority: number[];
  /** Bitmask of the lines devices are asserting. */
  levels: number;
  /** Bitmask of sources claimed and not yet completed (their gateway is closed). */
  claimed: number;
  enable: number;
  threshold: number;
}

export class Plic implements Device<PlicState> {
  readonly name = 'plic';
  readonly base = MemMap.plic;
  readonly size = 0x400_0000;
  private s: PlicState = { priority: new Array<number>(PLIC_SOURCES).fill(0), levels: 0, claimed: 0, enable: 0, threshold: 0 };

  constructor(private readonly host: DeviceHost) {}

  /** The interrupt line of source `n` (1–31), for a device to drive. */
  line(n: number): IrqLine {
    if (!Number.isInteger(n) || n < 1 || n >= PLIC_SOURCES) throw new Error(`PLIC source ${n} out of range`);
    return { set: (level) => this.setLevel(n, level) };
  }

  setLevel(n: number, level: boolean): void {
    const bit = (1 << n) >>> 0;
    const levels = level ? (this.s.levels | bit) >>> 0 : (this.s.levels & ~bit) >>> 0;
    if (levels === this.s.levels) return;
    this.s.levels = levels;
    this.update();
  }

  /** Pending bits: asserted lines whose gateway is open (not claimed). */
  get pending(): number {
    return (this.s.levels & ~this.s.claimed & SOURCE_BITS) >>> 0;
  }

  /** The source a claim would return now (0 if none). */
  best(): number {
    const candidates = this.pending & this.s.enable;
    let bestSource = 0;
    let bestPriority = this.s.threshold;
    for (let n = 1; n < PLIC_SOURCES; n++) {
      if ((candidates >>> n) & 1 && this.s.priority[n] > bestPriority) {
        bestSource = n;
        bestPriority = this.s.priority[n];
      }
    }
    return bestSource;
  }

  read(offset: number, size: 1 | 2 | 4): number {
    if (!isWord(offset, size)) return -1;
    if (offset < 4 * PLIC_SOURCES) return this.s.priority[offset >>> 2];
    switch (offset) {
      case PENDING: return this.pending;
      case ENABLE: return this.s.enable;
      case THRESHOLD: return this.s.threshold;
      case CLAIM: return this.claim();
      default: return -1;
    }
  }

  write(offset: number, size: 1 | 2 | 4, value: number): boolean {
    if (!isWord(offset, size)) return false;
    if (offset < 4 * PLIC_SOURCES) {
      if (offset !== 0) this.s.priority[offset >>> 2] = value & PRIORITY_MASK;
    } else if (offset === ENABLE) {
      this.s.enable = (value & SOURCE_BITS) >>> 0;
    } else if (offset === THRESHOLD) {
      this.s.threshold = value & PRIORITY_MASK;
    } else if (offset === CLAIM) {
      this.complete(value);
    } else if (offset !== PENDING) {
      return false; // PENDING is read only: writes are ignored
    }
    this.update();
    return true;
  }

  private claim(): number {
    const n = this.best();
    if (n !== 0) {
      this.s.claimed = (this.s.claimed | (1 << n)) >>> 0;
      this.update();
    }
    return n;
  }

  /** Completing a source that is not claimed is ignored. */
  private complete(n: number): void {
    if (n >= 1 && n < PLIC_SOURCES) this.s.claimed = (this.s.claimed & ~(1 << n)) >>> 0;
  }

  private update(): void {
    this.host.setCpuIrq(Irq.MExternal, this.best() !== 0);
  }

  getState(): PlicState {
    return { ...this.s, priority: this.s.priority.slice() };
  }

  setState(s: PlicState): void {
    if (s.priority.length !== PLIC_SOURCES) throw new Error('PLIC state has the wrong number of sources');
    this.s = { ...s, priority: s.priority.slice() };
  }

  describe(): Record<string, string | number | boolean> {
    const priorities = this.s.priority.map((p, n) => (p !== 0 ? `${n}:${p}` : '')).filter((x) => x !== '');
    return {
      pending: hex8(this.pending), enable: hex8(this.s.enable), claimed: hex8(this.s.claimed),
      lines: hex8(this.s.levels), threshold: this.s.threshold, priorities: priorities.join(' '),
    };
  }
}
