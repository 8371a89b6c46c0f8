// CPU unit tests: traps, interrupts, wfi, counters, breakpoints, watchpoints, HTIF, snapshots, decode cache.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { E, Prog, R, li } from './cpu-encode';
import { FINISHER, IRQ_DEV, RAM_BASE, SCRATCH_DEV, makeRig } from './cpu-harness';

const MSTATUS = 0x300, MIE = 0x304, MTVEC = 0x305, MSCRATCH = 0x340, MEPC = 0x341, MCAUSE = 0x342, MTVAL = 0x343;

/** Program: set mtvec to `handler`, run `body`, then pass through the finisher. */
function withHandler(body: (p: Prog) => void, handler: (p: Prog) => void = skipHandler): Prog {
  const p = new Prog(RAM_BASE);
  p.la(R.t0, 'handler').w(E.csrrw(0, MTVEC, R.t0));
  body(p);
  pass(p);
  p.label('handler');
  handler(p);
  return p;
}

/** Trap handler that counts traps in s11 and returns to mepc + 4. */
function skipHandler(p: Prog): void {
  p.w(E.addi(R.s11, R.s11, 1), E.csrrs(R.t6, MEPC, 0), E.addi(R.t6, R.t6, 4), E.csrrw(0, MEPC, R.t6), E.mret());
}

function pass(p: Prog): Prog {
  return p.w(li(R.t6, FINISHER), li(R.t5, 0x5555), E.sw(R.t5, R.t6, 0));
}

function run(p: Prog, limit = 1e6) {
  const rig = makeRig(p.bytes());
  const stop = rig.cpu.run(limit);
  return { ...rig, stop };
}

test('x0 stays zero and ALU results land in registers', () => {
  const p = new Prog().w(li(R.sp, RAM_BASE), E.addi(0, 0, 5), E.addi(R.a0, 0, 7), E.add(0, R.a0, R.a0), E.lw(0, R.sp, 0));
  p.w(E.lui(0, 0x12345), E.jal(0, 4), E.add(R.a1, 0, 0));
  const { cpu, stop } = run(pass(p));
  assert.equal(stop, 'exit');
  assert.equal(cpu.x[0], 0);
  assert.equal(cpu.x[R.a0], 7);
  assert.equal(cpu.x[R.a1], 0);
});

test('run stops exactly at the instruction limit and resumes', () => {
  const p = new Prog().label('loop').w(E.addi(R.a0, R.a0, 1)).jal(0, 'loop');
  const { cpu } = makeRig(p.bytes());
  assert.equal(cpu.run(7), 'limit');
  assert.equal(cpu.instret, 7);
  assert.equal(cpu.x[R.a0], 4);
  assert.equal(cpu.run(1001), 'limit');
  assert.equal(cpu.instret, 1001);
  assert.equal(cpu.x[R.a0], 501);
  assert.equal(cpu.run(1001), 'limit'); // already there: nothing runs
  assert.equal(cpu.instret, 1001);
});

test('fatal without a handler: illegal instruction message, state unchanged, nothing retires', () => {
  const p = new Prog().w(E.addi(R.a0, 0, 1), E.addi(R.a0, 0, 2), E.addi(R.a0, 0, 3), E.addi(R.a0, 0, 4), 0);
  const { cpu, stop } = run(p);
  assert.equal(stop, 'fatal');
  assert.equal(cpu.fatal?.message, 'illegal instruction 0x00000000 at pc 0x80000010 (no trap handler: mtvec is 0)');
  assert.equal(cpu.fatal?.cause, 2);
  assert.equal(cpu.pc, 0x80000010);
  assert.equal(cpu.instret, 4);
  assert.equal(cpu.run(100), 'fatal'); // deterministic: the same fault again
  assert.equal(cpu.instret, 4);
});

test('fatal messages for ecall, ebreak, load fault and compressed illegal', () => {
  const cases: [number[] | number, string][] = [
    [E.ecall(), 'environment call (ecall) at pc 0x80000000 (no trap handler: mtvec is 0)'],
    [E.ebreak(), 'breakpoint (ebreak) at pc 0x80000000 (no trap handler: mtvec is 0)'],
    [E.lw(R.a0, 0, 16), 'load access fault at 0x00000010 at pc 0x80000000 (no trap handler: mtvec is 0)'],
  ];
  for (const [w, msg] of cases) {
    const { stop, cpu } = run(new Prog().w(w));
    assert.equal(stop, 'fatal');
    assert.equal(cpu.fatal?.message, msg);
  }
  const { cpu } = run(new Prog().h(0x0000, 0x0001));
  assert.equal(cpu.fatal?.message, 'illegal instruction 0x00000000 at pc 0x80000000 (no trap handler: mtvec is 0)');
});

