// MMIO dispatch: routes every non-RAM physical access to the device whose window contains it.

/** A memory-mapped device window. Offsets are relative to the window base. */
export interface MmioDevice {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  /** Unsigned value, or -1 for an access fault (bad offset or width). */
  read(offset: number, size: 1 | 2 | 4): number;
  /** false for an access fault. */
  write(offset: number, size: 1 | 2 | 4, value: number): boolean;
}

export class Bus {
  private readonly devices: MmioDevice[] = [];

  attach(dev: MmioDevice): void {
    for (const d of this.devices) {
      const overlap = dev.base < d.base + d.size && d.base < dev.base + dev.size;
      if (overlap) throw new Error(`device ${dev.name} overlaps ${d.name}`);
    }
    this.devices.push(dev);
  }

  find(addr: number): MmioDevice | undefined {
    addr >>>= 0;
    for (const d of this.devices) {
      if (addr >= d.base && addr - d.base < d.size) return d;
    }
    return undefined;
  }

  /** Unsigned value, or -1 when nothing answers (access fault). */
  read(addr: number, size: 1 | 2 | 4): number {
    const d = this.find(addr);
    if (d === undefined || (addr >>> 0) - d.base + size > d.size) return -1;
    return d.read((addr >>> 0) - d.base, size);
  }

  /** false when nothing answers (access fault). */
  write(addr: number, size: 1 | 2 | 4, value: number): boolean {
    const d = this.find(addr);
    if (d === undefined || (addr >>> 0) - d.base + size > d.size) return false;
    return d.write((addr >>> 0) - d.base, size, value >>> 0);
  }
}
