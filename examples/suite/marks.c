/* suite/marks: CoreMark-shaped mix — linked lists, int16/int32 matrices, a number-scanning state machine, CRC-16. */
#include "lockstep.h"

#define NOINLINE __attribute__((noinline))

#define ITERATIONS 220
#define LIST_NODES 120
#define MAT_N 18
#define TEXT_BYTES 1800
#define FINDS 24

typedef int16_t i16;
typedef int32_t i32;
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;

/* ---------- CRC-16/ARC (reflected 0x8005) ---------- */

static u16 crc16_byte(u8 b, u16 crc) {
  crc ^= b;
  for (int i = 0; i < 8; i++) crc = (crc & 1) ? (u16)((crc >> 1) ^ 0xa001u) : (u16)(crc >> 1);
  return crc;
}
NOINLINE static u16 crc16_u16(u16 v, u16 crc) {
  crc = crc16_byte((u8)v, crc);
  return crc16_byte((u8)(v >> 8), crc);
}
static u16 crc16_u32(u32 v, u16 crc) { return crc16_u16((u16)(v >> 16), crc16_u16((u16)v, crc)); }
static u16 crc16_i16(i16 v, u16 crc) { return crc16_u16((u16)v, crc); }
NOINLINE static u16 crc16_buf(const u8 *p, u32 n, u16 crc) {
  while (n--) crc = crc16_byte(*p++, crc);
  return crc;
}

/* ---------- PRNG ---------- */

struct rng { u32 s; };
static void rng_seed(struct rng *r, u32 seed) { r->s = seed ? seed : 0x9e3779b9u; }
static u32 rng_next(struct rng *r) {
  u32 x = r->s;
  x ^= x << 13; x ^= x >> 17; x ^= x << 5;
  return r->s = x;
}
static u32 rng_below(struct rng *r, u32 n) { return rng_next(r) % n; }

/* ---------- shared state ---------- */

struct item { i16 key; i16 seed; u16 value; u8 kind; u8 ready; };
struct node { struct node *next; struct item *data; };

struct matrices { i16 a[MAT_N * MAT_N]; i16 b[MAT_N * MAT_N]; i32 c[MAT_N * MAT_N]; int n; };

enum state { S_START, S_SIGN, S_ZERO, S_INT, S_POINT, S_FRAC, S_EXP, S_EXP_SIGN, S_EXP_INT,
             S_HEX_X, S_HEX, S_INVALID, S_COUNT };
enum token_class { T_INT, T_FLOAT, T_HEX, T_BAD, T_COUNT };

struct scan_stats {
  u32 finals[S_COUNT];
  u32 transitions[S_COUNT];
  u32 classes[T_COUNT];
  i32 int_sum;
  u32 hex_xor;
};

struct ctx {
  struct rng rng;
  struct node *list;
  struct node nodes[LIST_NODES];
  struct item items[LIST_NODES];
  struct matrices m;
  char text[TEXT_BYTES + 32];
  char saved[TEXT_BYTES + 32];
  u32 text_len;
};
static struct ctx the_ctx;

/* ---------- item values: computed lazily through a table of functions ---------- */

static u16 value_from_matrix(struct ctx *c, i16 seed) {
  int n = c->m.n, row = (u16)seed % n;
  i32 acc = 0;
  for (int j = 0; j < n; j++) acc += (i32)c->m.a[row * n + j] * c->m.b[j * n + row];
  return crc16_u32((u32)acc, (u16)seed);
}
static u16 value_from_text(struct ctx *c, i16 seed) {
  u32 start = (u16)seed % (c->text_len - 40), digits = 0, others = 0;
  for (u32 i = start; i < start + 40; i++) {
    char ch = c->text[i];
    if (ch >= '0' && ch <= '9') digits++; else others++;
  }
  return (u16)((digits << 8) ^ others ^ (u16)seed);
}
static u16 value_from_crc(struct ctx *c, i16 seed) {
  (void)c;
  return crc16_u32((u32)seed * 2654435761u, 0x1d0f);
}
static u16 value_from_poly(struct ctx *c, i16 seed) {
  static const i16 coeff[6] = { 3, -7, 11, 5, -2, 9 };
  (void)c;
  i32 x = seed & 0xff, acc = 0;
  for (int i = 0; i < 6; i++) acc = (acc * x + coeff[i]) & 0xffff;
  return (u16)acc;
}
typedef u16 (*value_fn)(struct ctx *, i16);
static const value_fn value_fns[4] = { value_from_matrix, value_from_text, value_from_crc, value_from_poly };

