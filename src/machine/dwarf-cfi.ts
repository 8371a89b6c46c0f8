// Call frame information (.debug_frame): for a pc, how to find the caller's frame — the CFA rule and where each register was saved.

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

interface Cie { codeAlign: number; dataAlign: number; raReg: number; initial: Uint8Array }
interface Fde { start: number; end: number; cie: Cie; instructions: Uint8Array }

/** Instructions interpreted per row at most (a bound on damaged data). */
const CFI_STEPS_MAX = 10_000;

export class CallFrameInfo {
  private readonly fdes: Fde[] = [];
  /** Why (part of) the section could not be read; the debugger then falls back to prologue analysis. */
  readonly problems: string[] = [];

  constructor(section: Uint8Array | undefined) {
    if (section === undefined) return;
    try {
      this.read(section);
    } catch (e) {
      if (!(e instanceof ProgramFormatError)) throw e;
      this.problems.push(e.message);
    }
    this.fdes.sort((a, b) => a.start - b.start);
  }

  private read(section: Uint8Array): void {
    const cies = new Map<number, Cie>();
    const r = new ByteReader(section, 0, section.length, 'DWARF: .debug_frame');
    for (let n = 0; r.remaining >= 4 && n < 1_000_000; n++) {
      const at = r.pos;
      const length = r.u32('entry length');
      if (length === 0xffffffff) throw new ProgramFormatError(`DWARF: .debug_frame entry at ${at}: 64-bit DWARF is not supported`);
      r.need(length, 'entry');
      const end = r.pos + length;
      const id = r.u32('CIE id');
      if (id === 0xffffffff) cies.set(at, readCie(r, end));
      else {
        const cie = cies.get(id);
        if (cie === undefined) throw new ProgramFormatError(`DWARF: .debug_frame FDE at ${at} names no CIE (${id})`);
        const start = r.u32('initial_location');
        const range = r.u32('address_range');
        this.fdes.push({ start, end: start + range, cie, instructions: section.subarray(r.pos, end) });
      }
      r.pos = end;
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

function readCie(r: ByteReader, end: number): Cie {
  const version = r.u8('CIE version');
  let aug = '';
  for (let c = r.u8('augmentation'); c !== 0; c = r.u8('augmentation')) aug += String.fromCharCode(c);
  if (aug !== '') throw new ProgramFormatError(`DWARF: .debug_frame CIE augmentation "${aug}" is not supported`);
  if (version >= 4) {
    r.u8('address_size');
    r.u8('segment_selector_size');
  }
  const codeAlign = r.uleb('code_alignment_factor');
  const dataAlign = r.sleb('data_alignment_factor');
  const raReg = version === 1 ? r.u8('return_address_register') : r.uleb('return_address_register');
  return { codeAlign, dataAlign, raReg, initial: r.bytes.subarray(r.pos, end) };
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
