/* suite/sha256: SHA-256, HMAC, PBKDF2, HKDF and a Merkle tree over generated data, with base64 of the digests. */
#include "lockstep.h"

#define NOINLINE __attribute__((noinline))

#define DATA_BYTES 20000u
#define MERKLE_LEAF 256u
#define PBKDF2_ROUNDS 3000u
#define HMAC_MESSAGES 96u

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

static const u32 K[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};
static const u32 H0[8] = {
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

/* ---------- byte helpers ---------- */

static void copy_bytes(u8 *dst, const u8 *src, u32 n) { while (n--) *dst++ = *src++; }
static void zero_bytes(u8 *dst, u32 n) { while (n--) *dst++ = 0; }
static int same_bytes(const u8 *a, const u8 *b, u32 n) {
  u8 diff = 0;
  while (n--) diff |= *a++ ^ *b++;
  return diff == 0;
}
static u32 str_len(const char *s) { u32 n = 0; while (s[n]) n++; return n; }
static int str_eq(const char *a, const char *b) {
  while (*a && *a == *b) { a++; b++; }
  return *a == *b;
}
static u32 load_be32(const u8 *p) { return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3]; }
static void store_be32(u8 *p, u32 v) { p[0] = (u8)(v >> 24); p[1] = (u8)(v >> 16); p[2] = (u8)(v >> 8); p[3] = (u8)v; }

/* ---------- SHA-256 ---------- */

struct sha256 { u32 h[8]; u8 block[64]; u32 used; u64 total; };

static u32 rotr(u32 x, int n) { return (x >> n) | (x << (32 - n)); }
static u32 big_sigma0(u32 x) { return rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22); }
static u32 big_sigma1(u32 x) { return rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25); }
static u32 small_sigma0(u32 x) { return rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3); }
static u32 small_sigma1(u32 x) { return rotr(x, 17) ^ rotr(x, 19) ^ (x >> 10); }
static u32 choose(u32 e, u32 f, u32 g) { return (e & f) ^ (~e & g); }
static u32 majority(u32 a, u32 b, u32 c) { return (a & b) ^ (a & c) ^ (b & c); }

NOINLINE static void sha256_compress(u32 h[8], const u8 *block) {
  u32 w[64];
  for (int i = 0; i < 16; i++) w[i] = load_be32(block + 4 * i);
  for (int i = 16; i < 64; i++) w[i] = w[i - 16] + small_sigma0(w[i - 15]) + w[i - 7] + small_sigma1(w[i - 2]);
  u32 a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int i = 0; i < 64; i++) {
    u32 t1 = hh + big_sigma1(e) + choose(e, f, g) + K[i] + w[i];
    u32 t2 = big_sigma0(a) + majority(a, b, c);
    hh = g; g = f; f = e; e = d + t1;
    d = c; c = b; b = a; a = t1 + t2;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d;
  h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}
static void sha256_init(struct sha256 *s) {
  for (int i = 0; i < 8; i++) s->h[i] = H0[i];
  s->used = 0;
  s->total = 0;
}
static void sha256_copy(struct sha256 *dst, const struct sha256 *src) {
  for (int i = 0; i < 8; i++) dst->h[i] = src->h[i];
  copy_bytes(dst->block, src->block, src->used);
  dst->used = src->used;
  dst->total = src->total;
}
NOINLINE static void sha256_update(struct sha256 *s, const u8 *p, u32 n) {
  s->total += n;
  if (s->used) {
    u32 take = 64 - s->used;
    if (take > n) take = n;
    copy_bytes(s->block + s->used, p, take);
    s->used += take; p += take; n -= take;
    if (s->used < 64) return;
    sha256_compress(s->h, s->block);
    s->used = 0;
  }
  for (; n >= 64; p += 64, n -= 64) sha256_compress(s->h, p);
  copy_bytes(s->block, p, n);
  s->used = n;
}
NOINLINE static void sha256_final(struct sha256 *s, u8 out[32]) {
  u64 bits = s->total * 8;
  s->block[s->used++] = 0x80;
  if (s->used > 56) {
    zero_bytes(s->block + s->used, 64 - s->used);
    sha256_compress(s->h, s->block);
    s->used = 0;
  }
  zero_bytes(s->block + s->used, 56 - s->used);
  store_be32(s->block + 56, (u32)(bits >> 32));
  store_be32(s->block + 60, (u32)bits);
  sha256_compress(s->h, s->block);
  for (int i = 0; i < 8; i++) store_be32(out + 4 * i, s->h[i]);
}
static void sha256_oneshot(const u8 *p, u32 n, u8 out[32]) {
  struct sha256 s;
  sha256_init(&s);
  sha256_update(&s, p, n);
  sha256_final(&s, out);
}

