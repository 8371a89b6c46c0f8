// RVC compression: the 16-bit forms GNU as picks for a written mnemonic, and the C branch/jump encoders.
import { Fields } from './encoding';

/** A compressed form: returns the 16-bit encoding when the base instruction fits it, else null. */
type Form = (op: string, f: Fields) => number | null;

const isC = (r: number): boolean => r >= 8 && r <= 15;
const fits = (v: number, n: number): boolean => v >= -(1 << (n - 1)) && v < 1 << (n - 1);
const b = (v: number, hi: number, lo: number): number => (v >>> lo) & ((1 << (hi - lo + 1)) - 1);
const ci = (imm: number): number => (b(imm, 5, 5) << 12) | (b(imm, 4, 0) << 2);
const CA_F2: Record<string, number> = { sub: 0, xor: 1, or: 2, and: 3 };

const addiC = (allowZero: boolean): Form => (op, f) =>
  op === 'addi' && f.rd === f.rs1 && f.rd !== 0 && (allowZero || f.imm !== 0) && fits(f.imm, 6) ? 0x0001 | ci(f.imm) | (f.rd << 7) : null;
const caC = (swap: boolean): Form => (op, f) => {
  const other = swap ? f.rs1 : f.rs2;
  const same = swap ? f.rs2 : f.rs1;
  return op in CA_F2 && (!swap || op !== 'sub') && f.rd === same && isC(f.rd) && isC(other)
    ? 0x8c01 | ((f.rd - 8) << 7) | (CA_F2[op] << 5) | ((other - 8) << 2) : null;
};
const shiftC = (name: string, base: number, needC: boolean): Form => (op, f) =>
  op === name && f.rd === f.rs1 && (needC ? isC(f.rd) : f.rd !== 0) && f.imm > 0 && f.imm < 32
    ? base | ((needC ? f.rd - 8 : f.rd) << 7) | (f.imm << 2) : null;
const memC = (name: string, base: number, reg: 'rd' | 'rs2'): Form => (op, f) =>
  op === name && isC(f[reg]) && isC(f.rs1) && f.imm >= 0 && f.imm < 128 && f.imm % 4 === 0
    ? base | (b(f.imm, 5, 3) << 10) | ((f.rs1 - 8) << 7) | (b(f.imm, 2, 2) << 6) | (b(f.imm, 6, 6) << 5) | ((f[reg] - 8) << 2) : null;

