// virtio block device (virtio 1.x, section 5.2) on QEMU virt's virtio-mmio slot 7: the kernel's own driver reaches the shared disk; each request goes to the world as an output and completes by an input, one at a time, like Lockstep's own disk.

import { MemMap } from '../types';
import type { DeviceHost, IrqLine } from './device';
import { VirtioMmio } from './virtio-mmio';
import { type VirtqBuffer, type VirtqState, VirtqError, gather, pushUsed, readChain, scatter, takeAvail, VIRTQ_NUM_MAX } from './virtqueue';
import { DISK_MAX_SECTORS_PER_REQUEST, SECTOR_BYTES } from './disk';

/** Request ids of this device start here, apart from Lockstep's disk's (the world serves both from one id space). */
export const VIRTIO_BLK_ID_BASE = 0x4000_0000;
const BLK_F_SIZE_MAX = 1 << 1, BLK_F_SEG_MAX = 1 << 2;
/** The driver splits requests to at most SEG_MAX segments of SIZE_MAX bytes: 64 KiB, the world's largest request. */
const SIZE_MAX = 4096, SEG_MAX = (DISK_MAX_SECTORS_PER_REQUEST * SECTOR_BYTES) / SIZE_MAX;
const CONFIG_BYTES = 64;
const T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8;
const S_OK = 0, S_IOERR = 1, S_UNSUPP = 2;
const HEADER_BYTES = 16, ID_BYTES = 20;
const SERIAL = 'lockstep-shared-disk';

/** A request the world is working on: its chain, and what was asked. */
export interface VirtioBlkRequest {
  id: number;
  head: number;
  op: 'read' | 'write';
  sector: number;
  count: number;
  bufs: VirtqBuffer[];
}

export interface VirtioBlkState {
  /** Chains taken from the queue and not yet started, oldest first (at most the queue size). */
  waiting: number[];
  outstanding: VirtioBlkRequest | null;
  /** Id of the next request (from VIRTIO_BLK_ID_BASE + 1, increasing across resets). */
  nextId: number;
}

export class VirtioBlk extends VirtioMmio<VirtioBlkState> {
  readonly name = 'virtioBlk';
  protected readonly deviceId = 2;
  protected readonly features: [number, number] = [BLK_F_SIZE_MAX | BLK_F_SEG_MAX, 0];
  private d: VirtioBlkState = { waiting: [], outstanding: null, nextId: VIRTIO_BLK_ID_BASE + 1 };

  constructor(host: DeviceHost, irq: IrqLine, readonly capacitySectors: number) {
    super(MemMap.virtioBlk, host, irq, 1);
  }

  /** The world finished request `id`: read data goes into the chain's buffers, then the status byte, then the used ring. */
  complete(id: number, ok: boolean, data?: Uint8Array): void {
    const req = this.d.outstanding;
    if (req === null || req.id !== id) {
      if (id < this.d.nextId) return; // a request from before the driver reset the device: nobody waits for it
      throw new Error(`virtio-blk completion for request ${id}, but ${req ? `request ${req.id}` : 'no request'} is outstanding`);
    }
    this.d.outstanding = null;
    let written = 0;
    if (ok && req.op === 'read') {
      if (data === undefined || data.length !== req.count * SECTOR_BYTES) throw new Error(`virtio-blk read ${id} completed with ${data?.length ?? 0} bytes, expected ${req.count * SECTOR_BYTES}`);
      written = scatter(this.host.ram, req.bufs, data, (a, n) => this.host.invalidateCode(a, n));
    }
    this.finish(req.head, req.bufs, ok ? S_OK : S_IOERR, written);
    this.startNext();
  }

  protected notify(): void {
    const q = this.queue(0);
    if (q === null) return;
    const heads = takeAvail(this.host.ram, q);
    if (this.d.waiting.length + heads.length > VIRTQ_NUM_MAX) throw new VirtqError(`more than ${VIRTQ_NUM_MAX} requests made available`);
    this.d.waiting.push(...heads);
    this.startNext();
  }

  /** Starts waiting requests until one needs the world (the others complete at once). */
  private startNext(): void {
    try {
      while (this.d.outstanding === null && this.d.waiting.length > 0 && this.queue(0) !== null) this.start(this.d.waiting.shift() as number);
    } catch (e) {
      this.fail(e);
    }
  }

