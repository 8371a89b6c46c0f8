// Test helper: seeded generator of random but valid RV32IMAC assembly, biased to compressible and edge operands.
import { mulberry32 } from '../helpers/mulberry32';

const REGS = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7',
  's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6', 'fp', 'x0', 'x7', 'x15', 'x31'];
const CREGS = ['s0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5'];
const CSRS = ['mstatus', 'misa', 'mie', 'mtvec', 'mscratch', 'mepc', 'mcause', 'mtval', 'mip', 'mhartid', 'mcycle', 'minstret',
  'cycle', 'time', 'instret', 'cycleh', 'mcountinhibit', 'pmpcfg0', 'pmpaddr3', 'mhpmcounter4', 'satp', 'sstatus', '0x7c0'];
const EDGE_IMM = [0, 1, -1, 2, 4, 8, 16, 31, 32, -32, -33, 63, 64, 124, 128, 252, 256, 496, -512, 1020, 1024, 2047, -2048, 0x7ff, -16];
const LI = [0, 1, -1, 31, -32, 32, 2047, -2048, 2048, 4096, -4096, 0x1000, 0x12345, 0x7fffffff, -0x80000000, 0xffffffff, 0xfffff800,
  0x7ffff800, 0x80000800, 0x1f000, 0x20000, 0xfffe0000, 0xfffdf000, 0xdeadbeef, 0x10000000, 0x5555, 0x800, 0xfff];

/** The tests' seeded PRNG (mulberry32). */
export const prng = mulberry32;

export function randomProgram(seed: number, count: number): string {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const reg = (): string => (rnd() < 0.5 ? pick(CREGS) : rnd() < 0.15 ? 'sp' : pick(REGS));
  const imm12 = (): number => (rnd() < 0.6 ? pick(EDGE_IMM) : int(-2048, 2047));
  const label = (): string => `L${int(0, Math.floor(count / 8))}`;
  const gens: (() => string)[] = [
    () => `${pick(['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu'])} ${reg()}, ${reg()}, ${reg()}`,
    () => { const r = reg(); return `${pick(['add', 'sub', 'xor', 'or', 'and'])} ${r}, ${rnd() < 0.5 ? r : reg()}, ${rnd() < 0.5 ? r : reg()}`; },
    () => { const r = reg(); return `${pick(['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'add', 'and'])} ${r}, ${rnd() < 0.6 ? r : reg()}, ${imm12()}`; },
    () => { const r = reg(); return `${pick(['slli', 'srli', 'srai', 'sll', 'srl', 'sra'])} ${r}, ${rnd() < 0.7 ? r : reg()}, ${int(0, 31)}`; },
    () => `${pick(['lb', 'lh', 'lw', 'lbu', 'lhu', 'lw', 'lw'])} ${reg()}, ${rnd() < 0.5 ? pick(EDGE_IMM) : imm12()}(${rnd() < 0.3 ? 'sp' : reg()})`,
    () => `${pick(['sb', 'sh', 'sw', 'sw'])} ${reg()}, ${rnd() < 0.5 ? pick(EDGE_IMM) : imm12()}(${rnd() < 0.3 ? 'sp' : reg()})`,
    () => `${pick(['lui', 'auipc'])} ${reg()}, ${rnd() < 0.5 ? pick([0, 1, 31, 32, 0xfffff, 0xfffe0, 0xfffdf, 0x80000]) : int(0, 0xfffff)}`,
    () => `li ${reg()}, ${rnd() < 0.6 ? pick(LI) : int(-0x80000000, 0x7fffffff)}`,
    () => `${pick(['mv', 'not', 'neg', 'seqz', 'snez', 'sltz', 'sgtz'])} ${reg()}, ${reg()}`,
    () => `${pick(['sgt', 'sgtu'])} ${reg()}, ${reg()}, ${reg()}`,
    () => `${pick(['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu', 'bgt', 'ble', 'bgtu', 'bleu'])} ${reg()}, ${rnd() < 0.5 ? 'zero' : reg()}, ${label()}`,
    () => `${pick(['beqz', 'bnez', 'blez', 'bgez', 'bltz', 'bgtz'])} ${reg()}, ${label()}`,
    () => `${pick(['j', 'jal', 'call', 'tail'])} ${label()}`,
    () => `${pick(['jal'])} ${reg()}, ${label()}`,
    () => `${pick(['jr', 'jalr'])} ${reg() === 'zero' ? 'ra' : reg()}`,
    () => `jalr ${reg()}, ${imm12()}(${reg()})`,
    () => `${pick(['la', 'lla'])} ${reg()}, ${label()}`,
    () => `${pick(['lw', 'lbu'])} ${reg()}, ${label()}`,
    () => `${pick(['csrrw', 'csrrs', 'csrrc'])} ${reg()}, ${pick(CSRS)}, ${reg()}`,
    () => `${pick(['csrrwi', 'csrrsi', 'csrrci'])} ${reg()}, ${pick(CSRS)}, ${int(0, 31)}`,
    () => `${pick(['csrr'])} ${reg()}, ${pick(CSRS)}`,
    () => `${pick(['csrw', 'csrs', 'csrc'])} ${pick(CSRS)}, ${rnd() < 0.5 ? reg() : int(0, 31)}`,
    () => pick(['nop', 'ret', 'ecall', 'ebreak', 'fence', 'fence.i', 'mret', 'wfi', 'fence rw, rw', 'fence i, o']),
    () => `${pick(['amoadd.w', 'amoswap.w.aq', 'amoor.w.rl', 'amomaxu.w.aqrl'])} ${reg()}, ${reg()}, (${reg()})`,
    () => (rnd() < 0.3 ? `.space ${int(1, 3) * 2 * int(1, 400)}` : `.align ${int(1, 3)}`),
    () => { const r = reg(); const l = label(); return `lui ${r}, %hi(${l})\n    addi ${r}, ${r}, %lo(${l})`; },
    () => {
      const r = reg();
      const use = pick([`addi ${r}, ${r}, %pcrel_lo(1b)`, `lw ${reg()}, %pcrel_lo(1b)(${r})`, `sw ${reg()}, %pcrel_lo(1b)(${r})`, `jalr ra, %pcrel_lo(1b)(${r})`]);
      return `1: auipc ${r}, %pcrel_hi(${label()})\n    ${use}`;
    },
    () => `${pick(['.word', '.half', '.byte'])} ${label()} - ${label()}, ${int(-100, 100)}\n    .balign 4`,
    () => `${pick(['beqz ' + reg() + ',', 'bnez ' + reg() + ',', 'j'])} ${label()} + ${pick([0, 4, 8, -4])}`,
  ];
  const lines = ['.text', '.globl _start', '_start:'];
  let next = 0;
  for (let i = 0; i < count; i++) {
    if (i % 8 === 0) lines.push(`L${next++}:`);
    lines.push('    ' + pick(gens)());
  }
  while (next <= Math.floor(count / 8)) lines.push(`L${next++}:`);
  lines.push('    ret');
  return lines.join('\n') + '\n';
}