static u16 item_value(struct ctx *c, struct item *it) {
  if (!it->ready) {
    it->value = value_fns[it->kind & 3](c, it->seed);
    it->ready = 1;
  }
  return it->value;
}

/* ---------- linked list ---------- */

typedef int (*cmp_fn)(struct ctx *, struct item *, struct item *);

static int cmp_key(struct ctx *c, struct item *a, struct item *b) { (void)c; return a->key - b->key; }
static int cmp_value(struct ctx *c, struct item *a, struct item *b) {
  u16 va = item_value(c, a), vb = item_value(c, b);
  if (va != vb) return va < vb ? -1 : 1;
  return a->key - b->key;
}
static int cmp_mixed(struct ctx *c, struct item *a, struct item *b) {
  int ka = (item_value(c, a) ^ (u16)a->key) & 0xff, kb = (item_value(c, b) ^ (u16)b->key) & 0xff;
  return ka != kb ? ka - kb : a->key - b->key;
}

static struct node *list_build(struct ctx *c, int n) {
  for (int i = 0; i < n; i++) {
    struct item *it = &c->items[i];
    it->key = (i16)((i * 37) % n);
    it->seed = (i16)rng_next(&c->rng);
    it->kind = (u8)rng_below(&c->rng, 4);
    it->ready = 0;
    c->nodes[i].data = it;
    c->nodes[i].next = i + 1 < n ? &c->nodes[i + 1] : 0;
  }
  return &c->nodes[0];
}
static int list_length(const struct node *l) {
  int n = 0;
  for (; l; l = l->next) n++;
  return n;
}
NOINLINE static struct node *list_find_key(struct node *l, i16 key) {
  for (; l; l = l->next) if (l->data->key == key) return l;
  return 0;
}
NOINLINE static struct node *list_find_value(struct ctx *c, struct node *l, u16 value) {
  for (; l; l = l->next) if (l->data->ready && item_value(c, l->data) == value) return l;
  return 0;
}
NOINLINE static struct node *list_reverse(struct node *l) {
  struct node *prev = 0;
  while (l) { struct node *next = l->next; l->next = prev; prev = l; l = next; }
  return prev;
}
static struct node *list_remove_after(struct node *n) {
  struct node *gone = n->next;
  if (gone) { n->next = gone->next; gone->next = 0; }
  return gone;
}
static void list_insert_after(struct node *n, struct node *m) { m->next = n->next; n->next = m; }
static struct node *list_split(struct node *head) {
  struct node *slow = head, *fast = head->next;
  while (fast && fast->next) { slow = slow->next; fast = fast->next->next; }
  struct node *second = slow->next;
  slow->next = 0;
  return second;
}
static struct node *list_merge(struct ctx *c, struct node *a, struct node *b, cmp_fn cmp) {
  struct node head, *tail = &head;
  while (a && b) {
    if (cmp(c, a->data, b->data) <= 0) { tail->next = a; a = a->next; }
    else { tail->next = b; b = b->next; }
    tail = tail->next;
  }
  tail->next = a ? a : b;
  return head.next;
}
static struct node *list_sort(struct ctx *c, struct node *l, cmp_fn cmp) {
  if (!l || !l->next) return l;
  struct node *second = list_split(l);
  l = list_sort(c, l, cmp);
  second = list_sort(c, second, cmp);
  return list_merge(c, l, second, cmp);
}
static int list_is_sorted(struct ctx *c, struct node *l, cmp_fn cmp) {
  for (; l && l->next; l = l->next) if (cmp(c, l->data, l->next->data) > 0) return 0;
  return 1;
}
static u16 list_crc(struct ctx *c, const struct node *l, u16 crc) {
  for (; l; l = l->next) crc = crc16_u16(item_value(c, l->data), crc16_i16(l->data->key, crc));
  return crc;
}
static void list_refresh(struct node *l, u16 seed) {  /* invalidate some cached values */
  for (; l; l = l->next)
    if (((u16)l->data->key & 3) == (seed & 3)) { l->data->seed = (i16)(l->data->seed ^ seed); l->data->ready = 0; }
}

