// What the debugger knows of the guest program's text: source line map, symbols, call/prologue decoding and a simple stack unwinder.

import { resolve, dirname, isAbsolute } from 'node:path';
import { existsSync } from 'node:fs';
import type { Program, LineRow, ProgramSymbol } from '../machine/program';
import type { Machine } from '../machine/machine';
import { lastRowAtOrBefore, lineAddresses, resolveBreakpoint } from '../machine/dwarf';
import { callAt, fetchInstruction, readWord } from '../machine/calls';
import { DebugInfo } from '../machine/dwarf-debug-info';
import { CallFrameInfo, cfiStep } from '../machine/dwarf-cfi';
import { CALLEE_SAVED } from '../machine/abi';
import { ehFrameFromElf, debugSectionsFromElf } from '../machine/dwarf-sections';
import type { Scope } from '../machine/dwarf-scopes';
import { loadElfSymbols, type SymbolFile } from '../machine/elf';
import { SymbolUnits } from '../machine/symbol-units';

export interface SourceLocation { path: string; line: number; column: number }

export interface Frame {
  pc: number;
  /** Stack pointer of the frame (its CFA for callers). */
  sp: number;
  /** The function containing pc, when a symbol covers it. */
  fn: ProgramSymbol | undefined;
  /** True for a frame whose pc is a return address (line lookup uses pc - 1). */
  caller: boolean;
  /** This frame was interrupted by a trap (its pc is mepc, exact). */
  trapped: boolean;
  /** Its canonical frame address (the caller's sp), when the unwinder got that far. */
  cfa: number | undefined;
  /** A caller frame's registers call frame information recovered (sp, the callee-saved ones), an unwind start's all; undefined for the machine's innermost frame (it has them all) and where prologue analysis unwound. */
  regs: ReadonlyMap<number, number> | undefined;
}

/** Where an unwind starts other than at the machine's own registers: a user program's frame under a kernel stack. */
export interface UnwindStart {
  pc: number;
  /** Every register known there (the kernel saved them all). */
  regs: ReadonlyMap<number, number>;
  /** The pc is a return address (after a system call's ecall): its line is the one before. */
  caller: boolean;
  /** A trap interrupted the code at pc (exact). */
  trapped: boolean;
}

export { ABI_NAMES, hex8 as hex } from '../machine/abi';

/**
 * The debug information of a program whose code another ELF describes, as GDB's `symbol-file` gives it: a kernel's
 * vmlinux, linked at the virtual addresses it runs at, behind the firmware that loads it. The program's own symbols
 * come first, then the symbol file's; the line table, DWARF and call frame information are the symbol file's.
 * Throws ProgramFormatError when the file is not a readable ELF.
 */
export function withSymbolFile(program: Program, symbolPath: string, bytes: Uint8Array, read?: SymbolFile): ProgramInfo {
  const file = read ?? loadElfSymbols(bytes, symbolPath);
  const warnings = [...(program.warnings ?? []), ...file.warnings];
  const merged: Program = { ...program, symbols: [...program.symbols, ...file.symbols], lines: file.lines, ...(warnings.length > 0 ? { warnings } : {}) };
  return new ProgramInfo(merged, symbolPath, bytes);
}

export class ProgramInfo {
  /** Line rows with every file resolved to an absolute path (DWARF paths relative to the program's folder). */
  readonly lines: LineRow[];
  private readonly funcs: ProgramSymbol[];
  private readonly byName = new Map<string, ProgramSymbol>();
  private readonly stmtStarts: Set<number>;

  private debugInfo: DebugInfo | null | undefined;

