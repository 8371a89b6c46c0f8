// DRS: every drsIntervalMs it measures the VMs' CPU demand and the hosts' load, and moves the one VM instance whose move most lowers the imbalance by vMotion (fullyAutomated) or only says which (manual).
//
// A host's load is the higher of its CPU load (its instances' measured demand over its speed) and its
// memory load (their configured RAM over its RAM); the imbalance is the standard deviation of the up
// hosts' loads (drs-load.ts). One migration at a time, only a move the placement rules allow, and only
// when it lowers the imbalance by MIGRATION_GAIN_MIN or more.

import type { Cluster } from './cluster';
import { migrationHost } from './cluster-placement';
import { startMigration } from './protocol/vmotion';
import { NS_PER_MS } from './sim/units';
import { hostLoads, rankedMoves, type HostLoad, type RankedMove } from './drs-load';
import { drsView, measureDemand, newDrsMemory, type DrsMemory, type DrsView } from './drs-demand';

/**
 * The least a move must lower the standard deviation of host loads by (0.02: two points of load) to be
 * worth a vMotion, which copies the VM's whole memory and stops it for the switch-over. vSphere's
 * migration threshold plays this part (its default, level 3, recommends moves of priority 1 to 3);
 * ours is one fixed bar, so a DRS look never moves a VM for a gain that the next look's noise could take back.
 */
export const MIGRATION_GAIN_MIN = 0.02;

/** A move DRS chose: which instance, from where to where, and the numbers that justify it. */
interface Choice { view: DrsView; loads: HostLoad[]; move: RankedMove }

/** DRS starts with the cluster (a cluster of several VMs with DRS on): its counters are read now, its first look is one interval away. */
export function startDrs(w: Cluster): DrsMemory {
  w.schedule(w.nowNs + w.scenario.cluster.drsIntervalMs * NS_PER_MS, { t: 'drs' });
  return newDrsMemory(w);
}

/** DRS's periodic look (scheduled only for a cluster of several VMs with DRS on). */
export function drsPass(w: Cluster): void {
  const mode = w.scenario.cluster.drs;
  const mem = w.drs;
  if (mode === 'off' || mem === null) return;
  w.schedule(w.nowNs + w.scenario.cluster.drsIntervalMs * NS_PER_MS, { t: 'drs' });
  measureDemand(w, mem);
  if (w.vms.some((v) => v.alive && v.migratingTo !== null)) return; // one migration at a time
  const choice = balancingMove(w, mem);
  if (choice === null) {
    mem.recommended = null;
    return;
  }
  const vm = choice.view.vms[choice.move.instance];
  const to = choice.view.hosts[choice.move.to].name;
  if (mode === 'manual') {
    const key = moveKey(choice.view, choice.move);
    if (mem.recommended !== key) w.ownerOf(vm).addTrace({ kind: 'migrate', vm: vm.id, host: vm.host, text: `DRS: move ${vm.name} to ${to} (${why(choice)}): recommended (DRS is manual)` });
    mem.recommended = key;
    return;
  }
  startMigration(w.ownerOf(vm), vm, to, `DRS load balancing (${why(choice)})`);
}

/**
 * The move that lowers the imbalance most (by MIGRATION_GAIN_MIN or more) among those the placement rules
 * allow, or null. The move recommended last (manual DRS) comes first while it still qualifies, so noise in
 * the demand does not make DRS recommend equivalent moves by turns.
 */
function balancingMove(w: Cluster, mem: DrsMemory): Choice | null {
  const view = drsView(w, mem);
  if (view.hosts.length < 2) return null;
  const moves = rankedMoves(view.hosts, view.demands, MIGRATION_GAIN_MIN);
  const still = moves.find((m) => moveKey(view, m) === mem.recommended);
  for (const move of still === undefined ? moves : [still, ...moves]) {
    const vm = view.vms[move.instance];
    const to = view.hosts[move.to].name;
    if (migrationHost(w.ownerOf(vm), vm, to).host === to) return { view, loads: hostLoads(view.hosts, view.demands), move };
  }
  return null;
}

/** A move's identity across looks: the instance's id and the destination. */
function moveKey(view: DrsView, move: RankedMove): string {
  return `${view.vms[move.instance].id} ${view.hosts[move.to].name}`;
}

/** The numbers behind a move: both hosts' CPU and memory load, and the imbalance before and after. */
function why(c: Choice): string {
  const from = c.view.demands[c.move.instance].host;
  const host = (i: number) => `${c.view.hosts[i].name} CPU ${percent(c.loads[i].cpu)}, memory ${percent(c.loads[i].mem)}`;
  return `${host(from)}; ${host(c.move.to)}; host load std dev ${c.move.imbalanceBefore.toFixed(3)} → ${c.move.imbalanceAfter.toFixed(3)}`;
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
