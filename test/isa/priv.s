# Privilege levels: mret/sret mode switches, ecall causes by mode, CSR access by privilege, wfi/sret/mret/sfence.vma
# legality (TW/TSR/TVM), counter enables, medeleg delegation, the sstatus/sie/sip views, MPP and medeleg WARL.
# The M handler counts traps in s0 and records mcause/mepc/mtval/mstatus in s2/s3/s4/s5; the S handler counts in s1
# and records scause/sepc/stval/sstatus in a4/a5/a6/s6. Both skip the trapping instruction. An ecall with s8 = 1
# returns to M-mode at s7 (from S directly, from U through the S handler when ecalls from U are delegated).
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
  li gp, 1                 # misa has S and U; reset mstatus: M-mode, MPP = M
  csrr t0, misa
  srli t1, t0, 18
  andi t1, t1, 1
  beqz t1, fail
  srli t1, t0, 20
  andi t1, t1, 1
  beqz t1, fail
  csrr t0, mstatus
  li t6, 0x1800
  bne t0, t6, fail
  li gp, 2                 # MPP is WARL: the reserved value 2 keeps the old MPP
  li t0, 0x1800
  csrc mstatus, t0
  li t0, 0x0800
  csrs mstatus, t0         # MPP = S
  li t0, 0x1000
  csrc mstatus, t0
  li t1, 0x1800
  csrr t0, mstatus
  and t0, t0, t1
  li t6, 0x0800
  bne t0, t6, fail
  csrr t0, mstatus
  li t1, 0x1800
  not t1, t1
  and t0, t0, t1
  li t1, 0x1000            # write MPP = 2
  or t0, t0, t1
  csrw mstatus, t0
  csrr t0, mstatus
  li t1, 0x1800
  and t0, t0, t1
  li t6, 0x0800
  bne t0, t6, fail

  li gp, 3                 # mret to S: M CSRs are illegal there, S CSRs are not; ecall from S is cause 9
  li s0, 0
  li a0, 1
  la a1, 1f
  j to_mode
1:csrr t0, mstatus         # illegal in S
  li t6, 1
  bne s0, t6, fail
  li t6, 2
  bne s2, t6, fail
  li t6, 0x300022f3        # mtval holds the instruction: csrr t0, mstatus
  bne s4, t6, fail
  csrr t0, sstatus         # legal in S
  csrw sscratch, t0
  li t6, 1
  bne s0, t6, fail
  ecall
  li t6, 9
  bne s2, t6, fail
  li t6, 2
  bne s0, t6, fail
  srli t0, s5, 11          # MPP in the handler: S
  andi t0, t0, 3
  li t6, 1
  bne t0, t6, fail
  li gp, 4                 # in S: mret is illegal (mtval = its encoding); wfi with TW, sret with TSR, satp and sfence.vma with TVM
  li s0, 0
  mret
  li t6, 2
  bne s2, t6, fail
  li t6, 0x30200073
  bne s4, t6, fail
  la s7, 2f                # back to M to set TW/TSR/TVM
  li s8, 1
  ecall
2:li t0, (1 << 20) | (1 << 21) | (1 << 22)
  csrs mstatus, t0
  li s0, 0
  li a0, 1
  la a1, 3f
  j to_mode
3:wfi
  sret
  csrr t0, satp
  sfence.vma
  li t6, 4
  bne s0, t6, fail
  li t6, 2
  bne s2, t6, fail
  la s7, 4f
  li s8, 1
  ecall
4:li t0, (1 << 20) | (1 << 21) | (1 << 22)
  csrc mstatus, t0
  li s0, 0
  li a0, 1
  la a1, 5f
  j to_mode
5:csrw satp, zero          # legal without TVM
  sfence.vma
  bnez s0, fail
  li gp, 5                 # sret from S to U; in U: S and M CSRs, wfi, sret, mret, sfence.vma are illegal; ecall is cause 8
  li t0, 1 << 8
  csrc sstatus, t0         # SPP = U
  la t0, 6f
  csrw sepc, t0
  sret
6:li s0, 0
  csrr t0, sstatus
  csrr t0, mstatus
  wfi
  sret
  mret
  sfence.vma
  li t6, 6
  bne s0, t6, fail
  li t6, 0x12000073
  bne s4, t6, fail
  ecall
  li t6, 8
  bne s2, t6, fail
  srli t0, s5, 11          # MPP in the handler: U
  andi t0, t0, 3
  bnez t0, fail
  li gp, 6                 # counters from U: need mcounteren and scounteren; from S: mcounteren
  li s0, 0
  rdcycle t0
  rdinstret t0
  li t6, 2
  bne s0, t6, fail
  la s7, 7f
  li s8, 1
  ecall
7:li t0, 5                 # CY and IR (not TM)
  csrw mcounteren, t0
  csrr t1, mcounteren
  bne t1, t0, fail
  li s0, 0
  li a0, 1
  la a1, 8f
  j to_mode
8:rdcycle t0               # S: allowed by mcounteren
  rdtime t0                # not: TM is clear
  li t6, 1
  bne s0, t6, fail
  csrw scounteren, 1       # CY for U
  li t0, 1 << 8
  csrc sstatus, t0
  la t0, 9f
  csrw sepc, t0
  sret
9:li s0, 0
  rdcycle t0               # U: allowed
  rdinstret t0             # U: scounteren lacks IR
  li t6, 1
  bne s0, t6, fail
  la s7, 10f
  li s8, 1
  ecall
