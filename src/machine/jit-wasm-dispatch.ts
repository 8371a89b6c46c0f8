// Dispatch between WebAssembly regions without returning to JavaScript: one small wasm function per CPU calls region after region through a funcref table.
//
// Code with many small functions leaves its region every few dozen instructions (marks: 2.3 M region
// calls for 99 M instructions), and a call from JavaScript into wasm and back costs more than the
// region's own work. The dispatcher runs the region at `pc`, then, as long as the budget allows and the
// pc it left at is the entry of another region, that one, all inside wasm. It returns to the Jit when a
// region stops for the interpreter (`~n`, as a region does), when the next pc has no region in the
// table, or when the budget is spent. The table in RAM's memory (ramLayout's `dispatch`) is direct
// mapped on pc/2: slot = [entry pc, table index + 1]; the Jit keeps it in step with its entries (a slot
// is written when a region is installed or dispatched from JS, cleared when the region is dropped), and
// a pc whose slot holds another pc simply returns to the Jit, which stays the authority.

import { PC_OUT } from './jit-wasm';
import { DISPATCH_SLOTS, type Ram } from './ram';
import { VOID, W, WasmBytes, oneFunctionModule } from './wasm-bytes';

/** Locals: budget, pc (parameters), n, r, s (slot byte offset). */
const BUDGET = 0, PC = 1, N = 2, R = 3, S = 4;

/** The dispatcher's module for a RAM of this layout (compiled once per layout). */
function dispatcherModule(ram: Ram): WebAssembly.Module {
  const { dispatch, core, total } = ram.layout;
  const c = new WasmBytes();
  c.op(W.Loop).byte(VOID);
  // s = ((pc >>> 1) & (SLOTS - 1)) << 3; no region for pc here: return n
  c.get(PC).i32(1).op(W.I32ShrU).i32(DISPATCH_SLOTS - 1).op(W.I32And).i32(3).op(W.I32Shl).set(S);
  c.get(S).mem(W.I32Load, 2, dispatch).get(PC).op(W.I32Ne);
  c.op(W.If).byte(VOID).get(N).op(W.Return).op(W.End);
  // r = region(budget - n)
  c.get(BUDGET).get(N).op(W.I32Sub);
  c.get(S).mem(W.I32Load, 2, dispatch + 4).i32(1).op(W.I32Sub);
  c.op(W.CallIndirect).u32(0).u32(0).set(R);
  // stopped for the interpreter: return ~(n + ~r)
  c.get(R).i32(0).op(W.I32LtS);
  c.op(W.If).byte(VOID).get(N).get(R).i32(-1).op(W.I32Xor).op(W.I32Add).i32(-1).op(W.I32Xor).op(W.Return).op(W.End);
  c.get(N).get(R).op(W.I32Add).set(N);
  // its first block did not fit: return n (0 the first time: the Jit's interpreter runs the rest)
  c.get(R).op(W.I32Eqz);
  c.op(W.If).byte(VOID).get(N).op(W.Return).op(W.End);
  c.i32(0).mem(W.I32Load, 2, core + 4 * PC_OUT).set(PC);
  c.get(N).get(BUDGET).op(W.I32LtS).op(W.BrIf).u32(0);
  c.op(W.End);
  c.get(N);
  return new WebAssembly.Module(oneFunctionModule({
    imports: [{ name: 'm', kind: 'memory', pages: total / 65_536 }, { name: 't', kind: 'table', size: 0 }],
    params: 2, locals: 3, code: c,
  }));
}

/**
 * Dispatcher modules by RAM size (ramLayout's offsets, which the code embeds, are a function of it; two sizes can
 * round up to the same total), one per RAM size in the process.
 */
const modules = new Map<number, WebAssembly.Module>();
/** Key of an empty slot. */
const EMPTY = 1;

/** Index in the slot array of `pc`'s slot (its key; the table index + 1 follows). */
const slotOf = (pc: number): number => ((pc >>> 1) & (DISPATCH_SLOTS - 1)) << 1;

/** One CPU's dispatcher: its table of region functions and the slots in RAM's memory. */
export class WasmDispatch {
  private readonly table: WebAssembly.Table;
  /** The dispatcher: (budget, pc) → instructions retired, `~n` when stopped for the interpreter; the pc it left at is in core[PC_OUT]. */
  readonly run: (budget: number, pc: number) => number;
  private readonly slots: Int32Array;
  private readonly free: number[] = [];
  private used = 0;

  constructor(ram: Ram, private readonly size: number) {
    let m = modules.get(ram.size);
    if (m === undefined) modules.set(ram.size, (m = dispatcherModule(ram)));
    this.table = new WebAssembly.Table({ element: 'anyfunc', initial: size });
    const inst = new WebAssembly.Instance(m, { e: { m: ram.memory, t: this.table } });
    this.run = inst.exports.r as (budget: number, pc: number) => number;
    this.slots = new Int32Array(ram.memory.buffer, ram.layout.dispatch, DISPATCH_SLOTS * 2);
    this.clearSlots();
  }

  /** Every slot empty: key 1, which no pc is (pcs are even). */
  private clearSlots(): void {
    for (let s = 0; s < this.slots.length; s += 2) this.empty(s);
  }

  private empty(s: number): void {
    this.slots[s] = EMPTY;
    this.slots[s + 1] = 0;
  }

  /** A table index for a region function (null when the table is full: that region is dispatched from JS only). */
  add(fn: unknown): number | null {
    const i = this.free.length > 0 ? this.free.pop()! : this.used < this.size ? this.used++ : -1;
    if (i < 0) return null;
    this.table.set(i, fn);
    return i;
  }

  /** Makes `pc`'s slot point at table index `i` (replacing whatever pc held the slot). */
  enter(pc: number, i: number): void {
    const s = slotOf(pc);
    this.slots[s] = pc | 0;
    this.slots[s + 1] = i + 1;
  }

  /** True when `pc`'s slot points at table index `i`. */
  holds(pc: number, i: number): boolean {
    const s = slotOf(pc);
    return this.slots[s] === (pc | 0) && this.slots[s + 1] === i + 1;
  }

  /** Drops table index `i` (its region was dropped) and `pc`'s slot if it points there. */
  remove(pc: number, i: number): void {
    if (this.holds(pc, i)) this.empty(slotOf(pc));
    this.table.set(i, null);
    this.free.push(i);
  }

  /** Forgets every region (Jit.flush). */
  clear(): void {
    this.clearSlots();
    for (let i = 0; i < this.used; i++) this.table.set(i, null);
    this.free.length = 0;
    this.used = 0;
  }
}
