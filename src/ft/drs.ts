// DRS: every drsIntervalMs it compares the hosts' load and moves one VM instance from the busiest host to the idlest by vMotion (fullyAutomated) or only says which (manual).
//
// Load is the number of VM instances a host runs (each guest is one vCPU of equal weight). One
// migration at a time, and only a move the placement rules allow to exactly the idlest host.

import type { Cluster } from './cluster';
import type { VmInstance } from './protocol/vm';
import { migrationHost } from './cluster-placement';
import { startMigration } from './protocol/vmotion';
import { NS_PER_MS } from './sim/units';

/** DRS moves a VM only when the busiest host runs at least this many more instances than the idlest. */
const IMBALANCE_MIN = 2;

interface Move { vm: VmInstance; from: string; to: string }

/** DRS's periodic look (scheduled only for a cluster of several VMs with DRS on). */
export function drsPass(w: Cluster): void {
  const drs = w.scenario.cluster.drs;
  if (drs === 'off') return;
  w.schedule(w.nowNs + w.scenario.cluster.drsIntervalMs * NS_PER_MS, { t: 'drs' });
  if (w.vms.some((v) => v.alive && v.migratingTo !== null)) return; // one migration at a time
  const move = balancingMove(w);
  if (move === null) {
    w.drsRecommendation = null;
    return;
  }
  const text = `DRS: move ${move.vm.name} to ${move.to} (${move.from} runs ${load(w, move.from)} VMs, ${move.to} ${load(w, move.to)})`;
  if (drs === 'manual') {
    if (w.drsRecommendation !== text) w.ownerOf(move.vm).addTrace({ kind: 'migrate', vm: move.vm.id, host: move.from, text: `${text}: recommended (DRS is manual)` });
    w.drsRecommendation = text;
    return;
  }
  startMigration(w.ownerOf(move.vm), move.vm, move.to, 'DRS load balancing');
}

/** The first instance on the busiest up host that the rules let go to the idlest one, or null when the hosts are balanced. */
function balancingMove(w: Cluster): Move | null {
  const up = w.scenario.hosts.map((h) => h.name).filter((h) => w.hosts.get(h)!.up);
  if (up.length < 2) return null;
  const loads = up.map((h) => load(w, h));
  const from = up[loads.indexOf(Math.max(...loads))];
  const to = up[loads.indexOf(Math.min(...loads))];
  if (load(w, from) - load(w, to) < IMBALANCE_MIN) return null;
  for (const vm of w.vms) {
    if (vm.host !== from || vm.status !== 'running') continue;
    if (migrationHost(w.ownerOf(vm), vm, to).host === to) return { vm, from, to };
  }
  return null;
}

function load(w: Cluster, host: string): number {
  let n = 0;
  for (const v of w.vms) if (v.alive && v.host === host) n++;
  return n;
}
