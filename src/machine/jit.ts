// The fast path: finds hot guest code, compiles regions of it into WebAssembly (or JavaScript) functions, runs them, invalidates them.
//
// Cpu.run calls `Jit.run(limit)` instead of the interpreter's `execute` when the fast path is on and no
// breakpoint or watchpoint is set. It loops over dispatch pcs: a pc with a compiled region runs the
// region function (which retires whole blocks while the budget allows and leaves before anything
// only the interpreter does, which then runs exactly that instruction); any other pc runs the
// interpreter until it has taken a few backward branches (or run a system instruction), and the
// instructions it ran are credited to that pc: loop heads collect the counts, and one that passes
// HOT_THRESHOLD gets a region (with the outermost loop around it). A pc inside a region where short
// time slices keep resuming (RESUME_THRESHOLD runs) gets a resume variant: that region's code from
// there to its entry. Translations are dropped exactly
// when the decode cache would be: stores and external writes into translated bytes (through
// Cpu.storeHook / invalidateCode) and fence.i / setState (through Cpu.flushDecodeCache).

import type { Cpu } from './cpu';
import { execute } from './cpu-exec';
import { RegionEnv, type RegionFn, regionFunction } from './jit-codegen';
import { PC_OUT, type WasmFault, instantiateRegion, regionModuleFor, storeHookFunction } from './jit-wasm';
import { WasmDispatch } from './jit-wasm-dispatch';
import { type Block, discoverRegion, outerLoopHead } from './jit-region';
import { PAGE_SHIFT, PAGE_SIZE } from './ram';
import { findPlan, plansGeneration, publishPlan } from './jit-plans';

/** Cpu.codePage flag: the page holds instructions a compiled region was generated from. */
export const PAGE_JIT = 4;
/** Instructions the interpreter runs from an entry pc (summed over its visits) before a region is compiled there. */
export const HOT_THRESHOLD = 20_000;
/** See Jit.resumeThreshold (16: a cold protected kvstore run compiles 208 variants instead of 816, 1.2 s instead of 2.1 s). */
export const RESUME_THRESHOLD = 16;
/** Bounds of the translation cache: exceeding either drops every translation. */
export const MAX_REGIONS = 2048;
export const MAX_ENTRIES = 1 << 16;
/** Taken backward branches the interpreter runs per dispatch in code without a region (a sampling period). */
export const LOOPS_PER_CHUNK = 8;
/** Slots of Jit.recent (a power of two). */
const RECENT_SIZE = 4096;
/** Largest budget one region call gets (keeps its counter an int32). */
const MAX_BUDGET = 0x3fff_ffff;
/**
 * Largest budget of one call of a WebAssembly region: V8 tiers a wasm function up (Liftoff's code to
 * TurboFan's, in the background) only between calls, so a loop that would run for seconds in one call
 * returns every few million instructions and picks up the optimised code.
 */
const MAX_WASM_BUDGET = 1 << 22;

/** What regions are compiled to: WebAssembly (the default: runnable at once) or JavaScript functions. */
export type JitBackend = 'wasm' | 'js';
/** Entry.count of a pc where no region can start (its first instruction is not translatable). */
const NEVER = -1;

/** One compiled region: its function, its entry pc, and the instruction bytes it was generated from. */
interface Region {
  fn: RegionFn;
  entry: number;
  /** Unsigned start addresses and lengths of every instruction translated (deduplicated). */
  instPcs: number[];
  instLens: number[];
  pages: number[];
  /** Instruction pcs this region offers for resume variants (see Jit.heads). */
  heads: number[];
  dead: boolean;
  /** Index in the CPU's wasm dispatch table (-1: a JavaScript region, or the table was full). */
  tableIndex: number;
}

/** What the dispatcher knows about one pc it has been asked to run. */
interface Entry {
  pc: number;
  /** Instructions the interpreter ran from here up to the next dispatch, summed (or NEVER). */
  count: number;
  fn: RegionFn | null;
  region: Region | null;
  /** Runs that started here, inside a live region (a resume variant is compiled after resumeThreshold). */
  resumes: number;
  /** plansGeneration() when this pc last looked for another CPU's plan (jit-plans.ts). */
  plansSeen: number;
}