export const FORMS: Record<string, Form> = {
  addi4spn: (op, f) => op === 'addi' && isC(f.rd) && f.rs1 === 2 && f.imm > 0 && f.imm < 1024 && f.imm % 4 === 0
    ? (b(f.imm, 5, 4) << 11) | (b(f.imm, 9, 6) << 7) | (b(f.imm, 2, 2) << 6) | (b(f.imm, 3, 3) << 5) | ((f.rd - 8) << 2) : null,
  addi: addiC(false),
  addiZero: addiC(true),
  nop: (op, f) => op === 'addi' && f.rd === 0 && f.rs1 === 0 && f.imm === 0 ? 0x0001 : null,
  addi16sp: (op, f) => op === 'addi' && f.rd === 2 && f.rs1 === 2 && f.imm !== 0 && f.imm % 16 === 0 && fits(f.imm, 10)
    ? 0x6101 | (b(f.imm, 9, 9) << 12) | (b(f.imm, 4, 4) << 6) | (b(f.imm, 6, 6) << 5) | (b(f.imm, 8, 7) << 3) | (b(f.imm, 5, 5) << 2) : null,
  li: (op, f) => op === 'addi' && f.rs1 === 0 && f.rd !== 0 && fits(f.imm, 6) ? 0x4001 | ci(f.imm) | (f.rd << 7) : null,
  mvAddi: (op, f) => op === 'addi' && f.imm === 0 && f.rd !== 0 && f.rs1 !== 0 ? 0x8002 | (f.rd << 7) | (f.rs1 << 2) : null,
  lui: (op, f) => op === 'lui' && f.rd !== 0 && f.rd !== 2 && f.imm !== 0 && (f.imm < 32 || (f.imm >= 0xfffe0 && f.imm <= 0xfffff))
    ? 0x6001 | ci(f.imm & 0x3f) | (f.rd << 7) : null,
  add: (op, f) => op === 'add' && f.rd === f.rs1 && f.rd !== 0 && f.rs2 !== 0 ? 0x9002 | (f.rd << 7) | (f.rs2 << 2) : null,
  addSwap: (op, f) => op === 'add' && f.rd === f.rs2 && f.rd !== 0 && f.rs1 !== 0 ? 0x9002 | (f.rd << 7) | (f.rs1 << 2) : null,
  mvAdd: (op, f) => op === 'add' && f.rs1 === 0 && f.rd !== 0 && f.rs2 !== 0 ? 0x8002 | (f.rd << 7) | (f.rs2 << 2) : null,
  ca: caC(false),
  caSwap: caC(true),
  andi: (op, f) => op === 'andi' && f.rd === f.rs1 && isC(f.rd) && fits(f.imm, 6) ? 0x8801 | ci(f.imm) | ((f.rd - 8) << 7) : null,
  slli: shiftC('slli', 0x0002, false),
  srli: shiftC('srli', 0x8001, true),
  srai: shiftC('srai', 0x8401, true),
  lwsp: (op, f) => op === 'lw' && f.rd !== 0 && f.rs1 === 2 && f.imm >= 0 && f.imm < 256 && f.imm % 4 === 0
    ? 0x4002 | (b(f.imm, 5, 5) << 12) | (f.rd << 7) | (b(f.imm, 4, 2) << 4) | (b(f.imm, 7, 6) << 2) : null,
  lw: memC('lw', 0x4000, 'rd'),
  swsp: (op, f) => op === 'sw' && f.rs1 === 2 && f.imm >= 0 && f.imm < 256 && f.imm % 4 === 0
    ? 0xc002 | (b(f.imm, 5, 2) << 9) | (b(f.imm, 7, 6) << 7) | (f.rs2 << 2) : null,
  sw: memC('sw', 0xc000, 'rs2'),
  jr: (op, f) => op === 'jalr' && f.rd === 0 && f.imm === 0 && f.rs1 !== 0 ? 0x8002 | (f.rs1 << 7) : null,
  jalr: (op, f) => op === 'jalr' && f.rd === 1 && f.imm === 0 && f.rs1 !== 0 ? 0x9002 | (f.rs1 << 7) : null,
  ebreak: (op) => (op === 'ebreak' ? 0x9002 : null),
  unimp: (op) => (op === 'unimp' ? 0x0000 : null),
};

export type FormName = keyof typeof FORMS;

/** Tries the forms in order (GNU as table order); the first that fits wins. */
export function compress(forms: readonly string[], op: string, f: Fields): number | null {
  for (const name of forms) {
    const r = FORMS[name](op, f);
    if (r !== null) return r;
  }
  return null;
}

/** c.beqz (eq) / c.bnez with a byte offset in [-256, 254]. */
export function encodeCBranch(eq: boolean, rs1: number, off: number): number {
  return (eq ? 0xc001 : 0xe001) | ((rs1 - 8) << 7) | (b(off, 8, 8) << 12) | (b(off, 4, 3) << 10)
    | (b(off, 7, 6) << 5) | (b(off, 2, 1) << 3) | (b(off, 5, 5) << 2);
}

/** c.j / c.jal with a byte offset in [-2048, 2046]. */
export function encodeCJump(link: boolean, off: number): number {
  return (link ? 0x2001 : 0xa001) | (b(off, 11, 11) << 12) | (b(off, 4, 4) << 11) | (b(off, 9, 8) << 9)
    | (b(off, 10, 10) << 8) | (b(off, 6, 6) << 7) | (b(off, 7, 7) << 6) | (b(off, 3, 1) << 3) | (b(off, 5, 5) << 2);
}
