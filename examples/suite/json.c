/* suite/json: JSON generator, tokenizer and parser into an arena tree; queries, key sorting, re-serialisation, hashing. */
#include "lockstep.h"

#define NOINLINE __attribute__((noinline))

#define DOCS 24
#define DOC_CAP 65536
#define MAX_NODES 12000
#define STRPOOL_CAP 120000
#define MAX_DEPTH 64

typedef uint8_t u8; typedef int32_t i32; typedef uint32_t u32; typedef int64_t i64; typedef uint64_t u64;

/* ---------- UTF-8 ---------- */

static u32 utf8_encode(u32 cp, u8 *out) {
  if (cp < 0x80) { out[0] = (u8)cp; return 1; }
  u32 n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  static const u8 lead[5] = { 0, 0, 0xc0, 0xe0, 0xf0 };
  for (u32 i = n - 1; i > 0; i--, cp >>= 6) out[i] = (u8)(0x80 | (cp & 0x3f));
  out[0] = (u8)(lead[n] | cp);
  return n;
}
/* Decodes one sequence; returns its length, 0 when malformed. */
static u32 utf8_decode(const u8 *s, u32 avail, u32 *cp) {
  u8 b = s[0];
  u32 need, min;
  if (b < 0x80) { *cp = b; return 1; }
  if ((b & 0xe0) == 0xc0) { need = 1; min = 0x80; *cp = b & 0x1f; }
  else if ((b & 0xf0) == 0xe0) { need = 2; min = 0x800; *cp = b & 0x0f; }
  else if ((b & 0xf8) == 0xf0) { need = 3; min = 0x10000; *cp = b & 0x07; }
  else return 0;
  if (need >= avail) return 0;
  for (u32 i = 1; i <= need; i++) { if ((s[i] & 0xc0) != 0x80) return 0; *cp = *cp << 6 | (s[i] & 0x3f); }
  if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp < 0xe000)) return 0;
  return need + 1;
}

/* ---------- output buffer ---------- */

struct writer { char *buf; u32 len, cap; int pretty, ascii, depth, overflow; };

static void w_init(struct writer *w, char *buf, u32 cap, int pretty, int ascii) {
  w->buf = buf; w->cap = cap; w->len = 0; w->pretty = pretty; w->ascii = ascii; w->depth = 0; w->overflow = 0;
}
static void w_char(struct writer *w, char c) { if (w->len < w->cap) w->buf[w->len++] = c; else w->overflow = 1; }
static void w_str(struct writer *w, const char *s) { while (*s) w_char(w, *s++); }
static void w_hex4(struct writer *w, u32 v) { for (int i = 12; i >= 0; i -= 4) w_char(w, "0123456789abcdef"[(v >> i) & 15]); }
static void w_i64(struct writer *w, i64 v) {
  char digits[20];
  int n = 0;
  u64 u = v < 0 ? 0 - (u64)v : (u64)v;
  if (v < 0) w_char(w, '-');
  do { digits[n++] = (char)('0' + u % 10); u /= 10; } while (u);
  while (n) w_char(w, digits[--n]);
}
static void w_newline(struct writer *w) {
  if (!w->pretty) return;
  w_char(w, '\n');
  for (int i = 0; i < 2 * w->depth; i++) w_char(w, ' ');
}
static void w_open(struct writer *w, char c) { w_char(w, c); w->depth++; }
static void w_close(struct writer *w, char c, int nonempty) {
  w->depth--;
  if (nonempty) w_newline(w);
  w_char(w, c);
}
static void w_uescape(struct writer *w, u32 v) { w_str(w, "\\u"); w_hex4(w, v); }
static void w_quoted(struct writer *w, const u8 *s, u32 n) {
  static const char plain[] = "\"\\\n\t\r\b\f", escaped[] = "\"\\ntrbf";
  w_char(w, '"');
  for (u32 i = 0; i < n;) {
    u8 c = s[i];
    u32 k = 0;
    while (plain[k] && (u8)plain[k] != c) k++;
    if (plain[k]) { w_char(w, '\\'); w_char(w, escaped[k]); i++; continue; }
    if (c < 0x20) { w_uescape(w, c); i++; continue; }
    if (c < 0x80 || !w->ascii) { w_char(w, (char)c); i++; continue; }
    u32 cp, len = utf8_decode(s + i, n - i, &cp);
    if (len == 0) { w_str(w, "\\ufffd"); i++; continue; }
    if (cp >= 0x10000) { w_uescape(w, 0xd800 | (cp - 0x10000) >> 10); w_uescape(w, 0xdc00 | (cp & 0x3ff)); }
    else w_uescape(w, cp);
    i += len;
  }
  w_char(w, '"');
}

