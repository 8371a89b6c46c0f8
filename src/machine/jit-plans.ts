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

import type { Decoded } from './decode';
import { type Block, fetchAt } from './jit-region';
import type { Ram } from './ram';

export interface Plan {
  ramBase: number;
  ramSize: number;
  blocks: Block[];
  /** A full region (its instructions may get resume variants) or a resume variant. */
  full: boolean;
}

const MAX_PLANS = 4096;
/** Plans per entry pc (the same pc may start different regions in different guest programs). */
const MAX_PLANS_PER_PC = 4;

const plans = new Map<number, Plan[]>();
let planCount = 0;
let generation = 0;

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

/** Forgets every plan (tests). */
export function clearPlans(): void {
  plans.clear();
  planCount = 0;
  generation++;
}
