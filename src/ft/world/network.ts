// The cluster's networks: per-host-pair links with latency, bandwidth, loss and up/down state, partitions, and each host's FT logging NIC.

import type { LinkSpec } from '../scenario';
import type { Prng } from '../sim/prng';

export type NetName = 'logging' | 'management' | 'client';

interface LinkState extends LinkSpec {
  up: boolean;
  /** When the sender side of this direction is free to put the next byte on the wire. */
  busyUntilNs: number;
  /** Reliable streams (the logging channel) deliver in order: the last delivery time. */
  lastArrivalNs: number;
}

export interface NetworkState {
  links: Record<string, LinkState>;
  /** Host → partition group number; hosts in different groups cannot talk (management and logging). */
  group: Record<string, number>;
  /** Host → when its logging NIC is free to send (hosts with a NIC bandwidth of their own). */
  nicBusyUntilNs: Record<string, number>;
  /** Host → bytes it has sent on the logging network (every FT VM on it). */
  loggingBytes: Record<string, number>;
}

export class Network {
  state: NetworkState;
  /** See minLatencyNs (kept current by every change of the links: the cluster reads it every quantum). */
  private minLatency = 0;
  /** net → from → to → the link's state object (looked up once, not on every send; cleared when the state is replaced). */
  private readonly linkCache = new Map<NetName, Map<string, Map<string, LinkState | undefined>>>();

  /**
   * `nicMbps`: hosts whose logging NIC has a bandwidth of its own, shared by every FT VM on the host: a
   * message waits for the NIC as well as for its link (other hosts: only the link limits it).
   */
  constructor(hosts: string[], specs: Record<NetName, LinkSpec>, private readonly prng: Prng, private readonly nicMbps: ReadonlyMap<string, number> = new Map()) {
    const links: Record<string, LinkState> = {};
    for (const net of ['logging', 'management', 'client'] as NetName[]) {
      for (const a of hosts) {
        for (const b of [...hosts, 'clients']) {
          if (a !== b) links[key(net, a, b)] = { ...specs[net], up: true, busyUntilNs: 0, lastArrivalNs: 0 };
          if (a !== b) links[key(net, b, a)] = { ...specs[net], up: true, busyUntilNs: 0, lastArrivalNs: 0 };
        }
      }
    }
    const zeros = () => Object.fromEntries(hosts.map((h) => [h, 0]));
    this.state = { links, group: zeros(), nicBusyUntilNs: zeros(), loggingBytes: zeros() };
    this.noteLatencies();
  }

  private noteLatencies(): void {
    let min = Number.POSITIVE_INFINITY;
    for (const link of Object.values(this.state.links)) min = Math.min(min, link.latencyUs * 1000);
    this.minLatency = min;
  }

  /** The lowest latency of any link, ns: nothing sent arrives sooner (the cluster's quanta are no longer). */
  get minLatencyNs(): number {
    return this.minLatency;
  }

  /** Plain-data copy for cluster checkpoints. */
  getState(): { net: NetworkState; prng: ReturnType<Prng['getState']> } {
    return { net: structuredClone(this.state), prng: this.prng.getState() };
  }

  setState(st: { net: NetworkState; prng: ReturnType<Prng['getState']> }): void {
    this.state = structuredClone(st.net);
    this.linkCache.clear(); // the cached objects belong to the replaced state
    this.prng.setState(st.prng);
    this.noteLatencies();
  }

  /** The link state of one direction (found once per host pair, not on every send). */
  private link(net: NetName, from: string, to: string): LinkState | undefined {
    let byFrom = this.linkCache.get(net);
    if (byFrom === undefined) this.linkCache.set(net, (byFrom = new Map()));
    let byTo = byFrom.get(from);
    if (byTo === undefined) byFrom.set(from, (byTo = new Map()));
    let link = byTo.get(to);
    if (link === undefined && !byTo.has(to)) byTo.set(to, (link = this.state.links[key(net, from, to)]));
    return link;
  }

  canTalk(net: NetName, from: string, to: string): boolean {
    const link = this.link(net, from, to);
    if (link === undefined || !link.up) return false;
    if (net === 'client') return true;
    return (this.state.group[from] ?? 0) === (this.state.group[to] ?? 0);
  }

  /**
   * Arrival time of a message of `bytes` sent at `nowNs`, or null when it is lost.
   * `reliable`: a stream (TCP-like): loss costs retransmissions, never drops, and order is kept.
   */
  send(net: NetName, from: string, to: string, bytes: number, nowNs: number, reliable: boolean): number | null {
    if (!this.canTalk(net, from, to)) return null;
    const link = this.link(net, from, to)!;
    const nicMbps = net === 'logging' ? this.nicMbps.get(from) : undefined;
    let departNs = Math.max(nowNs, link.busyUntilNs);
    if (nicMbps !== undefined) departNs = Math.max(departNs, this.state.nicBusyUntilNs[from]);
    const wireNs = (bytes * 8 * 1000) / (nicMbps === undefined ? link.bandwidthMbps : Math.min(link.bandwidthMbps, nicMbps));
    link.busyUntilNs = departNs + wireNs;
    if (nicMbps !== undefined) this.state.nicBusyUntilNs[from] = link.busyUntilNs;
    if (net === 'logging' && from in this.state.loggingBytes) this.state.loggingBytes[from] += bytes;
    let arrivalNs = link.busyUntilNs + link.latencyUs * 1000;
    if (link.lossRate > 0) {
      let tries = 0;
      while (this.prng.chance(link.lossRate)) {
        if (!reliable) return null;
        arrivalNs += 2 * link.latencyUs * 1000 + 200_000; // one retransmission timeout
        if (++tries >= 16) break; // bound: a link this lossy is as good as down, detection will notice
      }
    }
    if (reliable) {
      arrivalNs = Math.max(arrivalNs, link.lastArrivalNs);
      link.lastArrivalNs = arrivalNs;
    }
    return Math.ceil(arrivalNs);
  }

  /**
   * A stream's endpoint moved (a live migration): what it sends from now on, on the link `a2 → b2`,
   * arrives after everything still in flight on its old link `a → b` (a reliable stream keeps its order).
   */
  keepOrder(net: NetName, a: string, b: string, a2: string, b2: string): void {
    const old = this.link(net, a, b);
    const next = this.link(net, a2, b2);
    if (old !== undefined && next !== undefined) next.lastArrivalNs = Math.max(next.lastArrivalNs, old.lastArrivalNs);
  }

  /** Sets up/down on the links between two hosts (both directions) of one network. */
  setUp(net: NetName, a: string, b: string, up: boolean): void {
    for (const k of [key(net, a, b), key(net, b, a)]) {
      const link = this.state.links[k];
      if (link !== undefined) link.up = up;
    }
  }

  degrade(net: NetName, a: string, b: string, spec: Partial<LinkSpec>): void {
    for (const k of [key(net, a, b), key(net, b, a)]) {
      const link = this.state.links[k];
      if (link !== undefined) Object.assign(link, spec);
    }
    this.noteLatencies();
  }

  linkState(net: NetName, a: string, b: string): LinkState | undefined {
    return this.link(net, a, b);
  }

  partition(groups: string[][]): void {
    for (const h of Object.keys(this.state.group)) this.state.group[h] = groups.length; // hosts not named: their own group
    groups.forEach((g, i) => g.forEach((h) => (this.state.group[h] = i)));
  }

  heal(): void {
    for (const h of Object.keys(this.state.group)) this.state.group[h] = 0;
  }
}

function key(net: NetName, a: string, b: string): string {
  return `${net}|${a}|${b}`;
}
