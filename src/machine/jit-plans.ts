// Region plans shared by every Cpu of the process: a CPU that reaches a pc where another one compiled a region adopts it at once, if its own RAM holds the same instructions there.
//
// The two VMs of a pair, a new secondary after a failover, the machines of a chaos campaign run the
// same guest code. Each used to profile it again (20 000 interpreted instructions per loop head)
// before compiling the region it would then find in the function cache. A plan is what a region is
// generated from (its blocks, with every decoded instruction, and the RAM geometry); a region is a
// pure function of its plan. Adopting re-decodes every instruction of the plan from the adopting
// CPU's RAM and takes the plan only if all are identical, so the region runs exactly what the
// interpreter would there: adoption changes when a CPU leaves the interpreter, never a result.
// Bounded, cleared when full; `generation` counts publications, so a dispatcher knows when a pc it
// has looked up before may have a plan now.
//
// Hints carry plans from one process to the next (a cache on disk, kept by the command line and the
// debug adapter): where a region started, where it stopped, and which blocks had run. A hint holds
// no code: a CPU that reaches a hinted pc discovers the region again from its own RAM, through those
// blocks only, so a stale, foreign or corrupt hint can only make it translate real code sooner or
// later, never run anything the interpreter would not.

import type { Decoded } from './decode';
import { type Block, fetchAt } from './jit-region';
import type { Ram } from './ram';

export interface Plan {
  ramBase: number;
  ramSize: number;
  blocks: Block[];
  /** A full region (its instructions may get resume variants) or a resume variant. */
  full: boolean;
  /** Where the region was made to stop (an outer loop's head, a variant's owner), as discovered. */
  stop: number | null;
}

/** How to discover a region again: its entry, its stop, whether it is full, and the block heads that had run. */
export interface PlanHint {
  entry: number;
  stop: number | null;
  full: boolean;
  heads: number[];
}

/** Hints kept at most (a program's worth: kvstore makes ~300 regions and variants, json ~240). */
const MAX_HINTS = 8192;
/** Block heads one hint may name (a region has at most MAX_REGION_BLOCKS blocks). */
const MAX_HINT_HEADS = 4096;

const MAX_PLANS = 4096;
/** Plans per entry pc (the same pc may start different regions in different guest programs). */
const MAX_PLANS_PER_PC = 4;

const plans = new Map<number, Plan[]>();
let planCount = 0;
let generation = 0;
const hints = new Map<number, PlanHint[]>();
let hintCount = 0;

/** Counts publications (and clears): a dispatcher that saw this value has seen every plan. */
export function plansGeneration(): number {
  return generation;
}

/** Makes a region's plan available to every CPU (the newest first). */
export function publishPlan(entry: number, plan: Plan): void {
  if (planCount >= MAX_PLANS) {
    plans.clear();
    planCount = 0;
  }
  const list = plans.get(entry | 0) ?? [];
  list.unshift(plan);
  if (list.length > MAX_PLANS_PER_PC) list.pop();
  else planCount++;
  plans.set(entry | 0, list);
  generation++;
}

/** A plan for a region at `entry` whose every instruction `ram` holds, or undefined. */
export function findPlan(entry: number, ram: Ram): Plan | undefined {
  const list = plans.get(entry | 0);
  if (list === undefined) return undefined;
  return list.find((p) => p.ramBase === ram.base && p.ramSize === ram.size && holds(ram, p.blocks));
}

/** True when decoding `ram` at every instruction of the blocks gives exactly the plan's instructions. */
function holds(ram: Ram, blocks: Block[]): boolean {
  const d: Decoded = { w: 0, imm: 0 };
  for (const b of blocks) {
    for (const i of b.insts) {
      if (fetchAt(ram, i.pc, d) !== i.len || d.w !== i.w || d.imm !== i.imm) return false;
    }
  }
  return true;
}

/**
 * Every plan of the process as a hint, and every hint taken that no plan repeats (what a cache on
 * disk keeps, what a worker thread is started with).
 */
export function exportPlanHints(): PlanHint[] {
  const out: PlanHint[] = [];
  const seen = new Set<string>();
  const add = (h: PlanHint): void => {
    const key = `${h.entry}:${h.stop}:${h.full}:${h.heads.join(',')}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(h);
  };
  for (const [entry, list] of plans) {
    for (const p of list) add({ entry, stop: p.stop, full: p.full, heads: p.blocks.map((b) => b.head) });
  }
  for (const list of hints.values()) list.forEach(add);
  return out;
}

/**
 * Takes hints from an earlier process (their shape checked; anything else in `data` is ignored).
 * Returns how many were taken. Bounded: past MAX_HINTS the rest are dropped.
 */
export function importPlanHints(data: unknown): number {
  if (!Array.isArray(data)) return 0;
  let taken = 0;
  for (const h of data) {
    if (hintCount >= MAX_HINTS) break;
    if (!isHint(h)) continue;
    const list = hints.get(h.entry | 0) ?? [];
    if (list.length >= MAX_PLANS_PER_PC) continue;
    list.push({ entry: h.entry | 0, stop: h.stop === null ? null : h.stop | 0, full: h.full, heads: h.heads.map((x) => x | 0) });
    hints.set(h.entry | 0, list);
    hintCount++;
    taken++;
  }
  if (taken > 0) generation++;
  return taken;
}

function isInt32ish(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= -0x8000_0000 && x <= 0xffff_ffff;
}

function isHint(h: unknown): h is PlanHint {
  if (typeof h !== 'object' || h === null) return false;
  const r = h as Record<string, unknown>;
  return isInt32ish(r.entry) && (r.stop === null || isInt32ish(r.stop)) && typeof r.full === 'boolean'
    && Array.isArray(r.heads) && r.heads.length >= 1 && r.heads.length <= MAX_HINT_HEADS && r.heads.every(isInt32ish);
}

/** The hints taken for a region entry at `entry` (empty when there are none). */
export function hintsAt(entry: number): readonly PlanHint[] {
  return hints.get(entry | 0) ?? [];
}

/** Forgets every plan and hint (tests). */
export function clearPlans(): void {
  plans.clear();
  planCount = 0;
  hints.clear();
  hintCount = 0;
  generation++;
}
