// Fast-path code generator to WebAssembly: a region's blocks as one wasm function over the RAM's own memory, which V8's baseline compiler makes runnable at once.
//
// The same regions, structure and semantics as jit-codegen.ts (its header describes them); what differs:
// - guest RAM, the per-page flags and the CPU's registers are in the WebAssembly.Memory of the Ram
//   (ram.ts: RAM at offset 0, then codePage, dirty, hashDirty, the core), so the function reads them
//   directly; registers live in wasm locals between the loads at entry and the stores at the exit;
// - the guest pc the region left at is stored in core slot PC_OUT (the JS wrapper copies it to cpu.pc);
// - a store into a flagged page calls the imported `h` (Jit.regionStore), non-zero: leave now;
// - a module is compiled once per plan (cached like the JS functions) and instantiated per CPU, on
//   that CPU's memory.
// Why: V8 compiles JavaScript regions with TurboFan only after they ran a while in its interpreter,
// and TurboFan is what a cold run of a real program waits for (docs/design/machine.md); wasm code is
// made by Liftoff in one pass at instantiation and tiered up in the background.

import { Op, RD_SINK } from './cpu-exec';
import { wLen, wOp, wRd, wRs1, wRs2 } from './decode';
import { type Cfg, analyse } from './jit-cfg';
import { PlanCache, type RamShape, type RegionFn } from './jit-codegen';
import { type Block, End, type Inst } from './jit-region';
import { type StructuredTarget, edge, emitTree } from './jit-structure';
import { PAGE_SHIFT, type Ram, type RamLayout, ramLayout } from './ram';
import { I32, VOID, W, WasmBytes, oneFunctionModule } from './wasm-bytes';

/** Core slot (int32 index) where a region leaves the guest pc; registers use 0..32, the decode cache 64 on. */
export const PC_OUT = 33;

/** Locals: the parameter, then the counters, then x1..x31 at REG0 + r (x0 has none: it reads as a constant 0). */
const BUDGET = 0, N = 1, PC = 2, SLOW = 3, PLAIN = 4, OFF = 5, P = 6, T = 7, REG0 = T;
/** i32 locals besides the parameter: n, pc, slow, plain, off, p, t and 31 registers. */
const LOCALS = REG0 + 31;
/** log2 of an access size: the alignment a load or store declares. */
const ALIGN_LOG2 = { 1: 0, 2: 1, 4: 2 } as const;

/** Deliberate mistakes a test asks for (Jit.wasmFaults), to prove the differential harness catches a wrong translation. */
export type WasmFault = 'xor-as-or' | 'unsigned-as-signed' | 'count-one-more' | 'budget-one-late' | 'store-leaves-page-clean';

/** A label of the structure, for `br` depths: the region's exit, loops, merges, and ifs (anonymous). */
type Label = { kind: 'exit' } | { kind: 'loop'; x: number } | { kind: 'merge'; y: number } | { kind: 'if' };

class WasmRegionWriter implements StructuredTarget {
  readonly cfg: Cfg;
  private readonly code = new WasmBytes();
  private readonly labels: Label[] = [];
  private readonly used = new Set<number>();
  private readonly written = new Set<number>();
  private readonly layout: RamLayout;
  private readonly base: number;

  constructor(private readonly blocks: Block[], private readonly ram: RamShape, private readonly faults: ReadonlySet<WasmFault> | null = null) {
    this.cfg = analyse(blocks);
    this.layout = ramLayout(ram.size);
    this.base = ram.base | 0;
  }