test('every exception cause: mcause, mepc, mtval; faulting instructions do not retire', () => {
  const cases: { name: string; body: number[]; cause: number; tval: (base: number) => number }[] = [
    { name: 'illegal', body: [0xffffffff], cause: 2, tval: () => 0xffffffff },
    { name: 'illegal csr', body: [E.csrrs(R.a0, 0x7c0, 0)], cause: 2, tval: () => E.csrrs(R.a0, 0x7c0, 0) },
    { name: 'write read-only csr', body: [E.csrrw(0, 0xf14, R.a0)], cause: 2, tval: () => E.csrrw(0, 0xf14, R.a0) },
    { name: 'ebreak', body: [E.ebreak()], cause: 3, tval: (pc) => pc },
    { name: 'ecall', body: [E.ecall()], cause: 11, tval: () => 0 },
    // Misaligned loads and stores in RAM are performed (test/isa/misaligned.s); elsewhere they are address-misaligned.
    { name: 'misaligned lw (device)', body: [...li(R.a1, SCRATCH_DEV + 1), E.lw(R.a0, R.a1, 0)], cause: 4, tval: () => SCRATCH_DEV + 1 },
    { name: 'misaligned lh (not RAM)', body: [...li(R.a1, 0x40000001), E.lh(R.a0, R.a1, 0)], cause: 4, tval: () => 0x40000001 },
    { name: 'misaligned sw (device)', body: [...li(R.a1, SCRATCH_DEV + 2), E.sw(R.a0, R.a1, 0)], cause: 6, tval: () => SCRATCH_DEV + 2 },
    { name: 'misaligned sh (past RAM end)', body: [...li(R.a1, RAM_BASE + (1 << 20) - 1), E.sh(R.a0, R.a1, 0)], cause: 6, tval: () => RAM_BASE + (1 << 20) - 1 },
    { name: 'load fault', body: [...li(R.a1, 0x40000000), E.lb(R.a0, R.a1, 0)], cause: 5, tval: () => 0x40000000 },
    { name: 'store fault', body: [...li(R.a1, 0x40000000), E.sb(R.a0, R.a1, 0)], cause: 7, tval: () => 0x40000000 },
    { name: 'load past RAM end', body: [...li(R.a1, RAM_BASE + (1 << 20)), E.lw(R.a0, R.a1, 0)], cause: 5, tval: () => RAM_BASE + (1 << 20) },
    { name: 'amo misaligned', body: [...li(R.a1, RAM_BASE + 0x1002), E.amoadd(R.a0, R.a1, R.a2)], cause: 6, tval: () => RAM_BASE + 0x1002 },
    { name: 'lr misaligned', body: [...li(R.a1, RAM_BASE + 0x1002), E.lr(R.a0, R.a1)], cause: 4, tval: () => RAM_BASE + 0x1002 },
    { name: 'amo fault', body: [...li(R.a1, 0x40000000), E.amoswap(R.a0, R.a1, R.a2)], cause: 7, tval: () => 0x40000000 },
    { name: 'lr fault', body: [...li(R.a1, 0x40000000), E.lr(R.a0, R.a1)], cause: 5, tval: () => 0x40000000 },
  ];
  for (const c of cases) {
    let faultPc = 0;
    const p = withHandler((q) => {
      faultPc = q.here + (c.body.length - 1) * 4;
      q.w(...c.body);
    }, (q) => q.w(E.csrrs(R.s1, MCAUSE, 0), E.csrrs(R.s2, MEPC, 0), E.csrrs(R.s3, MTVAL, 0), E.addi(R.s2, R.s2, 4), E.csrrw(0, MEPC, R.s2), E.mret()));
    const { cpu, stop } = run(p);
    assert.equal(stop, 'exit', c.name);
    assert.equal(cpu.x[R.s1] >>> 0, c.cause, `${c.name}: mcause`);
    assert.equal((cpu.x[R.s2] - 4) >>> 0, faultPc, `${c.name}: mepc`);
    assert.equal(cpu.x[R.s3] >>> 0, c.tval(faultPc) >>> 0, `${c.name}: mtval`);
    // instret: everything before + handler + finisher, but not the faulting instruction
    const handlerLen = 6, finisherLen = 5, setup = 3;
    assert.equal(cpu.instret, setup + c.body.length - 1 + handlerLen + finisherLen, `${c.name}: instret`);
  }
});

test('instruction access fault when jumping outside RAM; mtval and mepc are the target', () => {
  const p = withHandler((q) => q.w(li(R.a1, 0x40000000), E.jalr(R.ra, R.a1, 0)), (q) =>
    q.w(E.csrrs(R.s1, MCAUSE, 0), E.csrrs(R.s2, MEPC, 0), E.csrrs(R.s3, MTVAL, 0), E.csrrw(0, MEPC, R.ra), E.mret()));
  const { cpu, stop } = run(p);
  assert.equal(stop, 'exit');
  assert.equal(cpu.x[R.s1], 1);
  assert.equal(cpu.x[R.s2] >>> 0, 0x40000000);
  assert.equal(cpu.x[R.s3] >>> 0, 0x40000000);
});

test('double fault: a handler whose entry faults is fatal', () => {
  const p = new Prog().w(li(R.t0, 0x40000000), E.csrrw(0, MTVEC, R.t0), E.ecall());
  const { cpu, stop } = run(p);
  assert.equal(stop, 'fatal');
  assert.match(cpu.fatal!.message, /^double fault: instruction access fault at 0x40000000 at pc 0x40000000/);
  assert.equal(cpu.mcause, 11); // the ecall was delivered; the handler fetch is what failed
});

test('mret restores MIE from MPIE and sets MPIE; trap clears MIE', () => {
  const p = withHandler((q) => q.w(E.csrrsi(0, MSTATUS, 8), E.ecall(), E.csrrs(R.s4, MSTATUS, 0)), (q) =>
    q.w(E.csrrs(R.s3, MSTATUS, 0)).w(skipBody()));
  const { cpu, stop } = run(p);
  assert.equal(stop, 'exit');
  assert.equal(cpu.x[R.s3] >>> 0, 0x1880, 'in handler: MPIE=1, MIE=0, MPP=M');
  assert.equal(cpu.x[R.s4] >>> 0, 0x0088, 'after mret: MIE=1, MPIE=1, MPP=U (the least privileged mode)');
});

