// Invariant checks: cheap enough for the hot path (a comparison and a constant message), fatal when they fail.

/**
 * Throws `invariant: <what>` unless `cond` holds. `what` should be a constant string: building a
 * message per call would allocate on paths that run millions of times. A failed invariant is a bug
 * in the simulation, never a property of a scenario: nothing catches it.
 */
export function assert(cond: boolean, what: string): asserts cond {
  if (!cond) throw new Error(`invariant: ${what}`);
}
