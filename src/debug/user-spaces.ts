// A Linux guest's user-space programs to the debugger: which one the hart runs (the kernel's current task's comm, read through the page tables) and its ELF's debug information (launch's userSymbolFiles).

import type { Machine } from '../machine/machine';
import type { Program } from '../machine/program';
import type { DwarfType, StructType } from '../machine/dwarf-types';
import { ABI_NAMES } from '../machine/abi';
import { MSTATUS_MPP, MSTATUS_SPP, PRIV_M, PRIV_S, PRIV_U } from '../machine/priv';
import { ProgramInfo, type UnwindStart } from './program-info';

/** A user-space program's ELF, as the launch read it: the process name (task comm) it describes. */
export interface UserSymbolFile { name: string; path: string; bytes: Uint8Array; program: Program }

/** One user-space program: the key its breakpoints' addresses go under (never a VM program's path), its process name and debug information. */
export interface UserSpace { key: string; name: string; info: ProgramInfo }

/** The registers a trap from user mode left in the kernel's `struct pt_regs`, and the cause: where the user program's frames go on. */
export interface TrapFrame { space: UserSpace; start: UnwindStart }

/** Kernel functions with a `struct task_struct *` parameter, whose unit's DWARF gives the struct (reading one unit of vmlinux, not every one). */
const TASK_FUNCTIONS = ['__get_task_comm', '__set_task_comm', 'wake_up_process', 'schedule_tail'];
/** Kernel functions with a `struct pt_regs *` parameter (arch/riscv/kernel/traps.c, fault.c). */
const REGS_FUNCTIONS = ['do_trap_ecall_u', 'do_trap_break', 'do_page_fault'];
/**
 * The kernel's trap entry (arch/riscv/kernel/entry.S, its symbol's size spanning its labels): the C handlers and
 * system calls it calls return into it (ret_from_syscall, ret_from_exception), their frame's CFA at the `struct
 * pt_regs` it saved.
 */
const TRAP_ENTRY = 'handle_exception';
/** scause of an ecall from U-mode: the kernel resumes the program after it (it advances the saved epc by 4). */
const ECALL_FROM_U = 8;

interface KernelLayout {
  comm: { offset: number; size: number };
  /** `struct pt_regs`: each integer register's offset (x1..x31), epc's, status's and cause's; undefined without its type. */
  regs: { x: Map<number, number>; epc: number; status: number; cause: number } | undefined;
}

export class UserSpaces {
  readonly spaces: UserSpace[];
  private readonly byName = new Map<string, UserSpace>();
  private layout: KernelLayout | null | undefined;

  /**
   * `kernel`: vmlinux's debug information; `kernelBase`: its lowest code address (a task_struct lies above it);
   * `problem`: told once why user-space programs cannot be told apart (the kernel's DWARF lacks a type).
   */
  constructor(private readonly kernel: ProgramInfo, files: readonly UserSymbolFile[], private readonly kernelBase: number, private readonly problem: (text: string) => void) {
    this.spaces = files.map((f) => ({ key: `user:${f.name}`, name: f.name, info: new ProgramInfo(f.program, f.path, f.bytes) }));
    for (const s of this.spaces) this.byName.set(s.name, s);
  }

  byKey(key: string): UserSpace | undefined {
    return this.spaces.find((s) => s.key === key);
  }

  /**
   * The kernel's `current` task_struct on the stopped hart: sscratch in U-mode (the trap entry swaps it into tp),
   * tp in S-mode (sscratch in the first instructions of the entry, before the swap). Undefined without paging or in M.
   */
  currentTask(m: Machine): number | undefined {
    if (!m.view.translating) return undefined;
    const cpu = m.cpu;
    const held = cpu.priv === PRIV_U ? [cpu.sscratch] : [cpu.x[4], cpu.sscratch];
    return held.map((a) => a >>> 0).find((a) => a >= this.kernelBase && m.view.contains(a, 1));
  }

  /** The name of task `task` (its comm) as the kernel keeps it, or undefined where it cannot be read. */
  taskName(m: Machine, task: number): string | undefined {
    const comm = this.kernelLayout()?.comm;
    if (comm === undefined || !m.view.contains(task + comm.offset, comm.size)) return undefined;
    const bytes = m.view.readBytes(task + comm.offset, comm.size);
    const end = bytes.indexOf(0);
    return String.fromCharCode(...bytes.subarray(0, end < 0 ? bytes.length : end));
  }

  /** The user-space program the hart runs now: in U-mode, in a process whose name has an ELF. */
  spaceAt(m: Machine): UserSpace | undefined {
    if (m.cpu.priv !== PRIV_U || this.spaces.length === 0) return undefined;
    const task = this.currentTask(m);
    const name = task === undefined ? undefined : this.taskName(m, task);
    return name === undefined ? undefined : this.byName.get(name);
  }