function skipBody(): number[] {
  return [E.csrrs(R.t6, MEPC, 0), E.addi(R.t6, R.t6, 4), E.csrrw(0, MEPC, R.t6), E.mret()];
}

test('csrrs/csrrc with x0 do not write (no illegal on read-only CSRs); csrrw with x0 rd does not read', () => {
  const p = new Prog().w(
    E.csrrs(R.a0, 0xf14, 0), E.csrrc(R.a1, 0xf11, 0), E.csrrsi(R.a2, 0xc00, 0), E.csrrci(R.a3, 0xc01, 0),
    li(R.t0, 0x1234), E.csrrw(R.a4, MSCRATCH, R.t0), E.csrrs(R.a5, MSCRATCH, R.t0), E.csrrci(R.a6, MSCRATCH, 4),
    E.csrrsi(R.a7, MSCRATCH, 1), E.csrrs(R.s2, MSCRATCH, 0), E.csrrw(0, 0xc01 - 0xc01 + 0xb00, R.t0),
  );
  const { cpu, stop, env } = run(pass(p));
  assert.equal(stop, 'exit', cpu.fatal?.message);
  assert.equal(cpu.x[R.a0], 0);
  assert.equal(cpu.x[R.a4], 0);
  assert.equal(cpu.x[R.a5], 0x1234);
  assert.equal(cpu.x[R.a6], 0x1234);
  assert.equal(cpu.x[R.a7], 0x1230);
  assert.equal(cpu.x[R.s2], 0x1231);
  // cycle (csrrsi x0-free read), time, and the mcycle write each consult the environment once
  assert.deepEqual(env.reads.map((r) => r.kind), ['cycle', 'time', 'cycle']);
  assert.deepEqual(env.reads.map((r) => r.instret), [2, 3, 11]);
});

test('misa, ids and mstatus reads', () => {
  const p = new Prog().w(E.csrrs(R.a0, 0x301, 0), E.csrrs(R.a1, 0xf14, 0), E.csrrs(R.a2, MSTATUS, 0), E.csrrwi(0, 0x301, 0), E.csrrs(R.a3, 0x301, 0));
  const { cpu } = run(pass(p));
  assert.equal(cpu.x[R.a0] >>> 0, 0x40141105);
  assert.equal(cpu.x[R.a1], 0);
  assert.equal(cpu.x[R.a2] >>> 0, 0x1800);
  assert.equal(cpu.x[R.a3] >>> 0, 0x40141105);
});

test('counters: time/cycle via the environment, minstret exact and writable', () => {
  const p = new Prog().w(
    E.addi(0, 0, 0), E.addi(0, 0, 0),
    E.csrrs(R.a0, 0xc01, 0), // time at instret 2
    E.csrrs(R.a1, 0xc81, 0), // timeh
    E.csrrs(R.a2, 0xb00, 0), // mcycle at instret 4 -> 12
    E.csrrs(R.a3, 0xb02, 0), // minstret = 5
    E.csrrs(R.a4, 0xc02, 0), // instret = 6
    li(R.t0, 100), // 1 instruction (addi)
    E.csrrw(0, 0xb02, R.t0), // minstret := 100 (seen by the next instruction)
    E.csrrs(R.a5, 0xb02, 0), // 100
    E.csrrs(R.a6, 0xb82, 0), // minstreth = 0
  );
  const { cpu, env } = run(pass(p));
  env.timeOf = () => 0;
  assert.equal(cpu.x[R.a0], 1020);
  assert.equal(cpu.x[R.a1], 0);
  assert.equal(cpu.x[R.a2], 12);
  assert.equal(cpu.x[R.a3], 5);
  assert.equal(cpu.x[R.a4], 6);
  assert.equal(cpu.x[R.a5], 100);
  assert.equal(cpu.x[R.a6], 0);
  assert.equal(cpu.readCsr(0xb02), 100 + cpu.instret - 9);
  assert.equal(env.reads[0].pc, RAM_BASE + 8);
});

test('64-bit time: h reads take the upper half of one environment read each', () => {
  const p = new Prog().w(E.csrrs(R.a0, 0xc01, 0), E.csrrs(R.a1, 0xc81, 0));
  const rig = makeRig(pass(p).bytes());
  rig.env.timeOf = (i) => 0x1_2345_6789 + i;
  rig.cpu.run(100);
  assert.equal(rig.cpu.x[R.a0] >>> 0, 0x23456789);
  assert.equal(rig.cpu.x[R.a1], 1);
});

test('ecall and ebreak do not retire; minstret in the handler shows it', () => {
  const p = withHandler((q) => q.w(E.ecall(), E.ebreak()), (q) => q.w(E.csrrs(R.s5, 0xb02, 0)).w(skipBody()));
  const { cpu, stop } = run(p);
  assert.equal(stop, 'exit');
  // setup 3, ecall (not retired) -> handler: csrrs reads minstret = 3
  // handler 5 retire, ebreak not retired, handler: minstret = 3 + 5 = 8
  assert.equal(cpu.x[R.s5], 8);
  assert.equal(cpu.instret, 3 + 5 + 5 + 5);
});

