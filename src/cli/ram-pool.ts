// Guest RAM reused across the runs of a campaign: a finished run's RAM, zeroed, serves the next run's machines (a new 16 MiB allocation costs milliseconds).

import type { Cluster, RamSource } from '../ft/cluster';

/** Buffers kept at most (a run makes about three machines; more wait for the garbage collector). */
const POOL_BUFFERS_MAX = 8;

export class RamPool implements RamSource {
  private readonly free: Uint8Array[] = [];

  take(bytes: number): Uint8Array | undefined {
    const i = this.free.findIndex((b) => b.length === bytes);
    return i < 0 ? undefined : this.free.splice(i, 1)[0];
  }

  /** Takes back the RAM of every machine of a finished run; the cluster must not be used after. */
  recycle(cluster: Cluster): void {
    for (const vm of cluster.vms) {
      if (this.free.length >= POOL_BUFFERS_MAX) return;
      const bytes = (vm.machine as { ram?: { bytes: Uint8Array } }).ram?.bytes;
      if (bytes === undefined) continue;
      bytes.fill(0);
      this.free.push(bytes);
    }
  }
}
