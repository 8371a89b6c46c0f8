#!/usr/bin/env bash
# Builds the Linux guest program examples/linux/linux.elf: the kernel and its /init (build.sh, cached outside the
# clone) behind Lockstep's SBI firmware (firmware/sbi.S), linked into one ELF that Lockstep and QEMU's virt board
# both boot. Lockstep writes its machine's own device tree into the firmware at load; the tree linked in is the one
# QEMU boots with (a Lockstep machine with RAM_MIB of RAM). Needs `npm run build` first (for `lockstep dtb`).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/examples/linux/linux.elf}
ram_mib=${RAM_MIB:-64}
bootargs=${BOOTARGS:-console=hvc0 earlycon=sbi}
fdt_buffer_bytes=8192

command -v riscv64-unknown-elf-gcc >/dev/null || { echo "linux: error: riscv64-unknown-elf-gcc is missing (Debian gcc-riscv64-unknown-elf)" >&2; exit 1; }
kernel=$(bash "$root/scripts/linux/build.sh" | tail -1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# /init's NIC DMA page (init/nic-dma.h), reserved in QEMU's tree as Lockstep's loader reserves it (__lockstep_dma).
dma_define() { sed -n "s/^#define $1 \(0x[0-9a-fA-F]*\)\$/\1/p" "$root/scripts/linux/init/nic-dma.h"; }
dma_at=$(dma_define NIC_DMA_BASE)
dma_kib=$(($(dma_define NIC_DMA_BYTES) / 1024))
node "$root/bin/lockstep.js" dtb -o "$tmp/board.dtb" --ram-mib "$ram_mib" --bootargs "$bootargs" --firmware-kib 64 \
  --dma-at "$dma_at" --dma-kib "$dma_kib" >/dev/null
riscv64-unknown-elf-gcc -march=rv32imac_zicsr_zifencei -mabi=ilp32 -nostdlib -nostartfiles -Wl,--no-warn-rwx-segments \
  -T "$root/scripts/linux/firmware/link.ld" -DKERNEL_IMAGE="\"$kernel/Image\"" -DDTB_FILE="\"$tmp/board.dtb\"" \
  -DBOOTARGS="\"$bootargs\"" -DFDT_BUFFER_BYTES=$fdt_buffer_bytes "$root/scripts/linux/firmware/sbi.S" -o "$tmp/linux.elf"
mv "$tmp/linux.elf" "$out"
# The kernel's symbols, lines and DWARF for the debugger (launch.json's symbolFile), beside the guest.
cp "$kernel/vmlinux" "$(dirname "$out")/vmlinux"
echo "$out"
