// SiFive test device (0x0010_0000): a 32-bit register whose magic values power the machine off.

import { MemMap } from '../types';
import { type Device, type DeviceHost, isWord } from './device';

const FINISHER_PASS = 0x5555;
const FINISHER_FAIL = 0x3333;
const FINISHER_RESET = 0x7777;

export type TestDeviceState = Record<string, never>;

export class TestDevice implements Device<TestDeviceState> {
  readonly name = 'test';
  readonly base = MemMap.testDevice;
  readonly size = 0x1000;

  constructor(private readonly host: DeviceHost) {}

  read(offset: number, size: 1 | 2 | 4): number {
    return offset === 0 && isWord(offset, size) ? 0 : -1;
  }

  write(offset: number, size: 1 | 2 | 4, value: number): boolean {
    if (offset !== 0 || !isWord(offset, size)) return false;
    const low = value & 0xffff;
    if (low === FINISHER_PASS || low === FINISHER_RESET) this.host.powerOff(0);
    else if (low === FINISHER_FAIL) this.host.powerOff(value >>> 16);
    return true;
  }

  getState(): TestDeviceState {
    return {};
  }

  setState(_s: TestDeviceState): void {}

  describe(): Record<string, string | number | boolean> {
    return {};
  }
}
