/* kvstore: a key-value server guest — replays its disk log at boot, serves NIC requests, logs PUT/DEL durably. */
#include "lockstep.h"

/* ---- wire and disk formats (see PROTOCOL.md) ---- */
enum { OP_GET = 1, OP_PUT = 2, OP_DEL = 3 };
enum { ST_OK = 0, ST_NOT_FOUND = 1, ST_BAD_REQUEST = 2, ST_FULL = 3, ST_DISK_ERROR = 4 };
#define MAX_KEY 32
#define MAX_VAL 200
#define REQ_HEADER 12
#define REPLY_HEADER 24
#define LOG_MAGIC 0x474c564bu /* "KVLG" */
#define LOG_CHECKSUM_AT 508
#define TICK_PERIOD 10000u /* 1 ms at 10 MHz */

/* ---- the table: open addressing with linear probing and tombstones ---- */
#define TABLE_SIZE 256
enum { SLOT_EMPTY = 0, SLOT_LIVE = 1, SLOT_DEAD = 2 };
struct slot {
  uint8_t state, keyLen;
  uint16_t valLen;
  uint8_t key[MAX_KEY];
  uint8_t val[MAX_VAL];
};
static struct slot table[TABLE_SIZE];
static uint32_t liveCount;

/* ---- a write waiting for the disk (PUT/DEL, served in arrival order, one disk request at a time) ---- */
#define QUEUE_SIZE 16
struct pending {
  uint32_t clientId, reqId;
  uint8_t op, keyLen;
  uint16_t valLen;
  uint8_t key[MAX_KEY];
  uint8_t val[MAX_VAL];
};
static struct pending queue[QUEUE_SIZE];
static uint32_t qHead, qCount;
static int diskBusy;          /* the head of the queue is being written */
static int nicPaused;         /* NIC interrupt masked while the queue is full */

static uint32_t applied;      /* writes applied so far (= seq of the last record) */
static uint32_t logSectors;   /* sectors of log on disk (next record goes here) */
static volatile uint32_t ticks;
static uint64_t nextTick;

static uint8_t sector[SECTOR_SIZE] __attribute__((aligned(8)));
static uint8_t rxbuf[NIC_MTU + 2] __attribute__((aligned(8)));
static uint8_t txbuf[REPLY_HEADER + MAX_VAL] __attribute__((aligned(8)));

/* ---- little helpers (no libc) ---- */
static void copy(uint8_t *d, const uint8_t *s, uint32_t n) { while (n--) *d++ = *s++; }
static void zero(uint8_t *d, uint32_t n) { while (n--) *d++ = 0; }
static int equal(const uint8_t *a, const uint8_t *b, uint32_t n) {
  while (n--) if (*a++ != *b++) return 0;
  return 1;
}
static uint32_t get16(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8; }
static uint32_t get32(const uint8_t *p) { return get16(p) | get16(p + 2) << 16; }
static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }

static uint32_t fnv1a(const uint8_t *p, uint32_t n) {
  uint32_t h = 2166136261u;
  while (n--) { h ^= *p++; h *= 16777619u; }
  return h;
}

/* ---- table operations ---- */
/* Index of the key's live slot, or -1. */
static int find(const uint8_t *key, uint32_t keyLen) {
  uint32_t i = fnv1a(key, keyLen) % TABLE_SIZE;
  for (uint32_t n = 0; n < TABLE_SIZE; n++, i = (i + 1) % TABLE_SIZE) {
    struct slot *s = &table[i];
    if (s->state == SLOT_EMPTY) return -1;
    if (s->state == SLOT_LIVE && s->keyLen == keyLen && equal(s->key, key, keyLen)) return (int)i;
  }
  return -1;
}

/* Stores key=val; returns ST_OK or ST_FULL. */
static int table_put(const uint8_t *key, uint32_t keyLen, const uint8_t *val, uint32_t valLen) {
  int at = find(key, keyLen);
  if (at < 0) {
    uint32_t i = fnv1a(key, keyLen) % TABLE_SIZE;
    for (uint32_t n = 0; n < TABLE_SIZE && table[i].state == SLOT_LIVE; n++) i = (i + 1) % TABLE_SIZE;
    if (table[i].state == SLOT_LIVE) return ST_FULL;
    at = (int)i;
    table[at].state = SLOT_LIVE;
    table[at].keyLen = (uint8_t)keyLen;
    copy(table[at].key, key, keyLen);
    liveCount++;
  }
  table[at].valLen = (uint16_t)valLen;
  copy(table[at].val, val, valLen);
  return ST_OK;
}

