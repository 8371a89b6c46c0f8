// A split virtqueue (virtio 1.x, section 2.7) as a device walks it in guest RAM: descriptor chains from the available ring, completions into the used ring.

import type { Ram } from '../ram';

/** The queue size a device offers (QueueNumMax): a power of two, as the split ring needs for its indices. */
export const VIRTQ_NUM_MAX = 128;
const DESC_BYTES = 16;
const F_NEXT = 1, F_WRITE = 2, F_INDIRECT = 4;

export interface VirtqState {
  /** Queue size the driver chose (0 until it does). */
  num: number;
  ready: boolean;
  /** Guest-physical addresses of the descriptor table, the available ring and the used ring (low and high words). */
  desc: [number, number];
  avail: [number, number];
  used: [number, number];
  /** The available-ring index the device takes next (free running, modulo 2^16). */
  nextAvail: number;
  /** The used-ring index the device fills next (free running, modulo 2^16). */
  nextUsed: number;
}

/** One buffer of a descriptor chain: `write` is device-writable (the driver reads it back). */
export interface VirtqBuffer {
  addr: number;
  len: number;
  write: boolean;
}

/** The driver broke the ring's rules (a loop, a buffer outside RAM, an index past the queue): the device needs a reset. */
export class VirtqError extends Error {}

export function newVirtq(): VirtqState {
  return { num: 0, ready: false, desc: [0, 0], avail: [0, 0], used: [0, 0], nextAvail: 0, nextUsed: 0 };
}

export function copyVirtq(q: VirtqState): VirtqState {
  return { ...q, desc: [...q.desc], avail: [...q.avail], used: [...q.used] };
}

/** Why the driver's queue set-up cannot run (null when it can): sizes and rings inside RAM, below 4 GiB. */
export function virtqProblem(ram: Ram, q: VirtqState): string | null {
  if (q.num < 1 || q.num > VIRTQ_NUM_MAX || (q.num & (q.num - 1)) !== 0) return `queue size ${q.num} is not a power of two up to ${VIRTQ_NUM_MAX}`;
  const rings: [string, [number, number], number][] = [
    ['descriptor table', q.desc, DESC_BYTES * q.num], ['available ring', q.avail, 6 + 2 * q.num], ['used ring', q.used, 6 + 8 * q.num],
  ];
  for (const [what, [lo, hi], bytes] of rings) {
    if (hi !== 0 || !ram.contains(lo, bytes)) return `the ${what} at 0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')} lies outside RAM`;
  }
  return null;
}

const u16 = (ram: Ram, addr: number): number => {
  const o = (addr >>> 0) - ram.base;
  return ram.bytes[o] | (ram.bytes[o + 1] << 8);
};

const u32 = (ram: Ram, addr: number): number => (u16(ram, addr) | (u16(ram, addr + 2) << 16)) >>> 0;

function put(ram: Ram, addr: number, value: number, bytes: 2 | 4): void {
  const o = (addr >>> 0) - ram.base;
  for (let i = 0; i < bytes; i++) ram.bytes[o + i] = (value >>> (8 * i)) & 0xff;
  ram.markWritten(o, bytes);
}

/** Heads of the chains the driver made available since the last take, oldest first (at most the queue size). */
export function takeAvail(ram: Ram, q: VirtqState): number[] {
  const availIdx = u16(ram, q.avail[0] + 2);
  const count = (availIdx - q.nextAvail) & 0xffff;
  if (count > q.num) throw new VirtqError(`the available ring's index ${availIdx} is ${count} past the device's ${q.nextAvail}, more than the queue's ${q.num}`);
  const heads: number[] = [];
  for (let i = 0; i < count; i++) {
    const head = u16(ram, q.avail[0] + 4 + 2 * ((q.nextAvail + i) % q.num));
    if (head >= q.num) throw new VirtqError(`the available ring names descriptor ${head} of ${q.num}`);
    heads.push(head);
  }
  q.nextAvail = availIdx;
  return heads;
}

/** The buffers of the chain starting at `head`, in order (no indirect tables: the device does not offer them). */
export function readChain(ram: Ram, q: VirtqState, head: number): VirtqBuffer[] {
  const out: VirtqBuffer[] = [];
  let i = head;
  for (let links = 0; links < q.num; links++) {
    const at = q.desc[0] + DESC_BYTES * i;
    const [addrLo, addrHi, len, flags, next] = [u32(ram, at), u32(ram, at + 4), u32(ram, at + 8), u16(ram, at + 12), u16(ram, at + 14)];
    if (flags & F_INDIRECT) throw new VirtqError(`descriptor ${i} is indirect, which the device did not offer`);
    if (addrHi !== 0 || !ram.contains(addrLo, len)) throw new VirtqError(`descriptor ${i}'s ${len}-byte buffer at 0x${addrLo.toString(16)} lies outside RAM`);
    out.push({ addr: addrLo, len, write: (flags & F_WRITE) !== 0 });
    if ((flags & F_NEXT) === 0) return out;
    if (next >= q.num) throw new VirtqError(`descriptor ${i} chains to ${next}, past the queue's ${q.num}`);
    i = next;
  }
  throw new VirtqError(`the chain from descriptor ${head} is longer than the queue (a loop)`);
}

/** Returns chain `head` to the driver with `written` bytes written into its device-writable buffers. */
export function pushUsed(ram: Ram, q: VirtqState, head: number, written: number): void {
  const slot = q.used[0] + 4 + 8 * (q.nextUsed % q.num);
  put(ram, slot, head, 4);
  put(ram, slot + 4, written, 4);
  q.nextUsed = (q.nextUsed + 1) & 0xffff;
  put(ram, q.used[0] + 2, q.nextUsed, 2);
}

/** Gathers the driver-readable bytes of `bufs` (from offset `skip` into the chain's readable bytes, `len` of them). */
export function gather(ram: Ram, bufs: VirtqBuffer[], skip: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let pos = 0, offset = 0;
  for (const b of bufs) {
    if (b.write || pos >= len) continue;
    const from = Math.max(0, skip - offset), n = Math.min(b.len - from, len - pos);
    if (n > 0) {
      out.set(ram.readBytes(b.addr + from, n), pos);
      pos += n;
    }
    offset += b.len;
  }
  return out;
}

/**
 * Scatters `data` over the device-writable bytes of `bufs` (from their start); `onWrite` hears each range written (for
 * the CPU's decoded code). Returns the bytes written.
 */
export function scatter(ram: Ram, bufs: VirtqBuffer[], data: Uint8Array, onWrite: (addr: number, len: number) => void): number {
  let pos = 0;
  for (const b of bufs) {
    if (!b.write || pos >= data.length) continue;
    const n = Math.min(b.len, data.length - pos);
    ram.writeBytes(b.addr, data.subarray(pos, pos + n));
    onWrite(b.addr, n);
    pos += n;
  }
  return pos;
}
