// Lockstep block disk (0x1000_2000): one DMA request at a time, sent to the world as an output, completed by an input; PLIC source 1.

import { MemMap } from '../types';
import { type Device, type DeviceHost, type IrqLine, isWord } from './device';
import { hex8 } from '../abi';

export const DISK_ID = 0x4b4c424c; // "LBLK"
export const SECTOR_BYTES = 512;
export const DISK_MAX_SECTORS_PER_REQUEST = 128;
const ID = 0x00, CAPACITY = 0x04, SECTOR = 0x08, COUNT = 0x0c, ADDR = 0x10, OP = 0x14;
const STATUS = 0x18, IRQ_ENABLE = 0x1c, ACK = 0x20;
const OP_READ = 1, OP_WRITE = 2;
export const DISK_BUSY = 1, DISK_DONE = 2, DISK_ERROR = 4;

/** The request the world is working on. */
export interface DiskRequest {
  id: number;
  op: 'read' | 'write';
  sector: number;
  count: number;
  addr: number;
}

export interface DiskState {
  sector: number;
  count: number;
  addr: number;
  status: number;
  irqEnable: number;
  /** Id of the next request (ids increase monotonically, from 1). */
  nextId: number;
  outstanding: DiskRequest | null;
}

export class Disk implements Device<DiskState> {
  readonly name = 'disk';
  readonly base = MemMap.disk;
  readonly size = 0x100;
  private s: DiskState = { sector: 0, count: 0, addr: 0, status: 0, irqEnable: 0, nextId: 1, outstanding: null };

  constructor(private readonly host: DeviceHost, private readonly irq: IrqLine, readonly capacitySectors: number) {
    if (!Number.isInteger(capacitySectors) || capacitySectors < 0 || capacitySectors > 0xffffffff) {
      throw new Error(`disk capacity ${capacitySectors} sectors is not a 32-bit count`);
    }
  }

  /** The world finished request `id`. Read data is copied into guest RAM (DMA). */
  complete(id: number, ok: boolean, data?: Uint8Array): void {
    const req = this.s.outstanding;
    if (req === null || req.id !== id) throw new Error(`disk completion for request ${id}, but ${req ? `request ${req.id}` : 'no request'} is outstanding`);
    if (ok && req.op === 'read') {
      const bytes = req.count * SECTOR_BYTES;
      if (data === undefined || data.length !== bytes) throw new Error(`disk read ${id} completed with ${data?.length ?? 0} bytes, expected ${bytes}`);
      this.host.ram.writeBytes(req.addr, data);
      this.host.invalidateCode(req.addr, bytes);
    }
    this.s.outstanding = null;
    this.s.status = (this.s.status & ~DISK_BUSY) | (ok ? DISK_DONE : DISK_ERROR);
    this.updateIrq();
  }

  read(offset: number, size: 1 | 2 | 4): number {
    if (!isWord(offset, size)) return -1;
    switch (offset) {
      case ID: return DISK_ID;
      case CAPACITY: return this.capacitySectors;
      case SECTOR: return this.s.sector;
      case COUNT: return this.s.count;
      case ADDR: return this.s.addr;
      case STATUS: return this.s.status;
      case IRQ_ENABLE: return this.s.irqEnable;
      case OP: case ACK: return 0; // write only
      default: return -1;
    }
  }

  write(offset: number, size: 1 | 2 | 4, value: number): boolean {
    if (!isWord(offset, size)) return false;
    switch (offset) {
      case SECTOR: this.s.sector = value >>> 0; break;
      case COUNT: this.s.count = value >>> 0; break;
      case ADDR: this.s.addr = value >>> 0; break;
      case OP: this.start(value >>> 0); break;
      case IRQ_ENABLE: this.s.irqEnable = value & 1; break;
      case ACK: if (value & 1) this.s.status &= ~(DISK_DONE | DISK_ERROR); break;
      case ID: case CAPACITY: case STATUS: break; // read only
      default: return false;
    }
    this.updateIrq();
    return true;
  }

  /** Starts a request, or sets ERROR at once when it is invalid (busy, bad op, out of range, bad buffer). */
  private start(op: number): void {
    if (!this.valid(op)) {
      this.s.status |= DISK_ERROR;
      return;
    }
    const { sector, count, addr } = this.s;
    const req: DiskRequest = { id: this.s.nextId++, op: op === OP_READ ? 'read' : 'write', sector, count, addr };
    this.s.outstanding = req;
    this.s.status = DISK_BUSY;
    const data = req.op === 'write' ? this.host.ram.readBytes(addr, count * SECTOR_BYTES) : undefined;
    this.host.output({ kind: 'diskRequest', id: req.id, op: req.op, sector, count, ...(data ? { data } : {}) });
  }

  private valid(op: number): boolean {
    const { sector, count, addr } = this.s;
    if (this.s.outstanding !== null || (op !== OP_READ && op !== OP_WRITE)) return false;
    if (count < 1 || count > DISK_MAX_SECTORS_PER_REQUEST || sector + count > this.capacitySectors) return false;
    return this.host.ram.contains(addr, count * SECTOR_BYTES);
  }

  private updateIrq(): void {
    this.irq.set(this.s.irqEnable === 1 && (this.s.status & (DISK_DONE | DISK_ERROR)) !== 0);
  }

  getState(): DiskState {
    return { ...this.s, outstanding: this.s.outstanding && { ...this.s.outstanding } };
  }

  setState(s: DiskState): void {
    this.s = { ...s, outstanding: s.outstanding && { ...s.outstanding } };
  }

  describe(): Record<string, string | number | boolean> {
    const { sector, count, status, irqEnable, outstanding } = this.s;
    const flags = ['BUSY', 'DONE', 'ERROR'].filter((_, i) => status & (1 << i)).join('|') || '0';
    return {
      capacitySectors: this.capacitySectors, sector, count, addr: hex8(this.s.addr), status: flags, irqEnable,
      outstanding: outstanding ? `#${outstanding.id} ${outstanding.op} ${outstanding.sector}+${outstanding.count}` : 'none',
    };
  }
}
