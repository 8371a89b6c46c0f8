# Misaligned loads and stores are performed (QEMU's choice; riscv-tests' ma_data): every offset and size, across a
# page, in a hot loop (translated code leaves to the interpreter for them), a misaligned store into decoded code.
# A misaligned access to a device, across the end of RAM or outside RAM raises address-misaligned (cause 4 or 6,
# mtval = the address). Paged accesses across a page boundary are in sv32.s. The handler records mcause/mtval in
# s2/s4 and skips the 4-byte instruction.
  .option norvc
  .text
  .globl _start
_start:
  la t0, handler
  csrw mtvec, t0
  li s2, 0
  li gp, 1                 # loads at every offset read the little-endian bytes there
  la s0, data              # 01 02 03 04 05 06 07 08 ...
  lh t1, 1(s0)
  li t6, 0x0302
  bne t1, t6, fail
  lhu t1, 3(s0)
  li t6, 0x0504
  bne t1, t6, fail
  lh t1, 7(s0)             # 0x8108 sign-extends
  li t6, 0xffff8108
  bne t1, t6, fail
  lhu t1, 7(s0)
  li t6, 0x8108
  bne t1, t6, fail
  lw t1, 1(s0)
  li t6, 0x05040302
  bne t1, t6, fail
  lw t1, 2(s0)
  li t6, 0x06050403
  bne t1, t6, fail
  lw t1, 5(s0)             # 06 07 08 81: negative
  li t6, 0x81080706
  bne t1, t6, fail
  bnez s2, fail
  li gp, 2                 # stores write exactly their bytes
  la s1, buf
  li t1, 0x11223344
  sw t1, 1(s1)
  li t1, 0x5566
  sh t1, 7(s1)
  lw t1, 0(s1)
  li t6, 0x22334400
  bne t1, t6, fail
  lw t1, 4(s1)
  li t6, 0x66000011
  bne t1, t6, fail
  lw t1, 8(s1)
  li t6, 0x00000055
  bne t1, t6, fail
  bnez s2, fail
  li gp, 3                 # across a page boundary
  la s1, page_end
  li t1, 0xa1b2c3d4
  sw t1, -2(s1)
  lw t2, -2(s1)
  bne t1, t2, fail
  lhu t2, 0(s1)
  li t6, 0xa1b2
  bne t2, t6, fail
  lh t2, -1(s1)
  li t6, 0xffffb2c3
  bne t2, t6, fail
  bnez s2, fail
  li gp, 4                 # a hot loop of misaligned loads and stores (long enough for the fast path to compile it)
  la s1, buf
  li t0, 40000
  li t3, 0
1:sw t0, 1(s1)
  lw t1, 1(s1)
  lhu t2, 3(s1)
  add t3, t3, t1
  add t3, t3, t2
  addi t0, t0, -1
  bnez t0, 1b
  li t6, 800020000         # sum of 1..40000, and every lhu read 0
  bne t3, t6, fail
  li gp, 5                 # a misaligned store into decoded code replaces the instruction
  li s3, 0
  call patch               # runs li a0, 1
  li t6, 1
  bne a0, t6, fail
  la t0, patch
  li t1, 0x00200513        # li a0, 2: its middle bytes stored with one misaligned sh
  srli t1, t1, 8
  sh t1, 1(t0)
  call patch
  li t6, 2
  bne a0, t6, fail
  li gp, 6                 # a device: address misaligned, nothing read or written
  li a0, 0x300001
  lw a1, 0(a0)
  li t6, 4
  bne s2, t6, fail
  bne s4, a0, fail
  sh a1, 0(a0)
  li t6, 6
  bne s2, t6, fail
  bne s4, a0, fail
  li gp, 7                 # across the end of RAM, and outside RAM
  li s2, 0
  li a0, 0x803ffffe
  lw a1, 0(a0)
  li t6, 4
  bne s2, t6, fail
  bne s4, a0, fail
  li a0, 0x40000001
  sw a1, 0(a0)
  li t6, 6
  bne s2, t6, fail
  bne s4, a0, fail
pass:
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
8: j 8b
fail:
  li t0, 0x100000
  slli t1, gp, 16
  li t2, 0x3333
  or t1, t1, t2
  sw t1, 0(t0)
9: j 9b

  .align 2
handler:
  csrr s2, mcause
  csrr s4, mtval
  csrr t5, mepc
  addi t5, t5, 4
  csrw mepc, t5
  mret

  .align 2
patch:
  li a0, 1
  ret

  .data
  .align 4
data: .byte 1, 2, 3, 4, 5, 6, 7, 8, 0x81, 0, 0, 0
buf: .word 0, 0, 0, 0
  .align 12
  .space 4096
page_end: .word 0
