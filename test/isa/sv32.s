# Sv32 paging: 4 KiB and 4 MiB pages, every page-fault kind (cause 12/13/15, tval = the virtual address), the reserved
# W-without-R encoding, a misaligned superpage, a pointer at the last level, a page table outside RAM (access fault),
# SUM and MXR, A/D set by the walker, the TLB until sfence.vma, U-mode code under paging (including an instruction
# that straddles into a non-executable page), MPRV for M-mode loads, a page fault delegated to S-mode, code written under paging,
# and misaligned accesses that cross a page boundary.
# Physical layout (RAM 0x80000000-0x803fffff): code, the root table at 0x80100000, a leaf table at 0x80101000,
# data pages from 0x80200000. Virtual layout: 0x80000000-0x803fffff identity (a supervisor superpage), test pages
# from 0x40000000. Handlers as in priv.s: M counts in s0 and records mcause/mepc/mtval in s2/s3/s4, an instruction
# page or access fault returns to ra; S records scause/sepc/stval in a4/a5/a6.
  .option norvc
  .equ ROOT, 0x80100000
  .equ LEAF, 0x80101000
  .equ SATP, 0x80080100    # Sv32, root PPN 0x80100
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
  # --- page tables (M-mode, physical) ---
  li t0, ROOT
  li t1, 0x200000cf        # [0x200] VA 0x80000000: identity superpage, RWX A D, supervisor
  li t2, ROOT + 0x800
  sw t1, 0(t2)
  li t1, 0x000000c7        # [0] VA 0: identity superpage RW (the test device, so a failing check can report)
  sw t1, 0(t0)
  li t1, 0x20040401        # [0x100] VA 0x40000000: pointer to LEAF
  sw t1, 0x400(t0)
  li t1, 0x200004c7        # [0x101] VA 0x40400000: superpage with PPN[0] = 1 (misaligned)
  sw t1, 0x404(t0)
  li t1, 0x200000c3        # [0x102] VA 0x40800000: read-only superpage onto 0x80000000
  sw t1, 0x408(t0)
  li t1, 0x00000001        # [0x103] VA 0x40c00000: pointer to a table at physical 0 (not RAM)
  sw t1, 0x40c(t0)
  li t0, LEAF
  li t1, 0x20080007        # [0] VA 0x40000000 -> 0x80200000 RW, A = D = 0
  sw t1, 0(t0)
  li t1, 0x20080443        # [1] VA 0x40001000 -> 0x80201000 R
  sw t1, 4(t0)
  li t1, 0x20080849        # [2] VA 0x40002000 -> 0x80202000 X
  sw t1, 8(t0)
  li t1, 0x20080cd7        # [3] VA 0x40003000 -> 0x80203000 U RW
  sw t1, 12(t0)
  li t1, 0x20081405        # [5] VA 0x40005000: W without R (reserved)
  sw t1, 20(t0)
  la t2, ucode             # [6] VA 0x40006000 -> ucode U RX, A = 0
  srli t1, t2, 2
  ori t1, t1, 0x1b
  sw t1, 24(t0)
  li t1, 0x13              # the low half of a 32-bit addi at the page's last halfword
  li t3, 0xffe
  add t3, t2, t3
  sh t1, 0(t3)
  li t1, 0x20081cd7        # [7] VA 0x40007000 -> 0x80207000 U RW
  sw t1, 28(t0)
  li t1, 0x20082001        # [8] VA 0x40008000: a pointer at the last level
  sw t1, 32(t0)
  li t1, 0x200810c7        # [0x20] VA 0x40020000 -> 0x80204000 RW
  sw t1, 0x80(t0)
  li t1, 0x200824cf        # [9] VA 0x40009000 -> 0x80209000 RWX
  sw t1, 36(t0)
  li t0, 0x80204000
  li t1, 0x1111
  sw t1, 0(t0)
  li t0, 0x80205000
  li t1, 0x2222
  sw t1, 0(t0)
  li a0, 1
  la a1, 1f
  j to_mode
