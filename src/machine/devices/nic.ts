// Lockstep NIC (0x1000_1000): a bounded receive queue popped by DMA into RAM, transmit by DMA from RAM; PLIC source 2.

import { MemMap } from '../types';
import { type Device, type DeviceHost, type IrqLine, isWord, pushBounded } from './device';
import { hex8 } from '../abi';

export const NIC_ID = 0x43494e4c; // "LNIC"
export const NIC_MAX_PACKET_BYTES = 1514;
export const NIC_RX_CAPACITY = 64;
const ID = 0x00, STATUS = 0x04, IRQ_ENABLE = 0x08, RX_LEN = 0x0c, RX_ADDR = 0x10, RX_POP = 0x14;
const TX_ADDR = 0x18, TX_LEN = 0x1c, TX_SEND = 0x20, RX_QUEUED = 0x24, RX_DROPPED = 0x28;

export interface NicState {
  irqEnable: number;
  rxAddr: number;
  txAddr: number;
  txLen: number;
  /** Received packets, oldest first (at most NIC_RX_CAPACITY). */
  rx: Uint8Array[];
  rxDropped: number;
}

export class Nic implements Device<NicState> {
  readonly name = 'nic';
  readonly base = MemMap.nic;
  readonly size = 0x100;
  private s: NicState = { irqEnable: 0, rxAddr: 0, txAddr: 0, txLen: 0, rx: [], rxDropped: 0 };

  constructor(private readonly host: DeviceHost, private readonly irq: IrqLine) {}

  /** A packet from the world. A full queue drops it (counted in RX_DROPPED). */
  receive(packet: Uint8Array): void {
    if (packet.length < 1 || packet.length > NIC_MAX_PACKET_BYTES) {
      throw new Error(`NIC packet of ${packet.length} bytes (must be 1–${NIC_MAX_PACKET_BYTES})`);
    }
    if (!pushBounded(this.s.rx, packet.slice(), NIC_RX_CAPACITY)) this.s.rxDropped++;
    this.updateIrq();
  }

  read(offset: number, size: 1 | 2 | 4): number {
    if (!isWord(offset, size)) return -1;
    switch (offset) {
      case ID: return NIC_ID;
      case STATUS: return this.s.rx.length > 0 ? 1 : 0;
      case IRQ_ENABLE: return this.s.irqEnable;
      case RX_LEN: return this.s.rx[0]?.length ?? 0;
      case RX_ADDR: return this.s.rxAddr;
      case TX_ADDR: return this.s.txAddr;
      case TX_LEN: return this.s.txLen;
      case RX_QUEUED: return this.s.rx.length;
      case RX_DROPPED: return this.s.rxDropped;
      case RX_POP: case TX_SEND: return 0; // write only
      default: return -1;
    }
  }

  /** A pop or send whose buffer lies outside RAM (or a bad TX_LEN) is an access fault and does nothing. */
  write(offset: number, size: 1 | 2 | 4, value: number): boolean {
    if (!isWord(offset, size)) return false;
    switch (offset) {
      case IRQ_ENABLE: this.s.irqEnable = value & 1; this.updateIrq(); return true;
      case RX_ADDR: this.s.rxAddr = value >>> 0; return true;
      case TX_ADDR: this.s.txAddr = value >>> 0; return true;
      case TX_LEN: this.s.txLen = value >>> 0; return true;
      case RX_POP: return (value & 1) === 0 || this.pop();
      case TX_SEND: return (value & 1) === 0 || this.send();
      case ID: case STATUS: case RX_LEN: case RX_QUEUED: case RX_DROPPED: return true; // read only
      default: return false;
    }
  }

  private pop(): boolean {
    const head = this.s.rx[0];
    if (head === undefined) return true;
    if (!this.host.ram.contains(this.s.rxAddr, head.length)) return false;
    this.host.ram.writeBytes(this.s.rxAddr, head);
    this.host.invalidateCode(this.s.rxAddr, head.length);
    this.s.rx.shift();
    this.updateIrq();
    return true;
  }

  private send(): boolean {
    const len = this.s.txLen;
    if (len < 1 || len > NIC_MAX_PACKET_BYTES || !this.host.ram.contains(this.s.txAddr, len)) return false;
    this.host.output({ kind: 'nicTx', packet: this.host.ram.readBytes(this.s.txAddr, len) });
    return true;
  }

  private updateIrq(): void {
    this.irq.set(this.s.irqEnable === 1 && this.s.rx.length > 0);
  }

  /** Queued packets are never mutated once received, so states share them. */
  getState(): NicState {
    return { ...this.s, rx: this.s.rx.slice() };
  }

  setState(s: NicState): void {
    if (s.rx.length > NIC_RX_CAPACITY) throw new Error('NIC state holds more packets than the receive queue');
    this.s = { ...s, rx: s.rx.slice() };
  }

  describe(): Record<string, string | number | boolean> {
    const { irqEnable, rxDropped, txLen } = this.s;
    return { irqEnable, rxQueued: this.s.rx.length, rxHeadLen: this.s.rx[0]?.length ?? 0, rxDropped, rxAddr: hex8(this.s.rxAddr), txAddr: hex8(this.s.txAddr), txLen };
  }
}
