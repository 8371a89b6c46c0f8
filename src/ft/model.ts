// The simulation model's number: which rules a run follows, so a recording made under other rules can say why it differs.

/**
 * Bump this with every change that alters the run of some scenario (a timing rule, the FT protocol, a
 * device, the machine, the world's randomness): one seed, one configuration and one program give one
 * exact run only within one model. Recordings carry the number they were made under; a replay under
 * another model can differ, and says so. test/ft/model.test.ts pins one trace hash per model, so a
 * change that alters runs without a bump fails there.
 *
 * 1: every recording made before recordings carried a model number.
 * 2: a VM's outputs, flush deadlines, timers and trace events are timed by its execution credit alone,
 *    never by where a quantum began; quanta are no longer than the lowest link or storage latency;
 *    a primary whose own event cuts its quantum runs on to its credit at the cut (session 4).
 * 3: FT truth (issue 12): a go-live replays the received log at the secondary's speed before it takes
 *    over; lag control holds the primary below the secondary's speed; the logging channel never sends
 *    an entry twice (what cannot go waits); the loser of an arbitration keeps its peer and halts at its
 *    own test-and-set; a primary without a secondary asks for one at every tick; HA looks again while
 *    the VM is down; a new secondary's copy is taken when the copy completes (the primary runs
 *    unprotected meanwhile, its outputs leave at once) and carries the disk requests in flight and the
 *    armed timer; runs go on until every checker's bound is decided.
 */
export const SIMULATION_MODEL = 3;

/** The model of a recording that carries none. */
export const UNNUMBERED_MODEL = 1;

/** Why a replay under this model may not reproduce a run recorded under `recorded` (null: same model). */
export function modelMismatch(recorded: number): string | null {
  if (recorded === SIMULATION_MODEL) return null;
  const made = recorded === UNNUMBERED_MODEL ? 'before simulation models were numbered (model 1)' : `under simulation model ${recorded}`;
  const newer = recorded > SIMULATION_MODEL ? ' (a newer Lockstep)' : '';
  return `the recording was made ${made}${newer}; this Lockstep runs model ${SIMULATION_MODEL}, whose runs can differ: record it again to get a verifiable recording`;
}
