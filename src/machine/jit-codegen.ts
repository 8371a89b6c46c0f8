// Fast-path code generator: turns a region's blocks into the JavaScript source of one function V8 can optimise.
//
// Shape of the generated function (structured control flow, so hot loops are plain JS loops in one
// optimised function; every guest block is emitted once):
//
//   function region_80000100(env, budget) {    // returns the number of instructions retired
//     const { cpu, x, u8, ... } = env;          // the CPU (region functions are shared by all CPUs)
//     let r5 = x[5], r6 = x[6], ...;           // guest registers the region uses, as int32 locals
//     let n = 0, pc = 0, ...;
//     loop: {
//       L0: for (;;) {                         // a loop header: back edges are `continue L0`
//         if (n > budget - 4) { pc = HEAD; break loop; }   // exact counting: a block starts only if it fits
//         ...body (int32 arithmetic on locals; RAM through typed arrays after the interpreter's range check)...
//         n += 4;
//         if (r5 !== r6) { continue L0; }
//         M3: { ...blocks that branch to block 3 do `break M3`... }
//         ...block 3...                         // a merge point follows the labelled block
//         pc = EXIT; break loop;                 // edges out of the region leave with pc set
//       }
//     }
//     x[5] = r5; ...; cpu.pc = pc >>> 0;     // the one exit: registers written back
//     return slow === 0 ? n : ~n;              // ~n: stopped at an instruction for the interpreter
//   }
//
// A load or store that misses the RAM fast check leaves with `pc` at that instruction and `n` counting
// only the instructions before it, so the interpreter redoes it (MMIO, misaligned, fault). A store into
// a page flagged in Cpu.codePage calls `hook`, which runs Cpu.storeHook (decode-cache and translation
// invalidation, HTIF) and tells the code to leave right after the store when something changed.
// A jalr becomes a `switch` over the region's return sites (other targets leave the region).

import { Op, RD_SINK, div, divu, mulh, mulhsu, mulhu, rem, remu } from './cpu-exec';
import { wLen, wOp, wRd, wRs1, wRs2 } from './decode';
import { type Cfg, analyse } from './jit-cfg';
import { type StructuredTarget, edge, emitTree } from './jit-structure';
import { type Block, End, type Inst } from './jit-region';
import { PAGE_SHIFT } from './ram';
import { fnv1a32 } from './hash';

/**
 * A compiled region: runs from its entry on the CPU of `env` with at most `budget` instructions and
 * returns how many retired, as `~n` (negative) when it stopped at an instruction only the interpreter
 * runs (an MMIO, misaligned or faulting access, an untranslated instruction, after a store hook).
 */
export type RegionFn = (env: RegionEnv, budget: number) => number;

/** RAM geometry the generated range checks embed as constants. */
export interface RamShape {
  base: number;
  size: number;
}

/** Store into a flagged page: runs Cpu.storeHook; true when the region must be left after this store. */
export interface RegionStoreHook {
  regionStore(off: number, size: number, value: number, pc: number, done: number): boolean;
}

/** The RAM a CPU's regions work on: its bytes and its per-page dirty bits. */
export interface RegionRam {
  bytes: Uint8Array;
  size: number;
  dirty: Uint8Array;
  hashDirty: Uint8Array;
}

/**
 * What generated code works on (one per Cpu, passed to every call: region functions are shared by
 * all CPUs). A class, not an object literal: V8 generalises the field types of a literal's map to
 * "any" the second time the literal runs (it makes a boilerplate then), and that deoptimised every
 * region compiled so far when a process built its second CPU (a bench round, a new debug session,
 * a chaos seed); a class keeps one map with exact field types for every CPU.
 */
export class RegionEnv {
  readonly i8: Int8Array;
  readonly u16: Uint16Array;
  readonly i16: Int16Array;
  readonly i32: Int32Array;
  readonly u8: Uint8Array;
  readonly dirty: Uint8Array;
  readonly hashDirty: Uint8Array;

