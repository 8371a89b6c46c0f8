// The scenario: a validated, fully defaulted description of one cluster run (also the body of a launch configuration).

import schemaJson from './scenario.schema.json';
import { checkSchema, SchemaNode } from './schema-check';

export const scenarioSchema = schemaJson as unknown as SchemaNode;

export type FaultKind =
  | 'hostCrash' | 'hostRestore' | 'loggingLinkDown' | 'loggingLinkUp' | 'linkDegrade' | 'partition' | 'heal'
  | 'storageLoss' | 'storageRestore' | 'slowHost' | 'testFailover' | 'testRestartSecondary'
  | 'turnOffFT' | 'turnOnFT' | 'suspendFT' | 'resumeFT' | 'migrate' | 'migrateSecondary';

/** Parts of the FT protocol a what-if can switch off, each to show the checker that then fails. */
export type WhatIfSwitch = 'lagControl' | 'respawn' | 'loserHalts' | 'pairedProtection' | 'detection';

export const WHAT_IF_SWITCHES: readonly WhatIfSwitch[] = ['lagControl', 'respawn', 'loserHalts', 'pairedProtection', 'detection'];

export type LoggedKind = 'time' | 'cycle' | 'entropy' | 'timer' | 'uartRx' | 'nicRx' | 'diskDone' | 'netRx';

/** Actions on one VM of the cluster (the fault's `vm`): vSphere's FT actions and live migrations (their `host` is the destination). */
export const VM_ACTION_KINDS: readonly FaultKind[] = ['testFailover', 'testRestartSecondary', 'turnOffFT', 'turnOnFT', 'suspendFT', 'resumeFT', 'migrate', 'migrateSecondary'];

export interface FaultSpec {
  atMs: number;
  kind: FaultKind;
  /** The VM it concerns, by name, in a scenario with `vms` (default: the first): FT actions, @primary and @secondary, a link fault naming no host. */
  vm?: string;
  host?: string;
  groups?: string[][];
  factor?: number;
  latencyUs?: number;
  bandwidthMbps?: number;
  lossRate?: number;
  when?: 'now' | 'afterOutput' | 'duringRespawn';
}

export interface LinkSpec { latencyUs: number; bandwidthMbps: number; lossRate: number }
export interface HostSpec {
  name: string; mips: number; family: string; jitter: number;
  /** Memory for VMs (placement and admission control count it). */
  ramMiB: number;
  /** The FT logging NIC's bandwidth, shared by every FT VM on the host (null: only each link's own limits the log). */
  loggingNicMbps: number | null;
}

export type RestartPriority = 'highest' | 'high' | 'medium' | 'low' | 'lowest' | 'disabled';
export type WorkloadSpec = Scenario['workload'];

/** One VM of a cluster scenario (`vms`), every default filled. */
export interface VmSpec {
  name: string;
  program: string;
  ft: boolean;
  ramMiB: number;
  vcpus: number;
  /** Hosts asked for (null: placement chooses). */
  placement: { primary: string | null; secondary: string | null };
  /** VM-host rule for the primary and its secondary (null: any host). */
  allowedHosts: string[] | null;
  restartPriority: RestartPriority;
  workload: WorkloadSpec;
}

/** vSphere HA/DRS settings of a cluster scenario. */
export interface ClusterSpec {
  maxFtVmsPerHost: number;
  maxFtVcpusPerHost: number;
  admissionControl: { hostFailuresTolerated: number };
  drs: 'off' | 'manual' | 'fullyAutomated';
  /** How often DRS looks at the hosts' load (simulated). */
  drsIntervalMs: number;
  vmAntiAffinity: string[][];
}

