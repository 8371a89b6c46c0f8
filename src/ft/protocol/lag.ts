// The secondary's lag behind its primary, in simulated time: what lag control bounds and a failover pays to catch up.

import type { Cluster } from '../cluster';
import type { VmInstance } from './vm';

/** How long `s`, at its own host's speed, needs to reach the instruction `p` is at (0 when it is there or ahead). */
export function lagOf(c: Cluster, p: VmInstance, s: VmInstance): number {
  const behind = p.machine.instret - s.machine.instret;
  if (behind <= 0) return 0;
  const rate = c.rate(s);
  return rate > 0 ? behind / rate : Number.POSITIVE_INFINITY;
}

/** The primary no longer has a secondary to wait for: its CPU runs at full speed again. */
export function unthrottle(c: Cluster, p: VmInstance): void {
  p.lagNs = 0;
  if (p.throttle === 1) return;
  p.throttle = 1;
  c.rebase(p, c.nowNs);
}
