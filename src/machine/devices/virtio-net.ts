// virtio network device (virtio 1.x, section 5.1) on QEMU virt's virtio-mmio slot 6: Linux's own driver sends and receives Ethernet frames; frames in are inputs, frames out are outputs.

import { MemMap } from '../types';
import { type DeviceHost, type IrqLine, pushBounded } from './device';
import { VirtioMmio } from './virtio-mmio';
import { type VirtqState, VirtqError, gather, pushUsed, readChain, scatter, takeAvail } from './virtqueue';

/** The VM's MAC address, 52:54:00:12:34:56 (QEMU's first): the same on the primary and the secondary, so the world can address it. */
export const VIRTIO_NET_MAC: readonly number[] = Object.freeze([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
/** A frame is an Ethernet header and up to 1500 bytes of payload (no FCS). */
export const VIRTIO_NET_MIN_FRAME = 14, VIRTIO_NET_MAX_FRAME = 1514;
/** Frames kept while the driver has no receive buffer; more are dropped (counted). */
export const VIRTIO_NET_RX_CAPACITY = 64;
/** struct virtio_net_hdr_v1 (VERSION_1 makes num_buffers part of it even without MRG_RXBUF). */
export const VIRTIO_NET_HDR_BYTES = 12;
const NET_F_MAC = 1 << 5;
const RXQ = 0, TXQ = 1;
const NUM_BUFFERS_OFFSET = 10;

export interface VirtioNetState {
  /** Receive chains taken from queue 0 and not yet filled, oldest first (at most the queue size). */
  rxHeads: number[];
  /** Frames waiting for a receive buffer, oldest first (at most VIRTIO_NET_RX_CAPACITY). */
  rxQueue: Uint8Array[];
  /** Frames placed in the driver's buffers, and frames sent; counters survive a reset. */
  rxFrames: number;
  txFrames: number;
  /** Frames dropped: the queue was full, the receive chain was too small, a transmitted frame was too short or long. */
  rxDroppedFull: number;
  rxDroppedSmall: number;
  txDropped: number;
}

export class VirtioNet extends VirtioMmio<VirtioNetState> {
  readonly name = 'virtioNet';
  protected readonly deviceId = 1;
  protected readonly features: [number, number] = [NET_F_MAC, 0];
  private d: VirtioNetState = { rxHeads: [], rxQueue: [], rxFrames: 0, txFrames: 0, rxDroppedFull: 0, rxDroppedSmall: 0, txDropped: 0 };

  constructor(host: DeviceHost, irq: IrqLine) {
    super(MemMap.virtioNet, host, irq, 2);
  }

  /** A frame from the world: into the driver's next receive buffer, or queued until it posts one. */
  receive(frame: Uint8Array): void {
    if (frame.length < VIRTIO_NET_MIN_FRAME || frame.length > VIRTIO_NET_MAX_FRAME) {
      throw new Error(`virtio-net frame of ${frame.length} bytes (must be ${VIRTIO_NET_MIN_FRAME}–${VIRTIO_NET_MAX_FRAME})`);
    }
    if (!pushBounded(this.d.rxQueue, frame.slice(), VIRTIO_NET_RX_CAPACITY)) this.d.rxDroppedFull++;
    try {
      this.placeQueued();
    } catch (e) {
      this.fail(e);
    }
  }

  protected notify(index: number): void {
    if (index === RXQ) {
      this.takeRxHeads(this.queue(RXQ) as VirtqState);
      this.placeQueued();
    } else if (index === TXQ) {
      this.transmit();
    }
  }

  /** Takes the receive chains the driver made available since the last take (on its notify, or when a frame finds none). */
  private takeRxHeads(q: VirtqState): void {
    const heads = takeAvail(this.host.ram, q);
    if (this.d.rxHeads.length + heads.length > q.num) throw new VirtqError(`more than ${q.num} receive buffers made available`);
    this.d.rxHeads.push(...heads);
  }

  /** Fills receive chains with queued frames, oldest first, and interrupts once if any landed. Throws VirtqError. */
  private placeQueued(): void {
    const q = this.queue(RXQ);
    if (q === null) return;
    let placed = 0;
    while (this.d.rxQueue.length > 0) {
      if (this.d.rxHeads.length === 0) this.takeRxHeads(q);
      if (this.d.rxHeads.length === 0) break;
      if (this.place(q, this.d.rxHeads[0], this.d.rxQueue.shift() as Uint8Array)) {
        this.d.rxHeads.shift();
        placed++;
      }
    }
    if (placed > 0) this.interrupt();
  }

  /**
   * Writes the header (num_buffers 1) and `frame` into chain `head`. A chain too small drops the frame and stays
   * with the device for the next one (as QEMU does without MRG_RXBUF); false then.
   */
  private place(q: VirtqState, head: number, frame: Uint8Array): boolean {
    const bufs = readChain(this.host.ram, q, head);
    const room = bufs.filter((b) => b.write).reduce((n, b) => n + b.len, 0);
    if (room < VIRTIO_NET_HDR_BYTES + frame.length) {
      this.d.rxDroppedSmall++;
      return false;
    }
    const data = new Uint8Array(VIRTIO_NET_HDR_BYTES + frame.length);
    data[NUM_BUFFERS_OFFSET] = 1;
    data.set(frame, VIRTIO_NET_HDR_BYTES);
    const written = scatter(this.host.ram, bufs, data, (a, n) => this.host.invalidateCode(a, n));
    pushUsed(this.host.ram, q, head, written);
    this.d.rxFrames++;
    return true;
  }

  /** Sends every chain the driver made available on the transmit queue, in order, and interrupts once. Throws VirtqError. */
  private transmit(): void {
    const q = this.queue(TXQ) as VirtqState;
    const heads = takeAvail(this.host.ram, q);
    for (const head of heads) {
      const bufs = readChain(this.host.ram, q, head);
      const len = bufs.filter((b) => !b.write).reduce((n, b) => n + b.len, 0) - VIRTIO_NET_HDR_BYTES;
      if (len >= VIRTIO_NET_MIN_FRAME && len <= VIRTIO_NET_MAX_FRAME) {
        this.host.output({ kind: 'netTx', frame: gather(this.host.ram, bufs, VIRTIO_NET_HDR_BYTES, len) });
        this.d.txFrames++;
      } else {
        this.d.txDropped++;
      }
      pushUsed(this.host.ram, q, head, 0);
    }
    if (heads.length > 0) this.interrupt();
  }

  protected configByte(offset: number): number {
    return offset >= 0 && offset < VIRTIO_NET_MAC.length ? VIRTIO_NET_MAC[offset] : -1;
  }

  protected resetDevice(): void {
    this.d = { ...this.d, rxHeads: [], rxQueue: [] };
  }

  protected getDeviceState(): VirtioNetState {
    return { ...this.d, rxHeads: this.d.rxHeads.slice(), rxQueue: this.d.rxQueue.map((f) => f.slice()) };
  }

  protected setDeviceState(d: VirtioNetState): void {
    this.d = { ...d, rxHeads: d.rxHeads.slice(), rxQueue: d.rxQueue.map((f) => f.slice()) };
  }

  protected describeDevice(): Record<string, string | number | boolean> {
    const { rxHeads, rxQueue, rxFrames, txFrames, rxDroppedFull, rxDroppedSmall, txDropped } = this.d;
    const mac = VIRTIO_NET_MAC.map((b) => b.toString(16).padStart(2, '0')).join(':');
    return { mac, rxBuffers: rxHeads.length, rxQueued: rxQueue.length, rxFrames, txFrames, rxDroppedFull, rxDroppedSmall, txDropped };
  }
}
