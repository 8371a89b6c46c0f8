/* suite/lz: LZSS compressor (hash chains, lazy matching, 3 levels) and decompressor round-tripping generated inputs. */
#include "lockstep.h"

#define NOINLINE __attribute__((noinline))

#define INPUT_BYTES 49152u
#define RECORD_BYTES 12u
#define WINDOW_BITS 12
#define WINDOW (1u << WINDOW_BITS)
#define WINDOW_MASK (WINDOW - 1)
#define HASH_BITS 13
#define HASH_SIZE (1u << HASH_BITS)
#define MIN_MATCH 3u
#define MAX_MATCH 258u
#define HEADER_BYTES 10u
#define OUT_CAP (INPUT_BYTES + INPUT_BYTES / 8 + 64)

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;

/* ---------- checksums ---------- */

static u32 crc_table[256];
static void crc32_init(void) {
  for (u32 n = 0; n < 256; n++) {
    u32 c = n;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    crc_table[n] = c;
  }
}
static u32 crc32(u32 crc, const u8 *p, u32 n) {
  crc = ~crc;
  while (n--) crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return ~crc;
}
static u32 adler32(const u8 *p, u32 n) {
  u32 a = 1, b = 0;
  while (n > 0) {
    u32 chunk = n < 3800 ? n : 3800;
    n -= chunk;
    while (chunk--) { a += *p++; b += a; }
    a %= 65521u;
    b %= 65521u;
  }
  return b << 16 | a;
}

/* ---------- bit streams (LSB first) ---------- */

struct bitwriter { u8 *buf; u32 cap, pos, acc; int nbits, overflow; };
struct bitreader { const u8 *buf; u32 len, pos, acc; int nbits, overrun; };

static void bw_init(struct bitwriter *w, u8 *buf, u32 cap) {
  w->buf = buf; w->cap = cap; w->pos = 0; w->acc = 0; w->nbits = 0; w->overflow = 0;
}
static void bw_put(struct bitwriter *w, u32 value, int nbits) {
  w->acc |= value << w->nbits;
  w->nbits += nbits;
  while (w->nbits >= 8) {
    if (w->pos < w->cap) w->buf[w->pos++] = (u8)w->acc;
    else w->overflow = 1;
    w->acc >>= 8;
    w->nbits -= 8;
  }
}
static void bw_put_gamma(struct bitwriter *w, u32 v) {  /* v >= 1: k ones, a zero, then k low bits */
  int k = 0;
  while ((v >> (k + 1)) != 0) k++;
  bw_put(w, (1u << k) - 1, k + 1);
  if (k) bw_put(w, v & ((1u << k) - 1), k);
}
static u32 bw_finish(struct bitwriter *w) {
  if (w->nbits > 0) bw_put(w, 0, 8 - w->nbits);
  return w->overflow ? 0 : w->pos;
}
static void br_init(struct bitreader *r, const u8 *buf, u32 len) {
  r->buf = buf; r->len = len; r->pos = 0; r->acc = 0; r->nbits = 0; r->overrun = 0;
}
static u32 br_get(struct bitreader *r, int nbits) {
  while (r->nbits < nbits) {
    u32 byte = 0;
    if (r->pos < r->len) byte = r->buf[r->pos++];
    else r->overrun = 1;
    r->acc |= byte << r->nbits;
    r->nbits += 8;
  }
  u32 v = r->acc & ((1u << nbits) - 1);
  r->acc >>= nbits;
  r->nbits -= nbits;
  return v;
}
static u32 br_get_gamma(struct bitreader *r) {
  int k = 0;
  while (br_get(r, 1)) if (++k > 16) { r->overrun = 1; return 1; }
  return k ? (1u << k) | br_get(r, k) : 1;
}

/* ---------- compressor ---------- */

struct level { const char *name; u16 max_chain, nice, insert_limit; u8 lazy; };
static const struct level levels[] = {
  { "fast", 4, 16, 8, 0 },
  { "normal", 24, 64, 64, 1 },
  { "best", 160, 258, 258, 1 },
};
#define NLEVELS (sizeof levels / sizeof levels[0])

struct lz {
  const u8 *in;
  u32 n, ins;
  const struct level *lv;
  u32 head[HASH_SIZE];
  u32 prev[WINDOW];
  u32 literals, matches, chain_steps;
};
static struct lz the_lz;

