/* Lockstep's Linux guest /init: a banner, then a loop that serves the kvstore protocol (examples/kvstore/PROTOCOL.md)
 * on Lockstep's NIC and prints numbered "tick N" lines 10 ms apart, for checking a console for lost or doubled lines
 * across a failover while clients check every reply.
 *
 * Linux has no driver for Lockstep's NIC, and no device interrupt reaches the kernel (the PLIC has no supervisor
 * context), so /init drives the NIC from user space: it maps the NIC's registers and a DMA page the device tree
 * reserves (nic-dma.h) through /dev/mem, and polls: it answers every packet waiting, sleeps 1 ms (clock_nanosleep, so
 * the kernel's timer runs), and prints a tick every 10th poll. The table lives in memory, which FT keeps across a
 * failover. When the root filesystem has a /kv.log (the disk's does, the initramfs does not), every PUT or DEL is also
 * appended there and fdatasync'ed before its reply, and the log is replayed at start: after an HA restart boots Linux
 * again from the disk, every acknowledged write is back. With a network (the kernel's virtio-net driver) it also
 * serves the protocol over TCP (tcp.c), polled in the same loop. Without the NIC (on QEMU's virt board) it only
 * prints the ticks (and serves TCP when QEMU gives it a network).
 *
 * Built static by scripts/linux/build.sh with the kernel's own nolibc start code and syscall macros
 * (tools/include/nolibc/arch-riscv.h: _start, my_syscallN) and the syscall numbers of its UAPI headers. The whole
 * nolibc.h of Linux 6.1 does not compile for rv32 (it calls gettimeofday, lseek and poll, which rv32 lacks), so the
 * few calls used here are written out below. No libgcc: 32-bit arithmetic only. */
#include <stdint.h>
#include <asm/unistd.h>
#include "arch-riscv.h" /* also O_RDWR */
#include "nic-dma.h"
#include "tcp.h"

/* ---- system calls ---- */
#define AT_FDCWD (-100)
#define CLOCK_MONOTONIC 1
#define PROT_READ_WRITE 3
#define MAP_SHARED 1
#define PAGE_BYTES 4096

/* rv32 Linux has only the 64-bit time syscalls: they take a struct __kernel_timespec. */
struct timespec64 {
	long long tv_sec, tv_nsec;
};

static long sys_write(int fd, const void *buf, unsigned long len)
{
	return my_syscall3(__NR_write, fd, buf, len);
}

static long sys_open(const char *path)
{
	return my_syscall4(__NR_openat, AT_FDCWD, path, O_RDWR, 0);
}

/* Reads until `len` bytes or the end of the file; the bytes read, or a negative errno. */
static long sys_read_full(int fd, void *buf, unsigned long len)
{
	unsigned long got = 0;

	while (got < len) {
		long n = my_syscall3(__NR_read, fd, (char *)buf + got, len - got);

		if (n < 0)
			return n;
		if (n == 0)
			break;
		got += (unsigned long)n;
	}
	return (long)got;
}

/* Writes all `len` bytes; 0, or a negative errno. */
static long sys_write_full(int fd, const void *buf, unsigned long len)
{
	for (unsigned long done = 0; done < len;) {
		long n = my_syscall3(__NR_write, fd, (const char *)buf + done, len - done);

		if (n <= 0)
			return n < 0 ? n : -5; /* -EIO */
		done += (unsigned long)n;
	}
	return 0;
}

/* Moves the file offset to `offset` (rv32 has only llseek, with the offset in two words). */
static long sys_seek(int fd, uint32_t offset)
{
	long long result;

	return my_syscall5(__NR_llseek, fd, 0, offset, &result, 0 /* SEEK_SET */);
}

/* Maps `bytes` of the file `fd` from byte `offset` (a multiple of 4096: mmap2 counts 4 KiB units); a negative errno
 * on failure. */
static long sys_mmap(unsigned long bytes, long fd, unsigned long offset)
{
	return my_syscall6(__NR_mmap2, 0, bytes, PROT_READ_WRITE, MAP_SHARED, fd, offset / PAGE_BYTES);
}

static int failed(long result)
{
	return (unsigned long)result > -4096UL; /* -4095..-1: an errno */
}

static void sleep_1ms(void)
{
	static const struct timespec64 one_ms = { 0, 1000 * 1000 };

	my_syscall4(__NR_clock_nanosleep_time64, CLOCK_MONOTONIC, 0, &one_ms, 0);
}

/* CLOCK_MONOTONIC in 100 ns units (the 10 MHz of the time CSR, which Linux 6.1 does not let user space read), low word. */
static uint32_t time_lo(void)
{
	struct timespec64 t = { 0, 0 };

	my_syscall2(__NR_clock_gettime64, CLOCK_MONOTONIC, &t);
	return (uint32_t)t.tv_sec * 10000000u + (uint32_t)t.tv_nsec / 100u;
}