  module(): Uint8Array {
    this.labels.push({ kind: 'exit' });
    this.code.op(W.Block).byte(VOID);
    emitTree(this, 0);
    this.code.op(W.End);
    this.labels.pop();
    const c = new WasmBytes();
    const core = this.layout.core;
    for (const r of [...this.used].sort((a, b) => a - b)) c.i32(0).mem(W.I32Load, 2, core + 4 * r).set(REG0 + r);
    c.i32(-1).set(PLAIN);
    c.bytes(this.code.view());
    for (const r of [...this.written].sort((a, b) => a - b)) c.i32(0).get(REG0 + r).mem(W.I32Store, 2, core + 4 * r);
    c.i32(0).get(PC).mem(W.I32Store, 2, core + 4 * PC_OUT);
    // slow ? ~n : n
    c.get(N).i32(-1).op(W.I32Xor).get(N).get(SLOW).op(W.Select);
    return oneFunctionModule({
      imports: [{ name: 'm', kind: 'memory', pages: this.layout.total / 65_536 }, { name: 'h', kind: 'func', params: 5 }],
      params: 1, locals: LOCALS, code: c,
    });
  }

  // ---- structure ----

  openLoop(x: number): void { this.open({ kind: 'loop', x }, W.Loop); }
  openMerge(y: number): void { this.open({ kind: 'merge', y }, W.Block); }
  close(): void { this.labels.pop(); this.code.op(W.End); }
  continueTo(x: number): void { this.br((l) => l.kind === 'loop' && l.x === x); }
  breakTo(y: number): void { this.br((l) => l.kind === 'merge' && l.y === y); }
  leave(pc: number): void { this.code.i32(pc).set(PC); this.exit(); }

  private open(l: Label, o: W): void { this.labels.push(l); this.code.op(o).byte(VOID); }
  private exit(): void { this.br((l) => l.kind === 'exit'); }
  private br(match: (l: Label) => boolean): void {
    for (let d = 0; d < this.labels.length; d++) {
      if (match(this.labels[this.labels.length - 1 - d])) { this.code.op(W.Br).u32(d); return; }
    }
    throw new Error('wasm region: branch to a label not in scope');
  }
  /** `if` on the i32 on the stack; `body` emits the taken side, `otherwise` (if any) the other. */
  private when(body: () => void, otherwise?: () => void): void {
    this.open({ kind: 'if' }, W.If);
    body();
    if (otherwise !== undefined) {
      this.code.op(W.Else);
      otherwise();
    }
    this.close();
  }
  /** n += k */
  private count(k: number): void {
    const more = this.faulty('count-one-more') ? 1 : 0;
    if (k + more !== 0) this.code.get(N).i32(k + more).op(W.I32Add).set(N);
  }
  private faulty(f: WasmFault): boolean { return this.faults !== null && this.faults.has(f); }
  /** Leaves at `pc` after `k` more instructions, for the interpreter to run the next one. */
  private stop(pc: number, k: number): void { this.count(k); this.code.i32(1).set(SLOW); this.leave(pc); }

  // ---- blocks ----

  block(i: number): void {
    const b = this.blocks[i], c = this.code;
    const L = b.insts.length, succ = this.cfg.succ[i];
    c.get(N).get(BUDGET).i32(this.faulty('budget-one-late') ? L - 1 : L).op(W.I32Sub).op(W.I32GtS);
    this.when(() => this.leave(b.head));
    const last = b.insts[L - 1];
    const straight = b.end === End.Fall || b.end === End.Stop ? L : L - 1;
    for (let k = 0; k < straight; k++) this.inst(b.insts[k], k);
    switch (b.end) {
      case End.Fall:
        this.count(L);
        edge(this, i, succ[0], b.target);
        break;
      case End.Stop:
        this.stop(b.target, L);
        break;
      case End.Branch:
        this.count(L);
        this.cond(last);
        this.when(() => edge(this, i, succ[0], b.target));
        edge(this, i, succ[1], b.next);
        break;
      case End.Jal:
        this.link(last);
        this.count(L);
        edge(this, i, succ[0], b.target);
        break;
      case End.Jalr:
        this.reg(wRs1(last.w)); c.i32(last.imm).op(W.I32Add).i32(-2).op(W.I32And).set(T);
        this.link(last);
        this.count(L);
        for (const j of [...new Set(succ.filter((j) => j >= 0))]) {
          c.get(T).i32(this.blocks[j].head).op(W.I32Eq);
          this.when(() => edge(this, i, j, 0));
        }
        c.get(T).set(PC);
        this.exit();
        break;
    }
  }