static int table_del(const uint8_t *key, uint32_t keyLen) {
  int at = find(key, keyLen);
  if (at < 0) return ST_NOT_FOUND;
  table[at].state = SLOT_DEAD;
  liveCount--;
  return ST_OK;
}

/* Whether applying this write would succeed (so a record is only logged when it changes the table). */
static int write_check(const struct pending *p) {
  int at = find(p->key, p->keyLen);
  if (p->op == OP_DEL) return at < 0 ? ST_NOT_FOUND : ST_OK;
  return at < 0 && liveCount >= TABLE_SIZE ? ST_FULL : ST_OK;
}

/* ---- the disk log ---- */
static void encode_record(const struct pending *p, uint32_t seq) {
  zero(sector, SECTOR_SIZE);
  put32(sector, LOG_MAGIC);
  put32(sector + 4, seq);
  sector[8] = p->op;
  sector[9] = p->keyLen;
  put16(sector + 10, p->valLen);
  copy(sector + 12, p->key, p->keyLen);
  copy(sector + 12 + p->keyLen, p->val, p->valLen);
  put32(sector + LOG_CHECKSUM_AT, fnv1a(sector, LOG_CHECKSUM_AT));
}

/* Applies the record in `sector` if it is valid and has sequence number `seq`; returns 1 if so. */
static int replay_record(uint32_t seq) {
  uint32_t op = sector[8], keyLen = sector[9], valLen = get16(sector + 10);
  if (get32(sector) != LOG_MAGIC || get32(sector + 4) != seq) return 0;
  if (get32(sector + LOG_CHECKSUM_AT) != fnv1a(sector, LOG_CHECKSUM_AT)) return 0;
  if (keyLen < 1 || keyLen > MAX_KEY || valLen > MAX_VAL) return 0;
  if (op == OP_PUT) table_put(sector + 12, keyLen, sector + 12 + keyLen, valLen);
  else if (op == OP_DEL && valLen == 0) table_del(sector + 12, keyLen);
  else return 0;
  return 1;
}

/* Waits (interrupts off, woken by the PLIC) until the disk request finishes; returns 1 on success. */
static int disk_wait(void) {
  uint32_t st;
  while (((st = disk_status()) & (DISK_DONE | DISK_ERROR)) == 0) wfi();
  uint32_t src = plic_claim();
  disk_ack();
  if (src != 0) plic_complete(src);
  return (st & DISK_ERROR) == 0;
}

/* Reads the log from sector 0 until a record fails its checks, rebuilding the table. */
static void replay_log(void) {
  if (REG32(DISK_ID) != DISK_ID_VALUE) return;
  uint32_t capacity = REG32(DISK_CAPACITY);
  while (logSectors < capacity) {
    disk_start(DISK_OP_READ, logSectors, 1, sector);
    if (!disk_wait() || !replay_record(applied + 1)) break;
    applied++;
    logSectors++;
  }
}

/* ---- replies ---- */
static void send_reply(uint32_t clientId, uint32_t reqId, uint32_t status, uint32_t op,
                       const uint8_t *val, uint32_t valLen) {
  put32(txbuf, clientId);
  put32(txbuf + 4, reqId);
  txbuf[8] = (uint8_t)status;
  txbuf[9] = (uint8_t)op;
  put16(txbuf + 10, valLen);
  put32(txbuf + 12, csr_read(time));
  put32(txbuf + 16, ticks);
  put32(txbuf + 20, applied);
  copy(txbuf + REPLY_HEADER, val, valLen);
  nic_send(txbuf, REPLY_HEADER + valLen);
}

/* ---- the write queue: one disk write at a time, reply after it completes ---- */
static void start_next_write(void) {
  while (!diskBusy && qCount > 0) {
    struct pending *p = &queue[qHead];
    int st = write_check(p);
    if (st == ST_OK && logSectors < REG32(DISK_CAPACITY)) {
      encode_record(p, applied + 1);
      disk_start(DISK_OP_WRITE, logSectors, 1, sector);
      diskBusy = 1;
      return;
    }
    send_reply(p->clientId, p->reqId, st == ST_OK ? ST_FULL : st, p->op, 0, 0);
    qHead = (qHead + 1) % QUEUE_SIZE;
    qCount--;
  }
}

