# RV32A: LR/SC and every AMO (single hart). Pass/fail through the SiFive test device (gp = failing check).
  .option norvc
  .text
  .globl _start
_start:
  la s0, word
  li gp, 1                 # lr/sc success
  li t0, 100
  sw t0, 0(s0)
  lr.w a0, (s0)
  addi a0, a0, 1
  sc.w a1, a0, (s0)
  bnez a1, fail
  lw a2, 0(s0)
  li t6, 101
  bne a2, t6, fail
  li gp, 2                 # sc without reservation fails and does not store
  sc.w a1, t0, (s0)
  li t6, 1
  bne a1, t6, fail
  lw a2, 0(s0)
  li t6, 101
  bne a2, t6, fail
  li gp, 3                 # aq/rl variants
  lr.w.aqrl a0, (s0)
  sc.w.aqrl a1, t0, (s0)
  bnez a1, fail
  li gp, 4                 # amoswap
  li t1, -5
  amoswap.w a0, t1, (s0)
  li t6, 100
  bne a0, t6, fail
  lw a2, 0(s0)
  bne a2, t1, fail
  li gp, 5                 # amoadd
  li t1, 7
  amoadd.w a0, t1, (s0)
  lw a2, 0(s0)
  li t6, 2
  bne a2, t6, fail
  li gp, 6                 # amoxor/amoand/amoor
  li t1, 0xff
  amoxor.w a0, t1, (s0)
  li t1, 0xf0
  amoand.w a0, t1, (s0)
  li t1, 0x100
  amoor.w a0, t1, (s0)
  lw a2, 0(s0)
  li t6, 0x1f0
  bne a2, t6, fail
  li gp, 7                 # amomin/amomax signed
  li t1, -1
  amomin.w a0, t1, (s0)
  lw a2, 0(s0)
  bne a2, t1, fail
  li t1, 3
  amomax.w a0, t1, (s0)
  lw a2, 0(s0)
  bne a2, t1, fail
  li gp, 8                 # amominu/amomaxu unsigned
  li t1, -1
  amominu.w a0, t1, (s0)
  lw a2, 0(s0)
  li t6, 3
  bne a2, t6, fail
  amomaxu.w a0, t1, (s0)
  lw a2, 0(s0)
  bne a2, t1, fail
  li gp, 9                 # rd = x0 still performs the AMO
  li t1, 9
  amoswap.w x0, t1, (s0)
  lw a2, 0(s0)
  bne a2, t1, fail
pass:
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
1: j 1b
fail:
  li t0, 0x100000
  slli t1, gp, 16
  li t2, 0x3333
  or t1, t1, t2
  sw t1, 0(t0)
2: j 2b

  .data
  .align 4
word: .word 0
