// PLIC (0x0c00_0000): 31 level-triggered sources, the hart's machine and supervisor contexts (QEMU virt's 0 and 1), claim/complete; drives MEIP and SEIP.

import { Irq, MemMap } from '../types';
import { type Device, type DeviceHost, type IrqLine, isWord } from './device';
import { hex8 } from '../abi';

export const PLIC_SOURCES = 32; // source 0 is reserved ("no interrupt")
/** Priority and threshold are 3-bit fields, as on QEMU virt (0 = never). */
const PRIORITY_MASK = 7;
const PENDING = 0x001000;
/** Per-context registers: enable bits at ENABLE + 0x80·context, threshold and claim at THRESHOLD + 0x1000·context. */
const ENABLE = 0x002000, ENABLE_STRIDE = 0x80;
const THRESHOLD = 0x200000, CONTEXT_STRIDE = 0x1000; // claim/complete at THRESHOLD + 4
/** Context 0 is the hart's M-mode (MEIP), context 1 its S-mode (SEIP), as on QEMU virt. */
export const PLIC_CONTEXTS = 2;
const CONTEXT_IRQ = [Irq.MExternal, Irq.SExternal] as const;
const SOURCE_BITS = 0xfffffffe; // bit 0 (source 0) is hardwired to zero

export interface PlicState {
  /** Priority of each source (index 0 unused, always 0). */
  priority: number[];
  /** Bitmask of the lines devices are asserting. */
  levels: number;
  /** Bitmask of sources claimed and not yet completed (their gateway is closed, whichever context claimed). */
  claimed: number;
  /** Enable bits per context (index 0 = M, 1 = S). */
  enable: number[];
  /** Priority threshold per context. */
  threshold: number[];
}

export class Plic implements Device<PlicState> {
  readonly name = 'plic';
  readonly base = MemMap.plic;
  readonly size = 0x400_0000;
  private s: PlicState = {
    priority: new Array<number>(PLIC_SOURCES).fill(0), levels: 0, claimed: 0,
    enable: new Array<number>(PLIC_CONTEXTS).fill(0), threshold: new Array<number>(PLIC_CONTEXTS).fill(0),
  };

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

  /** The source a claim by `context` would return now (0 if none). */
  best(context = 0): number {
    const candidates = this.pending & this.s.enable[context];
    let bestSource = 0;
    let bestPriority = this.s.threshold[context];
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
    if (offset === PENDING) return this.pending;
    const enableOf = enableContext(offset);
    if (enableOf >= 0) return this.s.enable[enableOf];
    const ctx = context(offset);
    if (ctx < 0) return -1;
    return (offset & (CONTEXT_STRIDE - 1)) === 0 ? this.s.threshold[ctx] : this.claim(ctx);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): boolean {
    if (!isWord(offset, size)) return false;
    const enableOf = enableContext(offset), ctx = context(offset);
    if (offset < 4 * PLIC_SOURCES) {
      if (offset !== 0) this.s.priority[offset >>> 2] = value & PRIORITY_MASK;
    } else if (enableOf >= 0) {
      this.s.enable[enableOf] = (value & SOURCE_BITS) >>> 0;
    } else if (ctx >= 0 && (offset & (CONTEXT_STRIDE - 1)) === 0) {
      this.s.threshold[ctx] = value & PRIORITY_MASK;
    } else if (ctx >= 0) {
      this.complete(value);
    } else if (offset !== PENDING) {
      return false; // PENDING is read only: writes are ignored
    }
    this.update();
    return true;
  }

  private claim(context: number): number {
    const n = this.best(context);
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
    for (let ctx = 0; ctx < PLIC_CONTEXTS; ctx++) this.host.setCpuIrq(CONTEXT_IRQ[ctx], this.best(ctx) !== 0);
  }

  getState(): PlicState {
    return { ...this.s, priority: this.s.priority.slice(), enable: this.s.enable.slice(), threshold: this.s.threshold.slice() };
  }

  setState(s: PlicState): void {
    if (s.priority.length !== PLIC_SOURCES) throw new Error('PLIC state has the wrong number of sources');
    if (s.enable.length !== PLIC_CONTEXTS || s.threshold.length !== PLIC_CONTEXTS) throw new Error('PLIC state has the wrong number of contexts');
    this.s = { ...s, priority: s.priority.slice(), enable: s.enable.slice(), threshold: s.threshold.slice() };
  }

  describe(): Record<string, string | number | boolean> {
    const priorities = this.s.priority.map((p, n) => (p !== 0 ? `${n}:${p}` : '')).filter((x) => x !== '');
    return {
      pending: hex8(this.pending), claimed: hex8(this.s.claimed), lines: hex8(this.s.levels),
      enableM: hex8(this.s.enable[0]), thresholdM: this.s.threshold[0], enableS: hex8(this.s.enable[1]), thresholdS: this.s.threshold[1],
      priorities: priorities.join(' '),
    };
  }
}

/** The context whose enable word `offset` is (-1 if none). */
function enableContext(offset: number): number {
  const rel = offset - ENABLE;
  return rel >= 0 && rel % ENABLE_STRIDE === 0 && rel / ENABLE_STRIDE < PLIC_CONTEXTS ? rel / ENABLE_STRIDE : -1;
}

/** The context whose threshold (+0) or claim/complete (+4) register `offset` is (-1 if none). */
function context(offset: number): number {
  const rel = offset - THRESHOLD, within = rel & (CONTEXT_STRIDE - 1);
  if (rel < 0 || (within !== 0 && within !== 4)) return -1;
  const ctx = (rel - within) / CONTEXT_STRIDE;
  return ctx < PLIC_CONTEXTS ? ctx : -1;
}
