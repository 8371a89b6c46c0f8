// The opcode table of the disassembler: GNU objdump 2.40's RV32IMAC+Zicsr+Zifencei entries in objdump's order.
//
// objdump prints the first table entry (aliases included) whose (match, mask) and extra condition accept the
// word, so the order below is the order of binutils 2.40's riscv_opcodes[] restricted to our ISA, with the
// entries that earlier entries always shadow left out. `args` uses objdump's operand letters:
//   d rd · s rs1 · t rs2 · j I-imm · o I-imm offset · q S-imm offset · u U-imm · a J-target · p B-target
//   > shamt · P/Q fence pred/succ · E CSR · Z 5-bit uimm in rs1 · 0 elided zero offset
//   C-prefixed: Cs/Cw rs1' · Ct rs2' · CU rd · CV rs2 · Cc sp · Co/Cj CI-imm · Cu c.lui imm
//   C> CI shamt · Ck c.lw offset · Cm c.lwsp offset · CM c.swsp offset · CK c.addi4spn imm
//   CL c.addi16sp imm · Cp CB-target · Ca CJ-target

/** Extra match conditions (objdump's match_* functions beyond match_opcode). */
export enum Cond {
  None,
  RdNz, // rd != 0
  CAdd, // rd != 0 && c.rs2 != 0
  Crs2Nz, // c.rs2 != 0
  RdSp, // rd == sp
  CLui, // rd != 0 && rd != sp && imm != 0
  CLuiHint, // rd != sp && imm != 0
  C4spnNz, // c.addi4spn immediate != 0
  CiNz, // CI immediate != 0
  RdNzCiNz, // rd != 0 && CI immediate != 0
  CiZ, // CI immediate == 0
}

type Row = readonly [name: string, args: string, match: number, mask: number, cond?: Cond];