/* ---------- HMAC-SHA256, PBKDF2, HKDF ---------- */

struct hmac { struct sha256 inner, outer; };

static void hmac_init(struct hmac *m, const u8 *key, u32 klen) {
  u8 k[64], pad[64];
  if (klen > 64) { sha256_oneshot(key, klen, k); klen = 32; }
  else copy_bytes(k, key, klen);
  zero_bytes(k + klen, 64 - klen);
  for (int i = 0; i < 64; i++) pad[i] = k[i] ^ 0x36;
  sha256_init(&m->inner);
  sha256_update(&m->inner, pad, 64);
  for (int i = 0; i < 64; i++) pad[i] = k[i] ^ 0x5c;
  sha256_init(&m->outer);
  sha256_update(&m->outer, pad, 64);
}
static void hmac_copy(struct hmac *dst, const struct hmac *src) {
  sha256_copy(&dst->inner, &src->inner);
  sha256_copy(&dst->outer, &src->outer);
}
static void hmac_update(struct hmac *m, const u8 *p, u32 n) { sha256_update(&m->inner, p, n); }
static void hmac_final(struct hmac *m, u8 out[32]) {
  u8 inner[32];
  sha256_final(&m->inner, inner);
  sha256_update(&m->outer, inner, 32);
  sha256_final(&m->outer, out);
}
static void hmac_oneshot(const u8 *key, u32 klen, const u8 *msg, u32 n, u8 out[32]) {
  struct hmac m;
  hmac_init(&m, key, klen);
  hmac_update(&m, msg, n);
  hmac_final(&m, out);
}

static void pbkdf2(const u8 *pw, u32 pwlen, const u8 *salt, u32 slen, u32 rounds, u8 *out, u32 outlen) {
  struct hmac base, work;
  hmac_init(&base, pw, pwlen);
  for (u32 blk = 1; outlen > 0; blk++) {
    u8 u[32], t[32], be[4];
    store_be32(be, blk);
    hmac_copy(&work, &base);
    hmac_update(&work, salt, slen);
    hmac_update(&work, be, 4);
    hmac_final(&work, u);
    copy_bytes(t, u, 32);
    for (u32 r = 1; r < rounds; r++) {
      hmac_copy(&work, &base);
      hmac_update(&work, u, 32);
      hmac_final(&work, u);
      for (int i = 0; i < 32; i++) t[i] ^= u[i];
    }
    u32 take = outlen < 32 ? outlen : 32;
    copy_bytes(out, t, take);
    out += take;
    outlen -= take;
  }
}

static void hkdf_extract(const u8 *salt, u32 slen, const u8 *ikm, u32 ilen, u8 prk[32]) {
  hmac_oneshot(salt, slen, ikm, ilen, prk);
}
static void hkdf_expand(const u8 prk[32], const u8 *info, u32 ilen, u8 *out, u32 outlen) {
  u8 t[32];
  u32 tlen = 0;
  for (u8 counter = 1; outlen > 0; counter++) {
    struct hmac m;
    hmac_init(&m, prk, 32);
    hmac_update(&m, t, tlen);
    hmac_update(&m, info, ilen);
    hmac_update(&m, &counter, 1);
    hmac_final(&m, t);
    tlen = 32;
    u32 take = outlen < 32 ? outlen : 32;
    copy_bytes(out, t, take);
    out += take;
    outlen -= take;
  }
}

/* ---------- Merkle tree (RFC 6962 shape: 0x00 leaves, 0x01 nodes) ---------- */

