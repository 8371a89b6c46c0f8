// The mnemonic table: every written form (base, alias, pseudo) with its operand spec, base op and RVC forms.
//
// Operand letters (as in GNU as): d=rd s=rs1 t=rs2 D=rd and rs1, j=12-bit signed imm, o(s)/q(s)=load/store offset(base),
// 0(s)=AMO address, >=shift amount, u=20-bit upper imm, Z=5-bit csr imm, E=CSR, P/Q=fence sets,
// p=branch target, a=jump target, c=call target, A=symbol address, I=any constant (li).
import { Fields } from './encoding';

export type Macro = 'li' | 'la' | 'load' | 'store' | 'call' | 'branch' | 'jal' | 'cjump';

export interface Entry {
  spec: string;
  /** Base instruction the form encodes to (or that the macro uses). */
  op: string;
  fixed?: Partial<Fields>;
  /** RVC forms to try, in GNU as order (see compress.ts). */
  cforms?: string[];
  macro?: Macro;
  /** Branch/jump with a compressed variant (c.beqz/c.bnez/c.j) GNU as may relax to. */
  rvc?: boolean;
  /** Explicit `c.*` mnemonic: must encode to one of `cforms` (and needs RVC enabled). */
  compressed?: boolean;
}

const TABLE = new Map<string, Entry[]>();

function add(mnemonics: string, spec: string, op: string, extra: Omit<Entry, 'spec' | 'op'> = {}): void {
  for (const m of mnemonics.split(' ')) {
    const list = TABLE.get(m) ?? [];
    list.push({ spec, op: op === '=' ? m : op, ...extra });
    TABLE.set(m, list);
  }
}

const ADDI_FORMS = ['addi4spn', 'addi', 'nop', 'addi16sp', 'li', 'mvAddi'];
const ADD_FORMS = ['add', 'addSwap', 'addiZero', 'addi4spn', 'addi16sp', 'mvAdd'];

