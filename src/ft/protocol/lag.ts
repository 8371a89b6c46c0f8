// The secondary's lag behind its primary, in simulated time: what lag control bounds (by throttling the primary) and a failover pays to catch up.

import type { LogicalVm } from '../logical-vm';
import { NS_PER_MS } from '../cluster';
import type { VmInstance } from './vm';

/** The slowest a lagging secondary holds its primary back (a fraction of its speed). */
const THROTTLE_MIN = 0.01;

/** How long `s`, at its own host's speed, needs to reach the instruction `p` is at (0 when it is there or ahead). */
export function lagOf(c: LogicalVm, p: VmInstance, s: VmInstance): number {
  const behind = p.guest.instret - s.guest.instret;
  if (behind <= 0) return 0;
  const rate = c.rate(s);
  return rate > 0 ? behind / rate : Number.POSITIVE_INFINITY;
}

/** The primary no longer has a secondary to wait for: its CPU runs at full speed again. */
export function unthrottle(c: LogicalVm, p: VmInstance): void {
  p.lagNs = 0;
  if (p.throttle === 1) return;
  p.throttle = 1;
  c.rebase(p, c.nowNs);
}

/**
 * Lag control (the FT paper's CPU throttling): the lag is how long the secondary, at its own speed, needs
 * to reach the primary's instruction. Past half the bound the primary's CPU is held below the secondary's
 * speed (far below past the bound) until the lag is under a quarter of it: the lag stays within the bound.
 */
export function controlLag(c: LogicalVm, p: VmInstance, s: VmInstance): void {
  if (s.status !== 'running') return;
  const lagNs = lagOf(c, p, s);
  c.stats.maxLagNs = Math.max(c.stats.maxLagNs, lagNs);
  p.lagNs = lagNs;
  if (c.scenario.whatIf.disable.includes('lagControl')) return;
  const boundNs = c.scenario.ft.lagBoundMs * NS_PER_MS;
  const full = c.rate(p) / p.throttle; // the primary's speed unthrottled
  const relative = c.rate(s) / full;
  let throttle = p.throttle;
  if (lagNs > boundNs) throttle = Math.max(THROTTLE_MIN, relative * 0.25);
  else if (lagNs > boundNs / 2) throttle = Math.min(p.throttle, Math.max(THROTTLE_MIN, relative * 0.9));
  else if (lagNs < boundNs / 4) throttle = 1;
  throttle = Math.min(1, throttle);
  if (throttle === p.throttle) return;
  p.throttle = throttle;
  c.rebase(p, c.nowNs);
  c.stats.throttleEvents++;
  const text = throttle < 1
    ? `secondary lags ${(lagNs / NS_PER_MS).toFixed(1)} ms: primary CPU held at ${(throttle * 100).toFixed(0)}%`
    : 'secondary caught up: primary CPU at full speed';
  c.addTrace({ kind: 'throttle', vm: p.id, host: p.host, text });
}
