/* suite/bignum: bignum arithmetic — 2000 digits of pi and e, decimal conversion by long division, RSA-448 round trips. */
#include "lockstep.h"

#define NOINLINE __attribute__((noinline))

#define LIMBS 256          /* capacity of a bignum in 32-bit limbs */
#define MONT_MAX 40        /* largest Montgomery modulus in limbs */
#define DIGITS 2000        /* decimal digits of pi and e */
#define GUARD 9            /* extra digits carried while summing series */
#define PRIME_BITS 224
#define MESSAGES 4

typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t i64;

struct bn { u32 n; u32 d[LIMBS]; };   /* magnitude, little-endian limbs, no leading zero limbs */
struct sbn { int neg; struct bn m; };

static int overflowed;

/* ---------- basics ---------- */

static void bn_norm(struct bn *a) { while (a->n && a->d[a->n - 1] == 0) a->n--; }
static void bn_set(struct bn *a, u32 v) { a->n = v ? 1 : 0; a->d[0] = v; }
static void bn_copy(struct bn *dst, const struct bn *src) {
  if (dst == src) return;
  for (u32 i = 0; i < src->n; i++) dst->d[i] = src->d[i];
  dst->n = src->n;
}
static int bn_is_one(const struct bn *a) { return a->n == 1 && a->d[0] == 1; }
static int bn_cmp(const struct bn *a, const struct bn *b) {
  if (a->n != b->n) return a->n < b->n ? -1 : 1;
  for (u32 i = a->n; i-- > 0;)
    if (a->d[i] != b->d[i]) return a->d[i] < b->d[i] ? -1 : 1;
  return 0;
}
static u32 bn_bits(const struct bn *a) {
  if (a->n == 0) return 0;
  u32 top = a->d[a->n - 1], bits = 32 * (a->n - 1);
  while (top) { bits++; top >>= 1; }
  return bits;
}
static int bn_bit(const struct bn *a, u32 i) { return i / 32 < a->n ? (a->d[i / 32] >> (i % 32)) & 1 : 0; }
static u32 bn_trailing_zeros(const struct bn *a) {
  u32 i = 0;
  while (i < bn_bits(a) && !bn_bit(a, i)) i++;
  return i;
}
static int bn_reserve(const struct bn *a, u32 n) {
  (void)a;
  if (n > LIMBS) { overflowed = 1; return 0; }
  return 1;
}

/* ---------- add, subtract, shift ---------- */

static void bn_add(struct bn *r, const struct bn *a, const struct bn *b) {
  const struct bn *x = a->n >= b->n ? a : b, *y = a->n >= b->n ? b : a;
  u32 carry = 0, n = x->n, m = y->n;
  for (u32 i = 0; i < n; i++) {
    u64 s = (u64)x->d[i] + (i < m ? y->d[i] : 0) + carry;
    r->d[i] = (u32)s;
    carry = (u32)(s >> 32);
  }
  r->n = n;
  if (carry && bn_reserve(r, n + 1)) r->d[r->n++] = carry;
}
static void bn_sub(struct bn *r, const struct bn *a, const struct bn *b) {  /* requires a >= b */
  u32 borrow = 0, n = a->n, m = b->n;
  for (u32 i = 0; i < n; i++) {
    u64 s = (u64)a->d[i] - (i < m ? b->d[i] : 0) - borrow;
    r->d[i] = (u32)s;
    borrow = (u32)(s >> 32) & 1;
  }
  r->n = n;
  bn_norm(r);
}
static void bn_add_small(struct bn *r, const struct bn *a, u32 v) {
  struct bn t;
  bn_set(&t, v);
  bn_add(r, a, &t);
}
static void bn_shl(struct bn *r, const struct bn *a, u32 bits) {
  u32 limbs = bits / 32, s = bits % 32, n = a->n;
  if (n == 0) { r->n = 0; return; }
  if (!bn_reserve(r, n + limbs + 1)) { r->n = 0; return; }
  r->d[n + limbs] = s ? a->d[n - 1] >> (32 - s) : 0;
  for (u32 i = n; i-- > 0;) {
    u32 lo = (s && i) ? a->d[i - 1] >> (32 - s) : 0;
    r->d[i + limbs] = (a->d[i] << s) | lo;
  }
  for (u32 i = 0; i < limbs; i++) r->d[i] = 0;
  r->n = n + limbs + 1;
  bn_norm(r);
}
static void bn_shr(struct bn *r, const struct bn *a, u32 bits) {
  u32 limbs = bits / 32, s = bits % 32;
  if (limbs >= a->n) { r->n = 0; return; }
  u32 n = a->n - limbs;
  for (u32 i = 0; i < n; i++) {
    u32 hi = (s && i + limbs + 1 < a->n) ? a->d[i + limbs + 1] << (32 - s) : 0;
    r->d[i] = (a->d[i + limbs] >> s) | hi;
  }
  r->n = n;
  bn_norm(r);
}

