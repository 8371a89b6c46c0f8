// What stops each VM: breakpoints, watchpoints, the trap vector and one VM's temporary breakpoint armed on its CPU (again on every VM object a restore or a respawn creates), and instruction-count step targets.

import type { VmInstance } from '../ft/protocol/vm';

export interface WatchRange { addr: number; len: number }

/** A breakpoint on one VM only (a step over or out, a goto): the return address or the target. */
export interface TempStop { vm: number; addr: number }

export class StopSet {
  /** The code addresses a VM stops at (a cluster's VMs may run different programs, or not be debugged). */
  private codeOf: (v: VmInstance) => readonly number[] = () => [];
  private watches: WatchRange[] = [];
  /** Also stop at each VM's trap vector (its own mtvec), and at `trapVectorMoves` to follow it. */
  private trapVector = false;
  private trapVectorMovesOf: (v: VmInstance) => readonly number[] = () => [];
  private temp: TempStop | null = null;
  /** Depth of `only` scopes: while > 0 just the temporary breakpoint is armed (an internal search). */
  private onlyDepth = 0;

  /**
   * `vms`: the cluster's VMs now. `stepTargets`: the cluster's map of instruction counts at which a VM
   * stops (its run loop reads it; a restore clears it).
   */
  constructor(private readonly vms: () => readonly VmInstance[], private readonly stepTargets: Map<number, number>) {}

  /** VM `vm` stops once it has retired `instret` instructions. */
  setStepTarget(vm: number, instret: number): void {
    if (!(Number.isSafeInteger(instret) && instret >= 0)) throw new Error(`step target: bad instruction count ${instret}`);
    this.stepTargets.set(vm, instret);
  }

  clearStepTarget(vm: number): void {
    this.stepTargets.delete(vm);
  }

  clearStepTargets(): void {
    this.stepTargets.clear();
  }

  /** Code addresses every VM stops at. */
  setCode(addrs: Iterable<number>): void {
    const code = [...new Set([...addrs].map((a) => a >>> 0))];
    this.setCodeOf(() => code);
  }

  /** The code addresses each VM stops at (read again whenever a VM is armed). */
  setCodeOf(codeOf: (v: VmInstance) => readonly number[]): void {
    this.codeOf = codeOf;
    this.armAll();
  }

  setWatches(ranges: readonly WatchRange[]): void {
    for (const r of ranges) if (!(Number.isInteger(r.addr) && r.len > 0)) throw new Error(`watch: bad range ${JSON.stringify(r)}`);
    this.watches = ranges.map((r) => ({ addr: r.addr >>> 0, len: r.len }));
    this.armAll();
  }

  /** `movesOf(v)`: addresses just after VM `v`'s program writes mtvec, where the vector is looked up again. */
  setTrapVector(on: boolean, movesOf: (v: VmInstance) => readonly number[]): void {
    this.trapVector = on;
    this.trapVectorMovesOf = movesOf;
    this.armAll();
  }

  get tempStop(): TempStop | null {
    return this.temp;
  }

  /** Replaces the temporary breakpoint; only the VMs of the old and the new one are re-armed. */
  setTemp(t: TempStop | null): void {
    const old = this.temp;
    this.temp = t === null ? null : { vm: t.vm, addr: t.addr >>> 0 };
    for (const v of this.vms()) if (v.id === old?.vm || v.id === t?.vm) this.arm(v);
  }

  /** Runs `f` with only `t` armed (no user breakpoints, watchpoints or trap vector), then re-arms everything. */
  *only<T, P>(t: TempStop | null, f: () => Generator<P, T>): Generator<P, T> {
    const saved = this.temp;
    this.onlyDepth++;
    this.temp = t;
    this.armAll();
    try {
      return yield* f();
    } finally {
      this.onlyDepth--;
      if (this.onlyDepth < 0) throw new Error('invariant: stop set scopes nest');
      this.temp = saved;
      this.armAll();
    }
  }

  armAll(): void {
    for (const v of this.vms()) this.arm(v);
  }

  /** Puts this set's stops on one VM's CPU (again after the guest moved its trap vector). */
  arm(v: VmInstance): void {
    const cpu = v.machine.cpu;
    const pcs = new Set<number>();
    if (this.temp !== null && this.temp.vm === v.id) pcs.add(this.temp.addr);
    if (this.onlyDepth > 0) {
      cpu.setBreakpoints(pcs);
      cpu.setWatchpoints([]);
      return;
    }
    for (const a of this.codeOf(v)) pcs.add(a >>> 0);
    if (this.trapVector) {
      const vec = (cpu.mtvec & ~3) >>> 0;
      if (vec !== 0) pcs.add(vec);
      for (const a of this.trapVectorMovesOf(v)) pcs.add(a);
    }
    cpu.setBreakpoints(pcs);
    cpu.setWatchpoints(this.watches);
  }
}
