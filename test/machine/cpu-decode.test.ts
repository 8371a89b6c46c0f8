// Decoder tests: every 16-bit parcel against GNU objdump (when installed), and 32-bit legality spot checks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Op } from '../../src/machine/cpu-exec';
import { type Decoded, decode, wLen, wOp, wRd, wRs1, wRs2 } from '../../src/machine/decode';
import { E } from './cpu-encode';

function hasTool(name: string): boolean {
  try {
    execFileSync(name, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const OBJDUMP = 'riscv64-unknown-elf-objdump';

/** objdump -M no-aliases,numeric text for every 16-bit parcel, by parcel value. */
function objdumpAllParcels(): Map<number, { mnem: string; ops: string[]; addr: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'cpu-decode-'));
  try {
    const parcels: number[] = [];
    for (let v = 0; v < 0x10000; v++) if ((v & 3) !== 3) parcels.push(v);
    const bin = new Uint8Array(parcels.length * 2);
    parcels.forEach((v, i) => { bin[2 * i] = v & 0xff; bin[2 * i + 1] = v >>> 8; });
    writeFileSync(join(dir, 'c.bin'), bin);
    const text = execFileSync(OBJDUMP, ['-D', '-b', 'binary', '-m', 'riscv:rv32', '-M', 'no-aliases,numeric', join(dir, 'c.bin')], { maxBuffer: 1 << 28 }).toString();
    const out = new Map<number, { mnem: string; ops: string[]; addr: number }>();
    for (const line of text.split('\n')) {
      const m = /^\s*([0-9a-f]+):\t([0-9a-f]{4})\s+\t(\S+)\s*(.*)$/.exec(line);
      if (!m) continue;
      const operands = m[4].replace(/\s*#.*$/, '');
      out.set(parseInt(m[2], 16), { mnem: m[3], ops: operands === '' ? [] : operands.split(','), addr: parseInt(m[1], 16) });
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const reg = (s: string): number => {
  const m = /^x(\d+)$/.exec(s.trim());
  if (!m) throw new Error(`not a register: ${s}`);
  return Number(m[1]);
};
const num = (s: string): number => (s.trim().startsWith('-') ? -Number(s.trim().slice(1)) : Number(s.trim()));
const memOp = (s: string): [number, number] => {
  const m = /^(-?\w+)\((x\d+)\)$/.exec(s.trim());
  if (!m) throw new Error(`not a memory operand: ${s}`);
  return [num(m[1]), reg(m[2])];
};

interface Expect { op: Op; rd: number; rs1: number; rs2: number; imm: number }
const X = (op: Op, rd: number, rs1: number, rs2: number, imm: number): Expect => ({ op, rd: rd === 0 ? 32 : rd, rs1, rs2, imm: imm | 0 });

/** The 32-bit expansion objdump's text implies, or null for an illegal/reserved parcel. */
function expected(mnem: string, o: string[], addr: number): Expect | null {
  switch (mnem) {
    case 'c.addi4spn': return X(Op.ADDI, reg(o[0]), 2, 0, num(o[2]));
    case 'c.lw': case 'c.lwsp': { const [off, b] = memOp(o[1]); return reg(o[0]) === 0 ? null : X(Op.LW, reg(o[0]), b, 0, off); }
    case 'c.sw': case 'c.swsp': { const [off, b] = memOp(o[1]); return X(Op.SW, 0, b, reg(o[0]), off); }
    case 'c.nop': return X(Op.ADDI, 0, 0, 0, o.length ? num(o[0]) : 0);
    case 'c.addi': return X(Op.ADDI, reg(o[0]), reg(o[0]), 0, num(o[1]));
    case 'c.li': return X(Op.ADDI, reg(o[0]), 0, 0, num(o[1]));
    case 'c.addi16sp': return num(o[1]) === 0 ? null : X(Op.ADDI, 2, 2, 0, num(o[1]));
    case 'c.lui': return X(Op.LUI, reg(o[0]), 0, 0, num(o[1]) << 12);
    case 'c.jal': return X(Op.JAL, 1, 0, 0, num(o[0]) - addr);
    case 'c.j': return X(Op.JAL, 0, 0, 0, num(o[0]) - addr);
    case 'c.beqz': return X(Op.BEQ, 0, reg(o[0]), 0, num(o[1]) - addr);
    case 'c.bnez': return X(Op.BNE, 0, reg(o[0]), 0, num(o[1]) - addr);
    case 'c.srli': case 'c.srai': case 'c.slli': {
      const sh = num(o[1]);
      if (sh >= 32) return null; // RV32: shamt[5] = 1 is reserved
      const op = mnem === 'c.srli' ? Op.SRLI : mnem === 'c.srai' ? Op.SRAI : Op.SLLI;
      return X(op, reg(o[0]), reg(o[0]), 0, sh);
    }
    case 'c.srli64': return X(Op.SRLI, reg(o[0]), reg(o[0]), 0, 0);
    case 'c.srai64': return X(Op.SRAI, reg(o[0]), reg(o[0]), 0, 0);
    case 'c.slli64': return X(Op.SLLI, reg(o[0]), reg(o[0]), 0, 0);
    case 'c.andi': return X(Op.ANDI, reg(o[0]), reg(o[0]), 0, num(o[1]));
    case 'c.sub': return X(Op.SUB, reg(o[0]), reg(o[0]), reg(o[1]), 0);
    case 'c.xor': return X(Op.XOR, reg(o[0]), reg(o[0]), reg(o[1]), 0);
    case 'c.or': return X(Op.OR, reg(o[0]), reg(o[0]), reg(o[1]), 0);
    case 'c.and': return X(Op.AND, reg(o[0]), reg(o[0]), reg(o[1]), 0);
    case 'c.mv': return X(Op.ADD, reg(o[0]), 0, reg(o[1]), 0);
    case 'c.add': return X(Op.ADD, reg(o[0]), reg(o[0]), reg(o[1]), 0);
    case 'c.jr': return X(Op.JALR, 0, reg(o[0]), 0, 0);
    case 'c.jalr': return X(Op.JALR, 1, reg(o[0]), 0, 0);
    case 'c.ebreak': return X(Op.EBREAK, 0, 0, 0, 0);
    default: return null; // c.unimp, .2byte, and c.f* (no F/D extension)
  }
}

test('every 16-bit parcel decodes like GNU objdump expands it', { skip: !hasTool(OBJDUMP) && 'no riscv64-unknown-elf-objdump' }, () => {
  const dump = objdumpAllParcels();
  assert.equal(dump.size, 49152);
  const d: Decoded = { w: 0, imm: 0 };
  const problems: string[] = [];
  for (const [parcel, { mnem, ops, addr }] of dump) {
    const want = expected(mnem, ops, addr);
    decode(parcel, d);
    assert.equal(wLen(d.w), 2);
    const got: Expect = { op: wOp(d.w), rd: wRd(d.w), rs1: wRs1(d.w), rs2: wRs2(d.w), imm: d.imm };
    if (want === null) {
      if (got.op !== Op.ILLEGAL || d.imm !== parcel) problems.push(`${parcel.toString(16)} ${mnem} ${ops}: expected illegal`);
      continue;
    }
    // rs2 is irrelevant for I-type expansions, rs1 for LUI/JAL: compare only what the op reads
    const same = got.op === want.op && got.rd === want.rd && got.imm === want.imm &&
      (want.op === Op.LUI || want.op === Op.JAL || got.rs1 === want.rs1) &&
      (![Op.SW, Op.ADD, Op.SUB, Op.XOR, Op.OR, Op.AND].includes(want.op) || got.rs2 === want.rs2);
    if (!same) problems.push(`${parcel.toString(16)} ${mnem} ${ops}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}`);
  }
  assert.deepEqual(problems.slice(0, 20), []);
});

test('32-bit legality: reserved encodings are illegal, standard ones are not', () => {
  const d: Decoded = { w: 0, imm: 0 };
  const op = (bits: number): Op => (decode(bits, d), wOp(d.w));
  const illegal = [
    0xffffffff, 0x00000003 | (3 << 12), /* ld */ 0x00006003, /* lwu */ 0x00003023, /* sd */
    0x02001013 /* slli with imm[5] */, 0x40001013 /* slli funct7 0x20 */, 0x80005013 /* srli bad funct7 */,
    0x40001033 /* sll funct7 0x20 */, 0x00002063 /* branch f3=2 */, 0x00001067 /* jalr f3=1 */,
    0x12000173 /* sfence.vma with rd */, 0x00004073 /* csr f3=4 */, 0x00200073 /* uret */,
    0x0000302f /* amo f3=3 */, 0x1000202f | (1 << 20) /* lr with rs2 */, 0x0800202f | (1 << 27) /* amo funct5 0x03? sc ok */,
    0x0000001b /* addiw (RV64) */, 0x0000007f /* 64-bit+ */, 0x00002007 /* flw */,
  ];
  for (const bits of illegal.slice(0, -4)) assert.equal(op(bits), Op.ILLEGAL, bits.toString(16));
  assert.equal(op(0x0000001b), Op.ILLEGAL);
  assert.equal(op(0x0000007f), Op.ILLEGAL);
  assert.equal(op(0x00002007), Op.ILLEGAL);
  assert.equal(op(E.fence()), Op.FENCE);
  assert.equal(op(0x8330000f), Op.FENCE); // fence.tso
  assert.equal(op(E.fenceI()), Op.FENCE_I);
  assert.equal(op(0x10200073), Op.SRET);
  assert.equal(op(0x12000073), Op.SFENCE_VMA);
  assert.equal(op(0x12b50073), Op.SFENCE_VMA); // sfence.vma a0, a1
  assert.deepEqual([wRs1(d.w), wRs2(d.w), d.imm >>> 0], [10, 11, 0x12b50073]);
  assert.equal(op(E.srai(1, 2, 31)), Op.SRAI);
  assert.equal(d.imm, 31);
  assert.equal(op(E.csrrci(5, 0x300, 31)), Op.CSRRCI);
  assert.deepEqual([wRd(d.w), wRs1(d.w), d.imm], [5, 31, 0x300]);
  assert.equal(op(E.jal(0, -4)), Op.JAL);
  assert.deepEqual([wRd(d.w), d.imm, wLen(d.w)], [32, -4, 4]);
  assert.equal(op(E.beq(1, 2, -4096)), Op.BEQ);
  assert.equal(d.imm, -4096);
  assert.equal(op(E.sw(3, 4, -2048)), Op.SW);
  assert.equal(d.imm, -2048);
  assert.equal(op(E.lui(7, 0xfffff)), Op.LUI);
  assert.equal(d.imm, 0xfffff000 | 0);
});

test('Op enum order is stable (the decoder and the interpreter share it)', () => {
  assert.equal(Op.ILLEGAL, 0);
  assert.equal(Op.SFENCE_VMA + 1, Op.COUNT);
  assert.ok(Op.COUNT <= 256, 'op ids fit in 8 bits of the packed word');
  const src = readFileSync(join(__dirname, '../../src/machine/cpu-exec.ts'), 'utf8');
  assert.match(src, /export const enum Op \{/);
});
