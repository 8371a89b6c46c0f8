// DWARF expression stack machine (32-bit generic type): where a value lives, or why it is unavailable.

import { ByteReader, ProgramFormatError, hex } from './elf-bytes';
import { ABI_NAMES } from './abi';

/** What the evaluator may ask of the stopped machine (the debugger provides it). */
export interface MachineAccess {
  /** DWARF register n (0–31: x0–x31) in the frame being inspected; undefined when not known there. */
  reg(n: number): number | undefined;
  readMemory(addr: number, len: number): Uint8Array | undefined;
  /** Canonical frame address of the frame (from call frame information), for DW_OP_call_frame_cfa. */
  cfa(): number | undefined;
  /** Value of the function's DW_AT_frame_base, for DW_OP_fbreg (DebugInfo.locate supplies it). */
  frameBase?(): number | undefined;
  /**
   * DW_OP_entry_value: what DWARF register `reg` held when the frame's function was entered (or, with
   * `deref`, the value it pointed at), from the caller's call site; a reason when that is not known.
   */
  entryValue?(reg: number, deref: boolean): EntryValue;
}

/** A value at function entry, or why it is not known. */
export type EntryValue = { value: number } | { reason: string };

export interface ExprOptions {
  /** Values pushed before the first operation (DW_AT_data_member_location pushes the struct's address). */
  initialStack?: number[];
  /** Entry `index` of the unit's .debug_addr, for DW_OP_addrx and DW_OP_constx. */
  addrx?(index: number): number | undefined;
}

/** A location that is not composite. */
export type SimpleLocation =
  | { kind: 'memory'; addr: number }
  | { kind: 'register'; reg: number }
  /** DW_OP_stack_value: the value itself (32 bits), stored nowhere. */
  | { kind: 'value'; value: number }
  /** DW_OP_implicit_value or DW_AT_const_value: the bytes of the value. */
  | { kind: 'implicit'; bytes: Uint8Array }
  /** Optimized out, or not recoverable here (entry values, unknown registers): never guess. */
  | { kind: 'unavailable'; reason: string };

export interface Piece {
  /** Size of this part of the value, and (DW_OP_bit_piece) the bit its data starts at in the location. */
  bits: number;
  bitOffset: number;
  location: SimpleLocation;
}

export type Location = SimpleLocation | { kind: 'composite'; pieces: Piece[] };

export const OPTIMIZED_OUT = 'optimized out';

/** Operations run at most (skip and bra can loop), and the deepest stack. */
const MAX_STEPS = 10_000;
const MAX_STACK = 1_000;

/** Ends evaluation with a reason (becomes an unavailable location). */
class Unavailable extends Error {}

export function unavailable(reason: string): SimpleLocation {
  return { kind: 'unavailable', reason };
}

