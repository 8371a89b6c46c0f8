// Checkers of a cluster of several VMs: the placement rules hold, admission control held at every power-on, and no VM stays down while a host could run it.
//
// Each VM's own FT checkers run in its LogicalVm; these look across VMs, from the cluster's raw facts.

import type { Cluster } from './cluster';
import type { CheckResult } from './checkers';
import { placementView, vmToPlace } from './cluster-placement';
import { placePrimary, ruleViolations } from './placement';
import { NS_PER_MS } from './sim/units';

export const CLUSTER_CHECKERS = {
  'cluster-rules': 'FT limits per host, no FT pair on one host, VM-VM anti-affinity of primaries, VM-host rules and host memory hold at every look',
  'admission-control': 'every power-on and every first secondary left room for the host failures the cluster tolerates',
  'no-vm-lost': 'a VM that is down while some host could run it is restarted within two failure timeouts and the failover bound',
} as const;

export type ClusterCheckerName = keyof typeof CLUSTER_CHECKERS;

/** How often the cluster checkers look (simulated time). */
const SCAN_INTERVAL_NS = NS_PER_MS;

/** What they remember (plain data: checkpoints copy it). */
export interface ClusterCheckersState {
  failures: Map<ClusterCheckerName, string>;
  nextScanNs: number;
  /** VM index → since when it has been down while a host could take it. */
  downSinceNs: Map<number, number>;
}

export class ClusterCheckers {
  private st: ClusterCheckersState = { failures: new Map(), nextScanNs: 0, downSinceNs: new Map() };

  constructor(private readonly w: Cluster) {}

  getState(): ClusterCheckersState {
    return { failures: new Map(this.st.failures), nextScanNs: this.st.nextScanNs, downSinceNs: new Map(this.st.downSinceNs) };
  }

  setState(st: ClusterCheckersState): void {
    this.st = { failures: new Map(st.failures), nextScanNs: st.nextScanNs, downSinceNs: new Map(st.downSinceNs) };
  }

  /** At the end of every quantum: a look once per scan interval. */
  sample(): void {
    const now = this.w.nowNs;
    if (now < this.st.nextScanNs) return;
    this.st.nextScanNs = now + SCAN_INTERVAL_NS;
    const view = placementView(this.w);
    const broken = ruleViolations(view);
    if (broken.length > 0) this.fail('cluster-rules', broken.slice(0, 3).join('; '));
    this.checkNoneLost(view);
  }

  /**
   * A VM was just placed (`role` on `host`): with the new instance counted, the up hosts other than the
   * N largest must still hold every live instance's memory (N = hostFailuresTolerated).
   */
  placed(vmName: string, role: string, host: string): void {
    const n = this.w.scenario.cluster.admissionControl.hostFailuresTolerated;
    if (n === 0) return;
    const up = this.w.scenario.hosts.filter((h) => this.w.hosts.get(h.name)!.up).map((h) => h.ramMiB).sort((a, b) => b - a);
    const capacityMiB = up.slice(n).reduce((a, b) => a + b, 0);
    let usedMiB = 0;
    for (const v of this.w.vms) if (v.alive) usedMiB += this.w.ownerOf(v).scenario.ramMiB;
    if (usedMiB > capacityMiB) {
      this.fail('admission-control', `${vmName}'s ${role} on ${host} brought live VMs to ${usedMiB} MiB; with ${n} host failure${n === 1 ? '' : 's'} the cluster holds ${capacityMiB} MiB`);
    }
  }

  private checkNoneLost(view: ReturnType<typeof placementView>): void {
    const ft = this.w.scenario.ft;
    const boundNs = (2 * ft.failureTimeoutMs + ft.failoverBoundMs) * NS_PER_MS;
    for (const m of this.w.members) {
      const down = m.vms.every((v) => !v.alive) && !m.vms.some((v) => v.status === 'exited' || v.status === 'fatal');
      const couldRun = down && m.restartPriority !== 'disabled' && placePrimary(view, vmToPlace(m)).host;
      if (typeof couldRun !== 'string') {
        this.st.downSinceNs.delete(m.index);
        continue;
      }
      const since = this.st.downSinceNs.get(m.index) ?? this.w.nowNs;
      this.st.downSinceNs.set(m.index, since);
      if (this.w.nowNs - since > boundNs) {
        this.fail('no-vm-lost', `${m.name} has been down for ${((this.w.nowNs - since) / NS_PER_MS).toFixed(1)} ms while ${couldRun} could run it`);
      }
    }
  }

  /** The first failure of each checker (the debugger's "checker failure" filter listens here). */
  onViolation: ((name: ClusterCheckerName, detail: string) => void) | null = null;

  private fail(name: ClusterCheckerName, detail: string): void {
    if (this.st.failures.has(name)) return;
    this.st.failures.set(name, detail);
    this.w.addTrace({ kind: 'violation', text: `${name}: ${detail}`, data: { checker: name } });
    this.onViolation?.(name, detail);
  }

  results(): CheckResult[] {
    return (Object.keys(CLUSTER_CHECKERS) as ClusterCheckerName[]).map((name) => ({
      name, ok: !this.st.failures.has(name), detail: this.st.failures.get(name) ?? CLUSTER_CHECKERS[name],
    }));
  }
}
