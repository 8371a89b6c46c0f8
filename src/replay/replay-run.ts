// Re-executes a recording: same scenario, same program bytes, the same injected faults at the same instants.

import { Cluster } from '../ft/cluster';
import { parseScenario, scenarioToJson } from '../ft/scenario';
import type { FaultSpec, Scenario } from '../ft/scenario';
import { summarize, RunSummary } from '../ft/report';
import type { Program } from '../machine/program';
import { loadProgramBytes } from '../asm/load-program';
import type { Recording } from './recording';
import { SIMULATION_MODEL } from '../ft/model';

export interface ReplayResult {
  cluster: Cluster;
  summary: RunSummary;
  /** The trace hash matches the recorded one. */
  verified: boolean;
}

export function clusterFromRecording(rec: Recording): { cluster: Cluster; program: Program } {
  const program = loadProgramBytes(rec.program.name, rec.program.bytes);
  const cluster = new Cluster(rec.scenario, program, { programs: programsOf(rec) });
  for (const { atNs, fault } of rec.injected) cluster.scheduleInjected(atNs, fault);
  return { cluster, program };
}

export function replayRecording(rec: Recording): ReplayResult {
  const { cluster } = clusterFromRecording(rec);
  cluster.run(rec.expect.endNs);
  const summary = summarize(cluster, cluster.finish());
  return { cluster, summary, verified: summary.traceHash === rec.expect.traceHash };
}

/** A recording's cluster programs, loaded, by the names its scenario's `vms` use (undefined: one VM). */
export function programsOf(rec: Recording): Map<string, Program> | undefined {
  return rec.programs === undefined ? undefined : new Map(rec.programs.map((p) => [p.name, loadProgramBytes(p.name, p.bytes)]));
}

/** A cluster recording's program files by the names its scenario gives (undefined: a single VM). */
export function programFilesOf(rec: Recording): Map<string, Uint8Array> | undefined {
  return rec.programs === undefined ? undefined : new Map(rec.programs.map((p) => [p.name, p.bytes]));
}

/**
 * Builds the recording of a finished run. `vmPrograms`: a cluster's programs by the paths its scenario
 * gives, stored under their file names (made unique).
 */
export function recordingOf(
  scenario: Scenario, programName: string, programBytes: Uint8Array, cluster: Cluster, summary: RunSummary, note: string,
  vmPrograms?: ReadonlyMap<string, Uint8Array>,
): Recording {
  const injected: { atNs: number; fault: FaultSpec }[] = cluster.injected.map((i) => ({ atNs: i.atNs, fault: i.fault }));
  const names = vmPrograms === undefined ? undefined : uniqueNames([...vmPrograms.keys()]);
  const vms = scenario.vms === null || names === undefined ? scenario.vms : scenario.vms.map((v) => ({ ...v, program: names.get(v.program)! }));
  return {
    scenario: parseScenario(scenarioToJson({ ...scenario, program: programName, vms })),
    program: { name: programName, bytes: programBytes },
    ...(names === undefined ? {} : { programs: [...vmPrograms!].map(([path, bytes]) => ({ name: names.get(path)!, bytes })) }),
    injected,
    expect: {
      endNs: cluster.nowNs, traceHash: summary.traceHash, ok: summary.ok,
      failed: summary.invariants.filter((i) => !i.ok).map((i) => i.name), model: SIMULATION_MODEL,
    },
    note,
  };
}

/** Each path's file name, with "-2", "-3"… before the extension where two paths share one. */
function uniqueNames(paths: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const path of paths) {
    const base = path.replace(/^.*[\\/]/, '');
    let name = base;
    for (let i = 2; used.has(name); i++) name = base.replace(/(\.[^.]*)?$/, (ext) => `-${i}${ext}`);
    used.add(name);
    out.set(path, name);
  }
  return out;
}
