// Log entries on the FT logging channel: every nondeterministic input, read and output of the primary, at its exact instruction count.

import type { GuestOutput, InputEvent, ReadKind } from '../../machine/types';
import { fnv1a32 } from '../../machine/hash';

export type LogEntry =
  /** A synchronous nondeterministic read (time, cycle, entropy) made while executing the instruction after `instret`. */
  | { seq: number; instret: number; k: 'read'; kind: ReadKind; value: number }
  /** An asynchronous input delivered when exactly `instret` instructions had retired. */
  | { seq: number; instret: number; k: 'input'; ev: InputEvent }
  /** An output the primary produced (the secondary checks its own against it; the Output Rule waits for its ack). */
  | { seq: number; instret: number; k: 'output'; out: GuestOutput };

/** Bytes an entry takes on the wire: 16-byte header (seq, instret, kind, length) plus payload. */
export function entryBytes(e: LogEntry): number {
  const header = 16;
  switch (e.k) {
    case 'read': return header + 8;
    case 'input': return header + inputPayloadBytes(e.ev);
    case 'output': return header + outputPayloadBytes(e.out);
  }
}

function inputPayloadBytes(ev: InputEvent): number {
  switch (ev.kind) {
    case 'timer': return 1;
    case 'uartRx': return ev.bytes.length;
    case 'nicRx': return ev.packet.length;
    case 'diskDone': return 8 + (ev.data?.length ?? 0);
    case 'netRx': return ev.frame.length;
  }
}

function outputPayloadBytes(out: GuestOutput): number {
  // Outputs are logged as a digest, not their data: the secondary recomputes the data itself.
  return out.kind === 'uart' ? 1 : 12;
}

/**
 * True when two outputs are the same: the same kind and fields, packet and sector data compared by
 * length and FNV-1a digest (the log carries digests, not data); the secondary compares every output it produces.
 */
export function sameOutputKey(a: GuestOutput, b: GuestOutput): boolean {
  if (a === b) return true; // a shadow secondary replays the logged output itself: nothing to digest
  switch (a.kind) {
    case 'uart': return b.kind === 'uart' && a.byte === b.byte;
    case 'nicTx': return b.kind === 'nicTx' && sameDigest(a.packet, b.packet);
    case 'netTx': return b.kind === 'netTx' && sameDigest(a.frame, b.frame);
    case 'diskRequest':
      return b.kind === 'diskRequest' && a.id === b.id && a.op === b.op && a.sector === b.sector && a.count === b.count
        && (a.data ? b.data !== undefined && sameDigest(a.data, b.data) : !b.data);
    case 'exit': return b.kind === 'exit' && `${a.code}` === `${b.code}`;
    case 'timerArm': return b.kind === 'timerArm' && `${a.mtimecmp}` === `${b.mtimecmp}`;
  }
}

/** Same `bytesDigest` (length and FNV-1a), compared as numbers. */
function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && fnv1a32(a) === fnv1a32(b);
}

export function bytesDigest(b: Uint8Array): string {
  return `${b.length}/${fnv1a32(b).toString(16)}`;
}

export function describeOutput(out: GuestOutput): string {
  switch (out.kind) {
    case 'uart': return `console byte ${JSON.stringify(String.fromCharCode(out.byte))}`;
    case 'nicTx': return `packet of ${out.packet.length} bytes`;
    case 'netTx': return `frame of ${out.frame.length} bytes`;
    case 'diskRequest': return `disk ${out.op} of ${out.count} sector(s) at ${out.sector} (request ${out.id})`;
    case 'exit': return `power off with code ${out.code}`;
    case 'timerArm': return `timer armed for ${out.mtimecmp}`;
  }
}

/** A log entry before the sender numbers it. */
export type NewLogEntry = LogEntry extends infer E ? (E extends LogEntry ? Omit<E, 'seq'> : never) : never;
