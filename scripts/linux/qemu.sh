#!/usr/bin/env bash
# Boots the Linux guest (examples/linux/linux.elf, `npm run linux`: our SBI firmware and the kernel in one ELF) on
# QEMU's virt board, the reference, for a few seconds, and prints the console. Usage: qemu.sh [seconds (default 10)]
# [ELF] [DISK]: with a disk image (examples/linux/disk.img for linux-disk.elf), a copy of it is QEMU's virtio block
# device (the first, so QEMU puts it on slot 7, 0x1000_8000, as Lockstep does). With HOSTFWD_PORT set, a virtio
# network device (slot 6) on QEMU's user network 10.0.0.0/24, with the host's 127.0.0.1:HOSTFWD_PORT forwarded to
# /init's TCP server at 10.0.0.2:7000. Exits 0 when the console shows /init's banner and its first ticks. The CPU is QEMU's rv32 less what
# Lockstep's hart lacks (F, D, Sstc), with 64 MiB of RAM; the firmware passes its kernel the device tree built in.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-10}
elf=${2:-$root/examples/linux/linux.elf}
disk=${3:-}
command -v qemu-system-riscv32 >/dev/null || { echo "linux: qemu-system-riscv32 is missing (Debian: qemu-system-misc)" >&2; exit 1; }
[ -f "$elf" ] || { echo "linux: $elf is missing: npm run linux builds it" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
drive=()
if [ -n "${HOSTFWD_PORT:-}" ]; then
  drive+=(-netdev "user,id=n0,net=10.0.0.0/24,host=10.0.0.1,hostfwd=tcp:127.0.0.1:$HOSTFWD_PORT-10.0.0.2:7000" -device virtio-net-device,netdev=n0)
fi
if [ -n "$disk" ]; then
  cp "$disk" "$work/disk.img"
  drive+=(-drive "file=$work/disk.img,if=none,format=raw,id=vda" -device virtio-blk-device,drive=vda)
fi
timeout --foreground "$seconds" qemu-system-riscv32 -M virt -cpu rv32,g=off,f=off,d=off,sstc=off -m 64M -nographic -bios none \
  -kernel "$elf" "${drive[@]}" </dev/null 2> >(grep -v 'terminating on signal' >&2) | tr -d '\r' | tee "$work/console" || true
grep -qx 'lockstep /init: hello from Linux' "$work/console" && grep -qx 'tick 3' "$work/console"
