/* bench/matmul: CPU-bound guest — 64×64 integer matrix products plus an ARX (sha-like) mixing round. */
#include "lockstep.h"

#define N 64
#define ROUNDS 40

static int32_t a[N][N], b[N][N], c[N][N];

static uint32_t rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

static void init(uint32_t seed) {
  uint32_t x = seed;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      x = x * 1664525u + 1013904223u;
      a[i][j] = (int32_t)(x >> 20) - 2048;
      x = x * 1664525u + 1013904223u;
      b[i][j] = (int32_t)(x >> 20) - 2048;
    }
}

static void multiply(void) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      int32_t s = 0;
      for (int k = 0; k < N; k++) s += a[i][k] * b[k][j];
      c[i][j] = s;
    }
}

/* Folds c into a 4-word ARX state (a few rounds per element) and feeds it back into a. */
static uint32_t mix(uint32_t h[4]) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      h[0] += (uint32_t)c[i][j]; h[3] = rotl(h[3] ^ h[0], 16);
      h[2] += h[3]; h[1] = rotl(h[1] ^ h[2], 12);
      h[0] += h[1]; h[3] = rotl(h[3] ^ h[0], 8);
      h[2] += h[3]; h[1] = rotl(h[1] ^ h[2], 7);
      a[i][j] = (int32_t)((c[i][j] >> 8) ^ (int32_t)(h[1] & 0x3ff)) % 4096;
    }
  return h[0] ^ h[1] ^ h[2] ^ h[3];
}

int main(void) {
  uint32_t h[4] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au};
  uint32_t digest = 0;
  init(2026);
  for (int r = 0; r < ROUNDS; r++) {
    multiply();
    digest = mix(h);
  }
  uart_puts("matmul: 40 rounds of 64x64, digest = 0x");
  uart_puthex(digest);
  uart_puts(", c[5][7] = ");
  uart_putu((uint32_t)c[5][7]);
  uart_putc('\n');
#ifdef SHOW_INSTRET
  uart_puts("instret = "); uart_putu(csr_read(minstret)); uart_putc('\n');
#endif
  return 0;
}