function irqProgram(vectored: boolean): Prog {
  const p = new Prog(RAM_BASE);
  p.la(R.t0, 'vec').w(E.ori(R.t0, R.t0, vectored ? 1 : 0), E.csrrw(0, MTVEC, R.t0));
  p.w(li(R.t0, 0x888), E.csrrs(0, MIE, R.t0), E.csrrsi(0, MSTATUS, 8));
  p.w(li(R.a0, IRQ_DEV), li(R.t1, (7 << 1) | 1), E.sw(R.t1, R.a0, 0)); // raise MTIP from inside the run
  p.w(E.addi(R.s0, R.s0, 1)); // runs after the handler
  pass(p);
  p.label('vec');
  if (vectored) {
    for (let i = 0; i < 12; i++) p.jal(0, i === 7 ? 'timer' : 'other');
    p.label('other').w(E.addi(R.s3, R.s3, 1), E.mret());
  }
  p.label('timer').w(E.csrrs(R.s1, MCAUSE, 0), E.csrrs(R.s2, MEPC, 0), li(R.t1, 7 << 1), E.sw(R.t1, R.a0, 0), E.mret());
  return p;
}

test('interrupts: taken at the boundary after the store that raised them, direct and vectored', () => {
  for (const vectored of [false, true]) {
    const p = irqProgram(vectored);
    const { cpu, stop } = run(p);
    assert.equal(stop, 'exit', cpu.fatal?.message);
    assert.equal(cpu.x[R.s1] >>> 0, 0x80000007);
    assert.equal(cpu.x[R.s2] >>> 0, RAM_BASE + 4 * 12, 'mepc is the instruction after the store');
    assert.equal(cpu.x[R.s0], 1);
    assert.equal(cpu.x[R.s3], 0, 'no other vector taken');
  }
});

test('interrupt priority MEI > MSI > MTI and masking by MIE', () => {
  const p = new Prog(RAM_BASE);
  p.la(R.t0, 'h').w(E.csrrw(0, MTVEC, R.t0), li(R.t0, 0x888), E.csrrs(0, MIE, R.t0));
  p.label('spin').jal(0, 'spin');
  p.label('h').w(E.csrrs(R.a0, MCAUSE, 0), E.ebreak());
  const { cpu } = makeRig(p.bytes());
  assert.equal(cpu.run(10), 'limit');
  cpu.setIrq(7, true);
  cpu.setIrq(3, true);
  cpu.setIrq(11, true);
  assert.equal(cpu.run(20), 'limit', 'MIE is off: nothing taken');
  cpu.mstatus = 8;
  cpu.checkIrq();
  const before = cpu.instret;
  cpu.run(before + 1);
  assert.equal(cpu.mcause >>> 0, 0x8000000b);
  assert.equal(cpu.x[R.a0] >>> 0, 0x8000000b);
  cpu.setIrq(11, false);
  cpu.mstatus = 8;
  cpu.pc = cpu.mepc;
  cpu.run(cpu.instret + 1);
  assert.equal(cpu.mcause >>> 0, 0x80000003);
  cpu.setIrq(3, false);
  cpu.mstatus = 8;
  cpu.pc = cpu.mepc;
  cpu.run(cpu.instret + 1);
  assert.equal(cpu.mcause >>> 0, 0x80000007);
});

test('wfi: stops with pc past wfi, stays stopped, wakes on an enabled interrupt', () => {
  const p = new Prog(RAM_BASE);
  p.la(R.t0, 'h').w(E.csrrw(0, MTVEC, R.t0), li(R.t0, 0x80), E.csrrs(0, MIE, R.t0), E.csrrsi(0, MSTATUS, 8));
  p.label('w').w(E.wfi(), E.addi(R.s0, R.s0, 1));
  pass(p);
  p.label('h').w(E.addi(R.s1, R.s1, 1), li(R.t1, IRQ_DEV), li(R.t2, 7 << 1), E.sw(R.t2, R.t1, 0), E.mret());
  const { cpu } = makeRig(p.bytes());
  assert.equal(cpu.run(1000), 'wfi');
  const wfiPc = p.addr('w');
  assert.equal(cpu.pc, wfiPc + 4);
  const n = cpu.instret;
  assert.equal(cpu.run(1000), 'wfi');
  assert.equal(cpu.instret, n, 'nothing runs while waiting');
  cpu.setIrq(3, true); // not enabled in mie: still waiting
  assert.equal(cpu.run(1000), 'wfi');
  cpu.setIrq(3, false);
  cpu.setIrq(7, true);
  assert.equal(cpu.run(1000), 'exit');
  assert.equal(cpu.x[R.s1], 1);
  assert.equal(cpu.x[R.s0], 1);
  assert.equal(cpu.getState().waiting, false);
});

test('wfi with a pending enabled interrupt but MIE off is a nop', () => {
  const p = new Prog().w(li(R.t0, 0x8), E.csrrs(0, MIE, R.t0), E.wfi(), E.addi(R.s0, 0, 9));
  const { cpu } = makeRig(pass(p).bytes());
  cpu.setIrq(3, true);
  assert.equal(cpu.run(1000), 'exit');
  assert.equal(cpu.x[R.s0], 9);
});