/* ---------- tree ---------- */

enum jtype { J_NULL, J_FALSE, J_TRUE, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT, J_TYPES };

struct jnode {   /* number = mant * 10^exp; object members carry their key */
  u8 type; u32 count; struct jnode *child, *next; const u8 *key, *str; u32 keylen, len; i64 mant; i32 exp;
};

static struct jnode nodes[MAX_NODES];
static u8 strpool[STRPOOL_CAP];
static u32 nnodes, strpool_used;

static void arena_reset(void) { nnodes = 0; strpool_used = 0; }
static struct jnode *node_new(u8 type) {
  if (nnodes == MAX_NODES) return 0;
  struct jnode *n = &nodes[nnodes++];
  n->type = type; n->count = 0; n->child = n->next = 0;
  n->key = n->str = 0; n->keylen = n->len = 0; n->mant = 0; n->exp = 0;
  return n;
}

/* ---------- tokenizer ---------- */

enum jtok { K_EOF, K_LBRACE, K_RBRACE, K_LBRACK, K_RBRACK, K_COLON, K_COMMA, K_STRING, K_NUMBER,
            K_TRUE, K_FALSE, K_NULL, K_ERROR };

struct jlex {   /* str: the decoded string, in the pool */
  const u8 *s, *str; u32 pos, len, slen, error_pos; enum jtok tok; i64 mant; i32 exp; const char *error;
};

