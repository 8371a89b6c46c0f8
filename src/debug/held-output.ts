// The "output held longer than N ms" exception filter: when a chunk must end so the stop lands on time, and which held output to report once.

import type { LogicalVm } from '../ft/logical-vm';
import type { VmInstance } from '../ft/protocol/vm';
import { describeOutput } from '../ft/protocol/log';
import { NS_PER_MS, fmtMs } from '../ft/sim/units';

/** Default of the filter's condition N (simulated ms). */
export const HELD_OUTPUT_DEFAULT_MS = 5;

export class HeldOutputWatch {
  /** The filter's N, in simulated ms. */
  limitMs = HELD_OUTPUT_DEFAULT_MS;
  /**
   * The held output last reported, and when it was released (null while still held). One stop per
   * backlog: outputs produced before it left are its backlog. The rule reads only simulated events, so
   * where the runtime's wall-clock-sized chunks end never changes which stops happen.
   */
  private reported: { vm: number; seq: number; releasedNs: number | null } | null = null;

  /** `vm`: the VM whose primary's held outputs are watched (the debugger's first shown VM). */
  constructor(private readonly vm: LogicalVm) {}

  setLimit(ms: number): void {
    if (!(ms > 0) || !Number.isFinite(ms)) throw new Error(`held output: the condition must be a positive number of ms, not ${ms}`);
    this.limitMs = ms;
  }

  /** Output `seq` of VM `vm` left at `atNs`. */
  released(vm: number, seq: number, atNs: number): void {
    const r = this.reported;
    if (r !== null && r.vm === vm && r.seq === seq) r.releasedNs = atNs;
  }

  /**
   * Where the chunk must end: when the oldest unreported held output turns N ms old (just after, to be
   * "longer than"), and at most N ms after now, so the stop lands within a quantum of it.
   */
  deadlineNs(): number {
    const n = this.limitMs * NS_PER_MS;
    const h = this.unreported()[0];
    return h === undefined ? this.vm.nowNs + n : Math.max(this.vm.nowNs + 1, h.producedNs + n + 1);
  }

  /** Between chunks: the exception to raise when the primary's oldest unreported held output is older than N ms. */
  check(): { text: string; vm: number } | null {
    const c = this.vm;
    const p = c.primary;
    const h = this.unreported()[0];
    if (p === undefined || h === undefined || c.nowNs - h.producedNs <= this.limitMs * NS_PER_MS) return null;
    this.reported = { vm: p.id, seq: h.seq, releasedNs: null };
    const text = `${describeOutput(h.out)} (output ${h.seq}, produced at ${fmtMs(h.producedNs)}) held ${((c.nowNs - h.producedNs) / NS_PER_MS).toFixed(6)} ms by the Output Rule on ${p.name}, `
      + `over the ${this.limitMs} ms limit; ${p.held.length} output(s) held, log acknowledged up to ${p.sender.ackedSeq}`;
    return { text, vm: p.id };
  }

  /** Outputs the primary holds, oldest first, that are not in the backlog of the output last reported. */
  private unreported(): VmInstance['held'] {
    const p = this.vm.primary;
    if (p === undefined) return [];
    const r = this.reported;
    if (r === null || r.vm !== p.id) return p.held;
    const fromNs = r.releasedNs;
    return fromNs === null ? [] : p.held.filter((h) => h.producedNs >= fromNs);
  }
}
