// The disassembler: RV32IMAC+Zicsr+Zifencei words to the exact text GNU objdump 2.40 (`objdump -d`) prints.
//
// Matching is table driven (disasm-table.ts holds objdump's opcode order, aliases included); this file turns
// the matched entry's operand letters into text. Like objdump it remembers the values `lui`/`auipc`/`c.lui`
// put in registers and annotates a later load/store/addi/jalr on that register with ` # <address>`
// (`DisasmContext`; `disassembleRange` carries one through the range). Text is `mnemonic operands` with one
// space where objdump puts a tab; illegal words print as objdump's `.2byte 0x..` / `.4byte 0x..`.

import { csrName, type PrivSpec } from './disasm-csr';
import { ABI_NAMES } from './abi';
import { lookup, type Opcode } from './disasm-table';

/** Instruction bytes starting at `pc` (index 0 is the byte at `pc`), or a byte reader: a value outside 0..255 means unreadable. */
export type ByteSource = Uint8Array | ((addr: number) => number);

export interface DisasmOptions {
  /** Symbol for an address, as objdump prints it inside `<...>` (e.g. `main+0x1c`), or undefined if none. */
  symbolize?: (addr: number) => string | undefined;
  /** Value of `__global_pointer$`, when known: gp-relative accesses are then annotated like objdump does. */
  gp?: number;
  /** lui/auipc tracking carried between consecutive calls (objdump keeps it across a whole section). */
  context?: DisasmContext;
  /** CSR names of this privileged spec: '1.12' (default; objdump on a file without a priv-spec attribute)
   *  or '1.11' (objdump on an object gas 2.40 marked, which happens as soon as the source names a CSR). */
  privSpec?: PrivSpec;
}

export type { PrivSpec };

export interface Disassembly {
  /** `mnemonic operands[ # comment]`, exactly objdump's text with its tab turned into one space. */
  text: string;
  mnemonic: string;
  operands: string;
  /** objdump's ` # ` annotation (a computed address), or '' when there is none. */
  comment: string;
  length: 2 | 4;
  /** The raw encoding (16-bit parcel or 32-bit word); -1 when unreadable. */
  word: number;
  /** 'insn': decoded; 'data': illegal word shown as `.2byte`/`.4byte`; 'unreadable': memory could not be read. */
  kind: 'insn' | 'data' | 'unreadable';
  /** Branch/jump target or annotated address (objdump's info->target); undefined when there is none. */
  target: number | undefined;
}

/** One row of a disassembly listing. */
export interface DisasmLine extends Disassembly {
  address: number;
  /** The bytes as objdump shows them: `00150513` for a 32-bit word, `0505` for a 16-bit one. */
  bytes: string;
}

/** objdump's memory of register values set by lui/auipc/c.lui, consumed by the next access through them. */
export class DisasmContext {
  private readonly hi = new Float64Array(32).fill(NaN);

  reset(): void {
    this.hi.fill(NaN);
  }

  set(reg: number, value: number): void {
    this.hi[reg] = value >>> 0;
  }

  /** The remembered value of `reg` (forgetting it), or NaN. */
  take(reg: number): number {
    const v = this.hi[reg];
    this.hi[reg] = NaN;
    return v;
  }
}

const FENCE_SET = ['unknown', 'w', 'r', 'rw', 'o', 'ow', 'or', 'orw', 'i', 'iw', 'ir', 'irw', 'io', 'iow', 'ior', 'iorw'];

// Field extractors (w is the instruction word; results are signed where the field is).
const rd = (w: number): number => (w >>> 7) & 31;
const rs1 = (w: number): number => (w >>> 15) & 31;
const rs1c = (w: number): number => 8 + ((w >>> 7) & 7); // compressed rs1' (x8..x15)
const rs2c = (w: number): number => 8 + ((w >>> 2) & 7); // compressed rs2' (x8..x15)
const iImm = (w: number): number => w >> 20;
const sImm = (w: number): number => ((w >> 25) << 5) | ((w >>> 7) & 31);
const bImm = (w: number): number =>
  ((w >> 31) << 12) | ((w & 0x80) << 4) | ((w >>> 20) & 0x7e0) | ((w >>> 7) & 0x1e);
const jImm = (w: number): number =>
  ((w >> 31) << 20) | (w & 0xff000) | ((w >>> 9) & 0x800) | ((w >>> 20) & 0x7fe);
/** Bits hi..lo of w, moved to start at bit `at`. */
const bits = (w: number, hi: number, lo: number, at: number): number => ((w >>> lo) & ((1 << (hi - lo + 1)) - 1)) << at;
/** Bit 12 of a 16-bit parcel as a sign bit at position `at` (all bits from `at` up). */
const sign12 = (w: number, at: number): number => ((w << 19) >> 31) << at;
const ciImm = (w: number): number => sign12(w, 5) | bits(w, 6, 2, 0);
const cjImm = (w: number): number => sign12(w, 11) | bits(w, 11, 11, 4) | bits(w, 10, 9, 8) |
  bits(w, 8, 8, 10) | bits(w, 7, 7, 6) | bits(w, 6, 6, 7) | bits(w, 5, 3, 1) | bits(w, 2, 2, 5);
