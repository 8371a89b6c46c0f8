// What the FT protocol drives of a VM's guest: this thread's Machine has it, and so has the ShadowMachine of a secondary running elsewhere.

import type { MachineSnapshot } from '../../machine/machine';
import type { Environment, InputEvent, StopReason } from '../../machine/types';

/**
 * A guest as the cluster runs, feeds and inspects it. Everything else of a Machine (its CPU's
 * registers, RAM, devices, breakpoints) belongs to the debugger, which only ever sees in-thread
 * machines (`VmInstance.machine`).
 */
export interface Guest {
  /** Instructions retired. */
  readonly instret: number;
  readonly pc: number;
  /** The code the guest powered off with (null: it did not). */
  readonly exitCode: number | null;
  /** The fatal trap that stopped it (null: none). */
  readonly fatal: { readonly message: string } | null;
  /** `cpu.requestStop()`: ends the slice being run after the current instruction (the cluster cuts a quantum). */
  readonly cpu: { requestStop(): void };
  setEnvironment(env: Environment): void;
  /** Delivers an asynchronous input at the current instruction. */
  deliver(ev: InputEvent): void;
  /** Runs until `limit` instructions have retired or the guest stops by itself. */
  run(limit: number): StopReason;
  restore(s: MachineSnapshot): void;
  snapshot(): MachineSnapshot;
  /** Hash of the complete guest state. */
  hash(): string;
}
