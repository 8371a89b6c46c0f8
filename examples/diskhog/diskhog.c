/* diskhog: a disk-heavy guest — resumes its record log at boot, then writes, reads back and verifies records forever. */
#include "lockstep.h"

/* ---- record format: one record per 512-byte sector, record seq (1, 2, ...) lives in sector (seq-1) % ring ---- */
#define REC_MAGIC 0x474f4844u   /* "DHOG" */
#define REC_SEQ_AT 4
#define REC_TIME_AT 8           /* mtime low word when the record was made (an input: logged and replayed) */
#define REC_PAYLOAD_AT 12
#define REC_CHECKSUM_AT 508
#define RING_MAX 1024u          /* the log is a ring over the first 1024 sectors (fewer if the disk is smaller) */
#define REPORT_EVERY 64u

static uint32_t ring;           /* sectors in the ring */
static uint32_t last;           /* seq of the last valid record (0: none) */

static uint8_t wbuf[SECTOR_SIZE] __attribute__((aligned(8)));
static uint8_t rbuf[SECTOR_SIZE] __attribute__((aligned(8)));

/* ---- little helpers (no libc) ---- */
static uint32_t get32(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void put32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }

static uint32_t fnv1a(const uint8_t *p, uint32_t n) {
  uint32_t h = 2166136261u;
  while (n--) { h ^= *p++; h *= 16777619u; }
  return h;
}

static void fail(const char *what, uint32_t seq) {
  uart_puts("diskhog: ERROR ");
  uart_puts(what);
  uart_puts(" at record ");
  uart_putu(seq);
  uart_putc('\n');
  test_exit(1);
}

/* ---- records ---- */
static void encode_record(uint32_t seq) {
  put32(wbuf, REC_MAGIC);
  put32(wbuf + REC_SEQ_AT, seq);
  put32(wbuf + REC_TIME_AT, (uint32_t)clint_mtime());
  uint32_t x = seq * 2654435761u + 1;     /* xorshift32 payload seeded by seq (never 0) */
  for (uint32_t i = REC_PAYLOAD_AT; i < REC_CHECKSUM_AT; i += 4) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    put32(wbuf + i, x);
  }
  put32(wbuf + REC_CHECKSUM_AT, fnv1a(wbuf, REC_CHECKSUM_AT));
}

/* Whether the sector in rbuf holds a valid record with sequence number seq. */
static int valid_record(uint32_t seq) {
  return get32(rbuf) == REC_MAGIC && get32(rbuf + REC_SEQ_AT) == seq &&
         get32(rbuf + REC_CHECKSUM_AT) == fnv1a(rbuf, REC_CHECKSUM_AT);
}

/* ---- the disk: one request at a time, interrupts globally off, wfi wakes on the PLIC ---- */
static int disk_wait(void) {
  uint32_t st;
  while (((st = disk_status()) & (DISK_DONE | DISK_ERROR)) == 0) wfi();
  uint32_t src = plic_claim();
  disk_ack();
  if (src != 0) plic_complete(src);
  return (st & DISK_ERROR) == 0;
}

static int disk_io(uint32_t op, uint32_t sectorNo, uint8_t *buf) {
  disk_start(op, sectorNo, 1, buf);
  return disk_wait();
}

/* Scans the ring from sector 0: records run 1, 2, 3, ... until an invalid sector (ring not yet full) or
   a drop in sequence (where a full ring wrapped). Sets `last` to the last record of the run. */
static void resume_log(void) {
  for (uint32_t s = 0; s < ring; s++) {
    if (!disk_io(DISK_OP_READ, s, rbuf)) fail("read", s);
    uint32_t seq = get32(rbuf + REC_SEQ_AT);
    if (s == 0) {
      if (seq == 0 || (seq - 1) % ring != 0 || !valid_record(seq)) return; /* empty log */
    } else if (seq != last + 1 || !valid_record(seq)) {
      return;
    }
    last = seq;
  }
}

int main(void) {
  if (REG32(DISK_ID) != DISK_ID_VALUE) {
    uart_puts("diskhog: no disk\n");
    test_exit(2);
  }
  uint32_t capacity = REG32(DISK_CAPACITY);
  ring = capacity < RING_MAX ? capacity : RING_MAX;
  if (ring == 0) {
    uart_puts("diskhog: empty disk\n");
    test_exit(3);
  }
  plic_enable(PLIC_SRC_DISK, 1);
  REG32(PLIC_THRESHOLD) = 0;
  REG32(DISK_IRQ_ENABLE) = 1;
  csr_set(mie, MIE_MEIE); /* wfi wakes on the disk while interrupts are still globally off */

  resume_log();
  uart_puts("diskhog: resumed at record ");
  uart_putu(last);
  uart_putc('\n');

  for (;;) {
    uint32_t seq = last + 1, s = (seq - 1) % ring;
    encode_record(seq);
    if (!disk_io(DISK_OP_WRITE, s, wbuf)) fail("write", seq);
    if (!disk_io(DISK_OP_READ, s, rbuf)) fail("read", seq);
    for (uint32_t i = 0; i < SECTOR_SIZE; i++) {
      if (rbuf[i] != wbuf[i]) fail("verify", seq);
    }
    last = seq;
    if (seq % REPORT_EVERY == 0) {
      uart_puts("records ");
      uart_putu(seq);
      uart_putc('\n');
    }
  }
}
