/*
 * Lockstep's SBI firmware: the machine-mode program that boots an RV32 Linux kernel in supervisor mode and
 * then serves its SBI calls (base, legacy console/timer/shutdown, TIME, IPI, RFENCE, HSM, SRST, DBCN).
 * One hart. It runs unchanged on Lockstep and on QEMU's virt board (-bios none), the reference.
 *
 * Layout (linked at 0x80000000, see link.ld): this code and its stack, then the device tree buffer
 * (__lockstep_fdt: Lockstep writes its machine's tree there at load; the build puts one for QEMU's board
 * there too), then the kernel image at KERNEL_BASE (0x80400000, 4 MiB aligned as RV32 Linux needs).
 * The page below the kernel is /init's NIC DMA page (__lockstep_dma, ../init/nic-dma.h): the firmware does not
 * touch it, it only names it so that Lockstep reserves it from the kernel in the device tree.
 */
#include "../init/nic-dma.h"

#define KERNEL_BASE      0x80400000
#define UART_BASE        0x10000000
#define UART_LSR         5
#define UART_LSR_DR      0x01
#define UART_LSR_THRE    0x20
#define CLINT_MTIMECMP   0x02004000
#define TEST_DEVICE      0x00100000
#define FINISHER_PASS    0x5555
#define FINISHER_FAIL    0x3333
#define FINISHER_RESET   0x7777

#define MIP_SSIP         (1 << 1)
#define MIP_STIP         (1 << 5)
#define MIP_MTIP         (1 << 7)
#define MSTATUS_MPP      (3 << 11)
#define MSTATUS_MPP_S    (1 << 11)

#define SBI_ERR_NOT_SUPPORTED  -2
#define SBI_ERR_INVALID_PARAM  -3
#define SBI_ERR_ALREADY_AVAILABLE -6

#define EXT_BASE   0x10
#define EXT_TIME   0x54494D45
#define EXT_IPI    0x735049
#define EXT_RFENCE 0x52464E43
#define EXT_HSM    0x48534D
#define EXT_SRST   0x53525354
#define EXT_DBCN   0x4442434E

/* The trap frame: ra, t0-t6, a0-a7 (the registers this firmware touches), one word each. */
#define FRAME_WORDS 16
#define F_RA 0
#define F_T0 4
#define F_T1 8
#define F_T2 12
#define F_T3 16
#define F_T4 20
#define F_T5 24
#define F_T6 28
#define F_A0 32
#define F_A1 36
#define F_A2 40
#define F_A3 44
#define F_A4 48
#define F_A5 52
#define F_A6 56
#define F_A7 60

  .section .text.start, "ax"
  .globl _start
_start:
  /* a1: the board's device tree; prefer the one in our buffer when it holds one (magic d00dfeed, big-endian). */
  la t0, __lockstep_fdt
  lw t1, 0(t0)
  li t2, 0xedfe0dd0
  bne t1, t2, 1f
  mv a1, t0
1:
  mv s1, a1
  la t0, fw_stack_top
  csrw mscratch, t0
  la t0, trap
  csrw mtvec, t0
  /* PMP: supervisor and user may use all of memory (without an entry they may touch nothing, on QEMU and on Lockstep). */
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  /* Supervisor interrupts to S; every exception but the ecalls S and M make. */
  li t0, 0x222
  csrw mideleg, t0
  li t0, 0xb1ff
  csrw medeleg, t0
  li t0, 7
  csrw mcounteren, t0
  csrw mie, zero
  csrw satp, zero
  li t0, MSTATUS_MPP
  csrc mstatus, t0
  li t0, MSTATUS_MPP_S
  csrs mstatus, t0
  li t0, KERNEL_BASE
  csrw mepc, t0
  li a0, 0
  mv a1, s1
  mret

/* ---------------------------------------------------------------------------------------------------- */
  .balign 4