/* ---------- multiply, divide ---------- */

static void bn_mul_small(struct bn *r, const struct bn *a, u32 m) {
  u32 carry = 0, n = a->n;
  for (u32 i = 0; i < n; i++) {
    u64 p = (u64)a->d[i] * m + carry;
    r->d[i] = (u32)p;
    carry = (u32)(p >> 32);
  }
  r->n = n;
  if (carry && bn_reserve(r, n + 1)) r->d[r->n++] = carry;
  bn_norm(r);
}
/* q = a / d (q may be a or null); returns a % d. */
NOINLINE static u32 bn_div_small(struct bn *q, const struct bn *a, u32 d) {
  u32 rem = 0;
  for (u32 i = a->n; i-- > 0;) {
    u64 cur = (u64)rem << 32 | a->d[i];
    u64 qd = cur / d;
    rem = (u32)(cur - qd * d);
    if (q) q->d[i] = (u32)qd;
  }
  if (q) { q->n = a->n; bn_norm(q); }
  return rem;
}
static u32 bn_mod_small(const struct bn *a, u32 d) { return bn_div_small(0, a, d); }

NOINLINE static void bn_mul(struct bn *r, const struct bn *a, const struct bn *b) {
  struct bn t;
  if (a->n == 0 || b->n == 0) { r->n = 0; return; }
  if (!bn_reserve(&t, a->n + b->n)) { r->n = 0; return; }
  for (u32 i = 0; i < a->n + b->n; i++) t.d[i] = 0;
  for (u32 i = 0; i < a->n; i++) {
    u64 ai = a->d[i];
    u32 carry = 0;
    for (u32 j = 0; j < b->n; j++) {
      u64 p = ai * b->d[j] + t.d[i + j] + carry;
      t.d[i + j] = (u32)p;
      carry = (u32)(p >> 32);
    }
    t.d[i + b->n] = carry;
  }
  t.n = a->n + b->n;
  bn_norm(&t);
  bn_copy(r, &t);
}