1:li t0, SATP              # S-mode: paging on
  csrw satp, t0
  sfence.vma

  li gp, 1                 # a load sets A, a store sets D
  li s0, 0
  li t0, 0x40000000
  lw t1, 0(t0)
  bnez s0, fail
  li t2, LEAF
  lw t3, 0(t2)
  li t6, 0x20080047
  bne t3, t6, fail
  li t1, 0x1234
  sw t1, 0(t0)
  lw t3, 0(t2)
  li t6, 0x200800c7
  bne t3, t6, fail
  li t2, 0x80200000
  lw t3, 0(t2)
  bne t3, t1, fail
  li gp, 2                 # a read-only page: store page fault
  li t0, 0x40001000
  lw t1, 0(t0)
  bnez s0, fail
  sw t1, 0(t0)
  li t6, 15
  bne s2, t6, fail
  bne s4, t0, fail
  li gp, 3                 # an execute-only page: load page fault unless MXR
  li s0, 0
  li t0, 0x40002000
  lw t1, 0(t0)
  li t6, 13
  bne s2, t6, fail
  bne s4, t0, fail
  li t1, 1 << 19
  csrs sstatus, t1
  lw t1, 0(t0)
  li t1, 1 << 19
  csrc sstatus, t1
  li t6, 1
  bne s0, t6, fail
  li gp, 4                 # a user page from S: faults unless SUM; never executable from S
  li s0, 0
  li t0, 0x40003000
  lw t1, 0(t0)
  sw t1, 0(t0)
  li t6, 2
  bne s0, t6, fail
  li t1, 1 << 18
  csrs sstatus, t1
  lw t1, 0(t0)
  sw t1, 0(t0)
  li t6, 2
  bne s0, t6, fail
  li t0, 0x40006000
  jalr ra, t0
  li t6, 12
  bne s2, t6, fail
  bne s4, t0, fail
  li t1, 1 << 18
  csrc sstatus, t1
  li gp, 5                 # an invalid PTE: load, store and fetch page faults
  li s0, 0
  li t0, 0x40004000
  lw t1, 0(t0)
  li t6, 13
  bne s2, t6, fail
  sw t1, 0(t0)
  li t6, 15
  bne s2, t6, fail
  jalr ra, t0
  li t6, 12
  bne s2, t6, fail
  bne s4, t0, fail
  li t6, 3
  bne s0, t6, fail
  li gp, 6                 # W without R is reserved: page fault
  li t0, 0x40005000
  lw t1, 0(t0)
  li t6, 13
  bne s2, t6, fail
  bne s4, t0, fail
  li gp, 7                 # a misaligned superpage: page fault
  li t0, 0x40400010
  lw t1, 0(t0)
  li t6, 13
  bne s2, t6, fail
  bne s4, t0, fail
  li gp, 8                 # a 4 MiB page maps its offset; read-only
  li s0, 0
  la t0, magic
  li t1, 0x80000000
  sub t0, t0, t1
  li t1, 0x40800000
  add t0, t0, t1
  lw t1, 0(t0)
  li t6, 0x5a5a1234
  bne t1, t6, fail
  bnez s0, fail
  sw t1, 0(t0)
  li t6, 15
  bne s2, t6, fail
  bne s4, t0, fail
  li gp, 9                 # a pointer at the last level: page fault
  li t0, 0x40008000
  lw t1, 0(t0)
  li t6, 13
  bne s2, t6, fail
  li gp, 10                # a page table outside RAM: access faults, tval the virtual address
  li t0, 0x40c00004
  lw t1, 0(t0)
  li t6, 5
  bne s2, t6, fail
  bne s4, t0, fail
  sw t1, 0(t0)
  li t6, 7
  bne s2, t6, fail
  li gp, 11                # the TLB keeps a changed PTE's old translation until sfence.vma
  li t0, 0x40020000
  lw t1, 0(t0)
  li t6, 0x1111
  bne t1, t6, fail
  li t2, LEAF
  li t3, 0x200814c7        # now -> 0x80205000
  sw t3, 0x80(t2)
  lw t1, 0(t0)
  li t6, 0x1111
  bne t1, t6, fail
  sfence.vma
  lw t1, 0(t0)
  li t6, 0x2222
  bne t1, t6, fail

  li gp, 12                # U-mode code under paging
  li s0, 0
  la s7, 2f
  li t0, 1 << 8
  csrc sstatus, t0
  li t0, 0x40006000
  csrw sepc, t0
  sret
2:li t6, 0x77              # back in M (ecall from U)
  bne t2, t6, fail
  li t6, 13                # the U load of a supervisor page
  bne a2, t6, fail
  li t6, 0x40000000
  bne a3, t6, fail
  li t6, 12                # the U jump into supervisor code
  bne a4, t6, fail
  li t6, 0x80000000
  bne a5, t6, fail
  li t6, 12                # the straddling instruction: tval is its second half's page
  bne a6, t6, fail
  li t6, 0x40007000
  bne a7, t6, fail
  li t6, 0x40006ffe
  bne s9, t6, fail
  li t0, LEAF              # the fetches set A on the code page's PTE, not D
  lw t1, 24(t0)
  andi t1, t1, 0xc0
  li t6, 0x40
  bne t1, t6, fail

  li gp, 13                # MPRV: M-mode loads and stores translated with MPP's privilege
  li t0, 0x1800
  csrc mstatus, t0
  li t0, 0x0800 | (1 << 17)
  csrs mstatus, t0         # MPP = S, MPRV
  li s0, 0
  li t0, 0x40000000
  lw t1, 0(t0)
  li t6, 0x1234
  bne t1, t6, fail
  li t0, 0x0800
  csrc mstatus, t0         # MPP = U
  li t0, 0x40007000
  lw t1, 0(t0)
  li t6, 0x77
  bne t1, t6, fail
  bnez s0, fail
  li t0, 0x40000000
  lw t1, 0(t0)             # a supervisor page for U: the handler runs untranslated
  li t6, 13
  bne s2, t6, fail
  li t0, 1 << 17
  csrc mstatus, t0
  li t0, 0x40000000        # untranslated again: not RAM
  lw t1, 0(t0)
  li t6, 5
  bne s2, t6, fail

  li gp, 14                # a delegated page fault goes to S with stval
  li t0, 1 << 13
  csrw medeleg, t0
  li s0, 0
  li a0, 1
  la a1, 3f
  j to_mode