  private link(inst: Inst): void {
    const rd = wRd(inst.w);
    if (rd !== RD_SINK) { this.code.i32((inst.pc + wLen(inst.w)) | 0); this.setReg(rd); }
  }

  private cond(inst: Inst): void {
    this.reg(wRs1(inst.w));
    this.reg(wRs2(inst.w));
    const op = wOp(inst.w);
    const o = op === Op.BEQ ? W.I32Eq : op === Op.BNE ? W.I32Ne : op === Op.BLT ? W.I32LtS : op === Op.BGE ? W.I32GeS
      : op === Op.BLTU ? (this.faulty('unsigned-as-signed') ? W.I32LtS : W.I32LtU) : op === Op.BGEU ? W.I32GeU : null;
    if (o === null) throw new Error(`cond: op ${op} is not a branch`);
    this.code.op(o);
  }

  // ---- registers ----

  /** Pushes register r (x0 reads 0). */
  private reg(r: number): void {
    if (r === 0) { this.code.i32(0); return; }
    this.used.add(r);
    this.code.get(REG0 + r);
  }

  /** Pops into register rd. */
  private setReg(rd: number): void {
    if (rd === RD_SINK || rd === 0) throw new Error('setReg: x0 is never a destination');
    this.used.add(rd);
    this.written.add(rd);
    this.code.set(REG0 + rd);
  }

  // ---- instructions ----

  private inst(inst: Inst, k: number): void {
    const op = wOp(inst.w);
    if (op >= Op.LB && op <= Op.LHU) return this.load(inst, k, op);
    if (op >= Op.SB && op <= Op.SW) return this.store(inst, k, op);
    if (op === Op.FENCE) return;
    const rd = wRd(inst.w);
    if (rd === RD_SINK) return;
    this.alu(inst, op);
    this.setReg(rd);
  }

  /** Pushes the int32 an ALU / upper-immediate / M instruction computes. */
  private alu(inst: Inst, op: Op): void {
    const c = this.code, imm = inst.imm;
    const a = (): void => this.reg(wRs1(inst.w)), b = (): void => this.reg(wRs2(inst.w));
    const ri = (o: W): void => { a(); c.i32(imm).op(o); };
    const rr = (o: W): void => { a(); b(); c.op(o); };
    switch (op) {
      case Op.LUI: c.i32(imm); return;
      case Op.AUIPC: c.i32((inst.pc + imm) | 0); return;
      case Op.ADDI: return ri(W.I32Add);
      case Op.SLTI: return ri(W.I32LtS);
      case Op.SLTIU: return ri(W.I32LtU);
      case Op.XORI: return ri(this.faulty('xor-as-or') ? W.I32Or : W.I32Xor);
      case Op.ORI: return ri(W.I32Or);
      case Op.ANDI: return ri(W.I32And);
      case Op.SLLI: return ri(W.I32Shl);
      case Op.SRLI: return ri(W.I32ShrU);
      case Op.SRAI: return ri(W.I32ShrS);
      case Op.ADD: return rr(W.I32Add);
      case Op.SUB: return rr(W.I32Sub);
      case Op.SLL: return rr(W.I32Shl); // wasm shifts take the count mod 32, as RISC-V does
      case Op.SLT: return rr(W.I32LtS);
      case Op.SLTU: return rr(this.faulty('unsigned-as-signed') ? W.I32LtS : W.I32LtU);
      case Op.XOR: return rr(this.faulty('xor-as-or') ? W.I32Or : W.I32Xor);
      case Op.SRL: return rr(W.I32ShrU);
      case Op.SRA: return rr(W.I32ShrS);
      case Op.OR: return rr(W.I32Or);
      case Op.AND: return rr(W.I32And);
      case Op.MUL: return rr(W.I32Mul);
      case Op.MULH: return this.mulHigh(a, b, W.I64ExtendI32S, W.I64ExtendI32S);
      case Op.MULHSU: return this.mulHigh(a, b, W.I64ExtendI32S, W.I64ExtendI32U);
      case Op.MULHU: return this.mulHigh(a, b, W.I64ExtendI32U, W.I64ExtendI32U);
      case Op.DIV: return this.divide(a, b, W.I32DivS, -1, true);
      case Op.DIVU: return this.divide(a, b, W.I32DivU, -1, false);
      case Op.REM: return this.divide(a, b, W.I32RemS, null, true);
      case Op.REMU: return this.divide(a, b, W.I32RemU, null, false);
      default: throw new Error(`alu: op ${op} is not translated here`);
    }
  }