  /**
   * Under a kernel stack that a trap from user mode entered (`entrySp`: the CFA of the handler the trap entry
   * called, where the entry saved the user's registers), the user program's innermost frame: all its registers,
   * its pc (after the ecall of a system call: a return address). Undefined when the trap came from the kernel, or
   * the process has no ELF.
   */
  trapFrame(m: Machine, entrySp: number): TrapFrame | undefined {
    const regs = this.kernelLayout()?.regs;
    const task = this.currentTask(m);
    const name = task === undefined || m.cpu.priv !== PRIV_S ? undefined : this.taskName(m, task);
    const space = name === undefined ? undefined : this.byName.get(name);
    if (regs === undefined || space === undefined) return undefined;
    const word = (offset: number): number | undefined => m.view.word((entrySp + offset) >>> 0, 4);
    const status = word(regs.status);
    const epc = word(regs.epc);
    const cause = word(regs.cause);
    if (status === undefined || epc === undefined || cause === undefined || (status & MSTATUS_SPP) !== 0 || epc >= this.kernelBase) return undefined;
    const values = new Map<number, number>([[0, 0]]);
    for (const [n, offset] of regs.x) {
      const v = word(offset);
      if (v !== undefined) values.set(n, v);
    }
    if (!values.has(2)) return undefined;
    const syscall = cause === ECALL_FROM_U;
    return { space, start: { pc: epc, regs: values, caller: syscall, trapped: !syscall } };
  }

  /** Whether `pc` is in the kernel's trap entry code. */
  isTrapEntry(pc: number): boolean {
    const s = this.kernel.symbol(TRAP_ENTRY);
    return s !== undefined && s.size > 0 && pc >>> 0 >= s.addr && pc >>> 0 < s.addr + s.size;
  }

  /** task_struct's comm and pt_regs's registers, from vmlinux's DWARF (read once). */
  private kernelLayout(): KernelLayout | undefined {
    if (this.layout === undefined) {
      this.layout = null;
      const task = this.structParameter(TASK_FUNCTIONS, 'task_struct');
      const comm = task?.members.find((x) => x.name === 'comm');
      const size = comm === undefined ? undefined : arrayBytes(comm.type);
      if (comm === undefined || size === undefined) this.problem(`userSymbolFiles: the kernel's DWARF has no struct task_struct with a comm (looked for through the parameters of ${TASK_FUNCTIONS.join(', ')}), so the process running is unknown and user-space code has no symbols`);
      else this.layout = { comm: { offset: comm.offset, size }, regs: regsLayout(this.structParameter(REGS_FUNCTIONS, 'pt_regs')) };
    }
    return this.layout ?? undefined;
  }

  /** `struct name`, found as the pointee of a parameter of one of the kernel's functions `fns`. */
  private structParameter(fns: readonly string[], name: string): StructType | undefined {
    const d = this.kernel.dwarf;
    if (d === undefined) return undefined;
    for (const fn of fns) {
      const s = this.kernel.symbol(fn);
      if (s === undefined || s.kind !== 'func') continue;
      for (const v of d.functionAt(s.addr)?.variables ?? []) {
        const t = pointee(v.type);
        if (t?.kind !== 'struct' || t.name !== name) continue;
        const full = d.completeType(t);
        if (full.kind === 'struct' && !full.declaration) return full;
      }
    }
    return undefined;
  }
}

/**
 * Where the user program resumes after the trap the hart is taking from U-mode (its first instructions in the
 * kernel or firmware): the trap's epc, past the ecall of a system call. Undefined when the trap did not come from U.
 */
export function userResumeAddress(m: Machine): number | undefined {
  const cpu = m.cpu;
  if (cpu.priv === PRIV_S && (cpu.mstatus & MSTATUS_SPP) === 0) return (cpu.sepc + (cpu.scause === ECALL_FROM_U ? 4 : 0)) >>> 0;
  if (cpu.priv === PRIV_M && (cpu.mstatus & MSTATUS_MPP) === 0) return (cpu.mepc + (cpu.mcause === ECALL_FROM_U ? 4 : 0)) >>> 0;
  return undefined;
}

/** The type a pointer points at, through typedefs and qualifiers on either side. */
function pointee(t: DwarfType | undefined): DwarfType | undefined {
  const bare = (x: DwarfType | undefined): DwarfType | undefined => {
    for (let i = 0; i < 16 && x !== undefined && (x.kind === 'typedef' || x.kind === 'qualified'); i++) x = x.target;
    return x;
  };
  const p = bare(t);
  return p?.kind === 'pointer' ? bare(p.target) : undefined;
}

/** The size of a `char comm[16]` member. */
function arrayBytes(t: DwarfType): number | undefined {
  return t.kind === 'array' && t.count !== undefined ? t.count : undefined;
}

/** pt_regs's members by register (their names are the ABI's), epc, status and cause. */
function regsLayout(s: StructType | undefined): KernelLayout['regs'] {
  if (s === undefined) return undefined;
  const at = (name: string): number | undefined => s.members.find((x) => x.name === name)?.offset;
  const x = new Map<number, number>();
  for (let n = 1; n < 32; n++) {
    const offset = at(ABI_NAMES[n]) ?? (n === 8 ? at('fp') : undefined);
    if (offset !== undefined) x.set(n, offset);
  }
  const [epc, status, cause] = [at('epc'), at('status'), at('cause')];
  return epc === undefined || status === undefined || cause === undefined ? undefined : { x, epc, status, cause };
}