static void disk_interrupt(void) {
  uint32_t st = disk_status();
  if ((st & (DISK_DONE | DISK_ERROR)) == 0) return;
  disk_ack();
  if (!diskBusy) return; /* nothing of ours was outstanding */
  struct pending *p = &queue[qHead];
  int status = ST_DISK_ERROR;
  if ((st & DISK_ERROR) == 0) {
    status = p->op == OP_PUT ? table_put(p->key, p->keyLen, p->val, p->valLen) : table_del(p->key, p->keyLen);
    applied++;
    logSectors++;
  }
  send_reply(p->clientId, p->reqId, status, p->op, 0, 0);
  diskBusy = 0;
  qHead = (qHead + 1) % QUEUE_SIZE;
  qCount--;
  start_next_write();
  if (nicPaused && qCount < QUEUE_SIZE) {
    nicPaused = 0;
    REG32(NIC_IRQ_ENABLE) = 1;
  }
}

/* ---- requests ---- */
static void serve(const uint8_t *pkt, uint32_t len) {
  uint32_t clientId = len >= 4 ? get32(pkt) : 0, reqId = len >= 8 ? get32(pkt + 4) : 0;
  if (len < REQ_HEADER) { send_reply(clientId, reqId, ST_BAD_REQUEST, 0, 0, 0); return; }
  uint32_t op = pkt[8], keyLen = pkt[9], valLen = get16(pkt + 10);
  const uint8_t *key = pkt + REQ_HEADER, *val = key + keyLen;
  int bad = keyLen < 1 || keyLen > MAX_KEY || valLen > MAX_VAL || len != REQ_HEADER + keyLen + valLen ||
            op < OP_GET || op > OP_DEL || (op != OP_PUT && valLen != 0);
  if (bad) { send_reply(clientId, reqId, ST_BAD_REQUEST, op, 0, 0); return; }
  if (op == OP_GET) {
    int at = find(key, keyLen);
    if (at < 0) send_reply(clientId, reqId, ST_NOT_FOUND, op, 0, 0);
    else send_reply(clientId, reqId, ST_OK, op, table[at].val, table[at].valLen);
    return;
  }
  struct pending *p = &queue[(qHead + qCount) % QUEUE_SIZE];
  p->clientId = clientId; p->reqId = reqId; p->op = (uint8_t)op;
  p->keyLen = (uint8_t)keyLen; p->valLen = (uint16_t)valLen;
  copy(p->key, key, keyLen);
  copy(p->val, val, valLen);
  qCount++;
  start_next_write();
}

static void nic_interrupt(void) {
  while (qCount < QUEUE_SIZE) {
    uint32_t len = nic_recv(rxbuf);
    if (len == 0) return;
    serve(rxbuf, len);
  }
  nicPaused = 1; /* queue full: stop taking packets until a write completes */
  REG32(NIC_IRQ_ENABLE) = 0;
}

/* ---- interrupts ---- */
static void timer_interrupt(void) {
  ticks++;
  nextTick += TICK_PERIOD;
  uint64_t now = clint_mtime();
  if (nextTick <= now) nextTick = now + TICK_PERIOD; /* fell behind: skip missed ticks */
  clint_set_mtimecmp(nextTick);
}

uint32_t trap_handler(uint32_t mcause, uint32_t mepc, uint32_t mtval) {
  (void)mtval;
  if ((mcause & MCAUSE_INTERRUPT) == 0) test_exit(0x80 | (mcause & 0x3f)); /* exceptions are bugs */
  uint32_t code = mcause & 0x3f;
  if (code == IRQ_M_TIMER) {
    timer_interrupt();
  } else if (code == IRQ_M_EXT) {
    for (uint32_t src, n = 0; n < 8 && (src = plic_claim()) != 0; n++) {
      if (src == PLIC_SRC_NIC) nic_interrupt();
      else if (src == PLIC_SRC_DISK) disk_interrupt();
      plic_complete(src);
    }
  }
  return mepc;
}

int main(void) {
  plic_enable(PLIC_SRC_DISK, 1);
  REG32(PLIC_THRESHOLD) = 0;
  REG32(DISK_IRQ_ENABLE) = 1;
  csr_set(mie, MIE_MEIE); /* wfi wakes on the disk while interrupts are still globally off */
  replay_log();
  uart_puts("kvstore: ");
  uart_putu(applied);
  uart_puts(" records replayed\n");

  plic_enable(PLIC_SRC_NIC, 1);
  REG32(NIC_IRQ_ENABLE) = 1;
  nextTick = clint_mtime() + TICK_PERIOD;
  clint_set_mtimecmp(nextTick);
  csr_set(mie, MIE_MTIE | MIE_MEIE);
  csr_set(mstatus, MSTATUS_MIE);
  for (;;) wfi();
}