10:
  csrw mcounteren, zero

  li gp, 7                 # medeleg: writable bits only (not 11); delegated exceptions from U and S go to S-mode
  li t0, -1
  csrw medeleg, t0
  csrr t0, medeleg
  li t6, 0xb3ff
  bne t0, t6, fail
  li t0, (1 << 2) | (1 << 8)    # illegal instruction and ecall from U
  csrw medeleg, t0
  li s0, 0
  li s1, 0
  csrw mhartid, t0         # in M: not delegated
  li t6, 1
  bne s0, t6, fail
  bnez s1, fail
  li a0, 0
  la a1, 11f
  j to_mode
11:
  li s0, 0
  csrr t0, mstatus         # from U: to S
  li t6, 2
  bne a4, t6, fail
  li t6, 0x300022f3
  bne a6, t6, fail         # stval = the instruction
  la t6, 11b
  addi t6, t6, 4
  bne a5, t6, fail
  andi t0, s6, 1 << 8      # SPP = U
  bnez t0, fail
  bnez s0, fail
  li t6, 1
  bne s1, t6, fail
  la s7, 12f               # ecall from U is delegated: the S handler escapes with an ecall from S
  li s8, 1
  ecall
12:
  li t6, 9
  bne s2, t6, fail
  li t6, 8
  bne a4, t6, fail
  li a0, 1                 # from S, a delegated exception stays in S: SPP = S, SPIE = SIE, SIE = 0
  la a1, 13f
  j to_mode
13:
  li s1, 0
  csrsi sstatus, 2         # SIE (no interrupt is pending)
  csrr t0, mstatus
  li t6, 1
  bne s1, t6, fail
  andi t0, s6, 1 << 8
  beqz t0, fail
  andi t0, s6, (1 << 1) | (1 << 5)
  li t6, 1 << 5
  bne t0, t6, fail
  csrr t0, sstatus         # sret restored SIE = 1, SPIE = 1, SPP = U
  andi t0, t0, (1 << 1) | (1 << 5) | (1 << 8)
  li t6, (1 << 1) | (1 << 5)
  bne t0, t6, fail
  csrci sstatus, 2
  la s7, 14f
  li s8, 1
  ecall
14:
  csrw medeleg, zero

  li gp, 8                 # sstatus is a view of mstatus: only SIE, SPIE, SPP, SUM, MXR
  li t0, (1 << 17) | (1 << 18) | (1 << 19) | (1 << 20) | (1 << 5)
  csrs mstatus, t0
  csrr t0, sstatus
  li t6, (1 << 18) | (1 << 19) | (1 << 5)
  bne t0, t6, fail
  li t0, (1 << 17) | (1 << 18) | (1 << 19) | (1 << 20) | (1 << 5)
  csrc mstatus, t0
  csrr s9, mstatus
  li t0, -1
  csrw sstatus, t0
  csrr t0, mstatus
  xor t0, t0, s9
  li t6, (1 << 1) | (1 << 5) | (1 << 8) | (1 << 18) | (1 << 19)
  bne t0, t6, fail
  csrw mstatus, s9

  li gp, 9                 # mideleg, sie and sip: views of mie and mip under mideleg; SSIP/STIP/SEIP writable in mip
  li t0, -1
  csrw mideleg, t0
  csrr t0, mideleg
  li t6, 0x222
  bne t0, t6, fail
  li t0, 0x20
  csrw mideleg, t0
  li t0, 0xaaa
  csrw mie, t0
  csrr t0, mie
  li t6, 0xaaa
  bne t0, t6, fail
  csrr t0, sie
  li t6, 0x20
  bne t0, t6, fail
  csrw sie, zero
  csrr t0, mie
  li t6, 0xa8a
  bne t0, t6, fail
  csrw mie, zero
  li t0, -1
  csrw mip, t0
  csrr t0, mip
  li t6, 0x222             # MSIP/MTIP/MEIP belong to the devices
  bne t0, t6, fail
  csrr t0, sip
  li t6, 0x20
  bne t0, t6, fail
  csrw sip, zero           # SSIP is not delegated: no effect
  csrr t0, mip
  li t6, 0x222
  bne t0, t6, fail
  li t0, 0x22
  csrw mideleg, t0
  csrw sip, zero           # clears SSIP only (STIP is M-mode's)
  csrr t0, mip
  li t6, 0x220
  bne t0, t6, fail
  csrw mip, zero
  csrw mideleg, zero

pass:
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
15: j 15b
fail:
  li t0, 0x100000
  slli t1, gp, 16
  li t2, 0x3333
  or t1, t1, t2
  sw t1, 0(t0)
16: j 16b

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
  csrr s4, mtval
  csrr s5, mstatus
  addi s0, s0, 1
  bnez s8, m_escape
  bltz s2, m_irq
  li t5, 12
  beq s2, t5, m_fetch
  addi t5, s3, 4
  csrw mepc, t5
  mret
m_fetch:                   # an instruction page fault returns to ra
  csrw mepc, ra
  mret
m_irq:                     # an interrupt: disable the M-level ones
  li t5, 0x888
  csrc mie, t5
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
  csrr a6, stval
  csrr s6, sstatus
  addi s1, s1, 1
  bnez s8, s_escape
  bltz a4, s_irq
  li t5, 12
  beq a4, t5, s_fetch
  addi t5, a5, 4
  csrw sepc, t5
  sret
s_fetch:
  csrw sepc, ra
  sret
s_irq:                     # an interrupt: disable the delegated ones
  csrw sie, zero
  sret
s_escape:                  # an ecall from S reaches the M handler, which escapes
  ecall
