/* suite/interp: a tiny language — lexer, one-pass bytecode compiler, verifier, switch-dispatched stack VM; fib, sort, primes. */
#include "lockstep.h"

#define NOINLINE __attribute__((noinline))

#define CODE_CAP 8192
#define MAX_FUNCS 32
#define MAX_LOCALS 24
#define NAME_LEN 16
#define STACK_SLOTS 4096
#define MAX_FRAMES 512
#define MEM_WORDS 32768
#define OP_BUDGET 40000000u

typedef int8_t i8; typedef int32_t i32;
typedef uint8_t u8; typedef uint16_t u16; typedef uint32_t u32; typedef uint64_t u64;

/* ---------- bytecode ---------- */

enum op {
  OP_HALT, OP_PUSH8, OP_PUSH32, OP_POP, OP_DUP, OP_LOAD, OP_STORE, OP_INC, OP_MLOAD, OP_MSTORE,
  OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_NEG, OP_NOT, OP_BNOT, OP_AND, OP_OR, OP_XOR,
  OP_SHL, OP_SHR, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_JMP, OP_JZ, OP_JNZ,
  OP_CALL, OP_RET, OP_PRINT, OP_COUNT
};
static const u8 operand_bytes[OP_COUNT] = {
  [OP_PUSH8] = 1, [OP_PUSH32] = 4, [OP_LOAD] = 1, [OP_STORE] = 1, [OP_INC] = 2,
  [OP_JMP] = 2, [OP_JZ] = 2, [OP_JNZ] = 2, [OP_CALL] = 1,
};

struct func_info { char name[NAME_LEN]; u16 addr; u8 nparams, nlocals, defined, referenced; };
struct program { u8 code[CODE_CAP]; u32 len; struct func_info funcs[MAX_FUNCS]; u32 nfuncs; };

/* ---------- small string helpers ---------- */

static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int name_eq(const char *a, const char *b, u32 blen) {
  for (u32 i = 0; i < blen; i++) if (a[i] != b[i]) return 0;
  return a[blen] == 0;
}
static void name_copy(char *dst, const char *src, u32 n) {
  if (n >= NAME_LEN) n = NAME_LEN - 1;
  for (u32 i = 0; i < n; i++) dst[i] = src[i];
  dst[n] = 0;
}

/* ---------- lexer ---------- */

enum tok {
  T_EOF, T_NUM, T_IDENT, T_FUNC, T_VAR, T_IF, T_ELSE, T_WHILE, T_RETURN, T_PRINT, T_MEM,
  T_LPAREN, T_RPAREN, T_LBRACE, T_RBRACE, T_LBRACK, T_RBRACK, T_COMMA, T_SEMI, T_ASSIGN,
  T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT, T_AMP, T_PIPE, T_CARET, T_TILDE, T_BANG,
  T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_SHL, T_SHR, T_ANDAND, T_OROR, T_ERROR
};
struct lexer { const char *src; u32 pos, line; enum tok tok; i32 num; const char *id; u32 idlen; };

static const struct { const char *word; enum tok tok; } keywords[] = {
  { "func", T_FUNC }, { "var", T_VAR }, { "if", T_IF }, { "else", T_ELSE }, { "while", T_WHILE },
  { "return", T_RETURN }, { "print", T_PRINT }, { "mem", T_MEM },
};

