// Tests of the free-running world (`lockstep exec`): exit, limit, fatal, deadlock, exact timer delivery, entropy, disk.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../../src/asm/index';
import { Machine } from '../../src/machine/machine';
import { runStandalone, StandaloneEnvironment, type StandaloneRunOptions } from '../../src/machine/standalone';

function boot(source: string): Machine {
  const r = assemble(source);
  assert.ok(r.ok, JSON.stringify(r.diagnostics));
  const m = new Machine({ env: new StandaloneEnvironment({}, 0), ramSize: 1 << 20, diskSectors: 64 });
  m.load(r.program!);
  return m;
}

function exec(source: string, opts: Partial<StandaloneRunOptions> = {}): { m: Machine; uart: string; result: ReturnType<typeof runStandalone> } {
  const m = boot(source);
  let uart = '';
  const result = runStandalone(m, { maxInstructions: 1_000_000, onUart: (b) => { uart += String.fromCharCode(b); }, ...opts });
  return { m, uart, result };
}

const EXIT = (code: string): string => `
    li t0, 0x100000
    li t1, (${code} << 16) | 0x3333
    sw t1, 0(t0)
`;

test('hello world exits with its code and its UART output', () => {
  const { uart, result } = exec(`
    la s0, msg
    li s1, 0x10000000
1:  lbu t0, 0(s0)
    beqz t0, 2f
    sb t0, 0(s1)
    addi s0, s0, 1
    j 1b
2:  ${EXIT('3')}
msg: .asciz "hello\\n"
  `);
  assert.equal(uart, 'hello\n');
  assert.deepEqual({ reason: result.reason, exitCode: result.exitCode }, { reason: 'exit', exitCode: 3 });
});

test('an endless loop stops at exactly maxInstructions', () => {
  const { result } = exec('1: addi a0, a0, 1\n j 1b', { maxInstructions: 12_345, sliceInstructions: 1000 });
  assert.equal(result.reason, 'limit');
  assert.equal(result.instret, 12_345);
});

test('an illegal instruction without a handler is fatal', () => {
  const { m, result } = exec('.word 0');
  assert.equal(result.reason, 'fatal');
  assert.equal(m.fatal?.cause, 2);
});

test('wfi with no interrupt enabled is a deadlock', () => {
  const { result } = exec('wfi\n j .');
  assert.equal(result.reason, 'deadlock');
});

test('a timer armed while interrupts are disabled in mie cannot wake wfi: deadlock', () => {
  const { result } = exec(`
    li t0, 0x2004000
    sw zero, 4(t0)
    li t1, 100
    sw t1, 0(t0)
    wfi
    j .
  `);
  assert.equal(result.reason, 'deadlock');
  assert.ok(result.timeTicks >= 100, 'time ran on to the deadline before giving up');
});

const TIMER_SETUP = (deadline: number): string => `
    la t0, handler
    csrw mtvec, t0
    li t0, 0x2004000
    sw zero, 4(t0)
    li t1, ${deadline}
    sw t1, 0(t0)
    li t0, 1 << 7
    csrw mie, t0
    csrsi mstatus, 8
`;

test('MTIP is raised at the exact instruction where time reaches mtimecmp (busy loop)', () => {
  const { m, result } = exec(`
    ${TIMER_SETUP(500)}
1:  addi a1, a1, 1
    j 1b
handler:
    csrr a0, minstret
    ${EXIT('7')}
  `);
  assert.equal(result.reason, 'exit');
  assert.equal(result.exitCode, 7);
  assert.equal(m.cpu.x[10], 5000, 'time = instret / 10 reaches 500 at instret 5000');
  assert.equal(result.instret, 5005, 'then the handler retires csrr, lui, lui, addi, sw');
  assert.equal(m.cpu.readCsr(0x342) >>> 0, 0x8000_0007);
});

test('wfi sleeps until the timer deadline; time skips ahead', () => {
  const { m, result } = exec(`
    ${TIMER_SETUP(1_000_000)}
1:  wfi
    j 1b
handler:
    rdtime a0
    ${EXIT('0')}
  `);
  assert.equal(result.reason, 'exit');
  assert.equal(result.exitCode, 0);
  assert.ok(result.instret < 100);
  assert.equal(m.cpu.x[10], 1_000_000);
});

test('entropy comes from the seeded PRNG: same seed, same values', () => {
  const src = `
    li t0, 0x10003000
    lw a0, 0(t0)
    lw a1, 0(t0)
    ${EXIT('0')}
  `;
  const r1 = exec(src, { seed: 7 }).m.cpu.x;
  const r2 = exec(src, { seed: 7 }).m.cpu.x;
  const r3 = exec(src, { seed: 8 }).m.cpu.x;
  assert.equal(r1[10], r2[10]);
  assert.equal(r1[11], r2[11]);
  assert.notEqual(r1[10], r1[11]);
  assert.notEqual(r1[10], r3[10]);
});

test('disk requests are served from the in-memory image; an interrupt wakes wfi', () => {
  const image = new Uint8Array(64 * 512);
  image.set([0xde, 0xad], 5 * 512);
  const { m, result } = exec(`
    la t0, handler
    csrw mtvec, t0
    li t0, 0x0c000004
    li t1, 1
    sw t1, 0(t0)
    li t0, 0x0c002000
    li t1, 2
    sw t1, 0(t0)
    li t0, 1 << 11
    csrw mie, t0
    csrsi mstatus, 8
    li t0, 0x10002000
    li t1, 1
    sw t1, 0x1c(t0)
    li t1, 5
    sw t1, 0x08(t0)
    li t1, 1
    sw t1, 0x0c(t0)
    la t2, buf
    sw t2, 0x10(t0)
    sw t1, 0x14(t0)
1:  wfi
    j 1b
handler:
    lw a1, 0x18(t0)
    la t2, buf
    lhu a0, 0(t2)
    ${EXIT('0')}
    .bss
    .align 9
buf: .space 512
  `, { diskImage: image });
  assert.equal(result.reason, 'exit');
  assert.equal(m.cpu.x[11], 2, 'STATUS = DONE');
  assert.equal(m.cpu.x[10], 0xadde);
});