  constructor(
    readonly cpu: { pc: number },
    readonly x: Int32Array,
    ram: RegionRam,
    readonly codePage: Uint8Array,
    /**
     * A method of an object whose class every CPU shares (the Jit), not a closure per CPU: region
     * functions are shared by all CPUs, and a call target that changed with each new CPU deoptimised
     * every hot region that stores ("wrong call target") on the secondary and on every chaos seed.
     */
    readonly hook: RegionStoreHook,
  ) {
    const buf = ram.bytes.buffer, off = ram.bytes.byteOffset;
    if (off % 4 !== 0) throw new Error('RegionEnv: RAM is not 4-byte aligned in its buffer');
    this.u8 = ram.bytes;
    this.i8 = new Int8Array(buf, off, ram.size);
    this.u16 = new Uint16Array(buf, off, ram.size >>> 1);
    this.i16 = new Int16Array(buf, off, ram.size >>> 1);
    this.i32 = new Int32Array(buf, off, ram.size >>> 2);
    this.dirty = ram.dirty;
    this.hashDirty = ram.hashDirty;
  }
}

/** The per-CPU things a region function reads from its `env` argument at entry. */
const ENV_NAMES = ['cpu', 'x', 'u8', 'i8', 'u16', 'i16', 'i32', 'dirty', 'hashDirty', 'codePage', 'hook'] as const satisfies readonly (keyof RegionEnv)[];
/** Helpers every region function closes over (the interpreter's own M-extension functions). */
const HELPERS = { mulh, mulhsu, mulhu, div, divu, rem, remu };

/**
 * The region function for `blocks`, compiled once per process: a region seen before (the same plan:
 * heads, ends, instructions, RAM geometry) reuses its function without generating source again.
 * `filter` (a test hook) rewrites the source of a fresh, uncached compilation.
 */
export function regionFunction(blocks: Block[], ram: RamShape, filter: ((source: string) => string) | null): RegionFn {
  if (filter !== null) return instantiate(filter(generateRegion(blocks, ram)));
  return jsRegions.get(blocks, ram, () => instantiate(generateRegion(blocks, ram)));
}

/** Compiles generated source (the factory body) into a region function. */
function instantiate(source: string): RegionFn {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function(...Object.keys(HELPERS), source) as (...helpers: unknown[]) => RegionFn;
  return factory(...Object.values(HELPERS));
}

/**
 * What regions compile to (JS functions here, wasm modules in jit-wasm.ts) by plan, shared by every
 * Cpu of the process (the primary and the secondary of a pair, the machines of a chaos campaign run
 * the same guest code), so code is generated and V8 optimises it once. A compiled region is a pure
 * function of its plan and takes the CPU as an argument or import, so sharing it cannot change any
 * result; these bounded caches (cleared when full) are the only module-level state of src/machine
 * besides jit-plans.ts and the compiled modules of jit-wasm.ts and jit-wasm-dispatch.ts (one each, at
 * most one per RAM size), all of them pure in what they are keyed by.
 */
export class PlanCache<T> {
  private readonly byHash = new Map<number, { key: Int32Array; value: T }[]>();
  private count = 0;

  constructor(private readonly max: number) {}

  get(blocks: Block[], ram: RamShape, make: () => T): T {
    const key = planKey(blocks, ram), h = fnv1a32(key);
    const bucket = this.byHash.get(h);
    const hit = bucket?.find((c) => sameKey(c.key, key));
    if (hit !== undefined) return hit.value;
    const value = make();
    if (this.count >= this.max) {
      this.byHash.clear();
      this.count = 0;
    }
    this.byHash.set(h, [...(bucket ?? []), { key, value }]);
    this.count++;
    return value;
  }
}

