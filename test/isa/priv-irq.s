# Interrupts across privilege levels: mideleg routing, the per-mode global enables (M-level interrupts always taken
# below M; delegated ones always below S, in S with SIE, never in M), STIP set by M-mode software, and priorities
# (interrupts for M first, then MEI > MSI > MTI > SEI > SSI > STI). The test rig's line device at 0x200000 raises
# MSIP/MTIP (a word write of line << 1 | level). The M handler counts in s0 and records mcause/mepc in s2/s3 and,
# for an interrupt, clears mie; the S handler counts in s1 and records scause/sepc in a4/a5 and, for an
# interrupt, clears sie. An ecall with s8 = 1 returns to M-mode at s7.
  .option norvc
  .text
  .globl _start
_start:
  la t0, mhandler
  csrw mtvec, t0
  la t0, shandler
  csrw stvec, t0
  li t0, -1                # PMP: all memory RWX for S and U, which without an entry may access nothing (pmp.s)
  csrw pmpaddr0, t0
  li t0, 0x1f              # NAPOT | X | W | R
  csrw pmpcfg0, t0
  li s8, 0
  li s10, 0x200000         # the interrupt-line device

  li gp, 1                 # a delegated STI is never taken in M, even with MIE
  li t0, 0x20
  csrw mideleg, t0
  csrw mie, t0
  csrs mip, t0             # STIP, as an SBI timer sets it
  li s0, 0
  li s1, 0
  csrsi mstatus, 8
  nop
  nop
  csrci mstatus, 8
  bnez s0, fail
  bnez s1, fail
  li gp, 2                 # in S it waits for SIE, then traps to S at the next instruction
  li a0, 1
  la a1, 1f
  j to_mode
1:nop
  nop
  bnez s1, fail
  csrsi sstatus, 2
2:bnez s0, fail
  li t6, 1
  bne s1, t6, fail
  li t6, 0x80000005
  bne a4, t6, fail
  la t6, 2b
  bne a5, t6, fail
  csrci sstatus, 2
  la s7, 3f
  li s8, 1
  ecall
3:li gp, 3                 # in U it is taken whatever SIE says
  li t0, 0x20
  csrw mie, t0
  csrci mstatus, 2
  li s1, 0
  li a0, 0
  la a1, 4f
  j to_mode
4:nop
  li t6, 1
  bne s1, t6, fail
  la t6, 4b
  bne a5, t6, fail
  la s7, 5f
  li s8, 1
  ecall
5:li gp, 4                 # not delegated, an STI pending in S is taken in M although MIE = 0
  csrw mideleg, zero
  li t0, 0x20
  csrw mie, t0
  li s0, 0
  li s1, 0
  li a0, 1
  la a1, 6f
  j to_mode
6:nop
  li t6, 1
  bne s0, t6, fail
  bnez s1, fail
  li t6, 0x80000005
  bne s2, t6, fail
  la t6, 6b
  bne s3, t6, fail
  la s7, 7f
  li s8, 1
  ecall
7:li gp, 5                 # delegated SEI, SSI and STI pending in U: SEI first, then SSI, then STI
  li t0, 0x222
  csrw mideleg, t0
  csrs mip, t0
  csrw mie, t0
  li s1, 0
  li a0, 0
  la a1, 8f
  j to_mode
8:nop
  li t6, 1
  bne s1, t6, fail
  li t6, 0x80000009
  bne a4, t6, fail
  la s7, 9f
  li s8, 1
  ecall
9:li t0, 0x200
  csrc mip, t0
  li t0, 0x22
  csrw mie, t0
  li s1, 0
  li a0, 0
  la a1, 10f
  j to_mode
10:
  nop
  li t6, 0x80000001
  bne a4, t6, fail
  la s7, 11f
  li s8, 1
  ecall
11:
  li gp, 6                 # an M-level MSI (from the device) comes before delegated ones
  li t0, 0x22
  csrw mie, t0
  li t0, 0x8
  csrs mie, t0
  li t0, (3 << 1) | 1
  sw t0, 0(s10)
  li s0, 0
  li s1, 0
  li a0, 0
  la a1, 12f
  j to_mode
12:
  nop
  li t6, 1
  bne s0, t6, fail
  li t6, 0x80000003
  bne s2, t6, fail
  bnez s1, fail            # the M handler cleared mie: the delegated ones stay pending
  la s7, 13f
  li s8, 1
  ecall
13:
  li t0, (3 << 1) | 0
  sw t0, 0(s10)
  csrw mip, zero
  csrw mideleg, zero
  li gp, 7                 # an MTI in S-mode with MIE = 0 is taken in M; back in M with MIE = 0 it waits
  li t0, (7 << 1) | 1
  sw t0, 0(s10)
  li t0, 0x80
  csrw mie, t0
  li s0, 0
  nop
  bnez s0, fail
  li a0, 1
  la a1, 14f
  j to_mode
14:
  nop
  li t6, 1
  bne s0, t6, fail
  li t6, 0x80000007
  bne s2, t6, fail
  la s7, 15f
  li s8, 1
  ecall
15:
  li t0, (7 << 1) | 0
  sw t0, 0(s10)

pass:
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
16: j 16b
fail:
  li t0, 0x100000
  slli t1, gp, 16
  li t2, 0x3333
  or t1, t1, t2
  sw t1, 0(t0)
17: j 17b

to_mode:                   # enters mode a0 (MPP encoding) at a1
  li t0, 0x1800
  csrc mstatus, t0
  slli t0, a0, 11
  csrs mstatus, t0
  csrw mepc, a1
  mret

  .align 2
mhandler:
  csrr s2, mcause
  csrr s3, mepc
  addi s0, s0, 1
  bnez s8, m_escape
  bltz s2, m_irq
  addi t5, s3, 4
  csrw mepc, t5
  mret
m_irq:
  csrw mie, zero
  mret
m_escape:                  # back to M-mode at s7, with MIE = 0
  li s8, 0
  li t5, 0x1800
  csrs mstatus, t5
  li t5, 0x80
  csrc mstatus, t5
  csrw mepc, s7
  mret

  .align 2
shandler:
  csrr a4, scause
  csrr a5, sepc
  addi s1, s1, 1
  bnez s8, s_escape
  bltz a4, s_irq
  addi t5, a5, 4
  csrw sepc, t5
  sret
s_irq:
  csrw sie, zero
  sret
s_escape:                  # an ecall from S reaches the M handler, which escapes
  ecall
