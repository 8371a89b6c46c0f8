/*
 * A stand-in kernel for testing the firmware alone: in supervisor mode it probes the SBI, writes over the
 * legacy console and DBCN, takes one timer interrupt through set_timer, and shuts down through SRST.
 */
  .section .text
  .globl _kstart
_kstart:
  la t0, on_trap
  csrw stvec, t0
  /* sbi_get_spec_version: a0 = 0, a1 = 0x01000000 */
  li a7, 0x10
  li a6, 0
  ecall
  bnez a0, fail
  li t0, 0x01000000
  bne a1, t0, fail
  /* probe TIME: present */
  li a7, 0x10
  li a6, 3
  li a0, 0x54494D45
  ecall
  li t0, 1
  bne a1, t0, fail
  /* an unknown extension: SBI_ERR_NOT_SUPPORTED */
  li a7, 0x12345678
  li a6, 0
  ecall
  li t0, -2
  bne a0, t0, fail
  /* legacy console_putchar */
  la s0, hello
1:
  lbu a0, 0(s0)
  beqz a0, 2f
  li a7, 1
  ecall
  addi s0, s0, 1
  j 1b
2:
  /* DBCN write of a whole string: a1 = bytes written */
  li a7, 0x4442434E
  li a6, 0
  li a0, 7
  la a1, dbcn
  li a2, 0
  ecall
  bnez a0, fail
  li t0, 7
  bne a1, t0, fail
  /* a timer 1 ms from now (10 MHz timebase), then wait for it in wfi with the supervisor timer enabled */
  rdtime t0
  li t1, 10000
  add a0, t0, t1
  sltu t2, a0, t0
  rdtimeh a1
  add a1, a1, t2
  li a7, 0x54494D45
  li a6, 0
  ecall
  li t0, 0x20
  csrs sie, t0
  csrsi sstatus, 2
3:
  wfi
  beqz s1, 3b
  /* SRST shutdown, no reason: passes */
  li a7, 0x53525354
  li a6, 0
  li a0, 0
  li a1, 0
  ecall
fail:
  li a7, 0x53525354
  li a6, 0
  li a0, 0
  li a1, 1
  ecall
4:
  j 4b

  .balign 4
on_trap:
  csrr t0, scause
  li t1, 0x80000005
  bne t0, t1, fail
  /* the timer: say so, stop it (a timer at the far future), and let the waiting loop end */
  la s0, tick
5:
  lbu a0, 0(s0)
  beqz a0, 6f
  li a7, 1
  ecall
  addi s0, s0, 1
  j 5b
6:
  li a0, -1
  li a1, -1
  li a7, 0
  ecall
  li s1, 1
  sret

  .section .rodata
hello: .asciz "sbi: legacy console ok\n"
dbcn: .ascii "dbcn ok"
tick: .asciz "\ntimer interrupt ok\n"