/* Long division (Knuth, algorithm D): q = a / b, r = a % b; either may be null. */
NOINLINE static void bn_divmod(struct bn *q, struct bn *r, const struct bn *a, const struct bn *b) {
  if (b->n == 0) { overflowed = 1; return; }
  if (bn_cmp(a, b) < 0) {
    if (r) bn_copy(r, a);
    if (q) q->n = 0;
    return;
  }
  if (b->n == 1) {
    u32 rem = bn_div_small(q, a, b->d[0]);
    if (r) bn_set(r, rem);
    return;
  }
  struct bn u, v, quot;
  u32 n = b->n, m = a->n - b->n, shift = 0;
  for (u32 top = b->d[n - 1]; !(top & 0x80000000u); top <<= 1) shift++;
  bn_shl(&v, b, shift);
  bn_shl(&u, a, shift);
  for (u32 i = u.n; i <= a->n; i++) u.d[i] = 0;   /* u gets one extra top limb */
  for (int j = (int)m; j >= 0; j--) {
    u64 num = (u64)u.d[j + n] << 32 | u.d[j + n - 1];
    u64 qhat = num / v.d[n - 1], rhat = num - qhat * v.d[n - 1];
    while (qhat >> 32 || qhat * v.d[n - 2] > (rhat << 32 | u.d[j + n - 2])) {
      qhat--;
      rhat += v.d[n - 1];
      if (rhat >> 32) break;
    }
    i64 k = 0, t;
    for (u32 i = 0; i < n; i++) {
      u64 p = qhat * v.d[i];
      t = (i64)u.d[i + j] - k - (i64)(p & 0xffffffffu);
      u.d[i + j] = (u32)t;
      k = (i64)(p >> 32) - (t >> 32);
    }
    t = (i64)u.d[j + n] - k;
    u.d[j + n] = (u32)t;
    if (t < 0) {  /* qhat was one too large: add back */
      qhat--;
      u64 c = 0;
      for (u32 i = 0; i < n; i++) {
        u64 s = (u64)u.d[i + j] + v.d[i] + c;
        u.d[i + j] = (u32)s;
        c = s >> 32;
      }
      u.d[j + n] += (u32)c;
    }
    quot.d[j] = (u32)qhat;
  }
  if (q) { quot.n = m + 1; bn_norm(&quot); bn_copy(q, &quot); }
  if (r) { u.n = n; bn_norm(&u); bn_shr(r, &u, shift); }
}
static void bn_mulmod(struct bn *r, const struct bn *a, const struct bn *b, const struct bn *m) {
  struct bn t;
  bn_mul(&t, a, b);
  bn_divmod(0, r, &t, m);
}
static void bn_modexp(struct bn *r, const struct bn *base, const struct bn *e, const struct bn *m) {
  struct bn acc, b;
  bn_divmod(0, &b, base, m);
  bn_set(&acc, 1);
  for (u32 i = bn_bits(e); i-- > 0;) {
    bn_mulmod(&acc, &acc, &acc, m);
    if (bn_bit(e, i)) bn_mulmod(&acc, &acc, &b, m);
  }
  bn_copy(r, &acc);
}

/* ---------- Montgomery arithmetic for odd moduli ---------- */

struct mont { u32 n, minv; u32 m[MONT_MAX]; u32 r2[MONT_MAX]; struct bn mod; };

static void limbs_from_bn(u32 *out, const struct bn *a, u32 n) {
  for (u32 i = 0; i < n; i++) out[i] = i < a->n ? a->d[i] : 0;
}
static void bn_from_limbs(struct bn *out, const u32 *a, u32 n) {
  for (u32 i = 0; i < n; i++) out->d[i] = a[i];
  out->n = n;
  bn_norm(out);
}
NOINLINE static void mont_mul(const struct mont *mt, u32 *r, const u32 *a, const u32 *b) {
  u32 t[MONT_MAX + 2], n = mt->n;
  for (u32 i = 0; i < n + 2; i++) t[i] = 0;
  for (u32 i = 0; i < n; i++) {
    u64 c = 0, ai = a[i];
    for (u32 j = 0; j < n; j++) {
      u64 s = ai * b[j] + t[j] + c;
      t[j] = (u32)s;
      c = s >> 32;
    }
    u64 s = (u64)t[n] + c;
    t[n] = (u32)s;
    t[n + 1] = (u32)(s >> 32);
    u32 mq = t[0] * mt->minv;
    c = ((u64)mq * mt->m[0] + t[0]) >> 32;
    for (u32 j = 1; j < n; j++) {
      s = (u64)mq * mt->m[j] + t[j] + c;
      t[j - 1] = (u32)s;
      c = s >> 32;
    }
    s = (u64)t[n] + c;
    t[n - 1] = (u32)s;
    t[n] = t[n + 1] + (u32)(s >> 32);
  }
  int ge = t[n] != 0;
  if (!ge) {
    ge = 1;
    for (u32 i = n; i-- > 0;)
      if (t[i] != mt->m[i]) { ge = t[i] > mt->m[i]; break; }
  }
  if (ge) {
    u32 borrow = 0;
    for (u32 i = 0; i < n; i++) {
      u64 d = (u64)t[i] - mt->m[i] - borrow;
      t[i] = (u32)d;
      borrow = (u32)(d >> 32) & 1;
    }
  }
  for (u32 i = 0; i < n; i++) r[i] = t[i];
}
static void mont_init(struct mont *mt, const struct bn *mod) {
  struct bn big, rem;
  mt->n = mod->n;
  bn_copy(&mt->mod, mod);
  limbs_from_bn(mt->m, mod, mt->n);
  u32 x = 1;
  for (int i = 0; i < 5; i++) x *= 2 - mod->d[0] * x;   /* Newton: x = 1/m mod 2^32 */
  mt->minv = -x;
  bn_set(&big, 1);
  bn_shl(&big, &big, 64 * mt->n);
  bn_divmod(0, &rem, &big, mod);
  limbs_from_bn(mt->r2, &rem, mt->n);
}
static void mont_exp(const struct mont *mt, struct bn *r, const struct bn *base, const struct bn *e) {
  u32 x[MONT_MAX], acc[MONT_MAX], one[MONT_MAX];
  struct bn b;
  u32 n = mt->n;
  bn_divmod(0, &b, base, &mt->mod);
  limbs_from_bn(x, &b, MONT_MAX);
  mont_mul(mt, x, x, mt->r2);            /* x * R */
  for (u32 i = 0; i < MONT_MAX; i++) one[i] = i == 0;
  mont_mul(mt, acc, one, mt->r2);        /* R mod m */
  for (u32 i = bn_bits(e); i-- > 0;) {
    mont_mul(mt, acc, acc, acc);
    if (bn_bit(e, i)) mont_mul(mt, acc, acc, x);
  }
  mont_mul(mt, acc, acc, one);
  bn_from_limbs(r, acc, n);
}

/* ---------- signed values and inverses ---------- */

static void sbn_set(struct sbn *s, u32 v) { s->neg = 0; bn_set(&s->m, v); }
static void sbn_copy(struct sbn *dst, const struct sbn *src) { dst->neg = src->neg; bn_copy(&dst->m, &src->m); }
static void sbn_addsub(struct sbn *r, const struct sbn *a, const struct sbn *b, int subtract) {
  int bneg = b->neg ^ subtract, aneg = a->neg;
  if (aneg == bneg) { bn_add(&r->m, &a->m, &b->m); r->neg = aneg; }
  else if (bn_cmp(&a->m, &b->m) >= 0) { bn_sub(&r->m, &a->m, &b->m); r->neg = aneg; }
  else { bn_sub(&r->m, &b->m, &a->m); r->neg = bneg; }
  if (r->m.n == 0) r->neg = 0;
}
static void sbn_mul_bn(struct sbn *r, const struct sbn *a, const struct bn *q) {
  bn_mul(&r->m, &a->m, q);
  r->neg = a->neg && r->m.n;
}
static int bn_modinv(struct bn *r, const struct bn *a, const struct bn *m) {
  struct bn old_r, cur_r, q, rem;
  struct sbn old_s, cur_s, tmp;
  bn_copy(&old_r, a);
  bn_copy(&cur_r, m);
  sbn_set(&old_s, 1);
  sbn_set(&cur_s, 0);
  while (cur_r.n) {
    bn_divmod(&q, &rem, &old_r, &cur_r);
    bn_copy(&old_r, &cur_r);
    bn_copy(&cur_r, &rem);
    sbn_mul_bn(&tmp, &cur_s, &q);
    sbn_addsub(&tmp, &old_s, &tmp, 1);
    sbn_copy(&old_s, &cur_s);
    sbn_copy(&cur_s, &tmp);
  }
  if (!bn_is_one(&old_r)) return 0;
  bn_divmod(0, r, &old_s.m, m);
  if (old_s.neg && r->n) bn_sub(r, m, r);
  return 1;
}

/* ---------- primes and RSA ---------- */

static u32 rng_state = 0x6d2b79f5u;
static u32 rng_next(void) {
  rng_state ^= rng_state << 13; rng_state ^= rng_state >> 17; rng_state ^= rng_state << 5;
  return rng_state;
}
static void bn_random(struct bn *a, u32 bits) {
  u32 n = (bits + 31) / 32;
  for (u32 i = 0; i < n; i++) a->d[i] = rng_next();
  if (bits % 32) a->d[n - 1] &= (1u << (bits % 32)) - 1;
  a->n = n;
  bn_norm(a);
}

static u32 small_primes[200];
static u32 nsmall;
static void sieve_small_primes(u32 limit) {
  u8 composite[1200];
  for (u32 i = 0; i <= limit; i++) composite[i] = 0;
  for (u32 i = 2; i <= limit && nsmall < 200; i++) {
    if (composite[i]) continue;
    small_primes[nsmall++] = i;
    for (u32 j = i * i; j <= limit; j += i) composite[j] = 1;
  }
}
static int miller_rabin(const struct bn *n, int rounds) {
  struct bn n1, d, x, a;
  struct mont mt;
  bn_set(&x, 1);
  bn_sub(&n1, n, &x);
  u32 s = bn_trailing_zeros(&n1);
  bn_shr(&d, &n1, s);
  mont_init(&mt, n);
  for (int i = 0; i < rounds; i++) {
    bn_set(&a, small_primes[i]);
    mont_exp(&mt, &x, &a, &d);
    if (bn_is_one(&x) || bn_cmp(&x, &n1) == 0) continue;
    u32 r = 1;
    for (; r < s; r++) {
      bn_mulmod(&x, &x, &x, n);
      if (bn_cmp(&x, &n1) == 0) break;
    }
    if (r >= s) return 0;
  }
  return 1;
}
static int is_probable_prime(const struct bn *n) {
  for (u32 i = 0; i < nsmall; i++)
    if (bn_mod_small(n, small_primes[i]) == 0) return n->n == 1 && n->d[0] == small_primes[i];
  return miller_rabin(n, 10);
}
static u32 random_prime(struct bn *p, u32 bits) {
  u32 tries = 0;
  bn_random(p, bits);
  p->n = (bits + 31) / 32;
  p->d[(bits - 1) / 32] |= 3u << ((bits - 2) % 32);   /* top two bits set (bits % 32 == 0 here) */
  p->d[0] |= 1;
  for (;;) {
    tries++;
    if (bn_mod_small(p, 65537) != 1 && is_probable_prime(p)) return tries;
    bn_add_small(p, p, 2);
  }
}

struct rsa { struct bn n, e, d, p, q, dp, dq, qinv; };

