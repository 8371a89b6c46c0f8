// Chaos schedules drawn from a seed: clusters of 3 to 6 hosts, affinity rules, horizons of seconds, and fault mixes aimed where bugs live.

import { VM_ACTION_KINDS, type FaultSpec, type HostSpec, type Scenario } from './scenario';
import { Prng } from './sim/prng';

type Drawer = (p: Prng, atMs: number, w: World) => FaultSpec[];

/** What a drawer knows of the cluster it draws for. */
interface World { hosts: string[]; base: Scenario; untilMs: number }

export interface ChaosOptions {
  /** A fixed horizon (ms) instead of the drawn one (equal-horizon comparisons). */
  untilMs?: number;
}

/** Horizons, ms: long enough to pass the failover bound, and with time after the last fault for the respawn bound. */
const HORIZONS_MS = [800, 1500, 3000] as const;
const HOSTS_MIN = 3;
const HOSTS_MAX = 6;

const between = (p: Prng, atMs: number, w: World, lo: number, hi: number) => Math.min(w.untilMs * 0.9, atMs + p.int(lo, hi));
const later = (p: Prng, atMs: number, w: World) => between(p, atMs, w, 5, 400);
const someHost = (p: Prng, w: World) => p.pick([...w.hosts, '@primary', '@secondary', '@primary']);

/** Restores what a crash took, sometimes: the host comes back later or never. */
function maybeRestore(p: Prng, atMs: number, w: World, host: string): FaultSpec[] {
  return p.chance(0.6) ? [{ atMs: later(p, atMs, w), kind: 'hostRestore', host }] : [];
}

/** Hosts split into 2 or 3 groups at random (every host in one group). */
function randomGroups(p: Prng, hosts: string[]): string[][] {
  const n = p.int(2, Math.min(3, hosts.length));
  const groups: string[][] = Array.from({ length: n }, () => []);
  hosts.forEach((h, i) => groups[i < n ? i : p.int(0, n - 1)].push(h));
  return groups;
}

