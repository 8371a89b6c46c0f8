// Command batches for the secondary's worker: slices as numbers, their calls and the inputs as bytes (both transferred), the rare other commands as objects.
//
// A protected run sends tens of thousands of slices; as one object each, structured cloning them
// cost the simulating thread more than the guest work it gave away. Here a slice is five numbers
// (op, vm, limit, instret, ref), its environment calls and every delivered input are records in a
// byte buffer (src/cli/wire.ts), and a batch moves to the worker by transfer, not by copy. Batches
// start small and double up to the capacity, so the worker starts on the first slices at once.
// Back-to-back slices of one VM with nothing between them are merged (up to a span of instructions):
// one run to the last limit executes exactly what the slices did, with fewer stops on the worker.

import type { MachineSnapshot } from '../machine/machine';
import type { InputEvent } from '../machine/types';
import type { ExpectedCall } from '../ft/protocol/shadow-machine';
import { WireReader, WireWriter } from './wire';

/** The commands that travel as objects (in order with the slices). */
export type ObjectCommand =
  | { c: 'create'; vm: number; snap: MachineSnapshot }
  | { c: 'deliver'; vm: number; ev: InputEvent }
  | { c: 'take' | 'hash'; vm: number; reply: number }
  | { c: 'verdict' | 'reset'; reply: number };

/** A slice as the worker reads it. */
export type SliceReader = (vm: number, limit: number, instret: number, exit: boolean, calls: ExpectedCall[]) => void;

export interface Batch { nums: Float64Array<ArrayBuffer>; count: number; wire: Uint8Array<ArrayBuffer>; objs: unknown[] }

const STRIDE = 5;
const OP_RUN = 0;
const OP_RUN_EXIT = 1;
const OP_OBJECT = 2;
const OP_DELIVER = 3;
const NO_CALLS: ExpectedCall[] = [];
/** Wire bytes after which a batch counts as full whatever its command count (bounds one message). */
const WIRE_FULL_BYTES = 1 << 20;

export class BatchWriter {
  private nums: Float64Array<ArrayBuffer>;
  private count = 0;
  private objs: unknown[] = [];
  private readonly wire = new WireWriter();
  /** Commands the batch in progress holds when full: `first`, doubling after each take up to `capacity`. */
  private limit: number;
  /** The slice being merged (counts as a command of the batch); its first limit bounds the span. */
  private pending: { vm: number; firstLimit: number; limit: number; instret: number; exit: boolean; calls: ExpectedCall[] } | null = null;
  /** Calls of run and command since the last take. */
  private ops = 0;

  /** `mergeInstr`: the most instructions a merged slice may add to its first one (0: slices are never merged). */
  constructor(readonly capacity: number, first = capacity, private readonly mergeInstr = 0) {
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new Error(`batch capacity ${capacity}`);
    if (!(Number.isInteger(first) && first > 0 && first <= capacity)) throw new Error(`first batch size ${first} (capacity ${capacity})`);
    if (!(Number.isSafeInteger(mergeInstr) && mergeInstr >= 0)) throw new Error(`merge span ${mergeInstr}`);
    this.limit = first;
    this.nums = new Float64Array(first * STRIDE);
  }

  /** Commands in the batch, the slice being merged included. */
  get size(): number {
    return this.count + (this.pending === null ? 0 : 1);
  }

  /**
   * Full after `limit` calls of run and command, merged or not: merging saves the worker its stops,
   * not the main thread its messages, which must keep coming as often as the slices they carry.
   */
  get full(): boolean {
    return this.ops >= this.limit || this.wire.length >= WIRE_FULL_BYTES;
  }

  run(vm: number, limit: number, instret: number, exit: boolean, calls: ExpectedCall[]): void {
    this.room();
    this.ops++;
    const p = this.pending;
    if (p !== null && p.vm === vm && !p.exit && limit >= p.limit && limit - p.firstLimit <= this.mergeInstr) {
      p.limit = limit;
      p.instret = instret;
      p.exit = exit;
      for (const c of calls) p.calls.push(c);
      return;
    }
    this.close();
    this.pending = { vm, firstLimit: limit, limit, instret, exit, calls: [...calls] };
  }

  command(cmd: ObjectCommand): void {
    this.room();
    this.ops++;
    this.close();
    if (cmd.c === 'deliver') this.put(OP_DELIVER, cmd.vm, 0, 0, this.wire.input(cmd.ev));
    else this.put(OP_OBJECT, 0, 0, 0, this.objs.push(cmd) - 1);
  }

  /** The batch so far (its buffers are handed over: transfer them) and a fresh, larger one started; null when empty. */
  take(): Batch | null {
    this.close();
    if (this.count === 0) return null;
    const batch: Batch = { nums: this.nums, count: this.count, wire: this.wire.take(), objs: this.objs };
    this.limit = Math.min(this.capacity, this.limit * 2);
    this.nums = new Float64Array(this.limit * STRIDE);
    this.count = 0;
    this.ops = 0;
    this.objs = [];
    return batch;
  }

  private room(): void {
    if (this.ops >= this.limit) throw new Error('batch full: take it first');
  }

  /** Writes the slice being merged into the batch. */
  private close(): void {
    const p = this.pending;
    if (p === null) return;
    this.pending = null;
    const ref = p.calls.length > 0 ? this.wire.calls(p.calls) : -1;
    this.put(p.exit ? OP_RUN_EXIT : OP_RUN, p.vm, p.limit, p.instret, ref);
  }

  private put(op: number, vm: number, limit: number, instret: number, ref: number): void {
    const i = this.count * STRIDE;
    const n = this.nums;
    n[i] = op; n[i + 1] = vm; n[i + 2] = limit; n[i + 3] = instret; n[i + 4] = ref;
    this.count++;
  }
}

/** Calls `slice` or `object` for each command of `batch`, in order. */
export function readBatch(batch: Batch, slice: SliceReader, object: (cmd: ObjectCommand) => void): void {
  const { nums, objs } = batch;
  if (!(batch.count >= 0 && batch.count * STRIDE <= nums.length)) throw new Error(`malformed batch of ${batch.count} commands`);
  const wire = new WireReader(batch.wire);
  for (let k = 0; k < batch.count; k++) {
    const i = k * STRIDE;
    const op = nums[i], ref = nums[i + 4];
    if (op === OP_OBJECT) {
      object(objs[ref] as ObjectCommand);
      continue;
    }
    if (op === OP_DELIVER) {
      object({ c: 'deliver', vm: nums[i + 1], ev: wire.input(ref) });
      continue;
    }
    const calls = ref < 0 ? NO_CALLS : wire.calls(ref);
    slice(nums[i + 1], nums[i + 2], nums[i + 3], op === OP_RUN_EXIT, calls);
  }
}