/**
 * True on little-endian hosts, where typed-array views of RAM read guest (little-endian) words
 * directly; elsewhere Cpu.run keeps to the interpreter.
 */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export class Jit {
  /** The backend of new Jits (tests compare both; results are bit-identical either way). */
  static backendDefault: JitBackend = 'wasm';
  /** This CPU's backend; a sourceFilter (a JS-source test hook) always compiles JavaScript. */
  backend: JitBackend = Jit.backendDefault;
  /** Set when a translation was dropped (read by generated store hooks to leave a region that may be stale). */
  dropped = false;
  /** Regions compiled since the Cpu was built (statistics for tests and benchmarks). */
  compiled = 0;
  /** Instructions retired inside compiled regions (statistics). */
  retired = 0;
  /** Resume variants compiled: regions entered at an inner instruction of a live region (statistics). */
  resumes = 0;
  /** Regions adopted from another CPU's plan without profiling (statistics; also counted in `compiled`). */
  adopted = 0;
  /**
   * Whether this CPU adopts the plans other CPUs of the process compiled (jit-plans.ts) and publishes
   * its own. Off in tests that count what one CPU profiles and compiles by itself.
   */
  sharePlans = true;
  /**
   * Interpreted instructions from a pc before a region is compiled there. 0 (tests): compile at the
   * first dispatch of any pc, even where a run merely resumed.
   */
  hotThreshold = HOT_THRESHOLD;
  /**
   * Runs that start at the same inner pc of a live region before it gets a resume variant: a pc where
   * slices keep ending is worth one, a pc where one interrupt once landed is not (each variant is a
   * V8 compile: kvstore's cold run compiled 400 of them).
   */
  resumeThreshold = RESUME_THRESHOLD;
  /** Taken backward branches per interpreted chunk (tests use 1: every loop head is dispatched). */
  loopsPerChunk = LOOPS_PER_CHUNK;
  /** Cache bounds (tests lower them to exercise the flush). */
  maxRegions = MAX_REGIONS;
  maxEntries = MAX_ENTRIES;
  /** Test hook: rewrites generated source before it is compiled (fault injection proves the differential test catches a wrong translation). */
  sourceFilter: ((source: string) => string) | null = null;
  /** Test hook: mistakes the WebAssembly generator makes on purpose (the same proof for the wasm backend). */
  wasmFaults: ReadonlySet<WasmFault> | null = null;
  private readonly entries = new Map<number, Entry>();
  /**
   * Direct-mapped cache in front of `entries`, indexed by pc/2 modulo its size: code with many
   * small functions leaves its regions every few dozen instructions (marks: 2.3 M dispatches for
   * 99 M instructions), and most dispatches then find their entry without hashing. Entries leave
   * `entries` only in flush, which clears this too.
   */
  private readonly recent: (Entry | undefined)[] = new Array<Entry | undefined>(RECENT_SIZE).fill(undefined);
  private readonly regions = new Set<Region>();
  /**
   * Instruction pcs (other than the entry) of live full regions, with the region: runs that keep
   * starting at one (time slices that ended inside a region) get a resume variant there.
   */
  private readonly heads = new Map<number, Region>();
  /** Per RAM page: the regions translated from it. */
  private readonly pageRegions: (Region[] | undefined)[];
  /** Per RAM page with translations: how many translated instructions cover each halfword. */
  private readonly cover: (Uint16Array | undefined)[];
  private readonly env: RegionEnv;
  /** The wasm dispatcher and its table (made at the first wasm region). */
  private dispatch: WasmDispatch | null = null;
  /** Jit.regionStore as a wasm function (made with the dispatcher), which every wasm region of this CPU imports. */
  private wasmHook: unknown = null;

  constructor(private readonly cpu: Cpu) {
    const ram = cpu.ram;
    this.pageRegions = new Array<Region[] | undefined>(ram.pageCount);
    this.cover = new Array<Uint16Array | undefined>(ram.pageCount);
    this.env = new RegionEnv(cpu, cpu.regs, ram, cpu.codePage, this);
  }

  /** Number of live compiled regions. */
  get regionCount(): number {
    return this.regions.size;
  }

  /**
   * Runs from cpu.pc until cpu.instret reaches `limit` or cpu.attn is raised, with exactly the
   * interpreter's semantics (the same contract as cpu-exec's `execute`).
   */
  run(limit: number): void {
    const cpu = this.cpu;
    const budgetMax = this.backend === 'wasm' ? MAX_WASM_BUDGET : MAX_BUDGET;
    // The pc a run starts at is wherever the previous run's limit fell (often mid-block or mid-loop):
    // it counts towards compiling a region there only if control flow has also reached it.
    let resumed = true;
    // The last region stopped at an instruction only the interpreter runs: run that one, then dispatch.
    let step = false;
    while (!cpu.attn) {
      const left = limit - cpu.instret;
      if (left <= 0) return;
      if (step) {
        step = false;
        execute(cpu, cpu.instret + 1);
        continue;
      }
      const pc = cpu.pc | 0;
      const slot = (pc >>> 1) & (RECENT_SIZE - 1);
      let e = this.recent[slot];
      if (e === undefined || e.pc !== pc) {
        e = this.entries.get(pc) ?? this.addEntry(pc);
        this.recent[slot] = e;
      }
      const counts = !resumed || e.count > 0 || this.hotThreshold === 0;
      resumed = false;
      if (e.fn !== null) {
        const budget = left > budgetMax ? budgetMax : left;
        const r = e.region !== null && e.region.tableIndex >= 0 ? this.dispatchFrom(pc, e.region.tableIndex, budget) : e.fn(this.env, budget);
        const n = r < 0 ? ~r : r;
        cpu.instret += n;
        this.retired += n;
        step = r < 0;
        if (n > 0 || step) continue;
        execute(cpu, limit); // the first block does not fit in what is left of the budget
        continue;
      }
      if (e.plansSeen !== plansGeneration() && this.adopt(e)) continue;
      if (counts && e.count !== NEVER && e.count >= this.hotThreshold && this.compile(e)) continue;
      if (e.count !== NEVER && this.heads.size > 0 && this.resume(e)) continue;
      // The interpreter runs to a loop head (after loopsPerChunk taken backward branches or jals):
      // the instructions it ran are credited to the pc it started at, a sample of where time goes.
      const before = cpu.instret;
      execute(cpu, limit, this.loopsPerChunk);
      if (counts && e.count !== NEVER) e.count += cpu.instret - before;
    }
  }

  /** Runs the wasm region at `pc` and the regions after it inside wasm (jit-wasm-dispatch.ts); the RegionFn contract. */
  private dispatchFrom(pc: number, tableIndex: number, budget: number): number {
    const d = this.dispatch!;
    if (!d.holds(pc, tableIndex)) d.enter(pc, tableIndex);
    const r = d.run(budget, pc);
    this.cpu.pc = this.cpu.core[PC_OUT] >>> 0;
    return r;
  }

  private addEntry(pc: number): Entry {
    if (this.entries.size >= this.maxEntries) this.flush();
    return this.newEntry(pc);
  }

  private newEntry(pc: number): Entry {
    const e: Entry = { pc, count: 0, fn: null, region: null, resumes: 0, plansSeen: -1 };
    this.entries.set(pc, e);
    return e;
  }

  /**
   * Compiles the region reachable from `e.pc`; false when nothing there can be translated. When
   * `e.pc` is the head of an inner loop, also compiles the region of the outermost loop around it
   * and makes this one leave there, so the nest runs in the outer region with properly nested loops.
   */
  private compile(e: Entry): boolean {
    const ram = this.cpu.ram;
    // Only blocks the interpreter has run (their instructions are in its decode cache): code that has
    // never run would reach V8's optimiser without type feedback and deoptimise the region later.
    const executed = (pc: number): boolean => this.cpu.isDecoded(pc);
    let blocks = discoverRegion(ram, e.pc, executed);
    if (blocks.length === 0) {
      e.count = NEVER;
      return false;
    }
    // Make room first: a flush after registering would leave entries pointing at a dropped region.
    if (this.cacheFull()) this.flush();
    const outer = outerLoopHead(blocks);
    if (outer !== null) {
      const o = this.entries.get(outer) ?? this.newEntry(outer);
      if (o.fn === null) this.install(o, discoverRegion(ram, outer, executed));
      blocks = discoverRegion(ram, e.pc, executed, outer);
    }
    this.install(this.entries.get(e.pc) ?? this.newEntry(e.pc), blocks);
    return true;
  }

  /**
   * When `e.pc` is an inner instruction of a live region (where a run resumes after a slice ended
   * inside it), compiles the resume variant there: the region's code from `e.pc` up to the region's
   * entry, where it leaves so the full region takes over. False when there is none.
   */
  private resume(e: Entry): boolean {
    const owner = this.heads.get(e.pc);
    if (owner === undefined) return false;
    if (++e.resumes < this.resumeThreshold) return false;
    if (owner.dead) {
      this.heads.delete(e.pc);
      return false;
    }
    const blocks = discoverRegion(this.cpu.ram, e.pc, (pc) => this.cpu.isDecoded(pc), owner.entry);
    if (blocks.length === 0) {
      this.heads.delete(e.pc);
      return false;
    }
    if (this.cacheFull()) {
      this.flush();
      return false; // the owner is gone: the entry is a plain pc again
    }
    this.install(e, blocks, false);
    this.resumes++;
    return true;
  }

  /**
   * Installs the region another CPU compiled at `e.pc` when this CPU's RAM holds the same
   * instructions (jit-plans.ts): no profiling, no compiling. False when there is none.
   */
  private adopt(e: Entry): boolean {
    e.plansSeen = plansGeneration();
    if (!this.sharePlans || this.sourceFilter !== null || this.wasmFaults !== null) return false;
    const plan = findPlan(e.pc, this.cpu.ram);
    if (plan === undefined) return false;
    if (this.cacheFull()) {
      this.flush();
      return false; // the entry is gone with the flush: the next dispatch starts afresh
    }
    this.install(e, plan.blocks, plan.full, false);
    this.adopted++;
    return true;
  }

  /** True when one more region (and its entry) would exceed the cache bounds. */
  private cacheFull(): boolean {
    return this.regions.size + 1 >= this.maxRegions || this.entries.size + 1 >= this.maxEntries;
  }

  /** Makes `blocks` (block 0 at `e.pc`) the region run at `e.pc`; `full` regions offer their instruction pcs for resume variants. */
  private install(e: Entry, blocks: Block[], full = true, publish = true): void {
    if (blocks.length === 0) return;
    const ram = this.cpu.ram;
    let fn: RegionFn, tableIndex = -1;
    if (this.backend === 'wasm' && this.sourceFilter === null) {
      if (this.dispatch === null) {
        this.dispatch = new WasmDispatch(ram, this.maxRegions + 1);
        this.wasmHook = storeHookFunction((off, size, value, pc, done) => (this.regionStore(off, size, value, pc, done) ? 1 : 0));
      }
      const r = instantiateRegion(regionModuleFor(blocks, ram, this.wasmFaults), ram, this.cpu, this.wasmHook);
      fn = r.fn;
      tableIndex = this.dispatch.add(r.raw) ?? -1;
      if (tableIndex >= 0) this.dispatch.enter(e.pc, tableIndex);
    } else {
      fn = regionFunction(blocks, ram, this.sourceFilter);
    }
    if (publish && this.sharePlans && this.sourceFilter === null && this.wasmFaults === null) publishPlan(e.pc, { ramBase: ram.base, ramSize: ram.size, blocks, full });
    const region: Region = { fn, entry: e.pc, instPcs: [], instLens: [], pages: [], heads: [], dead: false, tableIndex };
    if (full) {
      for (const b of blocks) {
        for (const inst of b.insts) {
          const h = inst.pc, o = this.heads.get(h);
          if (h === e.pc || (o !== undefined && !o.dead)) continue;
          this.heads.set(h, region);
          region.heads.push(h);
        }
      }
    }
    const seen = new Set<number>();
    for (const b of blocks) {
      for (const inst of b.insts) {
        if (seen.has(inst.pc)) continue;
        seen.add(inst.pc);
        region.instPcs.push(inst.pc >>> 0);
        region.instLens.push(inst.len);
      }
    }
    this.register(region);
    // Only the entry pc runs the region: another pc that gets hot becomes the entry of its own region,
    // so every region function starts at one place and V8's type feedback matches how it is used.
    e.fn = fn;
    e.region = region;
    this.compiled++;
  }

  /** Records which pages and halfwords the region's instructions cover and flags those pages in Cpu.codePage. */
  private register(region: Region): void {
    const codePage = this.cpu.codePage;
    const pages = new Set<number>();
    this.coverInsts(region, 1, (p) => pages.add(p));
    for (const p of pages) {
      (this.pageRegions[p] ??= []).push(region);
      codePage[p] |= PAGE_JIT;
    }
    region.pages = [...pages];
    this.regions.add(region);
  }

  /** Adds `delta` to the cover count of every halfword of the region's instructions; reports each page touched. */
  private coverInsts(region: Region, delta: number, onPage: (p: number) => void): void {
    const base = this.cpu.ram.base;
    for (let i = 0; i < region.instPcs.length; i++) {
      const off = region.instPcs[i] - base;
      for (let h = off; h < off + region.instLens[i]; h += 2) {
        const p = h >>> PAGE_SHIFT;
        const c = (this.cover[p] ??= new Uint16Array(PAGE_SIZE >>> 1));
        c[(h & (PAGE_SIZE - 1)) >>> 1] += delta;
        onPage(p);
      }
    }
  }

  /** A store from generated code into a flagged page: Cpu.storeHook; true when the region must be left now. */
  regionStore(off: number, size: number, value: number, pc: number, done: number): boolean {
    const cpu = this.cpu;
    this.dropped = false;
    cpu.storeHook((off + cpu.ram.base) | 0, size, value, pc, cpu.instret + done);
    return cpu.attn || this.dropped;
  }

  /** Drops every translation overlapping guest bytes [addr, addr+len) (stores, DMA, loader, debugger, restore). */
  invalidate(addr: number, len: number): void {
    if (len <= 0 || this.regions.size === 0) return;
    const ram = this.cpu.ram;
    if (len <= 4 && this.missesCode((addr >>> 0) - ram.base, len)) return;
    const start = Math.max(0, (addr >>> 0) - ram.base), end = Math.min(ram.size, (addr >>> 0) - ram.base + len);
    for (let p = start >>> PAGE_SHIFT; p < ram.pageCount && p << PAGE_SHIFT < end; p++) {
      if ((this.cpu.codePage[p] & PAGE_JIT) === 0 || !this.covered(p, start, end)) continue;
      for (const r of [...(this.pageRegions[p] ?? [])]) if (overlaps(r, ram.base + start, ram.base + end)) this.drop(r);
    }
  }

  /** Fast answer for a guest store (1, 2 or 4 bytes at RAM offset `off`): true when it touches no translated halfword. */
  private missesCode(off: number, len: number): boolean {
    const last = off + len - 1, p = off >>> PAGE_SHIFT;
    if (off < 0 || last >= this.cpu.ram.size || last >>> PAGE_SHIFT !== p) return false; // the general path decides
    const c = this.cover[p];
    if (c === undefined) return true;
    const mask = (PAGE_SIZE - 1) >>> 1;
    return c[(off >>> 1) & mask] === 0 && c[(last >>> 1) & mask] === 0;
  }

  /** True when a translated instruction covers a halfword of [start, end) (RAM offsets) inside page p. */
  private covered(p: number, start: number, end: number): boolean {
    const c = this.cover[p];
    if (c === undefined) return false;
    const lo = Math.max(start, p << PAGE_SHIFT), hi = Math.min(end, (p + 1) << PAGE_SHIFT);
    for (let h = lo & ~1; h < hi; h += 2) if (c[(h & (PAGE_SIZE - 1)) >>> 1] !== 0) return true;
    return false;
  }

  private drop(region: Region): void {
    if (region.dead) throw new Error('Jit.drop: region already dropped');
    region.dead = true;
    this.dropped = true;
    this.regions.delete(region);
    if (region.tableIndex >= 0) this.dispatch!.remove(region.entry, region.tableIndex);
    this.coverInsts(region, -1, () => {});
    for (const p of region.pages) {
      const list = this.pageRegions[p];
      if (list === undefined) throw new Error(`Jit.drop: page ${p} does not list the region`);
      list.splice(list.indexOf(region), 1);
      if (list.length === 0) {
        this.pageRegions[p] = undefined;
        this.cover[p] = undefined;
        this.cpu.codePage[p] &= ~PAGE_JIT;
      }
    }
    for (const h of region.heads) if (this.heads.get(h) === region) this.heads.delete(h);
    const e = this.entries.get(region.entry);
    if (e !== undefined && e.region === region) {
      e.fn = null;
      e.region = null;
      e.count = 0;
    }
  }

  /** Drops every translation and every entry (fence.i, setState, cache bounds). */
  flush(): void {
    for (const r of this.regions) r.dead = true;
    this.dropped = this.regions.size > 0 || this.dropped;
    this.regions.clear();
    this.dispatch?.clear();
    this.entries.clear();
    this.recent.fill(undefined);
    this.heads.clear();
    const codePage = this.cpu.codePage;
    for (let p = 0; p < codePage.length; p++) {
      if ((codePage[p] & PAGE_JIT) === 0) continue;
      codePage[p] &= ~PAGE_JIT;
      this.pageRegions[p] = undefined;
      this.cover[p] = undefined;
    }
  }
}

/** True when one of the region's instructions overlaps guest bytes [lo, hi) (unsigned addresses). */
function overlaps(r: Region, lo: number, hi: number): boolean {
  for (let i = 0; i < r.instPcs.length; i++) if (r.instPcs[i] < hi && lo < r.instPcs[i] + r.instLens[i]) return true;
  return false;
}
