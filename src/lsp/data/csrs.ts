// CSR reference data: number, meaning and key fields of the CSRs a bare-metal guest touches.
import { csrNames } from '../../asm/index';
import { csrNumber } from '../../asm/registers';
import { csrExists } from '../../machine/csr';

export interface CsrDoc {
  name: string;
  num: number;
  meaning: string;
  fields: string[];
  /** True when the Lockstep machine implements it (others trap as illegal instructions). */
  implemented: boolean;
}

const MEANING: Record<string, [string, string[]?]> = {
  mstatus: ['machine status', ['bit 3 MIE: global machine interrupt enable', 'bit 7 MPIE: MIE before the trap (restored by mret)', 'bits 12:11 MPP: privilege before the trap (0 U, 1 S, 3 M; mret returns there)', 'bit 1 SIE / bit 5 SPIE / bit 8 SPP: the S-mode counterparts', 'bit 17 MPRV: loads and stores use MPP\'s privilege and translation', 'bit 18 SUM / bit 19 MXR: S-mode access to user pages, loads from executable pages', 'bits 20-22 TVM, TW, TSR: trap satp/sfence.vma, wfi, sret in S-mode']],
  mie: ['machine interrupt enable', ['bit 3 MSIE: software (CLINT msip)', 'bit 7 MTIE: timer (CLINT mtimecmp)', 'bit 11 MEIE: external (PLIC)', 'bits 1, 5, 9 SSIE, STIE, SEIE: the S-level interrupts']],
  mip: ['machine interrupt pending', ['bit 3 MSIP: software interrupt pending', 'bit 7 MTIP: timer interrupt pending', 'bit 11 MEIP: external interrupt pending', 'bits 1, 5, 9 SSIP, STIP, SEIP: S-level, written by M-mode software (STIP: an SBI timer)']],
  mcause: ['machine trap cause', ['bit 31 Interrupt: 1 for interrupts, 0 for exceptions', 'bits 30:0 code: interrupts 3 software, 7 timer, 11 external; exceptions 0 misaligned fetch, 1 fetch fault, 2 illegal instruction, 3 breakpoint, 4 misaligned load, 5 load fault, 6 misaligned store/AMO, 7 store/AMO fault, 8/9/11 ecall from U/S/M, 12/13/15 instruction/load/store page fault']],
  mtvec: ['machine trap vector', ['bits 1:0 MODE: 0 direct (all traps to BASE), 1 vectored (interrupts to BASE + 4·cause)', 'bits 31:2 BASE: handler address (4-byte aligned)']],
  mepc: ['machine exception PC: address of the trapping instruction (mret returns there)'],
  mtval: ['machine trap value: faulting address or instruction bits'],
  mscratch: ['machine scratch register (for the trap handler)'],
  misa: ['ISA and extensions (RV32IMAC with S and U modes here)', ['bits 31:30 MXL = 1 (32-bit)', 'bits 25:0 one bit per extension letter (A, C, I, M, S, U)']],
  mhartid: ['hardware thread id (0)'], mvendorid: ['vendor id (0)'], marchid: ['architecture id'], mimpid: ['implementation id'],
  mconfigptr: ['configuration structure pointer (0)'], mstatush: ['upper half of mstatus (RV32)'],
  mcycle: ['machine cycle counter, low word (an input: comes from the environment)'], mcycleh: ['machine cycle counter, high word'],
  minstret: ['instructions retired, low word'], minstreth: ['instructions retired, high word'],
  cycle: ['cycle counter, low word (read-only shadow of mcycle)'], cycleh: ['cycle counter, high word'],
  time: ['real time, low word (10 MHz ticks; an input)'], timeh: ['real time, high word'],
  instret: ['instructions retired, low word (read-only shadow)'], instreth: ['instructions retired, high word'],
  medeleg: ['machine exception delegation'], mideleg: ['machine interrupt delegation'], mcounteren: ['counter enable for lower modes'],
  satp: ['supervisor address translation and protection', ['bit 31 MODE: 0 bare, 1 Sv32', 'bits 30:22 ASID', 'bits 21:0 PPN of the root page table']], sstatus: ['supervisor status'], stvec: ['supervisor trap vector'],
  sepc: ['supervisor exception PC'], scause: ['supervisor trap cause'], stval: ['supervisor trap value'],
  sie: ['supervisor interrupt enable'], sip: ['supervisor interrupt pending'], sscratch: ['supervisor scratch'],
  fflags: ['floating-point exception flags'], frm: ['floating-point rounding mode'], fcsr: ['floating-point control and status'],
};

function familyMeaning(name: string): string {
  if (/^m?hpmcounter\d+h?$/.test(name)) return 'hardware performance counter';
  if (/^mhpmevent\d+$/.test(name)) return 'performance event selector';
  if (/^pmpcfg\d+$/.test(name)) return 'physical memory protection configuration';
  if (/^pmpaddr\d+$/.test(name)) return 'physical memory protection address';
  if (/^(tselect|tdata\d|mcontext)$/.test(name)) return 'debug trigger register';
  if (/^(dcsr|dpc|dscratch\d)$/.test(name)) return 'debug-mode register';
  return 'control and status register';
}

/** Documentation of a CSR by name, or undefined for names the assembler does not know. */
export function csrDoc(name: string): CsrDoc | undefined {
  const num = csrNumber(name.toLowerCase());
  if (num === undefined) return undefined;
  const [meaning, fields] = MEANING[name.toLowerCase()] ?? [familyMeaning(name.toLowerCase())];
  return { name: name.toLowerCase(), num, meaning, fields: fields ?? [], implemented: csrExists(num) };
}

export function allCsrNames(): string[] {
  return csrNames();
}