static u32 hash3(const u8 *p) {
  return (((u32)p[0] << 16 | (u32)p[1] << 8 | p[2]) * 2654435761u) >> (32 - HASH_BITS);
}
static void lz_reset(struct lz *z, const u8 *in, u32 n, const struct level *lv) {
  z->in = in; z->n = n; z->ins = 0; z->lv = lv;
  z->literals = z->matches = z->chain_steps = 0;
  for (u32 i = 0; i < HASH_SIZE; i++) z->head[i] = 0;
}
static void lz_insert(struct lz *z, u32 pos) {
  if (pos + MIN_MATCH > z->n) return;
  u32 h = hash3(z->in + pos);
  z->prev[pos & WINDOW_MASK] = z->head[h];
  z->head[h] = pos + 1;
}
static void lz_catch_up(struct lz *z, u32 upto) {
  while (z->ins < upto) lz_insert(z, z->ins++);
}
static u32 match_length(const u8 *a, const u8 *b, u32 max) {
  u32 n = 0;
  while (n < max && a[n] == b[n]) n++;
  return n;
}
NOINLINE static u32 lz_longest(struct lz *z, u32 pos, u32 *dist) {
  u32 maxlen = z->n - pos;
  if (maxlen > MAX_MATCH) maxlen = MAX_MATCH;
  if (maxlen < MIN_MATCH) return 0;
  const u8 *in = z->in;
  u32 best = 0, chain = z->lv->max_chain, nice = z->lv->nice;
  u32 cand = z->head[hash3(in + pos)];
  while (cand && chain--) {
    u32 c = cand - 1;
    if (pos - c > WINDOW) break;
    z->chain_steps++;
    if (in[c + best] == in[pos + best] && in[c] == in[pos]) {
      u32 len = match_length(in + c, in + pos, maxlen);
      if (len > best) {
        best = len;
        *dist = pos - c;
        if (len >= nice || len == maxlen) break;
      }
    }
    u32 next = z->prev[c & WINDOW_MASK];
    if (next >= cand) break;
    cand = next;
  }
  return best >= MIN_MATCH ? best : 0;
}
static void emit_literal(struct lz *z, struct bitwriter *w, u8 b) {
  bw_put(w, 0, 1);
  bw_put(w, b, 8);
  z->literals++;
}
static void emit_match(struct lz *z, struct bitwriter *w, u32 dist, u32 len) {
  bw_put(w, 1, 1);
  bw_put(w, dist - 1, WINDOW_BITS);
  bw_put_gamma(w, len - MIN_MATCH + 1);
  z->matches++;
}
/* Returns the compressed size, 0 when it does not fit in cap. */
static u32 lz_compress(struct lz *z, const u8 *in, u32 n, u8 *out, u32 cap, const struct level *lv) {
  struct bitwriter w;
  bw_init(&w, out, cap);
  lz_reset(z, in, n, lv);
  u32 pos = 0;
  while (pos < n) {
    lz_catch_up(z, pos);
    u32 dist = 0, len = lz_longest(z, pos, &dist);
    if (len && lv->lazy && len < lv->nice && pos + 1 < n) {
      u32 dist2 = 0, len2;
      lz_catch_up(z, pos + 1);
      len2 = lz_longest(z, pos + 1, &dist2);
      if (len2 > len) {
        emit_literal(z, &w, in[pos]);
        pos++;
        len = len2;
        dist = dist2;
      }
    }
    if (len) {
      emit_match(z, &w, dist, len);
      if (len > lv->insert_limit) z->ins = pos + len;
      pos += len;
    } else {
      emit_literal(z, &w, in[pos]);
      pos++;
    }
  }
  return bw_finish(&w);
}

enum lz_error { LZ_OK = 0, LZ_BAD_METHOD = -1, LZ_BAD_STREAM = -2, LZ_TOO_BIG = -3, LZ_BAD_SUM = -4 };

NOINLINE static int lz_decompress(const u8 *in, u32 len, u8 *out, u32 outlen) {
  struct bitreader r;
  br_init(&r, in, len);
  u32 o = 0;
  while (o < outlen) {
    if (br_get(&r, 1) == 0) {
      out[o++] = (u8)br_get(&r, 8);
    } else {
      u32 dist = br_get(&r, WINDOW_BITS) + 1;
      u32 mlen = br_get_gamma(&r) + MIN_MATCH - 1;
      if (dist > o || o + mlen > outlen) return LZ_BAD_STREAM;
      const u8 *src = out + o - dist;
      for (u32 i = 0; i < mlen; i++) out[o + i] = src[i];
      o += mlen;
    }
    if (r.overrun) return LZ_BAD_STREAM;
  }
  return (int)o;
}

/* ---------- filters and container ---------- */

