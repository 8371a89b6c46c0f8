/* suite/softfloat: soft-float numerics (libgcc) — LU, Gaussian elimination, sums, a mini libm, Simpson, n-body. */
#include "lockstep.h"

#define NOINLINE __attribute__((noinline))

#define N_LU 32
#define N_GAUSS 20
#define N_DOT 512
#define NBODY 5
#define STEPS 700
#define SIMPSON_PANELS 200

typedef uint32_t u32;
typedef int32_t i32;
typedef uint64_t u64;
typedef int64_t i64;

/* ---------- bit access and output ---------- */

static u64 double_bits(double d) { union { double d; u64 u; } v; v.d = d; return v.u; }
static double bits_double(u64 u) { union { double d; u64 u; } v; v.u = u; return v.d; }
static u32 float_bits(float f) { union { float f; u32 u; } v; v.f = f; return v.u; }

static void put_double_hex(double d) {
  u64 b = double_bits(d);
  uart_puts("0x");
  uart_puthex((u32)(b >> 32));
  uart_puthex((u32)b);
}
static void put_fixed(double v, int frac_digits) {  /* rounded decimal, e.g. -12.345678 */
  u64 scale = 1;
  for (int i = 0; i < frac_digits; i++) scale *= 10;
  if (v < 0) { uart_putc('-'); v = -v; }
  u64 scaled = (u64)(v * (double)scale + 0.5);
  u64 whole = scaled / scale, frac = scaled % scale;
  uart_putu((u32)whole);
  uart_putc('.');
  for (u64 div = scale / 10; div > 0; div /= 10) uart_putc((char)('0' + (frac / div) % 10));
}
static void report(const char *label, double v) {
  uart_puts("softfloat: ");
  uart_puts(label);
  uart_puts(" = ");
  put_fixed(v, 9);
  uart_puts(" (");
  put_double_hex(v);
  uart_puts(")\n");
}

/* ---------- mini libm ---------- */

#define PI 3.14159265358979323846
#define LN2 0.69314718055994530942
#define LOG2E 1.44269504088896340736

static double d_abs(double x) { return x < 0 ? -x : x; }
static float f_abs(float x) { return x < 0 ? -x : x; }
static double d_ldexp(double x, int e) {  /* x * 2^e for normal results */
  u64 b = double_bits(x);
  if (x == 0) return x;
  b += (u64)(i64)e << 52;
  return bits_double(b);
}
static double d_sqrt(double x) {
  if (x <= 0) return 0;
  u64 b = double_bits(x);
  double y = bits_double((u64)(((i64)b - (1023ll << 52)) >> 1) + (1023ull << 52));   /* halve the exponent */
  for (int i = 0; i < 6; i++) y = 0.5 * (y + x / y);
  return y;
}
static double d_exp(double x) {
  i32 k = (i32)(x * LOG2E + (x >= 0 ? 0.5 : -0.5));
  double r = x - k * LN2, term = 1, sum = 1;
  for (int i = 1; i < 14; i++) { term = term * r / i; sum += term; }
  return d_ldexp(sum, k);
}
static double d_log(double x) {
  u64 b = double_bits(x);
  int e = (int)((b >> 52) & 0x7ff) - 1023;
  double m = bits_double((b & 0x000fffffffffffffull) | (1023ull << 52));   /* [1, 2) */
  if (m > 1.41421356237309504880) { m *= 0.5; e++; }
  double s = (m - 1) / (m + 1), s2 = s * s, term = s, sum = 0;
  for (int i = 1; i < 30; i += 2) { sum += term / i; term *= s2; }
  return 2 * sum + e * LN2;
}
static double reduce_angle(double x) {  /* into [-pi, pi] */
  double turns = x / (2 * PI);
  i32 k = (i32)(turns + (turns >= 0 ? 0.5 : -0.5));
  return x - k * (2 * PI);
}
static double d_sin(double x) {
  x = reduce_angle(x);
  double x2 = x * x, term = x, sum = x;
  for (int i = 1; i < 12; i++) { term = -term * x2 / ((2 * i) * (2 * i + 1)); sum += term; }
  return sum;
}
static double d_cos(double x) { return d_sin(x + PI / 2); }
static float f_sqrt(float x) {
  if (x <= 0) return 0;
  float y = x > 1 ? x * 0.5f : 1.0f;
  for (int i = 0; i < 20; i++) y = 0.5f * (y + x / y);
  return y;
}

