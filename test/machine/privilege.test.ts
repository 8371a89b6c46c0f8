// Privilege levels and Sv32 at the machine level: snapshots taken while paging is on continue exactly, breakpoints and watchpoints on virtual addresses, the debugger's CSR access, interrupt selection and mstatus WARL.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from '../../src/asm/index';
import { Machine, type MachineSnapshot } from '../../src/machine/machine';
import type { Environment, ReadKind } from '../../src/machine/types';
import { type PrivState, legalMstatus, pendingInterrupt } from '../../src/machine/priv';

class DetEnv implements Environment {
  read(kind: ReadKind, instret: number): number {
    return kind === 'time' ? Math.floor(instret / 7) : instret;
  }
  output(): void {}
}

/** A machine loaded with test/isa/sv32.s (paging in S- and U-mode, MPRV, a stale TLB entry until sfence.vma). */
function bootSv32(): Machine {
  const r = assemble(readFileSync(join(__dirname, '..', 'isa', 'sv32.s'), 'utf8'), { fileName: 'sv32.s' });
  assert.ok(r.ok && r.program, JSON.stringify(r.diagnostics));
  const m = new Machine({ env: new DetEnv(), ramSize: 4 << 20 });
  m.load(r.program);
  return m;
}

test('sv32.s passes on the machine, and a snapshot taken at any instruction restores to the same end', () => {
  const m = bootSv32();
  const snaps: MachineSnapshot[] = [];
  const modes = new Set<string>();
  while (m.cpu.exitCode === null) {
    snaps.push(structuredClone(m.snapshot()));
    modes.add(`${m.cpu.priv}/${m.cpu.xlate}`);
    assert.equal(m.run(m.instret + 5), m.cpu.exitCode === null ? 'limit' : 'exit', m.cpu.fatal?.message);
  }
  assert.equal(m.cpu.exitCode, 0, `check ${m.cpu.exitCode} failed`);
  assert.ok(modes.has('1/1') && modes.has('0/1') && modes.has('3/1'), `snapshots in S, U and M-with-MPRV under paging: ${[...modes]}`);
  const end = m.hash();
  for (const s of snaps) {
    const fresh = new Machine({ env: new DetEnv(), ramSize: 4 << 20 });
    fresh.restore(s);
    assert.equal(fresh.run(1_000_000), 'exit', `restored at ${s.instret}: ${fresh.cpu.fatal?.message ?? ''}`);
    assert.equal(fresh.cpu.exitCode, 0, `restored at ${s.instret}: check ${fresh.cpu.exitCode} failed`);
    assert.equal(fresh.hash(), end, `restored at ${s.instret}`);
  }
});

test('the TLB is part of the state: a restore keeps a stale translation until sfence.vma', () => {
  const m = bootSv32();
  const snaps: MachineSnapshot[] = [];
  while (m.cpu.exitCode === null) {
    snaps.push(m.snapshot());
    m.run(m.instret + 1);
  }
  // Without the TLB in the snapshot, restoring between the PTE change and sfence.vma would read the new page early.
  const dropped = snaps.filter((s) => {
    const fresh = new Machine({ env: new DetEnv(), ramSize: 4 << 20 });
    fresh.restore({ ...s, cpu: { ...s.cpu, tlb: { vpn: s.cpu.tlb.vpn.map(() => -1), pte: s.cpu.tlb.pte } } });
    fresh.run(1_000_000);
    return fresh.cpu.exitCode !== 0;
  });
  assert.ok(dropped.length > 0, 'some instant depends on the TLB');
  assert.ok(dropped.every((s) => s.cpu.priv === 1), 'only while S-mode runs the stale-TLB check');
});

test('breakpoints and watchpoints on virtual addresses under paging', () => {
  const m = bootSv32();
  m.cpu.setBreakpoints([0x40006000]);
  assert.equal(m.run(1_000_000), 'breakpoint'); // first S-mode's jump there (which faults: a user page)
  assert.deepEqual([m.cpu.pc, m.cpu.priv, m.cpu.xlate], [0x40006000, 1, 1]);
  assert.equal(m.run(1_000_000), 'breakpoint'); // then U-mode's code
  assert.deepEqual([m.cpu.pc, m.cpu.priv, m.cpu.xlate], [0x40006000, 0, 1]);
  m.cpu.setBreakpoints([]);
  m.cpu.setWatchpoints([{ addr: 0x40007000, len: 4 }]);
  assert.equal(m.run(1_000_000), 'watchpoint');
  assert.deepEqual(m.cpu.lastWatchHit, { addr: 0x40007000, size: 4, pc: 0x40006008 });
  m.cpu.setWatchpoints([]);
  assert.equal(m.run(1_000_000), 'exit');
  assert.equal(m.cpu.exitCode, 0);
});

