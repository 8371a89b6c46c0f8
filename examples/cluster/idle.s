# idle.s — an idle guest: sleeps in wfi, woken by a CLINT timer tick every 10 ms, counts its ticks.
#
# The ordinary (non-FT) VMs of examples/cluster run it: they hold host memory and a place in the
# cluster, and cost next to nothing to simulate.
#
#   lockstep asm examples/cluster/idle.s -o idle.elf
#   qemu-system-riscv32 -M virt -bios none -nographic -kernel idle.elf

    .equ    MTIMECMP_LO, 0x02004000     # CLINT (10 MHz timebase)
    .equ    MTIMECMP_HI, 0x02004004
    .equ    MTIME_LO,    0x0200bff8
    .equ    MTIME_HI,    0x0200bffc
    .equ    PERIOD,      100000         # 10 ms in ticks
    .equ    MIE_MTIE,    0x80
    .equ    MSTATUS_MIE, 0x8

    .text
    .globl  _start
_start:
    la      t0, on_trap
    csrw    mtvec, t0
    call    arm
    li      t0, MIE_MTIE
    csrw    mie, t0
    csrsi   mstatus, MSTATUS_MIE
sleep:
    wfi
    j       sleep

# on_trap: a timer tick re-arms the timer and counts; any other trap powers off with a failure code.
    .align  2
on_trap:
    csrr    t0, mcause
    bgez    t0, fail                    # an exception: a bug
    la      t1, ticks
    lw      t2, 0(t1)
    addi    t2, t2, 1
    sw      t2, 0(t1)
    call    arm
    mret

# arm: mtimecmp = mtime + PERIOD (high word first parked at all ones: no early interrupt in between).
arm:
    li      t0, MTIME_LO
    lw      t1, 0(t0)                   # low word
    li      t0, MTIME_HI
    lw      t2, 0(t0)                   # high word (a carry between the reads only delays a tick)
    li      t3, PERIOD
    add     t4, t1, t3
    sltu    t5, t4, t1
    add     t2, t2, t5
    li      t0, MTIMECMP_HI
    li      t6, -1
    sw      t6, 0(t0)
    li      t0, MTIMECMP_LO
    sw      t4, 0(t0)
    li      t0, MTIMECMP_HI
    sw      t2, 0(t0)
    ret

fail:
    li      t0, 0x100000                # SiFive test device: (code << 16) | 0x3333 = fail
    li      t1, 0x13333
    sw      t1, 0(t0)
1:  j       1b

    .data
    .align  2
ticks:
    .word   0