static void lex_fail(struct jlex *lx, const char *msg) {
  if (!lx->error) { lx->error = msg; lx->error_pos = lx->pos; }
  lx->tok = K_ERROR;
}
static int hex_digit(u8 c) {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}
static int read_hex4(struct jlex *lx, u32 *v) {
  if (lx->pos + 4 > lx->len) return 0;
  *v = 0;
  for (int i = 0; i < 4; i++) {
    int d = hex_digit(lx->s[lx->pos++]);
    if (d < 0) return 0;
    *v = *v << 4 | (u32)d;
  }
  return 1;
}
static int pool_put(const u8 *p, u32 n) {
  if (strpool_used + n > STRPOOL_CAP) return 0;
  for (u32 i = 0; i < n; i++) strpool[strpool_used++] = p[i];
  return 1;
}
static void lex_string(struct jlex *lx) {
  u32 start = strpool_used;
  lx->pos++;  /* opening quote */
  for (;;) {
    if (lx->pos >= lx->len) { lex_fail(lx, "unterminated string"); return; }
    u8 c = lx->s[lx->pos];
    if (c == '"') { lx->pos++; break; }
    if (c < 0x20) { lex_fail(lx, "control character in string"); return; }
    if (c == '\\') {
      u8 out[4];
      u32 n = 1, cp;
      if (++lx->pos >= lx->len) { lex_fail(lx, "bad escape"); return; }
      static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";
      u8 e = lx->s[lx->pos++];
      u32 k = 0;
      while (esc_in[k] && (u8)esc_in[k] != e) k++;
      if (esc_in[k]) out[0] = (u8)esc_out[k];
      else if (e != 'u') { lex_fail(lx, "bad escape"); return; }
      else {
        if (!read_hex4(lx, &cp)) { lex_fail(lx, "bad \\u escape"); return; }
        if (cp >= 0xd800 && cp < 0xdc00) {
          u32 lo;
          if (lx->pos + 2 > lx->len || lx->s[lx->pos] != '\\' || lx->s[lx->pos + 1] != 'u') { lex_fail(lx, "lone surrogate"); return; }
          lx->pos += 2;
          if (!read_hex4(lx, &lo) || lo < 0xdc00 || lo >= 0xe000) { lex_fail(lx, "bad surrogate pair"); return; }
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        } else if (cp >= 0xdc00 && cp < 0xe000) { lex_fail(lx, "lone surrogate"); return; }
        n = utf8_encode(cp, out);
      }
      if (!pool_put(out, n)) { lex_fail(lx, "string pool full"); return; }
      continue;
    }
    u32 cp, n = utf8_decode(lx->s + lx->pos, lx->len - lx->pos, &cp);
    if (n == 0) { lex_fail(lx, "invalid UTF-8"); return; }
    if (!pool_put(lx->s + lx->pos, n)) { lex_fail(lx, "string pool full"); return; }
    lx->pos += n;
  }
  lx->str = strpool + start; lx->slen = strpool_used - start; lx->tok = K_STRING;
}
static int is_digit(u8 c) { return c >= '0' && c <= '9'; }
static void lex_number(struct jlex *lx) {
  const u8 *s = lx->s;
  int neg = 0, digits = 0;
  i64 mant = 0;
  i32 exp = 0;
  if (s[lx->pos] == '-') { neg = 1; lx->pos++; }
  if (lx->pos >= lx->len || !is_digit(s[lx->pos])) { lex_fail(lx, "digit expected"); return; }
  if (s[lx->pos] == '0') {
    lx->pos++;
    if (lx->pos < lx->len && is_digit(s[lx->pos])) { lex_fail(lx, "leading zero"); return; }
  }
  for (; lx->pos < lx->len && is_digit(s[lx->pos]); lx->pos++) {
    if (digits < 18) { mant = mant * 10 + (s[lx->pos] - '0'); if (mant) digits++; }
    else exp++;
  }
  if (lx->pos < lx->len && s[lx->pos] == '.') {
    lx->pos++;
    if (lx->pos >= lx->len || !is_digit(s[lx->pos])) { lex_fail(lx, "digit expected after '.'"); return; }
    for (; lx->pos < lx->len && is_digit(s[lx->pos]); lx->pos++)
      if (digits < 18) { mant = mant * 10 + (s[lx->pos] - '0'); exp--; if (mant) digits++; }
  }
  if (lx->pos < lx->len && (s[lx->pos] == 'e' || s[lx->pos] == 'E')) {
    int eneg = 0;
    i32 e = 0;
    lx->pos++;
    if (lx->pos < lx->len && (s[lx->pos] == '+' || s[lx->pos] == '-')) eneg = s[lx->pos++] == '-';
    if (lx->pos >= lx->len || !is_digit(s[lx->pos])) { lex_fail(lx, "digit expected in exponent"); return; }
    for (; lx->pos < lx->len && is_digit(s[lx->pos]); lx->pos++) if (e < 100000) e = e * 10 + (s[lx->pos] - '0');
    exp += eneg ? -e : e;
  }
  while (mant != 0 && mant % 10 == 0) { mant /= 10; exp++; }   /* canonical form */
  if (mant == 0) exp = 0;
  lx->mant = neg ? -mant : mant; lx->exp = exp; lx->tok = K_NUMBER;
}
static int lex_word(struct jlex *lx, const char *word, enum jtok tok) {
  u32 i = 0;
  for (; word[i]; i++)
    if (lx->pos + i >= lx->len || lx->s[lx->pos + i] != (u8)word[i]) { lex_fail(lx, "bad literal"); return 0; }
  lx->pos += i; lx->tok = tok;
  return 1;
}
NOINLINE static void lex_next(struct jlex *lx) {
  while (lx->pos < lx->len) {
    u8 c = lx->s[lx->pos];
    if (c != ' ' && c != '\n' && c != '\t' && c != '\r') break;
    lx->pos++;
  }
  if (lx->pos >= lx->len) { lx->tok = K_EOF; return; }
  static const char punct[] = "{}[]:,";
  for (u32 k = 0; punct[k]; k++) if (lx->s[lx->pos] == (u8)punct[k]) { lx->pos++; lx->tok = (enum jtok)(K_LBRACE + k); return; }
  switch (lx->s[lx->pos]) {
  case '"': lex_string(lx); break;
  case 't': lex_word(lx, "true", K_TRUE); break;
  case 'f': lex_word(lx, "false", K_FALSE); break;
  case 'n': lex_word(lx, "null", K_NULL); break;
  default:
    if (lx->s[lx->pos] == '-' || is_digit(lx->s[lx->pos])) lex_number(lx);
    else lex_fail(lx, "unexpected character");
    break;
  }
}