trap:
  csrrw sp, mscratch, sp
  addi sp, sp, -(FRAME_WORDS * 4)
  sw ra, F_RA(sp)
  sw t0, F_T0(sp)
  sw t1, F_T1(sp)
  sw t2, F_T2(sp)
  sw t3, F_T3(sp)
  sw t4, F_T4(sp)
  sw t5, F_T5(sp)
  sw t6, F_T6(sp)
  sw a0, F_A0(sp)
  sw a1, F_A1(sp)
  sw a2, F_A2(sp)
  sw a3, F_A3(sp)
  sw a4, F_A4(sp)
  sw a5, F_A5(sp)
  sw a6, F_A6(sp)
  sw a7, F_A7(sp)
  csrr t0, mcause
  bltz t0, interrupt
  li t1, 9
  bne t0, t1, unexpected
  csrr t0, mepc
  addi t0, t0, 4
  csrw mepc, t0
  call sbi_call
  sw a0, F_A0(sp)
  sw a1, F_A1(sp)
trap_return:
  lw ra, F_RA(sp)
  lw t0, F_T0(sp)
  lw t1, F_T1(sp)
  lw t2, F_T2(sp)
  lw t3, F_T3(sp)
  lw t4, F_T4(sp)
  lw t5, F_T5(sp)
  lw t6, F_T6(sp)
  lw a0, F_A0(sp)
  lw a1, F_A1(sp)
  lw a2, F_A2(sp)
  lw a3, F_A3(sp)
  lw a4, F_A4(sp)
  lw a5, F_A5(sp)
  lw a6, F_A6(sp)
  lw a7, F_A7(sp)
  addi sp, sp, (FRAME_WORDS * 4)
  csrrw sp, mscratch, sp
  mret

/* The machine timer fired: hand it to the kernel as its timer interrupt until it sets the next one. */
interrupt:
  slli t0, t0, 1
  srli t0, t0, 1
  li t1, 7
  bne t0, t1, unexpected
  li t1, MIP_MTIP
  csrc mie, t1
  li t1, MIP_STIP
  csrs mip, t1
  j trap_return

/* A trap the firmware does not serve: say so on the UART and power off with the failure code. */
unexpected:
  la a0, msg_unexpected
  call puts
  csrr a0, mcause
  call puthex
  la a0, msg_mepc
  call puts
  csrr a0, mepc
  call puthex
  la a0, msg_mtval
  call puts
  csrr a0, mtval
  call puthex
  li a0, '\n'
  call putchar
  li t0, TEST_DEVICE
  li t1, FINISHER_FAIL
  sw t1, 0(t0)
1:
  wfi
  j 1b

/* ---------------------------------------------------------------------------------------------------- */
/* An SBI call: a7 the extension, a6 the function, a0-a5 the arguments; returns a0 (error), a1 (value). */
sbi_call:
  addi sp, sp, -16
  sw ra, 12(sp)
  li t0, 0x0F
  bleu a7, t0, legacy
  li t0, EXT_BASE
  beq a7, t0, ext_base
  li t0, EXT_TIME
  beq a7, t0, ext_time
  li t0, EXT_IPI
  beq a7, t0, ext_ipi
  li t0, EXT_RFENCE
  beq a7, t0, ext_rfence
  li t0, EXT_HSM
  beq a7, t0, ext_hsm
  li t0, EXT_SRST
  beq a7, t0, ext_srst
  li t0, EXT_DBCN
  beq a7, t0, ext_dbcn
not_supported:
  li a0, SBI_ERR_NOT_SUPPORTED
  li a1, 0
call_done:
  lw ra, 12(sp)
  addi sp, sp, 16
  ret
ok_zero:
  li a1, 0
ok:
  li a0, 0
  j call_done

/* Legacy extensions (SBI v0.1): 0 set_timer, 1 console_putchar, 2 console_getchar, 3 clear_ipi, 4 send_ipi,
 * 5-7 remote fences, 8 shutdown. They return their value in a0. */
legacy:
  beqz a7, legacy_set_timer
  li t0, 1
  beq a7, t0, legacy_putchar
  li t0, 2
  beq a7, t0, legacy_getchar
  li t0, 3
  beq a7, t0, legacy_clear_ipi
  li t0, 8
  beq a7, t0, shutdown_pass
  li t0, 4
  bltu a7, t0, not_supported
  li t0, 7
  bgtu a7, t0, not_supported
  sfence.vma
  fence.i
  li a0, 0
  j call_done
