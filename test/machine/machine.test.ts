// End-to-end tests of the machine facade with tiny hand-encoded programs: loading, devices through the CPU, interrupts, DMA.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../src/machine/machine';
import type { Environment, GuestOutput, ReadKind } from '../../src/machine/types';
import type { Program } from '../../src/machine/program';

// ---- a tiny RV32 encoder with labels ----

const BASE = 0x8000_0000;
const REG = { zero: 0, ra: 1, sp: 2, t0: 5, t1: 6, t2: 7, s0: 8, s1: 9, a0: 10, a1: 11, a2: 12 } as const;
const CSR = { mstatus: 0x300, mie: 0x304, mtvec: 0x305, mepc: 0x341, mcause: 0x342, mip: 0x344 } as const;

const iType = (imm: number, rs1: number, f3: number, rd: number, op: number): number =>
  (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const sType = (imm: number, rs2: number, rs1: number, f3: number): number =>
  ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1f) << 7) | 0x23) >>> 0;
const bType = (imm: number, rs2: number, rs1: number, f3: number): number =>
  ((((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
    (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | 0x63) >>> 0;
const jType = (imm: number, rd: number): number =>
  ((((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20) | (((imm >> 12) & 0xff) << 12) | (rd << 7) | 0x6f) >>> 0;

class Asm {
  readonly words: number[] = [];
  private readonly labels = new Map<string, number>();
  private readonly fixups: { at: number; label: string; make: (off: number) => number }[] = [];

  get here(): number { return BASE + 4 * this.words.length; }
  label(name: string): this { this.labels.set(name, this.here); return this; }
  w(word: number): this { this.words.push(word >>> 0); return this; }
  li(rd: number, value: number): this {
    const hi = ((value + 0x800) >>> 12) & 0xfffff;
    return this.w((hi << 12) | (rd << 7) | 0x37).addi(rd, rd, value - (hi << 12));
  }
  la(rd: number, label: string): this {
    const at = this.words.length;
    this.w(0).w(0);
    this.fixups.push({ at, label, make: () => 0 });
    this.fixups.push({ at: -1 - at, label, make: () => rd });
    return this;
  }
  addi(rd: number, rs1: number, imm: number): this { return this.w(iType(imm, rs1, 0, rd, 0x13)); }
  add(rd: number, rs1: number, rs2: number): this { return this.w(((rs2 << 20) | (rs1 << 15) | (rd << 7) | 0x33) >>> 0); }
  and(rd: number, rs1: number, rs2: number): this { return this.w(((rs2 << 20) | (rs1 << 15) | (7 << 12) | (rd << 7) | 0x33) >>> 0); }
  lw(rd: number, rs1: number, imm: number): this { return this.w(iType(imm, rs1, 2, rd, 0x03)); }
  lbu(rd: number, rs1: number, imm: number): this { return this.w(iType(imm, rs1, 4, rd, 0x03)); }
  sw(rs2: number, rs1: number, imm: number): this { return this.w(sType(imm, rs2, rs1, 2)); }
  sb(rs2: number, rs1: number, imm: number): this { return this.w(sType(imm, rs2, rs1, 0)); }
  jalr(rd: number, rs1: number, imm: number): this { return this.w(iType(imm, rs1, 0, rd, 0x67)); }
  csrw(csr: number, rs1: number): this { return this.w(iType(csr, rs1, 1, 0, 0x73)); }
  csrr(rd: number, csr: number): this { return this.w(iType(csr, 0, 2, rd, 0x73)); }
  csrsi(csr: number, uimm: number): this { return this.w(iType(csr, uimm, 6, 0, 0x73)); }
  wfi(): this { return this.w(0x10500073); }
  mret(): this { return this.w(0x30200073); }
  beq(rs1: number, rs2: number, label: string): this { return this.branch(label, (off) => bType(off, rs2, rs1, 0)); }
  bne(rs1: number, rs2: number, label: string): this { return this.branch(label, (off) => bType(off, rs2, rs1, 1)); }
  j(label: string): this { return this.branch(label, (off) => jType(off, 0)); }
  private branch(label: string, make: (off: number) => number): this {
    this.fixups.push({ at: this.words.length, label, make });
    return this.w(0);
  }
  /** Test device exit with `code` (via t0/t1). */
  exit(code: number): this {
    return this.li(REG.t0, 0x0010_0000).li(REG.t1, code === 0 ? 0x5555 : (code << 16) | 0x3333).sw(REG.t1, REG.t0, 0);
  }

  program(extra: Partial<Program> = {}): Program {
    for (const f of this.fixups) {
      const target = this.labels.get(f.label);
      if (target === undefined) throw new Error(`no label ${f.label}`);
      if (f.at < 0) continue;
      const next = this.fixups.find((g) => g.at === -1 - f.at);
      if (next !== undefined) {
        const rd = next.make(0);
        const off = target - (BASE + 4 * f.at);
        const hi = ((off + 0x800) >>> 12) & 0xfffff;
        this.words[f.at] = ((hi << 12) | (rd << 7) | 0x17) >>> 0; // auipc
        this.words[f.at + 1] = iType(off - (hi << 12), rd, 0, rd, 0x13);
      } else {
        this.words[f.at] = f.make(target - (BASE + 4 * f.at));
      }
    }
    const data = new Uint8Array(new Uint32Array(this.words).buffer);
    return {
      entry: BASE, segments: [{ addr: BASE, data, memSize: data.length, name: '.text', executable: true }],
      symbols: [], lines: [], origin: 'test', ...extra,
    };
  }
}

/** Records outputs; time and entropy are fixed or scripted. */
class RecordingEnv implements Environment {
  readonly outputs: { out: GuestOutput; instret: number; pc: number }[] = [];
  readonly reads: { kind: ReadKind; instret: number; pc: number }[] = [];
  time = 0;
  read(kind: ReadKind, instret: number, pc: number): number {
    this.reads.push({ kind, instret, pc });
    return kind === 'entropy' ? 0xc0ffee00 + instret : kind === 'time' ? this.time : instret;
  }
  output(out: GuestOutput, instret: number, pc: number): void {
    this.outputs.push({ out, instret, pc });
  }
  uart(): string {
    return String.fromCharCode(...this.outputs.flatMap((o) => (o.out.kind === 'uart' ? [o.out.byte] : [])));
  }
}

function machineWith(asm: Asm, extra: Partial<Program> = {}, ramSize = 1 << 20): { m: Machine; env: RecordingEnv } {
  const env = new RecordingEnv();
  const m = new Machine({ env, ramSize });
  m.load(asm.program(extra));
  return { m, env };
}

const { t0, t1, t2, a0, a1, s0 } = REG;

test('hello over the UART, then the test device powers off with a code', () => {
  const a = new Asm().li(t0, 0x1000_0000);
  for (const c of 'Hi\n') a.li(t1, c.charCodeAt(0)).sb(t1, t0, 0);
  a.exit(42);
  const { m, env } = machineWith(a);
  assert.equal(m.run(1000), 'exit');
  assert.equal(m.exitCode, 42);
  assert.equal(m.halted, true);
  assert.equal(env.uart(), 'Hi\n');
  const exit = env.outputs.at(-1)!;
  assert.deepEqual(exit.out, { kind: 'exit', code: 42 });
  assert.equal(exit.pc, BASE + 4 * (a.words.length - 1), 'outputs carry the pc of the storing instruction');
  assert.equal(exit.instret, a.words.length - 1);
  assert.equal(m.run(2000), 'exit');
  assert.equal(m.instret, a.words.length);
});

test('HTIF tohost powers off with value >> 1', () => {
  const a = new Asm().la(t0, 'tohost').li(t1, (5 << 1) | 1).sw(t1, t0, 0).label('spin').j('spin').label('tohost').w(0);
  const { m, env } = machineWith(a);
  const program = a.program();
  const tohost = BASE + 4 * (a.words.length - 1);
  const m2 = machineWith(a, { tohost }).m;
  assert.equal(m.run(100), 'limit', 'no tohost symbol: the store is ordinary');
  assert.equal(m2.run(100), 'exit');
  assert.equal(m2.exitCode, 5);
  assert.ok(program.segments.length === 1 && env.outputs.length === 0);
});

test('load zeroes the memSize tail, sets the entry, rejects segments outside RAM', () => {
  const env = new RecordingEnv();
  const m = new Machine({ env, ramSize: 1 << 16 });
  m.ram.bytes.fill(0xff);
  m.load({
    entry: BASE + 8, segments: [{ addr: BASE, data: new Uint8Array([1, 2]), memSize: 16, name: '.data', executable: false }],
    symbols: [], lines: [], origin: 'unit',
  });
  assert.equal(m.pc, BASE + 8);
  assert.deepEqual([...m.ram.bytes.slice(0, 18)], [1, 2, ...new Array(14).fill(0), 0xff, 0xff]);
  const outside = (addr: number, memSize: number): Program => ({
    entry: BASE, segments: [{ addr, data: new Uint8Array(4), memSize, name: '.bss', executable: false }], symbols: [], lines: [], origin: 'bad.elf',
  });
  assert.throws(() => m.load(outside(0x1000, 4)), /bad\.elf: segment \.bss .* outside RAM/);
  assert.throws(() => m.load(outside(BASE + (1 << 16) - 2, 4)), /outside RAM/);
  assert.throws(() => m.load(outside(BASE, 2)), /4 bytes of data but a memory size of 2/);
});

test('device access faults become guest traps (fatal without a handler), never exceptions', () => {
  const a = new Asm().li(t0, 0x1000_0000).lw(t1, t0, 0);
  const { m } = machineWith(a);
  assert.equal(m.run(100), 'fatal');
  assert.equal(m.fatal?.cause, 5);
  assert.equal(m.fatal?.tval, 0x1000_0000);
  assert.equal(m.halted, true);
});

test('CLINT mtime and entropy reads go to the environment at the exact instruction', () => {
  const a = new Asm().li(t0, 0x0200_bff8).lw(a0, t0, 0).lw(a1, t0, 4).li(t0, 0x1000_3000).lw(s0, t0, 0).exit(0);
  const { m, env } = machineWith(a);
  env.time = 0x2_0000_0010;
  assert.equal(m.run(100), 'exit');
  assert.equal(m.cpu.x[a0], 0x10);
  assert.equal(m.cpu.x[a1], 2);
  assert.equal(m.cpu.x[s0] >>> 0, 0xc0ffee00 + 6);
  assert.deepEqual(env.reads.map((r) => [r.kind, r.instret, r.pc]), [
    ['time', 2, BASE + 8], ['time', 3, BASE + 12], ['entropy', 6, BASE + 24],
  ]);
});

/** Installs `handler` as mtvec, enables `mieBits` and MIE, then runs `body`. */
function withHandler(a: Asm, mieBits: number): Asm {
  return a.la(t0, 'handler').csrw(CSR.mtvec, t0).li(t0, mieBits).csrw(CSR.mie, t0).csrsi(CSR.mstatus, 8);
}

test('CLINT: writing mtimecmp arms the world timer; delivering MTIP enters the handler', () => {
  const a = withHandler(new Asm(), 1 << 7)
    .li(t0, 0x0200_4000).li(t1, 0).sw(t1, t0, 4).li(t1, 500).sw(t1, t0, 0)
    .label('idle').wfi().j('idle')
    .label('handler').csrr(a0, CSR.mcause).exit(9);
  const { m, env } = machineWith(a);
  assert.equal(m.run(1000), 'wfi');
  assert.deepEqual(env.outputs.map((o) => o.out), [{ kind: 'timerArm', mtimecmp: 0xffff_ffff }, { kind: 'timerArm', mtimecmp: 500 }]);
  assert.equal(m.cpu.mip & (1 << 7), 0);
  m.deliver({ kind: 'timer', pending: true });
  assert.equal(m.run(1000), 'exit');
  assert.equal(m.exitCode, 9);
  assert.equal(m.cpu.x[a0] >>> 0, 0x8000_0007);
});

test('CLINT msip raises a software interrupt', () => {
  const a = withHandler(new Asm(), 1 << 3).li(t0, 0x0200_0000).li(t1, 1).sw(t1, t0, 0)
    .label('spin').j('spin').label('handler').csrr(a0, CSR.mcause).exit(3);
  const { m } = machineWith(a);
  assert.equal(m.run(1000), 'exit');
  assert.equal(m.cpu.x[a0] >>> 0, 0x8000_0003);
});

test('UART RX interrupt through the PLIC: claim, read, echo, complete', () => {
  const a = withHandler(new Asm(), 1 << 11)
    .li(t0, 0x0c00_0000 + 4 * 10).li(t1, 1).sw(t1, t0, 0) // priority of source 10
    .li(t0, 0x0c00_2000).li(t1, 1 << 10).sw(t1, t0, 0) // enable
    .li(t0, 0x1000_0000).li(t1, 1).sb(t1, t0, 1) // IER: receive interrupt
    .label('idle').wfi().j('idle')
    .label('handler')
    .li(t2, 0x0c20_0004).lw(s0, t2, 0) // claim
    .li(t0, 0x1000_0000).lbu(a0, t0, 0).sb(a0, t0, 0) // read and echo
    .lbu(a1, t0, 5) // LSR after the read
    .sw(s0, t2, 0) // complete
    .exit(0);
  const { m, env } = machineWith(a);
  assert.equal(m.run(10_000), 'wfi');
  m.deliver({ kind: 'uartRx', bytes: new Uint8Array([0x7a]) });
  assert.equal(m.cpu.mip & (1 << 11), 1 << 11);
  assert.equal(m.run(10_000), 'exit');
  assert.equal(m.cpu.x[s0], 10);
  assert.equal(env.uart(), 'z');
  assert.equal(m.cpu.x[a1] & 1, 0);
  assert.equal(m.cpu.mip & (1 << 11), 0);
});

test('UART polling: spin on LSR.DR, read RBR', () => {
  const a = new Asm().li(t0, 0x1000_0000)
    .label('poll').lbu(t1, t0, 5).addi(t2, 0, 1).and(t1, t1, t2).beq(t1, 0, 'poll')
    .lbu(a0, t0, 0).exit(0);
  const { m } = machineWith(a);
  assert.equal(m.run(500), 'limit');
  m.deliver({ kind: 'uartRx', bytes: new Uint8Array([0x41]) });
  assert.equal(m.run(1000), 'exit');
  assert.equal(m.cpu.x[a0], 0x41);
});

test('disk DMA read over code that already ran: the new code executes (decode cache invalidated)', () => {
  const a = new Asm()
    .label('slot').li(a0, 1) // runs once, then DMA replaces it with li a0, 77
    .bne(s0, 0, 'done').addi(s0, 0, 1)
    .li(t0, 0x1000_2000).li(t1, 0).sw(t1, t0, 8).li(t1, 1).sw(t1, t0, 12).li(t1, BASE).sw(t1, t0, 16).li(t1, 1).sw(t1, t0, 20)
    .label('poll').lw(t1, t0, 24).addi(t2, 0, 2).bne(t1, t2, 'poll')
    .j('slot')
    .label('done').exit(0);
  const { m, env } = machineWith(a);
  assert.equal(m.run(200), 'limit');
  const req = env.outputs.find((o) => o.out.kind === 'diskRequest')!.out;
  assert.deepEqual(req, { kind: 'diskRequest', id: 1, op: 'read', sector: 0, count: 1 });
  const sector = m.ram.bytes.slice(0, 512);
  sector.set(new Uint8Array(new Uint32Array(new Asm().li(a0, 77).words).buffer), 0);
  m.deliver({ kind: 'diskDone', id: 1, ok: true, data: sector });
  assert.equal(m.run(1000), 'exit');
  assert.equal(m.cpu.x[a0], 77);
});

test('NIC: a received packet is popped into RAM by the guest and sent back', () => {
  const a = new Asm().li(t0, 0x1000_1000)
    .label('wait').lw(t1, t0, 4).beq(t1, 0, 'wait')
    .lw(a0, t0, 0x0c) // RX_LEN
    .li(t1, BASE + 0x8000).sw(t1, t0, 0x10).li(t2, 1).sw(t2, t0, 0x14) // pop to RAM
    .sw(t1, t0, 0x18).sw(a0, t0, 0x1c).sw(t2, t0, 0x20) // send it back
    .exit(0);
  const { m, env } = machineWith(a);
  m.deliver({ kind: 'nicRx', packet: new Uint8Array([1, 2, 3, 4, 5]) });
  assert.equal(m.run(1000), 'exit');
  assert.equal(m.cpu.x[a0], 5);
  const tx = env.outputs.find((o) => o.out.kind === 'nicTx')!.out;
  assert.ok(tx.kind === 'nicTx');
  assert.deepEqual([...tx.packet], [1, 2, 3, 4, 5]);
});

test('setEnvironment swaps the environment the CPU and the devices see', () => {
  const a = new Asm().li(t0, 0x1000_0000).li(t1, 0x41).sb(t1, t0, 0).sb(t1, t0, 0).exit(0);
  const { m, env } = machineWith(a);
  m.run(5);
  const second = new RecordingEnv();
  m.setEnvironment(second);
  m.run(100);
  assert.equal(env.uart(), 'A');
  assert.equal(second.uart(), 'A');
  assert.equal(second.outputs.at(-1)?.out.kind, 'exit');
});

test('describeDevices reports plain device registers', () => {
  const { m } = machineWith(new Asm().exit(0));
  m.deliver({ kind: 'uartRx', bytes: new Uint8Array([1, 2]) });
  const d = m.describeDevices();
  assert.equal(d.uart.rxQueued, 2);
  assert.equal(d.disk.capacitySectors, 2048);
  assert.equal(d.nic.rxQueued, 0);
  assert.equal(typeof d.clint.mtimecmp, 'string');
  assert.deepEqual(JSON.parse(JSON.stringify(d)), d);
});

test('NIC receive interrupt through PLIC source 2', () => {
  const a = withHandler(new Asm(), 1 << 11)
    .li(t0, 0x0c00_0000).li(t1, 1).sw(t1, t0, 4).sw(t1, t0, 8) // priorities of sources 1 and 2
    .li(t0, 0x0c00_2000).li(t1, 6).sw(t1, t0, 0) // enable sources 1 and 2
    .li(t0, 0x1000_1000).li(t1, 1).sw(t1, t0, 8) // NIC IRQ_ENABLE
    .label('idle').wfi().j('idle')
    .label('handler').li(t2, 0x0c20_0004).lw(a0, t2, 0).exit(0);
  const { m } = machineWith(a);
  assert.equal(m.run(1000), 'wfi');
  m.deliver({ kind: 'nicRx', packet: new Uint8Array([1]) });
  assert.equal(m.run(1000), 'exit');
  assert.equal(m.cpu.x[a0], 2);
});
