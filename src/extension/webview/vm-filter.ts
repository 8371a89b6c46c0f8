// The Timeline's VM filter: the model as seen with one VM of a cluster only (its lanes, spans, events and outputs, and
// everything that concerns no VM in particular: hosts, cluster-wide faults, checkpoints, lag). Pure: no DOM.
import type { Outputs, TimelineModel } from '../timeline-model';

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
  return { ...m, lanes: lanes.filter((_, i) => index[i] >= 0), spans: keep(m.spans), marks: keep(m.marks), outputs: keptOutputs(m.outputs, index) };
}

/** The VM names of a model, read defensively (the model crossed a process boundary). */
export function vmNamesOf(m: TimelineModel): string[] {
  return Array.isArray(m.vmNames) ? m.vmNames.filter((n): n is string => typeof n === 'string') : [];
}
