// The contract of the guest machine: the environment door for nondeterminism, inputs, outputs, stop reasons.
//
// Everything nondeterministic a guest can observe enters through `Environment` (synchronous reads at
// an exact instruction) or through `Machine.deliver(InputEvent)` (asynchronous inputs applied between
// two instructions by whoever drives the machine). Everything the guest does to the outside world
// leaves through `Environment.output`. Record/replay (src/ft) is a matter of plugging two
// environments in and delivering the same inputs at the same instruction counts.

/** A synchronous nondeterministic read made by the guest while executing one instruction. */
export type ReadKind = 'time' | 'cycle' | 'entropy';

/** An input applied between two instructions (at an exact retired-instruction count). */
export type InputEvent =
  /** Machine timer interrupt line (CLINT MTIP) raised or lowered by the world's clock. */
  | { kind: 'timer'; pending: boolean }
  /** Bytes arriving on the UART receiver. */
  | { kind: 'uartRx'; bytes: Uint8Array }
  /** A packet arriving at the NIC. */
  | { kind: 'nicRx'; packet: Uint8Array }
  /** Completion of an earlier disk request; `data` is the sector data for reads (DMA into guest RAM). */
  | { kind: 'diskDone'; id: number; ok: boolean; data?: Uint8Array }
  /** An Ethernet frame (destination MAC first, no FCS) arriving at the virtio network device. */
  | { kind: 'netRx'; frame: Uint8Array };

/** Something the guest does to the world. Only the primary's outputs leave; the Output Rule holds them. */
export type GuestOutput =
  | { kind: 'uart'; byte: number }
  | { kind: 'nicTx'; packet: Uint8Array }
  /** An Ethernet frame the virtio network device sends (its virtio-net header stripped). */
  | { kind: 'netTx'; frame: Uint8Array }
  | { kind: 'diskRequest'; id: number; op: 'read' | 'write'; sector: number; count: number; data?: Uint8Array }
  /** Test device (0x5555 => 0, (code<<16)|0x3333 => code) or HTIF tohost (value>>1). */
  | { kind: 'exit'; code: number }
  /** The guest armed the machine timer: the world must raise MTIP when its time reaches `mtimecmp`. */
  | { kind: 'timerArm'; mtimecmp: number };

/** The one door for nondeterminism. Implementations: free-running (exec), record (primary), replay (secondary). */
export interface Environment {
  /** Value of a nondeterministic read at instruction count `instret` (instructions retired before this one) and `pc`. */
  read(kind: ReadKind, instret: number, pc: number): number;
  /** An output produced at instruction count `instret`. Must not re-enter the machine. */
  output(out: GuestOutput, instret: number, pc: number): void;
}

/** Why `Machine.run` returned. */
export type StopReason =
  | 'limit' // reached the requested instruction count
  | 'wfi' // waiting for an interrupt: nothing to do until an input arrives
  | 'exit' // the guest asked to power off (see `Machine.exitCode`)
  | 'breakpoint' // pc hit an instruction breakpoint (before executing it)
  | 'watchpoint' // a store hit a data breakpoint (after the store; see Machine.lastWatchHit)
  | 'fatal' // a trap with no handler, or a double fault: see `Machine.fatal`
  | 'requested'; // `requestStop()` was called (e.g. the environment's log buffer is full)

/** Standard RISC-V trap causes (mcause values without the interrupt bit). */
export const enum Cause {
  InstrMisaligned = 0,
  InstrAccessFault = 1,
  IllegalInstr = 2,
  Breakpoint = 3,
  LoadMisaligned = 4,
  LoadAccessFault = 5,
  StoreMisaligned = 6,
  StoreAccessFault = 7,
  EcallU = 8,
  EcallM = 11,
}

/** Interrupt causes (mcause with bit 31 set) and their mip/mie bit numbers. */
export const enum Irq {
  MSoft = 3,
  MTimer = 7,
  SExternal = 9,
  MExternal = 11,
}

/** Memory map (QEMU virt compatible where it matters). See docs/devices.md. */
export const MemMap = {
  testDevice: 0x0010_0000,
  clint: 0x0200_0000,
  plic: 0x0c00_0000,
  uart: 0x1000_0000,
  nic: 0x1000_1000,
  disk: 0x1000_2000,
  entropy: 0x1000_3000,
  /** QEMU virt's virtio-mmio slot 7, where QEMU puts its first virtio device (its 8 slots are 0x1000_1000 + 0x1000·n). */
  virtioBlk: 0x1000_8000,
  /** QEMU virt's virtio-mmio slot 6, where QEMU puts its second virtio device. */
  virtioNet: 0x1000_7000,
  ramBase: 0x8000_0000,
  ramSizeDefault: 16 * 1024 * 1024,
} as const;

/** PLIC interrupt source numbers. */
export const PlicSource = { disk: 1, nic: 2, virtioNet: 7, virtioBlk: 8, uart: 10 } as const;

/** Description of a fatal stop, shown to the user. */
export interface FatalInfo {
  cause: number;
  interrupt: boolean;
  pc: number;
  tval: number;
  message: string;
}
