// Where `lockstep run` executes the secondary's guest: on the simulating thread, or on a worker thread when the run is long enough for a second core to repay the worker's start.
//
// The worker gives the in-thread run bit for bit (src/cli/parallel-secondary.ts), so the choice is
// only about speed. A new worker thread costs its own start and its own V8 compilation of the guest's
// regions (about 0.1 s here), which a short run never earns back: one-off runs of the examples
// (0.3–3 s simulated at 100 MIPS) were 10–40% slower on the worker. A long CPU-bound run gains
// (crc32 × 10, 10⁹ instructions: 0.99 s against 1.20 s). `auto` therefore picks the worker when the
// primary's host could run AUTO_WORKER_MIN_INSTR instructions before the horizon and there is a
// second core; a guest that idles through a long horizon is the case it gets wrong (a worker that
// has little to do costs its start).

import type { Scenario } from '../ft/scenario';
import { UsageError } from './io';

export type SecondaryPlace = 'thread' | 'worker';
export type SecondaryChoice = SecondaryPlace | 'auto';
export const SECONDARY_CHOICES: readonly SecondaryChoice[] = ['auto', 'thread', 'worker'];
/** Instructions the primary's host can run before the horizon from which `auto` uses a worker. */
export const AUTO_WORKER_MIN_INSTR = 5e8;

/** The --secondary value (or --parallel-secondary, the older spelling of `worker`); auto by default. */
export function secondaryChoice(value: string | undefined, parallelFlag: boolean): SecondaryChoice {
  if (value === 'thread' && parallelFlag) throw new UsageError(`--parallel-secondary means --secondary worker, not ${value}`);
  if (value !== undefined && !(SECONDARY_CHOICES as readonly string[]).includes(value)) throw new UsageError(`--secondary expects one of ${SECONDARY_CHOICES.join(', ')}, got ${JSON.stringify(value)}`);
  if (parallelFlag) return 'worker';
  return (value ?? 'auto') as SecondaryChoice;
}

/** Instructions the primary's host can run over the scenario's horizon. */
export function horizonInstructions(s: Scenario): number {
  const host = s.hosts.find((h) => h.name === s.placement.primary) ?? s.hosts[0];
  return s.untilMs * host.mips * 1000;
}

/** Where the secondary runs: `auto` resolved for this scenario and machine. */
export function placeSecondary(choice: SecondaryChoice, s: Scenario, cores: number): SecondaryPlace {
  if (choice !== 'auto') return choice;
  return s.ft.enabled && cores >= 2 && horizonInstructions(s) >= AUTO_WORKER_MIN_INSTR ? 'worker' : 'thread';
}