  /** `bytes`: the program file, when it is an ELF whose .debug_info may describe C functions, variables and types. */
  constructor(readonly program: Program, readonly programPath: string, private readonly bytes?: Uint8Array) {
    const found = new Map<string, string>();
    const where = (file: string): string => {
      if (!found.has(file)) found.set(file, sourcePath(dirname(programPath), file));
      return found.get(file)!;
    };
    this.lines = program.lines.map((r) => ({ ...r, file: where(r.file) }));
    this.funcs = program.symbols.filter((s) => s.kind === 'func' || s.kind === 'label').sort((a, b) => a.addr - b.addr);
    for (const s of program.symbols) if (!this.byName.has(s.name)) this.byName.set(s.name, s);
    this.stmtStarts = new Set(this.lines.filter((r) => r.isStmt && !r.endSequence && r.line !== 0).map((r) => r.addr >>> 0));
  }

  /** The program's call frame information (.debug_frame, else .eh_frame), read on first use (undefined without one). */
  get cfi(): CallFrameInfo | undefined {
    if (this.frameInfo === undefined) {
      this.frameInfo = null;
      const b = this.bytes;
      const elf = b !== undefined && b.length > 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
      try {
        const debugFrame = elf ? debugSectionsFromElf(b).frame : undefined;
        const eh = elf && debugFrame === undefined ? ehFrameFromElf(b) : undefined;
        if (debugFrame !== undefined) this.frameInfo = new CallFrameInfo(debugFrame);
        else if (eh !== undefined) this.frameInfo = new CallFrameInfo(eh.data, { addr: eh.addr });
      } catch {
        this.frameInfo = null; // an unreadable section table: prologue analysis serves
      }
    }
    return this.frameInfo ?? undefined;
  }

  private frameInfo: CallFrameInfo | null | undefined;

  /** The program's .debug_info, read on first use (undefined without one). */
  get dwarf(): DebugInfo | undefined {
    if (this.debugInfo === undefined) {
      const b = this.bytes;
      const elf = b !== undefined && b.length > 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
      const d = elf ? DebugInfo.fromElf(b) : undefined;
      this.debugInfo = d !== undefined && d.hasInfo ? d : null;
    }
    return this.debugInfo ?? undefined;
  }

  /**
   * Which compile units may define a symbol, from the symbol table of the ELF the DWARF is in (read on first use): how a
   * program of many units (DebugInfo.large) finds a global's unit without reading them all.
   */
  get symbolUnits(): SymbolUnits {
    this.unitsBySymbol ??= SymbolUnits.fromElf(this.bytes ?? new Uint8Array(0), this.dwarf?.units() ?? []);
    return this.unitsBySymbol;
  }

  private unitsBySymbol: SymbolUnits | undefined;

  /**
   * Where a function breakpoint on `fn` goes, as GDB puts it: past the prologue (the line table's
   * prologue end, or the function's second line row), except in GCC's optimized code (a unit with location
   * lists), whose variables' locations GDB trusts from the first instruction on.
   */
  functionBreakAddr(fn: ProgramSymbol): number {
    const d = this.dwarf;
    const f = d?.functionAt(fn.addr);
    if (d === undefined || f === undefined || f.entryPc !== fn.addr) return fn.addr >>> 0;
    const unit = d.unitAt(fn.addr);
    const trusted = unit !== undefined && gccAtLeast45(unit.producer) && unit.functions.some((g) => hasLocationList(g));
    return trusted ? fn.addr >>> 0 : d.prologueEnd(fn.addr, this.program.lines) >>> 0;
  }

  /** True when a statement row of the line table starts at `addr` (where line steps stop). */
  isStatementStart(addr: number): boolean {
    return this.stmtStarts.has(addr >>> 0);
  }

  /** Addresses just after each instruction that writes mtvec (csrrw/csrrs/csrrc/…i with csr 0x305) in executable segments. */
  get afterMtvecWrites(): number[] {
    if (this.mtvecWrites === undefined) {
      const out: number[] = [];
      for (const seg of this.program.segments) {
        if (!seg.executable) continue;
        const d = seg.data;
        for (let i = 0; i + 4 <= d.length; i += 2) {
          const w = (d[i] | (d[i + 1] << 8) | (d[i + 2] << 16) | (d[i + 3] << 24)) >>> 0;
          if ((w & 0x7f) === 0x73 && (w >>> 20) === 0x305 && ((w >>> 12) & 7) !== 0 && ((w >>> 12) & 7) !== 4) out.push((seg.addr + i + 4) >>> 0);
        }
      }
      this.mtvecWrites = out;
    }
    return this.mtvecWrites;
  }

