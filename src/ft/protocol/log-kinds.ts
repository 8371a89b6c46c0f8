// What fills the FT log: its wire bytes counted by kind of entry (and message headers), as the primary's flushes send them.

import type { LogEntry } from './log';
import { entryBytes } from './log';

/**
 * Kinds of log bytes: each synchronous read kind, each asynchronous input kind, the outputs' digests,
 * and `marks`, the header every flush carries (its progress mark), with or without entries.
 */
export type LogByteKind = 'time' | 'cycle' | 'entropy' | 'timer' | 'uartRx' | 'nicRx' | 'diskDone' | 'netRx' | 'outputs' | 'marks';

export const LOG_BYTE_KINDS: readonly LogByteKind[] = ['time', 'cycle', 'entropy', 'timer', 'uartRx', 'nicRx', 'diskDone', 'netRx', 'outputs', 'marks'];

export type LogBytesByKind = Record<LogByteKind, number>;

export function emptyLogBytesByKind(): LogBytesByKind {
  return { time: 0, cycle: 0, entropy: 0, timer: 0, uartRx: 0, nicRx: 0, diskDone: 0, netRx: 0, outputs: 0, marks: 0 };
}

export function logByteKindOf(e: LogEntry): LogByteKind {
  switch (e.k) {
    case 'read': return e.kind;
    case 'input': return e.ev.kind;
    case 'output': return 'outputs';
  }
}

/** Adds one sent message to `into` (its header as `marks`, each entry's wire bytes under its kind); returns its wire bytes. */
export function countSentBytes(into: LogBytesByKind, entries: readonly LogEntry[], headerBytes: number): number {
  into.marks += headerBytes;
  let bytes = headerBytes;
  for (let i = 0; i < entries.length; i++) {
    const b = entryBytes(entries[i]);
    into[logByteKindOf(entries[i])] += b;
    bytes += b;
  }
  return bytes;
}