test('breakpoints stop before the instruction; a run starting on one steps off it', () => {
  const p = new Prog().w(E.addi(R.a0, 0, 1)).label('b').w(E.addi(R.a0, R.a0, 1), E.addi(R.a0, R.a0, 1)).label('loop');
  p.w(E.addi(R.a1, R.a1, 1)).jal(0, 'loop');
  const { cpu } = makeRig(p.bytes());
  cpu.run(100); // warm the decode cache first: breakpoints must still hit
  cpu.pc = RAM_BASE;
  cpu.x[R.a0] = 0;
  cpu.setBreakpoints([p.addr('b'), p.addr('loop')]);
  assert.equal(cpu.run(1e6), 'breakpoint');
  assert.equal(cpu.pc, p.addr('b'));
  assert.equal(cpu.x[R.a0], 1);
  assert.equal(cpu.run(1e6), 'breakpoint');
  assert.equal(cpu.pc, p.addr('loop'));
  assert.equal(cpu.x[R.a0], 3);
  const a1 = cpu.x[R.a1];
  assert.equal(cpu.run(1e6), 'breakpoint');
  assert.equal(cpu.pc, p.addr('loop'));
  assert.equal(cpu.x[R.a1], a1 + 1);
  cpu.setBreakpoints([]);
  assert.equal(cpu.run(cpu.instret + 100), 'limit');
});

test('a run that merely starts on a breakpoint (new time slice) hits it; stepOffBreakpoint resumes past it', () => {
  const p = new Prog().w(E.addi(R.a0, 0, 1)).label('b').w(E.addi(R.a0, R.a0, 1)).label('loop').jal(0, 'loop');
  const { cpu } = makeRig(p.bytes());
  cpu.setBreakpoints([p.addr('b')]);
  assert.equal(cpu.run(1), 'limit'); // a slice ends exactly before the breakpoint
  assert.equal(cpu.pc, p.addr('b'));
  assert.equal(cpu.run(100), 'breakpoint', 'the next slice must not skip it');
  assert.equal(cpu.instret, 1);
  cpu.setBreakpoints([p.addr('b')]);
  cpu.pc = p.addr('b');
  cpu.stepOffBreakpoint();
  assert.equal(cpu.run(cpu.instret + 10), 'limit');
  assert.equal(cpu.x[R.a0], 2);
});

test('breakpoint at the trap handler entry stops after the trap is taken', () => {
  const p = withHandler((q) => q.w(E.ecall()));
  const { cpu } = makeRig(p.bytes());
  cpu.setBreakpoints([p.addr('handler')]);
  assert.equal(cpu.run(1000), 'breakpoint');
  assert.equal(cpu.pc, p.addr('handler'));
  assert.equal(cpu.mcause, 11);
  assert.equal(cpu.run(1000), 'exit');
});

test('watchpoints stop after an overlapping store (RAM and AMO), others are unaffected', () => {
  const p = new Prog().w(li(R.a0, RAM_BASE + 0x2000), li(R.t0, 77));
  p.w(E.sw(R.t0, R.a0, 8), E.sb(R.t0, R.a0, 3)).label('hit').w(E.sh(R.t0, R.a0, 0x12), E.addi(R.a1, 0, 1));
  p.w(E.addi(R.a2, R.a0, 0x20), E.amoadd(R.a3, R.a2, R.t0), E.addi(R.a4, 0, 1));
  const { cpu } = makeRig(pass(p).bytes());
  cpu.setWatchpoints([{ addr: RAM_BASE + 0x2013, len: 1 }, { addr: RAM_BASE + 0x2020, len: 4 }]);
  assert.equal(cpu.run(1e6), 'watchpoint');
  assert.deepEqual(cpu.lastWatchHit, { addr: RAM_BASE + 0x2012, size: 2, pc: p.addr('hit') });
  assert.equal(cpu.pc, p.addr('hit') + 4);
  assert.equal(cpu.x[R.a1], 0);
  assert.equal(cpu.run(1e6), 'watchpoint');
  assert.equal(cpu.lastWatchHit?.addr, RAM_BASE + 0x2020);
  assert.equal(cpu.x[R.a4], 0);
  cpu.setWatchpoints([]);
  assert.equal(cpu.run(1e6), 'exit');
  assert.equal(cpu.ram.dv.getUint32(0x2020, true), 77);
});

test('stores mark dirty pages; self-modifying code is seen (fence.i and plain stores)', () => {
  const p = new Prog();
  p.label('patch').w(E.addi(R.a0, 0, 1)); // will become addi a0, 0, 2
  p.w(li(R.t0, E.addi(R.a0, 0, 2)), E.addi(R.s0, R.s0, 1), li(R.t1, 2));
  p.la(R.t2, 'patch').w(E.sw(R.t0, R.t2, 0), E.fenceI());
  p.br('bge', R.s0, R.t1, 'done').jal(0, 'patch');
  p.label('done');
  const { cpu, ram } = makeRig(pass(p).bytes());
  ram.dirty.fill(0);
  ram.hashDirty.fill(0);
  assert.equal(cpu.run(1e6), 'exit');
  assert.equal(cpu.x[R.a0], 2);
  assert.equal(ram.dirty[0], 1);
  assert.equal(ram.hashDirty[0], 1);
  assert.equal(ram.dirty[1], 0);
});

