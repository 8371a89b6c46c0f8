// vSphere's Fault Tolerance status of the protected VM, derived from the cluster (never stored, so it cannot drift).

import type { LogicalVm } from './logical-vm';

export type NotProtectedReason = 'starting' | 'needSecondary' | 'unreachable' | 'disabled' | 'vmNotRunning';

export interface FtState {
  protected: boolean;
  reason: NotProtectedReason | null;
  /** What vSphere would show: "Protected" or "Not Protected (Need Secondary VM)". */
  label: string;
}

const REASON_LABEL: Record<NotProtectedReason, string> = {
  starting: 'Starting',
  needSecondary: 'Need Secondary VM',
  unreachable: 'Secondary Unreachable',
  disabled: 'Disabled',
  vmNotRunning: 'VM not Running',
};

export function ftState(c: LogicalVm): FtState {
  const reason = notProtectedReason(c);
  return reason === null
    ? { protected: true, reason: null, label: 'Protected' }
    : { protected: false, reason, label: `Not Protected (${REASON_LABEL[reason]})` };
}

/**
 * Why the protected VM is not protected right now (null: it is). Protected needs the live primary's own
 * secondary (paired both ways, so an orphan left behind by arbitration never counts), running, and
 * reachable over the logging network: a secondary the log cannot reach protects nothing.
 */
export function notProtectedReason(c: LogicalVm): NotProtectedReason | null {
  const p = c.primary;
  if (p === undefined || p.status !== 'running') return 'vmNotRunning';
  if (!c.ftEnabled || c.ftSuspended) return 'disabled';
  const naive = c.scenario.whatIf.disable.includes('pairedProtection'); // what-if: any live secondary VM counts
  const s = naive ? c.vms.find((v) => v.role === 'secondary' && v.alive) : c.secondary;
  if (s === undefined) return 'needSecondary';
  if (s.status === 'copying') return 'starting';
  if (naive) return null;
  if (s.divergence !== null || !c.network.canTalk('logging', p.host, s.host) || !c.network.canTalk('logging', s.host, p.host)) return 'unreachable';
  if (s.suspecting || p.suspecting) return 'unreachable'; // one of them has declared the other failed
  return null;
}