  private start(head: number): void {
    const q = this.queue(0) as VirtqState;
    const bufs = readChain(this.host.ram, q, head);
    const readable = bufs.filter((b) => !b.write).reduce((n, b) => n + b.len, 0);
    const writable = bufs.filter((b) => b.write).reduce((n, b) => n + b.len, 0);
    const last = bufs[bufs.length - 1];
    if (readable < HEADER_BYTES || !last.write || last.len < 1) throw new VirtqError(`request ${head} has no 16-byte header or no status byte`);
    const header = gather(this.host.ram, bufs, 0, HEADER_BYTES);
    const type = header[0] | (header[1] << 8) | (header[2] << 16) | (header[3] << 24);
    const sectorHi = header[12] | (header[13] << 8) | (header[14] << 16) | (header[15] << 24);
    const sector = (header[8] | (header[9] << 8) | (header[10] << 16) | (header[11] << 24)) >>> 0;
    if (type === T_FLUSH) return this.finish(head, bufs, S_OK, 0); // writes are on the disk when they complete
    if (type === T_GET_ID) return this.finish(head, bufs, S_OK, scatter(this.host.ram, bufs, serialBytes(writable - 1), (a, n) => this.host.invalidateCode(a, n)));
    if (type !== T_IN && type !== T_OUT) return this.finish(head, bufs, S_UNSUPP, 0);
    const bytes = type === T_IN ? writable - 1 : readable - HEADER_BYTES;
    const count = bytes / SECTOR_BYTES;
    const fits = Number.isInteger(count) && count >= 1 && count <= DISK_MAX_SECTORS_PER_REQUEST && sectorHi === 0 && sector + count <= this.capacitySectors;
    if (!fits) return this.finish(head, bufs, S_IOERR, 0);
    const op = type === T_IN ? 'read' : 'write';
    const req: VirtioBlkRequest = { id: this.d.nextId++, head, op, sector, count, bufs };
    this.d.outstanding = req;
    const data = op === 'write' ? gather(this.host.ram, bufs, HEADER_BYTES, bytes) : undefined;
    this.host.output({ kind: 'diskRequest', id: req.id, op, sector, count, ...(data ? { data } : {}) });
  }

  /** Writes the status byte (the chain's last byte), returns the chain to the driver and interrupts it. */
  private finish(head: number, bufs: VirtqBuffer[], status: number, written: number): void {
    const q = this.queue(0);
    if (q === null) return; // the driver reset the device meanwhile
    const last = bufs[bufs.length - 1];
    this.host.ram.writeBytes(last.addr + last.len - 1, Uint8Array.of(status));
    this.host.invalidateCode(last.addr + last.len - 1, 1);
    pushUsed(this.host.ram, q, head, written + 1);
    this.interrupt();
  }

  protected configByte(offset: number): number {
    if (offset < 0 || offset >= CONFIG_BYTES) return -1;
    const word = offset >>> 2, shift = 8 * (offset & 3);
    const value = word === 0 ? this.capacitySectors : word === 2 ? SIZE_MAX : word === 3 ? SEG_MAX : 0; // capacity is a u64: its high word is 0
    return (value >>> shift) & 0xff;
  }

  protected resetDevice(): void {
    this.d = { waiting: [], outstanding: null, nextId: this.d.nextId };
  }

  protected getDeviceState(): VirtioBlkState {
    return { ...this.d, waiting: this.d.waiting.slice(), outstanding: this.d.outstanding && { ...this.d.outstanding, bufs: this.d.outstanding.bufs.map((b) => ({ ...b })) } };
  }

  protected setDeviceState(d: VirtioBlkState): void {
    this.d = { ...d, waiting: d.waiting.slice(), outstanding: d.outstanding && { ...d.outstanding, bufs: d.outstanding.bufs.map((b) => ({ ...b })) } };
  }

  protected describeDevice(): Record<string, string | number | boolean> {
    const o = this.d.outstanding;
    return { capacitySectors: this.capacitySectors, waiting: this.d.waiting.length, outstanding: o ? `#${o.id - VIRTIO_BLK_ID_BASE} ${o.op} ${o.sector}+${o.count}` : 'none' };
  }
}

/** The device's serial number for GET_ID: up to 20 bytes, NUL padded (no NUL when it fills them). */
function serialBytes(room: number): Uint8Array {
  const out = new Uint8Array(Math.max(0, Math.min(room, ID_BYTES)));
  for (let i = 0; i < out.length && i < SERIAL.length; i++) out[i] = SERIAL.charCodeAt(i);
  return out;
}
