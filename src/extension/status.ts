// Pure status-bar logic (no `vscode` import): FT protection state from `lockstep.clusterEvent` custom events.
import type { ClusterEventBody } from '../debug/requests';

/** Body of a `lockstep.clusterEvent` custom event (a trace event of the cluster), read defensively: any part may be missing. */
export type ClusterEvent = Partial<ClusterEventBody>;

export interface FtStatus {
  /** Status bar text (with a codicon). */
  text: string;
  tooltip: string;
  /** Whether the VM is protected (drives the warning background). */
  protected: boolean;
}

/**
 * The status after a cluster event, or undefined when the event does not change it. Only `state` events carrying
 * the protection state (`data.protected`, text = vSphere's label such as "Not Protected (Need Secondary VM)") count;
 * the `state` event "VM powered on as primary" does not.
 */
export function statusFromEvent(ev: ClusterEvent): FtStatus | undefined {
  if (ev.kind !== 'state' || ev.data === undefined || typeof ev.data.protected !== 'boolean' || typeof ev.text !== 'string') return undefined;
  const prot = ev.data.protected;
  const at = typeof ev.timeNs === 'number' ? ` at ${(ev.timeNs / 1e6).toFixed(3)} ms (simulated)` : '';
  return {
    text: `${prot ? '$(shield)' : '$(warning)'} FT: ${ev.text}`,
    tooltip: `Lockstep Fault Tolerance: ${ev.text}${at}`,
    protected: prot,
  };
}

/** Status before the first state event of a session. */
export function initialStatus(): FtStatus {
  return { text: '$(sync~spin) FT: starting', tooltip: 'Lockstep Fault Tolerance: waiting for the cluster', protected: false };
}