/** Everything generated code depends on, as int32s: RAM geometry, then per block its shape and instructions. */
function planKey(blocks: Block[], ram: RamShape): Int32Array {
  let n = 2;
  for (const b of blocks) n += 5 + 3 * b.insts.length;
  const key = new Int32Array(n);
  let k = 0;
  key[k++] = ram.base | 0;
  key[k++] = ram.size | 0;
  for (const b of blocks) {
    key[k++] = b.head; key[k++] = b.end; key[k++] = b.target; key[k++] = b.next; key[k++] = b.insts.length;
    for (const i of b.insts) {
      key[k++] = i.w; key[k++] = i.imm; key[k++] = i.len;
    }
  }
  return key;
}

function sameKey(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Region functions by plan. */
const jsRegions = new PlanCache<RegionFn>(4096);

/** An int32 literal that is safe after any operator. */
const lit = (v: number): string => (v < 0 ? `(${v | 0})` : `${v | 0}`);

/** Per-instruction context while emitting one block. */
interface Site {
  inst: Inst;
  /** Instructions of the block before this one (retired when this one leaves early). */
  k: number;
}

/** Generates the source of the factory body (`return function region(env, budget) {...}`). */
export function generateRegion(blocks: Block[], ram: RamShape): string {
  if (blocks.length === 0) throw new Error('generateRegion: empty region');
  return new RegionWriter(blocks, ram).source();
}

class RegionWriter implements StructuredTarget {
  private readonly out: string[] = [];
  private readonly reads = new Set<number>();
  private readonly writes = new Set<number>();
  private readonly base: number;
  readonly cfg: Cfg;

  constructor(private readonly blocks: Block[], private readonly ram: RamShape) {
    this.base = ram.base | 0;
    this.cfg = analyse(blocks);
  }

  source(): string {
    emitTree(this, 0);
    const body = this.out;
    const regs = [...new Set([...this.reads, ...this.writes])].sort((a, b) => a - b);
    const head = this.blocks[0].head >>> 0;
    const lines = [
      '"use strict";',
      `return function region_${head.toString(16)}(env, budget) {`,
      `const { ${ENV_NAMES.join(', ')} } = env;`,
      regs.length > 0 ? `let ${regs.map((r) => `r${r} = x[${r}]`).join(', ')};` : '',
      'let n = 0, pc = 0, slow = 0, plain = -1, off = 0, p = 0, t = 0;',
      'loop: {',
      body.join('\n'),
      '}',
      ...[...this.writes].sort((a, b) => a - b).map((r) => `x[${r}] = r${r};`),
      'cpu.pc = pc >>> 0;',
      'return slow === 0 ? n : ~n;',
      '};',
    ];
    return lines.join('\n');
  }

  // ---- structured control flow (jit-structure.ts) ----
  // Every method appends its lines to `out`: returning arrays to splice into the caller's copied each
  // line once per level of nesting, quadratic in deep regions (73-99 ms of a cold kvstore run).

  openLoop(x: number): void { this.out.push(`L${x}: for (;;) {`); }
  openMerge(y: number): void { this.out.push(`M${y}: {`); }
  close(): void { this.out.push('}'); }
  continueTo(x: number): void { this.out.push(`continue L${x};`); }
  breakTo(y: number): void { this.out.push(`break M${y};`); }
  leave(pc: number): void { this.out.push(`pc = ${lit(pc)}; break loop;`); }

  /** Appends one block: budget check, straight-line instructions, terminator. */
  block(i: number): void {
    const out = this.out;
    const b = this.blocks[i];
    const L = b.insts.length;
    const succ = this.cfg.succ[i];
    out.push(`if (n > budget - ${L}) { pc = ${lit(b.head)}; break loop; }`);
    const last = b.insts[L - 1];
    const straight = b.end === End.Fall || b.end === End.Stop ? L : L - 1;
    for (let k = 0; k < straight; k++) this.inst({ inst: b.insts[k], k }, out);
    switch (b.end) {
      case End.Fall:
        out.push(`n += ${L};`);
        edge(this, i, succ[0], b.target);
        break;
      case End.Stop:
        out.push(`n += ${L};`, `pc = ${lit(b.target)}; slow = 1; break loop;`);
        break;
      case End.Branch:
        out.push(`n += ${L};`, `if (${this.cond(last)}) {`);
        edge(this, i, succ[0], b.target);
        out.push('}');
        edge(this, i, succ[1], b.next);
        break;
      case End.Jal:
        this.link(last, out);
        out.push(`n += ${L};`);
        edge(this, i, succ[0], b.target);
        break;
      case End.Jalr:
        out.push(`t = (${this.reg(wRs1(last.w))} + ${lit(last.imm)}) & -2;`);
        this.link(last, out);
        out.push(`n += ${L};`);
        this.jalrTargets(i);
        out.push('pc = t; break loop;');
        break;
    }
  }

  /** A jalr: the return sites of this region it may reach, as cases on its target (others leave the region). */
  private jalrTargets(i: number): void {
    const out = this.out;
    const cases = [...new Set(this.cfg.succ[i].filter((j) => j >= 0))];
    if (cases.length === 0) return;
    out.push('switch (t) {');
    for (const j of cases) {
      out.push(`case ${lit(this.blocks[j].head)}: {`);
      edge(this, i, j, 0);
      out.push('}');
    }
    out.push('}');
  }

  private link(inst: Inst, body: string[]): void {
    const rd = wRd(inst.w);
    if (rd !== RD_SINK) body.push(`${this.dst(rd)} = ${lit((inst.pc + wLen(inst.w)) | 0)};`);
  }

  private cond(inst: Inst): string {
    const a = this.reg(wRs1(inst.w)), b = this.reg(wRs2(inst.w));
    switch (wOp(inst.w)) {
      case Op.BEQ: return `${a} === ${b}`;
      case Op.BNE: return `${a} !== ${b}`;
      case Op.BLT: return `${a} < ${b}`;
      case Op.BGE: return `${a} >= ${b}`;
      case Op.BLTU: return `(${a} >>> 0) < (${b} >>> 0)`;
      case Op.BGEU: return `(${a} >>> 0) >= (${b} >>> 0)`;
      default: throw new Error(`cond: op ${wOp(inst.w)} is not a branch`);
    }
  }

  // ---- registers ----

  private reg(r: number): string {
    if (r === 0) return '0';
    this.reads.add(r);
    return `r${r}`;
  }

  private dst(r: number): string {
    if (r === RD_SINK || r === 0) throw new Error('dst: x0 is never a destination');
    this.writes.add(r);
    return `r${r}`;
  }

  // ---- instructions ----

  private inst(s: Site, body: string[]): void {
    const { inst } = s;
    const op = wOp(inst.w);
    if (op >= Op.LB && op <= Op.LHU) return this.load(s, op, body);
    if (op >= Op.SB && op <= Op.SW) return this.store(s, op, body);
    if (op === Op.FENCE) return;
    const rd = wRd(inst.w);
    if (rd === RD_SINK) return; // no side effect besides the (sunk) result
    body.push(`${this.dst(rd)} = ${this.alu(inst, op)};`);
  }

  /** The int32 value an ALU / upper-immediate / M instruction computes. */
  private alu(inst: Inst, op: Op): string {
    const a = this.reg(wRs1(inst.w)), imm = inst.imm;
    const b = (): string => this.reg(wRs2(inst.w));
    switch (op) {
      case Op.LUI: return lit(imm);
      case Op.AUIPC: return lit((inst.pc + imm) | 0);
      case Op.ADDI: return `(${a} + ${lit(imm)}) | 0`;
      case Op.SLTI: return `${a} < ${lit(imm)} ? 1 : 0`;
      case Op.SLTIU: return `(${a} >>> 0) < ${imm >>> 0} ? 1 : 0`;
      case Op.XORI: return `${a} ^ ${lit(imm)}`;
      case Op.ORI: return `${a} | ${lit(imm)}`;
      case Op.ANDI: return `${a} & ${lit(imm)}`;
      case Op.SLLI: return `${a} << ${imm}`;
      case Op.SRLI: return `(${a} >>> ${imm}) | 0`;
      case Op.SRAI: return `${a} >> ${imm}`;
      case Op.ADD: return `(${a} + ${b()}) | 0`;
      case Op.SUB: return `(${a} - ${b()}) | 0`;
      case Op.SLL: return `${a} << (${b()} & 31)`;
      case Op.SLT: return `${a} < ${b()} ? 1 : 0`;
      case Op.SLTU: return `(${a} >>> 0) < (${b()} >>> 0) ? 1 : 0`;
      case Op.XOR: return `${a} ^ ${b()}`;
      case Op.SRL: return `(${a} >>> (${b()} & 31)) | 0`;
      case Op.SRA: return `${a} >> (${b()} & 31)`;
      case Op.OR: return `${a} | ${b()}`;
      case Op.AND: return `${a} & ${b()}`;
      case Op.MUL: return `Math.imul(${a}, ${b()})`;
      case Op.MULH: return `mulh(${a}, ${b()})`;
      case Op.MULHSU: return `mulhsu(${a}, ${b()})`;
      case Op.MULHU: return `mulhu(${a}, ${b()})`;
      case Op.DIV: return `div(${a}, ${b()})`;
      case Op.DIVU: return `divu(${a}, ${b()})`;
      case Op.REM: return `rem(${a}, ${b()})`;
      case Op.REMU: return `remu(${a}, ${b()})`;
      default: throw new Error(`alu: op ${op} is not translated here`);
    }
  }

  /** `off = ...; if (miss) leave` — the interpreter's RAM fast check (in range and aligned) on the RAM offset. */
  private address(s: Site, size: 1 | 2 | 4, body: string[]): void {
    const c = (s.inst.imm - this.base) | 0;
    body.push(`off = (${this.reg(wRs1(s.inst.w))} + ${lit(c)}) | 0;`);
    body.push(`if (${this.miss(size)}) { pc = ${lit(s.inst.pc)}; n += ${s.k}; slow = 1; break loop; }`);
  }

  private miss(size: 1 | 2 | 4): string {
    const { size: ramSize } = this.ram;
    const align = size - 1;
    if ((ramSize & (ramSize - 1)) === 0) return `(off & ${lit(~(ramSize - 1) | align)}) !== 0`;
    const range = `(off >>> 0) > ${ramSize - size}`;
    return align === 0 ? range : `${range} || (off & ${align}) !== 0`;
  }

  private load(s: Site, op: Op, body: string[]): void {
    const size = op === Op.LW ? 4 : op === Op.LH || op === Op.LHU ? 2 : 1;
    this.address(s, size, body);
    const rd = wRd(s.inst.w);
    if (rd === RD_SINK) return;
    const view = op === Op.LW ? 'i32[off >> 2]' : op === Op.LH ? 'i16[off >> 1]' : op === Op.LHU ? 'u16[off >> 1]'
      : op === Op.LB ? 'i8[off]' : 'u8[off]';
    body.push(`${this.dst(rd)} = ${view};`);
  }

  private store(s: Site, op: Op, body: string[]): void {
    const size = op === Op.SW ? 4 : op === Op.SH ? 2 : 1;
    this.address(s, size, body);
    const v = this.reg(wRs2(s.inst.w));
    const view = size === 4 ? 'i32[off >> 2]' : size === 2 ? 'u16[off >> 1]' : 'u8[off]';
    const npc = (s.inst.pc + wLen(s.inst.w)) | 0;
    body.push(`${view} = ${v};`);
    body.push(`p = off >>> ${PAGE_SHIFT};`);
    body.push('if (p !== plain) { dirty[p] = 1; hashDirty[p] = 1; if (codePage[p] === 0) plain = p; ' +
      `else if (hook.regionStore(off, ${size}, ${v}, ${lit(s.inst.pc)}, n + ${s.k})) { pc = ${lit(npc)}; n += ${s.k + 1}; slow = 1; break loop; } }`);
  }
}