test('the debugger reads and writes the S-mode CSRs; a satp write switches translation', () => {
  const m = bootSv32();
  const cpu = m.cpu;
  for (const n of [0x100, 0x104, 0x105, 0x106, 0x140, 0x141, 0x142, 0x143, 0x144, 0x180, 0x302, 0x303, 0x306]) {
    assert.equal(typeof cpu.readCsr(n), 'number');
  }
  cpu.writeCsr(0x105, 0x80001234);
  assert.equal(cpu.readCsr(0x105), 0x80001234);
  cpu.writeCsr(0x3b0, -1); // PMP: all of memory for S and U (without an entry they may access nothing: always checked)
  cpu.writeCsr(0x3a0, 0x1f);
  cpu.writeCsr(0x180, 0x80080100);
  assert.equal(cpu.xlate, 0, 'M-mode without MPRV is never translated');
  cpu.writeCsr(0x300, (1 << 17) | (1 << 11));
  assert.equal(cpu.xlate, 1, 'MPRV with MPP = S');
  cpu.writeCsr(0x180, 0);
  assert.equal(cpu.xlate, 0);
  cpu.writeCsr(0x3a0, 0x19); // the entry now refuses writes: MPRV's S-mode stores are checked one by one
  assert.equal(cpu.xlate, 1);
  assert.equal(cpu.getState().priv, 3);
});

test('interrupt selection: per-mode global enables, delegation, and priority', () => {
  const M = 3, S = 1, U = 0, MIE = 1 << 3, SIE = 1 << 1;
  const bits = (...irqs: number[]): number => irqs.reduce((a, i) => a | (1 << i), 0);
  const cases: [string, PrivState, number][] = [
    ['M-level in M without MIE waits', { priv: M, mstatus: 0, mip: bits(7), mie: bits(7), mideleg: 0 }, -1],
    ['M-level in M with MIE', { priv: M, mstatus: MIE, mip: bits(7), mie: bits(7), mideleg: 0 }, 7],
    ['M-level below M whatever MIE', { priv: S, mstatus: 0, mip: bits(7), mie: bits(7), mideleg: 0 }, 7],
    ['not enabled in mie', { priv: U, mstatus: 0, mip: bits(7), mie: bits(3), mideleg: 0 }, -1],
    ['delegated never in M', { priv: M, mstatus: MIE | SIE, mip: bits(5), mie: bits(5), mideleg: bits(5) }, -1],
    ['delegated in S waits for SIE', { priv: S, mstatus: 0, mip: bits(5), mie: bits(5), mideleg: bits(5) }, -1],
    ['delegated in S with SIE', { priv: S, mstatus: SIE, mip: bits(5), mie: bits(5), mideleg: bits(5) }, 5],
    ['delegated in U whatever SIE', { priv: U, mstatus: 0, mip: bits(5), mie: bits(5), mideleg: bits(5) }, 5],
    ['S-level not delegated goes to M', { priv: S, mstatus: SIE, mip: bits(5), mie: bits(5), mideleg: 0 }, 5],
    ['SEI > SSI > STI', { priv: U, mstatus: 0, mip: bits(1, 5, 9), mie: bits(1, 5, 9), mideleg: bits(1, 5, 9) }, 9],
    ['SSI > STI', { priv: U, mstatus: 0, mip: bits(1, 5), mie: bits(1, 5), mideleg: bits(1, 5) }, 1],
    ['for M before for S', { priv: S, mstatus: SIE, mip: bits(7, 9), mie: bits(7, 9), mideleg: bits(9) }, 7],
    ['MEI > MSI > MTI', { priv: M, mstatus: MIE, mip: bits(3, 7, 11), mie: bits(3, 7, 11), mideleg: 0 }, 11],
    ['MSI > MTI', { priv: M, mstatus: MIE, mip: bits(3, 7), mie: bits(3, 7), mideleg: 0 }, 3],
  ];
  for (const [what, s, want] of cases) assert.equal(pendingInterrupt(s), want, what);
});

test('mstatus WARL: only existing fields; a reserved MPP keeps the old one', () => {
  assert.equal(legalMstatus(0, -1) >>> 0, 0x7e19aa);
  assert.equal(legalMstatus(1 << 11, 2 << 11), 1 << 11);
  assert.equal(legalMstatus(3 << 11, 0), 0);
});