  private mtvecWrites: number[] | undefined;

  get sourceFiles(): string[] {
    return [...new Set(this.lines.map((l) => l.file))];
  }

  symbol(name: string): ProgramSymbol | undefined {
    return this.byName.get(name);
  }

  get symbols(): readonly ProgramSymbol[] {
    return this.program.symbols;
  }

  /** The function (or, failing that, the nearest code label) containing `addr`. */
  functionAt(addr: number): ProgramSymbol | undefined {
    const a = addr >>> 0;
    let best: ProgramSymbol | undefined;
    for (const s of this.funcs) {
      if (s.addr > a) break;
      if (s.kind === 'func' && s.size > 0 && a < s.addr + s.size) best = s;
      else if (best === undefined || best.kind !== 'func' || a >= best.addr + best.size) best = s;
    }
    if (best !== undefined && best.kind === 'func' && best.size > 0 && a >= best.addr + best.size) return undefined;
    return best;
  }

  /** `name+0x1c` for an address inside a known function or label. */
  symbolize(addr: number): string | undefined {
    const s = this.functionAt(addr);
    if (s === undefined) return undefined;
    const off = (addr >>> 0) - s.addr;
    return off === 0 ? s.name : `${s.name}+0x${off.toString(16)}`;
  }

  /** Source position of `addr`; of several rows at one address, the last statement row (the line that starts there). */
  location(addr: number): SourceLocation | undefined {
    const rows = this.lines;
    const i = lastRowAtOrBefore(rows, addr >>> 0);
    if (i < 0 || rows[i].endSequence) return undefined;
    let row = rows[i];
    for (let j = i; j >= 0 && rows[j].addr === rows[i].addr && !rows[j].endSequence; j--) {
      if (rows[j].isStmt) {
        row = rows[j];
        break;
      }
    }
    return row.line === 0 ? undefined : { path: row.file, line: row.line, column: row.column + 1 };
  }

  /** `path:line` of `addr` (a comparable key of its source line), undefined where there is no line information. */
  lineKey(addr: number): string | undefined {
    const l = this.location(addr);
    return l === undefined ? undefined : `${l.path}:${l.line}`;
  }

  /** Breakpoint addresses for file:line (the next line with code when that line has none). */
  resolveLine(path: string, line: number): { line: number; addrs: number[] } | undefined {
    const file = resolve(path);
    const exact = lineAddresses(this.lines, file, line);
    if (exact.length > 0) return { line, addrs: exact };
    return resolveBreakpoint(this.lines, file, line, 20);
  }

  /** Addresses where a line of code starts (for goto targets). */
  lineStarts(path: string, line: number): number[] {
    return lineAddresses(this.lines, resolve(path), line);
  }

  /**
   * The canonical frame address of the innermost frame: the stack pointer its caller had (the same
   * before, during and after the prologue), from call frame information where the program has it, else
   * from the prologue. The stack pointer itself when the pc is in no function.
   */
  frameCfa(m: Machine): number {
    const pc = m.cpu.pc >>> 0;
    const sp = m.cpu.x[2] >>> 0;
    const row = this.cfi?.rowAt(pc);
    if (row !== undefined && row.cfaReg > 0 && row.cfaReg < 32) return (m.cpu.x[row.cfaReg] + row.cfaOffset) >>> 0;
    const fn = this.functionAt(pc);
    return fn === undefined ? sp : (sp + scanPrologue(m, fn.addr, pc).frameSize) >>> 0;
  }

