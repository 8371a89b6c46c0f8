#!/usr/bin/env bash
# Builds the Linux guest programs in examples/linux: the kernel (build.sh, cached outside the clone) behind Lockstep's
# SBI firmware (firmware/sbi.S), linked into ELFs that Lockstep and QEMU's virt board both boot:
#   linux.elf       the kernel with an initramfs whose /init is init/init.c (no disk needed);
#   linux-disk.elf  the same kernel with no initramfs: its root filesystem is the disk (root=/dev/vda), whose image
#                   the ELF carries (section .lockstep.disk, not loaded): the VM's shared disk starts with it;
#   disk.img        that image alone (for QEMU's -drive), ext2: /sbin/init (the same program), an empty /kv.log it
#                   keeps its table in, and /dev;
#   vmlinux         the kernel's symbols, lines and DWARF for the debugger (launch.json's symbolFile);
#   init.elf        /init itself, with its symbols, lines and DWARF (user space, linked at 0x10000; launch.json's
#                   userSymbolFiles).
# Lockstep writes its machine's own device tree into the firmware at load; the tree linked in is the one QEMU boots
# with (a Lockstep machine with RAM_MIB of RAM). Needs `npm run build` first (for `lockstep dtb`). The argument is the
# folder to write into (default examples/linux).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/scripts/linux
dir=${1:-$root/examples/linux}
ram_mib=${RAM_MIB:-64}
console="console=hvc0 earlycon=sbi"
fdt_buffer_bytes=8192
initrd_at=0x81800000 # firmware/link.ld's .initrd
disk_mib=4

command -v riscv64-unknown-elf-gcc >/dev/null || { echo "linux: error: riscv64-unknown-elf-gcc is missing (Debian gcc-riscv64-unknown-elf)" >&2; exit 1; }
PATH=$PATH:/usr/sbin # mke2fs
command -v mke2fs >/dev/null || { echo "linux: error: mke2fs is missing (Debian e2fsprogs)" >&2; exit 1; }
kernel=$(bash "$here/build.sh" | tail -1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dir"
# Fixed timestamps, so the same inputs give the same bytes (the cpio and ext2 keep mtimes).
epoch="1970-01-01 00:00:00 UTC"

# /init: static, no libc, with the kernel's nolibc start code (see init/init.c); with DWARF for the debugger (the
# sections are not loaded, so the guest runs the same code either way).
riscv64-linux-gnu-gcc -march=rv32imac_zicsr_zifencei -mabi=ilp32 -Os -g -static -nostdlib -ffreestanding \
  -fno-stack-protector -fno-asynchronous-unwind-tables -fno-ident -Wl,--build-id=none -Wall -Wextra -Werror \
  -I"$kernel/src/tools/include/nolibc" -I"$kernel/src/include/uapi" -I"$kernel/src/arch/riscv/include/uapi" \
  -o "$tmp/init" "$here/init/"*.c
touch -d "$epoch" "$tmp/init"

# The initramfs: /dev/console (the kernel opens it as fds 0-2 before running /init), /dev/mem (the NIC), /init.
cat >"$tmp/cpio.list" <<EOF
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
nod /dev/mem 0600 0 0 c 1 1
file /init $tmp/init 0755 0 0
EOF
"$kernel/src/usr/gen_init_cpio" -t 0 "$tmp/cpio.list" >"$tmp/initramfs.cpio"

# The disk: ext2 with 1 KiB blocks, a fixed UUID and hash seed and fake time. The kernel mounts devtmpfs on /dev.
mkdir -p "$tmp/disk/sbin" "$tmp/disk/dev"
cp -p "$tmp/init" "$tmp/disk/sbin/init"
: >"$tmp/disk/kv.log"
find "$tmp/disk" -exec touch -h -d "$epoch" {} +
uuid=6c6f636b-7374-6570-2d64-69736b000001
E2FSPROGS_FAKE_TIME=1 mke2fs -q -F -t ext2 -b 1024 -N 64 -m 0 -U "$uuid" -E "hash_seed=$uuid,root_owner=0:0" \
  -d "$tmp/disk" "$tmp/disk.img" "${disk_mib}M" >/dev/null

# link OUT BOOTARGS [INITRD [DISK]]: the firmware, the kernel, the initramfs (optional) and the disk's image (optional,
# carried in a section that is not loaded) in one ELF.
link() {
  local out=$1 bootargs=$2 initrd=${3:-} disk=${4:-} rd_args=() defines=()
  if [ -n "$initrd" ]; then
    rd_args=(--initrd-at "$initrd_at" --initrd-bytes "$(stat -c %s "$initrd")")
    defines+=(-DINITRD_FILE="\"$initrd\"")
  fi
  [ -z "$disk" ] || defines+=(-DDISK_FILE="\"$disk\"")
  # /init's NIC DMA page (init/nic-dma.h), reserved in QEMU's tree as Lockstep's loader reserves it (__lockstep_dma).
  dma_define() { sed -n "s/^#define $1 \(0x[0-9a-fA-F]*\)\$/\1/p" "$here/init/nic-dma.h"; }
  node "$root/bin/lockstep.js" dtb -o "$tmp/board.dtb" --ram-mib "$ram_mib" --bootargs "$bootargs" --firmware-kib 64 \
    --dma-at "$(dma_define NIC_DMA_BASE)" --dma-kib "$(($(dma_define NIC_DMA_BYTES) / 1024))" "${rd_args[@]}" >/dev/null
  riscv64-unknown-elf-gcc -march=rv32imac_zicsr_zifencei -mabi=ilp32 -nostdlib -nostartfiles -Wl,--no-warn-rwx-segments \
    -T "$here/firmware/link.ld" -DKERNEL_IMAGE="\"$kernel/Image\"" -DDTB_FILE="\"$tmp/board.dtb\"" "${defines[@]}" \
    -DBOOTARGS="\"$bootargs\"" -DFDT_BUFFER_BYTES=$fdt_buffer_bytes "$here/firmware/sbi.S" -o "$tmp/out.elf"
  mv "$tmp/out.elf" "$out"
}

link "$dir/linux.elf" "${BOOTARGS:-$console}" "$tmp/initramfs.cpio"
link "$dir/linux-disk.elf" "$console root=/dev/vda rw rootfstype=ext2" "" "$tmp/disk.img"
mv "$tmp/disk.img" "$dir/disk.img"
cp "$kernel/vmlinux" "$dir/vmlinux"
cp "$tmp/init" "$dir/init.elf"
echo "$dir/linux.elf"
