// Long travels through the past as resumable searches: each yields its progress between units of work, so a debugger can run it in chunks, report progress and stop it.

/** How far a search got: `done` of `total` units (segments of history, instructions, bisection steps). */
export interface Progress { what: string; done: number; total: number }

/** A search that yields progress and returns its result. Abandoning it (`return()`) runs its clean-ups. */
export type Search<T> = Generator<Progress, T, void>;

/** Units of work a search may do at most: every loop of a search is bounded. */
export const SEARCH_STEPS_MAX = 50_000_000;

/** Runs a search to its end at once (tests, the CLI, short travels). */
export function drain<T>(s: Search<T>): T {
  for (let n = 0; n < SEARCH_STEPS_MAX; n++) {
    const r = s.next();
    if (r.done === true) return r.value;
  }
  s.return(undefined as never);
  throw new Error('search: too many steps');
}
