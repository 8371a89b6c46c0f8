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
  const cluster = new Cluster(rec.scenario, program);
  for (const { atNs, fault } of rec.injected) cluster.scheduleInjected(atNs, fault);
  return { cluster, program };
}

export function replayRecording(rec: Recording): ReplayResult {
  const { cluster } = clusterFromRecording(rec);
  cluster.run(rec.expect.endNs);
  const summary = summarize(cluster, cluster.finish());
  return { cluster, summary, verified: summary.traceHash === rec.expect.traceHash };
}

/** Builds the recording of a finished run. */
export function recordingOf(scenario: Scenario, programName: string, programBytes: Uint8Array, cluster: Cluster, summary: RunSummary, note: string): Recording {
  const injected: { atNs: number; fault: FaultSpec }[] = cluster.injected.map((i) => ({ atNs: i.atNs, fault: i.fault }));
  return {
    scenario: parseScenario(scenarioToJson({ ...scenario, program: programName })),
    program: { name: programName, bytes: programBytes },
    injected,
    expect: {
      endNs: cluster.nowNs, traceHash: summary.traceHash, ok: summary.ok,
      failed: summary.invariants.filter((i) => !i.ok).map((i) => i.name), model: SIMULATION_MODEL,
    },
    note,
  };
}