typedef void (*filter_fn)(u8 *p, u32 n);
static void filter_none(u8 *p, u32 n) { (void)p; (void)n; }
static void delta_encode(u8 *p, u32 n) {  /* byte-wise difference to the previous record */
  for (u32 i = n; i-- > RECORD_BYTES;) p[i] = (u8)(p[i] - p[i - RECORD_BYTES]);
}
static void delta_decode(u8 *p, u32 n) {
  for (u32 i = RECORD_BYTES; i < n; i++) p[i] = (u8)(p[i] + p[i - RECORD_BYTES]);
}
static const filter_fn filters_forward[] = { filter_none, delta_encode };
static const filter_fn filters_inverse[] = { filter_none, delta_decode };

enum method { METHOD_STORED = 0, METHOD_LZSS = 1 };

static void put_le32(u8 *p, u32 v) { p[0] = (u8)v; p[1] = (u8)(v >> 8); p[2] = (u8)(v >> 16); p[3] = (u8)(v >> 24); }
static u32 get_le32(const u8 *p) { return p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24; }

static u8 scratch[INPUT_BYTES];

/* Container: method, filter, length, adler32 of the original, payload. */
static u32 lz_pack(const u8 *in, u32 n, u8 *out, u32 cap, const struct level *lv, int filter) {
  for (u32 i = 0; i < n; i++) scratch[i] = in[i];
  filters_forward[filter](scratch, n);
  u32 size = lz_compress(&the_lz, scratch, n, out + HEADER_BYTES, cap - HEADER_BYTES, lv);
  u8 method = METHOD_LZSS;
  if (size == 0 || size >= n) {
    method = METHOD_STORED;
    for (u32 i = 0; i < n; i++) out[HEADER_BYTES + i] = scratch[i];
    size = n;
  }
  out[0] = method;
  out[1] = (u8)filter;
  put_le32(out + 2, n);
  put_le32(out + 6, adler32(in, n));
  return size + HEADER_BYTES;
}
static int lz_unpack(const u8 *in, u32 len, u8 *out, u32 cap) {
  if (len < HEADER_BYTES) return LZ_BAD_STREAM;
  u32 n = get_le32(in + 2);
  if (n > cap) return LZ_TOO_BIG;
  if (in[1] >= sizeof filters_inverse / sizeof filters_inverse[0]) return LZ_BAD_METHOD;
  int got;
  switch (in[0]) {
  case METHOD_STORED:
    if (len - HEADER_BYTES != n) return LZ_BAD_STREAM;
    for (u32 i = 0; i < n; i++) out[i] = in[HEADER_BYTES + i];
    got = (int)n;
    break;
  case METHOD_LZSS:
    got = lz_decompress(in + HEADER_BYTES, len - HEADER_BYTES, out, n);
    break;
  default:
    return LZ_BAD_METHOD;
  }
  if (got < 0) return got;
  filters_inverse[in[1]](out, n);
  return adler32(out, n) == get_le32(in + 6) ? got : LZ_BAD_SUM;
}

/* ---------- generated inputs ---------- */

static u32 rng_state;
static u32 rng_next(void) {
  rng_state ^= rng_state << 13; rng_state ^= rng_state >> 17; rng_state ^= rng_state << 5;
  return rng_state;
}
static u32 rng_below(u32 n) { return rng_next() % n; }

