// Command batches for the secondary's worker: slices as numbers in one transferable Float64Array, the rare other commands as objects.
//
// A protected run sends tens of thousands of slices; as one object each, structured cloning them
// cost the simulating thread more than the guest work it gave away. Here a slice is five numbers
// (op, vm, limit, instret, ref) and a batch moves to the worker by transfer, not by copy.

import type { MachineSnapshot } from '../machine/machine';
import type { InputEvent } from '../machine/types';
import type { ExpectedCall } from '../ft/protocol/shadow-machine';

/** The commands that travel as objects (in order with the slices). */
export type ObjectCommand =
  | { c: 'create'; vm: number; snap: MachineSnapshot }
  | { c: 'deliver'; vm: number; ev: InputEvent }
  | { c: 'take' | 'hash'; vm: number; reply: number }
  | { c: 'verdict' | 'reset'; reply: number };

/** A slice as the worker reads it. */
export type SliceReader = (vm: number, limit: number, instret: number, exit: boolean, calls: ExpectedCall[]) => void;

export interface Batch { nums: Float64Array<ArrayBuffer>; count: number; objs: unknown[] }

const STRIDE = 5;
const OP_RUN = 0;
const OP_RUN_EXIT = 1;
const OP_OBJECT = 2;
const NO_CALLS: ExpectedCall[] = [];

export class BatchWriter {
  private nums: Float64Array<ArrayBuffer>;
  private count = 0;
  private objs: unknown[] = [];

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new Error(`batch capacity ${capacity}`);
    this.nums = new Float64Array(capacity * STRIDE);
  }

  get size(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }

  run(vm: number, limit: number, instret: number, exit: boolean, calls: ExpectedCall[]): void {
    const ref = calls.length > 0 ? this.objs.push(calls) - 1 : -1;
    this.put(exit ? OP_RUN_EXIT : OP_RUN, vm, limit, instret, ref);
  }

  command(cmd: ObjectCommand): void {
    this.put(OP_OBJECT, 0, 0, 0, this.objs.push(cmd) - 1);
  }

  /** The batch so far (its buffer is handed over: transfer it) and a fresh one started; null when empty. */
  take(): Batch | null {
    if (this.count === 0) return null;
    const batch: Batch = { nums: this.nums, count: this.count, objs: this.objs };
    this.nums = new Float64Array(this.capacity * STRIDE);
    this.count = 0;
    this.objs = [];
    return batch;
  }

  private put(op: number, vm: number, limit: number, instret: number, ref: number): void {
    if (this.full) throw new Error('batch full: take it first');
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
  for (let k = 0; k < batch.count; k++) {
    const i = k * STRIDE;
    const op = nums[i], ref = nums[i + 4];
    if (op === OP_OBJECT) {
      object(objs[ref] as ObjectCommand);
      continue;
    }
    const calls = ref < 0 ? NO_CALLS : (objs[ref] as ExpectedCall[]);
    slice(nums[i + 1], nums[i + 2], nums[i + 3], op === OP_RUN_EXIT, calls);
  }
}
