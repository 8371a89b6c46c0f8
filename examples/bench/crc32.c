/* bench/crc32: CPU-bound guest — table-driven CRC-32 over a generated 64 KiB buffer, many passes. */
#include "lockstep.h"

#define BUF_SIZE 65536u
#define PASSES 150

static uint32_t table[256];
static uint8_t buf[BUF_SIZE];

static void make_table(void) {
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
}

static uint32_t crc32(uint32_t crc, const uint8_t *p, uint32_t n) {
  crc = ~crc;
  while (n--) crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return ~crc;
}

static void fill(uint32_t seed) {  /* xorshift32 bytes */
  uint32_t x = seed;
  for (uint32_t i = 0; i < BUF_SIZE; i += 4) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    buf[i] = (uint8_t)x; buf[i + 1] = (uint8_t)(x >> 8);
    buf[i + 2] = (uint8_t)(x >> 16); buf[i + 3] = (uint8_t)(x >> 24);
  }
}

int main(void) {
  make_table();
  uint32_t known = crc32(0, (const uint8_t *)"123456789", 9);  /* 0xcbf43926 */
  fill(0x12345678u);
  uint32_t crc = 0;
  for (uint32_t pass = 0; pass < PASSES; pass++) {
    crc = crc32(crc, buf, BUF_SIZE);
    buf[pass % BUF_SIZE] ^= (uint8_t)crc;  /* make every pass different */
  }
  uart_puts("crc32: check(123456789) = 0x");
  uart_puthex(known);
  uart_puts(", 150 x 64 KiB = 0x");
  uart_puthex(crc);
  uart_putc('\n');
#ifdef SHOW_INSTRET
  uart_puts("instret = "); uart_putu(csr_read(minstret)); uart_putc('\n');
#endif
  return known == 0xcbf43926u ? 0 : 1;
}