/* ---------- pseudo-random values ---------- */

static u32 rng_state = 0x2545f491u;
static u32 rng_next(void) {
  rng_state ^= rng_state << 13; rng_state ^= rng_state >> 17; rng_state ^= rng_state << 5;
  return rng_state;
}
static double rng_unit(void) { return (double)(rng_next() >> 8) / 16777216.0; }   /* [0, 1) */

/* ---------- LU decomposition (double) ---------- */

static double mat[N_LU * N_LU], lu[N_LU * N_LU], inv[N_LU * N_LU];
static int perm[N_LU];

static void make_matrix(double *a, int n) {
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      a[i * n + j] = 1.0 / (i + j + 1) + (rng_unit() - 0.5) + (i == j ? n * 0.25 : 0.0);
}
NOINLINE static int lu_decompose(double *a, int n, int *p) {  /* returns the permutation sign, 0 if singular */
  int sign = 1;
  for (int i = 0; i < n; i++) p[i] = i;
  for (int k = 0; k < n; k++) {
    int piv = k;
    double best = d_abs(a[k * n + k]);
    for (int i = k + 1; i < n; i++)
      if (d_abs(a[i * n + k]) > best) { best = d_abs(a[i * n + k]); piv = i; }
    if (best == 0) return 0;
    if (piv != k) {
      for (int j = 0; j < n; j++) { double t = a[k * n + j]; a[k * n + j] = a[piv * n + j]; a[piv * n + j] = t; }
      int t = p[k]; p[k] = p[piv]; p[piv] = t;
      sign = -sign;
    }
    double pivot = a[k * n + k];
    for (int i = k + 1; i < n; i++) {
      double f = a[i * n + k] / pivot;
      a[i * n + k] = f;
      for (int j = k + 1; j < n; j++) a[i * n + j] -= f * a[k * n + j];
    }
  }
  return sign;
}
static void lu_solve(const double *a, int n, const int *p, const double *b, double *x) {
  for (int i = 0; i < n; i++) {
    double s = b[p[i]];
    for (int j = 0; j < i; j++) s -= a[i * n + j] * x[j];
    x[i] = s;
  }
  for (int i = n - 1; i >= 0; i--) {
    double s = x[i];
    for (int j = i + 1; j < n; j++) s -= a[i * n + j] * x[j];
    x[i] = s / a[i * n + i];
  }
}
static double lu_determinant(const double *a, int n, int sign) {
  double d = sign;
  for (int i = 0; i < n; i++) d *= a[i * n + i];
  return d;
}
static double identity_error(const double *a, const double *b, int n) {  /* max |A*B - I| */
  double worst = 0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      double s = 0;
      for (int k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
      double e = d_abs(s - (i == j ? 1.0 : 0.0));
      if (e > worst) worst = e;
    }
  return worst;
}

/* ---------- Gaussian elimination (float) ---------- */

static float gmat[N_GAUSS * N_GAUSS], grhs[N_GAUSS], gx[N_GAUSS];

NOINLINE static int gauss_solve(float *a, float *b, float *x, int n) {
  for (int k = 0; k < n; k++) {
    int piv = k;
    for (int i = k + 1; i < n; i++)
      if (f_abs(a[i * n + k]) > f_abs(a[piv * n + k])) piv = i;
    if (a[piv * n + k] == 0.0f) return 0;
    for (int j = 0; j < n; j++) { float t = a[k * n + j]; a[k * n + j] = a[piv * n + j]; a[piv * n + j] = t; }
    float t = b[k]; b[k] = b[piv]; b[piv] = t;
    for (int i = k + 1; i < n; i++) {
      float f = a[i * n + k] / a[k * n + k];
      for (int j = k; j < n; j++) a[i * n + j] -= f * a[k * n + j];
      b[i] -= f * b[k];
    }
  }
  for (int i = n - 1; i >= 0; i--) {
    float s = b[i];
    for (int j = i + 1; j < n; j++) s -= a[i * n + j] * x[j];
    x[i] = s / a[i * n + i];
  }
  return 1;
}

/* ---------- sums and dot products ---------- */

static double dv1[N_DOT], dv2[N_DOT];
static float fv1[N_DOT], fv2[N_DOT];