const DRAWERS: { weight: number; draw: Drawer }[] = [
  // One host fails: the primary's (right after an output, at the worst moment), the secondary's, or any.
  { weight: 4, draw: (p, at, w) => {
    const host = p.pick(['@primary', '@primary', '@secondary', ...w.hosts]);
    const when = host === '@primary' ? p.pick(['now', 'afterOutput'] as const) : 'now';
    return [{ atMs: at, kind: 'hostCrash', host, when }];
  } },
  // A crash of either end while a new secondary is being copied (a first failure starts the copy).
  { weight: 2, draw: (p, at, w) => [
    { atMs: at, kind: 'hostCrash', host: p.pick(['@primary', '@secondary']) },
    { atMs: at, kind: 'hostCrash', host: p.pick(['@primary', '@secondary']), when: 'duringRespawn' },
    ...maybeRestore(p, at, w, w.base.placement.secondary),
  ] },
  // Double and triple failures, some hosts restored later.
  { weight: 2, draw: (p, at, w) => {
    const out: FaultSpec[] = [{ atMs: at, kind: 'hostCrash', host: '@primary' }, { atMs: at + p.int(0, 5), kind: 'hostCrash', host: '@secondary' }];
    if (p.chance(0.4)) out.push({ atMs: at + p.int(0, 5), kind: 'hostCrash', host: p.pick(w.hosts) });
    for (const h of w.hosts) if (p.chance(0.3)) out.push({ atMs: later(p, at, w), kind: 'hostRestore', host: h });
    return out;
  } },
  // Partitions of every shape; sometimes healed during arbitration (the failure timeout after the cut).
  { weight: 3, draw: (p, at, w) => {
    const healMs = p.chance(0.3) ? at + w.base.ft.failureTimeoutMs + p.int(-3, 6) : later(p, at, w);
    return [{ atMs: at, kind: 'partition', groups: randomGroups(p, w.hosts) }, { atMs: Math.min(w.untilMs * 0.9, Math.max(at + 1, healMs)), kind: 'heal' }];
  } },
  // The primary alone on one side, healed later.
  { weight: 1, draw: (p, at, w) => [
    { atMs: at, kind: 'partition', groups: [['@primary'], w.hosts.filter((h) => h !== w.base.placement.primary)] }, { atMs: later(p, at, w), kind: 'heal' },
  ] },
  // Storage-only partitions: some hosts lose their path to shared storage, and get it back later (or not).
  { weight: 2, draw: (p, at, w) => {
    const hosts = w.hosts.filter(() => p.chance(0.5));
    if (hosts.length === 0) hosts.push(p.pick(w.hosts));
    return hosts.flatMap((h) => [
      { atMs: at, kind: 'storageLoss', host: h } as FaultSpec,
      ...(p.chance(0.8) ? [{ atMs: later(p, at, w), kind: 'storageRestore', host: h } as FaultSpec] : []),
    ]);
  } },
  // A flapping logging link: down and up again, periods around the failure timeout.
  { weight: 3, draw: (p, at, w) => {
    const out: FaultSpec[] = [];
    const host = p.chance(0.3) ? p.pick(w.hosts) : undefined;
    let t = at;
    for (let i = p.int(1, 4); i > 0 && t < w.untilMs * 0.85; i--) {
      out.push({ atMs: t, kind: 'loggingLinkDown', ...(host ? { host } : {}) });
      t = between(p, t, w, 2, 90);
      out.push({ atMs: t, kind: 'loggingLinkUp', ...(host ? { host } : {}) });
      t = between(p, t, w, 2, 90);
    }
    return out;
  } },
  // A degraded logging link (latency, loss, bandwidth), back to normal later.
  { weight: 2, draw: (p, at, w) => {
    const host = p.chance(0.3) ? someHost(p, w) : undefined;
    const normal = w.base.network.logging;
    return [
      { atMs: at, kind: 'linkDegrade', ...(host ? { host } : {}), latencyUs: p.int(50, 2000), lossRate: p.int(0, 50) / 1000, bandwidthMbps: p.pick([1000, 2500, 10000]) },
      ...(p.chance(0.6) ? [{ atMs: later(p, at, w), kind: 'linkDegrade', ...(host ? { host } : {}), latencyUs: normal.latencyUs, lossRate: normal.lossRate, bandwidthMbps: normal.bandwidthMbps } as FaultSpec] : []),
    ];
  } },
  // A slow or overcommitted host, at normal speed again later (or not).
  { weight: 2, draw: (p, at, w) => {
    const host = someHost(p, w);
    return [
      { atMs: at, kind: 'slowHost', host, factor: p.int(20, 90) / 100 },
      ...(p.chance(0.5) && !host.startsWith('@') ? [{ atMs: later(p, at, w), kind: 'slowHost', host, factor: 1 } as FaultSpec] : []),
    ];
  } },
  // FT actions interleaved with the faults.
  { weight: 2, draw: (p, at, w) => {
    const pair = p.pick([['turnOffFT', 'turnOnFT'], ['suspendFT', 'resumeFT']] as const);
    return [{ atMs: at, kind: pair[0] }, { atMs: later(p, at, w), kind: pair[1] }];
  } },
  { weight: 1, draw: (_p, at) => [{ atMs: at, kind: 'testFailover' }] },
  { weight: 1, draw: (_p, at) => [{ atMs: at, kind: 'testRestartSecondary' }] },
];

/** In a cluster of several VMs: live migrations, some caught by a crash of their source or of any host. */
const CLUSTER_DRAWERS: { weight: number; draw: Drawer }[] = [
  { weight: 2, draw: (p, at, w) => [{ atMs: at, kind: 'migrateSecondary', ...(p.chance(0.5) ? { host: p.pick(w.hosts) } : {}) }] },
  { weight: 1, draw: (p, at, w) => [{ atMs: at, kind: 'migrate', ...(p.chance(0.5) ? { host: p.pick(w.hosts) } : {}) }] },
  { weight: 2, draw: (p, at, w) => [
    { atMs: at, kind: p.pick(['migrate', 'migrateSecondary'] as const) },
    { atMs: at + p.int(0, 3), kind: 'hostCrash', host: p.pick(['@primary', '@secondary', ...w.hosts]) },
    ...maybeRestore(p, at, w, p.pick(w.hosts)),
  ] },
];

