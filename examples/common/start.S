/* Startup code shared by the C examples: stack, .bss, trap vector, main, power off with main's result. */
#define TEST_DEVICE 0x00100000

    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack_top
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sw      zero, 0(t0)
    addi    t0, t0, 4
    j       1b
2:  la      t0, trap_entry
    csrw    mtvec, t0
    call    main
    /* fall through: power off with exit code a0 */
    .globl  lockstep_exit
lockstep_exit:
    li      t0, TEST_DEVICE
    li      t1, 0x5555
    beqz    a0, 3f
    slli    t1, a0, 16
    li      t2, 0x3333
    or      t1, t1, t2
3:  sw      t1, 0(t0)
4:  wfi
    j       4b

/* Trap vector (direct mode): save the caller-saved registers, call
   uint32_t trap_handler(uint32_t mcause, uint32_t mepc, uint32_t mtval)
   and resume at the pc it returns. */
    .text
    .balign 4
    .globl  trap_entry
trap_entry:
    addi    sp, sp, -64
    sw      ra, 0(sp)
    sw      t0, 4(sp)
    sw      t1, 8(sp)
    sw      t2, 12(sp)
    sw      a0, 16(sp)
    sw      a1, 20(sp)
    sw      a2, 24(sp)
    sw      a3, 28(sp)
    sw      a4, 32(sp)
    sw      a5, 36(sp)
    sw      a6, 40(sp)
    sw      a7, 44(sp)
    sw      t3, 48(sp)
    sw      t4, 52(sp)
    sw      t5, 56(sp)
    sw      t6, 60(sp)
    csrr    a0, mcause
    csrr    a1, mepc
    csrr    a2, mtval
    call    trap_handler
    csrw    mepc, a0
    lw      ra, 0(sp)
    lw      t0, 4(sp)
    lw      t1, 8(sp)
    lw      t2, 12(sp)
    lw      a0, 16(sp)
    lw      a1, 20(sp)
    lw      a2, 24(sp)
    lw      a3, 28(sp)
    lw      a4, 32(sp)
    lw      a5, 36(sp)
    lw      a6, 40(sp)
    lw      a7, 44(sp)
    lw      t3, 48(sp)
    lw      t4, 52(sp)
    lw      t5, 56(sp)
    lw      t6, 60(sp)
    addi    sp, sp, 64
    mret

/* Default handler for programs that expect no traps: power off with exit code 0x80 + (mcause & 0x3f). */
    .weak   trap_handler
trap_handler:
    andi    a0, a0, 0x3f
    addi    a0, a0, 0x80
    j       lockstep_exit

/* HTIF mailbox, so hosts that look for `tohost` find it. */
    .section .tohost, "aw", @progbits
    .balign 64
    .globl  tohost
tohost:   .word 0, 0
    .balign 64
    .globl  fromhost
fromhost: .word 0, 0
