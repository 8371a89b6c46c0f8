// Test helpers for the FT world: the kvstore program and scenario builders.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadElf } from '../../src/machine/elf';
import type { Program } from '../../src/machine/program';
import { parseScenario, Scenario } from '../../src/ft/scenario';
import { runScenario, RunSummary } from '../../src/ft/report';
import type { Cluster } from '../../src/ft/cluster';

let cached: Program | null = null;

export function kvstore(): Program {
  cached ??= loadElf(readFileSync(join(__dirname, '../../examples/kvstore/kvstore.elf')), 'kvstore.elf');
  return cached;
}

export function scenario(extra: Record<string, unknown> = {}): Scenario {
  return parseScenario({ program: 'kvstore.elf', untilMs: 150, workload: { clients: 2, requests: 1000, ratePerSec: 2000 }, ...extra });
}

export function run(extra: Record<string, unknown> = {}): { cluster: Cluster; summary: RunSummary } {
  return runScenario(scenario(extra), kvstore());
}

export function failed(summary: RunSummary): string[] {
  return summary.invariants.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
}

export function traceTexts(cluster: Cluster, kind: string): string[] {
  return cluster.trace.events.filter((e) => e.kind === kind).map((e) => e.text);
}

const programs = new Map<string, Program>();

/** A committed example program by its path under examples/ (ELF), loaded once. */
export function example(path: string): Program {
  let p = programs.get(path);
  if (p === undefined) programs.set(path, (p = loadElf(readFileSync(join(__dirname, '../../examples', path)), path)));
  return p;
}

/** The failover demo's scenario (examples/kvstore/failover.json) with `extra` over it. */
export function demoScenario(extra: Record<string, unknown> = {}): Scenario {
  return parseScenario({ ...JSON.parse(readFileSync(join(__dirname, '../../examples/kvstore/failover.json'), 'utf8')), ...extra });
}
