# RV32C: every compressed instruction, written with explicit c.* mnemonics. Pass/fail through the SiFive test device.
  .option rvc
  .text
  .globl _start
_start:
  la sp, stack_top
  li gp, 1                 # c.li, c.addi, c.mv, c.add
  c.li a0, -3
  c.addi a0, 10
  c.mv a1, a0
  c.add a1, a0
  li t6, 14
  bne a1, t6, fail
  li gp, 2                 # c.lui, c.srli, c.srai, c.slli, c.andi
  c.lui a2, 0xfffff
  c.srai a2, 4
  li t6, 0xffffff00
  bne a2, t6, fail
  c.srli a2, 8
  li t6, 0x00ffffff
  bne a2, t6, fail
  c.slli a2, 12
  li t6, 0xfffff000
  bne a2, t6, fail
  c.andi a2, -16
  bne a2, t6, fail
  li gp, 3                 # c.sub, c.xor, c.or, c.and
  li a3, 12
  li a4, 10
  c.sub a3, a4
  li t6, 2
  bne a3, t6, fail
  c.xor a3, a4
  li t6, 8
  bne a3, t6, fail
  c.or a3, a4
  li t6, 10
  bne a3, t6, fail
  li a5, 6
  c.and a3, a5
  li t6, 2
  bne a3, t6, fail
  li gp, 4                 # c.addi16sp, c.addi4spn, c.swsp, c.lwsp
  c.addi16sp sp, -64
  c.addi4spn a4, sp, 16
  addi t6, sp, 16
  bne a4, t6, fail
  li t0, 0x5a5a
  c.swsp t0, 12(sp)
  c.lwsp t1, 12(sp)
  bne t0, t1, fail
  c.addi16sp sp, 64
  li gp, 5                 # c.sw, c.lw
  la s0, data
  li a1, 0x1234
  c.sw a1, 4(s0)
  c.lw a2, 4(s0)
  bne a1, a2, fail
  li gp, 6                 # c.j, c.beqz, c.bnez
  li a0, 0
  c.beqz a0, 1f
  j fail
1: c.bnez a0, fail_c
  c.li a0, 1
  c.bnez a0, 2f
  j fail
2: c.j 3f
  j fail
3: li gp, 7                # c.jal links pc+2, c.jr
  c.jal 4f
5: j 6f
4: la t6, 5b
  bne ra, t6, fail
  c.jr ra
  j fail
6: li gp, 8                # c.jalr
  la t0, 7f
  c.jalr t0
8: j 9f
7: la t6, 8b
  bne ra, t6, fail
  ret
9: li gp, 9                # c.nop, mixed 16/32-bit sequence at odd halfword alignments
  c.nop
  addi a0, zero, 3
  c.addi a0, 1
  addi a0, a0, 1
  li t6, 5
  bne a0, t6, fail
pass:
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
10: j 10b
fail_c:
fail:
  li t0, 0x100000
  slli t1, gp, 16
  li t2, 0x3333
  or t1, t1, t2
  sw t1, 0(t0)
11: j 11b

  .data
  .align 4
data: .word 0, 0, 0, 0
  .align 4
stack: .space 256
stack_top:
