// Instruction reference data: syntax, one-line meaning and (for pseudo-instructions) the expansion.
import { allMnemonics } from '../../asm/index';

export interface InstrDoc {
  mnemonic: string;
  syntax: string;
  meaning: string;
  /** What a pseudo-instruction assembles to (GNU as rules). */
  expansion?: string;
}

type Row = [syntax: string, meaning: string, expansion?: string];

const ALU: Record<string, string> = { add: 'rs1 + rs2', sub: 'rs1 - rs2', sll: 'rs1 << rs2[4:0]', slt: '(rs1 < rs2) signed ? 1 : 0',
  sltu: '(rs1 < rs2) unsigned ? 1 : 0', xor: 'rs1 ^ rs2', srl: 'rs1 >> rs2[4:0] (logical)', sra: 'rs1 >> rs2[4:0] (arithmetic)',
  or: 'rs1 | rs2', and: 'rs1 & rs2', mul: 'low 32 bits of rs1 × rs2', mulh: 'high 32 bits of signed rs1 × signed rs2',
  mulhsu: 'high 32 bits of signed rs1 × unsigned rs2', mulhu: 'high 32 bits of unsigned rs1 × rs2', div: 'rs1 ÷ rs2 (signed)',
  divu: 'rs1 ÷ rs2 (unsigned)', rem: 'rs1 mod rs2 (signed)', remu: 'rs1 mod rs2 (unsigned)' };
const IMM: Record<string, string> = { addi: 'rs1 + imm', slti: '(rs1 < imm) signed ? 1 : 0', sltiu: '(rs1 < imm) unsigned ? 1 : 0',
  xori: 'rs1 ^ imm', ori: 'rs1 | imm', andi: 'rs1 & imm', slli: 'rs1 << shamt', srli: 'rs1 >> shamt (logical)', srai: 'rs1 >> shamt (arithmetic)' };
const LOADS: Record<string, string> = { lb: 'a signed byte', lh: 'a signed halfword', lw: 'a word', lbu: 'an unsigned byte', lhu: 'an unsigned halfword' };
const STORES: Record<string, string> = { sb: 'low byte', sh: 'low halfword', sw: 'word' };
const BRANCH: Record<string, string> = { beq: 'rs1 == rs2', bne: 'rs1 != rs2', blt: 'rs1 < rs2 (signed)', bge: 'rs1 >= rs2 (signed)',
  bltu: 'rs1 < rs2 (unsigned)', bgeu: 'rs1 >= rs2 (unsigned)' };