/**
 * 3 to 6 hosts: the base scenario's, then spares like its first host but of another speed (half to twice
 * as fast: a secondary slower than its primary is where lag control matters), one now and then of
 * another processor family.
 */
function drawHosts(p: Prng, base: Scenario): HostSpec[] {
  const hosts = base.hosts.map((h) => ({ ...h }));
  const want = Math.max(hosts.length, p.int(HOSTS_MIN, HOSTS_MAX));
  for (let i = 1; hosts.length < want; i++) {
    const family = p.chance(0.15) ? `${hosts[0].family}-other` : hosts[0].family;
    const mips = Math.max(1, Math.round(hosts[0].mips * p.pick([0.5, 1, 1, 2])));
    hosts.push({ ...hosts[0], name: `spare-${i}`, family, mips });
  }
  return hosts;
}

/** A VM-host affinity rule now and then: the pair's hosts and some others (a cluster's VMs keep their own rules). */
function drawAllowedHosts(p: Prng, base: Scenario, hosts: HostSpec[]): string[] | null {
  if (base.vms !== null || base.placement.allowedHosts !== null || !p.chance(0.3)) return base.placement.allowedHosts;
  const { primary, secondary } = base.placement;
  return hosts.map((h) => h.name).filter((h) => h === primary || h === secondary || p.chance(0.5));
}

/**
 * In a cluster of several VMs, one fault mix concerns one FT VM, drawn: its @primary/@secondary, its FT
 * actions and its pair's link (host faults strike whatever runs there). A single VM's mix is as drawn.
 */
function aimed(p: Prng, base: Scenario, mix: FaultSpec[]): FaultSpec[] {
  const ft = base.vms?.filter((v) => v.ft).map((v) => v.name) ?? [];
  if (ft.length === 0) return mix;
  const vm = p.pick(ft);
  return mix.map((f) => (VM_ACTION_KINDS.includes(f.kind) || f.host?.startsWith('@') === true || (f.host === undefined && LINK_FAULT.includes(f.kind)) ? { ...f, vm } : f));
}

const LINK_FAULT: readonly FaultSpec['kind'][] = ['loggingLinkDown', 'loggingLinkUp', 'linkDegrade'];

/** The scenario for one chaos seed: the base scenario with `seed`, a drawn cluster and horizon, and 1–4 drawn fault mixes (replacing its own faults). */
export function chaosScenario(base: Scenario, seed: number, opts: ChaosOptions = {}): Scenario {
  const p = new Prng(seed, 'chaos');
  const drawers = base.vms === null ? DRAWERS : [...DRAWERS, ...CLUSTER_DRAWERS];
  const total = drawers.reduce((a, d) => a + d.weight, 0);
  const hosts = drawHosts(p, base);
  const allowedHosts = drawAllowedHosts(p, base, hosts);
  const untilMs = opts.untilMs ?? Math.max(base.untilMs, p.pick(HORIZONS_MS));
  const world: World = { hosts: hosts.map((h) => h.name), base, untilMs };
  const faults: FaultSpec[] = [];
  const firstMs = base.workload.startMs + 5;
  const lastMs = Math.max(firstMs + 1, untilMs * 0.6);
  for (let i = p.int(1, 4); i > 0; i--) {
    let r = p.int(0, total - 1);
    const d = drawers.find((x) => (r -= x.weight) < 0)!;
    faults.push(...aimed(p, base, d.draw(p, p.int(Math.ceil(firstMs), Math.floor(lastMs)), world)));
  }
  faults.sort((a, b) => a.atMs - b.atMs);
  return { ...base, seed, untilMs, hosts, placement: { ...base.placement, allowedHosts }, faults };
}