legacy_set_timer:
  call set_timer
  li a0, 0
  j call_done
legacy_putchar:
  call putchar
  li a0, 0
  j call_done
legacy_getchar:
  call getchar
  j call_done
legacy_clear_ipi:
  li t0, MIP_SSIP
  csrc mip, t0
  li a0, 0
  j call_done

/* Base: 0 spec version (1.0), 1 implementation id, 2 its version, 3 probe, 4-6 the machine's ids (zero). */
ext_base:
  li t0, 3
  beq a6, t0, base_probe
  li t0, 0
  beq a6, t0, base_version
  li t0, 6
  bgtu a6, t0, not_supported
  li t0, 2
  beq a6, t0, base_impl_version
  li t0, 1
  beq a6, t0, base_impl_id
  j ok_zero
base_version:
  li a1, 0x01000000
  j ok
base_impl_id:
  li a1, 0x4C53     /* "LS" */
  j ok
base_impl_version:
  li a1, 1
  j ok
base_probe:
  li a1, 1
  li t0, EXT_TIME
  beq a0, t0, ok
  li t0, EXT_IPI
  beq a0, t0, ok
  li t0, EXT_RFENCE
  beq a0, t0, ok
  li t0, EXT_HSM
  beq a0, t0, ok
  li t0, EXT_SRST
  beq a0, t0, ok
  li t0, EXT_DBCN
  beq a0, t0, ok
  li t0, 0x08
  bleu a0, t0, ok
  j ok_zero

ext_time:
  bnez a6, not_supported
  call set_timer
  j ok_zero

/* IPI: send_ipi(hart_mask, hart_mask_base): the one hart (0) gets a supervisor software interrupt. */
ext_ipi:
  bnez a6, not_supported
  li t0, -1
  beq a1, t0, 1f
  bnez a1, ok_zero
  andi t0, a0, 1
  beqz t0, ok_zero
1:
  li t0, MIP_SSIP
  csrs mip, t0
  j ok_zero

/* RFENCE: with one hart, every remote fence is a local one. */
ext_rfence:
  li t0, 6
  bgtu a6, t0, not_supported
  sfence.vma
  fence.i
  j ok_zero

/* HSM: hart 0 is started; starting it again is "already available"; no other hart exists. */
ext_hsm:
  li t0, 2
  beq a6, t0, hsm_status
  bnez a6, not_supported
  bnez a0, hsm_invalid
  li a0, SBI_ERR_ALREADY_AVAILABLE
  li a1, 0
  j call_done
hsm_status:
  bnez a0, hsm_invalid
  j ok_zero
hsm_invalid:
  li a0, SBI_ERR_INVALID_PARAM
  li a1, 0
  j call_done

/* SRST: system_reset(type, reason): shutdown (0) powers off, passing unless the reason is a failure (1); reboots reset. */
ext_srst:
  bnez a6, not_supported
  beqz a0, srst_shutdown
  li t0, 2
  bgtu a0, t0, hsm_invalid
  li t1, FINISHER_RESET
  j finish
srst_shutdown:
  li t0, 1
  bne a1, t0, shutdown_pass
  li t1, FINISHER_FAIL
  j finish
shutdown_pass:
  li t1, FINISHER_PASS
finish:
  li t0, TEST_DEVICE
  sw t1, 0(t0)
1:
  wfi
  j 1b

/* DBCN (debug console): 0 write(len, base_lo, base_hi), 1 read (nothing to read), 2 write_byte. */
ext_dbcn:
  li t0, 2
  beq a6, t0, dbcn_byte
  li t0, 1
  beq a6, t0, ok_zero
  bnez a6, not_supported
  bnez a2, hsm_invalid
  mv t3, a0
  mv t4, a1
  li t5, 0
1:
  beq t5, t3, 2f
  add t0, t4, t5
  lbu a0, 0(t0)
  call putchar
  addi t5, t5, 1
  j 1b
2:
  mv a1, t3
  j ok
dbcn_byte:
  call putchar
  j ok_zero

/* ---------------------------------------------------------------------------------------------------- */
/* set_timer(a0 = low word, a1 = high word): program mtimecmp, take back the kernel's timer interrupt, wait for the next. */
set_timer:
  li t0, CLINT_MTIMECMP
  li t1, -1
  sw t1, 4(t0)
  sw a0, 0(t0)
  sw a1, 4(t0)
  li t0, MIP_STIP
  csrc mip, t0
  li t0, MIP_MTIP
  csrs mie, t0
  ret

/* putchar(a0): waits for the UART's transmitter, then sends the byte. */
putchar:
  li t0, UART_BASE
1:
  lbu t1, UART_LSR(t0)
  andi t1, t1, UART_LSR_THRE
  beqz t1, 1b
  sb a0, 0(t0)
  ret

/* getchar(): a0 = the next received byte, or -1 when none is waiting. */
getchar:
  li t0, UART_BASE
  lbu t1, UART_LSR(t0)
  andi t1, t1, UART_LSR_DR
  li a0, -1
  beqz t1, 1f
  lbu a0, 0(t0)
1:
  ret

/* puts(a0): a NUL-terminated string. */
puts:
  addi sp, sp, -16
  sw ra, 12(sp)
  sw s0, 8(sp)
  mv s0, a0
1:
  lbu a0, 0(s0)
  beqz a0, 2f
  call putchar
  addi s0, s0, 1
  j 1b
2:
  lw s0, 8(sp)
  lw ra, 12(sp)
  addi sp, sp, 16
  ret

/* puthex(a0): eight hex digits. */
puthex:
  addi sp, sp, -16
  sw ra, 12(sp)
  sw s0, 8(sp)
  sw s1, 4(sp)
  mv s0, a0
  li s1, 28
1:
  srl a0, s0, s1
  andi a0, a0, 15
  li t0, 10
  bltu a0, t0, 2f
  addi a0, a0, 'a' - 10 - '0'
2:
  addi a0, a0, '0'
  call putchar
  addi s1, s1, -4
  bgez s1, 1b
  lw s1, 4(sp)
  lw s0, 8(sp)
  lw ra, 12(sp)
  addi sp, sp, 16
  ret

  .section .rodata
msg_unexpected: .asciz "\nsbi: unexpected trap, mcause "
msg_mepc: .asciz " mepc "
msg_mtval: .asciz " mtval "

  .section .data
  .globl __lockstep_bootargs
  .type __lockstep_bootargs, @object
__lockstep_bootargs:
  .asciz BOOTARGS
  .size __lockstep_bootargs, . - __lockstep_bootargs

  .balign 8
  .globl __lockstep_fdt
  .type __lockstep_fdt, @object
__lockstep_fdt:
  .incbin DTB_FILE
  .balign 8
  .space FDT_BUFFER_BYTES - (. - __lockstep_fdt)
  .size __lockstep_fdt, FDT_BUFFER_BYTES

  /* The DMA page /init drives the NIC with: an object symbol, so Lockstep's loader reserves it in the tree. */
  .globl __lockstep_dma
  .type __lockstep_dma, @object
  .set __lockstep_dma, NIC_DMA_BASE
  .size __lockstep_dma, NIC_DMA_BYTES

  .section .bss
  .balign 16
fw_stack:
  .space 4096
fw_stack_top:

  .section .kernel, "ax"
  .globl __lockstep_kernel
__lockstep_kernel:
  .incbin KERNEL_IMAGE

  /* The initramfs (an uncompressed cpio) the kernel unpacks as its first root, when the build gives one: the machine
   * names it to the kernel in the device tree (linux,initrd-start/end). Empty for a guest whose root is on its disk. */
  .section .initrd, "a"
  .globl __lockstep_initrd
  .type __lockstep_initrd, @object
__lockstep_initrd:
#ifdef INITRD_FILE
  .incbin INITRD_FILE
#endif
  .size __lockstep_initrd, . - __lockstep_initrd

  /* The disk's initial contents, when the build gives them: a section that is not loaded (no "a" flag), which Lockstep
   * reads as the VM's disk image (as a VM template carries its disk). QEMU takes the same image with -drive. */
#ifdef DISK_FILE
  .section .lockstep.disk, "", @progbits
  .incbin DISK_FILE
#endif