  /**
   * Unwinds frames from the machine's state: through call frame information where the program has it
   * (which also recovers each caller's callee-saved registers), else by prologue analysis (addi sp / sw ra);
   * trap frames via mepc. From `start` instead of the machine's registers when given (its first frame carries them).
   */
  unwind(m: Machine, max = 32, start?: UnwindStart): Frame[] {
    const cpu = m.cpu;
    const frames: Frame[] = [];
    let pc = (start?.pc ?? cpu.pc) >>> 0;
    let sp = (start?.regs.get(2) ?? cpu.x[2]) >>> 0;
    let regs = new Map<number, number>(start?.regs ?? Array.from({ length: 32 }, (_, n) => [n, cpu.x[n] >>> 0]));
    let caller = start?.caller ?? false;
    let trapped = start?.trapped ?? false;
    let recovered = start !== undefined; // regs came from call frame information or the start (else only sp, and maybe ra, are known)
    const trapVector = (cpu.mtvec & ~3) >>> 0;
    const word = (a: number): number | undefined => readWord(m, a);
    for (let depth = 0; depth < max; depth++) {
      const lookup = caller ? (pc - 1) >>> 0 : pc; // a return address may be past its function (a noreturn call)
      const fn = this.functionAt(lookup);
      const frame: Frame = { pc, sp, fn, caller, trapped, cfa: undefined, regs: recovered ? regs : undefined };
      frames.push(frame);
      const atVector = fn !== undefined && fn.addr === trapVector && trapVector !== 0;
      const row = atVector ? undefined : this.cfi?.rowAt(lookup);
      const step = row === undefined ? undefined : cfiStep(row, regs, word, CALLEE_SAVED);
      if (step !== undefined) {
        frame.cfa = step.cfa;
        const ra = step.returnAddress;
        if (ra === undefined || ra === 0 || !m.view.contains(ra, 2) || (ra === pc && step.cfa === sp)) break;
        pc = ra;
        sp = step.cfa;
        regs = step.callerRegs;
        caller = true;
        trapped = false;
        recovered = true;
        continue;
      }
      if (fn === undefined) break;
      const pro = scanPrologue(m, fn.addr, pc);
      const cfa = (sp + pro.frameSize) >>> 0;
      frame.cfa = cfa;
      const nextRa = pro.raOffset !== null ? word((sp + pro.raOffset) >>> 0) : regs.get(1);
      if (atVector) {
        // The trap vector: the interrupted code's pc is mepc, its ra is the one saved by the vector.
        pc = cpu.mepc >>> 0;
        sp = cfa;
        regs = new Map(nextRa === undefined ? [[2, cfa]] : [[2, cfa], [1, nextRa]]);
        caller = false;
        trapped = true;
        recovered = false;
        continue;
      }
      if (nextRa === undefined || nextRa === 0 || !m.view.contains(nextRa, 2)) break;
      if (pro.raOffset === null && depth > 0) break; // a non-leaf frame without a saved ra: unknown
      if (fn.addr === (this.program.entry >>> 0)) break; // nothing calls the entry point (ra there is left over from its own calls)
      if (!returnAddress(m, nextRa)) break; // ra set by the auipc of a `call` not yet made, or never a return address
      if (nextRa === pc && cfa === sp) break;
      pc = nextRa;
      sp = cfa;
      regs = new Map([[2, cfa]]);
      caller = true;
      trapped = false;
      recovered = false;
    }
    return frames;
  }
}

/** Whether `ra` can be a return address: the instruction just before it is a call (a 4-byte one, or a compressed one). */
function returnAddress(m: Machine, ra: number): boolean {
  return callAt(m, (ra - 4) >>> 0)?.len === 4 || callAt(m, (ra - 2) >>> 0)?.len === 2;
}

/** Stack adjustment and saved-ra slot of a function's prologue, counting only instructions before `pc`. */
export function scanPrologue(m: Machine, start: number, pc: number): { frameSize: number; raOffset: number | null } {
  let frameSize = 0;
  let raOffset: number | null = null;
  let a = start >>> 0;
  for (let n = 0; n < 48 && a < pc; n++) {
    const f = fetchInstruction(m, a);
    if (f === undefined) break;
    const { w, len } = f;
    if (len === 4) {
      if ((w & 0xfffff) === 0x10113) {
        const imm = w >> 20;
        if (imm < 0) frameSize += -imm;
        else break; // epilogue
      } else if ((w & 0x7f) === 0x23 && ((w >>> 12) & 7) === 2 && ((w >>> 15) & 31) === 2 && ((w >>> 20) & 31) === 1) {
        raOffset = ((w >> 25) << 5) | ((w >>> 7) & 31);
      } else if ((w & 0x7f) === 0x67 || (w & 0x7f) === 0x6f) {
        break; // a jump: end of the prologue (conditional branches are passed: GCC shrink-wraps early exits)
      }
    } else {
      if ((w & 0xef83) === 0x6101) {
        let imm = (((w >>> 12) & 1) << 9) | (((w >>> 6) & 1) << 4) | (((w >>> 5) & 1) << 6) | (((w >>> 3) & 3) << 7) | (((w >>> 2) & 1) << 5);
        if (imm & 0x200) imm -= 0x400;
        if (imm < 0) frameSize += -imm;
        else break;
      } else if ((w & 0xef83) === 0x0101) {
        let imm = (((w >>> 12) & 1) << 5) | ((w >>> 2) & 31);
        if (imm & 0x20) imm -= 0x40;
        if (imm < 0) frameSize += -imm;
        else break;
      } else if ((w & 0xe003) === 0xc002 && ((w >>> 2) & 31) === 1) {
        raOffset = (((w >>> 9) & 15) << 2) | (((w >>> 7) & 3) << 6);
      } else if ((w & 0xe003) === 0xa001 || (w & 0xe003) === 0x2001
        || ((w & 0xf003) === 0x8002 && ((w >>> 2) & 31) === 0) || ((w & 0xf003) === 0x9002 && ((w >>> 2) & 31) === 0)) {
        break; // c.j, c.jal, c.jr, c.jalr
      }
    }
    a += len;
  }
  if (raOffset !== null && raOffset >= frameSize && frameSize > 0) raOffset = null;
  return { frameSize, raOffset };
}

/** Whether any variable of a function (its blocks and inlined calls included) has a location list: optimized code. */
/**
 * Whether a unit's producer is GCC 4.5 or later: GDB trusts the locations of such a unit at a function's
 * first instruction when it has location lists (no other compiler's: Clang -O0 writes lists too).
 */
function gccAtLeast45(producer: string | undefined): boolean {
  const m = /^GNU .*?\b(\d+)\.(\d+)/.exec(producer ?? ''); // `GNU C17 12.2.0 -march=…`
  return m !== null && (Number(m[1]) > 4 || (Number(m[1]) === 4 && Number(m[2]) >= 5));
}

function hasLocationList(s: Scope, depth = 0): boolean {
  if (depth > 64) return false;
  return s.variables.some((v) => v.location.kind === 'list') || s.children.some((c) => hasLocationList(c, depth + 1));
}

/** Folders above the program's a relative source path is also looked for in (an ELF built into a `build/` folder). */
const SOURCE_SEARCH_UP = 3;

/**
 * Where a line table's file is: absolute as recorded, else relative to the program's folder, or to a folder
 * above it where the file exists (DWARF paths are relative to a compilation folder the ELF may have left).
 */
function sourcePath(base: string, file: string): string {
  const first = resolve(base, file);
  if (isAbsolute(file) || existsSync(first)) return first;
  let dir = base;
  for (let i = 0; i < SOURCE_SEARCH_UP; i++) {
    dir = dirname(dir);
    const p = resolve(dir, file);
    if (existsSync(p)) return p;
  }
  return first;
}