3:li t0, 0x40004000
  lw t1, 0(t0)
  li t6, 13
  bne a4, t6, fail
  bne a6, t0, fail
  bnez s0, fail
  la s7, 4f
  li s8, 1
  ecall
4:csrw medeleg, zero

  li gp, 15                # code written under paging runs after fence.i, through any alias, translated or not
  li a0, 1
  la a1, 5f
  j to_mode
5:li t0, 0x40009000
  li t1, 0x00500513        # li a0, 5
  sw t1, 0(t0)
  li t1, 0x00008067        # ret
  sw t1, 4(t0)
  fence.i
  jalr ra, t0
  li t6, 5
  bne a0, t6, fail
  li t2, 0x80209000        # the same page through the identity superpage
  li t1, 0x00700513        # li a0, 7
  sw t1, 0(t2)
  fence.i
  jalr ra, t0
  li t6, 7
  bne a0, t6, fail
  la s7, 6f
  li s8, 1
  ecall
6:li a0, 0                 # in M-mode the virtual address is no code (not RAM): nothing decoded there stayed behind
  li t0, 0x40009000
  la ra, 7f
  jalr zero, t0
7:li t6, 1
  bne s2, t6, fail
  bnez a0, fail
  li t0, 0x80209000        # and the physical page runs
  jalr ra, t0
  li t6, 7
  bne a0, t6, fail

  li gp, 16                # misaligned accesses across a page boundary: each part translated and checked
  li t0, 0x80200ffc
  li t1, 0xbbaa0000
  sw t1, 0(t0)
  li t0, 0x80201000
  li t1, 0x0000ddcc
  sw t1, 0(t0)
  li s0, 0
  li a0, 1
  la a1, 10f
  j to_mode
10:li t0, 0x40000ffe       # RW page then R page: the load reads both
  lw t1, 0(t0)
  li t6, 0xddccbbaa
  bne t1, t6, fail
  bnez s0, fail
  li t1, 0x11223344        # the store faults on its second part and writes nothing
  sw t1, 0(t0)
  li t6, 15
  bne s2, t6, fail
  li t6, 0x40001000
  bne s4, t6, fail
  lw t1, 0(t0)
  li t6, 0xddccbbaa
  bne t1, t6, fail
  li t0, 0x40001ffe        # R page then X page: load page fault at the second page
  lhu t1, 1(t0)
  li t6, 13
  bne s2, t6, fail
  li t6, 0x40002000
  bne s4, t6, fail
  li t0, 0x40003ffe        # a user page first (no SUM): the fault is the first part's, tval the address
  lw t1, 0(t0)
  li t6, 13
  bne s2, t6, fail
  bne s4, t0, fail
  li t6, 3
  bne s0, t6, fail
  la s7, 11f
  li s8, 1
  ecall
11:csrw satp, zero

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
  csrr s3, mepc
  csrr s4, mtval
  addi s0, s0, 1
  bnez s8, m_escape
  li t5, 12
  beq s2, t5, m_fetch
  li t5, 1
  beq s2, t5, m_fetch
  addi t5, s3, 4
  csrw mepc, t5
  mret
m_fetch:                   # an instruction page or access fault returns to ra
  csrw mepc, ra
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
  bnez s8, s_escape
  addi t5, a5, 4
  csrw sepc, t5
  sret
s_escape:                  # an ecall from S reaches the M handler, which escapes
  ecall

magic: .word 0x5a5a1234

  .align 12
ucode:                     # U-mode code at VA 0x40006000 (position independent: no la)
  li t0, 0x40007000
  li t1, 0x77
  sw t1, 0(t0)
  lw t2, 0(t0)
  li t0, 0x40000000
  lw t3, 0(t0)             # a supervisor page: load page fault
  mv a2, s2
  mv a3, s4
  li t0, 0x80000000
  jalr ra, t0              # supervisor code: instruction page fault
  mv a4, s2
  mv a5, s4
  li t0, 0x40006ffe
  jalr ra, t0              # a 32-bit instruction whose second half is not executable
  mv a6, s2
  mv a7, s4
  mv s9, s3
  li s8, 1
  ecall