static u16 stage_list(struct ctx *c, u16 seed) {
  struct node *l = c->list;
  u16 crc = seed;
  int found = 0, missed = 0;
  for (int i = 0; i < FINDS; i++) {
    i16 key = (i16)((seed + i * 7) % (LIST_NODES + LIST_NODES / 4));
    struct node *hit = list_find_key(l, key);
    if (hit) { found++; crc = crc16_u16(item_value(c, hit->data), crc); }
    else missed++;
    if (list_find_value(c, l, (u16)(seed ^ (u16)i))) found += 2;
    if (i & 1) l = list_reverse(l);
  }
  l = list_sort(c, l, cmp_value);
  crc = list_crc(c, l, crc);
  struct node *gone = list_remove_after(l->next);
  crc = crc16_u16((u16)list_length(l), crc);
  l = list_sort(c, l, cmp_mixed);
  crc = crc16_i16(l->data->key, crc);
  list_insert_after(l, gone);
  l = list_sort(c, l, cmp_key);
  list_refresh(l, seed);
  c->list = l;
  return crc16_u16((u16)(found * 4 - missed), crc);
}

/* ---------- matrices ---------- */

static void mat_init(struct matrices *m, int n, u32 seed) {
  m->n = n;
  u32 x = seed | 1;
  for (int i = 0; i < n * n; i++) {
    x = x * 1103515245u + 12345u;
    m->a[i] = (i16)(((x >> 16) % 64) + 1);
    x = x * 1103515245u + 12345u;
    m->b[i] = (i16)(((x >> 16) % 64) - 20);
  }
}
NOINLINE static void mat_add_const(i16 *a, int n, i16 v) {
  for (int i = 0; i < n * n; i++) a[i] = (i16)(a[i] + v);
}
NOINLINE static void mat_mul_const(i32 *c, const i16 *a, int n, i16 v) {
  for (int i = 0; i < n * n; i++) c[i] = (i32)a[i] * v;
}
NOINLINE static void mat_mul_vec(i32 *c, const i16 *a, const i16 *b, int n) {
  for (int i = 0; i < n; i++) {
    i32 acc = 0;
    for (int j = 0; j < n; j++) acc += (i32)a[i * n + j] * b[j];
    c[i] = acc;
  }
}
NOINLINE static void mat_mul_mat(i32 *c, const i16 *a, const i16 *b, int n) {
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      i32 acc = 0;
      for (int k = 0; k < n; k++) acc += (i32)a[i * n + k] * b[k * n + j];
      c[i * n + j] = acc;
    }
}
NOINLINE static void mat_mul_bits(i32 *c, const i16 *a, const i16 *b, int n) {
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      i32 acc = 0;
      for (int k = 0; k < n; k++) {
        i32 p = (i32)a[i * n + k] * b[k * n + j];
        acc += ((p >> 3) & 0xf) * ((p >> 6) & 0x3f);
      }
      c[i * n + j] = acc;
    }
}
static void mat_transpose(i16 *a, int n) {
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++) { i16 t = a[i * n + j]; a[i * n + j] = a[j * n + i]; a[j * n + i] = t; }
}
NOINLINE static i16 mat_sum(const i32 *c, int count, i32 limit) {
  i32 run = 0, prev = 0;
  i16 ret = 0;
  for (int i = 0; i < count; i++) {
    run += c[i];
    if (run > limit) { ret = (i16)(ret + 10); run = 0; }
    else ret = (i16)(ret + (c[i] > prev ? 1 : 0));
    prev = c[i];
  }
  return ret;
}

static u16 stage_matrix(struct ctx *c, u16 seed) {
  struct matrices *m = &c->m;
  int n = m->n;
  i16 v = (i16)((seed & 0x0f) | 0x10);
  u16 crc = 0;
  mat_add_const(m->a, n, v);
  mat_mul_const(m->c, m->a, n, v);
  crc = crc16_i16(mat_sum(m->c, n * n, 2000), crc);
  mat_mul_vec(m->c, m->a, m->b, n);
  crc = crc16_i16(mat_sum(m->c, n, 4000), crc);
  mat_mul_mat(m->c, m->a, m->b, n);
  crc = crc16_i16(mat_sum(m->c, n * n, 9000), crc);
  mat_mul_bits(m->c, m->a, m->b, n);
  crc = crc16_i16(mat_sum(m->c, n * n, 3000), crc);
  mat_transpose(m->b, n);
  mat_mul_mat(m->c, m->b, m->a, n);
  crc = crc16_i16(mat_sum(m->c, n * n, 7000), crc);
  mat_transpose(m->b, n);
  mat_add_const(m->a, n, (i16)-v);
  return crc;
}

/* ---------- number scanner ---------- */

