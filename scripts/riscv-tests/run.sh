#!/usr/bin/env bash
# Builds the official riscv-tests for Lockstep's hart (RV32IMAC, Zicsr, Zifencei, M/S/U, Sv32) and runs each
# on `lockstep exec`, printing pass/fail per test and a summary per group. A tool for people: CI cannot fetch
# riscv-tests (docs/design/privilege.md, last section).
#
#   scripts/riscv-tests/run.sh RISCV_TESTS_DIR [--qemu] [--keep DIR]
#
# RISCV_TESTS_DIR: a checkout of github.com/riscv-software-src/riscv-tests with its `env` submodule
# (github.com/riscv/riscv-test-env) in env/. --qemu also runs each test on qemu-system-riscv32 -M spike
# (which honours tohost) and prints its verdict beside ours, and whether both took the same traps (cause,
# epc and tval of each, from QEMU's `-d int` log and traps.ts; "traps differ" names the first difference,
# with --keep the logs stay beside the ELFs). --keep DIR builds into DIR and keeps it
# (default: a temporary folder, removed at the end). QEMU 7.2 (Debian 12) fails rv32mi-p-instret_overflow: it
# does not suppress the increment of the instruction that writes minstret, which the spec asks for.
#
# Needs riscv64-unknown-elf-gcc and, for the virtual-memory ("v") tests, picolibc's headers (Debian:
# gcc-riscv64-unknown-elf, picolibc-riscv64-unknown-elf). Exit status 0 when every test passes.
#
# Built: the "p" tests (physical memory, M-mode environment) of rv32ui, rv32um, rv32ua, rv32uc, rv32mi and
# rv32si, and the "v" tests (user code under Sv32, demand paging by the environment's S-mode kernel) of
# rv32ui, rv32um, rv32ua and rv32uc (the only groups riscv-tests builds in "v"). Not built, for extensions
# the hart does not have: rv32uf, rv32ud (F, D), rv32uzfh (Zfh), rv32uzba, rv32uzbb, rv32uzbc, rv32uzbs,
# rv32uzbkb, rv32uzbkx (bit manipulation and its crypto subsets), rv32uzicond (Zicond), rv32up (P).
set -euo pipefail

usage() { echo "usage: $0 RISCV_TESTS_DIR [--qemu] [--keep DIR]" >&2; exit 2; }
[ $# -ge 1 ] || usage
SRC=$(cd "$1" && pwd) || usage
shift
QEMU=0
KEEP=
while [ $# -gt 0 ]; do
  case "$1" in
    --qemu) QEMU=1 ;;
    --keep) [ $# -ge 2 ] || usage; KEEP=$2; shift ;;
    *) usage ;;
  esac
  shift
done

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ISA=$SRC/isa
ENV=$SRC/env
[ -f "$ISA/rv32ui/Makefrag" ] || { echo "$SRC: no isa/rv32ui/Makefrag: not a riscv-tests checkout" >&2; exit 2; }
[ -f "$ENV/p/riscv_test.h" ] || { echo "$ENV: empty; riscv-tests' env submodule (github.com/riscv/riscv-test-env) goes there" >&2; exit 2; }
CC=riscv64-unknown-elf-gcc
command -v $CC >/dev/null || { echo "$CC not found (Debian: gcc-riscv64-unknown-elf)" >&2; exit 2; }
PICOLIBC=/usr/lib/picolibc/riscv64-unknown-elf/include
[ -f "$ROOT/dist/cli.js" ] || (cd "$ROOT" && npm run build >/dev/null)
if [ $QEMU = 1 ] && ! command -v qemu-system-riscv32 >/dev/null; then echo "qemu-system-riscv32 not found" >&2; exit 2; fi

if [ -n "$KEEP" ]; then OUT=$KEEP; mkdir -p "$OUT"; else OUT=$(mktemp -d); trap 'rm -rf "$OUT"' EXIT; fi

MARCH=-march=rv32imac_zicsr_zifencei
OPTS=(-mabi=ilp32 -static -mcmodel=medany -fvisibility=hidden -nostdlib -nostartfiles)

# The test names of a group, from its Makefrag (`<group>_sc_tests = a b \ ...`).
tests_of() {
  awk -v g="$1" '
    !on && $0 ~ "^" g "_sc_tests[ \t]*=" { on = 1; sub(/^[^=]*=/, "") }
    on { more = ($0 ~ /\\[ \t]*$/); gsub(/\\/, ""); for (i = 1; i <= NF; i++) print $i; if (!more) exit }
  ' "$ISA/$1/Makefrag"
}

