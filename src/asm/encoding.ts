// Base (32-bit) RV32IMA + Zicsr + Zifencei instructions: the opcode table and the bit-field encoders.

export type Format = 'R' | 'I' | 'S' | 'B' | 'U' | 'J' | 'SH' | 'CSR' | 'CSRI' | 'FENCE' | 'FIXED' | 'AMO';

export interface BaseOp {
  name: string;
  fmt: Format;
  /** Fixed bits (opcode, funct3, funct7, or the whole word for FIXED). */
  match: number;
}

/** Operand fields of one base instruction; `imm` is already a plain number. */
export interface Fields {
  rd: number;
  rs1: number;
  rs2: number;
  imm: number;
  csr: number;
  pred: number;
  succ: number;
}

export const noFields = (): Fields => ({ rd: 0, rs1: 0, rs2: 0, imm: 0, csr: 0, pred: 0, succ: 0 });

const OPS = new Map<string, BaseOp>();
function def(fmt: Format, opcode: number, f3: number, f7: number, names: string): void {
  for (const name of names.split(' ')) OPS.set(name, { name, fmt, match: opcode | (f3 << 12) | (f7 << 25) });
}
// Arrays in order of funct3.
function defRow(fmt: Format, opcode: number, f7: number, names: (string | null)[]): void {
  names.forEach((n, f3) => { if (n) def(fmt, opcode, f3, f7, n); });
}

defRow('R', 0x33, 0x00, ['add', 'sll', 'slt', 'sltu', 'xor', 'srl', 'or', 'and']);
defRow('R', 0x33, 0x20, ['sub', null, null, null, null, 'sra']);
defRow('R', 0x33, 0x01, ['mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu']);
defRow('I', 0x13, 0, ['addi', null, 'slti', 'sltiu', 'xori', null, 'ori', 'andi']);
defRow('SH', 0x13, 0x00, [null, 'slli', null, null, null, 'srli']);
defRow('SH', 0x13, 0x20, [null, null, null, null, null, 'srai']);
defRow('I', 0x03, 0, ['lb', 'lh', 'lw', null, 'lbu', 'lhu']);
defRow('S', 0x23, 0, ['sb', 'sh', 'sw']);
defRow('B', 0x63, 0, ['beq', 'bne', null, null, 'blt', 'bge', 'bltu', 'bgeu']);
defRow('CSR', 0x73, 0, [null, 'csrrw', 'csrrs', 'csrrc']);
defRow('CSRI', 0x73, 0, [null, null, null, null, null, 'csrrwi', 'csrrsi', 'csrrci']);
def('I', 0x67, 0, 0, 'jalr');
def('U', 0x37, 0, 0, 'lui');
def('U', 0x17, 0, 0, 'auipc');
def('J', 0x6f, 0, 0, 'jal');
def('FENCE', 0x0f, 0, 0, 'fence');
def('R', 0x73, 0, 0x09, 'sfence.vma');
const fixed: [string, number][] = [
  ['fence.i', 0x0000100f], ['fence.tso', 0x8330000f], ['ecall', 0x00000073], ['ebreak', 0x00100073],
  ['mret', 0x30200073], ['sret', 0x10200073], ['uret', 0x00200073], ['dret', 0x7b200073], ['wfi', 0x10500073],
  ['unimp', 0xc0001073], ['pause', 0x0100000f],
];
for (const [name, match] of fixed) OPS.set(name, { name, fmt: 'FIXED', match });
// AMOs: funct5 in bits 31:27, funct3 = 2 (word).
const amo: [string, number][] = [
  ['lr.w', 0x02], ['sc.w', 0x03], ['amoswap.w', 0x01], ['amoadd.w', 0x00], ['amoxor.w', 0x04], ['amoand.w', 0x0c],
  ['amoor.w', 0x08], ['amomin.w', 0x10], ['amomax.w', 0x14], ['amominu.w', 0x18], ['amomaxu.w', 0x1c],
];
for (const [name, f5] of amo) {
  ['', '.aq', '.rl', '.aqrl'].forEach((suffix, aqrl) => {
    const bits = (aqrl === 1 ? 2 : aqrl === 2 ? 1 : aqrl) << 25;
    OPS.set(name + suffix, { name: name + suffix, fmt: 'AMO', match: 0x2f | (2 << 12) | (f5 << 27) | bits });
  });
}

export function baseOp(name: string): BaseOp {
  const op = OPS.get(name);
  if (!op) throw new Error(`internal: no base op ${name}`);
  return op;
}

const bits = (v: number, hi: number, lo: number): number => (v >>> lo) & ((1 << (hi - lo + 1)) - 1);

/** Encodes one base instruction into its 32-bit word (unsigned). */
export function encode(op: BaseOp, f: Fields): number {
  const { rd, rs1, rs2, imm } = f;
  const m = op.match;
  let w: number;
  switch (op.fmt) {
    case 'R': case 'AMO': w = m | (rs2 << 20) | (rs1 << 15) | (rd << 7); break;
    case 'I': w = m | ((imm & 0xfff) << 20) | (rs1 << 15) | (rd << 7); break;
    case 'SH': w = m | ((imm & 0x1f) << 20) | (rs1 << 15) | (rd << 7); break;
    case 'S': w = m | (bits(imm, 11, 5) << 25) | (rs2 << 20) | (rs1 << 15) | (bits(imm, 4, 0) << 7); break;
    case 'B':
      w = m | (bits(imm, 12, 12) << 31) | (bits(imm, 10, 5) << 25) | (rs2 << 20) | (rs1 << 15)
        | (bits(imm, 4, 1) << 8) | (bits(imm, 11, 11) << 7);
      break;
    case 'U': w = m | ((imm & 0xfffff) << 12) | (rd << 7); break;
    case 'J':
      w = m | (bits(imm, 20, 20) << 31) | (bits(imm, 10, 1) << 21) | (bits(imm, 11, 11) << 20)
        | (bits(imm, 19, 12) << 12) | (rd << 7);
      break;
    case 'CSR': w = m | (f.csr << 20) | (rs1 << 15) | (rd << 7); break;
    case 'CSRI': w = m | (f.csr << 20) | ((imm & 0x1f) << 15) | (rd << 7); break;
    case 'FENCE': w = m | (f.pred << 24) | (f.succ << 20); break;
    case 'FIXED': w = m; break;
  }
  return w >>> 0;
}
