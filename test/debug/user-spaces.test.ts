// A Linux guest's user spaces in the debugger, without a guest: a breakpoint resolved in a user program stops only in that program's process, and a line step leaving user mode resumes where the trap returns.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Breakpoints, type HitVm } from '../../src/debug/breakpoints';
import { userResumeAddress } from '../../src/debug/user-spaces';
import type { Machine } from '../../src/machine/machine';
import { MSTATUS_MPP_SHIFT, MSTATUS_SPP, PRIV_M, PRIV_S, PRIV_U } from '../../src/machine/priv';

const at = (cpu: Record<string, number>): Machine => ({ cpu: { pc: 0, mstatus: 0, sepc: 0, scause: 0, mepc: 0, mcause: 0, priv: PRIV_U, ...cpu } }) as unknown as Machine;

test('a breakpoint resolved in a user program stops in that program\'s process only; an instruction breakpoint in any', () => {
  const bps = new Breakpoints(() => ({ number: 1n, text: '1' }), () => {});
  const [user, kernel, instr] = [bps.newId(), bps.newId(), bps.newId()];
  bps.setCode('source', [{ id: user, addrs: [], at: new Map([['user:init', [0x10100]]]) }], 'init.c');
  bps.setCode('function', [{ id: kernel, addrs: [], at: new Map([['linux.elf', [0xc004d374]]]) }]);
  bps.setCode('instruction', [{ id: instr, addrs: [0x10200] }]);
  const vm = (space?: string): HitVm => ({ role: 'primary', instret: 1, program: 'linux.elf', ...(space === undefined ? {} : { space }) });
  const hits = (pc: number, space?: string): number[] => bps.checkCode(at({ pc }), false, vm(space)).ids;
  assert.deepEqual(hits(0x10100, 'user:init'), [user], '/init runs the line');
  assert.deepEqual(hits(0x10100, 'user:sh'), [], 'another program at the same virtual address');
  assert.deepEqual(hits(0x10100), [], 'a process without symbols');
  assert.deepEqual(hits(0xc004d374), [kernel], 'the kernel');
  assert.deepEqual([hits(0x10200, 'user:init'), hits(0x10200)], [[instr], [instr]], 'an address in every process');
});

test('a trap from user mode resumes at its epc, past the ecall of a system call; from the kernel it is not user code', () => {
  const mpp = (p: number): number => p << MSTATUS_MPP_SHIFT;
  assert.equal(userResumeAddress(at({ priv: PRIV_S, sepc: 0x10100, scause: 8 })), 0x10104, 'a system call');
  assert.equal(userResumeAddress(at({ priv: PRIV_S, sepc: 0x10100, scause: 0x8000_0005 })), 0x10100, 'a timer interrupt');
  assert.equal(userResumeAddress(at({ priv: PRIV_S, sepc: 0x10100, scause: 13 })), 0x10100, 'a page fault: the load again');
  assert.equal(userResumeAddress(at({ priv: PRIV_S, mstatus: MSTATUS_SPP, sepc: 0xc0001000, scause: 8 })), undefined, 'a trap from S-mode');
  assert.equal(userResumeAddress(at({ priv: PRIV_M, mstatus: mpp(PRIV_U), mepc: 0x10100, mcause: 0x8000_0007 })), 0x10100, 'the firmware\'s timer, from U-mode');
  assert.equal(userResumeAddress(at({ priv: PRIV_M, mstatus: mpp(PRIV_S), mepc: 0xc0001000, mcause: 9 })), undefined, 'an SBI call from the kernel');
  assert.equal(userResumeAddress(at({ priv: PRIV_U, sepc: 0x10100 })), undefined, 'still in user mode');
});