test('a store into the upper half of a cached 32-bit instruction invalidates it', () => {
  const p = new Prog().label('top').w(E.addi(R.a0, R.a0, 1));
  p.w(li(R.t0, E.addi(R.a0, R.a0, 0x100) >>> 16), E.addi(R.s0, R.s0, 1), li(R.t1, 2));
  p.la(R.t2, 'top').w(E.sh(R.t0, R.t2, 2));
  p.br('blt', R.s0, R.t1, 'top');
  const { cpu } = makeRig(pass(p).bytes());
  assert.equal(cpu.run(1e6), 'exit');
  assert.equal(cpu.x[R.a0], 0x101);
});

test('invalidateCode after a loader/DMA write', () => {
  const p = new Prog().label('top').w(E.addi(R.a0, 0, 5)).jal(0, 'top');
  const { cpu, ram } = makeRig(p.bytes());
  cpu.run(10);
  const patched = new Uint8Array(4);
  new DataView(patched.buffer).setUint32(0, E.addi(R.a0, 0, 6), true);
  ram.writeBytes(RAM_BASE, patched);
  cpu.run(20);
  assert.equal(cpu.x[R.a0], 5, 'stale without invalidation (documented contract)');
  cpu.invalidateCode(RAM_BASE, 4);
  cpu.run(30);
  assert.equal(cpu.x[R.a0], 6);
});

test('invalidateCode drops decoded instructions on any page, a 32-bit one straddling two pages included, and skips pages nothing was decoded from', () => {
  // Code on the second page, its last instruction a 32-bit one across the second and third pages.
  const page = 0x1000;
  const code = new Uint8Array(3 * page);
  const dv = new DataView(code.buffer);
  dv.setUint32(0, E.jal(0, page), true); // jump to the second page
  let at = page;
  for (; at + 4 <= 2 * page - 2; at += 4) dv.setUint32(at, E.addi(R.a0, R.a0, 1), true);
  dv.setUint16(at, 0x0001, true); // c.nop up to the last halfword of the page
  at = 2 * page - 2; // a 32-bit instruction whose second half is on the third page
  dv.setUint32(at, E.addi(R.a1, 0, 7), true);
  dv.setUint32(at + 4, E.jal(0, -(at + 4 - page)), true); // back to the start of the second page
  for (const fast of [false, true]) {
    const { cpu, ram } = makeRig(code);
    cpu.fastPath = fast;
    cpu.run(5_000);
    assert.equal(cpu.x[R.a1], 7);
    // Rewrite the straddling instruction's upper half only (on the third page): it must be decoded again.
    const patched = new Uint8Array(2);
    new DataView(patched.buffer).setUint16(0, (E.addi(R.a1, 0, 9) >>> 16) & 0xffff, true);
    ram.writeBytes(RAM_BASE + 2 * page, patched);
    cpu.invalidateCode(RAM_BASE + 2 * page, 2);
    cpu.x[R.a1] = 0;
    cpu.run(10_000);
    assert.equal(cpu.x[R.a1], 9, `the straddling instruction was decoded again (fast path ${fast})`);
    // A write far from any decoded code changes nothing that runs.
    ram.writeBytes(RAM_BASE + 8 * page, new Uint8Array(64).fill(0xff));
    cpu.invalidateCode(RAM_BASE + 8 * page, 64);
    cpu.run(15_000);
    assert.equal(cpu.x[R.a1], 9);
  }
});

test('HTIF tohost: a store with bit 0 set exits with value >> 1 and emits an exit output', () => {
  const tohost = RAM_BASE + 0x3000;
  const p = new Prog().w(li(R.a0, tohost), li(R.t0, 2), E.sw(R.t0, R.a0, 0), li(R.t0, (5 << 1) | 1), E.sw(R.t0, R.a0, 0), E.addi(R.s0, 0, 1));
  const { cpu, env } = makeRig(p.bytes());
  cpu.tohost = tohost;
  assert.equal(cpu.run(1e6), 'exit');
  assert.equal(cpu.exitCode, 5);
  assert.equal(cpu.x[R.s0], 0);
  assert.deepEqual(env.outputs.map((o) => o.out), [{ kind: 'exit', code: 5 }]);
  assert.equal(cpu.run(1e6), 'exit', 'stays powered off');
});

test('finisher failure code and MMIO access from the guest', () => {
  const p = new Prog().w(li(R.a0, SCRATCH_DEV), E.lw(R.a1, R.a0, 0), E.lw(R.a2, R.a0, 0), E.lbu(R.a3, R.a0, 8), E.sh(R.a1, R.a0, 4));
  p.w(li(R.a0, FINISHER), li(R.t0, (3 << 16) | 0x3333), E.sw(R.t0, R.a0, 0));
  const { cpu, scratchWrites } = makeRig(p.bytes());
  assert.equal(cpu.run(1e6), 'exit');
  assert.equal(cpu.exitCode, 3);
  assert.deepEqual([cpu.x[R.a1], cpu.x[R.a2], cpu.x[R.a3]], [1, 2, 8]);
  assert.deepEqual(scratchWrites, [{ offset: 4, size: 2, value: 1 }]);
});

test('requestStop from the environment stops at the next boundary', () => {
  const p = new Prog().label('l').w(E.csrrs(R.a0, 0xc01, 0), E.addi(R.a1, R.a1, 1)).jal(0, 'l');
  const { cpu, env } = makeRig(p.bytes());
  env.timeOf = (i) => {
    if (i === 30) cpu.requestStop();
    return i;
  };
  assert.equal(cpu.run(1e6), 'requested');
  assert.equal(cpu.instret, 31);
  assert.equal(cpu.run(40), 'limit');
});

test('getState/setState round trip reproduces execution exactly', () => {
  const p = new Prog().w(li(R.a0, RAM_BASE + 0x4000)).label('l');
  p.w(E.lw(R.t0, R.a0, 0), E.addi(R.t0, R.t0, 3), E.sw(R.t0, R.a0, 0), E.mul(R.a1, R.t0, R.t0), E.csrrw(R.a2, MSCRATCH, R.a1)).jal(0, 'l');
  const { cpu, ram } = makeRig(p.bytes());
  cpu.run(1000);
  const s = structuredClone(cpu.getState());
  const mem = ram.bytes.slice();
  cpu.run(5000);
  const after = JSON.stringify(cpu.getState());
  ram.bytes.set(mem);
  cpu.setState(s);
  assert.deepEqual(cpu.getState(), s);
  cpu.run(5000);
  assert.equal(JSON.stringify(cpu.getState()), after);
});

test('LR/SC: success only on the reserved address; SC clears the reservation', () => {
  const p = new Prog().w(li(R.a0, RAM_BASE + 0x5000), li(R.t0, 41), E.sw(R.t0, R.a0, 0));
  p.w(E.lr(R.a1, R.a0), E.addi(R.a1, R.a1, 1), E.sc(R.a2, R.a0, R.a1)); // ok -> 0
  p.w(E.sc(R.a3, R.a0, R.t0)); // no reservation -> 1
  p.w(E.lr(R.a4, R.a0), E.addi(R.a5, R.a0, 4), E.sc(R.a6, R.a5, R.t0)); // other address -> 1
  p.w(E.lw(R.s1, R.a0, 0), E.lw(R.s2, R.a0, 4));
  const { cpu } = makeRig(pass(p).bytes());
  assert.equal(cpu.run(1e6), 'exit');
  assert.deepEqual([cpu.x[R.a1], cpu.x[R.a2], cpu.x[R.a3], cpu.x[R.a4], cpu.x[R.a6]], [42, 0, 1, 42, 1]);
  assert.deepEqual([cpu.x[R.s1], cpu.x[R.s2]], [42, 0]);
});

test('AMOs return the old value and store the combination', () => {
  const ops: [keyof typeof E, number, number, number][] = [
    ['amoswap', 5, -3, -3], ['amoadd', 5, -3, 2], ['amoxor', 6, 3, 5], ['amoand', 6, 3, 2], ['amoor', 6, 3, 7],
    ['amomin', 5, -3, -3], ['amomax', 5, -3, 5], ['amominu', 5, -3, 5], ['amomaxu', 5, -3, -3],
  ];
  for (const [op, mem, src, result] of ops) {
    const enc = E[op] as (rd: number, rs1: number, rs2: number) => number;
    const p = new Prog().w(li(R.a0, RAM_BASE + 0x5000), li(R.t0, mem), E.sw(R.t0, R.a0, 0), li(R.t1, src));
    p.w(enc(R.a1, R.a0, R.t1), E.lw(R.a2, R.a0, 0), enc(R.t1, R.a0, R.t1)); // rd == rs2 reads rs2 first
    const { cpu } = makeRig(pass(p).bytes());
    assert.equal(cpu.run(1e6), 'exit', op);
    assert.equal(cpu.x[R.a1], mem, `${op} old`);
    assert.equal(cpu.x[R.a2], result, `${op} new`);
    assert.equal(cpu.x[R.t1], result, `${op} rd=rs2 gets the old value`);
  }
});

test('M extension corner cases', () => {
  const cases: [keyof typeof E, number, number, number][] = [
    ['mul', 0x7fffffff, 2, -2], ['mulh', -1, -1, 0], ['mulh', 0x80000000 | 0, 0x80000000 | 0, 0x40000000],
    ['mulhu', -1, -1, -2], ['mulhsu', -1, -1, -1], ['mulhsu', 2, -1, 1], ['mulhu', 0x12345678, 0x9abcdef0, 0x0b00ea4e],
    ['div', 7, 0, -1], ['divu', 7, 0, -1], ['rem', 7, 0, 7], ['remu', 7, 0, 7],
    ['div', 0x80000000 | 0, -1, 0x80000000 | 0], ['rem', 0x80000000 | 0, -1, 0],
    ['div', -7, 2, -3], ['rem', -7, 2, -1], ['divu', -7, 2, 0x7ffffffc], ['remu', -7, 2, 1],
  ];
  for (const [op, a, b, want] of cases) {
    const enc = E[op] as (rd: number, rs1: number, rs2: number) => number;
    const p = new Prog().w(li(R.a0, a), li(R.a1, b), enc(R.a2, R.a0, R.a1));
    const { cpu } = makeRig(pass(p).bytes());
    cpu.run(100);
    assert.equal(cpu.x[R.a2], want, `${op} ${a} ${b}`);
  }
});

test('compressed instructions execute with 2-byte pc steps and c.jal links pc+2', () => {
  const p = new Prog().h(0x4515 /* c.li a0,5 */, 0x0505 /* c.addi a0,1 */, 0x85aa /* c.mv a1,a0 */);
  p.h(0x2011 /* c.jal +4 */, 0x0001 /* c.nop (skipped) */, 0x0001);
  const { cpu } = makeRig(p.bytes());
  cpu.run(4);
  assert.equal(cpu.x[R.a0], 6);
  assert.equal(cpu.x[R.a1], 6);
  assert.equal(cpu.x[R.ra] >>> 0, RAM_BASE + 8);
  assert.equal(cpu.pc, RAM_BASE + 10);
});

