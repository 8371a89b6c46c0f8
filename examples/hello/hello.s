# hello.s — prints a greeting on the 16550 UART of the QEMU virt machine, then powers off.
#
#   lockstep asm examples/hello/hello.s -o hello.elf
#   qemu-system-riscv32 -M virt -bios none -nographic -kernel hello.elf

    .equ    UART_BASE, 0x10000000   # 16550: THR at +0, LSR at +5
    .equ    UART_LSR,  5
    .equ    LSR_THRE,  0x20         # transmit holding register empty
    .equ    TEST_BASE, 0x100000     # SiFive test device: 0x5555 = pass / power off
    .equ    TEST_PASS, 0x5555

    .text
    .globl  _start
    .type   _start, @function
_start:
    la      sp, stack_top
    la      a0, greeting
    call    puts
    la      a0, farewell
    call    puts
    li      t0, TEST_BASE
    li      t1, TEST_PASS
    sw      t1, 0(t0)
1:  wfi                             # not reached: the test device powers the machine off
    j       1b
    .size   _start, . - _start

# puts(a0 = NUL-terminated string): writes each byte once the transmitter is ready.
    .type   puts, @function
puts:
    li      t0, UART_BASE
1:  lbu     t1, 0(a0)
    beqz    t1, 3f
2:  lbu     t2, UART_LSR(t0)        # poll LSR until THRE (bit 5) is set
    andi    t2, t2, LSR_THRE
    beqz    t2, 2b
    sb      t1, 0(t0)
    addi    a0, a0, 1
    j       1b
3:  ret
    .size   puts, . - puts

    .section .rodata
greeting:
    .asciz  "Hello from Lockstep!\n"
farewell:
    .asciz  "Two VMs, one story.\n"

    .bss
    .align  4
stack:
    .space  1024
stack_top:
