// Faults and FT actions: what each kind does to the cluster, with @primary/@secondary resolved when it fires.
//
// A host, link or storage fault strikes the cluster: every VM with an instance there feels it. An FT
// action, @primary/@secondary and a link fault that names no host concern one VM: the fault's `vm`
// (by name), or the cluster's first VM.

import type { Cluster } from './cluster';
import type { LogicalVm } from './logical-vm';
import { VM_ACTION_KINDS, type FaultSpec } from './scenario';
import { arbitrate } from './protocol/failover';
import { haCheck, respawn } from './protocol/respawn';
import { unthrottle } from './protocol/lag';
import { haltVm, killVm } from './protocol/vm-fate';
import { releaseAll } from './protocol/outputs';
import { startMigration } from './protocol/vmotion';
import { migrationHost } from './cluster-placement';

const MIGRATIONS: readonly FaultSpec['kind'][] = ['migrate', 'migrateSecondary'];

/** The VM a fault concerns: the one it names, or the first. */
export function faultTarget(w: Cluster, f: FaultSpec): LogicalVm {
  if (f.vm === undefined) return w.main;
  const m = w.members.find((x) => x.label === f.vm);
  if (m === undefined) throw new Error(`fault ${f.kind}: no VM named ${JSON.stringify(f.vm)}`);
  return m;
}

/** A fault's time has come: apply it now, or arm it for the worst moment it asks for. */
export function fireFault(w: Cluster, f: FaultSpec): void {
  const c = faultTarget(w, f);
  const when = f.when ?? 'now';
  if (when === 'afterOutput') {
    c.armedFaults.push({ ...f, when: 'now' });
    return;
  }
  if (when === 'duringRespawn' && c.secondary?.status !== 'copying') {
    c.armedRespawnFaults.push({ ...f, when: 'now' });
    return;
  }
  applyFault(w, f);
}

/** Resolves a host reference: a name, or the current primary's/secondary's host. */
export function resolveHost(c: LogicalVm, ref: string | undefined): string | undefined {
  if (ref === '@primary') return c.primary?.host;
  if (ref === '@secondary') return c.secondary?.host;
  return ref;
}

export function describeFault(f: FaultSpec, host?: string): string {
  const where = host ?? f.host;
  const on = where === undefined ? '' : MIGRATIONS.includes(f.kind) ? ` to ${where}` : ` on ${where}`;
  const extra = [
    f.factor !== undefined ? `speed ×${f.factor}` : '',
    f.latencyUs !== undefined ? `latency ${f.latencyUs} µs` : '',
    f.bandwidthMbps !== undefined ? `${f.bandwidthMbps} Mbit/s` : '',
    f.lossRate !== undefined ? `loss ${(f.lossRate * 100).toFixed(1)}%` : '',
    f.groups !== undefined ? f.groups.map((g) => `{${g.join(', ')}}`).join(' | ') : '',
  ].filter((s) => s !== '').join(', ');
  return `${f.kind}${on}${extra ? ` (${extra})` : ''}`;
}

export function applyFault(w: Cluster, f: FaultSpec): void {
  const c = faultTarget(w, f);
  const host = resolveHost(c, f.host);
  if (f.host !== undefined && host === undefined) {
    c.addTrace({ kind: 'fault', text: `${f.kind}: no ${f.host.slice(1)} to apply it to, skipped` });
    return;
  }
  const ofVm = VM_ACTION_KINDS.includes(f.kind) || f.vm !== undefined || f.host?.startsWith('@') === true;
  (ofVm ? c : w).addTrace({ kind: 'fault', host, text: describeFault(f, host), data: { fault: f.kind } });
  for (const m of VM_ACTION_KINDS.includes(f.kind) ? [c] : w.members) m.checkers.faultApplied(f, host);
  switch (f.kind) {
    case 'hostCrash': return hostCrash(w, host!);
    case 'hostRestore': return hostRestore(w, host!);
    case 'loggingLinkDown': return setLoggingLink(c, host, false);
    case 'loggingLinkUp': return setLoggingLink(c, host, true);
    case 'linkDegrade': return degradeLinks(c, host, f);
    case 'partition': return w.network.partition((f.groups ?? []).map((g) => g.map((h) => resolveHost(c, h) ?? h)));
    case 'heal': w.network.heal(); return retryRespawnAll(w);
    case 'storageLoss':
      for (const m of w.members) m.storage.state.unreachableFrom.add(host!);
      return;
    case 'storageRestore': return storageRestore(w, host!);
    case 'slowHost':
      w.hosts.get(host!)!.slowFactor = f.factor ?? 1;
      for (const vm of w.vms) if (vm.host === host && vm.alive) w.rebase(vm, w.nowNs);
      return;
    case 'migrate':
    case 'migrateSecondary':
      return migrateAction(c, f.kind, host ?? null);
    default: return ftAction(c, f.kind);
  }
}

/** Moves the VM's primary (migrate) or its FT secondary (Migrate Secondary) by vMotion, to `to` if the rules allow it, else where they say. */
function migrateAction(c: LogicalVm, kind: 'migrate' | 'migrateSecondary', to: string | null): void {
  const vm = kind === 'migrate' ? c.primary : c.secondary;
  const what = kind === 'migrate' ? 'migrate' : 'Migrate Secondary';
  if (vm === undefined || vm.status !== 'running') return note(c, `${what}: ${c.name} has no running ${kind === 'migrate' ? 'primary' : 'secondary'}`);
  if (vm.migratingTo !== null) return note(c, `${what}: ${vm.name} is already moving to ${vm.migratingTo}`);
  const place = migrationHost(c, vm, to);
  if (place.host === null) return note(c, `${what}: no host for ${vm.name}: ${place.reason}`);
  startMigration(c, vm, place.host, what);
}