# build GROUP ENV TEST: the ELF's path, or nothing (and the compiler's messages in OUT/NAME.log) when it does not build.
build() {
  local g=$1 e=$2 t=$3 name=$1-$2-$3
  local log=$OUT/$name.log
  if [ "$e" = p ]; then
    $CC $MARCH "${OPTS[@]}" -I"$ENV/p" -I"$ISA/macros/scalar" -T"$ENV/p/link.ld" "$ISA/$g/$t.S" -o "$OUT/$name" >"$log" 2>&1 || return 0
  else
    # The v environment's vm.c holds an F instruction as data (to recognise FP tests it skips), so it alone is
    # assembled with F; nothing in it is floating-point code. string.h comes from picolibc's headers.
    local c=("${OPTS[@]}" -isystem "$PICOLIBC" -DENTROPY=0x$(echo "$name" | md5sum | cut -c 1-7) -std=gnu99 -O2 -I"$ENV/v" -I"$ISA/macros/scalar")
    $CC -march=rv32imafc_zicsr_zifencei "${c[@]}" -c "$ENV/v/vm.c" -o "$OUT/$name.vm.o" >"$log" 2>&1 &&
      $CC $MARCH "${c[@]}" -T"$ENV/v/link.ld" "$ENV/v/entry.S" "$ENV/v/string.c" "$OUT/$name.vm.o" "$ISA/$g/$t.S" -o "$OUT/$name" >>"$log" 2>&1 || return 0
  fi
  echo "$OUT/$name"
}

# Lockstep's verdict: "pass", or "FAIL (test N)" / "FAIL (reason)".
run_lockstep() {
  local stats
  stats=$(node "$ROOT/bin/lockstep.js" exec --stats --max-instructions 50000000 "$1" 2>&1 >/dev/null | grep '^{' || true)
  case "$stats" in
    *'"reason":"exit","exitCode":0}'*) echo pass ;;
    *'"reason":"exit"'*) echo "FAIL (test $(echo "$stats" | sed 's/.*"exitCode":\([0-9]*\).*/\1/'))" ;;
    *) echo "FAIL ($(echo "$stats" | sed 's/.*"reason":"\([a-z]*\)".*/\1/'))" ;;
  esac
}

run_qemu() {
  local code=0
  # The CPU less what Lockstep's hart lacks (F, D), or csr.S fails on purpose: "compiled without F but run with F".
  rm -f "$1.qemu-int.log"
  timeout 30 qemu-system-riscv32 -M spike -cpu rv32,g=off,f=off,d=off -bios none -nographic -kernel "$1" \
    -d int -D "$1.qemu-int.log" >/dev/null 2>&1 || code=$?
  case $code in 0) echo pass ;; 124) echo "FAIL (timeout)" ;; *) echo "FAIL (test $code)" ;; esac
}

# After run_qemu: "traps same", or "traps differ: <ours> | <QEMU's>" at the first difference.
compare_traps() {
  sed -nE 's/.*async:([01]), cause:([0-9a-f]+), epc:0x([0-9a-f]+), tval:0x([0-9a-f]+).*/async:\1 cause:\2 epc:\3 tval:\4/p' \
    "$1.qemu-int.log" >"$1.qemu-traps"
  (cd "$ROOT" && node --import tsx scripts/riscv-tests/traps.ts "$1") >"$1.lockstep-traps"
  if cmp -s "$1.lockstep-traps" "$1.qemu-traps"; then echo "traps same"; return; fi
  awk 'FILENAME == ARGV[1] { a[FNR] = $0; n = FNR; next } { b[FNR] = $0; m = FNR }
    END { for (i = 1; i <= (n > m ? n : m); i++) if (a[i] != b[i]) {
      print "traps differ: " (i in a ? a[i] : "(none)") " | " (i in b ? b[i] : "(none)"); exit } }' \
    "$1.lockstep-traps" "$1.qemu-traps"
}

total=0 failed=0 unbuilt=0
summary=()
for ge in rv32ui-p rv32um-p rv32ua-p rv32uc-p rv32mi-p rv32si-p rv32ui-v rv32um-v rv32ua-v rv32uc-v; do
  g=${ge%-*} e=${ge##*-}
  n=0 ok=0
  for t in $(tests_of "$g"); do
    n=$((n + 1))
    elf=$(build "$g" "$e" "$t")
    if [ -z "$elf" ]; then
      verdict="NOT BUILT (see $OUT/$g-$e-$t.log)"
      unbuilt=$((unbuilt + 1))
    else
      verdict=$(run_lockstep "$elf")
      [ "$verdict" = pass ] && ok=$((ok + 1))
    fi
    line=$(printf '%-28s %s' "$g-$e-$t" "$verdict")
    [ $QEMU = 1 ] && [ -n "$elf" ] && line=$(printf '%-50s qemu: %-16s %s' "$line" "$(run_qemu "$elf")" "$(compare_traps "$elf")")
    echo "$line"
  done
  total=$((total + n))
  failed=$((failed + n - ok))
  summary+=("$(printf '%-10s %3d/%-3d pass' "$ge" "$ok" "$n")")
done

echo
printf '%s\n' "${summary[@]}"
echo "total: $((total - failed))/$total pass$([ $unbuilt -gt 0 ] && echo ", $unbuilt not built")"
[ $failed -eq 0 ]