/* ---- the console ---- */
static void put(const char *s)
{
	unsigned long len = 0;

	while (s[len])
		len++;
	sys_write(1, s, len);
}

/* The kernel opens /dev/console as fds 0-2 when the initramfs has it; opens it here if it did not. */
static int open_console(void)
{
	if (sys_write(1, "", 0) >= 0)
		return 1;
	long fd = my_syscall4(__NR_openat, AT_FDCWD, "/dev/console", O_RDWR, 0);

	if (fd < 0)
		return 0;
	if (fd != 1)
		my_syscall3(__NR_dup3, fd, 1, 0);
	return 1;
}

/* Writes the decimal digits of n at `at`; returns how many. */
static int decimal(char *at, uint32_t n)
{
	char digits[12];
	int nd = 0, len = 0;

	do
		digits[nd++] = '0' + n % 10;
	while (n /= 10);
	while (nd)
		at[len++] = digits[--nd];
	return len;
}

/* "tick N\n", one write. */
static void tick(uint32_t n)
{
	static char line[24] = "tick ";
	int len = 5 + decimal(line + 5, n);

	line[len++] = '\n';
	sys_write(1, line, len);
}

/* N, on its own. */
static void put_decimal(uint32_t n)
{
	char text[12];

	sys_write(1, text, decimal(text, n));
}

/* ---- bytes (no libc) ---- */
static void copy(uint8_t *d, const uint8_t *s, uint32_t n)
{
	while (n--)
		*d++ = *s++;
}

static int equal(const uint8_t *a, const uint8_t *b, uint32_t n)
{
	while (n--)
		if (*a++ != *b++)
			return 0;
	return 1;
}

