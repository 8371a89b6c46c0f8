// The machine facade: builds RAM, bus, devices and CPU; runs, takes inputs, snapshots, restores and hashes.

import { Cpu, type CpuState } from './cpu';
import { Bus } from './bus';
import { Ram } from './ram';
import { ProgramFitError, type Program, type Segment } from './program';
import { type Environment, type FatalInfo, type GuestOutput, type InputEvent, Irq, MemMap, PlicSource, type ReadKind, type StopReason } from './types';
import type { DeviceHost } from './devices/device';
import { TestDevice, type TestDeviceState } from './devices/test-device';
import { Clint, type ClintState } from './devices/clint';
import { Plic, type PlicState } from './devices/plic';
import { Uart, type UartState } from './devices/uart';
import { Nic, type NicState } from './devices/nic';
import { Disk, type DiskState } from './devices/disk';
import { EntropyDevice, type EntropyState } from './devices/entropy';
import { VirtioBlk, type VirtioBlkState, VIRTIO_BLK_ID_BASE } from './devices/virtio-blk';
import { VirtioNet, type VirtioNetState } from './devices/virtio-net';
import type { VirtioTransportState } from './devices/virtio-mmio';
import { type RamImage, captureRam, internZeroPages, restoreRam, zeroImage } from './snapshot';
import { Hash64, PageHashCache, hashValue } from './hash';
import { placeDeviceTree } from './boot-fdt';
import { GuestView } from './guest-view';

export const DEFAULT_DISK_SECTORS = 2048;

export interface MachineOptions {
  env: Environment;
  /** Bytes of RAM at 0x8000_0000 (default 16 MiB; a multiple of 4 KiB). */
  ramSize?: number;
  /** Disk capacity in 512-byte sectors (default 2048 = 1 MiB). */
  diskSectors?: number;
  /**
   * All-zero bytes of `ramSize` to use as RAM instead of a new allocation (a 16 MiB allocation costs
   * milliseconds; a campaign of many runs zeroes and reuses the RAM of finished ones).
   */
  zeroedRam?: Uint8Array;
}

export interface MachineDevices {
  readonly test: TestDevice;
  readonly clint: Clint;
  readonly plic: Plic;
  readonly uart: Uart;
  readonly nic: Nic;
  readonly disk: Disk;
  readonly entropy: EntropyDevice;
  /** The same shared disk behind virtio-blk, for operating systems' own drivers. */
  readonly virtioBlk: VirtioBlk;
  /** An Ethernet device for operating systems' own drivers (frames, where Lockstep's NIC carries packets). */
  readonly virtioNet: VirtioNet;
}

export interface DevicesState {
  test: TestDeviceState;
  clint: ClintState;
  plic: PlicState;
  uart: UartState;
  nic: NicState;
  disk: DiskState;
  entropy: EntropyState;
  virtioBlk: { transport: VirtioTransportState; device: VirtioBlkState };
  virtioNet: { transport: VirtioTransportState; device: VirtioNetState };
}

/** A machine state: immutable plain data (structured-clone-able). RAM pages are shared between snapshots. */
export interface MachineSnapshot {
  readonly instret: number;
  readonly pc: number;
  readonly cpu: CpuState;
  readonly devices: DevicesState;
  readonly ram: RamImage;
}

/** Freezes plain data recursively (typed arrays cannot be frozen; they are left as they are). */
function deepFreeze<T>(v: T): T {
  if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v) || Object.isFrozen(v)) return v;
  for (const item of Object.values(v)) deepFreeze(item);
  return Object.freeze(v);
}

export class Machine {
  readonly ram: Ram;
  readonly bus = new Bus();
  readonly cpu: Cpu;
  /** Memory by the addresses the hart's current mode uses (virtual under paging): what the debugger reads and writes. */
  readonly view: GuestView;
  readonly devices: MachineDevices;
  private env: Environment;
  /** The image RAM was last captured into or restored from (pages shared with the next snapshot). */
  private lastImage: RamImage;
  private readonly pageHashes: PageHashCache;

