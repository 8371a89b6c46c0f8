// Call frame information (.debug_frame, or .eh_frame's unwind tables): for a pc, how to find the caller's frame — the CFA rule and where each register was saved.

import { ByteReader, ProgramFormatError } from './elf-bytes';

/** Where a register of the caller is, relative to the CFA of the frame at a pc. */
export type RegisterRule =
  | { kind: 'offset'; offset: number }
  | { kind: 'valOffset'; offset: number }
  | { kind: 'register'; reg: number }
  | { kind: 'same' }
  | { kind: 'undefined' };

/** The unwinding row in effect at one pc: CFA = register + offset, and the saved registers' rules. */
export interface CfiRow { cfaReg: number; cfaOffset: number; rules: Map<number, RegisterRule>; raReg: number }

interface Cie {
  codeAlign: number; dataAlign: number; raReg: number; initial: Uint8Array;
  /** .eh_frame: how the FDEs' addresses are encoded (DW_EH_PE_*), and whether FDEs carry augmentation data. */
  fdeEncoding: number; augmented: boolean;
}
interface Fde { start: number; end: number; cie: Cie; instructions: Uint8Array }

/** Instructions interpreted per row at most (a bound on damaged data). */
const CFI_STEPS_MAX = 10_000;

export class CallFrameInfo {
  private readonly fdes: Fde[] = [];
  /** Why (part of) the section could not be read; the debugger then falls back to prologue analysis. */
  readonly problems: string[] = [];

  /**
   * Reads .debug_frame, or with `eh` the .eh_frame section loaded at `eh.addr` (its pointers are pc-relative).
   * A damaged section keeps the entries read before the damage, and says why in `problems`.
   */
  constructor(section: Uint8Array | undefined, private readonly eh?: { addr: number }) {
    if (section === undefined) return;
    try {
      this.read(section);
    } catch (e) {
      if (!(e instanceof ProgramFormatError)) throw e;
      this.problems.push(e.message);
    }
    this.fdes.sort((a, b) => a.start - b.start);
  }

  private get sectionName(): string {
    return this.eh === undefined ? '.debug_frame' : '.eh_frame';
  }

  private read(section: Uint8Array): void {
    const cies = new Map<number, Cie>();
    const name = this.sectionName;
    const r = new ByteReader(section, 0, section.length, `DWARF: ${name}`);
    for (let n = 0; r.remaining >= 4 && n < 1_000_000; n++) {
      const at = r.pos;
      const length = r.u32('entry length');
      if (length === 0 && this.eh !== undefined) break; // .eh_frame's terminator
      if (length === 0xffffffff) throw new ProgramFormatError(`DWARF: ${name} entry at ${at}: 64-bit DWARF is not supported`);
      r.need(length, 'entry');
      const end = r.pos + length;
      const idAt = r.pos;
      const id = r.u32('CIE id');
      if (id === (this.eh === undefined ? 0xffffffff : 0)) cies.set(at, readCie(r, end, name));
      else {
        const cieAt = this.eh === undefined ? id : idAt - id; // .eh_frame: an offset back from this field
        const cie = cies.get(cieAt);
        if (cie === undefined) throw new ProgramFormatError(`DWARF: ${name} FDE at ${at} names no CIE (${cieAt})`);
        const start = this.pointer(r, cie.fdeEncoding, true);
        const range = this.pointer(r, cie.fdeEncoding & 0x0f, false);
        if (cie.augmented) r.pos += r.uleb('augmentation data length');
        if (r.pos > end) throw new ProgramFormatError(`DWARF: ${name} FDE at ${at} is longer than its length`);
        this.fdes.push({ start, end: start + range, cie, instructions: section.subarray(r.pos, end) });
      }
      r.pos = end;
    }
  }

  /** An address as `encoding` (DW_EH_PE_*) writes it; .debug_frame's are plain 32-bit words. */
  private pointer(r: ByteReader, encoding: number, relative: boolean): number {
    if (this.eh === undefined) return r.u32('address');
    const field = this.eh.addr + r.pos;
    const v = readEncoded(r, encoding);
    switch (encoding & 0x70) {
      case 0x00: return v >>> 0;
      case 0x10: return relative ? (v + field) >>> 0 : v >>> 0;
      default: throw new ProgramFormatError(`DWARF: .eh_frame pointer encoding 0x${encoding.toString(16)} is not supported`);
    }
  }

