// A scenario as the VMs of a cluster: each VM's own view of it (program, RAM, placement, workload, FT switch).

import type { Scenario } from './scenario';

/** One VM's scenario, and the label that names it in a cluster of several (null: the scenario's only VM). */
export interface VmScenario { scenario: Scenario; label: string | null }

/** The VMs a scenario describes, in its order: the scenario itself for its single-VM form. */
export function vmScenarios(s: Scenario): VmScenario[] {
  return [{ scenario: s, label: null }];
}