/* ---------- parser ---------- */

static struct jnode *parse_value(struct jlex *lx, int depth);

static struct jnode *parse_fail(struct jlex *lx, const char *msg) { lex_fail(lx, msg); return 0; }

/* Arrays and objects: comma-separated members, each object member preceded by "key": */
static struct jnode *parse_container(struct jlex *lx, int depth, int object) {
  enum jtok close = object ? K_RBRACE : K_RBRACK;
  struct jnode *c = node_new(object ? J_OBJECT : J_ARRAY), **tail;
  if (!c) return parse_fail(lx, "out of nodes");
  tail = &c->child;
  lex_next(lx);
  if (lx->tok == close) { lex_next(lx); return c; }
  for (;;) {
    const u8 *key = 0;
    u32 keylen = 0;
    if (object) {
      if (lx->tok != K_STRING) return parse_fail(lx, "key expected");
      key = lx->str;
      keylen = lx->slen;
      lex_next(lx);
      if (lx->tok != K_COLON) return parse_fail(lx, "':' expected");
      lex_next(lx);
    }
    struct jnode *v = parse_value(lx, depth + 1);
    if (!v) return 0;
    v->key = key;
    v->keylen = keylen;
    *tail = v;
    tail = &v->next;
    c->count++;
    if (lx->tok == K_COMMA) { lex_next(lx); continue; }
    if (lx->tok == close) { lex_next(lx); return c; }
    return parse_fail(lx, object ? "',' or '}' expected" : "',' or ']' expected");
  }
}
static struct jnode *parse_value(struct jlex *lx, int depth) {
  static const u8 scalar_type[] = { [K_STRING] = J_STRING, [K_NUMBER] = J_NUMBER, [K_TRUE] = J_TRUE,
                                    [K_FALSE] = J_FALSE, [K_NULL] = J_NULL };
  if (depth > MAX_DEPTH) return parse_fail(lx, "too deep");
  switch (lx->tok) {
  case K_LBRACE: return parse_container(lx, depth, 1);
  case K_LBRACK: return parse_container(lx, depth, 0);
  case K_STRING: case K_NUMBER: case K_TRUE: case K_FALSE: case K_NULL: {
    struct jnode *n = node_new(scalar_type[lx->tok]);
    if (!n) return parse_fail(lx, "out of nodes");
    if (lx->tok == K_STRING) { n->str = lx->str; n->len = lx->slen; }
    if (lx->tok == K_NUMBER) { n->mant = lx->mant; n->exp = lx->exp; }
    lex_next(lx);
    return n;
  }
  default: return parse_fail(lx, "value expected");
  }
}
NOINLINE static struct jnode *parse_document(const char *text, u32 len, const char **error, u32 *error_pos) {
  struct jlex lx;
  lx.s = (const u8 *)text; lx.len = len; lx.pos = 0; lx.error = 0; lx.error_pos = 0;
  lex_next(&lx);
  struct jnode *root = parse_value(&lx, 0);
  if (root && lx.tok != K_EOF) root = parse_fail(&lx, "trailing characters");
  *error = lx.error; *error_pos = lx.error_pos;
  return root;
}

/* ---------- serialiser ---------- */

static void serialise(struct writer *w, const struct jnode *n) {
  switch (n->type) {
  case J_NULL: w_str(w, "null"); break;
  case J_FALSE: w_str(w, "false"); break;
  case J_TRUE: w_str(w, "true"); break;
  case J_NUMBER:
    w_i64(w, n->mant);
    if (n->exp) { w_char(w, 'e'); w_i64(w, n->exp); }
    break;
  case J_STRING: w_quoted(w, n->str, n->len); break;
  case J_ARRAY:
  case J_OBJECT: {
    int obj = n->type == J_OBJECT;
    w_open(w, obj ? '{' : '[');
    for (const struct jnode *c = n->child; c; c = c->next) {
      w_newline(w);
      if (obj) { w_quoted(w, c->key, c->keylen); w_char(w, ':'); if (w->pretty) w_char(w, ' '); }
      serialise(w, c);
      if (c->next) w_char(w, ',');
    }
    w_close(w, obj ? '}' : ']', n->child != 0);
    break;
  }
  default: break;
  }
}

/* ---------- walks ---------- */

