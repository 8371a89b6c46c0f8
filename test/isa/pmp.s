# Physical memory protection (16 entries, 4-byte grain, as QEMU): the CSRs and their WARL rules; with no entry S and
# U may access nothing (a fetch fault, and a load through MPRV); NAPOT, NA4 and TOR entries, the lowest matching entry
# deciding; an access matched in part fails; devices; the page-table walker's reads and A/D writes (checked as S);
# a locked entry binds M-mode and its registers ignore writes. The M handler counts traps in s0 and records
# mcause/mtval in s2/s4; it skips the instruction, except that an ecall from U or S, or a fetch fault, returns to
# M-mode at s7.
  .option norvc
  .equ DEV, 0x300000       # a device of the test rig (reads count, writes are kept)
  .text
  .globl _start
_start:
  la t0, mhandler
  csrw mtvec, t0
  li s0, 0
  la s1, data

  li gp, 1                 # reset state, all 32 address bits, WARL cfg bytes, entries 16-63 read zero
  csrr t0, pmpcfg0
  bnez t0, fail
  csrr t0, pmpaddr0
  bnez t0, fail
  li t1, -1
  csrw pmpaddr0, t1
  csrr t0, pmpaddr0
  bne t0, t1, fail
  li t1, 0x00001a7f        # entry 1: W without R is not taken; entry 0: bits 6:5 read zero
  csrw pmpcfg0, t1
  csrr t0, pmpcfg0
  li t6, 0x1f
  bne t0, t6, fail
  csrw pmpcfg4, t1
  csrr t0, pmpcfg4
  bnez t0, fail
  csrw pmpaddr16, t1
  csrr t0, pmpaddr16
  bnez t0, fail
  csrw pmpcfg0, zero
  bnez s0, fail

  li gp, 2                 # no entry: M-mode loads through MPRV as U fail, and U-mode cannot fetch
  li t0, 0x1800
  csrc mstatus, t0         # MPP = U
  li t0, 1 << 17
  csrs mstatus, t0
  lw t1, 0(s1)
  li t0, 1 << 17
  csrc mstatus, t0
  li t6, 5
  bne s2, t6, fail
  bne s4, s1, fail
  la s7, 1f
  li a0, 0
  la a1, user_nop
  j to_mode
1:li t6, 1
  bne s2, t6, fail
  la t6, user_nop
  bne s4, t6, fail
  li t6, 2
  bne s0, t6, fail

  li gp, 3                 # one NAPOT entry over everything: U runs, loads and stores
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  li s0, 0
  la s7, 1f
  li a0, 0
  la a1, user_rw
  j to_mode
1:li t6, 8                 # only the ecall back trapped
  bne s2, t6, fail
  li t6, 1
  bne s0, t6, fail
  li t6, 0x55
  lw t1, 0(s1)
  bne t1, t6, fail

  li gp, 4                 # entry 0 (NA4, R) before entry 1 (everything): U loads the word but cannot store it
  li t0, 0x66
  sw t0, 0(s1)
  srli t0, s1, 2
  csrw pmpaddr0, t0
  li t0, -1
  csrw pmpaddr1, t0
  li t0, 0x1f11            # entry 1 NAPOT RWX, entry 0 NA4 R
  csrw pmpcfg0, t0
  li s0, 0
  la s7, 1f
  li a0, 0
  la a1, user_rw
  j to_mode
1:li t6, 2                 # the store fault, then the ecall
  bne s0, t6, fail
  li t1, 0x66
  lw t6, 4(s1)             # the U load saw the word
  bne t6, t1, fail
  lw t6, 0(s1)             # the store did not happen
  bne t6, t1, fail
  sw zero, 0(s1)           # M-mode is not bound by an entry without L
  lw t6, 0(s1)
  bnez t6, fail

  li gp, 5                 # TOR: entry 1 covers [pmpaddr0, pmpaddr1) with no permission; an access matched in part fails
  addi t0, s1, 16
  srli t0, t0, 2
  csrw pmpaddr0, t0
  addi t0, s1, 24
  srli t0, t0, 2
  csrw pmpaddr1, t0
  li t0, -1
  csrw pmpaddr2, t0
  li t0, 0x1f0800          # entry 2 NAPOT RWX, entry 1 TOR none, entry 0 off
  csrw pmpcfg0, t0
  li s0, 0
  la s7, 1f
  li a0, 0
  la a1, user_tor
  j to_mode
1:li t6, 4                 # three faults and the ecall
  bne s0, t6, fail
  lw t6, 12(s1)            # the loads just outside worked
  li t1, 0x77
  bne t6, t1, fail

  li gp, 6                 # one NAPOT entry over RAM only: RAM runs untranslated, a device is refused
  li t0, 0x2007ffff        # 0x80000000, 4 MiB
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  li s0, 0
  la s7, 1f
  li a0, 0
  la a1, user_dev
  j to_mode