// Integer computational.
add('lui', 'd,u', '=', { cforms: ['lui'] });
add('auipc', 'd,u', '=');
add('addi', 'd,s,j', '=', { cforms: ADDI_FORMS });
add('slti sltiu xori ori', 'd,s,j', '=');
add('andi', 'd,s,j', '=', { cforms: ['andi'] });
add('slli', 'd,s,>', '=', { cforms: ['slli'] });
add('srli', 'd,s,>', '=', { cforms: ['srli'] });
add('srai', 'd,s,>', '=', { cforms: ['srai'] });
add('add', 'd,s,t', '=', { cforms: ADD_FORMS });
add('add', 'd,s,j', 'addi', { cforms: ADD_FORMS });
add('sub', 'd,s,t', '=', { cforms: ['ca'] });
add('xor or', 'd,s,t', '=', { cforms: ['ca', 'caSwap'] });
add('and', 'd,s,t', '=', { cforms: ['ca', 'caSwap', 'andi'] });
add('and', 'd,s,j', 'andi', { cforms: ['andi'] });
add('xor', 'd,s,j', 'xori');
add('or', 'd,s,j', 'ori');
add('sll', 'd,s,t', '=');
add('sll', 'd,s,>', 'slli', { cforms: ['slli'] });
add('srl', 'd,s,t', '=');
add('srl', 'd,s,>', 'srli', { cforms: ['srli'] });
add('sra', 'd,s,t', '=');
add('sra', 'd,s,>', 'srai', { cforms: ['srai'] });
add('slt', 'd,s,t', '=');
add('slt', 'd,s,j', 'slti');
add('sltu', 'd,s,t', '=');
add('sltu', 'd,s,j', 'sltiu');
add('mul mulh mulhsu mulhu div divu rem remu', 'd,s,t', '=');
// Loads and stores (register + offset, or a symbol through an auipc pair).
add('lb lh lbu lhu', 'd,o(s)', '=');
add('lw', 'd,o(s)', '=', { cforms: ['lwsp', 'lw'] });
add('lb lh lw lbu lhu', 'd,A', '=', { macro: 'load' });
add('sb sh', 't,q(s)', '=');
add('sw', 't,q(s)', '=', { cforms: ['swsp', 'sw'] });
add('sb sh sw', 't,A,s', '=', { macro: 'store' });
// Control transfer.
add('beq bne', 's,t,p', '=', { macro: 'branch', rvc: true });
add('blt bge bltu bgeu', 's,t,p', '=', { macro: 'branch' });
add('beqz', 's,p', 'beq', { macro: 'branch', rvc: true });
add('bnez', 's,p', 'bne', { macro: 'branch', rvc: true });
add('bltz', 's,p', 'blt', { macro: 'branch' });
add('bgez', 's,p', 'bge', { macro: 'branch' });
add('blez', 't,p', 'bge', { macro: 'branch' });
add('bgtz', 't,p', 'blt', { macro: 'branch' });
add('bgt', 't,s,p', 'blt', { macro: 'branch' });
add('ble', 't,s,p', 'bge', { macro: 'branch' });
add('bgtu', 't,s,p', 'bltu', { macro: 'branch' });
add('bleu', 't,s,p', 'bgeu', { macro: 'branch' });
add('j', 'a', 'jal', { macro: 'jal', rvc: true });
add('jal', 'a', 'jal', { macro: 'jal', fixed: { rd: 1 } });
add('jal', 'd,a', 'jal', { macro: 'jal' });
add('jr', 's', 'jalr', { cforms: ['jr'] });
add('jr', 'o(s)', 'jalr');
add('jr', 's,j', 'jalr');
add('jalr', 's', 'jalr', { fixed: { rd: 1 }, cforms: ['jalr'] });
add('jalr', 'o(s)', 'jalr', { fixed: { rd: 1 } });
add('jalr', 's,j', 'jalr', { fixed: { rd: 1 } });
add('jalr', 'd,s', 'jalr');
add('jalr', 'd,o(s)', 'jalr');
add('jalr', 'd,s,j', 'jalr');
add('ret', '', 'jalr', { fixed: { rs1: 1 }, cforms: ['jr'] });
add('call', 'c', 'jalr', { macro: 'call', fixed: { rd: 1, rs1: 1 } });
add('call', 'd,c', 'jalr', { macro: 'call', fixed: { rs1: 6 } });
add('tail', 'c', 'jalr', { macro: 'call', fixed: { rd: 0, rs1: 6 } });
add('jump', 'c,s', 'jalr', { macro: 'call' });
// Base pseudo-instructions.
add('nop', '', 'addi', { cforms: ['nop'] });
add('li', 'd,I', 'addi', { macro: 'li' });
add('la lla', 'd,A', 'addi', { macro: 'la' });
add('mv move', 'd,s', 'addi', { cforms: ['mvAddi'] });
add('not', 'd,s', 'xori', { fixed: { imm: -1 } });
add('neg', 'd,t', 'sub');
add('seqz', 'd,s', 'sltiu', { fixed: { imm: 1 } });
add('snez', 'd,t', 'sltu');
add('sltz', 'd,s', 'slt');
add('sgtz', 'd,t', 'slt');
add('sgt', 'd,t,s', 'slt');
add('sgtu', 'd,t,s', 'sltu');
add('zext.b', 'd,s', 'andi', { fixed: { imm: 255 } });
// CSRs.
add('csrrw csrrs csrrc', 'd,E,s', '=');
add('csrrw', 'd,E,Z', 'csrrwi');
add('csrrs', 'd,E,Z', 'csrrsi');
add('csrrc', 'd,E,Z', 'csrrci');
add('csrrwi csrrsi csrrci', 'd,E,Z', '=');
add('csrr', 'd,E', 'csrrs');
add('csrw', 'E,s', 'csrrw');
add('csrw', 'E,Z', 'csrrwi');
add('csrs', 'E,s', 'csrrs');
add('csrs', 'E,Z', 'csrrsi');
add('csrc', 'E,s', 'csrrc');
add('csrc', 'E,Z', 'csrrci');
add('csrwi', 'E,Z', 'csrrwi');
add('csrsi', 'E,Z', 'csrrsi');
add('csrci', 'E,Z', 'csrrci');
const COUNTERS: [string, number][] = [['rdcycle', 0xc00], ['rdtime', 0xc01], ['rdinstret', 0xc02], ['rdcycleh', 0xc80], ['rdtimeh', 0xc81], ['rdinstreth', 0xc82]];
for (const [m, csr] of COUNTERS) add(m, 'd', 'csrrs', { fixed: { csr } });
// System, fences, atomics.
add('fence', '', 'fence', { fixed: { pred: 15, succ: 15 } });
add('fence', 'P,Q', 'fence');
add('fence.i fence.tso ecall mret sret uret dret wfi pause', '', '=');
add('sfence.vma', '', '=');
add('sfence.vma', 's', '=');
add('sfence.vma', 's,t', '=');
add('ebreak', '', '=', { cforms: ['ebreak'] });
add('scall', '', 'ecall');
add('sbreak', '', 'ebreak', { cforms: ['ebreak'] });
add('unimp', '', '=', { cforms: ['unimp'] });
for (const base of ['lr.w', 'sc.w', 'amoswap.w', 'amoadd.w', 'amoxor.w', 'amoand.w', 'amoor.w', 'amomin.w', 'amomax.w', 'amominu.w', 'amomaxu.w']) {
  for (const suffix of ['', '.aq', '.rl', '.aqrl']) add(base + suffix, base === 'lr.w' ? 'd,0(s)' : 'd,t,0(s)', '=');
}