  constructor(opts: MachineOptions) {
    this.env = opts.env;
    const ramSize = opts.ramSize ?? MemMap.ramSizeDefault;
    if (ramSize > 0x1_0000_0000 - MemMap.ramBase) throw new Error(`RAM of ${ramSize} bytes does not fit below 4 GiB`);
    this.ram = new Ram(MemMap.ramBase, ramSize, opts.zeroedRam);
    this.lastImage = zeroImage(this.ram.base, this.ram.size); // a fresh RAM is clean relative to all zeros
    this.devices = this.buildDevices(opts.diskSectors ?? DEFAULT_DISK_SECTORS);
    for (const d of Object.values(this.devices)) this.bus.attach(d);
    const door: Environment = {
      read: (kind, instret, pc) => this.env.read(kind, instret, pc),
      output: (out, instret, pc) => this.env.output(out, instret, pc),
    };
    this.cpu = new Cpu(this.ram, this.bus, door);
    this.view = new GuestView(this.ram, this.cpu);
    this.pageHashes = new PageHashCache(this.ram);
  }

  private buildDevices(diskSectors: number): MachineDevices {
    const host = this.deviceHost();
    const plic = new Plic(host);
    return {
      test: new TestDevice(host),
      clint: new Clint(host),
      plic,
      uart: new Uart(host, plic.line(PlicSource.uart)),
      nic: new Nic(host, plic.line(PlicSource.nic)),
      disk: new Disk(host, plic.line(PlicSource.disk), diskSectors),
      entropy: new EntropyDevice(host),
      virtioBlk: new VirtioBlk(host, plic.line(PlicSource.virtioBlk), diskSectors),
      virtioNet: new VirtioNet(host, plic.line(PlicSource.virtioNet)),
    };
  }

  /** What devices see of the machine; the CPU is reached lazily (it is built after the devices). */
  private deviceHost(): DeviceHost {
    return {
      ram: this.ram,
      read: (kind: ReadKind) => this.env.read(kind, this.cpu.instret, this.cpu.pc),
      output: (out: GuestOutput) => this.env.output(out, this.cpu.instret, this.cpu.pc),
      setCpuIrq: (bit, level) => this.cpu.setIrq(bit, level),
      powerOff: (code) => this.powerOff(code),
      invalidateCode: (addr, len) => this.cpu.invalidateCode(addr, len),
    };
  }

  /** Test device power-off: run() returns 'exit' after the current instruction. */
  private powerOff(code: number): void {
    if (this.cpu.exitCode !== null) return;
    this.cpu.powerOff(code);
    this.env.output({ kind: 'exit', code }, this.cpu.instret, this.cpu.pc);
  }

  /**
   * Copies the program's segments into RAM (zeroing each memSize tail) and points the CPU at its entry. A program that
   * boots an OS (it defines `__lockstep_fdt`) also gets this machine's device tree there, and its address in a1.
   */
  load(program: Program): void {
    for (const seg of program.segments) this.checkSegment(program.origin, seg);
    for (const seg of program.segments) {
      const off = (seg.addr >>> 0) - this.ram.base;
      this.ram.bytes.set(seg.data, off);
      this.ram.bytes.fill(0, off + seg.data.length, off + seg.memSize);
      this.ram.markWritten(off, seg.memSize);
      this.cpu.invalidateCode(seg.addr >>> 0, seg.memSize);
    }
    this.cpu.pc = program.entry >>> 0;
    this.cpu.tohost = program.tohost ?? -1;
    // As a board's reset code does for its firmware: a0 = the hart's id, a1 = the device tree.
    const fdt = placeDeviceTree(program, this.ram);
    if (fdt !== undefined) {
      this.cpu.x[10] = 0;
      this.cpu.x[11] = fdt | 0;
    }
  }

  private checkSegment(origin: string, seg: Segment): void {
    const start = seg.addr >>> 0;
    if (seg.memSize < seg.data.length) throw new ProgramFitError(`${origin}: segment ${seg.name} has ${seg.data.length} bytes of data but a memory size of ${seg.memSize}`);
    if (!this.ram.contains(start, seg.memSize)) {
      const ram = `[0x${this.ram.base.toString(16)}, 0x${(this.ram.base + this.ram.size).toString(16)})`;
      throw new ProgramFitError(`${origin}: segment ${seg.name} [0x${start.toString(16)}, 0x${(start + seg.memSize).toString(16)}) lies outside RAM ${ram} (give the machine more RAM)`);
    }
  }