const BRANCH_PSEUDO: Record<string, Row> = {
  beqz: ['beqz rs, label', 'branch if rs == 0', 'beq rs, zero, label'], bnez: ['bnez rs, label', 'branch if rs != 0', 'bne rs, zero, label'],
  bltz: ['bltz rs, label', 'branch if rs < 0', 'blt rs, zero, label'], bgez: ['bgez rs, label', 'branch if rs >= 0', 'bge rs, zero, label'],
  blez: ['blez rs, label', 'branch if rs <= 0', 'bge zero, rs, label'], bgtz: ['bgtz rs, label', 'branch if rs > 0', 'blt zero, rs, label'],
  bgt: ['bgt rs, rt, label', 'branch if rs > rt (signed)', 'blt rt, rs, label'], ble: ['ble rs, rt, label', 'branch if rs <= rt (signed)', 'bge rt, rs, label'],
  bgtu: ['bgtu rs, rt, label', 'branch if rs > rt (unsigned)', 'bltu rt, rs, label'], bleu: ['bleu rs, rt, label', 'branch if rs <= rt (unsigned)', 'bgeu rt, rs, label'],
};
const CSR_OPS: Record<string, Row> = {
  csrrw: ['csrrw rd, csr, rs1', 'atomically rd = csr, csr = rs1'], csrrs: ['csrrs rd, csr, rs1', 'atomically rd = csr, csr |= rs1'],
  csrrc: ['csrrc rd, csr, rs1', 'atomically rd = csr, csr &= ~rs1'], csrrwi: ['csrrwi rd, csr, uimm5', 'rd = csr, csr = uimm5'],
  csrrsi: ['csrrsi rd, csr, uimm5', 'rd = csr, csr |= uimm5'], csrrci: ['csrrci rd, csr, uimm5', 'rd = csr, csr &= ~uimm5'],
  csrr: ['csrr rd, csr', 'read a CSR', 'csrrs rd, csr, zero'], csrw: ['csrw csr, rs', 'write a CSR', 'csrrw zero, csr, rs'],
  csrs: ['csrs csr, rs', 'set CSR bits', 'csrrs zero, csr, rs'], csrc: ['csrc csr, rs', 'clear CSR bits', 'csrrc zero, csr, rs'],
  csrwi: ['csrwi csr, uimm5', 'write a CSR immediate', 'csrrwi zero, csr, uimm5'], csrsi: ['csrsi csr, uimm5', 'set CSR bits', 'csrrsi zero, csr, uimm5'],
  csrci: ['csrci csr, uimm5', 'clear CSR bits', 'csrrci zero, csr, uimm5'],
  rdcycle: ['rdcycle rd', 'read cycle (low word)', 'csrrs rd, cycle, zero'], rdcycleh: ['rdcycleh rd', 'read cycle (high word)', 'csrrs rd, cycleh, zero'],
  rdtime: ['rdtime rd', 'read time (low word)', 'csrrs rd, time, zero'], rdtimeh: ['rdtimeh rd', 'read time (high word)', 'csrrs rd, timeh, zero'],
  rdinstret: ['rdinstret rd', 'read instret (low word)', 'csrrs rd, instret, zero'], rdinstreth: ['rdinstreth rd', 'read instret (high word)', 'csrrs rd, instreth, zero'],
};
const OTHER: Record<string, Row> = {
  lui: ['lui rd, imm20', 'rd = imm20 << 12'], auipc: ['auipc rd, imm20', 'rd = pc + (imm20 << 12)'],
  jal: ['jal [rd,] label', 'rd = pc + 4 (default ra); jump to label (±1 MiB)'], jalr: ['jalr [rd,] offset(rs1)', 'rd = pc + 4 (default ra); jump to rs1 + offset'],
  j: ['j label', 'jump', 'jal zero, label'], jr: ['jr rs', 'jump to register', 'jalr zero, 0(rs)'],
  ret: ['ret', 'return from a function', 'jalr zero, 0(ra)'],
  call: ['call [rd,] symbol', 'call a function anywhere in the address space', 'auipc ra, %pcrel_hi(symbol); jalr ra, %pcrel_lo(symbol)(ra)'],
  tail: ['tail symbol', 'tail call (jump without linking)', 'auipc t1, %pcrel_hi(symbol); jalr zero, %pcrel_lo(symbol)(t1)'],
  jump: ['jump symbol, rt', 'far jump through a scratch register', 'auipc rt, %pcrel_hi(symbol); jalr zero, %pcrel_lo(symbol)(rt)'],
  nop: ['nop', 'no operation', 'addi zero, zero, 0'],
  li: ['li rd, imm', 'load a 32-bit constant', 'addi rd, zero, imm (fits 12 bits), else lui rd, %hi(imm); addi rd, rd, %lo(imm)'],
  la: ['la rd, symbol', 'load an address (pc-relative)', 'auipc rd, %pcrel_hi(symbol); addi rd, rd, %pcrel_lo(symbol)'],
  lla: ['lla rd, symbol', 'load a local address (pc-relative)', 'auipc rd, %pcrel_hi(symbol); addi rd, rd, %pcrel_lo(symbol)'],
  mv: ['mv rd, rs', 'copy a register', 'addi rd, rs, 0'], move: ['move rd, rs', 'copy a register', 'addi rd, rs, 0'],
  not: ['not rd, rs', 'bitwise not', 'xori rd, rs, -1'], neg: ['neg rd, rs', 'negate', 'sub rd, zero, rs'],
  seqz: ['seqz rd, rs', 'rd = (rs == 0)', 'sltiu rd, rs, 1'], snez: ['snez rd, rs', 'rd = (rs != 0)', 'sltu rd, zero, rs'],
  sltz: ['sltz rd, rs', 'rd = (rs < 0)', 'slt rd, rs, zero'], sgtz: ['sgtz rd, rs', 'rd = (rs > 0)', 'slt rd, zero, rs'],
  sgt: ['sgt rd, rs, rt', 'rd = (rs > rt) signed', 'slt rd, rt, rs'], sgtu: ['sgtu rd, rs, rt', 'rd = (rs > rt) unsigned', 'sltu rd, rt, rs'],
  'zext.b': ['zext.b rd, rs', 'zero-extend the low byte', 'andi rd, rs, 255'],
  fence: ['fence [pred, succ]', 'order memory accesses (default iorw, iorw)'], 'fence.i': ['fence.i', 'synchronise instruction fetches with stores'],
  'fence.tso': ['fence.tso', 'total-store-order fence'], pause: ['pause', 'spin-loop hint'],
  ecall: ['ecall', 'environment call (trap: cause 11 in M-mode)'], ebreak: ['ebreak', 'breakpoint (trap: cause 3)'],
  scall: ['scall', 'old name of ecall', 'ecall'], sbreak: ['sbreak', 'old name of ebreak', 'ebreak'],
  mret: ['mret', 'return from a machine trap: pc = mepc, MIE = MPIE'], sret: ['sret', 'return from a supervisor trap'],
  uret: ['uret', 'return from a user trap'], dret: ['dret', 'return from debug mode'],
  wfi: ['wfi', 'wait for interrupt (idles until an interrupt is pending)'], unimp: ['unimp', 'illegal instruction (traps)'],
};
const AMO: Record<string, string> = { 'lr.w': 'load-reserved word', 'sc.w': 'store-conditional word (rd = 0 on success)',
  'amoswap.w': 'atomic swap', 'amoadd.w': 'atomic add', 'amoxor.w': 'atomic xor', 'amoand.w': 'atomic and', 'amoor.w': 'atomic or',
  'amomin.w': 'atomic signed minimum', 'amomax.w': 'atomic signed maximum', 'amominu.w': 'atomic unsigned minimum', 'amomaxu.w': 'atomic unsigned maximum' };

