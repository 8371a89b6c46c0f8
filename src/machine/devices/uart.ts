// UART 16550 (0x1000_0000, 8-bit registers): transmit to the environment, bounded receive queue, RX interrupt on PLIC 10.

import { MemMap } from '../types';
import { type Device, type DeviceHost, type IrqLine, pushBounded } from './device';

export const UART_RX_CAPACITY = 256;
const RBR_THR = 0, IER = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;
const LCR_DLAB = 0x80;
const IER_RX = 0x01;
const LSR_DR = 0x01, LSR_THRE = 0x20, LSR_TEMT = 0x40;
const IIR_NONE = 0x01, IIR_RX = 0x04, IIR_FIFO = 0xc0;
const FCR_ENABLE = 0x01, FCR_CLEAR_RX = 0x02;

export interface UartState {
  ier: number;
  lcr: number;
  mcr: number;
  scr: number;
  dll: number;
  dlm: number;
  fifoEnabled: boolean;
  /** Received bytes not yet read, oldest first (at most UART_RX_CAPACITY). */
  rx: number[];
  rxDropped: number;
}

function initialState(): UartState {
  return { ier: 0, lcr: 0, mcr: 0, scr: 0, dll: 0, dlm: 0, fifoEnabled: false, rx: [], rxDropped: 0 };
}

export class Uart implements Device<UartState> {
  readonly name = 'uart';
  readonly base = MemMap.uart;
  readonly size = 0x100;
  private s: UartState = initialState();

  constructor(private readonly host: DeviceHost, private readonly irq: IrqLine) {}

  /** Bytes from the world; those that do not fit in the queue are dropped and counted. */
  receive(bytes: Uint8Array): void {
    for (const b of bytes) if (!pushBounded(this.s.rx, b, UART_RX_CAPACITY)) this.s.rxDropped++;
    this.updateIrq();
  }

  read(offset: number, size: 1 | 2 | 4): number {
    if (size !== 1 || offset > SCR) return -1;
    const dlab = (this.s.lcr & LCR_DLAB) !== 0;
    switch (offset) {
      case RBR_THR: return dlab ? this.s.dll : this.popRx();
      case IER: return dlab ? this.s.dlm : this.s.ier;
      case IIR_FCR: return this.iir();
      case LCR: return this.s.lcr;
      case MCR: return this.s.mcr;
      case LSR: return (this.s.rx.length > 0 ? LSR_DR : 0) | LSR_THRE | LSR_TEMT;
      case MSR: return 0;
      default: return this.s.scr;
    }
  }

  write(offset: number, size: 1 | 2 | 4, value: number): boolean {
    if (size !== 1 || offset > SCR) return false;
    const dlab = (this.s.lcr & LCR_DLAB) !== 0;
    value &= 0xff;
    switch (offset) {
      case RBR_THR:
        if (dlab) this.s.dll = value;
        else this.host.output({ kind: 'uart', byte: value });
        break;
      case IER:
        if (dlab) this.s.dlm = value;
        else this.s.ier = value & 0x0f;
        break;
      case IIR_FCR: this.writeFcr(value); break;
      case LCR: this.s.lcr = value; break;
      case MCR: this.s.mcr = value & 0x1f; break;
      case SCR: this.s.scr = value; break;
      default: break; // LSR and MSR are read only: writes are ignored
    }
    this.updateIrq();
    return true;
  }

  private popRx(): number {
    const b = this.s.rx.shift();
    this.updateIrq();
    return b ?? 0;
  }

  private iir(): number {
    const fifo = this.s.fifoEnabled ? IIR_FIFO : 0;
    return (this.rxIrq() ? IIR_RX : IIR_NONE) | fifo;
  }

  private writeFcr(value: number): void {
    this.s.fifoEnabled = (value & FCR_ENABLE) !== 0;
    if (value & FCR_CLEAR_RX) this.s.rx = [];
  }

  private rxIrq(): boolean {
    return (this.s.ier & IER_RX) !== 0 && this.s.rx.length > 0;
  }

  private updateIrq(): void {
    this.irq.set(this.rxIrq());
  }

  getState(): UartState {
    return { ...this.s, rx: this.s.rx.slice() };
  }

  setState(s: UartState): void {
    if (s.rx.length > UART_RX_CAPACITY) throw new Error('UART state holds more bytes than the receive queue');
    this.s = { ...s, rx: s.rx.slice() };
  }

  describe(): Record<string, string | number | boolean> {
    const { ier, lcr, mcr, scr, rxDropped } = this.s;
    return { ier, lcr, mcr, scr, lsr: this.read(LSR, 1), rxQueued: this.s.rx.length, rxDropped, divisor: (this.s.dlm << 8) | this.s.dll };
  }
}