const ROWS: readonly Row[] = [
  ['unimp', '', 0x0, 0xffff],
  ['unimp', '', 0xc0001073, 0xffffffff],
  ['ebreak', '', 0x9002, 0xffff],
  ['ebreak', '', 0x100073, 0xffffffff],
  ['ret', '', 0x8082, 0xffff],
  ['ret', '', 0x8067, 0xffffffff],
  ['jr', 'd', 0x8002, 0xf07f, Cond.RdNz],
  ['jr', 's', 0x67, 0xfff07fff],
  ['jr', 'o(s)', 0x67, 0x7fff],
  ['jalr', 'd', 0x9002, 0xf07f, Cond.RdNz],
  ['jalr', 's', 0xe7, 0xfff07fff],
  ['jalr', 'o(s)', 0xe7, 0x7fff],
  ['jalr', 'd,s', 0x67, 0xfff0707f],
  ['jalr', 'd,o(s)', 0x67, 0x707f],
  ['j', 'Ca', 0xa001, 0xe003],
  ['j', 'a', 0x6f, 0xfff],
  ['jal', 'a', 0xef, 0xfff],
  ['jal', 'd,a', 0x6f, 0x7f],
  ['jal', 'Ca', 0x2001, 0xe003],
  ['nop', '', 0x1, 0xffff],
  ['nop', '', 0x13, 0xffffffff],
  ['lui', 'd,Cu', 0x6001, 0xe003, Cond.CLui],
  ['lui', 'd,u', 0x37, 0x7f],
  ['li', 'd,Co', 0x4001, 0xe003, Cond.RdNz],
  ['li', 'd,j', 0x13, 0xff07f],
  ['mv', 'd,CV', 0x8002, 0xf003, Cond.CAdd],
  ['mv', 'd,s', 0x13, 0xfff0707f],
  ['zext.b', 'd,s', 0xff07013, 0xfff0707f],
  ['and', 'Cs,Cw,Ct', 0x8c61, 0xfc63],
  ['and', 'Cs,Cw,Co', 0x8801, 0xec03],
  ['and', 'd,s,t', 0x7033, 0xfe00707f],
  ['and', 'd,s,j', 0x7013, 0x707f],
  ['beqz', 'Cs,Cp', 0xc001, 0xe003],
  ['beqz', 's,p', 0x63, 0x1f0707f],
  ['beq', 's,t,p', 0x63, 0x707f],
  ['blez', 't,p', 0x5063, 0xff07f],
  ['bgez', 's,p', 0x5063, 0x1f0707f],
  ['bge', 's,t,p', 0x5063, 0x707f],
  ['bgeu', 's,t,p', 0x7063, 0x707f],
  ['bltz', 's,p', 0x4063, 0x1f0707f],
  ['bgtz', 't,p', 0x4063, 0xff07f],
  ['blt', 's,t,p', 0x4063, 0x707f],
  ['bltu', 's,t,p', 0x6063, 0x707f],
  ['bnez', 'Cs,Cp', 0xe001, 0xe003],
  ['bnez', 's,p', 0x1063, 0x1f0707f],
  ['bne', 's,t,p', 0x1063, 0x707f],
  ['add', 'd,CU,CV', 0x9002, 0xf003, Cond.CAdd],
  ['add', 'd,CU,Co', 0x1, 0xe003, Cond.RdNz],
  ['add', 'Ct,Cc,CK', 0x0, 0xe003, Cond.C4spnNz],
  ['add', 'Cc,Cc,CL', 0x6101, 0xef83, Cond.RdSp],
  ['add', 'd,s,t', 0x33, 0xfe00707f],
  ['add', 'd,s,j', 0x13, 0x707f],
  ['neg', 'd,t', 0x40000033, 0xfe0ff07f],
  ['sll', 'd,CU,C>', 0x2, 0xe003, Cond.RdNzCiNz],
  ['sll', 'd,s,t', 0x1033, 0xfe00707f],
  ['sll', 'd,s,>', 0x1013, 0xfc00707f],
  ['srl', 'Cs,Cw,C>', 0x8001, 0xec03, Cond.CiNz],
  ['srl', 'd,s,t', 0x5033, 0xfe00707f],
  ['srl', 'd,s,>', 0x5013, 0xfc00707f],
  ['sra', 'Cs,Cw,C>', 0x8401, 0xec03, Cond.CiNz],
  ['sra', 'd,s,t', 0x40005033, 0xfe00707f],
  ['sra', 'd,s,>', 0x40005013, 0xfc00707f],
  ['sub', 'Cs,Cw,Ct', 0x8c01, 0xfc63],
  ['sub', 'd,s,t', 0x40000033, 0xfe00707f],
  ['lb', 'd,o(s)', 0x3, 0x707f],
  ['lbu', 'd,o(s)', 0x4003, 0x707f],
  ['lh', 'd,o(s)', 0x1003, 0x707f],
  ['lhu', 'd,o(s)', 0x5003, 0x707f],
  ['lw', 'd,Cm(Cc)', 0x4002, 0xe003, Cond.RdNz],
  ['lw', 'Ct,Ck(Cs)', 0x4000, 0xe003],
  ['lw', 'd,o(s)', 0x2003, 0x707f],
  ['not', 'd,s', 0xfff04013, 0xfff0707f],
  ['or', 'd,s,j', 0x6013, 0x707f],
  ['or', 'Cs,Cw,Ct', 0x8c41, 0xfc63],
  ['or', 'd,s,t', 0x6033, 0xfe00707f],
  ['auipc', 'd,u', 0x17, 0x7f],
  ['seqz', 'd,s', 0x103013, 0xfff0707f],
  ['snez', 'd,t', 0x3033, 0xfe0ff07f],
  ['sltz', 'd,s', 0x2033, 0xfff0707f],
  ['sgtz', 'd,t', 0x2033, 0xfe0ff07f],
  ['slti', 'd,s,j', 0x2013, 0x707f],
  ['slt', 'd,s,t', 0x2033, 0xfe00707f],
  ['sltiu', 'd,s,j', 0x3013, 0x707f],
  ['sltu', 'd,s,t', 0x3033, 0xfe00707f],
  ['sb', 't,q(s)', 0x23, 0x707f],
  ['sh', 't,q(s)', 0x1023, 0x707f],
  ['sw', 'CV,CM(Cc)', 0xc002, 0xe003],
  ['sw', 'Ct,Ck(Cs)', 0xc000, 0xe003],
  ['sw', 't,q(s)', 0x2023, 0x707f],
  ['fence', '', 0xff0000f, 0xffffffff],
  ['fence', 'P,Q', 0xf, 0xf00fffff],
  ['fence.i', '', 0x100f, 0xffffffff],
  ['fence.tso', '', 0x8330000f, 0xffffffff],
  ['rdcycle', 'd', 0xc0002073, 0xfffff07f],
  ['rdinstret', 'd', 0xc0202073, 0xfffff07f],
  ['rdtime', 'd', 0xc0102073, 0xfffff07f],
  ['rdcycleh', 'd', 0xc8002073, 0xfffff07f],
  ['rdinstreth', 'd', 0xc8202073, 0xfffff07f],
  ['rdtimeh', 'd', 0xc8102073, 0xfffff07f],
  ['ecall', '', 0x73, 0xffffffff],
  ['xor', 'd,s,j', 0x4013, 0x707f],
  ['xor', 'Cs,Cw,Ct', 0x8c21, 0xfc63],
  ['xor', 'd,s,t', 0x4033, 0xfe00707f],
  ...atomics(),
  ['mul', 'd,s,t', 0x2000033, 0xfe00707f],
  ['mulh', 'd,s,t', 0x2001033, 0xfe00707f],
  ['mulhu', 'd,s,t', 0x2003033, 0xfe00707f],
  ['mulhsu', 'd,s,t', 0x2002033, 0xfe00707f],
  ['div', 'd,s,t', 0x2004033, 0xfe00707f],
  ['divu', 'd,s,t', 0x2005033, 0xfe00707f],
  ['rem', 'd,s,t', 0x2006033, 0xfe00707f],
  ['remu', 'd,s,t', 0x2007033, 0xfe00707f],
  ['c.nop', 'Cj', 0x1, 0xef83],
  ['c.mv', 'd,CV', 0x8002, 0xf003, Cond.Crs2Nz],
  ['c.lui', 'd,Cu', 0x6001, 0xe003, Cond.CLuiHint],
  ['c.li', 'd,Co', 0x4001, 0xe003],
  ['c.add', 'd,CV', 0x9002, 0xf003, Cond.Crs2Nz],
  ['c.slli', 'd,C>', 0x2, 0xe003, Cond.CiNz],
  ['c.slli64', 'd', 0x2, 0xf07f, Cond.CiZ],
  ['c.srli64', 'Cs', 0x8001, 0xfc7f, Cond.CiZ],
  ['c.srai64', 'Cs', 0x8401, 0xfc7f, Cond.CiZ],
  ['csrr', 'd,E', 0x2073, 0xff07f],
  ['csrw', 'E,s', 0x1073, 0x7fff],
  ['csrw', 'E,Z', 0x5073, 0x7fff],
  ['csrs', 'E,s', 0x2073, 0x7fff],
  ['csrs', 'E,Z', 0x6073, 0x7fff],
  ['csrc', 'E,s', 0x3073, 0x7fff],
  ['csrc', 'E,Z', 0x7073, 0x7fff],
  ['csrrw', 'd,E,s', 0x1073, 0x707f],
  ['csrrw', 'd,E,Z', 0x5073, 0x707f],
  ['csrrs', 'd,E,s', 0x2073, 0x707f],
  ['csrrs', 'd,E,Z', 0x6073, 0x707f],
  ['csrrc', 'd,E,s', 0x3073, 0x707f],
  ['csrrc', 'd,E,Z', 0x7073, 0x707f],
  ['uret', '', 0x200073, 0xffffffff],
  ['sret', '', 0x10200073, 0xffffffff],
  ['hret', '', 0x20200073, 0xffffffff],
  ['mret', '', 0x30200073, 0xffffffff],
  ['dret', '', 0x7b200073, 0xffffffff],
  ['sfence.vm', '', 0x10400073, 0xffffffff],
  ['sfence.vm', 's', 0x10400073, 0xfff07fff],
  ['sfence.vma', '', 0x12000073, 0xffffffff],
  ['sfence.vma', 's', 0x12000073, 0xfff07fff],
  ['sfence.vma', 's,t', 0x12000073, 0xfe007fff],
  ['wfi', '', 0x10500073, 0xffffffff],
];

