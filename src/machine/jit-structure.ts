// Structured emission of a region's blocks (N. Ramsey, "Beyond Relooper", ICFP 2022), shared by both code generators: JavaScript source and WebAssembly.
//
// Every block is emitted once, nested along the dominator tree: a loop header opens a loop that back
// edges continue; a merge block (two or more forward in-edges) is placed right after a labelled block
// its predecessors break out of; any other successor is dominated by its one predecessor and is emitted
// inline there. No path falls off the end of a block's code, so what follows a loop is reached only by
// breaking to a label.

import type { Cfg } from './jit-cfg';

/** What a code generator writes for the structure; `block` writes one block's code and calls `edge` for its transfers. */
export interface StructuredTarget {
  readonly cfg: Cfg;
  /** Opens a loop at header `x` (closed by `close`): `continueTo(x)` jumps back to its top. */
  openLoop(x: number): void;
  /** Opens a labelled block (closed by `close`) after which merge block `y` follows: `breakTo(y)` jumps there. */
  openMerge(y: number): void;
  close(): void;
  /** The code of block `i` up to its terminator's transfers, which it emits through `edge`. */
  block(i: number): void;
  continueTo(x: number): void;
  breakTo(y: number): void;
  /** Leaves the region with the guest pc set to `pc`. */
  leave(pc: number): void;
}

/** Emits block `x` and every block it dominates. */
export function emitTree(t: StructuredTarget, x: number): void {
  const { cfg } = t;
  const merges = cfg.children[x].filter((c) => cfg.merge[c]).reverse(); // latest first: outermost
  if (cfg.loopHeader[x]) t.openLoop(x);
  within(t, x, merges, 0);
  if (cfg.loopHeader[x]) t.close();
}

/** Block x's own code wrapped in one labelled block per merge child from `merges[k]` on (each followed by that child's code). */
function within(t: StructuredTarget, x: number, merges: number[], k: number): void {
  if (k === merges.length) return t.block(x);
  const y = merges[k];
  t.openMerge(y);
  within(t, x, merges, k + 1);
  t.close();
  emitTree(t, y);
}

/** Emits the transfer from block `from` along its edge to block `to` (-1: leave the region at `pc`). */
export function edge(t: StructuredTarget, from: number, to: number, pc: number): void {
  const { rpo, merge, idom } = t.cfg;
  if (to < 0) t.leave(pc);
  else if (rpo[to] <= rpo[from]) t.continueTo(to);
  else if (merge[to]) t.breakTo(to);
  else if (idom[to] === from) emitTree(t, to);
  else throw new Error(`region: block ${to} is neither a merge nor dominated by ${from}`);
}