struct stats { u32 types[J_TYPES], max_depth, string_bytes, members; };

static void collect(const struct jnode *n, u32 depth, struct stats *st) {
  st->types[n->type]++;
  if (depth > st->max_depth) st->max_depth = depth;
  if (n->type == J_STRING) st->string_bytes += n->len;
  if (n->key) st->members++;
  for (const struct jnode *c = n->child; c; c = c->next) collect(c, depth + 1, st);
}
static u32 fnv(u32 h, const u8 *p, u32 n) { while (n--) h = (h ^ *p++) * 16777619u; return h; }
static u32 fnv_u32(u32 h, u32 v) { for (int i = 0; i < 32; i += 8) h = (h ^ ((v >> i) & 0xff)) * 16777619u; return h; }
static u32 hash_tree(const struct jnode *n, u32 h) {
  h = fnv_u32(h, n->type);
  if (n->key) h = fnv(h, n->key, n->keylen);
  switch (n->type) {
  case J_NUMBER: h = fnv_u32(fnv_u32(fnv_u32(h, (u32)n->mant), (u32)((u64)n->mant >> 32)), (u32)n->exp); break;
  case J_STRING: h = fnv(h, n->str, n->len); break;
  case J_ARRAY: case J_OBJECT:
    h = fnv_u32(h, n->count);
    for (const struct jnode *c = n->child; c; c = c->next) h = hash_tree(c, h);
    break;
  default: break;
  }
  return h;
}
static int key_compare(const struct jnode *a, const struct jnode *b) {
  u32 n = a->keylen < b->keylen ? a->keylen : b->keylen;
  for (u32 i = 0; i < n; i++) if (a->key[i] != b->key[i]) return a->key[i] < b->key[i] ? -1 : 1;
  return a->keylen < b->keylen ? -1 : a->keylen > b->keylen;
}
static struct jnode *sort_members(struct jnode *list, u32 count) {  /* stable merge sort by key */
  if (count < 2) return list;
  struct jnode *mid = list, *second, head, *tail = &head;
  for (u32 i = 1; i < count / 2; i++) mid = mid->next;
  second = mid->next;
  mid->next = 0;
  struct jnode *a = sort_members(list, count / 2), *b = sort_members(second, count - count / 2);
  while (a && b) {
    if (key_compare(a, b) <= 0) { tail->next = a; a = a->next; }
    else { tail->next = b; b = b->next; }
    tail = tail->next;
  }
  tail->next = a ? a : b;
  return head.next;
}
static void canonicalise(struct jnode *n) {
  if (n->type == J_OBJECT) n->child = sort_members(n->child, n->count);
  for (struct jnode *c = n->child; c; c = c->next) canonicalise(c);
}
/* Path lookup: "items[3].tags[0]" */
static const struct jnode *query(const struct jnode *n, const char *path) {
  while (n && *path) {
    if (*path == '.') path++;
    if (*path == '[') {
      u32 idx = 0;
      for (path++; *path >= '0' && *path <= '9'; path++) idx = idx * 10 + (u32)(*path - '0');
      if (*path++ != ']' || n->type != J_ARRAY) return 0;
      const struct jnode *c = n->child;
      while (c && idx--) c = c->next;
      n = c;
      continue;
    }
    u32 len = 0;
    while (path[len] && path[len] != '.' && path[len] != '[') len++;
    if (n->type != J_OBJECT) return 0;
    const struct jnode *c = n->child;
    for (u32 i = 0; c; c = c->next, i = 0) {
      while (i < len && i < c->keylen && c->key[i] == (u8)path[i]) i++;
      if (i == len && c->keylen == len) break;
    }
    n = c;
    path += len;
  }
  return n;
}

/* ---------- document generator ---------- */

static u32 rng_state = 0x9e3779b9u;
static u32 rng_next(void) {
  rng_state ^= rng_state << 13; rng_state ^= rng_state >> 17; rng_state ^= rng_state << 5;
  return rng_state;
}
static u32 rng_below(u32 n) { return rng_next() % n; }

static const char *const words[] = { "alpha", "beta", "gamma", "delta", "omega", "kappa", "sigma",
  "widget", "gadget", "sprocket", "flange", "bolt", "nut", "gear", "axle", "lever", "spring" };