function hostCrash(w: Cluster, host: string): void {
  const h = w.hosts.get(host)!;
  h.up = false;
  for (const vm of w.vms) if (vm.host === host) killVm(w.ownerOf(vm), vm, `host ${host} crashed`);
}

function hostRestore(w: Cluster, host: string): void {
  w.hosts.get(host)!.up = true;
  for (const m of w.members) {
    retryRespawn(m);
    haCheck(m);
  }
}

function retryRespawnAll(w: Cluster): void {
  for (const m of w.members) retryRespawn(m);
}

function retryRespawn(c: LogicalVm): void {
  const p = c.primary;
  if (p !== undefined && p.status === 'running') respawn(c, p);
}

/** Calls `f` for the logging links a fault concerns: all of `host`'s, or the pair's when no host is named. */
function forPairLinks(c: LogicalVm, host: string | undefined, f: (a: string, b: string) => void): void {
  if (host !== undefined) {
    for (const other of c.hosts.keys()) if (other !== host) f(host, other);
    return;
  }
  const p = c.primary;
  const s = c.secondary;
  if (p !== undefined && s !== undefined) f(p.host, s.host);
}

/**
 * A logging link goes down or comes back: all of `host`'s, or with no host the pair's link, resolved when
 * it goes down and remembered, so the link that comes back up is the link that went down.
 */
function setLoggingLink(c: LogicalVm, host: string | undefined, up: boolean): void {
  if (host !== undefined) forPairLinks(c, host, (a, b) => c.network.setUp('logging', a, b, up));
  else if (!up) forPairLinks(c, undefined, (a, b) => { c.network.setUp('logging', a, b, false); c.pairLinksDown.push([a, b]); });
  else for (const [a, b] of c.pairLinksDown.splice(0)) c.network.setUp('logging', a, b, true);
  if (up) retryRespawnAll(c.cluster);
}

/**
 * Changes logging links' latency, bandwidth or loss: all of `host`'s, or with no host the pair's link and
 * every link an earlier degrade without a host changed (so a later one, such as back to normal, reaches
 * the link that was degraded even after the pair moved).
 */
function degradeLinks(c: LogicalVm, host: string | undefined, f: FaultSpec): void {
  const spec = {
    ...(f.latencyUs !== undefined ? { latencyUs: f.latencyUs } : {}),
    ...(f.bandwidthMbps !== undefined ? { bandwidthMbps: f.bandwidthMbps } : {}),
    ...(f.lossRate !== undefined ? { lossRate: f.lossRate } : {}),
  };
  if (host !== undefined) return forPairLinks(c, host, (a, b) => c.network.degrade('logging', a, b, spec));
  forPairLinks(c, undefined, (a, b) => {
    if (!c.pairLinksDegraded.some(([x, y]) => x === a && y === b)) c.pairLinksDegraded.push([a, b]);
  });
  for (const [a, b] of c.pairLinksDegraded) c.network.degrade('logging', a, b, spec);
}

function storageRestore(w: Cluster, host: string): void {
  for (const c of w.members) {
    c.storage.state.unreachableFrom.delete(host);
    const waiting = c.storageWaiting.filter((x) => c.vm(x.vm)?.host === host);
    c.storageWaiting = c.storageWaiting.filter((x) => c.vm(x.vm)?.host !== host);
    for (const x of waiting) {
      const vm = c.vm(x.vm);
      if (vm !== undefined && vm.alive) c.submitDisk(vm, x.req);
    }
  }
}

/** vSphere's FT actions on the protected VM. */
function ftAction(c: LogicalVm, kind: FaultSpec['kind']): void {
  const p = c.primary;
  const s = c.secondary;
  switch (kind) {
    case 'testFailover':
      if (p === undefined || s === undefined || s.status !== 'running') return note(c, 'Test Failover needs a running secondary');
      killVm(c, p, 'Test Failover stopped the primary');
      s.suspecting = true;
      return arbitrate(c, s);
    case 'testRestartSecondary':
      if (s === undefined) return note(c, 'Test Restart Secondary: there is no secondary');
      killVm(c, s, 'Test Restart Secondary stopped the secondary');
      return dropSecondaryAndRespawn(c);
    case 'turnOffFT':
    case 'suspendFT':
      if (s !== undefined) haltVm(c, s, kind === 'turnOffFT' ? 'Fault Tolerance turned off' : 'Fault Tolerance suspended');
      if (kind === 'turnOffFT') c.ftEnabled = false;
      else c.ftSuspended = true;
      return dropSecondary(c);
    case 'turnOnFT':
    case 'resumeFT':
      if (kind === 'turnOnFT') c.ftEnabled = true;
      c.ftSuspended = false;
      return retryRespawn(c);
    default:
      throw new Error(`unhandled fault kind ${kind}`);
  }
}

function note(c: LogicalVm, text: string): void {
  c.addTrace({ kind: 'fault', text });
}

function dropSecondary(c: LogicalVm): void {
  const p = c.primary;
  if (p === undefined) return;
  p.peer = null;
  p.logging = false;
  p.sender.reset();
  unthrottle(c, p);
  releaseAll(c, p);
}

function dropSecondaryAndRespawn(c: LogicalVm): void {
  dropSecondary(c);
  retryRespawn(c);
}