/** Runs `expr`. Never throws: malformed or unsupported expressions give an unavailable location. */
export function evaluateExpression(expr: Uint8Array, m: MachineAccess, opts: ExprOptions = {}): Location {
  try {
    return new Evaluator(expr, m, opts).run();
  } catch (e) {
    if (e instanceof Unavailable) return unavailable(e.message);
    if (e instanceof ProgramFormatError) return unavailable(`malformed DWARF expression (${e.message})`);
    return unavailable(`DWARF expression failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const OP = {
  addr: 0x03, deref: 0x06, const1u: 0x08, const1s: 0x09, const2u: 0x0a, const2s: 0x0b, const4u: 0x0c, const4s: 0x0d,
  const8u: 0x0e, const8s: 0x0f, constu: 0x10, consts: 0x11, dup: 0x12, drop: 0x13, over: 0x14, pick: 0x15, swap: 0x16,
  rot: 0x17, abs: 0x19, neg: 0x1f, not: 0x20, plusUconst: 0x23, bra: 0x28, skip: 0x2f, lit0: 0x30, reg0: 0x50,
  breg0: 0x70, regx: 0x90, fbreg: 0x91, bregx: 0x92, piece: 0x93, derefSize: 0x94, nop: 0x96, callFrameCfa: 0x9c,
  bitPiece: 0x9d, implicitValue: 0x9e, stackValue: 0x9f, addrx: 0xa1, constx: 0xa2, entryValue: 0xa3, gnuUninit: 0xf0,
  gnuEntryValue: 0xf3,
  gnuAddrIndex: 0xfb, gnuConstIndex: 0xfc,
} as const;

/** Operations this evaluator knows but cannot give a value for, with the reason shown instead. */
const REFUSED: Record<number, string> = {
  0x18: 'DW_OP_xderef (address spaces) is not supported',
  0x95: 'DW_OP_xderef_size (address spaces) is not supported',
  0x97: 'DW_OP_push_object_address is not supported',
  0x98: 'DW_OP_call2 is not supported', 0x99: 'DW_OP_call4 is not supported', 0x9a: 'DW_OP_call_ref is not supported',
  0x9b: 'thread-local storage is not supported', 0xe0: 'thread-local storage is not supported',
  0xa0: 'implicit pointer: the pointer was optimized out', 0xf2: 'implicit pointer: the pointer was optimized out',
  0xfa: 'parameter of the caller is not known (DW_OP_GNU_parameter_ref)', 0xfd: 'DW_OP_GNU_variable_value is not supported',
  0xf1: 'DW_OP_GNU_encoded_addr is not supported',
};
const TYPED_OPS = new Set([0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xf4, 0xf5, 0xf6, 0xf7, 0xf9]);

type BinaryOp = (a: number, b: number) => number;
const signed = (x: number): number => x | 0;
const BINARY: Record<number, BinaryOp> = {
  0x1a: (a, b) => a & b,
  0x1b: (a, b) => (b === 0 ? divByZero() : Math.trunc(signed(a) / signed(b))),
  0x1c: (a, b) => a - b,
  0x1d: (a, b) => (b === 0 ? divByZero() : a % b),
  0x1e: (a, b) => Math.imul(a, b),
  0x21: (a, b) => a | b,
  0x22: (a, b) => a + b,
  0x24: (a, b) => (b >= 32 ? 0 : a << b),
  0x25: (a, b) => (b >= 32 ? 0 : a >>> b),
  0x26: (a, b) => signed(a) >> Math.min(b, 31),
  0x27: (a, b) => a ^ b,
  0x29: (a, b) => Number(signed(a) === signed(b)),
  0x2a: (a, b) => Number(signed(a) >= signed(b)),
  0x2b: (a, b) => Number(signed(a) > signed(b)),
  0x2c: (a, b) => Number(signed(a) <= signed(b)),
  0x2d: (a, b) => Number(signed(a) < signed(b)),
  0x2e: (a, b) => Number(signed(a) !== signed(b)),
};

function divByZero(): never {
  throw new Unavailable('division by zero in a DWARF expression');
}

class Evaluator {
  private readonly r: ByteReader;
  private readonly stack: number[];
  private readonly pieces: Piece[] = [];
  /** The kind of the location being built (memory: the address is on the stack). */
  private pending: SimpleLocation | undefined;
  private opsSincePiece = 0;

  constructor(expr: Uint8Array, private readonly m: MachineAccess, private readonly opts: ExprOptions) {
    this.r = new ByteReader(expr, 0, expr.length, 'DWARF expression');
    this.stack = (opts.initialStack ?? []).map((v) => v >>> 0);
  }

  run(): Location {
    for (let steps = 0; this.r.pos < this.r.end; steps++) {
      if (steps >= MAX_STEPS) throw new Unavailable(`DWARF expression runs longer than ${MAX_STEPS} operations`);
      const op = this.r.u8('operation');
      if (op === OP.piece || op === OP.bitPiece) {
        this.piece(op);
        continue;
      }
      if (this.pending !== undefined && op !== OP.nop) throw new Unavailable('malformed DWARF expression: operations after a register, value or implicit location');
      this.opsSincePiece++;
      this.step(op);
    }
    if (this.pieces.length > 0) {
      if (this.opsSincePiece > 0) throw new Unavailable('malformed DWARF expression: a composite ends without DW_OP_piece');
      return { kind: 'composite', pieces: this.pieces };
    }
    return this.current();
  }

  /** The simple location described so far. */
  private current(): SimpleLocation {
    if (this.pending !== undefined) return this.pending;
    return this.stack.length === 0 ? unavailable(OPTIMIZED_OUT) : { kind: 'memory', addr: this.pop() };
  }

  private piece(op: number): void {
    const bits = op === OP.piece ? this.r.uleb('piece size') * 8 : this.r.uleb('bit piece size');
    const bitOffset = op === OP.bitPiece ? this.r.uleb('bit piece offset') : 0;
    this.pieces.push({ bits, bitOffset, location: this.current() });
    this.pending = undefined;
    this.opsSincePiece = 0;
  }

  private step(op: number): void {
    if (op >= OP.lit0 && op < OP.lit0 + 32) return this.push(op - OP.lit0);
    if (op >= OP.reg0 && op < OP.reg0 + 32) return this.setPending({ kind: 'register', reg: op - OP.reg0 });
    if (op >= OP.breg0 && op < OP.breg0 + 32) return this.push(this.register(op - OP.breg0) + this.r.sleb('breg offset'));
    const binary = BINARY[op];
    if (binary !== undefined) {
      const b = this.pop();
      return this.push(binary(this.pop(), b));
    }
    if (this.constant(op) || this.stackOp(op) || this.control(op) || this.location(op)) return;
    if (REFUSED[op] !== undefined) throw new Unavailable(REFUSED[op]);
    if (TYPED_OPS.has(op)) throw new Unavailable('typed DWARF stack operations are not supported');
    throw new Unavailable(`DWARF operation ${hex(op)} is not supported`);
  }

  /** Operations that push a constant. */
  private constant(op: number): boolean {
    const r = this.r;
    switch (op) {
      case OP.addr: this.push(r.u32('address')); return true;
      case OP.const1u: this.push(r.u8('const1u')); return true;
      case OP.const1s: this.push(r.s8('const1s')); return true;
      case OP.const2u: this.push(r.u16('const2u')); return true;
      case OP.const2s: this.push((r.u16('const2s') << 16) >> 16); return true;
      case OP.const4u: case OP.const4s: this.push(r.u32('const4')); return true;
      case OP.const8u: case OP.const8s: this.push(r.u32('const8 low')); r.u32('const8 high'); return true;
      case OP.constu: this.push(r.uleb('constu')); return true;
      case OP.consts: this.push(r.sleb('consts')); return true;
      case OP.addrx: case OP.constx: case OP.gnuAddrIndex: case OP.gnuConstIndex: {
        const index = r.uleb('address index');
        const a = this.opts.addrx?.(index);
        if (a === undefined) throw new Unavailable(`.debug_addr entry ${index} is not available`);
        this.push(a);
        return true;
      }
    }
    return false;
  }

  /** Operations that rearrange the stack or compute in place. */
  private stackOp(op: number): boolean {
    switch (op) {
      case OP.dup: this.push(this.peek(0)); return true;
      case OP.drop: this.pop(); return true;
      case OP.over: this.push(this.peek(1)); return true;
      case OP.pick: this.push(this.peek(this.r.u8('pick index'))); return true;
      case OP.swap: { const a = this.pop(); const b = this.pop(); this.push(a); this.push(b); return true; }
      case OP.rot: { const a = this.pop(); const b = this.pop(); const c = this.pop(); this.push(a); this.push(c); this.push(b); return true; }
      case OP.abs: this.push(Math.abs(signed(this.pop()))); return true;
      case OP.neg: this.push(-signed(this.pop())); return true;
      case OP.not: this.push(~this.pop()); return true;
      case OP.plusUconst: this.push(this.pop() + this.r.uleb('plus_uconst')); return true;
      case OP.deref: this.push(this.load(this.pop(), 4)); return true;
      case OP.derefSize: this.push(this.load(this.pop(), this.r.u8('deref size'))); return true;
      case OP.nop: case OP.gnuUninit: return true;
    }
    return false;
  }

  private control(op: number): boolean {
    if (op !== OP.skip && op !== OP.bra) return false;
    const delta = (this.r.u16('branch offset') << 16) >> 16;
    if (op === OP.bra && this.pop() === 0) return true;
    const target = this.r.pos + delta;
    if (target < 0 || target > this.r.end) throw new Unavailable('malformed DWARF expression: a branch leaves the expression');
    this.r.pos = target;
    return true;
  }

  /** Operations that read the machine or end a location: registers, frame base, CFA, values. */
  private location(op: number): boolean {
    const r = this.r;
    switch (op) {
      case OP.regx: this.setPending({ kind: 'register', reg: r.uleb('register') }); return true;
      case OP.bregx: { const reg = r.uleb('register'); this.push(this.register(reg) + r.sleb('bregx offset')); return true; }
      case OP.fbreg: this.push(this.known(this.m.frameBase?.(), 'the frame base is not known') + r.sleb('fbreg offset')); return true;
      case OP.callFrameCfa: this.push(this.known(this.m.cfa(), 'the canonical frame address is not known')); return true;
      case OP.entryValue: case OP.gnuEntryValue: this.entryValue(); return true;
      case OP.stackValue: this.setPending({ kind: 'value', value: this.pop() }); return true;
      case OP.implicitValue: {
        const len = r.uleb('implicit value length');
        r.need(len, 'implicit value');
        this.setPending({ kind: 'implicit', bytes: r.bytes.slice(r.pos, r.pos + len) });
        r.pos += len;
        return true;
      }
    }
    return false;
  }

  /**
   * DW_OP_entry_value: only the forms a caller's call site can answer, a register (DW_OP_regN) or the value
   * a register pointed at (DW_OP_bregN 0, DW_OP_deref), as GDB resolves them.
   */
  private entryValue(): void {
    const len = this.r.uleb('entry value length');
    this.r.need(len, 'entry value expression');
    const sub = this.r.bytes.subarray(this.r.pos, this.r.pos + len);
    this.r.pos += len;
    const at = entryRegister(sub);
    if (at === undefined) throw new Unavailable('DW_OP_entry_value is supported only for a single register, or a register dereferenced');
    const v = this.m.entryValue?.(at.reg, at.deref) ?? { reason: 'the value at function entry is not known' };
    if ('reason' in v) throw new Unavailable(v.reason);
    this.push(v.value);
  }

  private setPending(loc: SimpleLocation): void {
    this.pending = loc;
  }

  private register(n: number): number {
    return this.known(this.m.reg(n), `register ${registerName(n)} is not known in this frame`);
  }

  private known(v: number | undefined, reason: string): number {
    if (v === undefined) throw new Unavailable(reason);
    return v;
  }

  private load(addr: number, size: number): number {
    if (size < 1 || size > 4) throw new Unavailable(`DW_OP_deref_size ${size} is wider than the 32-bit stack`);
    const b = this.m.readMemory(addr, size);
    if (b === undefined || b.length < size) throw new Unavailable(`cannot read memory at ${hex(addr)}`);
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + b[i];
    return v;
  }

  private push(v: number): void {
    if (this.stack.length >= MAX_STACK) throw new Unavailable('DWARF expression stack overflow');
    this.stack.push(v >>> 0);
  }

  private pop(): number {
    const v = this.stack.pop();
    if (v === undefined) throw new Unavailable('malformed DWARF expression: stack underflow');
    return v;
  }

  private peek(depth: number): number {
    const v = this.stack[this.stack.length - 1 - depth];
    if (v === undefined) throw new Unavailable('malformed DWARF expression: stack underflow');
    return v;
  }
}

/** The register an entry value's expression names: DW_OP_regN / DW_OP_regx, or DW_OP_bregN 0 then DW_OP_deref[_size]. */
function entryRegister(sub: Uint8Array): { reg: number; deref: boolean } | undefined {
  const r = new ByteReader(sub, 0, sub.length, 'entry value expression');
  const op = r.u8('operation');
  let at: { reg: number; deref: boolean } | undefined;
  if (op >= OP.reg0 && op < OP.reg0 + 32) at = { reg: op - OP.reg0, deref: false };
  else if (op === OP.regx) at = { reg: r.uleb('register'), deref: false };
  else if (op >= OP.breg0 && op < OP.breg0 + 32 && r.sleb('breg offset') === 0 && r.pos < r.end) {
    const deref = r.u8('operation');
    if (deref === OP.derefSize) r.u8('deref size');
    if (deref === OP.deref || deref === OP.derefSize) at = { reg: op - OP.breg0, deref: true };
  }
  return r.pos === r.end ? at : undefined;
}

/** RISC-V name of DWARF register n (x registers by ABI name; 32–63 are the f registers). */
export function registerName(n: number): string {
  if (n < 32) return ABI_NAMES[n];
  if (n < 64) return `f${n - 32}`;
  return `r${n}`;
}