  /** The high 32 bits of the 64-bit product. */
  private mulHigh(a: () => void, b: () => void, ea: W, eb: W): void {
    a(); this.code.op(ea);
    b(); this.code.op(eb);
    this.code.op(W.I64Mul).op(W.I64Const).s32(32).op(W.I64ShrU).op(W.I32WrapI64);
  }

  /**
   * RISC-V division, which never traps: by zero a quotient is `byZero` (-1) and a remainder is the
   * dividend; a signed overflow (-2^31 / -1) gives the dividend as quotient and 0 as remainder.
   */
  private divide(a: () => void, b: () => void, o: W, byZero: number | null, signed: boolean): void {
    const c = this.code;
    b(); c.op(W.I32Eqz);
    c.op(W.If).byte(I32);
    if (byZero === null) a(); else c.i32(byZero);
    c.op(W.Else);
    if (signed) {
      a(); c.i32(-0x8000_0000).op(W.I32Eq); b(); c.i32(-1).op(W.I32Eq).op(W.I32And);
      c.op(W.If).byte(I32);
      if (byZero === null) c.i32(0); else a();
      c.op(W.Else);
      a(); b(); c.op(o);
      c.op(W.End);
    } else {
      a(); b(); c.op(o);
    }
    c.op(W.End);
  }

  /** off = rs1 + imm - base; leaves for the interpreter unless it is inside RAM and aligned (the interpreter's fast check). */
  private address(inst: Inst, k: number, size: 1 | 2 | 4): void {
    const c = this.code;
    this.reg(wRs1(inst.w)); c.i32((inst.imm - this.base) | 0).op(W.I32Add).set(OFF);
    const ramSize = this.ram.size, align = size - 1;
    if ((ramSize & (ramSize - 1)) === 0) {
      c.get(OFF).i32(~(ramSize - 1) | align).op(W.I32And);
    } else {
      c.get(OFF).i32(ramSize - size).op(W.I32GtU);
      if (align !== 0) c.get(OFF).i32(align).op(W.I32And).op(W.I32Or);
    }
    this.when(() => this.stop(inst.pc, k));
  }

  private load(inst: Inst, k: number, op: Op): void {
    const size = op === Op.LW ? 4 : op === Op.LH || op === Op.LHU ? 2 : 1;
    this.address(inst, k, size);
    const rd = wRd(inst.w);
    if (rd === RD_SINK) return;
    const o = op === Op.LW ? W.I32Load : op === Op.LH ? W.I32Load16S : op === Op.LHU ? W.I32Load16U : op === Op.LB ? W.I32Load8S : W.I32Load8U;
    this.code.get(OFF).mem(o, ALIGN_LOG2[size], 0);
    this.setReg(rd);
  }