  /** The row at `pc`, or undefined where no FDE covers it (or its instructions cannot be followed). */
  rowAt(pc: number): CfiRow | undefined {
    const fde = this.fdes.find((f) => pc >= f.start && pc < f.end);
    if (fde === undefined) return undefined;
    try {
      const init = run(fde.cie, fde.cie.initial, { cfaReg: 2, cfaOffset: 0, rules: new Map(), raReg: fde.cie.raReg }, fde.start, Infinity, undefined);
      return run(fde.cie, fde.instructions, init, fde.start, pc, init);
    } catch (e) {
      if (e instanceof ProgramFormatError) return undefined;
      throw e;
    }
  }
}

/** DW_EH_PE_* value formats (the low four bits of an encoding). */
function readEncoded(r: ByteReader, encoding: number): number {
  switch (encoding & 0x0f) {
    case 0x00: case 0x03: return r.u32('pointer');
    case 0x01: return r.uleb('pointer');
    case 0x02: return r.u16('pointer');
    case 0x04: { const low = r.u32('pointer'); r.u32('pointer high'); return low; }
    case 0x09: return r.sleb('pointer');
    case 0x0a: return (r.u16('pointer') << 16) >> 16;
    case 0x0b: return r.u32('pointer') | 0;
    case 0x0c: { const low = r.u32('pointer'); r.u32('pointer high'); return low | 0; }
    default: throw new ProgramFormatError(`DWARF: .eh_frame pointer encoding 0x${encoding.toString(16)} is not supported`);
  }
}

function readCie(r: ByteReader, end: number, name: string): Cie {
  const version = r.u8('CIE version');
  let aug = '';
  for (let c = r.u8('augmentation'); c !== 0; c = r.u8('augmentation')) aug += String.fromCharCode(c);
  if (aug !== '' && !aug.startsWith('z')) throw new ProgramFormatError(`DWARF: ${name} CIE augmentation "${aug}" is not supported`);
  if (version >= 4) {
    r.u8('address_size');
    r.u8('segment_selector_size');
  }
  const codeAlign = r.uleb('code_alignment_factor');
  const dataAlign = r.sleb('data_alignment_factor');
  const raReg = version === 1 ? r.u8('return_address_register') : r.uleb('return_address_register');
  let fdeEncoding = 0;
  if (aug.startsWith('z')) {
    const len = r.uleb('augmentation data length');
    const after = r.pos + len;
    for (const c of aug.slice(1)) {
      if (c === 'R') fdeEncoding = r.u8('FDE pointer encoding');
      else if (c === 'L') r.u8('LSDA encoding');
      else if (c === 'P') readEncoded(r, r.u8('personality encoding'));
      else if (c !== 'S') break; // unknown: the length lets the rest be skipped
    }
    r.pos = after;
  }
  if (r.pos > end) throw new ProgramFormatError(`DWARF: ${name} CIE is longer than its length`);
  return { codeAlign, dataAlign, raReg, initial: r.bytes.subarray(r.pos, end), fdeEncoding, augmented: aug.startsWith('z') };
}

function clone(row: CfiRow): CfiRow {
  return { cfaReg: row.cfaReg, cfaOffset: row.cfaOffset, rules: new Map(row.rules), raReg: row.raReg };
}