static void merkle_leaf(const u8 *p, u32 n, u8 out[32]) {
  struct sha256 s;
  u8 tag = 0;
  sha256_init(&s);
  sha256_update(&s, &tag, 1);
  sha256_update(&s, p, n);
  sha256_final(&s, out);
}
static void merkle_node(const u8 left[32], const u8 right[32], u8 out[32]) {
  struct sha256 s;
  u8 tag = 1;
  sha256_init(&s);
  sha256_update(&s, &tag, 1);
  sha256_update(&s, left, 32);
  sha256_update(&s, right, 32);
  sha256_final(&s, out);
}
static u32 merkle_split(u32 n) {
  u32 k = MERKLE_LEAF;
  while (k * 2 < n) k *= 2;
  return k;
}
static void merkle_root(const u8 *p, u32 n, u8 out[32], u32 *leaves) {
  if (n <= MERKLE_LEAF) { merkle_leaf(p, n, out); (*leaves)++; return; }
  u8 left[32], right[32];
  u32 k = merkle_split(n);
  merkle_root(p, k, left, leaves);
  merkle_root(p + k, n - k, right, leaves);
  merkle_node(left, right, out);
}

/* ---------- base64 and hex ---------- */

static const char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static u32 base64_encode(const u8 *p, u32 n, char *out) {
  u32 o = 0, i = 0;
  for (; i + 3 <= n; i += 3) {
    u32 v = (u32)p[i] << 16 | (u32)p[i + 1] << 8 | p[i + 2];
    out[o++] = b64_alphabet[v >> 18];
    out[o++] = b64_alphabet[(v >> 12) & 63];
    out[o++] = b64_alphabet[(v >> 6) & 63];
    out[o++] = b64_alphabet[v & 63];
  }
  if (n - i == 1) {
    u32 v = (u32)p[i] << 16;
    out[o++] = b64_alphabet[v >> 18];
    out[o++] = b64_alphabet[(v >> 12) & 63];
    out[o++] = '=';
    out[o++] = '=';
  } else if (n - i == 2) {
    u32 v = (u32)p[i] << 16 | (u32)p[i + 1] << 8;
    out[o++] = b64_alphabet[v >> 18];
    out[o++] = b64_alphabet[(v >> 12) & 63];
    out[o++] = b64_alphabet[(v >> 6) & 63];
    out[o++] = '=';
  }
  out[o] = 0;
  return o;
}
static int base64_index(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  switch (c) {
  case '+': return 62;
  case '/': return 63;
  case '=': return 64;
  default: return -1;
  }
}
static int base64_decode(const char *s, u32 n, u8 *out) {
  if (n % 4) return -1;
  int o = 0;
  for (u32 i = 0; i < n; i += 4) {
    int q[4];
    for (int j = 0; j < 4; j++) if ((q[j] = base64_index(s[i + j])) < 0) return -1;
    if (q[0] == 64 || q[1] == 64) return -1;
    u32 v = (u32)q[0] << 18 | (u32)q[1] << 12 | (u32)(q[2] & 63) << 6 | (u32)(q[3] & 63);
    out[o++] = (u8)(v >> 16);
    if (q[2] != 64) out[o++] = (u8)(v >> 8);
    if (q[3] != 64) out[o++] = (u8)v;
  }
  return o;
}
static void hex_encode(const u8 *p, u32 n, char *out) {
  for (u32 i = 0; i < n; i++) {
    out[2 * i] = "0123456789abcdef"[p[i] >> 4];
    out[2 * i + 1] = "0123456789abcdef"[p[i] & 15];
  }
  out[2 * n] = 0;
}

/* ---------- generated input ---------- */

static u8 data[DATA_BYTES];
static u32 rng_state;
static u32 rng_next(void) {
  rng_state ^= rng_state << 13; rng_state ^= rng_state >> 17; rng_state ^= rng_state << 5;
  return rng_state;
}
static void make_data(u32 seed) {
  static const char *const words[] = { "block", "digest", "round", "schedule", "message", "padding",
                                       "length", "state", "mix", "salt", "key", "leaf", "node" };
  rng_state = seed;
  u32 n = 0;
  while (n < DATA_BYTES) {
    u32 r = rng_next();
    if ((r & 7) == 0) {  /* a short run of raw bytes */
      for (u32 k = 0; k < (r >> 8) % 12 && n < DATA_BYTES; k++) data[n++] = (u8)rng_next();
    } else {
      const char *w = words[(r >> 3) % (sizeof words / sizeof words[0])];
      while (*w && n < DATA_BYTES) data[n++] = (u8)*w++;
      if (n < DATA_BYTES) data[n++] = (r >> 20) % 5 ? ' ' : '\n';
    }
  }
}