/** The A extension in objdump's order: lr/sc then the AMOs, for each ordering suffix. */
function atomics(): Row[] {
  const ops: [string, number][] = [
    ['lr.w', 0x02], ['sc.w', 0x03], ['amoadd.w', 0x00], ['amoswap.w', 0x01], ['amoand.w', 0x0c], ['amoor.w', 0x08],
    ['amoxor.w', 0x04], ['amomax.w', 0x14], ['amomaxu.w', 0x1c], ['amomin.w', 0x10], ['amominu.w', 0x18],
  ];
  const rows: Row[] = [];
  for (const [suffix, aqrl] of [['', 0], ['.aq', 2], ['.rl', 1], ['.aqrl', 3]] as const) {
    for (const [name, funct5] of ops) {
      const lr = name === 'lr.w';
      const match = ((funct5 << 27) | (aqrl << 25) | 0x202f) >>> 0;
      rows.push([name + suffix, lr ? 'd,0(s)' : 'd,t,0(s)', match, lr ? 0xfff0707f : 0xfe00707f]);
    }
  }
  return rows;
}

/** A table entry ready for matching: operand letters pre-split into tokens (`C>` is one token). */
export interface Opcode {
  readonly name: string;
  readonly tokens: readonly string[];
  readonly match: number;
  readonly mask: number;
  readonly cond: Cond;
}