function baseRow(m: string): Row | undefined {
  if (ALU[m]) return [`${m} rd, rs1, rs2`, `rd = ${ALU[m]}`];
  if (IMM[m]) return [`${m} rd, rs1, ${/^s.li$/.test(m) ? 'shamt' : 'imm12'}`, `rd = ${IMM[m]}`];
  if (LOADS[m]) return [`${m} rd, offset(rs1)  |  ${m} rd, symbol`, `load ${LOADS[m]} from rs1 + offset`];
  if (STORES[m]) return [`${m} rs2, offset(rs1)  |  ${m} rs2, symbol, rt`, `store the ${STORES[m]} of rs2 at rs1 + offset`];
  if (BRANCH[m]) return [`${m} rs1, rs2, label`, `branch if ${BRANCH[m]} (±4 KiB; GNU as relaxes far targets)`];
  return BRANCH_PSEUDO[m] ?? CSR_OPS[m] ?? OTHER[m];
}

function amoRow(m: string): Row | undefined {
  const base = /^((?:lr|sc|amo[a-z]+)\.w)(\.aq|\.rl|\.aqrl)?$/.exec(m);
  if (!base || !AMO[base[1]]) return undefined;
  const order = base[2] ? ` (${base[2].slice(1)} ordering)` : '';
  const syntax = base[1] === 'lr.w' ? `${m} rd, (rs1)` : `${m} rd, rs2, (rs1)`;
  return [syntax, AMO[base[1]] + order];
}

/** Documentation for a mnemonic (base, pseudo, atomic or explicit compressed form), or undefined. */
export function instrDoc(mnemonic: string): InstrDoc | undefined {
  const m = mnemonic.toLowerCase();
  let row = baseRow(m) ?? amoRow(m);
  if (!row && m.startsWith('c.')) {
    const full = baseRow(m.slice(2)) ?? baseRow(m === 'c.mv' ? 'mv' : m === 'c.li' ? 'li' : 'addi');
    if (full) row = [`${m} …`, `compressed (16-bit) form of ${m.slice(2)}: ${full[1]}`];
  }
  if (!row) return undefined;
  return { mnemonic: m, syntax: row[0], meaning: row[1], expansion: row[2] };
}

let cached: string[] | undefined;
/** Every mnemonic the assembler accepts. */
export function mnemonics(): string[] {
  return (cached ??= allMnemonics());
}