struct text { u8 *buf; u32 len, cap; };
static void put_char(struct text *t, char c) { if (t->len < t->cap) t->buf[t->len++] = (u8)c; }
static void put_str(struct text *t, const char *s) { while (*s) put_char(t, *s++); }
static void put_uint(struct text *t, u32 v, int width) {
  char digits[10];
  int n = 0;
  do { digits[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (width-- > n) put_char(t, '0');
  while (n) put_char(t, digits[--n]);
}

#define VOCAB 160
static char vocab[VOCAB][12];
static void make_vocab(void) {
  static const char *const onsets[] = { "b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v",
                                         "st", "tr", "ch" };
  static const char *const vowels[] = { "a", "e", "i", "o", "u", "ai", "ea", "ou" };
  for (int w = 0; w < VOCAB; w++) {
    int n = 0, syll = 1 + (int)rng_below(3);
    for (int s = 0; s < syll; s++) {
      const char *on = onsets[rng_below(16)], *vo = vowels[rng_below(8)];
      while (*on && n < 10) vocab[w][n++] = *on++;
      while (*vo && n < 10) vocab[w][n++] = *vo++;
    }
    if (rng_below(3) == 0 && n < 11) vocab[w][n++] = "nrstl"[rng_below(5)];
    vocab[w][n] = 0;
  }
}
static const char *pick_word(void) {
  u32 r = rng_next();
  return vocab[(r & 0xffff) % ((r >> 16) % VOCAB + 1)];  /* small indices are common */
}

static void gen_prose(struct text *t) {
  while (t->len < t->cap) {
    u32 words = 4 + rng_below(14);
    for (u32 i = 0; i < words; i++) {
      const char *w = pick_word();
      if (i == 0) { put_char(t, (char)(w[0] - 32)); w++; }
      put_str(t, w);
      if (i + 1 < words) put_str(t, rng_below(9) == 0 ? ", " : " ");
    }
    switch (rng_below(6)) {
    case 0: put_str(t, "? "); break;
    case 1: put_str(t, "! "); break;
    case 2: put_str(t, ".\n\n"); break;
    default: put_str(t, ". "); break;
    }
    if (rng_below(10) == 0) { put_str(t, "(see "); put_uint(t, rng_below(400), 0); put_str(t, ") "); }
  }
}
static void gen_log(struct text *t) {
  static const char *const lvls[] = { "INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR" };
  static const char *const what[] = { "processed", "queued", "dropped", "retried" };
  u32 sec = 3600 * 9;
  while (t->len < t->cap) {
    sec += rng_below(4);
    put_str(t, "2031-04-17 ");
    put_uint(t, sec / 3600 % 24, 2); put_char(t, ':');
    put_uint(t, sec / 60 % 60, 2); put_char(t, ':');
    put_uint(t, sec % 60, 2);
    put_str(t, " ["); put_str(t, lvls[rng_below(6)]); put_str(t, "] worker ");
    put_uint(t, rng_below(24), 0); put_str(t, ": ");
    put_str(t, what[rng_below(4)]); put_char(t, ' ');
    put_uint(t, rng_below(5000), 0); put_str(t, " items in ");
    put_uint(t, 1 + rng_below(900), 0); put_str(t, " ms\n");
  }
}
static void gen_records(struct text *t) {
  u32 id = 1000, counter = 0, temp = 2000;
  while (t->len + RECORD_BYTES <= t->cap) {
    id += 1 + rng_below(2);
    counter += rng_below(40);
    temp += rng_below(7) - 3;
    put_le32(t->buf + t->len, id);
    t->buf[t->len + 4] = (u8)temp; t->buf[t->len + 5] = (u8)(temp >> 8);
    t->buf[t->len + 6] = (u8)(rng_below(8) == 0); t->buf[t->len + 7] = 0;
    put_le32(t->buf + t->len + 8, counter);
    t->len += RECORD_BYTES;
  }
  while (t->len < t->cap) t->buf[t->len++] = 0;
}

struct input { const char *name; void (*gen)(struct text *); int filter; };
static const struct input inputs[] = {
  { "prose", gen_prose, 0 },
  { "log", gen_log, 0 },
  { "records", gen_records, 1 },
};
#define NINPUTS (sizeof inputs / sizeof inputs[0])

static u8 original[INPUT_BYTES];
static u8 packed[OUT_CAP];
static u8 unpacked[INPUT_BYTES];

int main(void) {
  crc32_init();
  rng_state = 0x1badb002u;
  make_vocab();
  u32 checksum = 0, total_in = 0, total_out = 0;
  int ok = 1;
  for (u32 k = 0; k < NINPUTS; k++) {
    struct text t = { original, 0, INPUT_BYTES };
    inputs[k].gen(&t);
    uart_puts("lz: ");
    uart_puts(inputs[k].name);
    uart_puts(" ");
    uart_putu(t.len);
    for (u32 l = 0; l < NLEVELS; l++) {
      u32 size = lz_pack(original, t.len, packed, OUT_CAP, &levels[l], inputs[k].filter);
      int got = lz_unpack(packed, size, unpacked, INPUT_BYTES);
      int same = got == (int)t.len;
      for (u32 i = 0; same && i < t.len; i++) same = unpacked[i] == original[i];
      ok &= same;
      checksum = crc32(checksum, packed, size);
      total_in += t.len;
      total_out += size;
      uart_puts(l ? ", " : " -> ");
      uart_puts(levels[l].name);
      uart_puts(" ");
      uart_putu(size);
      if (!same) uart_puts(" (MISMATCH)");
    }
    uart_putc('\n');
  }
  uart_puts("lz: ");
  uart_putu(total_in);
  uart_puts(" bytes in, ");
  uart_putu(total_out);
  uart_puts(" out, checksum 0x");
  uart_puthex(checksum);
  uart_puts(ok ? " ok\n" : " FAILED\n");
  return ok ? 0 : 1;
}
