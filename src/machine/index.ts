// The public API of the guest machine (src/machine): the contract, the machine facade, devices, snapshots, the free runner.

export * from './types';
export { Ram, PAGE_SIZE, PAGE_SHIFT } from './ram';
export { Bus, type MmioDevice } from './bus';
export type { Program, Segment, ProgramSymbol, LineRow } from './program';
export { Cpu, type CpuState } from './cpu';
export {
  Machine, DEFAULT_DISK_SECTORS,
  type MachineOptions, type MachineSnapshot, type MachineDevices, type DevicesState,
} from './machine';
export { type RamImage, copiedPages } from './snapshot';
export { Hash64 } from './hash';
export {
  StandaloneEnvironment, runStandalone, CYCLES_PER_TIME_TICK,
  type StandaloneOptions, type StandaloneRunOptions, type StandaloneResult,
} from './standalone';
export type { Device, DeviceHost, IrqLine } from './devices/device';
export { TestDevice } from './devices/test-device';
export { Clint, type ClintState } from './devices/clint';
export { Plic, PLIC_SOURCES, type PlicState } from './devices/plic';
export { Uart, UART_RX_CAPACITY, type UartState } from './devices/uart';
export { Nic, NIC_ID, NIC_MAX_PACKET_BYTES, NIC_RX_CAPACITY, type NicState } from './devices/nic';
export { Disk, DISK_ID, SECTOR_BYTES, DISK_MAX_SECTORS_PER_REQUEST, DISK_BUSY, DISK_DONE, DISK_ERROR, type DiskState, type DiskRequest } from './devices/disk';
export { EntropyDevice } from './devices/entropy';
export { loadElf, ProgramFormatError } from './elf';
export { disassemble, disassembleRange, DisasmContext, type Disassembly, type DisasmLine, type DisasmOptions } from './disasm';
export { parseDebugLine, findLineRow, lineAddresses, resolveBreakpoint } from './dwarf';
export { DebugInfo, type InlineFrame, type UnitSummary } from './dwarf-debug-info';
export type { CompileUnit, DwarfFunction, InlinedCall, BlockScope, Scope, Variable, LocationDesc } from './dwarf-scopes';
export type {
  DwarfType, BaseType, PointerType, QualifiedType, TypedefType, StructType, Member, ArrayType, EnumType, Enumerator, FunctionType, UnknownType,
} from './dwarf-types';
export { stripTypedefs } from './dwarf-types';
export { typeName, typeSize } from './dwarf-type-util';
export { evaluateExpression, registerName, OPTIMIZED_OUT, type Location, type SimpleLocation, type Piece, type MachineAccess } from './dwarf-expr';
export { evaluateLocation, frameBaseValue, readLocationBytes, readBitField, isComplete, type ValueBytes } from './dwarf-value';
export { prologueEndFromLines } from './dwarf-prologue';
export type { PcRange } from './dwarf-lists';
