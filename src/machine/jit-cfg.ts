// Fast-path control-flow analysis: a region's block graph made reducible, with the orders and dominators structured emission needs.

import { type Block, End } from './jit-region';
import { wRd } from './decode';
import { RD_SINK } from './cpu-exec';

/** A region's control-flow graph over block numbers (block 0 is the entry). */
export interface Cfg {
  /** Per block: in-region successor blocks of its terminator, in order (duplicates kept), or -1 where the edge leaves the region. */
  succ: number[][];
  /** Per block: reverse-postorder number, or -1 when unreachable (not emitted). */
  rpo: number[];
  /** Per block: immediate dominator (-1 for the entry and unreachable blocks). */
  idom: number[];
  /** Per block: dominator-tree children, in increasing reverse postorder. */
  children: number[][];
  /** Blocks that are the target of a back edge. */
  loopHeader: boolean[];
  /** Blocks with two or more forward in-edges. */
  merge: boolean[];
  /** Candidate targets of jalr blocks (the region's return sites), as block numbers. */
  returnSites: number[];
}

/** Successor pcs of each terminator kind, as the emitter will branch to them (jalr: the region's return sites). */
function successorPcs(b: Block, returnSites: number[]): number[] {
  switch (b.end) {
    case End.Branch: return [b.target, b.next];
    case End.Jal: case End.Fall: return [b.target];
    case End.Jalr: return returnSites;
    case End.Stop: return [];
  }
}

/** The pc after each block ending in a linking jump: where a jalr in the region most likely returns. */
function returnSitePcs(blocks: Block[]): number[] {
  const sites = new Set<number>();
  for (const b of blocks) {
    if ((b.end === End.Jal || b.end === End.Jalr) && wRd(b.insts[b.insts.length - 1].w) !== RD_SINK) sites.add(b.next);
  }
  return [...sites];
}

/** Builds the analysed graph; retreating edges that would make it irreducible are turned into exits. */
export function analyse(blocks: Block[]): Cfg {
  const index = new Map<number, number>();
  blocks.forEach((b, i) => index.set(b.head, i));
  const sitePcs = returnSitePcs(blocks);
  const succ = blocks.map((b) => successorPcs(b, sitePcs).map((pc) => index.get(pc) ?? -1));
  for (;;) {
    const { rpo, order } = reversePostorder(succ);
    const idom = dominators(succ, rpo, order);
    if (!dropIrreducibleEdges(succ, rpo, idom)) return finish(blocks, succ, rpo, idom, sitePcs.map((pc) => index.get(pc) ?? -1));
  }
}

function finish(blocks: Block[], succ: number[][], rpo: number[], idom: number[], returnSites: number[]): Cfg {
  const n = blocks.length;
  const children: number[][] = blocks.map(() => []);
  const loopHeader = new Array<boolean>(n).fill(false);
  const forwardIn = new Array<number>(n).fill(0);
  for (let u = 0; u < n; u++) {
    if (rpo[u] < 0) continue;
    if (idom[u] >= 0) children[idom[u]].push(u);
    for (const v of succ[u]) {
      if (v < 0) continue;
      if (rpo[v] <= rpo[u]) loopHeader[v] = true;
      else forwardIn[v]++;
    }
  }
  for (const c of children) c.sort((a, b) => rpo[a] - rpo[b]);
  return { succ, rpo, idom, children, loopHeader, merge: forwardIn.map((k) => k >= 2), returnSites };
}

/** Reverse-postorder numbers from block 0 (-1 when unreachable) and the blocks in that order. */
function reversePostorder(succ: number[][]): { rpo: number[]; order: number[] } {
  const n = succ.length;
  const seen = new Array<boolean>(n).fill(false);
  const post: number[] = [];
  // Iterative DFS (regions can be deep chains): a stack of [block, next successor index].
  const stack: [number, number][] = [[0, 0]];
  seen[0] = true;
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [u, k] = top;
    if (k < succ[u].length) {
      top[1]++;
      const v = succ[u][k];
      if (v >= 0 && !seen[v]) {
        seen[v] = true;
        stack.push([v, 0]);
      }
      continue;
    }
    post.push(u);
    stack.pop();
  }
  const order = post.reverse();
  const rpo = new Array<number>(n).fill(-1);
  order.forEach((u, i) => (rpo[u] = i));
  return { rpo, order };
}

/** Immediate dominators (Cooper, Harvey, Kennedy: "A Simple, Fast Dominance Algorithm"). */
function dominators(succ: number[][], rpo: number[], order: number[]): number[] {
  const n = succ.length;
  const preds: number[][] = succ.map(() => []);
  for (let u = 0; u < n; u++) if (rpo[u] >= 0) for (const v of succ[u]) if (v >= 0) preds[v].push(u);
  const idom = new Array<number>(n).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (rpo[a] > rpo[b]) a = idom[a];
      while (rpo[b] > rpo[a]) b = idom[b];
    }
    return a;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const u of order) {
      if (u === 0) continue;
      let d = -1;
      for (const p of preds[u]) if (idom[p] >= 0) d = d < 0 ? p : intersect(p, d);
      if (d !== idom[u]) {
        idom[u] = d;
        changed = true;
      }
    }
  }
  idom[0] = -1;
  return idom;
}

/** True when `a` dominates `b` (a block dominates itself). */
function dominates(idom: number[], a: number, b: number): boolean {
  for (let x = b; x >= 0; x = idom[x]) if (x === a) return true;
  return false;
}

/** Turns every retreating edge whose target does not dominate its source into an exit; true if any changed. */
function dropIrreducibleEdges(succ: number[][], rpo: number[], idom: number[]): boolean {
  let changed = false;
  for (let u = 0; u < succ.length; u++) {
    if (rpo[u] < 0) continue;
    const s = succ[u];
    for (let k = 0; k < s.length; k++) {
      const v = s[k];
      if (v >= 0 && rpo[v] <= rpo[u] && !dominates(idom, v, u)) {
        s[k] = -1;
        changed = true;
      }
    }
  }
  return changed;
}