#define NWORDS (sizeof words / sizeof words[0])

static u32 make_text(u8 *out, u32 max) {
  static const u32 specials[] = { '"', '\\', '\n', '\t', 1, 0x1f, 0xe9, 0x20ac, 0x4e2d, 0x1f600, '/' };
  u32 n = 0, parts = 1 + rng_below(5);
  for (u32 p = 0; p < parts && n + 12 < max; p++) {
    if (rng_below(4) == 0) n += utf8_encode(specials[rng_below(sizeof specials / sizeof specials[0])], out + n);
    else for (const char *w = words[rng_below(NWORDS)]; *w && n < max;) out[n++] = (u8)*w++;
    if (n < max && p + 1 < parts) out[n++] = ' ';
  }
  return n;
}
static void gen_string(struct writer *w) { u8 text[64]; w_quoted(w, text, make_text(text, sizeof text)); }
static void gen_key(struct writer *w, const char *key) {
  w_newline(w);
  w_char(w, '"');
  w_str(w, key);                   /* generated keys need no escaping */
  w_str(w, w->pretty ? "\": " : "\":");
}
static void gen_number(struct writer *w) {
  switch (rng_below(5)) {
  case 0: w_i64(w, (i64)rng_below(100000)); break;
  case 1: w_i64(w, -(i64)rng_below(5000)); break;
  case 2: w_i64(w, (i64)rng_below(1000)); w_char(w, '.'); w_i64(w, 10 + (i64)rng_below(90)); break;
  case 3:
    w_i64(w, 1 + (i64)rng_below(9)); w_char(w, '.'); w_i64(w, (i64)rng_below(1000));
    w_char(w, rng_below(2) ? 'e' : 'E'); if (rng_below(2)) w_char(w, '-'); w_i64(w, (i64)rng_below(30));
    break;
  default: w_i64(w, (i64)rng_next() * 1000 + rng_below(1000)); break;
  }
}
static void gen_value(struct writer *w, int depth);
static void gen_array(struct writer *w, int depth, u32 count) {
  w_open(w, '[');
  for (u32 i = 0; i < count; i++) {
    w_newline(w);
    gen_value(w, depth + 1);
    if (i + 1 < count) w_char(w, ',');
  }
  w_close(w, ']', count != 0);
}
static void gen_object(struct writer *w, int depth, u32 count) {
  char key[24];
  w_open(w, '{');
  for (u32 i = 0; i < count; i++) {
    const char *base = words[rng_below(NWORDS)];
    u32 k = 0;
    while (*base) key[k++] = *base++;
    key[k++] = '_'; key[k++] = (char)('a' + i % 26); key[k] = 0;
    gen_key(w, key);
    gen_value(w, depth + 1);
    if (i + 1 < count) w_char(w, ',');
  }
  w_close(w, '}', count != 0);
}
static void gen_value(struct writer *w, int depth) {
  u32 r = rng_below(depth > 4 ? 6 : 9);
  switch (r) {
  case 0: w_str(w, "null"); break;
  case 1: w_str(w, rng_below(2) ? "true" : "false"); break;
  case 2: case 3: gen_number(w); break;
  case 4: case 5: gen_string(w); break;
  case 6: gen_array(w, depth, rng_below(6)); break;
  default: gen_object(w, depth, 1 + rng_below(5)); break;
  }
}
static void gen_item(struct writer *w, u32 i) {
  w_open(w, '{');
  gen_key(w, "name"); gen_string(w); w_char(w, ',');
  gen_key(w, "sku"); w_i64(w, 100000 + i * 7); w_char(w, ',');
  gen_key(w, "price"); w_i64(w, (i64)rng_below(500)); w_char(w, '.'); w_i64(w, 10 + (i64)rng_below(90)); w_char(w, ',');
  gen_key(w, "qty"); w_i64(w, (i64)rng_below(40)); w_char(w, ',');
  gen_key(w, "tags"); gen_array(w, 3, 1 + rng_below(4)); w_char(w, ',');
  gen_key(w, "attrs"); gen_object(w, 2, 1 + rng_below(4)); w_char(w, ',');
  gen_key(w, "active"); w_str(w, rng_below(3) ? "true" : "false");
  w_close(w, '}', 1);
}
static void gen_document(struct writer *w, u32 id) {
  u32 items = 40 + rng_below(30);
  w_open(w, '{');
  gen_key(w, "id"); w_i64(w, id); w_char(w, ',');
  gen_key(w, "title"); gen_string(w); w_char(w, ',');
  gen_key(w, "meta"); gen_object(w, 0, 4 + rng_below(4)); w_char(w, ',');
  gen_key(w, "items");
  w_open(w, '[');
  for (u32 i = 0; i < items; i++) { w_newline(w); gen_item(w, i); if (i + 1 < items) w_char(w, ','); }
  w_close(w, ']', 1);
  w_char(w, ',');
  gen_key(w, "extra"); gen_array(w, 1, 6);
  w_close(w, '}', 1);
}