// Explicit compressed mnemonics (RVC only): each maps to the base instruction and the one form it must take.
const C: [string, string, string, string[], Partial<Fields>?][] = [
  ['c.addi4spn', 'd,s,j', 'addi', ['addi4spn']], ['c.addi', 'D,j', 'addi', ['addiZero']], ['c.addi16sp', 'D,j', 'addi', ['addi16sp']],
  ['c.li', 'd,j', 'addi', ['li']], ['c.lui', 'd,u', 'lui', ['lui']], ['c.mv', 'd,t', 'add', ['mvAdd']], ['c.add', 'D,t', 'add', ['add']],
  ['c.sub', 'D,t', 'sub', ['ca']], ['c.xor', 'D,t', 'xor', ['ca']], ['c.or', 'D,t', 'or', ['ca']], ['c.and', 'D,t', 'and', ['ca']],
  ['c.andi', 'D,j', 'andi', ['andi']], ['c.slli', 'D,>', 'slli', ['slli']], ['c.srli', 'D,>', 'srli', ['srli']], ['c.srai', 'D,>', 'srai', ['srai']],
  ['c.lw', 'd,o(s)', 'lw', ['lw']], ['c.sw', 't,q(s)', 'sw', ['sw']], ['c.lwsp', 'd,o(s)', 'lw', ['lwsp']], ['c.swsp', 't,q(s)', 'sw', ['swsp']],
  ['c.jr', 's', 'jalr', ['jr']], ['c.jalr', 's', 'jalr', ['jalr'], { rd: 1 }], ['c.nop', '', 'addi', ['nop']],
  ['c.ebreak', '', 'ebreak', ['ebreak']], ['c.unimp', '', 'unimp', ['unimp']],
];
for (const [m, spec, op, cforms, fixed] of C) add(m, spec, op, { cforms, fixed, compressed: true });
add('c.j', 'a', 'jal', { macro: 'cjump', compressed: true });
add('c.jal', 'a', 'jal', { macro: 'cjump', compressed: true, fixed: { rd: 1 } });
add('c.beqz', 's,p', 'beq', { macro: 'cjump', compressed: true });
add('c.bnez', 's,p', 'bne', { macro: 'cjump', compressed: true });

export function lookupMnemonic(name: string): Entry[] | undefined {
  return TABLE.get(name);
}

export function allMnemonics(): string[] {
  return [...TABLE.keys()];
}
