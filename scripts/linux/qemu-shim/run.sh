#!/usr/bin/env bash
# Boots the kernel that scripts/linux/build.sh built on QEMU's virt board with shim.S as its SBI firmware, for a few
# seconds, and prints the console. Usage: run.sh [seconds (default 10)] [kernel folder (default: build.sh's)].
# Exits 0 when the console shows /init's banner and its first ticks. The CPU is QEMU's rv32 less what Lockstep's
# hart lacks (F, D, Sstc), with 64 MiB of RAM; the kernel is loaded at 0x80400000 as OpenSBI does for rv32.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-10}
kernel=${2:-$(bash "$here/../build.sh" | tail -1)}
command -v qemu-system-riscv32 >/dev/null || { echo "qemu-shim: qemu-system-riscv32 is missing (Debian: qemu-system-misc)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
riscv64-unknown-elf-gcc -march=rv32imac_zicsr -mabi=ilp32 -nostdlib -nostartfiles -Wl,--no-warn-rwx-segments \
  -T "$here/link.ld" -o "$work/shim.elf" "$here/shim.S"
timeout "$seconds" qemu-system-riscv32 -M virt -cpu rv32,g=off,f=off,d=off,sstc=off -m 64M -nographic -bios none \
  -kernel "$work/shim.elf" -device loader,file="$kernel/Image",addr=0x80400000 </dev/null \
  2> >(grep -v 'terminating on signal' >&2) | tr -d '\r' | tee "$work/console" || true
grep -qx 'lockstep /init: hello from Linux' "$work/console" && grep -qx 'tick 3' "$work/console"
