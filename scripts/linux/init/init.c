/* Lockstep's Linux guest /init: a banner, then numbered "tick N" lines 10 ms apart (clock_nanosleep, so the
 * kernel's timer runs), for checking a console for lost or doubled lines across a failover.
 *
 * Built static by scripts/linux/build.sh with the kernel's own nolibc start code and syscall macros
 * (tools/include/nolibc/arch-riscv.h: _start, my_syscallN) and the syscall numbers of its UAPI headers. The whole
 * nolibc.h of Linux 6.1 does not compile for rv32 (it calls gettimeofday, lseek and poll, which rv32 lacks), so the
 * few calls used here are written out below. */
#include <asm/unistd.h>
#include "arch-riscv.h" /* also O_RDWR */

#define AT_FDCWD (-100)

static long sys_write(int fd, const char *buf, unsigned long len)
{
	return my_syscall3(__NR_write, fd, buf, len);
}

static void put(const char *s)
{
	unsigned long len = 0;

	while (s[len])
		len++;
	sys_write(1, s, len);
}

int main(void)
{
	/* The kernel opens /dev/console as fds 0-2 when the initramfs has it; open it here if it did not. */
	if (sys_write(1, "", 0) < 0) {
		long fd = my_syscall4(__NR_openat, AT_FDCWD, "/dev/console", O_RDWR, 0);

		if (fd < 0)
			return 1;
		if (fd != 1)
			my_syscall3(__NR_dup3, fd, 1, 0);
	}
	put("lockstep /init: hello from Linux\n");

	/* rv32 Linux has only the 64-bit time syscalls: clock_nanosleep_time64 with a struct __kernel_timespec. */
	static const struct { long long tv_sec, tv_nsec; } ten_ms = { 0, 10 * 1000 * 1000 };
	static char line[24] = "tick ";

	for (unsigned long n = 1;; n++) {
		char digits[12];
		int nd = 0, len = 5;

		for (unsigned long v = n; v; v /= 10)
			digits[nd++] = '0' + v % 10;
		while (nd)
			line[len++] = digits[--nd];
		line[len++] = '\n';
		sys_write(1, line, len);
		my_syscall4(__NR_clock_nanosleep_time64, 1 /* CLOCK_MONOTONIC */, 0, &ten_ms, 0);
	}
}
