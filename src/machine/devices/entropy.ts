// Entropy register (0x1000_3000): every read returns 32 bits from the environment (an input, logged and replayed).

import { MemMap } from '../types';
import { type Device, type DeviceHost, isWord } from './device';

export type EntropyState = Record<string, never>;

export class EntropyDevice implements Device<EntropyState> {
  readonly name = 'entropy';
  readonly base = MemMap.entropy;
  readonly size = 0x100;

  constructor(private readonly host: DeviceHost) {}

  read(offset: number, size: 1 | 2 | 4): number {
    if (offset !== 0 || !isWord(offset, size)) return -1;
    return this.host.read('entropy') >>> 0;
  }

  /** ENTROPY is read only: writes are ignored. */
  write(offset: number, size: 1 | 2 | 4, _value: number): boolean {
    return offset === 0 && isWord(offset, size);
  }

  getState(): EntropyState {
    return {};
  }

  setState(_s: EntropyState): void {}

  describe(): Record<string, string | number | boolean> {
    return {};
  }
}
