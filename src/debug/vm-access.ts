// What a debugger reads and writes of one VM's machine: stack frames, memory, registers and CSRs, expressions, disassembly, in plain types of the debugger's own.

import type { Machine } from '../machine/machine';
import { disassembleRange } from '../machine/disasm';
import type { ProgramInfo, SourceLocation } from './program-info';
import { hex } from './program-info';
import { evaluate, registerIndex, csrNumber } from './evaluate';
import { sourceFrames } from './c-frames';

/** One frame of a VM's call stack, as a debugger shows it. */
export interface DebugFrame {
  pc: number;
  sp: number;
  /** The function (`name`, `label+0x1c`) or the address. */
  name: string;
  location: SourceLocation | undefined;
  /** This frame was interrupted by a trap (its pc is mepc, exact). */
  trapped: boolean;
  /** An inlined call: a frame of the source, sharing its machine frame with its caller. */
  inlined: boolean;
}

/** One decoded instruction of a disassembly. */
export interface DebugInstruction {
  address: number;
  /** Absent for a placeholder before the first decodable instruction. */
  bytes: string | undefined;
  text: string;
  invalid: boolean;
  /** The function that starts at this address. */
  symbol: string | undefined;
  location: SourceLocation | undefined;
}

export function frames(m: Machine, info: ProgramInfo, functionStops: readonly number[] = []): DebugFrame[] {
  return sourceFrames(m, info, functionStops).map((f) => ({ pc: f.pc, sp: f.sp, name: f.name, location: f.location, trapped: f.trapped, inlined: f.inlined }));
}

/** Bytes of guest RAM from `start`; `unreadable`: how many of the `count` asked for lie outside RAM. */
export function readMemory(m: Machine, start: number, count: number): { bytes: Uint8Array; unreadable: number } {
  let n = 0;
  while (n < count && m.view.contains(start + n, 1)) n++;
  return { bytes: n > 0 ? m.view.readBytes(start, n) : new Uint8Array(0), unreadable: count - n };
}

/** Writes guest RAM (the VM may then diverge from its peer: that is the point); the bytes written. */
export function writeMemory(m: Machine, start: number, data: Uint8Array, allowPartial: boolean): number {
  let bytes = data;
  if (!m.view.contains(start, bytes.length)) {
    if (!allowPartial) throw new Error(`write of ${bytes.length} bytes at ${hex(start)} is outside RAM`);
    let n = 0;
    while (n < bytes.length && m.view.contains(start + n, 1)) n++;
    bytes = bytes.subarray(0, n);
  }
  m.view.writeBytes(start, bytes); // decoded code there is dropped by the view
  return bytes.length;
}

/** Sets pc, an integer register or a CSR from an expression; the value written. */
export function setRegister(m: Machine, info: ProgramInfo, scope: 'regs' | 'csrs', name: string, valueText: string): number {
  const value = evaluate(valueText, m, info).value;
  const cpu = m.cpu;
  if (name === 'pc') {
    cpu.pc = value >>> 0;
  } else if (scope === 'regs') {
    const r = registerIndex(name);
    if (r <= 0) throw new Error(`${name} cannot be set`);
    cpu.x[r] = value | 0;
  } else {
    const n = csrNumber(name);
    if (n === undefined) throw new Error(`${name} cannot be set`);
    cpu.writeCsr(n, value >>> 0);
  }
  return value;
}

/** An expression's value, and the guest RAM address it names or points at (for the memory view). */
export function evaluateIn(m: Machine, info: ProgramInfo, expr: string): { value: number; address: number | undefined } {
  const r = evaluate(expr, m, info);
  return { value: r.value, address: r.address ?? (m.view.contains(r.value >>> 0, 1) ? r.value >>> 0 : undefined) };
}

/**
 * `count` instructions from `start`, moved by `instructionOffset` instructions (backwards: from a known
 * instruction boundary, a line-table row or symbol, decoded forward); places before RAM come out invalid.
 */
export function disassemble(m: Machine, info: ProgramInfo, start0: number, instructionOffset: number, count: number): DebugInstruction[] {
  const read = (a: number): number => m.view.u8(a);
  let start = start0 >>> 0;
  let skip = 0;
  if (instructionOffset < 0) {
    const want = -instructionOffset;
    const from = syncPoint(info, start - want * 4 - 8);
    const addrs: number[] = [];
    let a = from;
    for (const l of disassembleRange(read, from, want * 2 + 8)) {
      if (l.address >= start) break;
      addrs.push(l.address);
      a = l.address + l.length;
    }
    if (a === start && addrs.length >= want) start = addrs[addrs.length - want];
    else if (a === start) { skip = want - addrs.length; start = addrs[0] ?? start; }
    else { start = (start - want * 4) >>> 0; }
  } else if (instructionOffset > 0) {
    const lines = disassembleRange(read, start, instructionOffset);
    start = lines.length > 0 ? (lines[lines.length - 1].address + lines[lines.length - 1].length) >>> 0 : start;
  }
  const out: DebugInstruction[] = [];
  for (let i = 0; i < skip && out.length < count; i++) out.push({ address: 0, bytes: undefined, text: '??', invalid: true, symbol: undefined, location: undefined });
  for (const l of disassembleRange(read, start, count - out.length, { symbolize: (x) => info.symbolize(x) })) {
    const fn = info.functionAt(l.address);
    out.push({
      address: l.address,
      bytes: l.bytes,
      text: l.kind === 'unreadable' ? '??' : l.text,
      invalid: l.kind === 'unreadable',
      symbol: fn?.addr === l.address ? fn.name : undefined,
      location: info.location(l.address),
    });
  }
  return out;
}

/** The closest address at or before `addr` known to start an instruction (line row or symbol). */
function syncPoint(info: ProgramInfo, addr: number): number {
  let best = -1;
  for (const r of info.lines) if (r.addr <= addr && r.addr > best) best = r.addr;
  const fn = info.functionAt(addr);
  if (fn !== undefined && fn.addr > best) best = fn.addr;
  return best < 0 ? (addr & ~1) >>> 0 : best;
}
