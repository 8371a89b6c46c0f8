# Traps and Zicsr: ecall, ebreak, c.ebreak, illegal, misaligned AMO/LR and faulting accesses, mret, CSR read/modify/write,
# debug triggers present but none implemented.
# The handler records mcause/mepc/mtval in s2/s3/s4 and resumes at mepc + s5 (the trapping instruction's length).
  .option norvc
  .text
  .globl _start
_start:
  la t0, handler
  csrw mtvec, t0
  li gp, 1                 # ecall: cause 11, mtval 0
  li s5, 4
1: ecall
  li t6, 11
  bne s2, t6, fail
  la t6, 1b
  bne s3, t6, fail
  bnez s4, fail
  li gp, 2                 # ebreak: cause 3
2: ebreak
  li t6, 3
  bne s2, t6, fail
  la t6, 2b
  bne s3, t6, fail
  li gp, 3                 # c.ebreak (2 bytes)
  li s5, 2
  .option rvc
3: c.ebreak
  c.nop                    # keeps what follows 4-byte aligned (mtvec needs an aligned handler)
  .option norvc
  li s5, 4
  li t6, 3
  bne s2, t6, fail
  la t6, 3b
  bne s3, t6, fail
  li gp, 4                 # illegal instruction: mtval holds the bits
4: .word 0xffffffff
  li t6, 2
  bne s2, t6, fail
  li t6, 0xffffffff
  bne s4, t6, fail
  li gp, 5                 # unknown CSR is illegal
  csrr a0, 0x7c0
  li t6, 2
  bne s2, t6, fail
  li gp, 6                 # writing a read-only CSR is illegal
  csrw mhartid, a0
  li t6, 2
  bne s2, t6, fail
  li gp, 7                 # misaligned AMO: cause 6, mtval = address (loads and stores are performed: misaligned.s)
  la a0, data
  addi a0, a0, 1
  amoadd.w a1, a1, (a0)
  li t6, 6
  bne s2, t6, fail
  bne s4, a0, fail
  li gp, 8                 # misaligned LR: cause 4
  lr.w a1, (a0)
  li t6, 4
  bne s2, t6, fail
  bne s4, a0, fail
  li gp, 9                 # load access fault: cause 5
  li a0, 0x40000000
  lw a1, 0(a0)
  li t6, 5
  bne s2, t6, fail
  bne s4, a0, fail
  li gp, 10                # store access fault: cause 7
  sw a1, 0(a0)
  li t6, 7
  bne s2, t6, fail
  li gp, 11                # mret restores MIE from MPIE; trap clears MIE and sets MPIE
  csrsi mstatus, 8
  ecall
  csrr a0, mstatus
  andi a0, a0, 0x88
  li t6, 0x88
  bne a0, t6, fail
  andi s6, s6, 0x88        # mstatus seen inside the handler
  li t6, 0x80
  bne s6, t6, fail
  csrci mstatus, 8
  li gp, 12                # csrrw/csrrs/csrrc and immediate forms
  li a0, 0xf0
  csrrw a1, mscratch, a0
  li a2, 0x0f
  csrrs a1, mscratch, a2
  li t6, 0xf0
  bne a1, t6, fail
  csrrc a1, mscratch, a0
  li t6, 0xff
  bne a1, t6, fail
  csrrsi a1, mscratch, 16
  csrrci a1, mscratch, 1
  csrr a1, mscratch
  li t6, 0x1e
  bne a1, t6, fail
  li gp, 13                # csrrs/csrrc with x0 and csrrsi 0 do not write read-only CSRs
  csrrs a1, mhartid, x0
  csrrc a1, mvendorid, x0
  csrrsi a1, marchid, 0
  csrr a1, misa
  li t6, 0x40141105        # RV32 ACIMSU
  bne a1, t6, fail
  li gp, 14                # minstret counts retired instructions exactly
  csrr a0, minstret
  nop
  nop
  csrr a1, minstret
  sub a1, a1, a0
  li t6, 3
  bne a1, t6, fail
  li gp, 15                # a trapping instruction does not retire
  csrr a0, minstret
  ecall
  csrr a1, minstret
  sub a1, a1, a0
  li t6, 10                # only the csrr itself plus the 9 handler instructions
  bne a1, t6, fail
  li gp, 16                # mtvec mode bits: vectored keeps bit 0, reserved mode 2 drops bit 1
  la t0, handler
  ori t1, t0, 3
  csrw mtvec, t1
  csrr t2, mtvec
  ori t0, t0, 1
  bne t2, t0, fail
  li gp, 17                # trigger CSRs exist without triggers: tselect 0, tdata1 type 0, tinfo 1; writes ignored
  li s2, 0
  li a0, 1
  csrw tselect, a0
  csrr a1, tselect
  bnez a1, fail
  li a0, (2 << 28) | (1 << 6) | (1 << 2)
  csrw tdata1, a0
  csrr a1, tdata1
  bnez a1, fail
  csrw tdata2, a0
  csrr a1, tdata2
  bnez a1, fail
  csrr a1, tdata3
  bnez a1, fail
  csrr a1, 0x7a4           # tinfo
  li t6, 1
  bne a1, t6, fail
  bnez s2, fail            # nothing trapped
pass:
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
5: j 5b
fail:
  li t0, 0x100000
  slli t1, gp, 16
  li t2, 0x3333
  or t1, t1, t2
  sw t1, 0(t0)
6: j 6b

  .align 2
handler:                   # 9 instructions
  csrr s2, mcause
  csrr s3, mepc
  csrr s4, mtval
  csrr s6, mstatus
  add t5, s3, s5
  csrw mepc, t5
  nop
  nop
  mret

  .data
  .align 4
data: .word 0, 0