static enum tok two_char(struct lexer *lx, char second, enum tok yes, enum tok no) {
  return lx->src[lx->pos] == second ? (lx->pos++, yes) : no;
}
static void next_token(struct lexer *lx) {
  const char *s = lx->src;
  for (;;) {
    char c = s[lx->pos];
    if (c == '\n') { lx->line++; lx->pos++; }
    else if (c == ' ' || c == '\t' || c == '\r') lx->pos++;
    else if (c == '#') { while (s[lx->pos] && s[lx->pos] != '\n') lx->pos++; }
    else break;
  }
  char c = s[lx->pos];
  if (c == 0) { lx->tok = T_EOF; return; }
  if (is_digit(c)) {
    u32 v = 0;
    while (is_digit(s[lx->pos])) v = v * 10 + (u32)(s[lx->pos++] - '0');
    lx->num = (i32)v; lx->tok = T_NUM;
    return;
  }
  if (is_alpha(c)) {
    u32 start = lx->pos;
    while (is_alpha(s[lx->pos]) || is_digit(s[lx->pos])) lx->pos++;
    lx->id = s + start; lx->idlen = lx->pos - start; lx->tok = T_IDENT;
    for (u32 k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
      if (name_eq(keywords[k].word, lx->id, lx->idlen)) { lx->tok = keywords[k].tok; break; }
    return;
  }
  static const char singles[] = "(){}[],;+-*/%^~";
  static const enum tok single_toks[] = { T_LPAREN, T_RPAREN, T_LBRACE, T_RBRACE, T_LBRACK, T_RBRACK, T_COMMA,
                                          T_SEMI, T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT, T_CARET, T_TILDE };
  lx->pos++;
  for (u32 k = 0; singles[k]; k++) if (singles[k] == c) { lx->tok = single_toks[k]; return; }
  switch (c) {
  case '&': lx->tok = two_char(lx, '&', T_ANDAND, T_AMP); break;
  case '|': lx->tok = two_char(lx, '|', T_OROR, T_PIPE); break;
  case '=': lx->tok = two_char(lx, '=', T_EQ, T_ASSIGN); break;
  case '!': lx->tok = two_char(lx, '=', T_NE, T_BANG); break;
  case '<': lx->tok = s[lx->pos] == '<' ? (lx->pos++, T_SHL) : two_char(lx, '=', T_LE, T_LT); break;
  case '>': lx->tok = s[lx->pos] == '>' ? (lx->pos++, T_SHR) : two_char(lx, '=', T_GE, T_GT); break;
  default: lx->tok = T_ERROR; break;
  }
}

/* ---------- compiler ---------- */

struct compiler { struct lexer lx; struct program *p; char locals[MAX_LOCALS][NAME_LEN]; u32 nlocals, error_line; const char *error; };

static void fail(struct compiler *c, const char *msg) {
  if (!c->error) { c->error = msg; c->error_line = c->lx.line; }
}
static void advance(struct compiler *c) { next_token(&c->lx); }
static int accept(struct compiler *c, enum tok t) { return c->lx.tok == t ? (advance(c), 1) : 0; }
static void expect(struct compiler *c, enum tok t, const char *msg) { if (!accept(c, t)) fail(c, msg); }

static void emit(struct compiler *c, u8 b) {
  if (c->p->len < CODE_CAP) c->p->code[c->p->len++] = b;
  else fail(c, "code too large");
}
static void emit_op1(struct compiler *c, u8 op, u8 a) { emit(c, op); emit(c, a); }
static void emit_push(struct compiler *c, i32 v) {
  if (v >= -128 && v <= 127) { emit_op1(c, OP_PUSH8, (u8)v); return; }
  emit(c, OP_PUSH32);
  for (int i = 0; i < 32; i += 8) emit(c, (u8)((u32)v >> i));
}
static u32 emit_jump(struct compiler *c, u8 op) {  /* returns the operand position to patch */
  emit_op1(c, op, 0);
  emit(c, 0);
  return c->p->len - 2;
}
static void patch(struct compiler *c, u32 at, u32 target) {
  if (at + 1 < CODE_CAP) { c->p->code[at] = (u8)target; c->p->code[at + 1] = (u8)(target >> 8); }
}
static void emit_jump_to(struct compiler *c, u8 op, u32 target) { patch(c, emit_jump(c, op), target); }

static int find_local(struct compiler *c, const char *id, u32 len) {
  for (u32 i = 0; i < c->nlocals; i++) if (name_eq(c->locals[i], id, len)) return (int)i;
  return -1;
}
static int add_local(struct compiler *c, const char *id, u32 len) {
  if (find_local(c, id, len) >= 0) { fail(c, "duplicate name"); return 0; }
  if (c->nlocals == MAX_LOCALS) { fail(c, "too many locals"); return 0; }
  name_copy(c->locals[c->nlocals], id, len);
  return (int)c->nlocals++;
}
static int find_func(struct compiler *c, const char *id, u32 len) {
  struct program *p = c->p;
  for (u32 i = 0; i < p->nfuncs; i++) if (name_eq(p->funcs[i].name, id, len)) return (int)i;
  if (p->nfuncs == MAX_FUNCS) { fail(c, "too many functions"); return 0; }
  struct func_info *f = &p->funcs[p->nfuncs];
  name_copy(f->name, id, len);
  f->defined = f->referenced = f->nparams = f->nlocals = 0;
  return (int)p->nfuncs++;
}

static void parse_expr(struct compiler *c);
static void parse_wrapped(struct compiler *c, enum tok open, enum tok close) {  /* ( expr ) or [ expr ] */
  expect(c, open, open == T_LPAREN ? "'(' expected" : "'[' expected");
  parse_expr(c);
  expect(c, close, close == T_RPAREN ? "')' expected" : "']' expected");
}

static void parse_call(struct compiler *c, int f) {
  u8 nargs = 0;
  advance(c);  /* ( */
  if (c->lx.tok != T_RPAREN) do { parse_expr(c); nargs++; } while (!c->error && accept(c, T_COMMA));
  expect(c, T_RPAREN, "')' after arguments");
  struct func_info *fi = &c->p->funcs[f];
  if (fi->defined || fi->referenced) { if (fi->nparams != nargs) fail(c, "wrong argument count"); }
  else { fi->nparams = nargs; fi->referenced = 1; }
  emit_op1(c, OP_CALL, (u8)f);
}
static void parse_primary(struct compiler *c) {
  struct lexer *lx = &c->lx;
  switch (lx->tok) {
  case T_NUM: emit_push(c, lx->num); advance(c); break;
  case T_LPAREN: parse_wrapped(c, T_LPAREN, T_RPAREN); break;
  case T_MEM: advance(c); parse_wrapped(c, T_LBRACK, T_RBRACK); emit(c, OP_MLOAD); break;
  case T_IDENT: {
    const char *id = lx->id; u32 len = lx->idlen;
    advance(c);
    if (lx->tok == T_LPAREN) { parse_call(c, find_func(c, id, len)); break; }
    int slot = find_local(c, id, len);
    if (slot < 0) fail(c, "unknown variable"); else emit_op1(c, OP_LOAD, (u8)slot);
    break;
  }
  default: fail(c, "expression expected"); advance(c); break;
  }
}
static void parse_unary(struct compiler *c) {
  switch (c->lx.tok) {
  case T_MINUS: advance(c); parse_unary(c); emit(c, OP_NEG); break;
  case T_BANG: advance(c); parse_unary(c); emit(c, OP_NOT); break;
  case T_TILDE: advance(c); parse_unary(c); emit(c, OP_BNOT); break;
  case T_PLUS: advance(c); parse_unary(c); break;
  default: parse_primary(c); break;
  }
}
static const struct { enum tok tok; u8 prec, op; } binops[] = {   /* precedence climbing table */
  { T_OROR, 1, OP_JNZ }, { T_ANDAND, 2, OP_JZ }, { T_PIPE, 3, OP_OR }, { T_CARET, 4, OP_XOR },
  { T_AMP, 5, OP_AND }, { T_EQ, 6, OP_EQ }, { T_NE, 6, OP_NE }, { T_LT, 7, OP_LT }, { T_LE, 7, OP_LE },
  { T_GT, 7, OP_GT }, { T_GE, 7, OP_GE }, { T_SHL, 8, OP_SHL }, { T_SHR, 8, OP_SHR }, { T_PLUS, 9, OP_ADD },
  { T_MINUS, 9, OP_SUB }, { T_STAR, 10, OP_MUL }, { T_SLASH, 10, OP_DIV }, { T_PERCENT, 10, OP_MOD },
};
static int find_binop(enum tok t) {
  for (u32 i = 0; i < sizeof binops / sizeof binops[0]; i++) if (binops[i].tok == t) return (int)i;
  return -1;
}
static void parse_binary(struct compiler *c, int min_prec) {
  parse_unary(c);
  while (!c->error) {
    enum tok t = c->lx.tok;
    int k = find_binop(t), prec = k < 0 ? 0 : binops[k].prec;
    if (prec == 0 || prec < min_prec) break;
    advance(c);
    if (t == T_ANDAND || t == T_OROR) {   /* short circuit: result is 0 or 1 */
      u8 branch = binops[k].op;
      u32 j1 = emit_jump(c, branch);
      parse_binary(c, prec + 1);
      u32 j2 = emit_jump(c, branch);
      emit_push(c, t == T_ANDAND);
      u32 j3 = emit_jump(c, OP_JMP);
      patch(c, j1, c->p->len); patch(c, j2, c->p->len);
      emit_push(c, t != T_ANDAND);
      patch(c, j3, c->p->len);
    } else {
      parse_binary(c, prec + 1);
      emit(c, binops[k].op);
    }
  }
}
static void parse_expr(struct compiler *c) { parse_binary(c, 1); }

static void parse_statement(struct compiler *c);

static void parse_block(struct compiler *c) {
  expect(c, T_LBRACE, "'{'");
  while (!c->error && c->lx.tok != T_RBRACE && c->lx.tok != T_EOF) parse_statement(c);
  expect(c, T_RBRACE, "'}'");
}
static void parse_assignment(struct compiler *c, int slot) {
  u32 start = c->p->len;
  parse_expr(c);
  u8 *code = c->p->code + start;
  /* peephole: x = x + k  ->  INC x, k */
  if (c->p->len == start + 5 && code[0] == OP_LOAD && code[1] == (u8)slot && code[2] == OP_PUSH8 && code[4] == OP_ADD) {
    code[0] = OP_INC; code[2] = code[3]; c->p->len = start + 3;
  } else emit_op1(c, OP_STORE, (u8)slot);
}
static void parse_statement(struct compiler *c) {
  struct lexer *lx = &c->lx;
  switch (lx->tok) {
  case T_LBRACE: parse_block(c); return;
  case T_VAR: {
    advance(c);
    if (lx->tok != T_IDENT) { fail(c, "name expected after var"); return; }
    int slot = add_local(c, lx->id, lx->idlen);
    advance(c);
    if (accept(c, T_ASSIGN)) parse_assignment(c, slot);
    else { emit_push(c, 0); emit_op1(c, OP_STORE, (u8)slot); }
    expect(c, T_SEMI, "';'");
    return;
  }
  case T_IF: {
    advance(c);
    parse_wrapped(c, T_LPAREN, T_RPAREN);
    u32 skip = emit_jump(c, OP_JZ);
    parse_statement(c);
    if (accept(c, T_ELSE)) {
      u32 end = emit_jump(c, OP_JMP);
      patch(c, skip, c->p->len);
      parse_statement(c);
      patch(c, end, c->p->len);
    } else patch(c, skip, c->p->len);
    return;
  }
  case T_WHILE: {
    advance(c);
    u32 top = c->p->len;
    parse_wrapped(c, T_LPAREN, T_RPAREN);
    u32 exit = emit_jump(c, OP_JZ);
    parse_statement(c);
    emit_jump_to(c, OP_JMP, top);
    patch(c, exit, c->p->len);
    return;
  }
  case T_RETURN:
    advance(c);
    if (lx->tok == T_SEMI) emit_push(c, 0); else parse_expr(c);
    emit(c, OP_RET);
    expect(c, T_SEMI, "';' after return");
    return;
  case T_PRINT:
    advance(c);
    parse_wrapped(c, T_LPAREN, T_RPAREN);
    emit(c, OP_PRINT);
    expect(c, T_SEMI, "';'");
    return;
  case T_MEM:
    advance(c);
    parse_wrapped(c, T_LBRACK, T_RBRACK);
    expect(c, T_ASSIGN, "'=' expected after mem[...]");
    parse_expr(c);
    emit(c, OP_MSTORE);
    expect(c, T_SEMI, "';'");
    return;
  case T_IDENT: {
    struct lexer save = *lx;
    advance(c);
    if (lx->tok == T_ASSIGN) {
      int slot = find_local(c, save.id, save.idlen);
      if (slot < 0) { fail(c, "assignment to unknown variable"); return; }
      advance(c);
      parse_assignment(c, slot);
      expect(c, T_SEMI, "';'");
      return;
    }
    *lx = save;
    break;
  }
  default: break;
  }
  parse_expr(c);
  emit(c, OP_POP);
  expect(c, T_SEMI, "';' after expression");
}
static void parse_function(struct compiler *c) {
  expect(c, T_FUNC, "'func' expected");
  if (c->lx.tok != T_IDENT) { fail(c, "function name expected"); return; }
  int f = find_func(c, c->lx.id, c->lx.idlen);
  struct func_info *fi = &c->p->funcs[f];
  if (fi->defined) { fail(c, "function defined twice"); return; }
  advance(c);
  c->nlocals = 0;
  expect(c, T_LPAREN, "'('");
  if (c->lx.tok == T_IDENT)
    do {
      if (c->lx.tok != T_IDENT) { fail(c, "parameter name expected"); return; }
      add_local(c, c->lx.id, c->lx.idlen);
      advance(c);
    } while (!c->error && accept(c, T_COMMA));
  expect(c, T_RPAREN, "')'");
  if (fi->referenced && fi->nparams != c->nlocals) fail(c, "wrong argument count");
  fi->nparams = (u8)c->nlocals;
  fi->addr = (u16)c->p->len;
  fi->defined = 1;
  parse_block(c);
  emit_push(c, 0);
  emit(c, OP_RET);
  fi->nlocals = (u8)c->nlocals;
}
/* Returns 0 on success, else sets *error. Code starts with a stub: CALL main; HALT. */
NOINLINE static int compile(const char *src, struct program *p, const char **error, u32 *line) {
  struct compiler c;
  c.p = p; c.error = 0; c.nlocals = 0;
  c.lx.src = src; c.lx.pos = 0; c.lx.line = 1;
  p->len = p->nfuncs = 0;
  int main_f = find_func(&c, "main", 4);
  emit_op1(&c, OP_CALL, (u8)main_f);
  emit(&c, OP_HALT);
  advance(&c);
  while (!c.error && c.lx.tok != T_EOF) parse_function(&c);
  for (u32 i = 0; !c.error && i < p->nfuncs; i++) if (!p->funcs[i].defined) fail(&c, "undefined function");
  if (!c.error && p->funcs[main_f].nparams != 0) fail(&c, "main takes no parameters");
  *error = c.error;
  *line = c.error_line;
  return c.error ? -1 : 0;
}

/* Walks the bytecode: checks operands and jump/call targets; returns the instruction count or -1. */
static int verify(const struct program *p) {
  int count = 0;
  for (u32 pc = 0; pc < p->len; count++) {
    u8 op = p->code[pc];
    if (op >= OP_COUNT || pc + 1 + operand_bytes[op] > p->len) return -1;
    switch (op) {
    case OP_JMP: case OP_JZ: case OP_JNZ:
      if ((p->code[pc + 1] | (u32)p->code[pc + 2] << 8) >= p->len) return -1;
      break;
    case OP_CALL: if (p->code[pc + 1] >= p->nfuncs) return -1; break;
    default: break;
    }
    pc += 1 + operand_bytes[op];
  }
  return count;
}

/* ---------- virtual machine ---------- */

enum vm_status { VM_OK, VM_DIV_ZERO, VM_BAD_MEM, VM_STACK, VM_BUDGET, VM_BAD_OP };
static const char *const vm_status_names[] = { "ok", "division by zero", "memory index", "stack overflow", "budget", "bad opcode" };

struct frame { u32 ret, base; };
struct vm { i32 stack[STACK_SLOTS]; struct frame frames[MAX_FRAMES]; i32 mem[MEM_WORDS]; u64 ops; u32 prints, print_hash; };
static struct vm the_vm;

static u32 read_u32(const u8 *p) { return p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24; }
NOINLINE static enum vm_status vm_run(struct vm *vm, const struct program *p, i32 *result) {
  const u8 *code = p->code;
  i32 *st = vm->stack;
  u32 pc = 0, sp = 0, fp = 0, base = 0;
  u64 ops = 0;
  enum vm_status status = VM_OK;
  for (;;) {
    if (++ops > OP_BUDGET) { status = VM_BUDGET; break; }
    u8 op = code[pc++];
    switch (op) {
    case OP_HALT: *result = sp ? st[sp - 1] : 0; goto done;
    case OP_PUSH8: st[sp++] = (i8)code[pc++]; break;
    case OP_PUSH32: st[sp++] = (i32)read_u32(code + pc); pc += 4; break;
    case OP_POP: sp--; break;
    case OP_DUP: st[sp] = st[sp - 1]; sp++; break;
    case OP_LOAD: st[sp++] = st[base + code[pc++]]; break;
    case OP_STORE: st[base + code[pc++]] = st[--sp]; break;
    case OP_INC: st[base + code[pc]] = (i32)((u32)st[base + code[pc]] + (u32)(i32)(i8)code[pc + 1]); pc += 2; break;
    case OP_MLOAD:
      if ((u32)st[sp - 1] >= MEM_WORDS) { status = VM_BAD_MEM; goto done; }
      st[sp - 1] = vm->mem[st[sp - 1]];
      break;
    case OP_MSTORE:
      if ((u32)st[sp - 2] >= MEM_WORDS) { status = VM_BAD_MEM; goto done; }
      vm->mem[st[sp - 2]] = st[sp - 1];
      sp -= 2;
      break;
    case OP_ADD: sp--; st[sp - 1] = (i32)((u32)st[sp - 1] + (u32)st[sp]); break;
    case OP_SUB: sp--; st[sp - 1] = (i32)((u32)st[sp - 1] - (u32)st[sp]); break;
    case OP_MUL: sp--; st[sp - 1] = (i32)((u32)st[sp - 1] * (u32)st[sp]); break;
    case OP_DIV:
    case OP_MOD: {
      i32 b = st[--sp], a = st[sp - 1];
      if (b == 0) { status = VM_DIV_ZERO; goto done; }
      if (b == -1) st[sp - 1] = op == OP_DIV ? (i32)(0u - (u32)a) : 0;
      else st[sp - 1] = op == OP_DIV ? a / b : a % b;
      break;
    }
    case OP_NEG: st[sp - 1] = (i32)(0u - (u32)st[sp - 1]); break;
    case OP_NOT: st[sp - 1] = !st[sp - 1]; break;
    case OP_BNOT: st[sp - 1] = ~st[sp - 1]; break;
    case OP_AND: sp--; st[sp - 1] &= st[sp]; break;
    case OP_OR: sp--; st[sp - 1] |= st[sp]; break;
    case OP_XOR: sp--; st[sp - 1] ^= st[sp]; break;
    case OP_SHL: sp--; st[sp - 1] = (i32)((u32)st[sp - 1] << (st[sp] & 31)); break;
    case OP_SHR: sp--; st[sp - 1] = st[sp - 1] >> (st[sp] & 31); break;
    case OP_EQ: sp--; st[sp - 1] = st[sp - 1] == st[sp]; break;
    case OP_NE: sp--; st[sp - 1] = st[sp - 1] != st[sp]; break;
    case OP_LT: sp--; st[sp - 1] = st[sp - 1] < st[sp]; break;
    case OP_LE: sp--; st[sp - 1] = st[sp - 1] <= st[sp]; break;
    case OP_GT: sp--; st[sp - 1] = st[sp - 1] > st[sp]; break;
    case OP_GE: sp--; st[sp - 1] = st[sp - 1] >= st[sp]; break;
    case OP_JMP: pc = code[pc] | (u32)code[pc + 1] << 8; break;
    case OP_JZ: pc = st[--sp] == 0 ? code[pc] | (u32)code[pc + 1] << 8 : pc + 2; break;
    case OP_JNZ: pc = st[--sp] != 0 ? code[pc] | (u32)code[pc + 1] << 8 : pc + 2; break;
    case OP_CALL: {
      const struct func_info *f = &p->funcs[code[pc]];
      if (fp == MAX_FRAMES || sp + f->nlocals + 64 > STACK_SLOTS) { status = VM_STACK; goto done; }
      vm->frames[fp].ret = pc + 1;
      vm->frames[fp++].base = base;
      base = sp - f->nparams;
      for (u32 i = f->nparams; i < f->nlocals; i++) st[sp++] = 0;
      pc = f->addr;
      break;
    }
    case OP_RET:
      st[base] = st[sp - 1];   /* the result replaces the arguments and locals */
      sp = base + 1;
      fp--;
      pc = vm->frames[fp].ret;
      base = vm->frames[fp].base;
      break;
    case OP_PRINT: vm->prints++; vm->print_hash = (vm->print_hash ^ (u32)st[--sp]) * 16777619u; break;
    default: status = VM_BAD_OP; goto done;
    }
  }
done:
  vm->ops += ops;
  return status;
}

/* ---------- guest programs ---------- */

static const char src_fib[] =
  "# naive recursion\n"
  "func fib(n) { if (n < 2) return n; return fib(n - 1) + fib(n - 2); }\n"
  "func main() { return fib(22); }\n";

static const char src_sort[] =
  "func seed(n, x) {\n"
  "  var i = 0; while (i < n) { x = (x * 1103515245 + 12345) & 2147483647; mem[i] = (x >> 8) % 100000; i = i + 1; }\n"
  "  return x;\n"
  "}\n"
  "func swap(i, j) { var t = mem[i]; mem[i] = mem[j]; mem[j] = t; return 0; }\n"
  "func partition(lo, hi) {\n"
  "  var p = mem[(lo + hi) / 2]; var i = lo - 1; var j = hi + 1;\n"
  "  while (1) {\n"
  "    i = i + 1; while (mem[i] < p) i = i + 1;\n"
  "    j = j - 1; while (mem[j] > p) j = j - 1;\n"
  "    if (i >= j) return j; swap(i, j);\n"
  "  }\n"
  "}\n"
  "func qsort(lo, hi) { if (lo < hi) { var p = partition(lo, hi); qsort(lo, p); qsort(p + 1, hi); } return 0; }\n"
  "func check(n) {\n"
  "  var i = 1; var h = 0;\n"
  "  while (i < n) { if (mem[i - 1] > mem[i]) return -1; h = (h * 31 + mem[i]) & 16777215; i = i + 1; }\n"
  "  return h;\n"
  "}\n"
  "func main() { var r = 0; var x = 7; var k = 0;\n"
  "  while (k < 2) { x = seed(1500, x); qsort(0, 1499); r = r ^ check(1500); k = k + 1; } return r; }\n";

static const char src_primes[] =
  "func isprime(n) {\n"
  "  if (n < 2) return 0; if (n % 2 == 0) return n == 2;\n"
  "  var d = 3; while (d * d <= n) { if (n % d == 0) return 0; d = d + 2; }\n"
  "  return 1;\n"
  "}\n"
  "func count(limit) { var c = 0; var n = 0; while (n < limit) { c = c + isprime(n); n = n + 1; } return c; }\n"
  "func sieve(limit) {\n"
  "  var i = 2; var c = 0; while (i < limit) { mem[i] = 1; i = i + 1; }\n"
  "  i = 2;\n"
  "  while (i < limit) { if (mem[i]) { c = c + 1; var j = i * i; while (j < limit) { mem[j] = 0; j = j + i; } } i = i + 1; }\n"
  "  return c;\n"
  "}\n"
  "func main() { var a = count(8000); var b = sieve(12000); if (a != 1007 || b != 1438) return -1; return a * 10000 + b; }\n";

static const char src_mix[] =
  "func gcd(a, b) { while (b) { var t = a % b; a = b; b = t; } return a; }\n"
  "func collatz(n) { var s = 0; while (n != 1) { if (n & 1) n = 3 * n + 1; else n = n >> 1; s = s + 1; } return s; }\n"
  "func popcount(x) { var c = 0; while (x) { x = x & (x - 1); c = c + 1; } return c; }\n"
  "func ack(m, n) { if (m == 0) return n + 1; if (n == 0) return ack(m - 1, 1); return ack(m - 1, ack(m, n - 1)); }\n"
  "func main() {\n"
  "  var i = 1; var acc = 0;\n"
  "  while (i <= 700) {\n"
  "    acc = acc ^ (collatz(i) << (i % 7)); acc = acc + gcd(i * 7919, 104729 % i + 1) - popcount(i * 2654435);\n"
  "    if (i % 100 == 0) print(acc); i = i + 1;\n"
  "  }\n"
  "  print(ack(2, 120)); print(acc ^ ~(-i) | !(i > 0 && acc < 0) && (acc != 0 || i == 0));\n"
  "  return acc;\n"
  "}\n";

static const char src_bad1[] = "func main() { var x = 1; return x + ; }";
static const char src_bad2[] = "func main() { return f(1); } func f(a, b) { return a; }";
static const char src_bad3[] = "func main() { return 10 / (3 - 3); }";

struct guest { const char *name; const char *src; int expect_compile_error; };
static const struct guest guests[] = {
  { "fib", src_fib, 0 }, { "sort", src_sort, 0 }, { "primes", src_primes, 0 }, { "mix", src_mix, 0 },
  { "bad-syntax", src_bad1, 1 }, { "bad-arity", src_bad2, 1 }, { "div-zero", src_bad3, 0 },
};
#define NGUESTS (sizeof guests / sizeof guests[0])

static struct program prog;

static void put_count(u32 v, const char *unit) { uart_putu(v); uart_puts(unit); }

int main(void) {
  u32 h = 2166136261u;
  int ok = 1;
  for (u32 g = 0; g < NGUESTS; g++) {
    const char *error; u32 line;
    uart_puts("interp: ");
    uart_puts(guests[g].name);
    int rc = compile(guests[g].src, &prog, &error, &line);
    if (rc != 0) {
      uart_puts(": compile error line ");
      put_count(line, ": ");
      uart_puts(error);
      uart_putc('\n');
      ok &= guests[g].expect_compile_error;
      h = (h ^ line) * 16777619u;
      continue;
    }
    ok &= !guests[g].expect_compile_error;
    int count = verify(&prog);
    ok &= count > 0;
    struct vm *vm = &the_vm;
    u64 before = vm->ops;
    i32 result = 0;
    enum vm_status st = vm_run(vm, &prog, &result);
    u32 ops = (u32)(vm->ops - before);
    uart_puts(": ");
    put_count(prog.len, " bytes, ");
    put_count((u32)count, " instructions, ");
    put_count(ops, " ops, ");
    if (st != VM_OK) { uart_puts("error: "); uart_puts(vm_status_names[st]); }
    else if (result < 0) { uart_puts("result -"); uart_putu(0u - (u32)result); }
    else { uart_puts("result "); uart_putu((u32)result); }
    uart_putc('\n');
    h = (((h ^ (u32)result) * 16777619u ^ ops) * 16777619u ^ st) * 16777619u;
  }
  ok &= the_vm.prints == 9;
  uart_puts("interp: ");
  put_count(the_vm.prints, " prints 0x");
  uart_puthex(the_vm.print_hash);
  uart_puts(", checksum 0x");
  uart_puthex(h ^ the_vm.print_hash);
  uart_puts(ok ? " ok\n" : " FAILED\n");
  return ok ? 0 : 1;
}