static int rsa_keygen(struct rsa *k, u32 *tries) {
  struct bn p1, q1, phi, one;
  *tries = random_prime(&k->p, PRIME_BITS);
  do *tries += random_prime(&k->q, PRIME_BITS); while (bn_cmp(&k->p, &k->q) == 0);
  if (bn_cmp(&k->p, &k->q) < 0) { struct bn t; bn_copy(&t, &k->p); bn_copy(&k->p, &k->q); bn_copy(&k->q, &t); }
  bn_mul(&k->n, &k->p, &k->q);
  bn_set(&one, 1);
  bn_sub(&p1, &k->p, &one);
  bn_sub(&q1, &k->q, &one);
  bn_mul(&phi, &p1, &q1);
  bn_set(&k->e, 65537);
  if (!bn_modinv(&k->d, &k->e, &phi)) return 0;
  bn_divmod(0, &k->dp, &k->d, &p1);
  bn_divmod(0, &k->dq, &k->d, &q1);
  return bn_modinv(&k->qinv, &k->q, &k->p);
}
static void rsa_encrypt(const struct rsa *k, struct bn *c, const struct bn *m) { bn_modexp(c, m, &k->e, &k->n); }
static void rsa_decrypt(const struct rsa *k, struct bn *m, const struct bn *c) {
  struct mont mt;
  mont_init(&mt, &k->n);
  mont_exp(&mt, m, c, &k->d);
}
static void rsa_decrypt_crt(const struct rsa *k, struct bn *m, const struct bn *c) {
  struct mont mp, mq;
  struct bn m1, m2, h;
  mont_init(&mp, &k->p);
  mont_init(&mq, &k->q);
  mont_exp(&mp, &m1, c, &k->dp);
  mont_exp(&mq, &m2, c, &k->dq);
  bn_divmod(0, &h, &m2, &k->p);
  if (bn_cmp(&m1, &h) < 0) bn_add(&m1, &m1, &k->p);
  bn_sub(&h, &m1, &h);
  bn_mulmod(&h, &h, &k->qinv, &k->p);
  bn_mul(&h, &h, &k->q);
  bn_add(m, &h, &m2);
}

/* ---------- series for pi and e, decimal output ---------- */

static void bn_pow10(struct bn *r, u32 k) {
  bn_set(r, 1);
  for (; k >= 9; k -= 9) bn_mul_small(r, r, 1000000000u);
  while (k--) bn_mul_small(r, r, 10);
}
static void atan_inverse(struct bn *sum, u32 x, const struct bn *scale) {  /* scale * atan(1/x) */
  struct bn term, t;
  bn_div_small(&term, scale, x);
  bn_copy(sum, &term);
  u32 x2 = x * x;
  for (u32 k = 1; term.n; k++) {
    bn_div_small(&term, &term, x2);
    bn_div_small(&t, &term, 2 * k + 1);
    if (k & 1) bn_sub(sum, sum, &t);
    else bn_add(sum, sum, &t);
  }
}
static void compute_pi(struct bn *pi, const struct bn *scale) {  /* Machin: 16 atan(1/5) - 4 atan(1/239) */
  struct bn b;
  atan_inverse(pi, 5, scale);
  bn_mul_small(pi, pi, 16);
  atan_inverse(&b, 239, scale);
  bn_mul_small(&b, &b, 4);
  bn_sub(pi, pi, &b);
}
static void compute_e(struct bn *e, const struct bn *scale) {
  struct bn term;
  bn_copy(e, scale);
  bn_copy(&term, scale);
  for (u32 k = 1; term.n; k++) {
    bn_div_small(&term, &term, k);
    bn_add(e, e, &term);
  }
}

static struct bn pow10_sq[10];   /* 10^(9 * 2^k) */
static u32 npow10;

static void dec_rec(const struct bn *a, u32 k, char *out) {  /* exactly 9 * 2^k digits */
  if (k == 0) {
    u32 v = a->n ? a->d[0] : 0;
    for (int i = 8; i >= 0; i--) { out[i] = (char)('0' + v % 10); v /= 10; }
    return;
  }
  struct bn q, r;
  bn_divmod(&q, &r, a, &pow10_sq[k - 1]);
  dec_rec(&q, k - 1, out);
  dec_rec(&r, k - 1, out + 9 * (1u << (k - 1)));
}
static u32 bn_to_decimal(const struct bn *a, char *out) {
  u32 k = 0, bits = bn_bits(a);
  while (3 * 9 * (1u << k) < bits) k++;   /* 2^(3w) < 10^w */
  while (npow10 < k) {
    if (npow10 == 0) bn_set(&pow10_sq[0], 1000000000u);
    else bn_mul(&pow10_sq[npow10], &pow10_sq[npow10 - 1], &pow10_sq[npow10 - 1]);
    npow10++;
  }
  u32 width = 9 * (1u << k), skip = 0;
  dec_rec(a, k, out);
  while (skip + 1 < width && out[skip] == '0') skip++;
  for (u32 i = skip; i < width; i++) out[i - skip] = out[i];
  out[width - skip] = 0;
  return width - skip;
}