1:li t6, 3                 # a load and a store fault, then the ecall
  bne s0, t6, fail
  li t6, 8
  bne s2, t6, fail

  li gp, 7                 # the page-table walk reads PTEs as S: a refused PTE is an access fault of the access,
                           # and so is a PTE the walker may read but not write to set A
  la t0, root
  li t1, 0x200000cf        # [0x200] VA 0x80000000: identity superpage RWX A D
  addi t2, t0, 0x400
  sw t1, 0x400(t2)
  li t1, 0x000000c7        # [0] VA 0: identity superpage RW (the test device, so a failing check can report)
  sw t1, 0(t0)
  la t2, leaf              # [0x100] VA 0x40000000: pointer to leaf
  srli t2, t2, 12
  slli t2, t2, 10
  ori t2, t2, 1
  sw t2, 0x400(t0)
  la t2, leaf              # leaf[0]: VA 0x40000000 -> data's page, R, A = 0
  srli t1, s1, 12
  slli t1, t1, 10
  ori t1, t1, 3
  sw t1, 0(t2)
  addi t1, t0, 0x400       # entry 0: NA4 over root[0x100], nothing allowed; entry 1: everything
  srli t1, t1, 2
  csrw pmpaddr0, t1
  li t1, -1
  csrw pmpaddr1, t1
  li t1, 0x1f10
  csrw pmpcfg0, t1
  srli t1, t0, 12
  li t6, 0x80000000
  or t1, t1, t6
  csrw satp, t1
  li s0, 0
  la s7, 1f
  li a0, 1
  la a1, super_walk
  j to_mode
1:li t6, 2                 # the refused walk and the ecall
  bne s0, t6, fail
  la t1, leaf              # entry 0: NA4 over leaf[0], readable only
  srli t1, t1, 2
  csrw pmpaddr0, t1
  li t1, 0x1f11
  csrw pmpcfg0, t1
  li s0, 0
  la s7, 2f
  li a0, 1
  la a1, super_walk
  j to_mode
2:li t6, 2
  bne s0, t6, fail
  la t2, leaf              # A is still clear
  lw t1, 0(t2)
  andi t1, t1, 0x40
  bnez t1, fail
  csrw satp, zero
  csrw pmpcfg0, zero

  li gp, 8                 # a locked entry binds M-mode; its cfg and address, and the address below a TOR, ignore writes
  addi t0, s1, 32
  srli t0, t0, 2
  csrw pmpaddr14, t0
  addi t0, s1, 36
  srli t0, t0, 2
  csrw pmpaddr15, t0
  li t0, 0x88000000        # entry 15: L, TOR, nothing allowed
  csrw pmpcfg3, t0
  li s0, 0
  lw t1, 32(s1)
  li t6, 5
  bne s2, t6, fail
  addi t6, s1, 32
  bne s4, t6, fail
  sw t1, 32(s1)
  li t6, 7
  bne s2, t6, fail
  lw t1, 28(s1)            # outside the entry
  lw t1, 36(s1)
  li t6, 2
  bne s0, t6, fail
  li t0, 0x1f000000
  csrw pmpcfg3, t0
  csrw pmpaddr15, zero
  csrw pmpaddr14, zero
  csrr t0, pmpcfg3
  li t6, 0x88000000
  bne t0, t6, fail
  csrr t0, pmpaddr14
  addi t6, s1, 32
  srli t6, t6, 2
  bne t0, t6, fail
  lw t1, 32(s1)
  li t6, 3
  bne s0, t6, fail

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
  csrr s4, mtval
  addi s0, s0, 1
  li t5, 8
  beq s2, t5, m_escape
  li t5, 9
  beq s2, t5, m_escape
  li t5, 1
  beq s2, t5, m_escape
  csrr t5, mepc
  addi t5, t5, 4
  csrw mepc, t5
  mret
m_escape:                  # back to M-mode at s7
  li t5, 0x1800
  csrs mstatus, t5
  csrw mepc, s7
  mret

user_nop:
  nop
  ecall

user_rw:                   # U: data[1] = data[0]; data[0] = 0x55
  lw t1, 0(s1)
  sw t1, 4(s1)
  li t1, 0x55
  sw t1, 0(s1)
  ecall

user_tor:                  # U: loads at data+12 and +24 work; +16 and +20 fault, and so does a word straddling +24
  lw t1, 12(s1)
  lw t1, 24(s1)
  lw t1, 16(s1)
  li t6, 5
  bne s2, t6, 1f
  addi t6, s1, 16
  bne s4, t6, 1f
  sw t1, 20(s1)
  li t6, 7
  bne s2, t6, 1f
  lw t1, 22(s1)            # misaligned: two bytes inside the entry, two outside
  li t6, 5
  bne s2, t6, 1f
  addi t6, s1, 22
  bne s4, t6, 1f
  ecall
1:li s0, 99                # reported by the M-mode check of s0
  ecall

user_dev:                  # U: RAM works; the device outside the entry does not
  lw t1, 0(s1)
  li t0, DEV
  lw t1, 0(t0)
  li t6, 5
  bne s2, t6, 1f
  bne s4, t0, 1f
  sw t1, 0(t0)
  li t6, 7
  bne s2, t6, 1f
  ecall
1:li s0, 99
  ecall

super_walk:                # S under Sv32: a load of VA 0x40000000 whose walk the PMP stops
  li t0, 0x40000000
  lw t1, 0(t0)
  li t6, 5
  bne s2, t6, 1f
  bne s4, t0, 1f
  ecall
1:li s0, 99
  ecall

  .data
  .align 4
data: .word 0, 0, 0, 0x77, 0, 0, 0x77, 0, 0, 0, 0, 0
  .align 12
root: .space 4096
leaf: .space 4096
