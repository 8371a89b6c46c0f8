// The virtio-mmio transport, version 2 (virtio 1.x, section 4.2): the register file, status and feature negotiation, queue set-up and the interrupt, shared by every virtio device of the machine.

import { type Device, type DeviceHost, type IrqLine, isWord } from './device';
import { VirtqError, type VirtqState, copyVirtq, newVirtq, virtqProblem, VIRTQ_NUM_MAX } from './virtqueue';
import { hex8 } from '../abi';

export const VIRTIO_MAGIC = 0x74726976; // "virt"
export const VIRTIO_VENDOR = 0x4b434f4c; // "LOCK"
/** VIRTIO_F_VERSION_1 (feature bit 32): a modern device, the only kind this transport offers. */
export const VIRTIO_F_VERSION_1_HI = 1 << 0;

const MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, VENDOR_ID = 0x00c;
const DEVICE_FEATURES = 0x010, DEVICE_FEATURES_SEL = 0x014, DRIVER_FEATURES = 0x020, DRIVER_FEATURES_SEL = 0x024;
const QUEUE_SEL = 0x030, QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038, QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050;
const INTERRUPT_STATUS = 0x060, INTERRUPT_ACK = 0x064, STATUS = 0x070;
const QUEUE_DESC = 0x080, QUEUE_AVAIL = 0x090, QUEUE_USED = 0x0a0, CONFIG_GENERATION = 0x0fc, CONFIG = 0x100;

export const STATUS_ACKNOWLEDGE = 1, STATUS_DRIVER = 2, STATUS_DRIVER_OK = 4, STATUS_FEATURES_OK = 8;
export const STATUS_NEEDS_RESET = 64, STATUS_FAILED = 128;
/** InterruptStatus bits: a used buffer, a configuration change (here: the device needs a reset). */
export const INT_USED = 1, INT_CONFIG = 2;

export interface VirtioTransportState {
  status: number;
  deviceFeaturesSel: number;
  driverFeaturesSel: number;
  /** The features the driver accepted (words 0 and 1). */
  driverFeatures: [number, number];
  queueSel: number;
  queues: VirtqState[];
  interruptStatus: number;
  /** Why the device stopped (a broken ring), for the Devices view; empty while it runs. */
  fault: string;
}

/**
 * A virtio device on the virtio-mmio transport. Subclasses give the device id, features and configuration space,
 * and act on a notified queue; the transport owns the registers and the interrupt line.
 */
export abstract class VirtioMmio<D> implements Device<{ transport: VirtioTransportState; device: D }> {
  abstract readonly name: string;
  readonly size = 0x200;
  protected t: VirtioTransportState;

  constructor(readonly base: number, protected readonly host: DeviceHost, private readonly irq: IrqLine, private readonly queueCount: number) {
    this.t = this.resetTransport();
  }

  /** The virtio device type (1 = network, 2 = block). */
  protected abstract readonly deviceId: number;
  /** The features the device offers, words 0 and 1 (VERSION_1 is added by the transport). */
  protected abstract readonly features: [number, number];
  /** A byte of the configuration space (-1 past its end). */
  protected abstract configByte(offset: number): number;
  /** The driver made buffers available on queue `index`. Throws VirtqError for a broken ring. */
  protected abstract notify(index: number): void;
  /** Forgets the device's own state (the driver wrote 0 to Status). */
  protected abstract resetDevice(): void;
  protected abstract getDeviceState(): D;
  protected abstract setDeviceState(d: D): void;
  protected abstract describeDevice(): Record<string, string | number | boolean>;

  private resetTransport(): VirtioTransportState {
    const queues = Array.from({ length: this.queueCount }, newVirtq);
    return { status: 0, deviceFeaturesSel: 0, driverFeaturesSel: 0, driverFeatures: [0, 0], queueSel: 0, queues, interruptStatus: 0, fault: '' };
  }

  /** Queue `index` once the driver set it up and the device runs (null otherwise). */
  protected queue(index: number): VirtqState | null {
    const q = this.t.queues[index];
    return q !== undefined && q.ready && (this.t.status & STATUS_DRIVER_OK) !== 0 && (this.t.status & STATUS_NEEDS_RESET) === 0 ? q : null;
  }

  /** Tells the driver that used buffers are waiting. */
  protected interrupt(): void {
    this.t.interruptStatus |= INT_USED;
    this.updateIrq();
  }

  /** The driver broke a ring: the device stops and says it needs a reset, as the spec lets it. */
  protected fail(e: unknown): void {
    if (!(e instanceof VirtqError)) throw e;
    this.t.status |= STATUS_NEEDS_RESET;
    this.t.fault = e.message;
    this.t.interruptStatus |= INT_CONFIG;
    this.updateIrq();
  }

  private offered(word: number): number {
    if (word === 0) return this.features[0] >>> 0;
    if (word === 1) return (this.features[1] | VIRTIO_F_VERSION_1_HI) >>> 0;
    return 0;
  }

  read(offset: number, size: 1 | 2 | 4): number {
    if (offset >= CONFIG) return this.readConfig(offset - CONFIG, size);
    if (!isWord(offset, size)) return -1;
    const q = this.t.queues[this.t.queueSel];
    switch (offset) {
      case MAGIC: return VIRTIO_MAGIC;
      case VERSION: return 2;
      case DEVICE_ID: return this.deviceId;
      case VENDOR_ID: return VIRTIO_VENDOR;
      case DEVICE_FEATURES: return this.offered(this.t.deviceFeaturesSel);
      case QUEUE_NUM_MAX: return q === undefined ? 0 : VIRTQ_NUM_MAX;
      case QUEUE_NUM: return q?.num ?? 0;
      case QUEUE_READY: return q?.ready ? 1 : 0;
      case INTERRUPT_STATUS: return this.t.interruptStatus;
      case STATUS: return this.t.status;
      case CONFIG_GENERATION: return 0; // the configuration never changes while the machine runs
      default: return offset < CONFIG ? 0 : -1; // write-only and reserved registers read as zero
    }
  }

  private readConfig(offset: number, size: 1 | 2 | 4): number {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) {
      const b = this.configByte(offset + i);
      if (b < 0) return -1;
      v = (v << 8) | b;
    }
    return v >>> 0;
  }

  write(offset: number, size: 1 | 2 | 4, value: number): boolean {
    if (offset >= CONFIG) return this.configByte(offset - CONFIG) >= 0; // the configuration space is read only
    if (!isWord(offset, size)) return false;
    const v = value >>> 0, q = this.t.queues[this.t.queueSel];
    switch (offset) {
      case DEVICE_FEATURES_SEL: this.t.deviceFeaturesSel = v; break;
      case DRIVER_FEATURES: if (this.t.driverFeaturesSel < 2) this.t.driverFeatures[this.t.driverFeaturesSel] = v & this.offered(this.t.driverFeaturesSel); break;
      case DRIVER_FEATURES_SEL: this.t.driverFeaturesSel = v; break;
      case QUEUE_SEL: this.t.queueSel = v; break;
      case QUEUE_NUM: if (q !== undefined && !q.ready) q.num = v; break;
      case QUEUE_READY: if (q !== undefined) this.setReady(q, (v & 1) === 1); break;
      case QUEUE_NOTIFY: this.onNotify(v); break;
      case INTERRUPT_ACK: this.t.interruptStatus &= ~v; this.updateIrq(); break;
      case STATUS: this.setStatus(v); break;
      case QUEUE_DESC: case QUEUE_DESC + 4: case QUEUE_AVAIL: case QUEUE_AVAIL + 4: case QUEUE_USED: case QUEUE_USED + 4:
        if (q !== undefined && !q.ready) this.setRing(q, offset, v);
        break;
      default: break; // read-only and reserved registers ignore writes
    }
    return true;
  }

  private setRing(q: VirtqState, offset: number, v: number): void {
    const ring = offset < QUEUE_AVAIL ? q.desc : offset < QUEUE_USED ? q.avail : q.used;
    ring[(offset & 4) >>> 2] = v;
  }

  private setReady(q: VirtqState, ready: boolean): void {
    if (!ready) {
      q.ready = false;
      return;
    }
    const problem = virtqProblem(this.host.ram, q);
    if (problem !== null) return this.fail(new VirtqError(problem));
    q.ready = true;
  }

  private setStatus(v: number): void {
    if (v === 0) {
      this.t = this.resetTransport();
      this.resetDevice();
      this.updateIrq();
      return;
    }
    // FEATURES_OK holds only for a subset of the offer that includes VERSION_1 (the driver reads it back).
    if ((v & STATUS_FEATURES_OK) !== 0 && (this.t.driverFeatures[1] & VIRTIO_F_VERSION_1_HI) === 0) v &= ~STATUS_FEATURES_OK;
    this.t.status = (v & 0xff & ~STATUS_NEEDS_RESET) | (this.t.status & STATUS_NEEDS_RESET);
  }

  private onNotify(index: number): void {
    if (this.queue(index) === null) return;
    try {
      this.notify(index);
    } catch (e) {
      this.fail(e);
    }
  }

  private updateIrq(): void {
    this.irq.set(this.t.interruptStatus !== 0);
  }

  getState(): { transport: VirtioTransportState; device: D } {
    return { transport: { ...this.t, driverFeatures: [...this.t.driverFeatures], queues: this.t.queues.map(copyVirtq) }, device: this.getDeviceState() };
  }

  setState(s: { transport: VirtioTransportState; device: D }): void {
    if (s.transport.queues.length !== this.queueCount) throw new Error(`${this.name} state has ${s.transport.queues.length} queues, not ${this.queueCount}`);
    this.t = { ...s.transport, driverFeatures: [...s.transport.driverFeatures], queues: s.transport.queues.map(copyVirtq) };
    this.setDeviceState(s.device);
  }

  describe(): Record<string, string | number | boolean> {
    const { status, interruptStatus, fault } = this.t;
    const names = ['ACKNOWLEDGE', 'DRIVER', 'DRIVER_OK', 'FEATURES_OK', '', '', 'NEEDS_RESET', 'FAILED'];
    const flags = names.filter((n, i) => n !== '' && status & (1 << i)).join('|') || '0';
    const queues = this.t.queues.map((q, i) => `${i}:${q.ready ? `${q.num}@${hex8(q.desc[0])} avail ${q.nextAvail} used ${q.nextUsed}` : 'off'}`).join(' ');
    return { status: flags, features: `${hex8(this.t.driverFeatures[1])}${hex8(this.t.driverFeatures[0]).slice(2)}`, interruptStatus, queues, ...(fault ? { fault } : {}), ...this.describeDevice() };
  }
}