/* ---------- driver ---------- */

static char doc[DOC_CAP], text2[DOC_CAP], text3[DOC_CAP * 2];

static const char *const bad_docs[] = {
  "{\"a\":}", "[1,2,]", "{\"a\" 1}", "\"\\x\"", "[01]", "{\"a\":1}}", "\"\\ud800\"", "[1e]", "tru",
  "\"a\x01\"", "[\"\xc3\"]", "{1:2}", "[-]", "\"\\u12\"", "[1.]",
};

static void put_count(const char *label, u32 v) { uart_puts(label); uart_putu(v); }

int main(void) {
  u32 h = 2166136261u, total_nodes = 0, total_bytes = 0;
  struct stats st = { { 0 }, 0, 0, 0 };
  int ok = 1;

  for (u32 d = 0; d < DOCS; d++) {
    struct writer w, w2, w3;
    const char *error;
    u32 epos;
    arena_reset();
    w_init(&w, doc, DOC_CAP, d % 3 == 0, d % 2 == 1);
    gen_document(&w, d);
    total_bytes += w.len;
    ok &= !w.overflow;

    struct jnode *root = parse_document(doc, w.len, &error, &epos);
    if (!root) {
      put_count("json: parse error at ", epos);
      uart_puts(": ");
      uart_puts(error);
      uart_putc('\n');
      ok = 0;
      continue;
    }
    collect(root, 0, &st);
    u32 h1 = hash_tree(root, 2166136261u);

    w_init(&w2, text2, DOC_CAP, 0, 0);
    serialise(&w2, root);
    struct jnode *again = parse_document(text2, w2.len, &error, &epos);
    ok &= again != 0 && hash_tree(again, 2166136261u) == h1;

    w_init(&w3, text3, sizeof text3, 1, 1);
    serialise(&w3, again ? again : root);
    ok &= !w2.overflow && !w3.overflow;

    canonicalise(root);
    u32 hc = hash_tree(root, 2166136261u);
    const struct jnode *q1 = query(root, "items[3].sku"), *q2 = query(root, "items[0].tags[0]");
    const struct jnode *q3 = query(root, "meta"), *q4 = query(root, "items[999]");
    ok &= q1 && q1->type == J_NUMBER && q1->mant == 100021 && q2 && q3 && q3->type == J_OBJECT && !q4;

    h = fnv(fnv_u32(fnv_u32(h, h1), hc), (const u8 *)text3, w3.len);
    total_nodes += nnodes;
  }

  u32 rejected = 0;
  for (u32 i = 0; i < sizeof bad_docs / sizeof bad_docs[0]; i++) {
    const char *error;
    u32 epos, len = 0;
    arena_reset();
    while (bad_docs[i][len]) len++;
    if (!parse_document(bad_docs[i], len, &error, &epos)) { rejected++; h = fnv(h, (const u8 *)error, 4); }
  }
  ok &= rejected == sizeof bad_docs / sizeof bad_docs[0];

  put_count("json: documents ", DOCS);
  put_count(", bytes ", total_bytes);
  put_count(", nodes ", total_nodes);
  put_count(", depth ", st.max_depth);
  put_count(", strings ", st.types[J_STRING]);
  put_count(", numbers ", st.types[J_NUMBER]);
  put_count(", objects ", st.types[J_OBJECT]);
  put_count(", rejected ", rejected);
  uart_puts("\njson: checksum 0x");
  uart_puthex(h);
  uart_puts(ok ? " ok\n" : " FAILED\n");
  return ok ? 0 : 1;
}
