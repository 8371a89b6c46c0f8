// vSphere's Fault Tolerance status of the protected VM, derived from the cluster (never stored, so it cannot drift).

import type { Cluster } from './cluster';

export type NotProtectedReason = 'starting' | 'needSecondary' | 'disabled' | 'vmNotRunning';

export interface FtState {
  protected: boolean;
  reason: NotProtectedReason | null;
  /** What vSphere would show: "Protected" or "Not Protected (Need Secondary VM)". */
  label: string;
}

const REASON_LABEL: Record<NotProtectedReason, string> = {
  starting: 'Starting',
  needSecondary: 'Need Secondary VM',
  disabled: 'Disabled',
  vmNotRunning: 'VM not Running',
};

export function ftState(c: Cluster): FtState {
  const reason = notProtectedReason(c);
  return reason === null
    ? { protected: true, reason: null, label: 'Protected' }
    : { protected: false, reason, label: `Not Protected (${REASON_LABEL[reason]})` };
}

/** Why the protected VM is not protected right now (null: it is). */
export function notProtectedReason(c: Cluster): NotProtectedReason | null {
  const p = c.primary;
  if (p === undefined || p.status !== 'running') return 'vmNotRunning';
  if (!c.ftEnabled || c.ftSuspended) return 'disabled';
  const s = c.secondary;
  if (s === undefined) return 'needSecondary';
  if (s.status === 'copying') return 'starting';
  return null;
}
