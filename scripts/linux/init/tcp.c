/* /init's TCP server: configures eth0 (the kernel's virtio network driver) as 10.0.0.2/24 and serves the kvstore
 * protocol on TCP port 7000 to any number of connections (up to TCP_CONNS_MAX at once), polled without blocking
 * from /init's 1 ms loop, as the NIC is. A request is the protocol's packet as a stream record: its 12-byte header
 * gives the key's and value's lengths, so records are cut from the byte stream; the reply goes back on the same
 * connection. The addresses are the simulated world's plan (src/ft/world/net/addresses.ts). */
#include <stdint.h>
#include <asm/unistd.h>
#include "arch-riscv.h"
#include "tcp.h"

#define AF_INET 2
#define SOCK_DGRAM 2
#define SOCK_STREAM 1
#define SOCK_NONBLOCK 04000
#define MSG_DONTWAIT 0x40
#define MSG_NOSIGNAL 0x4000
#define SIOCSIFADDR 0x8916
#define SIOCSIFNETMASK 0x891c
#define SIOCGIFFLAGS 0x8913
#define SIOCSIFFLAGS 0x8914
#define IFF_UP 1
#define EAGAIN 11

#define VM_IP 0x0a000002u     /* 10.0.0.2 */
#define NETMASK 0xffffff00u   /* /24 */
#define PORT 7000
#define TCP_CONNS_MAX 16
#define CONN_BUFFER 512       /* more than the longest request (12 + 32 + 200 bytes) */

struct sockaddr_in4 {
	uint16_t family, port; /* port in network order */
	uint32_t addr;         /* network order */
	uint8_t zero[8];
};

struct ifreq4 {
	char name[16];
	union {
		struct sockaddr_in4 addr;
		short flags;
		uint8_t pad[16];
	} u;
};

struct conn {
	long fd; /* -1: free */
	uint32_t have;
	uint8_t buf[CONN_BUFFER];
};

static long listener = -1;
static struct conn conns[TCP_CONNS_MAX];

static uint16_t be16(uint16_t v)
{
	return (uint16_t)(v << 8 | v >> 8);
}

static uint32_t be32(uint32_t v)
{
	return v << 24 | (v & 0xff00) << 8 | (v >> 8 & 0xff00) | v >> 24;
}

/* Fills an IPv4 socket address in place (field by field: without libc there is no memcpy for struct copies). */
static void inet(struct sockaddr_in4 *a, uint32_t ip, uint16_t port)
{
	a->family = AF_INET;
	a->port = be16(port);
	a->addr = be32(ip);
	for (int i = 0; i < 8; i++)
		a->zero[i] = 0;
}

/* eth0 up as VM_IP/24; 0, or why not. */
static const char *configure_eth0(void)
{
	long fd = my_syscall3(__NR_socket, AF_INET, SOCK_DGRAM, 0);
	static struct ifreq4 r = { "eth0", { { 0 } } };

	if (fd < 0)
		return "no IPv4 sockets";
	inet(&r.u.addr, VM_IP, 0);
	if (my_syscall3(__NR_ioctl, fd, SIOCSIFADDR, &r) < 0)
		return "no eth0 (no virtio network device)";
	inet(&r.u.addr, NETMASK, 0);
	my_syscall3(__NR_ioctl, fd, SIOCSIFNETMASK, &r);
	my_syscall3(__NR_ioctl, fd, SIOCGIFFLAGS, &r);
	r.u.flags |= IFF_UP;
	long up = my_syscall3(__NR_ioctl, fd, SIOCSIFFLAGS, &r);

	my_syscall1(__NR_close, fd);
	return up < 0 ? "cannot bring eth0 up" : 0;
}

const char *tcp_open(void)
{
	const char *why_not = configure_eth0();

	if (why_not)
		return why_not;
	long fd = my_syscall3(__NR_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	static struct sockaddr_in4 any;

	inet(&any, 0, PORT);
	if (fd < 0 || my_syscall3(__NR_bind, fd, &any, sizeof(any)) < 0 || my_syscall2(__NR_listen, fd, TCP_CONNS_MAX) < 0)
		return "cannot listen on TCP port 7000";
	listener = fd;
	for (int i = 0; i < TCP_CONNS_MAX; i++)
		conns[i].fd = -1;
	return 0;
}

static void drop(struct conn *c)
{
	my_syscall1(__NR_close, c->fd);
	c->fd = -1;
}

/* Takes every connection waiting to be accepted (one beyond TCP_CONNS_MAX is closed at once). */
static void accept_waiting(void)
{
	for (;;) {
		long fd = my_syscall4(__NR_accept4, listener, 0, 0, SOCK_NONBLOCK);

		if (fd < 0)
			return;
		struct conn *free = 0;

		for (int i = 0; i < TCP_CONNS_MAX && !free; i++)
			if (conns[i].fd < 0)
				free = &conns[i];
		if (!free) {
			my_syscall1(__NR_close, fd);
			continue;
		}
		free->fd = fd;
		free->have = 0;
	}
}

/* The length of the request record at the front of the buffer: 0 while incomplete, -1 when its header is no request. */
static long record_bytes(const struct conn *c)
{
	if (c->have < KV_REQ_HEADER)
		return 0;
	uint32_t key_len = c->buf[9], val_len = c->buf[10] | (uint32_t)c->buf[11] << 8;

	if (key_len > KV_MAX_KEY || val_len > KV_MAX_VAL)
		return -1;
	uint32_t bytes = KV_REQ_HEADER + key_len + val_len;

	return c->have >= bytes ? (long)bytes : 0;
}

/* Reads what the connection has, answers every whole request in it; closes it at the peer's end or on garbage. */
static void serve_conn(struct conn *c, tcp_handler serve)
{
	static uint8_t reply[KV_REPLY_MAX];
	long n = my_syscall6(__NR_recvfrom, c->fd, c->buf + c->have, CONN_BUFFER - c->have, MSG_DONTWAIT, 0, 0);

	if (n == -EAGAIN)
		return;
	if (n <= 0)
		return drop(c);
	c->have += (uint32_t)n;
	for (long bytes; (bytes = record_bytes(c)) != 0;) {
		if (bytes < 0)
			return drop(c);
		uint32_t len = serve(c->buf, (uint32_t)bytes, reply);

		if (my_syscall6(__NR_sendto, c->fd, reply, len, MSG_DONTWAIT | MSG_NOSIGNAL, 0, 0) != (long)len)
			return drop(c); /* a peer that reads nothing fills its window: it is given up */
		c->have -= (uint32_t)bytes;
		for (uint32_t i = 0; i < c->have; i++)
			c->buf[i] = c->buf[bytes + i];
	}
}

void tcp_serve_waiting(tcp_handler serve)
{
	if (listener < 0)
		return;
	accept_waiting();
	for (int i = 0; i < TCP_CONNS_MAX; i++)
		if (conns[i].fd >= 0)
			serve_conn(&conns[i], serve);
}