/** Interprets CFA instructions from `loc` until the location passes `pc`; `initial` serves DW_CFA_restore. */
function run(cie: Cie, code: Uint8Array, start: CfiRow, loc: number, pc: number, initial: CfiRow | undefined): CfiRow {
  const r = new ByteReader(code, 0, code.length, 'DWARF: .debug_frame instructions');
  let row = clone(start);
  const stack: CfiRow[] = [];
  const advance = (delta: number): boolean => {
    loc += delta * cie.codeAlign;
    return loc > pc;
  };
  for (let n = 0; r.remaining > 0 && n < CFI_STEPS_MAX; n++) {
    const op = r.u8('CFA opcode');
    const high = op >> 6;
    const low = op & 0x3f;
    if (high === 1) { if (advance(low)) return row; continue; }
    if (high === 2) { row.rules.set(low, { kind: 'offset', offset: r.uleb('offset') * cie.dataAlign }); continue; }
    if (high === 3) { restore(row, low, initial); continue; }
    switch (op) {
      case 0x00: break; // nop
      case 0x01: loc = r.u32('set_loc'); if (loc > pc) return row; break;
      case 0x02: if (advance(r.u8('advance_loc1'))) return row; break;
      case 0x03: if (advance(r.u16('advance_loc2'))) return row; break;
      case 0x04: if (advance(r.u32('advance_loc4'))) return row; break;
      case 0x05: row.rules.set(r.uleb('register'), { kind: 'offset', offset: r.uleb('offset') * cie.dataAlign }); break;
      case 0x06: restore(row, r.uleb('register'), initial); break;
      case 0x07: row.rules.set(r.uleb('register'), { kind: 'undefined' }); break;
      case 0x08: row.rules.set(r.uleb('register'), { kind: 'same' }); break;
      case 0x09: row.rules.set(r.uleb('register'), { kind: 'register', reg: r.uleb('register') }); break;
      case 0x0a: stack.push(clone(row)); break;
      case 0x0b: row = stack.pop() ?? row; break;
      case 0x0c: row.cfaReg = r.uleb('register'); row.cfaOffset = r.uleb('offset'); break;
      case 0x0d: row.cfaReg = r.uleb('register'); break;
      case 0x0e: row.cfaOffset = r.uleb('offset'); break;
      case 0x11: row.rules.set(r.uleb('register'), { kind: 'offset', offset: r.sleb('offset') * cie.dataAlign }); break;
      case 0x12: row.cfaReg = r.uleb('register'); row.cfaOffset = r.sleb('offset') * cie.dataAlign; break;
      case 0x13: row.cfaOffset = r.sleb('offset') * cie.dataAlign; break;
      case 0x14: row.rules.set(r.uleb('register'), { kind: 'valOffset', offset: r.uleb('offset') * cie.dataAlign }); break;
      case 0x15: row.rules.set(r.uleb('register'), { kind: 'valOffset', offset: r.sleb('offset') * cie.dataAlign }); break;
      default: throw new ProgramFormatError(`DWARF: .debug_frame instruction 0x${op.toString(16)} is not supported`);
    }
  }
  return row;
}

function restore(row: CfiRow, reg: number, initial: CfiRow | undefined): void {
  const rule = initial?.rules.get(reg);
  if (rule === undefined) row.rules.delete(reg);
  else row.rules.set(reg, rule);
}

/** A frame's caller as call frame information recovers it. */
export interface CfiStep {
  /** The frame's canonical frame address: the caller's sp. */
  cfa: number;
  /** The caller's registers that are known: sp, and the callee-saved ones (saved where the rules say, or unchanged). */
  callerRegs: Map<number, number>;
  /** Where the frame returns to; undefined when not known. */
  returnAddress: number | undefined;
}

/**
 * One step up the stack through the row at the frame's pc: `regs` are the frame's known registers, `preserved`
 * the registers a callee keeps (a register without a rule is unchanged in the caller only then); the return
 * address column without a rule is still in its register (a function's first instruction). Undefined when
 * the CFA's register is not known.
 */
export function cfiStep(row: CfiRow, regs: ReadonlyMap<number, number>, readWord: (addr: number) => number | undefined, preserved: readonly number[]): CfiStep | undefined {
  const base = regs.get(row.cfaReg);
  if (base === undefined) return undefined;
  const cfa = (base + row.cfaOffset) >>> 0;
  const valueOf = (r: number): number | undefined => {
    const rule = row.rules.get(r);
    if (rule === undefined || rule.kind === 'same') return regs.get(r);
    switch (rule.kind) {
      case 'offset': return readWord((cfa + rule.offset) >>> 0);
      case 'valOffset': return (cfa + rule.offset) >>> 0;
      case 'register': return regs.get(rule.reg);
      case 'undefined': return undefined;
    }
  };
  const callerRegs = new Map<number, number>([[2, cfa]]);
  for (const r of preserved) {
    const v = valueOf(r);
    if (v !== undefined) callerRegs.set(r, v >>> 0);
  }
  const ra = valueOf(row.raReg);
  return { cfa, callerRegs, returnAddress: ra === undefined ? undefined : ra >>> 0 };
}
