/* Device register access for the C examples (Lockstep / QEMU virt memory map, see docs/devices.md). */
#ifndef LOCKSTEP_H
#define LOCKSTEP_H

#include <stdint.h>

#define TEST_DEVICE_BASE 0x00100000u
#define CLINT_BASE       0x02000000u
#define PLIC_BASE        0x0c000000u
#define UART_BASE        0x10000000u
#define NIC_BASE         0x10001000u
#define DISK_BASE        0x10002000u
#define ENTROPY_BASE     0x10003000u

#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define REG8(addr)  (*(volatile uint8_t *)(uintptr_t)(addr))

/* ---- CSRs ---- */
#define csr_read(csr) ({ uint32_t v_; __asm__ volatile("csrr %0, " #csr : "=r"(v_)); v_; })
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" :: "rK"((uint32_t)(v)))
#define csr_set(csr, v)   __asm__ volatile("csrs " #csr ", %0" :: "rK"((uint32_t)(v)))
#define csr_clear(csr, v) __asm__ volatile("csrc " #csr ", %0" :: "rK"((uint32_t)(v)))

#define MSTATUS_MIE (1u << 3)
#define MIE_MSIE    (1u << 3)
#define MIE_MTIE    (1u << 7)
#define MIE_MEIE    (1u << 11)
#define MCAUSE_INTERRUPT 0x80000000u
#define IRQ_M_SOFT  3
#define IRQ_M_TIMER 7
#define IRQ_M_EXT   11

static inline void wfi(void) { __asm__ volatile("wfi"); }

/* Orders plain memory accesses against device (DMA) accesses: without it the compiler may move a
   buffer store after the MMIO store that starts the DMA, or a buffer load before it completes. */
static inline void dma_barrier(void) { __asm__ volatile("fence rw, rw" ::: "memory"); }

/* ---- SiFive test device: power off ---- */
static inline __attribute__((noreturn)) void test_exit(uint32_t code) {
  REG32(TEST_DEVICE_BASE) = code == 0 ? 0x5555u : ((code << 16) | 0x3333u);
  for (;;) wfi();
}

/* ---- UART 16550 ---- */
#define UART_THR 0
#define UART_RBR 0
#define UART_IER 1
#define UART_LSR 5
#define UART_LSR_DR   0x01
#define UART_LSR_THRE 0x20

static inline void uart_putc(char c) {
  while ((REG8(UART_BASE + UART_LSR) & UART_LSR_THRE) == 0) {}
  REG8(UART_BASE + UART_THR) = (uint8_t)c;
}
static inline void uart_puts(const char *s) { while (*s) uart_putc(*s++); }
static inline int uart_getc(void) {  /* -1 when nothing is waiting */
  return (REG8(UART_BASE + UART_LSR) & UART_LSR_DR) ? REG8(UART_BASE + UART_RBR) : -1;
}
static inline void uart_putu(uint32_t v) {  /* unsigned decimal */
  char buf[11]; int n = 0;
  do { buf[n++] = (char)('0' + v % 10); v /= 10; } while (v != 0);
  while (n > 0) uart_putc(buf[--n]);
}
static inline void uart_puthex(uint32_t v) {  /* 8 hex digits */
  for (int i = 28; i >= 0; i -= 4) uart_putc("0123456789abcdef"[(v >> i) & 15]);
}

/* ---- CLINT: timer (10 MHz) ---- */
#define CLINT_MSIP        (CLINT_BASE + 0x0000)
#define CLINT_MTIMECMP_LO (CLINT_BASE + 0x4000)
#define CLINT_MTIMECMP_HI (CLINT_BASE + 0x4004)
#define CLINT_MTIME_LO    (CLINT_BASE + 0xbff8)
#define CLINT_MTIME_HI    (CLINT_BASE + 0xbffc)
#define TIMER_HZ 10000000u

static inline uint64_t clint_mtime(void) {
  uint32_t hi, lo;
  do { hi = REG32(CLINT_MTIME_HI); lo = REG32(CLINT_MTIME_LO); } while (hi != REG32(CLINT_MTIME_HI));
  return ((uint64_t)hi << 32) | lo;
}
static inline void clint_set_mtimecmp(uint64_t t) {  /* no spurious early interrupt in between */
  REG32(CLINT_MTIMECMP_LO) = 0xffffffffu;
  REG32(CLINT_MTIMECMP_HI) = (uint32_t)(t >> 32);
  REG32(CLINT_MTIMECMP_LO) = (uint32_t)t;
}