static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }
static int is_hex(char ch) { return is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F'); }
static int hex_value(char ch) { return is_digit(ch) ? ch - '0' : (ch | 0x20) - 'a' + 10; }

static enum state step(enum state s, char ch) {
  switch (s) {
  case S_START:
    if (ch == '+' || ch == '-') return S_SIGN;
    if (ch == '0') return S_ZERO;
    if (is_digit(ch)) return S_INT;
    return ch == '.' ? S_POINT : S_INVALID;
  case S_SIGN:
    if (ch == '0') return S_ZERO;
    if (is_digit(ch)) return S_INT;
    return ch == '.' ? S_POINT : S_INVALID;
  case S_ZERO:
    if (ch == 'x' || ch == 'X') return S_HEX_X;
    /* fall through */
  case S_INT:
    if (is_digit(ch)) return S_INT;
    if (ch == '.') return S_POINT;
    return (ch == 'e' || ch == 'E') ? S_EXP : S_INVALID;
  case S_POINT:
    return is_digit(ch) ? S_FRAC : S_INVALID;
  case S_FRAC:
    if (is_digit(ch)) return S_FRAC;
    return (ch == 'e' || ch == 'E') ? S_EXP : S_INVALID;
  case S_EXP:
    if (ch == '+' || ch == '-') return S_EXP_SIGN;
    return is_digit(ch) ? S_EXP_INT : S_INVALID;
  case S_EXP_SIGN:
  case S_EXP_INT:
    return is_digit(ch) ? S_EXP_INT : S_INVALID;
  case S_HEX_X:
  case S_HEX:
    return is_hex(ch) ? S_HEX : S_INVALID;
  default:
    return S_INVALID;
  }
}
static enum token_class classify(enum state s) {
  switch (s) {
  case S_ZERO: case S_INT: return T_INT;
  case S_FRAC: case S_EXP_INT: return T_FLOAT;
  case S_HEX: return T_HEX;
  default: return T_BAD;
  }
}
static i32 parse_dec(const char *p, u32 n) {  /* wraps modulo 2^32 like the hex parser */
  u32 v = 0, i = 0;
  int neg = 0;
  if (i < n && (p[i] == '-' || p[i] == '+')) { neg = p[i] == '-'; i++; }
  for (; i < n; i++) v = v * 10 + (u32)(p[i] - '0');
  return (i32)(neg ? 0u - v : v);
}
static u32 parse_hex(const char *p, u32 n) {
  u32 v = 0, i = 0;
  if (i < n && (p[i] == '-' || p[i] == '+')) i++;
  for (i += 2; i < n; i++) v = (v << 4) | (u32)hex_value(p[i]);
  return v;
}
/* Scans one comma-terminated token; returns the bytes consumed (separator included). */
NOINLINE static u32 scan_token(const char *p, u32 avail, struct scan_stats *st) {
  enum state s = S_START;
  u32 n = 0;
  while (n < avail && p[n] != ',') {
    enum state next = step(s, p[n]);
    if (next != s) st->transitions[next]++;
    s = next;
    n++;
  }
  st->finals[s]++;
  enum token_class cls = n ? classify(s) : T_BAD;
  st->classes[cls]++;
  if (cls == T_INT) st->int_sum += parse_dec(p, n);
  else if (cls == T_HEX) st->hex_xor = (st->hex_xor << 1 | st->hex_xor >> 31) ^ parse_hex(p, n);
  return n < avail ? n + 1 : n;
}
static void scan_text(const char *text, u32 len, struct scan_stats *st) {
  for (int i = 0; i < S_COUNT; i++) st->finals[i] = st->transitions[i] = 0;
  for (int i = 0; i < T_COUNT; i++) st->classes[i] = 0;
  st->int_sum = 0;
  st->hex_xor = 0;
  for (u32 pos = 0; pos < len;) pos += scan_token(text + pos, len - pos, st);
}
static u16 stats_crc(const struct scan_stats *st, u16 crc) {
  for (int i = 0; i < S_COUNT; i++) crc = crc16_u16((u16)st->finals[i], crc16_u16((u16)st->transitions[i], crc));
  for (int i = 0; i < T_COUNT; i++) crc = crc16_u16((u16)st->classes[i], crc);
  return crc16_u32(st->hex_xor, crc16_u32((u32)st->int_sum, crc));
}

/* Token generators, picked through a table. */
static u32 put_digits(char *out, struct rng *r, u32 count) {
  for (u32 i = 0; i < count; i++) out[i] = (char)('0' + rng_below(r, 10));
  return count;
}
static u32 gen_int(char *out, struct rng *r) {
  u32 n = 0;
  if (rng_below(r, 3) == 0) out[n++] = '-';
  out[n++] = (char)('1' + rng_below(r, 9));
  return n + put_digits(out + n, r, rng_below(r, 5));
}
static u32 gen_float(char *out, struct rng *r) {
  u32 n = gen_int(out, r);
  out[n++] = '.';
  return n + put_digits(out + n, r, 1 + rng_below(r, 4));
}
static u32 gen_sci(char *out, struct rng *r) {
  u32 n = gen_float(out, r);
  out[n++] = rng_below(r, 2) ? 'e' : 'E';
  if (rng_below(r, 2)) out[n++] = '-';
  return n + put_digits(out + n, r, 1 + rng_below(r, 2));
}
static u32 gen_hex(char *out, struct rng *r) {
  static const char digits[] = "0123456789abcdefABCDEF";
  u32 n = 0, len = 1 + rng_below(r, 6);
  out[n++] = '0';
  out[n++] = 'x';
  for (u32 i = 0; i < len; i++) out[n++] = digits[rng_below(r, 22)];
  return n;
}
static u32 gen_bad(char *out, struct rng *r) {
  static const char junk[] = "1.2.3e+x0xg--5..9e";
  u32 start = rng_below(r, 10), len = 2 + rng_below(r, 6), n = 0;
  for (u32 i = 0; i < len; i++) out[n++] = junk[(start + i) % (sizeof junk - 1)];
  return n;
}
typedef u32 (*gen_fn)(char *, struct rng *);
static const gen_fn generators[] = { gen_int, gen_int, gen_float, gen_sci, gen_hex, gen_bad };

static void text_build(struct ctx *c) {
  u32 n = 0;
  while (n < TEXT_BYTES) {
    n += generators[rng_below(&c->rng, sizeof generators / sizeof generators[0])](c->text + n, &c->rng);
    c->text[n++] = ',';
  }
  c->text_len = n;
  for (u32 i = 0; i < n; i++) c->saved[i] = c->text[i];
}

static u16 stage_state(struct ctx *c, u16 seed) {
  static const char swaps[] = "0x.e+-9aZ,";
  struct scan_stats st;
  scan_text(c->text, c->text_len, &st);
  u16 crc = stats_crc(&st, seed);
  u32 stride = 7 + (seed & 15);
  for (u32 i = seed % stride; i < c->text_len; i += stride) c->text[i] = swaps[(i ^ seed) % 10];
  scan_text(c->text, c->text_len, &st);
  crc = stats_crc(&st, crc);
  for (u32 i = 0; i < c->text_len; i++) c->text[i] = c->saved[i];
  return crc;
}

/* ---------- driver ---------- */

static void put_hex16(u16 v) {
  for (int i = 12; i >= 0; i -= 4) uart_putc("0123456789abcdef"[(v >> i) & 15]);
}

struct stage { const char *name; u16 (*run)(struct ctx *, u16); u16 crc; };
static struct stage stages[] = {
  { "list", stage_list, 0 },
  { "matrix", stage_matrix, 0 },
  { "state", stage_state, 0 },
};
#define NSTAGES (sizeof stages / sizeof stages[0])

static void ctx_init(struct ctx *c, u32 seed) {
  rng_seed(&c->rng, seed);
  mat_init(&c->m, MAT_N, seed ^ 0x5a5a);
  text_build(c);
  c->list = list_build(c, LIST_NODES);
}

int main(void) {
  struct ctx *c = &the_ctx;
  u16 check = crc16_buf((const u8 *)"123456789", 9, 0);  /* CRC-16/ARC: 0xbb3d */
  ctx_init(c, 0x3415u);
  u16 total = 0;
  for (u32 iter = 0; iter < ITERATIONS; iter++) {
    u16 seed = (u16)(iter * 0x9e37u + 0x66);
    for (u32 s = 0; s < NSTAGES; s++) {
      u16 r = stages[s].run(c, seed);
      stages[s].crc = crc16_u16(r, stages[s].crc);
      total = crc16_u16(r, total);
    }
  }
  int ok = check == 0xbb3d && list_length(c->list) == LIST_NODES && list_is_sorted(c, c->list, cmp_key);
  uart_puts("marks: ");
  uart_putu(ITERATIONS);
  uart_puts(" iterations");
  for (u32 s = 0; s < NSTAGES; s++) {
    uart_puts(", ");
    uart_puts(stages[s].name);
    uart_puts(" 0x");
    put_hex16(stages[s].crc);
  }
  uart_puts("\nmarks: checksum 0x");
  put_hex16(total);
  uart_puts(ok ? " ok\n" : " FAILED\n");
  return ok ? 0 : 1;
}
