// The cluster's event history: every significant event, in order, folded into a 64-bit trace hash.

import { CutTail } from './cut-tail';
import { Hash64 } from '../../machine/hash';

export type TraceKind =
  | 'fault' // a fault or FT action fired
  | 'crash' // a VM stopped because its host failed or it was killed
  | 'detect' // a VM suspected its peer (heartbeat/log timeout)
  | 'arbitrate' // a test-and-set on shared storage: won, lost or waiting
  | 'halt' // a VM halted itself (lost arbitration) or was stopped
  | 'goLive' // a secondary became the primary
  | 'respawnStart' // copying the primary's state to a new secondary began
  | 'respawnDone' // the new secondary is running: protection restored
  | 'haRestart' // both VMs lost: HA restarted the VM from its disk
  | 'migrate' // a live migration (vMotion) started, completed or was abandoned; a DRS recommendation
  | 'state' // the FT protection state changed
  | 'release' // an output left the primary (after the Output Rule)
  | 'throttle' // the primary's CPU was throttled or released because of lag
  | 'divergence' // the secondary computed something the log did not say
  | 'exit' // a guest powered off
  | 'violation'; // a checker failed

export interface TraceEvent {
  timeNs: number;
  kind: TraceKind;
  /** VM incarnation id, when the event concerns one VM. */
  vm?: number;
  host?: string;
  /** The VM it concerns, by name, in a cluster of several VMs (absent: the only VM, or the cluster itself). */
  of?: string;
  /** One human sentence. */
  text: string;
  /** Extra structured fields (plain data). */
  data?: Record<string, string | number | boolean>;
}

export class Trace {
  readonly events: TraceEvent[] = [];
  private readonly fnv = new Hash64();
  /** Events cut off by going back, for a restore to a later checkpoint of the same branch. */
  private readonly cut = new CutTail(this.events);

  constructor(private readonly capacity: number) {}

  add(ev: TraceEvent): void {
    const of = ev.of === undefined ? '' : `${ev.of}|`; // absent for a single VM: its hashes stay what they were
    this.fnv.chars(`${ev.timeNs}|${ev.kind}|${ev.vm ?? ''}|${ev.host ?? ''}|${of}${ev.text}|${ev.data ? stableJson(ev.data) : ''}\n`);
    if (this.events.length < this.capacity) {
      this.events.push(ev);
      this.cut.appended();
    }
  }

  /** Mixes something into the hash without keeping an event (e.g. per-slice progress). */
  mix(s: string): void {
    this.fnv.chars(s);
  }

  hash(): string {
    return this.fnv.hex();
  }

  getState(): { n: number; hi: number; lo: number } {
    return { n: this.events.length, hi: this.fnv.hi, lo: this.fnv.lo };
  }

  /** History branches here: the events cut off by going back are no longer this run's future. */
  discardCut(): void {
    this.cut.discard();
  }

  setState(st: { n: number; hi: number; lo: number }): void {
    this.cut.setLength(st.n);
    this.fnv.hi = st.hi;
    this.fnv.lo = st.lo;
  }
}

/**
 * `JSON.stringify` of `[[key, value], …]` over the keys in sorted order (a canonical form of a trace
 * event's data: the trace hash depends on it), built without the intermediate arrays: it runs for
 * every traced event (a busy kvstore run traces ~100 k).
 */
export function stableJson(o: Record<string, unknown>): string {
  const keys = Object.keys(o);
  if (keys.length > 1) keys.sort();
  let s = '[';
  for (let i = 0; i < keys.length; i++) {
    const v = o[keys[i]];
    // A finite number prints as JSON does; undefined and functions become null, as inside an array.
    const json = typeof v === 'number' && Number.isFinite(v) ? String(v) : (JSON.stringify(v) ?? 'null');
    s += `${i > 0 ? ',' : ''}[${JSON.stringify(keys[i])},${json}]`;
  }
  return `${s}]`;
}
