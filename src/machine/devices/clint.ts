// CLINT (0x0200_0000): msip, mtimecmp (arming the world's timer) and mtime (the environment's time).

import { Irq, MemMap } from '../types';
import { type Device, type DeviceHost, isWord } from './device';
import { hex8 } from '../abi';

const MSIP = 0x0000;
const MTIMECMP_LO = 0x4000;
const MTIMECMP_HI = 0x4004;
const MTIME_LO = 0xbff8;
const MTIME_HI = 0xbffc;
const TWO_POW_32 = 0x1_0000_0000;

export interface ClintState {
  msip: number;
  mtimecmpLo: number;
  mtimecmpHi: number;
}

export class Clint implements Device<ClintState> {
  readonly name = 'clint';
  readonly base = MemMap.clint;
  readonly size = 0x10000;
  private s: ClintState = { msip: 0, mtimecmpLo: 0xffffffff, mtimecmpHi: 0xffffffff };

  constructor(private readonly host: DeviceHost) {}

  /** mtimecmp as a number (exact below 2^53; larger values mean "practically never"). */
  get mtimecmp(): number {
    return this.s.mtimecmpHi * TWO_POW_32 + this.s.mtimecmpLo;
  }

  read(offset: number, size: 1 | 2 | 4): number {
    if (!isWord(offset, size)) return -1;
    switch (offset) {
      case MSIP: return this.s.msip;
      case MTIMECMP_LO: return this.s.mtimecmpLo;
      case MTIMECMP_HI: return this.s.mtimecmpHi;
      case MTIME_LO: return this.host.read('time') >>> 0;
      case MTIME_HI: return Math.floor(this.host.read('time') / TWO_POW_32) >>> 0;
      default: return -1;
    }
  }

  write(offset: number, size: 1 | 2 | 4, value: number): boolean {
    if (!isWord(offset, size)) return false;
    switch (offset) {
      case MSIP:
        this.s.msip = value & 1;
        this.host.setCpuIrq(Irq.MSoft, this.s.msip === 1);
        return true;
      case MTIMECMP_LO:
      case MTIMECMP_HI:
        this.writeMtimecmp(offset === MTIMECMP_HI, value >>> 0);
        return true;
      case MTIME_LO:
      case MTIME_HI:
        return true; // mtime belongs to the world: writes are ignored
      default:
        return false;
    }
  }

  private writeMtimecmp(high: boolean, value: number): void {
    if (high) this.s.mtimecmpHi = value;
    else this.s.mtimecmpLo = value;
    this.host.setCpuIrq(Irq.MTimer, false);
    this.host.output({ kind: 'timerArm', mtimecmp: this.mtimecmp });
  }

  getState(): ClintState {
    return { ...this.s };
  }

  setState(s: ClintState): void {
    this.s = { ...s };
  }

  describe(): Record<string, string | number | boolean> {
    return { msip: this.s.msip, mtimecmp: '0x' + hex8(this.s.mtimecmpHi).slice(2) + hex8(this.s.mtimecmpLo).slice(2) };
  }
}
