// Faults and FT actions: what each kind does to the cluster, with @primary/@secondary resolved when it fires.

import type { Cluster } from './cluster';
import type { FaultSpec } from './scenario';
import { arbitrate } from './protocol/failover';
import { haCheck, respawn } from './protocol/respawn';
import { unthrottle } from './protocol/lag';
import { haltVm, killVm } from './protocol/vm-fate';
import { releaseAll } from './protocol/outputs';

/** A fault's time has come: apply it now, or arm it for the worst moment it asks for. */
export function fireFault(c: Cluster, f: FaultSpec): void {
  const when = f.when ?? 'now';
  if (when === 'afterOutput') {
    c.armedFaults.push({ ...f, when: 'now' });
    return;
  }
  if (when === 'duringRespawn' && c.secondary?.status !== 'copying') {
    c.armedRespawnFaults.push({ ...f, when: 'now' });
    return;
  }
  applyFault(c, f);
}

/** Resolves a host reference: a name, or the current primary's/secondary's host. */
export function resolveHost(c: Cluster, ref: string | undefined): string | undefined {
  if (ref === '@primary') return c.primary?.host;
  if (ref === '@secondary') return c.secondary?.host;
  return ref;
}

export function describeFault(f: FaultSpec, host?: string): string {
  const on = host !== undefined ? ` on ${host}` : f.host !== undefined ? ` on ${f.host}` : '';
  const extra = [
    f.factor !== undefined ? `speed ×${f.factor}` : '',
    f.latencyUs !== undefined ? `latency ${f.latencyUs} µs` : '',
    f.bandwidthMbps !== undefined ? `${f.bandwidthMbps} Mbit/s` : '',
    f.lossRate !== undefined ? `loss ${(f.lossRate * 100).toFixed(1)}%` : '',
    f.groups !== undefined ? f.groups.map((g) => `{${g.join(', ')}}`).join(' | ') : '',
  ].filter((s) => s !== '').join(', ');
  return `${f.kind}${on}${extra ? ` (${extra})` : ''}`;
}

export function applyFault(c: Cluster, f: FaultSpec): void {
  const host = resolveHost(c, f.host);
  if (f.host !== undefined && host === undefined) {
    c.addTrace({ kind: 'fault', text: `${f.kind}: no ${f.host.slice(1)} to apply it to, skipped` });
    return;
  }
  c.addTrace({ kind: 'fault', host, text: describeFault(f, host), data: { fault: f.kind } });
  c.checkers.faultApplied(f, host);
  switch (f.kind) {
    case 'hostCrash': return hostCrash(c, host!);
    case 'hostRestore': return hostRestore(c, host!);
    case 'loggingLinkDown': return setLoggingLink(c, host, false);
    case 'loggingLinkUp': return setLoggingLink(c, host, true);
    case 'linkDegrade': return degradeLinks(c, host, f);
    case 'partition': return c.network.partition((f.groups ?? []).map((g) => g.map((h) => resolveHost(c, h) ?? h)));
    case 'heal': c.network.heal(); return retryRespawn(c);
    case 'storageLoss': c.storage.state.unreachableFrom.add(host!); return;
    case 'storageRestore': return storageRestore(c, host!);
    case 'slowHost':
      c.hosts.get(host!)!.slowFactor = f.factor ?? 1;
      for (const vm of c.vms) if (vm.host === host && vm.alive) c.rebase(vm, c.nowNs);
      return;
    default: return ftAction(c, f.kind);
  }
}

function hostCrash(c: Cluster, host: string): void {
  const h = c.hosts.get(host)!;
  h.up = false;
  for (const vm of c.vms) if (vm.host === host) killVm(c, vm, `host ${host} crashed`);
}

function hostRestore(c: Cluster, host: string): void {
  c.hosts.get(host)!.up = true;
  retryRespawn(c);
  haCheck(c);
}

function retryRespawn(c: Cluster): void {
  const p = c.primary;
  if (p !== undefined && p.status === 'running') respawn(c, p);
}

/** Calls `f` for the logging links a fault concerns: all of `host`'s, or the pair's when no host is named. */
function forPairLinks(c: Cluster, host: string | undefined, f: (a: string, b: string) => void): void {
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
function setLoggingLink(c: Cluster, host: string | undefined, up: boolean): void {
  if (host !== undefined) forPairLinks(c, host, (a, b) => c.network.setUp('logging', a, b, up));
  else if (!up) forPairLinks(c, undefined, (a, b) => { c.network.setUp('logging', a, b, false); c.pairLinksDown.push([a, b]); });
  else for (const [a, b] of c.pairLinksDown.splice(0)) c.network.setUp('logging', a, b, true);
  if (up) retryRespawn(c);
}

/**
 * Changes logging links' latency, bandwidth or loss: all of `host`'s, or with no host the pair's link and
 * every link an earlier degrade without a host changed (so a later one, such as back to normal, reaches
 * the link that was degraded even after the pair moved).
 */
function degradeLinks(c: Cluster, host: string | undefined, f: FaultSpec): void {
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

function storageRestore(c: Cluster, host: string): void {
  c.storage.state.unreachableFrom.delete(host);
  const waiting = c.storageWaiting.filter((w) => c.vm(w.vm)?.host === host);
  c.storageWaiting = c.storageWaiting.filter((w) => c.vm(w.vm)?.host !== host);
  for (const w of waiting) {
    const vm = c.vm(w.vm);
    if (vm !== undefined && vm.alive) c.submitDisk(vm, w.req);
  }
}

/** vSphere's FT actions on the protected VM. */
function ftAction(c: Cluster, kind: FaultSpec['kind']): void {
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

function note(c: Cluster, text: string): void {
  c.addTrace({ kind: 'fault', text });
}

function dropSecondary(c: Cluster): void {
  const p = c.primary;
  if (p === undefined) return;
  p.peer = null;
  p.logging = false;
  p.sender.reset();
  unthrottle(c, p);
  releaseAll(c, p);
}

function dropSecondaryAndRespawn(c: Cluster): void {
  dropSecondary(c);
  retryRespawn(c);
}