  /** Runs until instret reaches `limitInstret` or another stop. A powered-off machine returns 'exit' at once. */
  run(limitInstret: number): StopReason {
    return this.cpu.run(limitInstret);
  }

  /** Applies an asynchronous input between two instructions. */
  deliver(ev: InputEvent): void {
    switch (ev.kind) {
      case 'timer': this.cpu.setIrq(Irq.MTimer, ev.pending); break;
      case 'uartRx': this.devices.uart.receive(ev.bytes); break;
      case 'nicRx': this.devices.nic.receive(ev.packet); break;
      case 'diskDone': (ev.id >= VIRTIO_BLK_ID_BASE ? this.devices.virtioBlk : this.devices.disk).complete(ev.id, ev.ok, ev.data); break;
      case 'netRx': this.devices.virtioNet.receive(ev.frame); break;
      default: throw new Error(`unknown input ${(ev as { kind: string }).kind}`);
    }
  }

  setEnvironment(env: Environment): void {
    this.env = env;
  }

  get environment(): Environment {
    return this.env;
  }

  get instret(): number {
    return this.cpu.instret;
  }

  get pc(): number {
    return this.cpu.pc;
  }

  get exitCode(): number | null {
    return this.cpu.exitCode;
  }

  get fatal(): FatalInfo | null {
    return this.cpu.fatal;
  }

  /** Powered off, or stopped by a fatal trap (see `fatal`). */
  get halted(): boolean {
    return this.cpu.exitCode !== null || this.cpu.fatal !== null;
  }

  /** An immutable copy of the whole state. Costs O(pages written since the previous snapshot or restore). */
  snapshot(): MachineSnapshot {
    this.lastImage = captureRam(this.ram, this.lastImage);
    const { instret, pc } = this.cpu;
    return deepFreeze({ instret, pc, cpu: this.cpu.getState(), devices: this.deviceStates(), ram: this.lastImage });
  }

  /**
   * Returns exactly to `s`: continuing afterwards is bit-identical to continuing from when it was taken.
   * `compareRam`: for a snapshot that came from another thread (it shares no page objects with this
   * machine's images): its zero pages are interned and pages whose bytes already match are left alone,
   * so code translated from unchanged pages stays translated.
   */
  restore(s: MachineSnapshot, compareRam = false): void {
    const image = compareRam ? internZeroPages(s.ram) : s.ram;
    restoreRam(this.ram, image, this.lastImage, (off, len) => this.cpu.invalidateCode(this.ram.base + off, len), compareRam);
    this.lastImage = image;
    this.cpu.setState(s.cpu, true);
    const d = this.devices;
    d.test.setState(s.devices.test);
    d.clint.setState(s.devices.clint);
    d.plic.setState(s.devices.plic);
    d.uart.setState(s.devices.uart);
    d.nic.setState(s.devices.nic);
    d.disk.setState(s.devices.disk);
    d.entropy.setState(s.devices.entropy);
    d.virtioBlk.setState(s.devices.virtioBlk);
    d.virtioNet.setState(s.devices.virtioNet);
  }

  private deviceStates(): DevicesState {
    const d = this.devices;
    return {
      test: d.test.getState(), clint: d.clint.getState(), plic: d.plic.getState(), uart: d.uart.getState(),
      nic: d.nic.getState(), disk: d.disk.getState(), entropy: d.entropy.getState(), virtioBlk: d.virtioBlk.getState(),
      virtioNet: d.virtioNet.getState(),
    };
  }

  /** 64-bit hex digest of CPU state, device state and RAM (only pages written since the last hash are rehashed). */
  hash(): string {
    const h = new Hash64();
    hashValue(h, this.cpu.getState());
    hashValue(h, this.deviceStates());
    this.pageHashes.feed(h);
    return h.hex();
  }

  /** Device registers as plain data, for a debugger's Devices scope. */
  describeDevices(): Record<string, Record<string, string | number | boolean>> {
    const out: Record<string, Record<string, string | number | boolean>> = {};
    for (const [name, dev] of Object.entries(this.devices)) {
      const desc = dev.describe();
      if (Object.keys(desc).length > 0) out[name] = desc;
    }
    return out;
  }
}