static const u16 chunk_pattern[] = { 1, 3, 64, 63, 65, 200, 7, 128, 31, 500, 2, 1000, 55, 56, 57 };
#define NCHUNKS (sizeof chunk_pattern / sizeof chunk_pattern[0])

static void hash_chunked(const u8 *p, u32 n, u32 start, u8 out[32]) {
  struct sha256 s;
  sha256_init(&s);
  for (u32 k = start; n > 0; k++) {
    u32 take = chunk_pattern[k % NCHUNKS];
    if (take > n) take = n;
    sha256_update(&s, p, take);
    p += take;
    n -= take;
  }
  sha256_final(&s, out);
}

/* ---------- driver ---------- */

static struct sha256 transcript;

static void report(const char *label, const u8 *bytes, u32 n, int as_base64) {
  char text[2 * 64 + 8];
  if (as_base64) base64_encode(bytes, n, text);
  else hex_encode(bytes, n, text);
  uart_puts("sha256: ");
  uart_puts(label);
  uart_puts(" ");
  uart_puts(text);
  uart_putc('\n');
  sha256_update(&transcript, bytes, n);
}

static int self_test(void) {
  static const struct { const char *msg; const char *hex; } vectors[] = {
    { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
    { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
    { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
  };
  u8 d[32];
  char hex[65];
  int ok = 1;
  for (u32 i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
    sha256_oneshot((const u8 *)vectors[i].msg, str_len(vectors[i].msg), d);
    hex_encode(d, 32, hex);
    ok &= str_eq(hex, vectors[i].hex);
  }
  const char *msg = "what do ya want for nothing?";
  hmac_oneshot((const u8 *)"Jefe", 4, (const u8 *)msg, str_len(msg), d);
  hex_encode(d, 32, hex);
  ok &= str_eq(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  return ok;
}

int main(void) {
  int ok = self_test();
  sha256_init(&transcript);
  make_data(0x2545f491u);

  u8 digest[32], other[32];
  sha256_oneshot(data, DATA_BYTES, digest);
  for (u32 start = 0; start < NCHUNKS; start += 2) {
    hash_chunked(data, DATA_BYTES - start * 17, start, other);
    if (start == 0) ok &= same_bytes(digest, other, 32);
    sha256_update(&transcript, other, 32);
  }
  report("data", digest, 32, 0);

  u32 leaves = 0;
  merkle_root(data, DATA_BYTES, digest, &leaves);
  report("merkle", digest, 32, 0);

  u8 tags[32];
  zero_bytes(tags, 32);
  for (u32 i = 0; i < HMAC_MESSAGES; i++) {
    u8 key[80];
    u32 klen = 8 + (i * 13) % 72;
    for (u32 k = 0; k < klen; k++) key[k] = (u8)(i * 31 + k * 7);
    u32 off = (i * 977) % (DATA_BYTES / 2), len = 100 + (i * 331) % 3000;
    hmac_oneshot(key, klen, data + off, len, digest);
    for (int k = 0; k < 32; k++) tags[k] ^= digest[(k + i) & 31];
  }
  report("hmac-xor", tags, 32, 1);

  u8 dk[48];
  pbkdf2((const u8 *)"correct horse battery", 21, data, 16, PBKDF2_ROUNDS, dk, sizeof dk);
  report("pbkdf2", dk, sizeof dk, 1);

  u8 prk[32], okm[42];
  hkdf_extract(dk, 16, data + 100, 200, prk);
  hkdf_expand(prk, (const u8 *)"suite info", 10, okm, sizeof okm);
  report("hkdf", okm, sizeof okm, 1);

  /* base64 round trip of the derived key */
  char b64[80];
  u32 blen = base64_encode(dk, sizeof dk, b64);
  u8 back[64];
  ok &= base64_decode(b64, blen, back) == (int)sizeof dk && same_bytes(back, dk, sizeof dk);

  sha256_final(&transcript, digest);
  uart_puts("sha256: ");
  uart_putu(leaves);
  uart_puts(" leaves, checksum 0x");
  uart_puthex(load_be32(digest));
  uart_puts(ok ? " ok\n" : " FAILED\n");
  return ok ? 0 : 1;
}
