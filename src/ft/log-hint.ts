// Why a run's FT log is heavy: the kind of nondeterministic input that fills most of it, with what the guest can do about it.

import type { LogByteKind, LogBytesByKind } from './protocol/log-kinds';
import { LOG_BYTE_KINDS } from './protocol/log-kinds';

/** The kind that fills most of a heavy log: its share of the log's bytes and a hint for the guest's author. */
export interface LogHint {
  kind: LogByteKind;
  /** The kind in words ("timer reads (mtime, rdtime)"). */
  what: string;
  bytes: number;
  /** Whole percent of the log's bytes. */
  sharePct: number;
  hint: string;
}

/** A log is heavy at a byte or more per guest instruction… */
export const HEAVY_LOG_BYTES_PER_MINSTR = 1_000_000;
/** …and 1 MB or more per simulated second (an idle guest logs little, however few instructions it runs). */
export const HEAVY_LOG_BYTES_PER_MS = 1_000;
/** A kind dominates a log when it fills more than half of its bytes. */
const DOMINANT_SHARE = 0.5;

const ABOUT: Record<Exclude<LogByteKind, 'marks'>, { what: string; hint: string }> = {
  time: { what: 'timer reads (mtime, rdtime)', hint: 'sleep with `wfi` and a timer interrupt (mtimecmp) instead of polling `mtime`' },
  cycle: { what: 'cycle counter reads (rdcycle)', hint: 'read the cycle counter less often; to wait, sleep with `wfi` and a timer interrupt' },
  entropy: { what: 'entropy device reads', hint: 'read the entropy device once to seed a generator in the guest, not once per random number' },
  timer: { what: 'timer interrupts', hint: 'arm mtimecmp less often: a longer tick, or a deadline only when work is due' },
  uartRx: { what: 'console input', hint: 'every byte typed or piped to the console is logged: send the guest less input' },
  nicRx: { what: 'network packets', hint: 'every packet received is logged whole: fewer or smaller requests (workload.ratePerSec, workload.clients)' },
  netRx: { what: 'network frames (virtio-net)', hint: 'every Ethernet frame received is logged whole, TCP acknowledgements too: fewer or larger requests (workload.ratePerSec, workload.clients)' },
  diskDone: { what: 'disk reads', hint: 'the data of every disk read is logged: read less, or keep hot sectors in guest RAM' },
  outputs: { what: 'guest outputs (console bytes, packets, disk requests)', hint: 'every output is logged (a console byte costs 17 bytes): write less, in fewer and larger requests' },
};

/**
 * The dominant kind of a heavy log, or null when the log is light (under HEAVY_LOG_BYTES_PER_MINSTR or
 * HEAVY_LOG_BYTES_PER_MS) or no kind of input fills more than half of it (message headers are the log's
 * floor, not something the guest asked for).
 */
export function heavyLogHint(byKind: LogBytesByKind, bytesPerMInstr: number, bytesPerMs: number): LogHint | null {
  if (bytesPerMInstr < HEAVY_LOG_BYTES_PER_MINSTR || bytesPerMs < HEAVY_LOG_BYTES_PER_MS) return null;
  const total = LOG_BYTE_KINDS.reduce((a, k) => a + byKind[k], 0);
  const top = LOG_BYTE_KINDS.reduce((best, k) => (byKind[k] > byKind[best] ? k : best));
  if (top === 'marks' || byKind[top] <= total * DOMINANT_SHARE) return null;
  return { kind: top, ...ABOUT[top], bytes: byKind[top], sharePct: Math.floor((byKind[top] * 100) / total) };
}

/** The hint as one line: "timer reads (mtime, rdtime): 99% of log bytes — sleep with `wfi` …". */
export function formatLogHint(h: LogHint): string {
  return `${h.what}: ${h.sharePct}% of log bytes — ${h.hint}`;
}