test('a 32-bit instruction straddling the end of RAM is an access fault', () => {
  const size = 1 << 20;
  const p = new Prog().w(li(R.t0, RAM_BASE + size - 2), E.jalr(0, R.t0, 0));
  const rig = makeRig(p.bytes(), size);
  rig.ram.bytes[size - 2] = 0x13; // low parcel of a 32-bit instruction
  assert.equal(rig.cpu.run(100), 'fatal');
  assert.match(rig.cpu.fatal!.message, /instruction access fault at 0x80100000 at pc 0x800ffffe/);
});

test('run never throws for guest reasons: random words', () => {
  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  for (let k = 0; k < 50; k++) {
    const words: number[] = [];
    for (let i = 0; i < 256; i++) words.push(rand());
    const p = new Prog().la(R.t0, 'h').w(E.csrrw(0, MTVEC, R.t0), ...words).label('h').w(skipBody());
    const { cpu } = makeRig(p.bytes());
    const stop = cpu.run(5000);
    assert.ok(['limit', 'fatal', 'exit', 'wfi'].includes(stop), stop);
  }
});

test('vectored mode sends each interrupt to base + 4·cause; exceptions go to base', () => {
  const p = new Prog(RAM_BASE);
  p.la(R.t0, 'vec').w(E.ori(R.t0, R.t0, 1), E.csrrw(0, MTVEC, R.t0), li(R.t0, 0x888), E.csrrs(0, MIE, R.t0));
  p.label('spin').jal(0, 'spin');
  p.label('vec');
  for (let i = 0; i < 12; i++) p.w(E.addi(R.a0, 0, 100 + i));
  const { cpu } = makeRig(p.bytes());
  const vec = p.addr('vec');
  assert.equal(cpu.run(20), 'limit'); // setup, then spinning
  for (const irq of [3, 7, 11]) {
    cpu.pc = p.addr('spin');
    cpu.mstatus = 8;
    cpu.setIrq(irq, true);
    cpu.run(cpu.instret + 1);
    assert.equal(cpu.x[R.a0], 100 + irq, `irq ${irq}`);
    assert.equal(cpu.pc, vec + 4 * irq + 4);
    cpu.setIrq(irq, false);
  }
  cpu.pc = p.addr('spin');
  cpu.regs.set([0], 0);
  new DataView(cpu.ram.bytes.buffer).setUint32(p.addr('spin') - RAM_BASE, E.ecall(), true);
  cpu.invalidateCode(p.addr('spin'), 4);
  cpu.run(cpu.instret + 1);
  assert.equal(cpu.x[R.a0], 100, 'ecall lands on the base');
});

test('PMP CSRs: 16 entries (pmpaddr0 keeps all 32 bits), entries 16-63 read as zero; an unknown CSR is illegal', () => {
  const p = withHandler((q) => q.w(li(R.t0, -1), E.csrrw(0, 0x3b0, R.t0), E.csrrw(0, 0x3a4, R.t0), E.csrrw(0, 0x3c0, R.t0),
    E.csrrs(R.a0, 0x3b0, 0), E.csrrs(R.a1, 0x3a4, 0), E.csrrs(R.a2, 0x3c0, 0), E.csrrw(0, 0x7c0, R.t0)));
  const { cpu, stop } = run(p);
  assert.equal(stop, 'exit');
  assert.deepEqual([cpu.x[R.a0], cpu.x[R.a1], cpu.x[R.a2]], [-1, 0, 0]);
  assert.equal(cpu.x[R.s11], 1, 'one illegal instruction (CSR 0x7c0)');
});

test('setState restores a wfi stop and the exit code', () => {
  const p = new Prog().w(li(R.t0, 0x80), E.csrrs(0, MIE, R.t0), E.wfi(), E.addi(R.a0, 0, 1));
  const { cpu } = makeRig(pass(p).bytes());
  assert.equal(cpu.run(100), 'wfi');
  const s = cpu.getState();
  cpu.setIrq(7, true);
  assert.equal(cpu.run(100), 'exit');
  cpu.setState(s);
  assert.equal(cpu.exitCode, null);
  assert.equal(cpu.run(100), 'wfi');
  assert.throws(() => cpu.setIrq(5, true), /no interrupt line 5/);
  assert.throws(() => cpu.readCsr(0x7c0), /no CSR/);
  assert.throws(() => cpu.writeCsr(0xf14, 1), /not writable/);
});

test('code written to a fresh page, run, rewritten and run again (JIT pattern, no fence.i)', () => {
  const page = RAM_BASE + 0x8000;
  const p = new Prog().w(li(R.s0, page));
  for (const value of [11, 22, 33]) {
    p.w(li(R.t0, E.addi(R.a0, 0, value)), E.sw(R.t0, R.s0, 0), li(R.t0, E.jalr(0, R.ra, 0)), E.sw(R.t0, R.s0, 4));
    p.w(E.sw(R.t0, R.s0, 64)); // more stores to the same page after it holds code
    p.w(E.jalr(R.ra, R.s0, 0), E.add(R.s1, R.s1, R.a0));
  }
  const { cpu } = makeRig(pass(p).bytes());
  assert.equal(cpu.run(1e6), 'exit');
  assert.equal(cpu.x[R.s1], 66);
});