function tokenize(args: string): string[] {
  const tokens: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const c = args[i];
    tokens.push(c === 'C' ? c + args[++i] : c);
  }
  return tokens;
}

export const OPCODES: readonly Opcode[] = ROWS.map(([name, args, match, mask, cond]) => ({
  name, tokens: tokenize(args), match: match | 0, mask: mask | 0, cond: cond ?? Cond.None,
}));

// Buckets by the bits every entry's mask covers: opcode+funct3 (32-bit), quadrant+funct3 (16-bit).
const KEY32_BITS = 0x707f;
const KEY16_BITS = 0xe003;
const key32 = (w: number): number => (w & 0x7f) | ((w >>> 5) & 0x380);
const key16 = (w: number): number => (w & 3) | ((w >>> 11) & 0x1c);

function buildBuckets(count: number, keyBits: number, keyWord: (k: number) => number, is16: boolean): Opcode[][] {
  const buckets: Opcode[][] = [];
  for (let k = 0; k < count; k++) {
    const kw = keyWord(k);
    buckets.push(OPCODES.filter((op) => ((op.match & 3) !== 3) === is16 && ((kw ^ op.match) & op.mask & keyBits) === 0));
  }
  return buckets;
}

const BUCKETS32 = buildBuckets(1024, KEY32_BITS, (k) => (k & 0x7f) | ((k & 0x380) << 5), false);
const BUCKETS16 = buildBuckets(32, KEY16_BITS, (k) => (k & 3) | ((k & 0x1c) << 11), true);

/** Signed 6-bit CI immediate is nonzero (bit 12 and bits 6:2). */
const ciNz = (w: number): boolean => (w & 0x107c) !== 0;

function condHolds(cond: Cond, w: number): boolean {
  const rd = (w >>> 7) & 31;
  switch (cond) {
    case Cond.None: return true;
    case Cond.RdNz: return rd !== 0;
    case Cond.CAdd: return rd !== 0 && (w & 0x7c) !== 0;
    case Cond.Crs2Nz: return (w & 0x7c) !== 0;
    case Cond.RdSp: return rd === 2;
    case Cond.CLui: return rd !== 0 && rd !== 2 && ciNz(w);
    case Cond.CLuiHint: return rd !== 2 && ciNz(w);
    case Cond.C4spnNz: return (w & 0x1fe0) !== 0;
    case Cond.CiNz: return ciNz(w);
    case Cond.RdNzCiNz: return rd !== 0 && ciNz(w);
    case Cond.CiZ: return !ciNz(w);
  }
}

/** The entry objdump would print for `word` (16-bit parcel when `is16`), or undefined for an illegal word. */
export function lookup(word: number, is16: boolean): Opcode | undefined {
  const bucket = is16 ? BUCKETS16[key16(word)] : BUCKETS32[key32(word)];
  for (let i = 0; i < bucket.length; i++) {
    const op = bucket[i];
    if (((word ^ op.match) & op.mask) === 0 && condHolds(op.cond, word)) return op;
  }
  return undefined;
}