static double dot_d(const double *a, const double *b, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}
static float dot_f(const float *a, const float *b, int n) {
  float s = 0;
  for (int i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}
static double kahan_sum(const double *a, int n) {
  double s = 0, c = 0;
  for (int i = 0; i < n; i++) {
    double y = a[i] - c, t = s + y;
    c = (t - s) - y;
    s = t;
  }
  return s;
}
static double pairwise_sum(const double *a, int n) {
  if (n <= 8) {
    double s = 0;
    for (int i = 0; i < n; i++) s += a[i];
    return s;
  }
  return pairwise_sum(a, n / 2) + pairwise_sum(a + n / 2, n - n / 2);
}

/* ---------- Simpson integration over a table of integrands ---------- */

typedef double (*integrand)(double);
static double f_gauss(double x) { return d_exp(-x * x); }
static double f_sin2(double x) { double s = d_sin(x); return s * s; }
static double f_log1p(double x) { return d_log(1 + x); }
static double f_rational(double x) { return 4.0 / (1 + x * x); }
static const struct { const char *name; integrand f; double lo, hi; } integrals[] = {
  { "int exp(-x^2) [0,3]", f_gauss, 0, 3 },
  { "int sin^2 [0,pi]", f_sin2, 0, PI },
  { "int log(1+x) [0,1]", f_log1p, 0, 1 },
  { "int 4/(1+x^2) [0,1]", f_rational, 0, 1 },
};
static double simpson(integrand f, double lo, double hi, int panels) {
  double h = (hi - lo) / panels, s = f(lo) + f(hi);
  for (int i = 1; i < panels; i++) s += f(lo + i * h) * (i & 1 ? 4 : 2);
  return s * h / 3;
}

/* ---------- n-body ---------- */

struct body { double x, y, z, vx, vy, vz, m; };
static struct body bodies[NBODY];

static void nbody_init(void) {
  bodies[0].m = 40.0;
  for (int i = 1; i < NBODY; i++) {
    double r = 1.0 + i * 0.7, a = i * 2.1;
    struct body *b = &bodies[i];
    b->x = r * d_cos(a); b->y = r * d_sin(a); b->z = 0.05 * i;
    double v = d_sqrt(bodies[0].m / r);
    b->vx = -v * d_sin(a); b->vy = v * d_cos(a); b->vz = 0;
    b->m = 0.01 * i;
  }
  double px = 0, py = 0, pz = 0;   /* zero total momentum */
  for (int i = 1; i < NBODY; i++) {
    px += bodies[i].vx * bodies[i].m; py += bodies[i].vy * bodies[i].m; pz += bodies[i].vz * bodies[i].m;
  }
  bodies[0].vx = -px / bodies[0].m; bodies[0].vy = -py / bodies[0].m; bodies[0].vz = -pz / bodies[0].m;
}
NOINLINE static void nbody_advance(struct body *bs, int n, double dt) {
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++) {
      double dx = bs[i].x - bs[j].x, dy = bs[i].y - bs[j].y, dz = bs[i].z - bs[j].z;
      double d2 = dx * dx + dy * dy + dz * dz, d = d_sqrt(d2), mag = dt / (d2 * d);
      bs[i].vx -= dx * bs[j].m * mag; bs[i].vy -= dy * bs[j].m * mag; bs[i].vz -= dz * bs[j].m * mag;
      bs[j].vx += dx * bs[i].m * mag; bs[j].vy += dy * bs[i].m * mag; bs[j].vz += dz * bs[i].m * mag;
    }
  for (int i = 0; i < n; i++) { bs[i].x += dt * bs[i].vx; bs[i].y += dt * bs[i].vy; bs[i].z += dt * bs[i].vz; }
}
static double nbody_energy(const struct body *bs, int n) {
  double e = 0;
  for (int i = 0; i < n; i++) {
    e += 0.5 * bs[i].m * (bs[i].vx * bs[i].vx + bs[i].vy * bs[i].vy + bs[i].vz * bs[i].vz);
    for (int j = i + 1; j < n; j++) {
      double dx = bs[i].x - bs[j].x, dy = bs[i].y - bs[j].y, dz = bs[i].z - bs[j].z;
      e -= bs[i].m * bs[j].m / d_sqrt(dx * dx + dy * dy + dz * dz);
    }
  }
  return e;
}

/* ---------- driver ---------- */

static u64 mix(u64 h, double v) { return (h ^ double_bits(v)) * 0x100000001b3ull; }