/* ---- PLIC (hart 0, machine context) ---- */
#define PLIC_SRC_DISK 1
#define PLIC_SRC_NIC  2
#define PLIC_SRC_UART 10
#define PLIC_PRIORITY(n) (PLIC_BASE + 4u * (n))
#define PLIC_PENDING     (PLIC_BASE + 0x1000)
#define PLIC_ENABLE      (PLIC_BASE + 0x2000)
#define PLIC_THRESHOLD   (PLIC_BASE + 0x200000)
#define PLIC_CLAIM       (PLIC_BASE + 0x200004)

static inline void plic_enable(uint32_t src, uint32_t priority) {
  REG32(PLIC_PRIORITY(src)) = priority;
  REG32(PLIC_ENABLE) |= 1u << src;
}
static inline uint32_t plic_claim(void) { return REG32(PLIC_CLAIM); }
static inline void plic_complete(uint32_t src) { REG32(PLIC_CLAIM) = src; }

/* ---- Lockstep NIC ---- */
#define NIC_ID         (NIC_BASE + 0x00)
#define NIC_STATUS     (NIC_BASE + 0x04)
#define NIC_IRQ_ENABLE (NIC_BASE + 0x08)
#define NIC_RX_LEN     (NIC_BASE + 0x0c)
#define NIC_RX_ADDR    (NIC_BASE + 0x10)
#define NIC_RX_POP     (NIC_BASE + 0x14)
#define NIC_TX_ADDR    (NIC_BASE + 0x18)
#define NIC_TX_LEN     (NIC_BASE + 0x1c)
#define NIC_TX_SEND    (NIC_BASE + 0x20)
#define NIC_RX_QUEUED  (NIC_BASE + 0x24)
#define NIC_RX_DROPPED (NIC_BASE + 0x28)
#define NIC_ID_VALUE   0x43494e4cu  /* "LNIC" */
#define NIC_MTU        1514u

static inline void nic_send(const void *pkt, uint32_t len) {
  dma_barrier();
  REG32(NIC_TX_ADDR) = (uint32_t)(uintptr_t)pkt;
  REG32(NIC_TX_LEN) = len;
  REG32(NIC_TX_SEND) = 1;
}
/* Copies the head packet to buf (at least NIC_MTU bytes); returns its length, 0 when none is waiting. */
static inline uint32_t nic_recv(void *buf) {
  uint32_t len = REG32(NIC_RX_LEN);
  if (len == 0) return 0;
  REG32(NIC_RX_ADDR) = (uint32_t)(uintptr_t)buf;
  REG32(NIC_RX_POP) = 1;
  dma_barrier();
  return len;
}

/* ---- Lockstep block disk ---- */
#define DISK_ID         (DISK_BASE + 0x00)
#define DISK_CAPACITY   (DISK_BASE + 0x04)
#define DISK_SECTOR     (DISK_BASE + 0x08)
#define DISK_COUNT      (DISK_BASE + 0x0c)
#define DISK_ADDR       (DISK_BASE + 0x10)
#define DISK_OP         (DISK_BASE + 0x14)
#define DISK_STATUS     (DISK_BASE + 0x18)
#define DISK_IRQ_ENABLE (DISK_BASE + 0x1c)
#define DISK_ACK        (DISK_BASE + 0x20)
#define DISK_ID_VALUE   0x4b4c424cu  /* "LBLK" */
#define DISK_OP_READ  1
#define DISK_OP_WRITE 2
#define DISK_BUSY  1u
#define DISK_DONE  2u
#define DISK_ERROR 4u
#define SECTOR_SIZE 512u

/* Starts a request (count sectors at sector, DMA to/from buf). Completion: STATUS DONE or ERROR. */
static inline void disk_start(uint32_t op, uint32_t sector, uint32_t count, void *buf) {
  dma_barrier();
  REG32(DISK_SECTOR) = sector;
  REG32(DISK_COUNT) = count;
  REG32(DISK_ADDR) = (uint32_t)(uintptr_t)buf;
  REG32(DISK_OP) = op;
}
static inline uint32_t disk_status(void) {
  uint32_t st = REG32(DISK_STATUS);
  dma_barrier();
  return st;
}
static inline void disk_ack(void) { REG32(DISK_ACK) = 1; }

/* ---- entropy ---- */
static inline uint32_t entropy_read(void) { return REG32(ENTROPY_BASE); }

#endif
