// The two environments of vLockstep: RecordEnv samples the world and logs it (primary); ReplayEnv feeds the log back (secondary).

import type { Environment, GuestOutput, ReadKind } from '../../machine/types';
import type { NewLogEntry } from './log';
import { describeOutput, sameOutputKey } from './log';
import type { VmInstance } from './vm';

/** What the environments need from the cluster. */
export interface EnvHost {
  /** Samples the world for a read by `vm` at `instret` (time, cycle counter, entropy). */
  sample(vm: VmInstance, kind: ReadKind, instret: number): number;
  /** Appends an entry to the primary's log (if it is logging and the kind is not omitted by a what-if). */
  log(vm: VmInstance, entry: NewLogEntry): number;
  /** An output of the primary: held under the Output Rule, or released. */
  primaryOutput(vm: VmInstance, out: GuestOutput, instret: number, seq: number): void;
  /** The guest armed its timer. */
  timerArmed(vm: VmInstance, mtimecmp: number, instret: number): void;
  /** The secondary's execution disagreed with the log. */
  diverged(vm: VmInstance, instret: number, pc: number, why: string): void;
}

export class RecordEnv implements Environment {
  constructor(private readonly vm: VmInstance, private readonly host: EnvHost) {}

  read(kind: ReadKind, instret: number): number {
    const value = this.host.sample(this.vm, kind, instret);
    this.host.log(this.vm, { instret, k: 'read', kind, value });
    return value;
  }

  output(out: GuestOutput, instret: number): void {
    if (out.kind === 'timerArm') {
      this.host.timerArmed(this.vm, out.mtimecmp, instret);
      return;
    }
    // The primary knows its disk requests in flight too: a secondary copied from it needs them at go-live.
    if (out.kind === 'diskRequest') this.vm.pendingDisk.set(out.id, out);
    const seq = this.host.log(this.vm, { instret, k: 'output', out });
    this.host.primaryOutput(this.vm, out, instret, seq);
  }
}

export class ReplayEnv implements Environment {
  constructor(private readonly vm: VmInstance, private readonly host: EnvHost) {}

  read(kind: ReadKind, instret: number, pc: number): number {
    const rx = this.vm.receiver;
    const e = rx.peek();
    if (e !== undefined && e.k === 'read' && e.instret === instret) {
      if (e.kind !== kind) {
        this.host.diverged(this.vm, instret, pc, `the log has a ${e.kind} read at instruction ${instret}, the secondary read ${kind}`);
        return e.value;
      }
      rx.consume(e);
      return e.value;
    }
    if (e !== undefined && e.k === 'read' && e.instret < instret) {
      this.host.diverged(this.vm, instret, pc, `the log has a ${e.kind} read at instruction ${e.instret} that the secondary never made`);
    }
    // Not in the log (a what-if left it out): the secondary can only read its own hardware.
    return this.host.sample(this.vm, kind, instret);
  }

  output(out: GuestOutput, instret: number, pc: number): void {
    if (out.kind === 'timerArm') {
      this.vm.armedTimer = out.mtimecmp;
      this.vm.timerPending = false;
      return;
    }
    if (out.kind === 'diskRequest') this.vm.pendingDisk.set(out.id, out);
    const rx = this.vm.receiver;
    const e = rx.peek();
    if (e === undefined || e.k !== 'output' || e.instret !== instret) {
      const logged = e === undefined ? 'nothing more' : `${e.k} at instruction ${e.instret}`;
      this.host.diverged(this.vm, instret, pc, `the secondary produced ${describeOutput(out)} at instruction ${instret}; the log has ${logged}`);
      return;
    }
    if (!sameOutputKey(e.out, out)) {
      this.host.diverged(this.vm, instret, pc, `at instruction ${instret} the primary produced ${describeOutput(e.out)}, the secondary ${describeOutput(out)}`);
      return;
    }
    rx.consume(e);
    this.vm.replayedOutputs.push({ seq: e.seq, instret, out });
    if (this.vm.replayedOutputs.length > 4096) this.vm.replayedOutputs.splice(0, 2048); // bounded: only the unconfirmed tail matters
  }
}
