/* ticker: a timer-interrupt guest — ticks every 2 ms on the CLINT, sleeps in wfi, reports every 50 ticks (no NIC, no disk). */
#include "lockstep.h"

#define TICK_PERIOD (TIMER_HZ / 500u) /* 2 ms at 10 MHz */
#define REPORT_EVERY 50u

static volatile uint32_t ticks;
static volatile uint32_t checksum;   /* running hash of every tick's count and mtime: shows divergence */
static uint64_t nextTick;

/* The latest report, taken by the handler at each multiple of REPORT_EVERY; printed by main. */
static volatile uint32_t reportPending, reportTick, reportTime, reportSum;

static void timer_interrupt(void) {
  uint64_t now = clint_mtime();
  uint32_t t = ticks + 1;
  uint32_t sum = checksum;
  sum = (sum ^ t) * 16777619u;
  sum = (sum ^ (uint32_t)now) * 16777619u;
  sum = (sum << 5) | (sum >> 27);
  checksum = sum;
  ticks = t;
  if (t % REPORT_EVERY == 0) {
    reportTick = t;
    reportTime = (uint32_t)now;
    reportSum = sum;
    reportPending = 1;
  }
  nextTick += TICK_PERIOD;
  if (nextTick <= now) nextTick = now + TICK_PERIOD; /* fell behind: skip missed ticks */
  clint_set_mtimecmp(nextTick);
}

uint32_t trap_handler(uint32_t mcause, uint32_t mepc, uint32_t mtval) {
  (void)mtval;
  if ((mcause & MCAUSE_INTERRUPT) == 0) test_exit(0x80 | (mcause & 0x3f)); /* exceptions are bugs */
  if ((mcause & 0x3f) == IRQ_M_TIMER) timer_interrupt();
  return mepc;
}

int main(void) {
  uart_puts("ticker: every 2 ms, report every 50 ticks\n");
  nextTick = clint_mtime() + TICK_PERIOD;
  clint_set_mtimecmp(nextTick);
  csr_set(mie, MIE_MTIE);
  csr_set(mstatus, MSTATUS_MIE);
  for (;;) {
    wfi();
    csr_clear(mstatus, MSTATUS_MIE); /* take a consistent copy of the report */
    uint32_t pending = reportPending, t = reportTick, now = reportTime, sum = reportSum;
    reportPending = 0;
    csr_set(mstatus, MSTATUS_MIE);
    if (!pending) continue;
    uart_puts("tick ");
    uart_putu(t);
    uart_puts(" t=");
    uart_putu(now);
    uart_puts(" sum=");
    uart_puthex(sum);
    uart_putc('\n');
  }
}
