// The secondary's side of record/replay: execute only what the log covers, deliver each logged input at its exact instruction.

import type { ClusterStop } from '../cluster';
import type { LogicalVm } from '../logical-vm';
import type { VmInstance } from './vm';
import type { LogEntry } from './log';
import { assert } from '../sim/assert';

const REPLAY_STEPS_MAX = 1_000_000;

/** Executes the secondary up to `maxTarget`, never past what the log covers, delivering logged inputs at their exact instret. */
export function replayUpTo(c: LogicalVm, vm: VmInstance, maxTarget: number): ClusterStop | null {
  const rx = vm.receiver;
  const m = vm.guest;
  for (let step = 0; step < REPLAY_STEPS_MAX; step++) {
    if (vm.status !== 'running' || vm.divergence !== null) return null;
    const input = rx.nextInput();
    if (input !== undefined && input.instret <= m.instret) {
      if (input.instret < m.instret || rx.peek() !== input) {
        c.diverged(vm, m.instret, m.pc, `the log delivers ${input.ev.kind} at instruction ${input.instret}; the secondary is at ${m.instret} with earlier log entries unused`);
        return null;
      }
      applyInput(c, vm, input);
      continue;
    }
    if (vm.idle) {
      if (input !== undefined || rx.coveredInstret > m.instret) {
        c.diverged(vm, m.instret, m.pc, `the secondary waits for an interrupt at instruction ${m.instret}, but the primary went on to ${input?.instret ?? rx.coveredInstret} without one in the log`);
        return null;
      }
      break;
    }
    const limit = Math.min(maxTarget, rx.coveredInstret, input?.instret ?? Infinity);
    if (limit <= m.instret) break;
    const stop = c.cluster.runMachine(vm, limit);
    assert(m.instret <= rx.coveredInstret, 'the secondary never runs past what the log covers');
    if (stop !== null) return stop;
  }
  checkMissedOutput(c, vm);
  rx.trim();
  return null;
}

function applyInput(c: LogicalVm, vm: VmInstance, input: LogEntry & { k: 'input' }): void {
  if (vm.idle) c.rebase(vm, vm.lastNs); // woken at the start of this slice: no banked credit
  vm.receiver.consume(input);
  if (input.ev.kind === 'diskDone') vm.pendingDisk.delete(input.ev.id);
  if (input.ev.kind === 'timer') vm.timerPending = input.ev.pending;
  vm.guest.deliver(input.ev);
  vm.idle = false;
}

function checkMissedOutput(c: LogicalVm, vm: VmInstance): void {
  const e = vm.receiver.peek();
  if (e !== undefined && e.k !== 'input' && e.instret < vm.guest.instret) {
    c.diverged(vm, vm.guest.instret, vm.guest.pc, `the primary logged ${e.k === 'output' ? 'an output' : `a ${e.kind} read`} at instruction ${e.instret} that the secondary did not make`);
  }
}
