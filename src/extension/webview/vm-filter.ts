// The Timeline's VM filter: the model as seen with one VM of a cluster only (its lanes, spans, events, outputs and lag,
// and everything that concerns no VM in particular: hosts, cluster-wide faults, checkpoints). Pure: no DOM.
import type { Lane, LagSeries, Outputs, TimelineModel } from '../timeline-model';

/** Whether something about VM `of` (undefined: no VM in particular) is shown under the filter `vm`. */
function shown(of: unknown, vm: string): boolean {
  return of === undefined || of === null || of === vm;
}

/** Released outputs whose lane is kept, moved to the lane's new index. */
function keptOutputs(o: Outputs | undefined, index: readonly number[]): Outputs {
  const out: Outputs = { lane: [], producedNs: [], releasedNs: [] };
  const lanes = (o && o.lane) || [];
  for (let i = 0; i < lanes.length; i++) {
    const to = index[lanes[i]];
    if (to === undefined || to < 0) continue;
    out.lane.push(to);
    out.producedNs.push(o!.producedNs[i]);
    out.releasedNs.push(o!.releasedNs[i]);
  }
  return out;
}

/**
 * The model with only VM `vm`'s lanes, spans and events (and those of no VM in particular), lanes renumbered; `null`:
 * every VM, the model itself.
 */
export function onlyVm(m: TimelineModel, vm: string | null): TimelineModel {
  if (vm === null) return m;
  const lanes = Array.isArray(m.lanes) ? m.lanes : [];
  const index: number[] = [];
  let next = 0;
  for (let i = 0; i < lanes.length; i++) index.push(shown(lanes[i] && lanes[i].of, vm) ? next++ : -1);
  const keep = <T extends { lane: number; of?: string }>(xs: readonly T[] | undefined): T[] => {
    const out: T[] = [];
    for (const x of Array.isArray(xs) ? xs : []) {
      const to = index[x.lane];
      if (to !== undefined && to >= 0 && shown(x.of, vm)) out.push({ ...x, lane: to });
    }
    return out;
  };
  const lag = vmLag(m, vm);
  const kept = lanes.filter((_, i) => index[i] >= 0).map((l) => (l && l.kind === 'lag' ? lagLane(l, vm, lag !== null) : l));
  return { ...m, lanes: kept, spans: keep(m.spans), marks: keep(m.marks), outputs: keptOutputs(m.outputs, index), lag: lag ?? { timeNs: [], lagNs: [] } };
}

/** VM `vm`'s own lag series, or null when the model has none for it (a VM that is not fault tolerant). */
function vmLag(m: TimelineModel, vm: string): LagSeries | null {
  const byVm = m.lagByVm !== null && typeof m.lagByVm === 'object' ? m.lagByVm : {};
  const s = Object.prototype.hasOwnProperty.call(byVm, vm) ? byVm[vm] : undefined;
  return s !== undefined && Array.isArray(s.timeNs) && Array.isArray(s.lagNs) ? s : null;
}

/** The lag lane under the filter: it names the VM whose lag it draws, or says it has none. */
function lagLane(l: Lane, vm: string, has: boolean): Lane {
  return { ...l, label: `${vm} · secondary lag`, detail: has ? `log lag of ${vm}'s secondary behind its primary` : `${vm} is not fault tolerant: no secondary` };
}

/** The VM names of a model, read defensively (the model crossed a process boundary). */
export function vmNamesOf(m: TimelineModel): string[] {
  return Array.isArray(m.vmNames) ? m.vmNames.filter((n): n is string => typeof n === 'string') : [];
}