const cbImm = (w: number): number => sign12(w, 8) | bits(w, 11, 10, 3) | bits(w, 6, 5, 6) |
  bits(w, 4, 3, 1) | bits(w, 2, 2, 5);

const enum Kind { Reg, Dec, Hex, Target, Csr, Fence }

/** Operand letters (see disasm-table.ts) → how to print them. */
const OPERANDS: Record<string, readonly [Kind, (w: number) => number]> = {
  d: [Kind.Reg, rd], s: [Kind.Reg, rs1], t: [Kind.Reg, (w) => (w >>> 20) & 31],
  CU: [Kind.Reg, rd], CV: [Kind.Reg, (w) => (w >>> 2) & 31], Cc: [Kind.Reg, () => 2],
  Cs: [Kind.Reg, rs1c], Cw: [Kind.Reg, rs1c], Ct: [Kind.Reg, rs2c],
  j: [Kind.Dec, iImm], o: [Kind.Dec, iImm], q: [Kind.Dec, sImm], Z: [Kind.Dec, rs1],
  Co: [Kind.Dec, ciImm], Cj: [Kind.Dec, ciImm],
  Ck: [Kind.Dec, (w) => bits(w, 12, 10, 3) | bits(w, 6, 6, 2) | bits(w, 5, 5, 6)],
  Cm: [Kind.Dec, (w) => bits(w, 12, 12, 5) | bits(w, 6, 4, 2) | bits(w, 3, 2, 6)],
  CM: [Kind.Dec, (w) => bits(w, 12, 9, 2) | bits(w, 8, 7, 6)],
  CK: [Kind.Dec, (w) => bits(w, 12, 11, 4) | bits(w, 10, 7, 6) | bits(w, 6, 6, 2) | bits(w, 5, 5, 3)],
  CL: [Kind.Dec, (w) => sign12(w, 9) | bits(w, 6, 6, 4) | bits(w, 5, 5, 6) | bits(w, 4, 3, 7) | bits(w, 2, 2, 5)],
  u: [Kind.Hex, (w) => w >>> 12], '>': [Kind.Hex, (w) => (w >>> 20) & 0x3f],
  Cu: [Kind.Hex, (w) => ciImm(w) & 0xfffff], 'C>': [Kind.Hex, (w) => ciImm(w) & 0x3f],
  a: [Kind.Target, jImm], p: [Kind.Target, bImm], Ca: [Kind.Target, cjImm], Cp: [Kind.Target, cbImm],
  E: [Kind.Csr, (w) => w >>> 20], P: [Kind.Fence, (w) => (w >>> 24) & 15], Q: [Kind.Fence, (w) => (w >>> 20) & 15],
};

const hex = (n: number): string => (n >>> 0).toString(16);
const isJalr = (w: number): boolean => (w & 0x707f) === 0x67;

/** Formats one instruction at a time; holds the options and the per-instruction annotation state. */
class Formatter {
  private ctx: DisasmContext | undefined;
  private addr = 0;
  private hasAddr = false;
  private target: number | undefined;

  constructor(private readonly opts: DisasmOptions) {
    this.ctx = opts.context;
  }

  address(a: number): string {
    const s = this.opts.symbolize?.(a >>> 0);
    return s === undefined ? '0x' + hex(a) : hex(a) + ' <' + s + '>';
  }

  format(op: Opcode, w: number, pc: number, length: 2 | 4): Disassembly {
    this.hasAddr = false;
    this.target = undefined;
    let operands = '';
    const tokens = op.tokens;
    for (let i = 0; i < tokens.length; i++) operands += this.operand(tokens[i], w, pc, i === tokens.length - 1);
    let comment = '';
    if (this.hasAddr) {
      comment = this.address(this.addr);
      this.target = this.addr;
    }
    const text = op.name + (operands ? ' ' + operands : '') + (comment ? ' # ' + comment : '');
    return { text, mnemonic: op.name, operands, comment, length, word: w >>> 0, kind: 'insn', target: this.target };
  }

  private operand(tok: string, w: number, pc: number, last: boolean): string {
    const spec = OPERANDS[tok];
    if (spec === undefined) return tok === '0' ? (last ? '0' : '') : tok; // punctuation and the elided zero
    this.track(tok, w, pc);
    const v = spec[1](w);
    switch (spec[0]) {
      case Kind.Reg: return ABI_NAMES[v];
      case Kind.Dec: return String(v);
      case Kind.Hex: return '0x' + hex(v);
      case Kind.Csr: return csrName(v, this.opts.privSpec);
      case Kind.Fence: return FENCE_SET[v];
      case Kind.Target:
        this.target = (pc + v) >>> 0;
        return this.address(this.target);
    }
  }

