/* A minimal M-mode SBI for booting Lockstep's rv32 Linux guest on QEMU's virt board (-bios none), which has no rv32
 * firmware in Debian: the reference QEMU run for scripts/linux (run.sh). It sets up delegation, counters and PMP,
 * then enters the kernel at 0x80400000 in S-mode with a0 = hart id and a1 = QEMU's device tree. It answers:
 * legacy set_timer (0x00), console_putchar (0x01), console_getchar (0x02) and shutdown (0x08); BASE (0x10); TIME
 * set_timer; SRST system_reset; everything else is SBI_ERR_NOT_SUPPORTED. The M timer interrupt becomes the S one
 * (mip.STIP). Any other trap into M prints a line and ends QEMU with a failure code. */

#define UART      0x10000000 /* ns16550a: THR/RBR at +0, LSR at +5 */
#define TEST_DEV  0x100000   /* sifive_test: 0x5555 = power off, 0x7777 = reset, 0x3333 | code << 16 = fail */
#define MTIMECMP  0x2004000  /* CLINT mtimecmp of hart 0 (lo, hi) */
#define KERNEL    0x80400000

#define EXT_BASE  0x10
#define EXT_TIME  0x54494D45
#define EXT_SRST  0x53525354
#define ERR_NOT_SUPPORTED -2

	.section .text.start, "ax"
	.globl _start
_start:
	csrr t0, mhartid
	bnez t0, park
	la t0, stack_top
	csrw mscratch, t0
	la t0, trap
	csrw mtvec, t0
	li t0, 0x222              /* SSIP, STIP, SEIP to S */
	csrw mideleg, t0
	li t0, 0xb1ff             /* exceptions 0-8, 12, 13, 15 to S (not ecall from S or M) */
	csrw medeleg, t0
	li t0, 7                  /* cycle, time, instret readable in S */
	csrw mcounteren, t0
	li t0, -1                 /* PMP: all of memory, RWX, for S and U */
	csrw pmpaddr0, t0
	li t0, 0x1f
	csrw pmpcfg0, t0
	csrw mie, zero
	csrw satp, zero
	li t0, 0x1888             /* mstatus: MPP = S, MPIE = MIE = 0 */
	csrc mstatus, t0
	li t0, 0x0800
	csrs mstatus, t0
	li t0, KERNEL
	csrw mepc, t0
	li a0, 0                  /* a1 is QEMU's device tree, as its reset code passed it */
	mret
park:
	wfi
	j park

	.align 2
trap:
	csrrw sp, mscratch, sp
	addi sp, sp, -16
	sw t0, 0(sp)
	sw t1, 4(sp)
	sw t2, 8(sp)
	sw ra, 12(sp)
	csrr t0, mcause
	bltz t0, interrupt
	li t1, 9                  /* ecall from S */
	bne t0, t1, fatal
	csrr t1, mepc
	addi t1, t1, 4
	csrw mepc, t1
	beqz a7, legacy_set_timer
	li t1, 0x01
	beq a7, t1, legacy_putchar
	li t1, 0x02
	beq a7, t1, legacy_getchar
	li t1, 0x08
	beq a7, t1, poweroff
	li t1, EXT_BASE
	beq a7, t1, base
	li t1, EXT_TIME
	beq a7, t1, time_ext
	li t1, EXT_SRST
	beq a7, t1, srst
not_supported:
	li a0, ERR_NOT_SUPPORTED
	j done

legacy_putchar:               /* a0 = the character */
	li t0, UART
1:	lbu t1, 5(t0)
	andi t1, t1, 0x20         /* LSR.THRE */
	beqz t1, 1b
	sb a0, 0(t0)
	li a0, 0
	j done

legacy_getchar:               /* a0 = the character, or -1 */
	li t0, UART
	lbu t1, 5(t0)
	andi t1, t1, 0x01         /* LSR.DR */
	li a0, -1
	beqz t1, done
	lbu a0, 0(t0)
	j done