  private store(inst: Inst, k: number, op: Op): void {
    const size = op === Op.SW ? 4 : op === Op.SH ? 2 : 1;
    this.address(inst, k, size);
    const c = this.code, { dirty, hashDirty, codePage } = this.layout;
    const v = wRs2(inst.w);
    c.get(OFF); this.reg(v);
    c.mem(size === 4 ? W.I32Store : size === 2 ? W.I32Store16 : W.I32Store8, ALIGN_LOG2[size], 0);
    c.get(OFF).i32(PAGE_SHIFT).op(W.I32ShrU).set(P);
    c.get(P).get(PLAIN).op(W.I32Ne);
    this.when(() => {
      if (!this.faulty('store-leaves-page-clean')) c.get(P).i32(1).mem(W.I32Store8, 0, dirty);
      c.get(P).i32(1).mem(W.I32Store8, 0, hashDirty);
      c.get(P).mem(W.I32Load8U, 0, codePage).op(W.I32Eqz);
      this.when(() => c.get(P).set(PLAIN), () => {
        c.get(OFF).i32(size); this.reg(v); c.i32(inst.pc).get(N).i32(k).op(W.I32Add).op(W.Call).u32(0);
        this.when(() => this.stop((inst.pc + wLen(inst.w)) | 0, k + 1));
      });
    });
  }
}

/** Compiled modules by plan, shared by every CPU of the process (jit-codegen's PlanCache: the same rules). */
const modules = new PlanCache<WebAssembly.Module>(4096);

/** The region's wasm module, compiled once per plan (`faults`, a test hook: compiled afresh, never cached). */
export function regionModuleFor(blocks: Block[], ram: RamShape, faults: ReadonlySet<WasmFault> | null = null): WebAssembly.Module {
  if (faults !== null) return new WebAssembly.Module(new WasmRegionWriter(blocks, ram, faults).module());
  return modules.get(blocks, ram, () => new WebAssembly.Module(new WasmRegionWriter(blocks, ram).module()));
}

/** Store hook as the module imports it: Jit.regionStore, true as 1. */
export type WasmStoreHook = (off: number, size: number, value: number, pc: number, done: number) => number;

/**
 * The store hook as a wasm function: a one-function module per CPU that calls the JS hook. Regions
 * import this wasm function rather than the JS function itself: an import of a JS function makes V8
 * compile a wasm-to-JS wrapper for every module that imports it (a millisecond each, as long as the
 * region's own compilation), while a call from wasm to wasm needs none.
 */
export function storeHookFunction(hook: WasmStoreHook): unknown {
  hookModule ??= new WebAssembly.Module(oneFunctionModule({ imports: [{ name: 'h', kind: 'func', params: 5 }], params: 5, locals: 0, code: forwardArgs(5) }));
  return new WebAssembly.Instance(hookModule, { e: { h: hook } }).exports.r;
}
/** The trampoline's module (one per process: it depends on nothing). */
let hookModule: WebAssembly.Module | undefined;

/** Calls function 0 with the function's own `n` parameters and returns its result. */
function forwardArgs(n: number): WasmBytes {
  const c = new WasmBytes();
  for (let i = 0; i < n; i++) c.get(i);
  return c.op(W.Call).u32(0);
}

/**
 * The region for one CPU: the module instantiated on that CPU's RAM memory; `fn` wraps it to the
 * RegionFn contract (the pc it left at into cpu.pc), `raw` is the export itself, for the dispatch table.
 * `hook`: the CPU's storeHookFunction.
 */
export function instantiateRegion(module: WebAssembly.Module, ram: Ram, cpu: { pc: number }, hook: unknown): { fn: RegionFn; raw: unknown } {
  const inst = new WebAssembly.Instance(module, { e: { m: ram.memory, h: hook } });
  const run = inst.exports.r as (budget: number) => number;
  const core = ram.core;
  const fn: RegionFn = (_env, budget) => {
    const r = run(budget);
    cpu.pc = core[PC_OUT] >>> 0;
    return r;
  };
  return { fn, raw: run };
}