export interface Scenario {
  program: string;
  seed: number;
  untilMs: number;
  ramMiB: number;
  hosts: HostSpec[];
  placement: { primary: string; secondary: string; allowedHosts: string[] | null };
  network: { logging: LinkSpec; management: LinkSpec; client: LinkSpec; vmotion: LinkSpec };
  storage: { latencyUs: number; diskSectors: number };
  ft: {
    enabled: boolean; heartbeatIntervalMs: number; failureTimeoutMs: number; logBufferKiB: number; lagBoundMs: number;
    outputRule: boolean; failoverBoundMs: number; respawnBoundMs: number; flushIntervalUs: number; idleMarkIntervalUs: number;
  };
  workload: { clients: number; requests: number; ratePerSec: number; writeRatio: number; keys: number; timeoutMs: number; startMs: number; transport: 'nic' | 'tcp' };
  faults: FaultSpec[];
  whatIf: { outputRule: boolean; omitLogKinds: LoggedKind[]; disable: WhatIfSwitch[] };
  /** The cluster's VMs (null: the single-VM form, `program` with `placement` and `workload`). */
  vms: VmSpec[] | null;
  cluster: ClusterSpec;
}

export class ScenarioError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid scenario:\n  ${problems.join('\n  ')}`);
    this.name = 'ScenarioError';
  }
}

/** A workload's defaults; a VM of `vms` that names no workload has no clients. */
const WORKLOAD_DEFAULTS: WorkloadSpec = { clients: 2, requests: 200, ratePerSec: 1000, writeRatio: 0.5, keys: 16, timeoutMs: 30, startMs: 5, transport: 'nic' };
const NO_CLIENTS: WorkloadSpec = { ...WORKLOAD_DEFAULTS, clients: 0, requests: 0 };

const LINK_DEFAULTS = {
  logging: { latencyUs: 50, bandwidthMbps: 10000, lossRate: 0 },
  management: { latencyUs: 100, bandwidthMbps: 1000, lossRate: 0 },
  client: { latencyUs: 200, bandwidthMbps: 1000, lossRate: 0 },
  vmotion: { latencyUs: 100, bandwidthMbps: 10000, lossRate: 0 },
};

type Json = Record<string, any>;

/** Workloads parseScenario filled in because the scenario named none (see workloadFromDefaults). */
const DEFAULTED_WORKLOADS = new WeakSet<Scenario['workload']>();

/** True when the scenario named no `workload`: parseScenario filled in the default (copies that keep the workload object keep this). */
export function workloadFromDefaults(s: Scenario): boolean {
  return DEFAULTED_WORKLOADS.has(s.workload);
}

/**
 * Faults scheduled after the run ends (untilMs) never fire: what to tell the user ("a fault is scheduled
 * after the run ends at 60 ms and may never fire (hostCrash at 100 ms)"), or null when there are none.
 */
export function lateFaultNote(s: Scenario): string | null {
  const late = s.faults.filter((f) => f.atMs > s.untilMs);
  if (late.length === 0) return null;
  const which = late.map((f) => `${f.kind} at ${f.atMs} ms`).join(', ');
  const what = late.length === 1 ? 'a fault is' : `${late.length} faults are`;
  return `${what} scheduled after the run ends at ${s.untilMs} ms and may never fire (${which})`;
}

/** Validates `raw` against the schema and fills every default. Throws ScenarioError listing every problem. */
export function parseScenario(raw: unknown): Scenario {
  const problems = checkSchema(raw, scenarioSchema);
  if (problems.length > 0) throw new ScenarioError(problems);
  const r = raw as Json;
  const hosts: HostSpec[] = (r.hosts ?? [{ name: 'host-a' }, { name: 'host-b' }, { name: 'host-c' }]).map((h: Json) => ({
    name: h.name, mips: h.mips ?? 100, family: h.family ?? 'rv-gen1', jitter: h.jitter ?? 0.02, ramMiB: h.ramMiB ?? 4096,
    loggingNicMbps: h.loggingNicMbps ?? null,
  }));
  if ((r.program === undefined) === (r.vms === undefined)) {
    throw new ScenarioError([r.program === undefined ? '(top level): needs `program` (one VM) or `vms` (a cluster)' : '(top level): give `program` or `vms`, not both']);
  }
  const s: Scenario = {
    program: r.program ?? r.vms[0].program,
    seed: r.seed ?? 1,
    untilMs: r.untilMs ?? 1000,
    ramMiB: r.ramMiB ?? 16,
    hosts,
    placement: {
      primary: r.placement?.primary ?? (r.placement?.allowedHosts?.[0] ?? hosts[0].name),
      secondary: r.placement?.secondary ?? (r.placement?.allowedHosts?.[1] ?? hosts[1].name),
      allowedHosts: r.placement?.allowedHosts ?? null,
    },
    network: {
      logging: { ...LINK_DEFAULTS.logging, ...r.network?.logging },
      management: { ...LINK_DEFAULTS.management, ...r.network?.management },
      client: { ...LINK_DEFAULTS.client, ...r.network?.client },
      vmotion: { ...LINK_DEFAULTS.vmotion, ...r.network?.vmotion },
    },
    storage: { latencyUs: 200, diskSectors: 4096, ...r.storage },
    ft: {
      enabled: true, heartbeatIntervalMs: 5, failureTimeoutMs: 40, logBufferKiB: 64, lagBoundMs: 10,
      outputRule: true, failoverBoundMs: 200, respawnBoundMs: 2000, flushIntervalUs: 50, idleMarkIntervalUs: 1000, ...r.ft,
    },
    workload: { ...WORKLOAD_DEFAULTS, ...r.workload },
    faults: (r.faults ?? []).map((f: Json) => ({ ...f })),
    whatIf: { outputRule: r.whatIf?.outputRule ?? true, omitLogKinds: r.whatIf?.omitLogKinds ?? [], disable: r.whatIf?.disable ?? [] },
    vms: r.vms === undefined ? null : r.vms.map((v: Json) => vmSpec(v, r.ramMiB ?? 16)),
    cluster: {
      maxFtVmsPerHost: r.cluster?.maxFtVmsPerHost ?? 4, maxFtVcpusPerHost: r.cluster?.maxFtVcpusPerHost ?? 8,
      admissionControl: { hostFailuresTolerated: r.cluster?.admissionControl?.hostFailuresTolerated ?? 0 },
      drs: r.cluster?.drs ?? 'manual', drsIntervalMs: r.cluster?.drsIntervalMs ?? 200, vmAntiAffinity: (r.cluster?.vmAntiAffinity ?? []).map((g: string[]) => [...g]),
    },
  };
  const cross = crossCheck(s);
  if (cross.length > 0) throw new ScenarioError(cross);
  if (r.workload === undefined) DEFAULTED_WORKLOADS.add(s.workload);
  return s;
}

function vmSpec(v: Json, ramMiB: number): VmSpec {
  return {
    name: v.name, program: v.program, ft: v.ft ?? true, ramMiB: v.ramMiB ?? ramMiB, vcpus: v.vcpus ?? 1,
    placement: { primary: v.placement?.primary ?? null, secondary: v.placement?.secondary ?? null },
    allowedHosts: v.allowedHosts ?? null, restartPriority: v.restartPriority ?? 'medium',
    workload: v.workload === undefined ? { ...NO_CLIENTS } : { ...WORKLOAD_DEFAULTS, ...v.workload },
  };
}

function crossCheck(s: Scenario): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const [i, h] of s.hosts.entries()) {
    if (names.has(h.name)) problems.push(`hosts[${i}].name: duplicate host ${JSON.stringify(h.name)}`);
    names.add(h.name);
  }
  const known = (n: string) => names.has(n);
  for (const key of ['primary', 'secondary'] as const) {
    if (!known(s.placement[key])) problems.push(`placement.${key}: unknown host ${JSON.stringify(s.placement[key])}`);
  }
  if (s.ft.idleMarkIntervalUs < s.ft.flushIntervalUs) problems.push(`ft.idleMarkIntervalUs: ${s.ft.idleMarkIntervalUs} µs is shorter than ft.flushIntervalUs (${s.ft.flushIntervalUs} µs)`);
  if (s.placement.primary === s.placement.secondary) problems.push('placement: primary and secondary must be on different hosts');
  for (const [i, h] of (s.placement.allowedHosts ?? []).entries()) {
    if (!known(h)) problems.push(`placement.allowedHosts[${i}]: unknown host ${JSON.stringify(h)}`);
  }
  const fam = (n: string) => s.hosts.find((h) => h.name === n)?.family;
  if (known(s.placement.primary) && known(s.placement.secondary) && fam(s.placement.primary) !== fam(s.placement.secondary)) {
    problems.push('placement: primary and secondary hosts must be of the same processor family');
  }
  s.faults.forEach((f, i) => problems.push(...checkFault(f, i, known)));
  if (s.vms !== null) problems.push(...checkVms(s.vms, s.cluster, known));
  else if (s.faults.some((f) => f.vm !== undefined)) problems.push('faults: `vm` names a VM of `vms`; this scenario has one VM');
  s.faults.forEach((f, i) => {
    if (f.vm !== undefined && s.vms !== null && !s.vms.some((v) => v.name === f.vm)) problems.push(`faults[${i}].vm: unknown VM ${JSON.stringify(f.vm)}`);
  });
  return problems;
}

function checkVms(vms: VmSpec[], cluster: ClusterSpec, known: (n: string) => boolean): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  vms.forEach((v, i) => {
    if (names.has(v.name)) problems.push(`vms[${i}].name: duplicate VM ${JSON.stringify(v.name)}`);
    names.add(v.name);
    for (const key of ['primary', 'secondary'] as const) {
      const h = v.placement[key];
      if (h !== null && !known(h)) problems.push(`vms[${i}].placement.${key}: unknown host ${JSON.stringify(h)}`);
    }
    if (v.placement.primary !== null && v.placement.primary === v.placement.secondary) problems.push(`vms[${i}].placement: primary and secondary must be on different hosts`);
    if (!v.ft && v.placement.secondary !== null) problems.push(`vms[${i}].placement.secondary: ${v.name} is not fault tolerant (ft: false)`);
    (v.allowedHosts ?? []).forEach((h, j) => { if (!known(h)) problems.push(`vms[${i}].allowedHosts[${j}]: unknown host ${JSON.stringify(h)}`); });
  });
  cluster.vmAntiAffinity.forEach((g, i) => g.forEach((n, j) => {
    if (!names.has(n)) problems.push(`cluster.vmAntiAffinity[${i}][${j}]: unknown VM ${JSON.stringify(n)}`);
  }));
  return problems;
}

const NEEDS_HOST: FaultKind[] = ['hostCrash', 'hostRestore', 'storageLoss', 'storageRestore', 'slowHost'];

function checkFault(f: FaultSpec, i: number, known: (n: string) => boolean): string[] {
  const at = `faults[${i}]`;
  const problems: string[] = [];
  if (f.host !== undefined && f.host !== '@primary' && f.host !== '@secondary' && !known(f.host)) {
    problems.push(`${at}.host: unknown host ${JSON.stringify(f.host)} (use a host name, @primary or @secondary)`);
  }
  if (NEEDS_HOST.includes(f.kind) && f.host === undefined) problems.push(`${at}.host: ${f.kind} needs a host`);
  if (f.kind === 'slowHost' && f.factor === undefined) problems.push(`${at}.factor: slowHost needs a factor`);
  if (f.kind === 'partition') {
    if (f.groups === undefined || f.groups.length < 2) problems.push(`${at}.groups: partition needs at least two groups of hosts`);
    for (const [g, group] of (f.groups ?? []).entries()) {
      for (const [j, h] of group.entries()) {
        if (!known(h) && h !== '@primary' && h !== '@secondary') problems.push(`${at}.groups[${g}][${j}]: unknown host ${JSON.stringify(h)}`);
      }
    }
  }
  return problems;
}

/** The scenario as JSON that `parseScenario` accepts again (round trip: parse(toJson(s)) equals s). */
export function scenarioToJson(s: Scenario): Record<string, unknown> {
  const { allowedHosts, ...placement } = s.placement;
  const { vms, program, hosts, ...rest } = s;
  const hostsJson = hosts.map(({ loggingNicMbps, ...h }) => (loggingNicMbps === null ? h : { ...h, loggingNicMbps }));
  if (vms !== null) return { ...rest, hosts: hostsJson, placement: allowedHosts === null ? placement : { ...placement, allowedHosts }, vms: vms.map(vmSpecToJson) };
  return { ...rest, program, hosts: hostsJson, placement: allowedHosts === null ? placement : { ...placement, allowedHosts } };
}

function vmSpecToJson(v: VmSpec): Record<string, unknown> {
  const { placement, allowedHosts, ...rest } = v;
  return {
    ...rest,
    placement: Object.fromEntries(Object.entries(placement).filter(([, h]) => h !== null)),
    ...(allowedHosts === null ? {} : { allowedHosts }),
  };
}
