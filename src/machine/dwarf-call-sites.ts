// Call sites (DW_TAG_call_site, GCC's DW_TAG_GNU_call_site of DWARF 4): where a function calls, whom, and the values it passed, for DW_OP_entry_value.

import { ByteReader, ProgramFormatError } from './elf-bytes';
import { DW_AT, DW_TAG } from './dwarf-const';
import type { Die } from './dwarf-die';
import { attrAddr, attrFlag, attrRef, type DieSource } from './dwarf-attr';

/** Where the caller put a parameter: a register, or the stack at an offset from sp at the call. */
export type ParameterSlot = { kind: 'register'; reg: number } | { kind: 'stack'; offset: number };

export interface CallSiteParameter {
  slot: ParameterSlot;
  /** DW_AT_call_value: an expression, evaluated in the caller's frame, for the value passed. */
  value: Uint8Array | undefined;
  /** DW_AT_call_data_value: likewise for the value the passed pointer points at. */
  dataValue: Uint8Array | undefined;
}

export interface CallSite {
  /** The address the call returns to: a caller frame's pc at this call. */
  returnPc: number;
  /** The called function's entry (DW_AT_call_origin), when the call is direct. */
  origin: number | undefined;
  /** DW_AT_call_target: an expression, evaluated in the caller's frame, for the called address. */
  target: Uint8Array | undefined;
  /** A tail call (the caller's frame is gone when the callee runs). */
  tail: boolean;
  parameters: CallSiteParameter[];
  /** What its expressions need of their unit (DW_OP_addrx). */
  unit: { addrx(index: number): number | undefined };
}

/** Whether an entry is a call site (DWARF 5, or GNU's DWARF 4 extension). */
export function isCallSite(die: Die): boolean {
  return die.tag === DW_TAG.callSite || die.tag === DW_TAG.gnuCallSite;
}

/** Reads one call site; undefined when it names no return address (nothing could ever match it). */
export function readCallSite(src: DieSource, die: Die, unit: CallSite['unit']): CallSite | undefined {
  const returnPc = attrAddr(die, DW_AT.callReturnPc) ?? (die.tag === DW_TAG.gnuCallSite ? attrAddr(die, DW_AT.lowPc) : undefined);
  if (returnPc === undefined) return undefined;
  const parameters: CallSiteParameter[] = [];
  for (const p of die.children) {
    if (p.tag !== DW_TAG.callSiteParameter && p.tag !== DW_TAG.gnuCallSiteParameter) continue;
    const slot = parameterSlot(block(p, DW_AT.location));
    if (slot === undefined) continue;
    parameters.push({
      slot,
      value: block(p, DW_AT.callValue) ?? block(p, DW_AT.gnuCallSiteValue),
      dataValue: block(p, DW_AT.callDataValue) ?? block(p, DW_AT.gnuCallSiteDataValue),
    });
  }
  return {
    returnPc,
    origin: attrRef(src, die, DW_AT.callOrigin) ?? attrRef(src, die, DW_AT.abstractOrigin),
    target: block(die, DW_AT.callTarget) ?? block(die, DW_AT.gnuCallSiteTarget),
    tail: attrFlag(die, DW_AT.callTailCall) || attrFlag(die, DW_AT.gnuTailCall),
    parameters,
    unit,
  };
}

function block(die: Die, at: number): Uint8Array | undefined {
  const v = die.get(at);
  return v?.kind === 'block' ? v.value : undefined;
}

const SP = 2;

/**
 * A parameter's place from its location: exactly DW_OP_regN / DW_OP_regx (a register), or DW_OP_breg2
 * (sp) + offset (the stack); anything else cannot be matched to a callee's entry value.
 */
export function parameterSlot(expr: Uint8Array | undefined): ParameterSlot | undefined {
  if (expr === undefined || expr.length === 0) return undefined;
  const r = new ByteReader(expr, 0, expr.length, 'call site parameter location');
  try {
    const op = r.u8('operation');
    let slot: ParameterSlot | undefined;
    if (op >= 0x50 && op <= 0x6f) slot = { kind: 'register', reg: op - 0x50 };
    else if (op === 0x90) slot = { kind: 'register', reg: r.uleb('register') };
    else if (op === 0x70 + SP) slot = { kind: 'stack', offset: r.sleb('offset') };
    return r.pos === r.end ? slot : undefined;
  } catch (e) {
    if (e instanceof ProgramFormatError) return undefined;
    throw e;
  }
}

/** Whether two slots are the same place (a callee's entry location against a call site parameter). */
export function sameSlot(a: ParameterSlot, b: ParameterSlot): boolean {
  return a.kind === 'register' ? b.kind === 'register' && a.reg === b.reg : b.kind === 'stack' && a.offset === b.offset;
}

/**
 * Where a parameter is on entry to its function, from its location there: exactly a register, or
 * DW_OP_fbreg + offset (passed on the stack); undefined for anything else (no entry value then).
 */
export function entrySlot(expr: Uint8Array): ParameterSlot | undefined {
  if (expr.length > 0 && expr[0] === 0x91) {
    const r = new ByteReader(expr, 1, expr.length, 'entry location');
    try {
      const offset = r.sleb('fbreg offset');
      return r.pos === r.end ? { kind: 'stack', offset } : undefined;
    } catch (e) {
      if (e instanceof ProgramFormatError) return undefined;
      throw e;
    }
  }
  const slot = parameterSlot(expr);
  return slot?.kind === 'register' ? slot : undefined;
}
