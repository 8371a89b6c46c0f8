# RV32I loads, stores, AUIPC, JAL, JALR, FENCE. Pass/fail through the SiFive test device (gp = failing check).
  .option norvc
  .text
  .globl _start
_start:
  la s0, buf
  li gp, 1
  lw a0, 0(s0)
  li t6, 0x80ff7f01
  bne a0, t6, fail
  li gp, 2
  lb a0, 1(s0)            # 0x7f
  li t6, 0x7f
  bne a0, t6, fail
  li gp, 3
  lb a0, 2(s0)            # 0xff sign-extends
  li t6, -1
  bne a0, t6, fail
  li gp, 4
  lbu a0, 3(s0)           # 0x80
  li t6, 0x80
  bne a0, t6, fail
  li gp, 5
  lh a0, 2(s0)            # 0x80ff
  li t6, 0xffff80ff
  bne a0, t6, fail
  li gp, 6
  lhu a0, 2(s0)
  li t6, 0x80ff
  bne a0, t6, fail
  li gp, 7
  li a1, 0x12345678
  sw a1, 4(s0)
  sb a1, 8(s0)
  sh a1, 10(s0)
  lw a0, 8(s0)
  li t6, 0x56780078
  bne a0, t6, fail
  li gp, 8
  lw a0, 4(s0)
  bne a0, a1, fail
  li gp, 9
  addi s1, s0, 16
  sw a1, -4(s1)           # negative offset
  lw a0, 12(s0)
  bne a0, a1, fail
  li gp, 10
  lw a0, -4(s1)
  bne a0, a1, fail
  li gp, 11                # jal links pc+4
  jal ra, 1f
2: j fail
1: la t6, 2b
  bne ra, t6, fail
  li gp, 12                # jalr with offset, rd == rs1
  la t0, 3f
  addi t0, t0, -8
  jalr t0, 8(t0)
4: j fail
3: la t6, 4b
  bne t0, t6, fail
  li gp, 13                # jalr clears bit 0 of the target
  la t0, 5f
  addi t0, t0, 1
  jalr x0, 0(t0)
  j fail
5: li gp, 14               # auipc
  auipc a0, 0
  auipc a1, 1
  sub a1, a1, a0
  li t6, 0x1004
  bne a1, t6, fail
  li gp, 15                # x0 as destination of loads and jumps
  lw x0, 0(s0)
  jal x0, 6f
  j fail
6: bne x0, zero, fail
  fence
  fence rw, rw
  fence.i
pass:
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
7: j 7b
fail:
  li t0, 0x100000
  slli t1, gp, 16
  li t2, 0x3333
  or t1, t1, t2
  sw t1, 0(t0)
8: j 8b

  .data
  .align 4
buf:
  .word 0x80ff7f01
  .word 0, 0, 0, 0, 0
