/* bench/sieve: CPU-bound guest — sieve of Eratosthenes up to 4 million, repeated; prints a checksum. */
#include "lockstep.h"

#define LIMIT 4000000u
#define ROUNDS 2

static uint8_t composite[LIMIT + 1];

static uint32_t sieve(uint32_t *sum) {
  for (uint32_t i = 0; i <= LIMIT; i++) composite[i] = 0;
  uint32_t count = 0, s = 0;
  for (uint32_t i = 2; i <= LIMIT; i++) {
    if (composite[i]) continue;
    count++;
    s += i;
    if (i <= LIMIT / i)
      for (uint32_t j = i * i; j <= LIMIT; j += i) composite[j] = 1;
  }
  *sum = s;
  return count;
}

int main(void) {
  uint32_t count = 0, sum = 0, check = 0;
  for (uint32_t r = 0; r < ROUNDS; r++) {
    count = sieve(&sum);
    check = (check * 31u) ^ count ^ sum;
  }
  uart_puts("sieve: primes below 4000000 = ");
  uart_putu(count);
  uart_puts(", sum = 0x");
  uart_puthex(sum);
  uart_puts(", check = 0x");
  uart_puthex(check);
  uart_putc('\n');
#ifdef SHOW_INSTRET
  uart_puts("instret = "); uart_putu(csr_read(minstret)); uart_putc('\n');
#endif
  return 0;
}
