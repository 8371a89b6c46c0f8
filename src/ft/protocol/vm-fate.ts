// How a VM stops: halting itself (lost arbitration, FT turned off) or dying with its host.

import type { LogicalVm } from '../logical-vm';
import { NS_PER_MS } from '../cluster';
import type { VmInstance } from './vm';
import type { RestartPriority } from '../scenario';

export function hostUp(c: LogicalVm, host: string): boolean {
  return c.hosts.get(host)?.up === true;
}

export function haltVm(c: LogicalVm, vm: VmInstance, why: string): void {
  if (!vm.alive) return;
  vm.status = 'halted';
  vm.held = [];
  c.addTrace({ kind: 'halt', vm: vm.id, host: vm.host, text: `${vm.name} halted: ${why}` });
}

/** A VM dies with its host (or is killed by an FT action). */
export function killVm(c: LogicalVm, vm: VmInstance, why: string): void {
  if (!vm.alive) return;
  vm.status = 'crashed';
  vm.held = [];
  c.addTrace({ kind: 'crash', vm: vm.id, host: vm.host, text: `${vm.name} is gone: ${why}` });
  scheduleHaCheck(c);
}

/** HA restarts VMs lost at one instant in restart-priority order: their looks fire in that order (medium is every event's default). */
const RESTART_PRIO: Record<RestartPriority, number> = { highest: 0.6, high: 0.8, medium: 1, low: 1.2, lowest: 1.4, disabled: 1.4 };

/** HA looks at the cluster one failure timeout from now (one look at a time: a look already due is enough). */
export function scheduleHaCheck(c: LogicalVm): void {
  if (c.haCheckDueNs !== null && c.haCheckDueNs >= c.nowNs) return;
  c.haCheckDueNs = c.nowNs + c.scenario.ft.failureTimeoutMs * NS_PER_MS;
  c.schedule(c.haCheckDueNs, { t: 'haCheck', of: c.index }, RESTART_PRIO[c.restartPriority]);
}