static u32 fnv1a(u32 h, const char *s, u32 n) {
  while (n--) { h ^= (u8)*s++; h *= 16777619u; }
  return h;
}
static u32 fnv_bn(u32 h, const struct bn *a) {
  for (u32 i = 0; i < a->n; i++)
    for (int b = 0; b < 32; b += 8) { h ^= (a->d[i] >> b) & 0xff; h *= 16777619u; }
  return h;
}
static int starts_with(const char *s, const char *prefix) {
  while (*prefix) if (*s++ != *prefix++) return 0;
  return 1;
}

static char digits[9 * 512 + 1];

static u32 print_constant(const char *name, const struct bn *v, const char *expect) {
  u32 len = bn_to_decimal(v, digits);
  u32 h = fnv1a(2166136261u, digits, len);
  uart_puts("bignum: ");
  uart_puts(name);
  uart_puts(" = ");
  uart_putc(digits[0]);
  uart_putc('.');
  for (u32 i = 1; i < 31 && i < len; i++) uart_putc(digits[i]);
  uart_puts("... (");
  uart_putu(len);
  uart_puts(" digits) fnv 0x");
  uart_puthex(h);
  uart_putc('\n');
  return starts_with(digits, expect) && len == DIGITS + 1 ? h : 0;
}

int main(void) {
  static struct bn scale, pi, e, ed, p1, one;
  static struct rsa key;
  int ok = 1;
  u32 check = 0;
  sieve_small_primes(1100);

  bn_pow10(&scale, DIGITS + GUARD);
  compute_pi(&pi, &scale);
  bn_div_small(&pi, &pi, 1000000000u);
  check ^= print_constant("pi", &pi, "3141592653589793238462643383279502884");
  compute_e(&e, &scale);
  bn_div_small(&e, &e, 1000000000u);
  check ^= print_constant("e", &e, "2718281828459045235360287471352662497");
  ok &= check != 0;

  u32 tries;
  ok &= rsa_keygen(&key, &tries);
  u32 h = fnv_bn(2166136261u, &key.n);
  for (u32 i = 0; i < MESSAGES; i++) {
    struct bn m, c, m1, m2;
    bn_random(&m, 2 * PRIME_BITS - 8 - i);
    rsa_encrypt(&key, &c, &m);
    rsa_decrypt(&key, &m1, &c);
    rsa_decrypt_crt(&key, &m2, &c);
    ok &= bn_cmp(&m, &m1) == 0 && bn_cmp(&m, &m2) == 0;
    h = fnv_bn(h, &c);
  }
  bn_mul(&ed, &key.e, &key.d);     /* e * d = 1 (mod p - 1) */
  bn_set(&one, 1);
  bn_sub(&p1, &key.p, &one);
  bn_divmod(0, &ed, &ed, &p1);
  ok &= bn_is_one(&ed) && !overflowed;
  uart_puts("bignum: rsa-");
  uart_putu(bn_bits(&key.n));
  uart_puts(" n = 0x");
  uart_puthex(key.n.d[key.n.n - 1]);
  uart_puts("..., ");
  uart_putu(tries);
  uart_puts(" candidates, ");
  uart_putu(MESSAGES);
  uart_puts(" messages, fnv 0x");
  uart_puthex(h);
  uart_putc('\n');
  uart_puts("bignum: checksum 0x");
  uart_puthex(check ^ h);
  uart_puts(ok ? " ok\n" : " FAILED\n");
  return ok ? 0 : 1;
}