  /** objdump's multi-instruction address tracking, run as each operand letter is printed. */
  private track(tok: string, w: number, pc: number): void {
    switch (tok) {
      case 'd':
        if ((w & 0x7f) === 0x37) this.remember(rd(w), w & 0xfffff000);
        else if ((w & 0x7f) === 0x17) this.remember(rd(w), pc + (w & 0xfffff000));
        else if ((w & 0xe003) === 0x6001) this.remember(rd(w), ciImm(w) << 12);
        return;
      case 's': if (isJalr(w)) this.annotate(rs1(w), iImm(w)); return;
      case 'o': this.annotate(rs1(w), iImm(w)); return;
      case 'j': if (((w & 0x707f) === 0x13 && rs1(w) !== 0) || isJalr(w)) this.annotate(rs1(w), iImm(w)); return;
      case 'q': this.annotate(rs1(w), sImm(w)); return;
      case 'Co': case 'Cj': if ((w & 0xe003) === 1 && rd(w) !== 0) this.annotate(rd(w), ciImm(w)); return;
    }
  }

  private remember(reg: number, value: number): void {
    (this.ctx ??= new DisasmContext()).set(reg, value);
  }

  /** objdump's maybe_print_address: decide whether `offset(base)` is a known address worth a comment. */
  private annotate(base: number, offset: number): void {
    const hi = this.ctx ? this.ctx.take(base) : NaN;
    if (!Number.isNaN(hi)) this.addr = (base !== 0 ? hi : 0) + offset;
    else if (base === 3 && this.opts.gp !== undefined) this.addr = this.opts.gp + offset;
    else if (base === 4 || base === 0) this.addr = offset;
    else return;
    this.addr >>>= 0;
    this.hasAddr = true;
  }
}

function readerOf(src: ByteSource, base: number): (addr: number) => number {
  if (typeof src === 'function') return src;
  return (addr) => {
    const i = (addr - base) >>> 0;
    return i < src.length ? src[i] : -1;
  };
}

/** The 16-bit parcel at `addr`, or -1 when either byte is unreadable. */
function parcel(read: (addr: number) => number, addr: number): number {
  const lo = read(addr >>> 0);
  const hi = read((addr + 1) >>> 0);
  if (!(lo >= 0 && lo <= 255 && hi >= 0 && hi <= 255)) return -1;
  return lo | (hi << 8);
}

function data(word: number, length: 2 | 4): Disassembly {
  const operands = '0x' + hex(word);
  const mnemonic = length === 4 ? '.4byte' : '.2byte';
  return { text: mnemonic + ' ' + operands, mnemonic, operands, comment: '', length, word: word >>> 0, kind: 'data', target: undefined };
}

function decodeAt(f: Formatter, read: (addr: number) => number, pc: number): Disassembly {
  const low = parcel(read, pc);
  if (low < 0) {
    return { text: '??', mnemonic: '??', operands: '', comment: '', length: 2, word: -1, kind: 'unreadable', target: undefined };
  }
  if ((low & 3) !== 3 || (low & 0x1f) === 0x1f) {
    // 16-bit, or an encoding longer than 32 bits (outside our ISA; shown one parcel at a time).
    const op = (low & 3) !== 3 ? lookup(low, true) : undefined;
    return op ? f.format(op, low, pc, 2) : data(low, 2);
  }
  const high = parcel(read, pc + 2);
  if (high < 0) return data(low, 2);
  const word = low | (high << 16);
  const op = lookup(word, false);
  return op ? f.format(op, word, pc, 4) : data(word, 4);
}

/** Disassembles the instruction at `pc`. With a Uint8Array, index 0 holds the byte at `pc`. */
export function disassemble(src: ByteSource, pc: number, opts: DisasmOptions = {}): Disassembly {
  return decodeAt(new Formatter(opts), readerOf(src, pc), pc >>> 0);
}

/** Disassembles `count` consecutive instructions from `start`, carrying objdump's lui/auipc tracking along. */
export function disassembleRange(src: ByteSource, start: number, count: number, opts: DisasmOptions = {}): DisasmLine[] {
  const f = new Formatter(opts);
  const read = readerOf(src, start);
  const lines: DisasmLine[] = [];
  let pc = start >>> 0;
  for (let i = 0; i < count; i++) {
    const line = decodeAt(f, read, pc) as DisasmLine;
    line.address = pc;
    line.bytes = line.kind === 'unreadable' ? '' : line.word.toString(16).padStart(line.length * 2, '0');
    lines.push(line);
    pc = (pc + line.length) >>> 0;
  }
  return lines;
}
