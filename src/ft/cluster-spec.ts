// A scenario as the VMs of a cluster: each VM's own view of it (program, RAM, placement, workload, FT switch).

import type { Scenario } from './scenario';

/** One VM's scenario, and the label that names it in a cluster of several (null: the scenario's only VM). */
export interface VmScenario { scenario: Scenario; label: string | null }

/**
 * The VMs a scenario describes, in its order: the scenario itself for its single-VM form. A VM of `vms`
 * sees the cluster's hosts, networks, FT timings and what-ifs with its own program, RAM, workload, FT
 * switch and VM-host rule; its hosts are the placement's to choose (see Cluster.boot), so its
 * `placement.primary`/`secondary` are only what the scenario asked for ('' for nothing).
 */
export function vmScenarios(s: Scenario): VmScenario[] {
  if (s.vms === null) return [{ scenario: s, label: null }];
  return s.vms.map((v) => ({
    label: v.name,
    scenario: {
      ...s,
      program: v.program,
      ramMiB: v.ramMiB,
      placement: { primary: v.placement.primary ?? '', secondary: v.placement.secondary ?? '', allowedHosts: v.allowedHosts },
      workload: v.workload,
      ft: { ...s.ft, enabled: s.ft.enabled && v.ft },
    },
  }));
}