static uint32_t get16(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | get16(p + 2) << 16;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static uint32_t fnv1a(const uint8_t *p, uint32_t n)
{
	uint32_t h = 2166136261u;

	while (n--) {
		h ^= *p++;
		h *= 16777619u;
	}
	return h;
}

/* ---- Lockstep's NIC (docs/devices.md), through /dev/mem ---- */
#define NIC_REGS_PHYS 0x10001000
#define NIC_ID_VALUE 0x43494e4c /* "LNIC" */
enum { NIC_ID = 0x00, NIC_RX_LEN = 0x0c, NIC_RX_ADDR = 0x10, NIC_RX_POP = 0x14, NIC_TX_ADDR = 0x18, NIC_TX_LEN = 0x1c,
       NIC_TX_SEND = 0x20 };
/* Where in the DMA page the NIC puts a received packet (up to 1514 bytes) and takes the reply from. */
#define RX_AT 0
#define TX_AT 2048

static volatile uint32_t *nic_regs;
static uint8_t *rx, *tx;

static uint32_t nic_read(uint32_t offset)
{
	return nic_regs[offset / 4];
}

static void nic_write(uint32_t offset, uint32_t value)
{
	__asm__ volatile("fence" ::: "memory"); /* the packet's bytes are in memory before the NIC is told */
	nic_regs[offset / 4] = value;
	__asm__ volatile("fence" ::: "memory"); /* and what the NIC wrote is read after it */
}

/* Maps the NIC's registers and its DMA page and points the NIC at the page; returns 0, or why the NIC cannot be used. */
static const char *nic_open(void)
{
	long fd = sys_open("/dev/mem");

	if (fd < 0)
		return "cannot open /dev/mem";
	long regs = sys_mmap(PAGE_BYTES, fd, NIC_REGS_PHYS);
	long page = sys_mmap(NIC_DMA_BYTES, fd, NIC_DMA_BASE);

	if (failed(regs) || failed(page))
		return "cannot map the NIC and its DMA page from /dev/mem";
	nic_regs = (volatile uint32_t *)regs;
	if (nic_read(NIC_ID) != NIC_ID_VALUE)
		return "no Lockstep NIC at 0x10001000";
	rx = (uint8_t *)page + RX_AT;
	tx = (uint8_t *)page + TX_AT;
	nic_write(NIC_RX_ADDR, NIC_DMA_BASE + RX_AT);
	nic_write(NIC_TX_ADDR, NIC_DMA_BASE + TX_AT);
	return 0;
}

/* Takes the packet at the head of the receive queue into rx; returns its length, 0 when none is waiting. */
static uint32_t nic_recv(void)
{
	uint32_t len = nic_read(NIC_RX_LEN);

	if (len != 0)
		nic_write(NIC_RX_POP, 1);
	return len;
}

static void nic_send(uint32_t len)
{
	nic_write(NIC_TX_LEN, len);
	nic_write(NIC_TX_SEND, 1);
}

/* ---- the kvstore table: open addressing with linear probing and tombstones, as in kvstore.c ---- */
enum { OP_GET = 1, OP_PUT = 2, OP_DEL = 3 };
enum { ST_OK = 0, ST_NOT_FOUND = 1, ST_BAD_REQUEST = 2, ST_FULL = 3 };
#define MAX_KEY KV_MAX_KEY
#define MAX_VAL KV_MAX_VAL
#define REQ_HEADER KV_REQ_HEADER
#define REPLY_HEADER KV_REPLY_HEADER
#define TABLE_SIZE 256
enum { SLOT_EMPTY = 0, SLOT_LIVE = 1, SLOT_DEAD = 2 };

struct slot {
	uint8_t state, key_len;
	uint16_t val_len;
	uint8_t key[MAX_KEY];
	uint8_t val[MAX_VAL];
};

static struct slot table[TABLE_SIZE];
static uint32_t live_count;
static uint32_t applied; /* writes applied so far: the reply's seq */
static uint32_t polls;   /* 1 ms polls so far: the reply's ticks */

/* Index of the key's live slot, or -1. */
static int find(const uint8_t *key, uint32_t key_len)
{
	uint32_t i = fnv1a(key, key_len) % TABLE_SIZE;

	for (uint32_t n = 0; n < TABLE_SIZE; n++, i = (i + 1) % TABLE_SIZE) {
		const struct slot *s = &table[i];

		if (s->state == SLOT_EMPTY)
			return -1;
		if (s->state == SLOT_LIVE && s->key_len == key_len && equal(s->key, key, key_len))
			return (int)i;
	}
	return -1;
}

/* Stores key=val; returns ST_OK or ST_FULL. */
static int table_put(const uint8_t *key, uint32_t key_len, const uint8_t *val, uint32_t val_len)
{
	int at = find(key, key_len);

	if (at < 0) {
		uint32_t i = fnv1a(key, key_len) % TABLE_SIZE;

		for (uint32_t n = 0; n < TABLE_SIZE && table[i].state == SLOT_LIVE; n++)
			i = (i + 1) % TABLE_SIZE;
		if (table[i].state == SLOT_LIVE)
			return ST_FULL;
		at = (int)i;
		table[at].state = SLOT_LIVE;
		table[at].key_len = (uint8_t)key_len;
		copy(table[at].key, key, key_len);
		live_count++;
	}
	table[at].val_len = (uint16_t)val_len;
	copy(table[at].val, val, val_len);
	return ST_OK;
}

static int table_del(const uint8_t *key, uint32_t key_len)
{
	int at = find(key, key_len);

	if (at < 0)
		return ST_NOT_FOUND;
	table[at].state = SLOT_DEAD;
	live_count--;
	return ST_OK;
}

/* ---- the table's log: /kv.log, fixed 256-byte records of the writes applied, in order ---- */
#define LOG_RECORD 256
enum { REC_OP = 0, REC_KEY_LEN = 1, REC_VAL_LEN = 2, REC_KEY = 4, REC_VAL = REC_KEY + MAX_KEY };

static long log_fd = -1;         /* /kv.log, or -1 when the root has none */
static uint32_t log_records;     /* records in the log: the next goes at log_records * LOG_RECORD */
static uint8_t record[LOG_RECORD];

/* Whether `record` holds a write (a torn or never-written tail reads as zeros, which is none). */
static int record_valid(void)
{
	uint32_t op = record[REC_OP], key_len = record[REC_KEY_LEN], val_len = get16(record + REC_VAL_LEN);

	return (op == OP_PUT || (op == OP_DEL && val_len == 0)) && key_len >= 1 && key_len <= MAX_KEY && val_len <= MAX_VAL;
}

/* Opens /kv.log when the root filesystem has one and replays its records into the table; the records replayed. */
static uint32_t log_open(void)
{
	long fd = my_syscall4(__NR_openat, AT_FDCWD, "/kv.log", O_RDWR, 0);

	if (fd < 0)
		return 0;
	log_fd = fd;
	while (sys_read_full(fd, record, LOG_RECORD) == LOG_RECORD && record_valid()) {
		const uint8_t *key = record + REC_KEY;
		uint32_t key_len = record[REC_KEY_LEN];

		if (record[REC_OP] == OP_PUT)
			table_put(key, key_len, record + REC_VAL, get16(record + REC_VAL_LEN));
		else
			table_del(key, key_len);
		applied++;
		log_records++;
	}
	sys_seek(fd, log_records * LOG_RECORD); /* the next record overwrites any torn tail */
	return log_records;
}

/* Appends a write to /kv.log and waits until it is on the disk; 0, or a negative errno. Nothing to do without a log. */
static long log_append(uint32_t op, const uint8_t *key, uint32_t key_len, const uint8_t *val, uint32_t val_len)
{
	if (log_fd < 0)
		return 0;
	for (uint32_t i = 0; i < LOG_RECORD; i++)
		record[i] = 0;
	record[REC_OP] = (uint8_t)op;
	record[REC_KEY_LEN] = (uint8_t)key_len;
	put16(record + REC_VAL_LEN, val_len);
	copy(record + REC_KEY, key, key_len);
	copy(record + REC_VAL, val, val_len);
	long err = sys_write_full(log_fd, record, LOG_RECORD);

	if (err == 0)
		err = my_syscall1(__NR_fdatasync, log_fd);
	if (err == 0)
		log_records++;
	else
		sys_seek(log_fd, log_records * LOG_RECORD);
	return err;
}

/* ---- requests and replies (PROTOCOL.md): each transport hands serve() a request and sends the reply it builds ---- */
static uint32_t reply_into(uint8_t *out, uint32_t client_id, uint32_t req_id, uint32_t status, uint32_t op,
			   const uint8_t *val, uint32_t val_len)
{
	put32(out, client_id);
	put32(out + 4, req_id);
	out[8] = (uint8_t)status;
	out[9] = (uint8_t)op;
	put16(out + 10, val_len);
	put32(out + 12, time_lo());
	put32(out + 16, polls);
	put32(out + 20, applied);
	copy(out + REPLY_HEADER, val, val_len);
	return REPLY_HEADER + val_len;
}

/* Whether the request (len bytes) breaks the format: a BAD_REQUEST. */
static int malformed(const uint8_t *req, uint32_t len)
{
	uint32_t op = req[8], key_len = req[9], val_len = get16(req + 10);

	return key_len < 1 || key_len > MAX_KEY || val_len > MAX_VAL || len != REQ_HEADER + key_len + val_len ||
	       op < OP_GET || op > OP_DEL || (op != OP_PUT && val_len != 0);
}

/* Answers a request (len bytes) into `out`: a GET from the table, a PUT or DEL once applied to it (and on the disk's
 * log, when there is one). Returns the reply's length. */
static uint32_t serve(const uint8_t *req, uint32_t len, uint8_t *out)
{
	uint32_t client_id = len >= 4 ? get32(req) : 0, req_id = len >= 8 ? get32(req + 4) : 0;

	if (len < REQ_HEADER)
		return reply_into(out, client_id, req_id, ST_BAD_REQUEST, 0, 0, 0);
	uint32_t op = req[8], key_len = req[9], val_len = get16(req + 10);
	const uint8_t *key = req + REQ_HEADER, *val = key + key_len;

	if (malformed(req, len))
		return reply_into(out, client_id, req_id, ST_BAD_REQUEST, op, 0, 0);
	if (op == OP_GET) {
		int at = find(key, key_len);

		if (at < 0)
			return reply_into(out, client_id, req_id, ST_NOT_FOUND, op, 0, 0);
		return reply_into(out, client_id, req_id, ST_OK, op, table[at].val, table[at].val_len);
	}
	int status = op == OP_PUT ? table_put(key, key_len, val, val_len) : table_del(key, key_len);

	/* The reply waits for the disk: a write acknowledged is a write that survives a restart. */
	if (status == ST_OK && log_append(op, key, key_len, val, val_len) != 0) {
		put("lockstep /init: kv.log: the write did not reach the disk\n");
		status = ST_FULL;
	}
	if (status == ST_OK)
		applied++;
	return reply_into(out, client_id, req_id, status, op, 0, 0);
}

/* Answers every packet waiting in the NIC's receive queue. */
static void serve_waiting(void)
{
	for (uint32_t len; (len = nic_recv()) != 0;)
		nic_send(serve(rx, len, tx));
}

int main(void)
{
	if (!open_console())
		return 1;
	put("lockstep /init: hello from Linux\n");
	uint32_t replayed = log_open();

	if (log_fd >= 0) {
		put("lockstep /init: keeping the table in /kv.log: ");
		put_decimal(replayed);
		put(" writes replayed\n");
	}
	const char *why_not = nic_open();

	if (why_not == 0)
		put("lockstep /init: serving kvstore on the NIC\n");
	else {
		put("lockstep /init: not serving kvstore: ");
		put(why_not);
		put("\n");
	}
	const char *why_no_tcp = tcp_open();

	if (why_no_tcp == 0)
		put("lockstep /init: serving kvstore on TCP port 7000 at 10.0.0.2\n");
	for (uint32_t ticks = 0;;) {
		if (why_not == 0)
			serve_waiting();
		tcp_serve_waiting(serve);
		if (++polls % 10 == 0)
			tick(++ticks);
		sleep_1ms();
	}
}