time_ext:
	bnez a6, not_supported    /* FID 0: set_timer(lo = a0, hi = a1) */
	call set_timer
	li a1, 0
	j done
legacy_set_timer:
	call set_timer
	j done

set_timer:                    /* mtimecmp = a1:a0 (high word parked at -1 meanwhile); STIP down, MTIE on */
	li t0, MTIMECMP
	li t1, -1
	sw t1, 4(t0)
	sw a0, 0(t0)
	sw a1, 4(t0)
	li t1, 0x20
	csrc mip, t1
	li t1, 0x80
	csrs mie, t1
	li a0, 0
	ret

base:
	li t0, 0
	beq a6, t0, base_spec_version
	li t0, 1
	beq a6, t0, base_zero       /* implementation id */
	li t0, 2
	beq a6, t0, base_impl_version
	li t0, 3
	beq a6, t0, base_probe
	li t0, 4
	beq a6, t0, base_mvendorid
	li t0, 5
	beq a6, t0, base_marchid
	li t0, 6
	beq a6, t0, base_mimpid
	j not_supported
base_spec_version:
	li a1, 0x01000000         /* SBI 1.0 */
	j base_ok
base_zero:
	li a1, 0
	j base_ok
base_impl_version:
	li a1, 1
	j base_ok
base_probe:                   /* a0 = extension id: 1 if answered here */
	li a1, 1
	li t0, EXT_BASE
	beq a0, t0, base_ok
	li t0, EXT_TIME
	beq a0, t0, base_ok
	li t0, EXT_SRST
	beq a0, t0, base_ok
	li t0, 0x02
	bleu a0, t0, base_ok      /* legacy set_timer, putchar, getchar */
	li t0, 0x08
	beq a0, t0, base_ok
	li a1, 0
	j base_ok
base_mvendorid:
	csrr a1, mvendorid
	j base_ok
base_marchid:
	csrr a1, marchid
	j base_ok
base_mimpid:
	csrr a1, mimpid
base_ok:
	li a0, 0
	j done

srst:                         /* FID 0: system_reset(type = a0, reason = a1); type 0 = shutdown, else reboot */
	bnez a6, not_supported
	bnez a0, reboot
poweroff:
	li t0, TEST_DEV
	li t1, 0x5555
	sw t1, 0(t0)
	j park
reboot:
	li t0, TEST_DEV
	li t1, 0x7777
	sw t1, 0(t0)
	j park

interrupt:
	slli t0, t0, 1
	srli t0, t0, 1
	li t1, 7                  /* M timer: off until the next set_timer; the S timer interrupt is raised instead */
	bne t0, t1, done
	li t1, 0x80
	csrc mie, t1
	li t1, 0x20
	csrs mip, t1

done:
	lw t0, 0(sp)
	lw t1, 4(sp)
	lw t2, 8(sp)
	lw ra, 12(sp)
	addi sp, sp, 16
	csrrw sp, mscratch, sp
	mret

fatal:                        /* print "shim: trap <mcause>\n" in hex and end QEMU with exit code 1 */
	la t1, message
	li t2, UART
1:	lbu a0, 0(t1)
	beqz a0, 2f
	sb a0, 0(t2)
	addi t1, t1, 1
	j 1b
2:	li t1, 28
3:	srl a0, t0, t1
	andi a0, a0, 15
	addi a0, a0, '0'
	li a1, '9'
	bleu a0, a1, 4f
	addi a0, a0, 'a' - '9' - 1
4:	sb a0, 0(t2)
	addi t1, t1, -4
	bgez t1, 3b
	li a0, '\n'
	sb a0, 0(t2)
	li t0, TEST_DEV
	li t1, 0x13333            /* fail, exit code 1 */
	sw t1, 0(t0)
	j park

	.section .rodata
message:
	.asciz "shim: trap into M, mcause=0x"

	.section .bss
	.align 4
	.space 1024
stack_top:
