// Fast-path region discovery: decodes guest code from RAM into straight-line blocks reachable from a hot entry pc.

import { Op, RD_SINK } from './cpu-exec';
import { type Decoded, decode, wOp, wRd } from './decode';
import type { Ram } from './ram';

/** One decoded instruction of a block; `pc` is the signed 32-bit view of the address (as the interpreter keeps it). */
export interface Inst {
  pc: number;
  w: number;
  imm: number;
  len: number;
}

/** How a block ends. */
export const enum End {
  /** The last instruction is a conditional branch (taken target and fall-through successor). */
  Branch,
  /** The last instruction is jal (static target; a linking jal also makes its return site a successor). */
  Jal,
  /** The last instruction is jalr (dynamic target). */
  Jalr,
  /** The block reached its length cap: execution continues at `target` (= `next`), which is explored. */
  Fall,
  /** The next instruction must run in the interpreter (system, CSR, atomic, illegal, fetch fault): the region leaves at `target` (= `next`). */
  Stop,
}

export interface Block {
  head: number;
  insts: Inst[];
  end: End;
  /** Fall / Stop: where execution continues. Branch / Jal: the taken target. Jalr: unused (0). */
  target: number;
  /** Address after the last instruction (fall-through of a branch, return site of a linking jump). */
  next: number;
}

/** Size bounds of one region (a generated function): keeps compile time and V8's optimiser within reason. */
export const MAX_BLOCK_INSTS = 64;
export const MAX_REGION_INSTS = 1024;
export const MAX_REGION_BLOCKS = 256;
/** The largest callee (instructions reachable without its own calls) a region takes in; larger ones keep a region of their own. */
export const MAX_INLINE_INSTS = 16;

/** True for the ops the generated code implements; everything else (rare, with side effects on CSRs or traps) runs in the interpreter. */
export function translatable(op: Op): boolean {
  return op >= Op.LUI && op <= Op.FENCE;
}

/** True for ops that end a block (control transfers). */
function endsBlock(op: Op): boolean {
  return op === Op.JAL || op === Op.JALR || (op >= Op.BEQ && op <= Op.BGEU);
}

/**
 * Fetches and decodes the instruction at `pc` exactly as Cpu.fetchMiss does; returns its length, or 0
 * when the fetch would fault (outside RAM, or a 32-bit instruction crossing the end of RAM).
 */
export function fetchAt(ram: Ram, pc: number, out: Decoded): number {
  const off = (pc >>> 0) - ram.base;
  if (off < 0 || off + 2 > ram.size) return 0;
  const b = ram.bytes, lo = b[off] | (b[off + 1] << 8);
  if ((lo & 3) !== 3) {
    decode(lo, out);
    return 2;
  }
  if (off + 4 > ram.size) return 0;
  decode(lo | (b[off + 2] << 16) | (b[off + 3] << 24), out);
  return 4;
}

/** Decodes the straight-line block starting at `head` (an empty block when its first instruction is not translatable). */
export function scanBlock(ram: Ram, head: number): Block {
  const d: Decoded = { w: 0, imm: 0 };
  const insts: Inst[] = [];
  let pc = head | 0;
  for (;;) {
    if (insts.length >= MAX_BLOCK_INSTS) return { head, insts, end: End.Fall, target: pc, next: pc };
    const len = fetchAt(ram, pc, d);
    if (len === 0 || !translatable(wOp(d.w))) return { head, insts, end: End.Stop, target: pc, next: pc };
    const inst: Inst = { pc, w: d.w, imm: d.imm, len };
    insts.push(inst);
    const next = (pc + len) | 0;
    const op = wOp(d.w);
    if (endsBlock(op)) {
      const end = op === Op.JAL ? End.Jal : op === Op.JALR ? End.Jalr : End.Branch;
      return { head, insts, end, target: end === End.Jalr ? 0 : (pc + d.imm) | 0, next };
    }
    pc = next;
  }
}

/** Static successors of a block, in the order they are explored (fall-through first keeps straight code in case order). */
export function successors(b: Block): number[] {
  switch (b.end) {
    case End.Branch: return [b.next, b.target];
    case End.Jal: return wRd(b.insts[b.insts.length - 1].w) === RD_SINK ? [b.target] : [b.target, b.next];
    case End.Jalr: return wRd(b.insts[b.insts.length - 1].w) === RD_SINK ? [] : [b.next];
    case End.Fall: return [b.target];
    case End.Stop: return [];
  }
}

/**
 * The blocks reachable from `entry` by static edges (branches, jumps, calls and their return sites)
 * through heads for which `executed` holds, breadth first, within the region bounds. Block 0 is the
 * entry; an empty list means the entry itself is not translatable. A pc inside an earlier block simply
 * starts a new (overlapping) block. Edges to heads left out (and to `stop`) leave the region.
 */
export function discoverRegion(ram: Ram, entry: number, executed: (pc: number) => boolean, stop: number | null = null): Block[] {
  const seen = new Set<number>([entry | 0]);
  if (stop !== null) seen.add(stop | 0); // a jump there leaves the region
  const small = new Map<number, boolean>();
  // A call to a callee that is not small leaves the region.
  const follow = (b: Block, s: number): boolean => s !== b.target || !isCall(b) || smallCallee(ram, s, executed, small);
  const blocks = explore(ram, entry, executed, follow, seen, MAX_REGION_INSTS);
  if (blocks.length > 0 && blocks[0].head !== (entry | 0)) return [];
  return blocks;
}

/**
 * The blocks reachable from `entry` breadth first along the static edges `follow` accepts, through
 * heads for which `executed` holds and that are not in `seen` (which it extends), until `maxInsts`
 * instructions or MAX_REGION_BLOCKS blocks. An untranslatable head gives no block.
 */
function explore(ram: Ram, entry: number, executed: (pc: number) => boolean, follow: (b: Block, s: number) => boolean, seen: Set<number>, maxInsts: number): Block[] {
  const blocks: Block[] = [];
  const queue: number[] = [entry | 0];
  let insts = 0;
  for (let q = 0; q < queue.length && blocks.length < MAX_REGION_BLOCKS && insts < maxInsts; q++) {
    const b = scanBlock(ram, queue[q]);
    if (b.insts.length === 0) continue; // edges to it leave the region
    blocks.push(b);
    insts += b.insts.length;
    for (const s of successors(b)) {
      if (!seen.has(s) && executed(s) && follow(b, s)) {
        seen.add(s);
        queue.push(s);
      }
    }
  }
  return blocks;
}

/** True for a block ending in a linking jal (a call with a static target). */
function isCall(b: Block): boolean {
  return b.end === End.Jal && wRd(b.insts[b.insts.length - 1].w) !== RD_SINK;
}

/**
 * Whether a callee is small enough to translate into its callers' regions: at most MAX_INLINE_INSTS
 * instructions reachable from its entry without following its own calls. A region used to take in
 * every callee it reached, so large ones (soft-float routines, hash rounds) were translated again
 * into every region that calls them and every resume variant of those: real C programs translated
 * each instruction 9–35 times (softfloat: 6.7 MB of JavaScript for 3 681 instructions). A call to a
 * larger callee leaves the region, and the callee gets a region of its own, translated once (16:
 * as small as it can be without slowing a loop kernel; 48 kept 60% more code in softfloat).
 */
function smallCallee(ram: Ram, entry: number, executed: (pc: number) => boolean, memo: Map<number, boolean>): boolean {
  const known = memo.get(entry);
  if (known !== undefined) return known;
  const body = explore(ram, entry, executed, (b, s) => s !== b.target || !isCall(b), new Set([entry | 0]), MAX_INLINE_INSTS + 1);
  const ok = body.reduce((n, b) => n + b.insts.length, 0) <= MAX_INLINE_INSTS;
  memo.set(entry, ok);
  return ok;
}

/**
 * The head of the outermost loop around the region's entry (block 0), or null when the entry is not
 * inside a larger loop: among the targets of backward branches and plain jumps (by address; calls do
 * not count) in the region that lie on a cycle through the entry, the lowest address, if it is not
 * the entry itself. Entering a loop nest at an inner loop's head gives every loop of the nest that
 * head; entering at the outermost head gives V8 properly nested loops.
 */
export function outerLoopHead(blocks: Block[]): number | null {
  const entry = blocks[0].head;
  const index = new Map<number, number>();
  blocks.forEach((b, i) => index.set(b.head, i));
  const reachesEntry = reverseReachable(blocks, index, 0);
  let best: number | null = null;
  for (const b of blocks) {
    const lastInst = b.insts[b.insts.length - 1];
    const loopJump = b.end === End.Branch || (b.end === End.Jal && wRd(lastInst.w) === RD_SINK); // not a call
    if (!loopJump) continue;
    const last = lastInst.pc;
    const j = index.get(b.target);
    if (j === undefined || !reachesEntry[j] || (b.target >>> 0) > (last >>> 0)) continue;
    if (best === null || (b.target >>> 0) < (best >>> 0)) best = b.target;
  }
  return best === null || (best >>> 0) >= (entry >>> 0) ? null : best;
}

/** Per block: whether it reaches block `to` along the region's static edges. */
function reverseReachable(blocks: Block[], index: Map<number, number>, to: number): boolean[] {
  const preds: number[][] = blocks.map(() => []);
  blocks.forEach((b, i) => {
    for (const s of successors(b)) {
      const j = index.get(s);
      if (j !== undefined) preds[j].push(i);
    }
  });
  const mark = blocks.map(() => false);
  const stack = [to];
  mark[to] = true;
  while (stack.length > 0) {
    for (const p of preds[stack.pop() as number]) {
      if (!mark[p]) {
        mark[p] = true;
        stack.push(p);
      }
    }
  }
  return mark;
}