int main(void) {
  u64 h = 0xcbf29ce484222325ull;
  int ok = 1;

  /* LU: determinant, solve, inverse */
  make_matrix(mat, N_LU);
  for (int i = 0; i < N_LU * N_LU; i++) lu[i] = mat[i];
  int sign = lu_decompose(lu, N_LU, perm);
  double det = lu_determinant(lu, N_LU, sign);
  double b[N_LU], x[N_LU], e[N_LU], col[N_LU];
  for (int i = 0; i < N_LU; i++) { x[i] = i * 0.5 - 3; }
  for (int i = 0; i < N_LU; i++) { b[i] = 0; for (int j = 0; j < N_LU; j++) b[i] += mat[i * N_LU + j] * x[j]; }
  lu_solve(lu, N_LU, perm, b, e);
  double solve_err = 0;
  for (int i = 0; i < N_LU; i++) if (d_abs(e[i] - x[i]) > solve_err) solve_err = d_abs(e[i] - x[i]);
  for (int j = 0; j < N_LU; j++) {
    for (int i = 0; i < N_LU; i++) col[i] = i == j;
    lu_solve(lu, N_LU, perm, col, e);
    for (int i = 0; i < N_LU; i++) inv[i * N_LU + j] = e[i];
  }
  double inv_err = identity_error(mat, inv, N_LU);
  ok &= sign != 0 && solve_err < 1e-9 && inv_err < 1e-9;
  report("log|det|", d_log(d_abs(det)));
  h = mix(mix(mix(h, det), solve_err), inv_err);

  /* Gaussian elimination in float */
  float fsum = 0;
  for (int round = 0; round < 4; round++) {
    for (int i = 0; i < N_GAUSS; i++) {
      grhs[i] = 0;
      for (int j = 0; j < N_GAUSS; j++) {
        gmat[i * N_GAUSS + j] = (float)(rng_unit() - 0.5) + (i == j ? 4.0f : 0.0f);
        grhs[i] += gmat[i * N_GAUSS + j] * (float)(j + 1);
      }
    }
    ok &= gauss_solve(gmat, grhs, gx, N_GAUSS);
    for (int i = 0; i < N_GAUSS; i++) fsum += gx[i];
  }
  uart_puts("softfloat: gauss sum = ");
  put_fixed(fsum, 4);
  uart_puts(" (0x");
  uart_puthex(float_bits(fsum));
  uart_puts(")\n");
  ok &= d_abs(fsum - 4 * 210.0) < 0.05;
  h = mix(h, fsum);

  /* dot products and sums */
  for (int i = 0; i < N_DOT; i++) {
    dv1[i] = (rng_unit() * 2 - 1) / 3.0 + 1e-3 * i; dv2[i] = 1.0 / (i + 1);
    fv1[i] = (float)dv1[i]; fv2[i] = f_sqrt((float)(i + 1));
  }
  double dd = dot_d(dv1, dv2, N_DOT), ks = kahan_sum(dv1, N_DOT), ps = pairwise_sum(dv1, N_DOT);
  float fd = dot_f(fv1, fv2, N_DOT);
  report("dot", dd);
  report("kahan sum", ks);
  report("pairwise sum", ps);
  h = mix(mix(mix(mix(h, dd), ks), ps), fd);

  /* integrals */
  for (u32 i = 0; i < sizeof integrals / sizeof integrals[0]; i++) {
    double v = simpson(integrals[i].f, integrals[i].lo, integrals[i].hi, SIMPSON_PANELS);
    report(integrals[i].name, v);
    h = mix(h, v);
  }
  ok &= d_abs(simpson(f_rational, 0, 1, SIMPSON_PANELS) - PI) < 1e-9;
  ok &= d_abs(d_exp(1.0) - 2.718281828459045) < 1e-13 && d_abs(d_sqrt(2.0) * d_sqrt(2.0) - 2) < 1e-14;

  /* n-body */
  nbody_init();
  double e0 = nbody_energy(bodies, NBODY);
  for (int s = 0; s < STEPS; s++) nbody_advance(bodies, NBODY, 0.001);
  double e1 = nbody_energy(bodies, NBODY);
  report("energy before", e0);
  report("energy after", e1);
  ok &= d_abs((e1 - e0) / e0) < 1e-3;
  h = mix(mix(h, e0), e1);
  for (int i = 0; i < NBODY; i++) h = mix(mix(h, bodies[i].x), bodies[i].vy);

  uart_puts("softfloat: checksum 0x");
  uart_puthex((u32)(h >> 32) ^ (u32)h);
  uart_puts(ok ? " ok\n" : " FAILED\n");
  return ok ? 0 : 1;
}
