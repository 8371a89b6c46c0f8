// Shrinking a failing chaos run: the fewest of its faults that still make the same checker fail.

import type { Program } from '../machine/program';
import { runScenario } from './report';
import type { Scenario } from './scenario';

/** Re-runs at most this many candidate schedules per failure. */
const SHRINK_RUNS_MAX = 48;

export interface Shrunk { scenario: Scenario; runs: number; faultsBefore: number }

/**
 * Greedy delta debugging over the fault list: drop halves, then single faults, while one of the
 * checkers in `failing` still fails (or, for `internal-error`, the run still throws). Deterministic (every candidate is a deterministic run).
 */
export function shrinkFailure(
  s: Scenario,
  program: Program,
  failing: readonly string[],
  runsMax = SHRINK_RUNS_MAX,
  programs?: ReadonlyMap<string, Program>,
): Shrunk {
  let faults = s.faults;
  let runs = 0;
  const fails = (candidate: Scenario['faults']): boolean => {
    runs++;
    try {
      const { summary } = runScenario({ ...s, faults: candidate }, program, { programs });
      return summary.invariants.some((c) => !c.ok && failing.includes(c.name));
    } catch {
      return failing.includes('internal-error'); // the run still throws: the same bug
    }
  };
  for (let chunk = Math.floor(faults.length / 2); chunk >= 1 && runs < runsMax; chunk = Math.floor(chunk / 2)) {
    for (let i = 0; i + chunk <= faults.length && runs < runsMax;) {
      const candidate = [...faults.slice(0, i), ...faults.slice(i + chunk)];
      if (fails(candidate)) faults = candidate;
      else i += chunk;
    }
  }
  return { scenario: { ...s, faults }, runs, faultsBefore: s.faults.length };
}
