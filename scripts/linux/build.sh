#!/usr/bin/env bash
# Builds Lockstep's rv32 Linux kernel: Debian's linux-source-6.1 with our config (rv32-lockstep.config). /init, its
# initramfs and the disk are built by guest.sh (they do not change the kernel). Outputs go to a cache folder outside
# the clone, keyed by what goes in (the source tree stays there: guest.sh builds /init against its nolibc):
#   ${LOCKSTEP_LINUX_CACHE:-$HOME/.cache/lockstep/linux}/<key>/{Image,vmlinux,System.map,config,src}
# A run whose key is already built only prints the paths. The output folder is the last line of stdout; progress
# goes to stderr, the build's own output to <folder>/build.log. docs/design/linux-build.md says more.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
log() { echo "linux: $*" >&2; }
fail() { echo "linux: error: $*" >&2; exit 1; }

# Debian packages: the kernel's source and cross compiler, and what its build runs on the host.
tarball=/usr/src/linux-source-6.1.tar.xz
need=()
[ -f "$tarball" ] || need+=(linux-source-6.1)
command -v riscv64-linux-gnu-gcc >/dev/null || need+=(gcc-riscv64-linux-gnu)
command -v gcc >/dev/null && command -v make >/dev/null || need+=(build-essential)
for tool in flex bison bc; do command -v $tool >/dev/null || need+=($tool); done
command -v xz >/dev/null || need+=(xz-utils)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  [ "$(id -u)" = 0 ] || fail "missing Debian packages ${need[*]} (install them, or run as root)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || fail "apt-get update failed"
  apt-get install -y -qq "${need[@]}" >/dev/null || fail "apt-get install ${need[*]} failed"
fi

# The key: the source package's version, the compiler, our config and this script.
version=$(dpkg-query -W -f='${Version}' linux-source-6.1) || fail "linux-source-6.1 is not installed"
key=$(
  {
    echo "linux-source-6.1 $version"
    riscv64-linux-gnu-gcc --version | head -1
    cat "$here/rv32-lockstep.config" "$0"
  } | sha256sum | cut -c1-16
)
cache=${LOCKSTEP_LINUX_CACHE:-$HOME/.cache/lockstep/linux}
out=$cache/$key

report() {
  for f in Image vmlinux System.map; do echo "$f: $out/$f"; done
  echo "$out"
}

mkdir -p "$cache"
exec 9>"$out.lock"
flock 9 # one build of a key at a time; a second caller waits and then finds it built
if [ -f "$out/done" ]; then
  report
  exit 0
fi

log "building linux-source-6.1 $version into $out (log: $out/build.log)"
start=$(date +%s)
rm -rf "$out"
mkdir -p "$out"
trap 'echo "linux: error: the build failed; the end of $out/build.log:" >&2; tail -25 "$out/build.log" >&2' ERR
exec 3>>"$out/build.log"
src=$out/src

log "extracting $tarball"
tar -xJf "$tarball" -C "$out" >&3 2>&1
mv "$out/linux-source-6.1" "$src"

# Fixed build identity and timestamps, so the same inputs give the same Image.
export ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu-
export KBUILD_BUILD_USER=lockstep KBUILD_BUILD_HOST=lockstep KBUILD_BUILD_VERSION=1
export KBUILD_BUILD_TIMESTAMP="1970-01-01 00:00:00 UTC"
jobs=$(nproc)

# The config: tinyconfig's fragments and ours merged in allnoconfig mode (what is not asked for is off), then every
# line of ours checked against the result.
log "configuring (tinyconfig + rv32-lockstep.config)"
frag=$out/rv32-lockstep.config
cp "$here/rv32-lockstep.config" "$frag"
(cd "$src" && scripts/kconfig/merge_config.sh -n kernel/configs/tiny-base.config kernel/configs/tiny.config "$frag") >&3 2>&1
wrong=()
while IFS= read -r line; do
  case $line in
    CONFIG_*=*) grep -qxF "$line" "$src/.config" || wrong+=("$line (got: $(grep "^${line%%=*}=" "$src/.config" || echo 'not set'))") ;;
    "# CONFIG_"*" is not set")
      sym=${line#\# }
      sym=${sym%% *}
      ! grep -q "^$sym=" "$src/.config" || wrong+=("$line (got: $(grep "^$sym=" "$src/.config"))") ;;
  esac
done <"$frag"
if [ ${#wrong[@]} -gt 0 ]; then
  printf 'linux: error: not in the final .config: %s\n' "${wrong[@]}" >&2
  exit 1
fi

log "make -j$jobs Image"
make -C "$src" -j"$jobs" Image >&3 2>&1

cp "$src/arch/riscv/boot/Image" "$src/System.map" "$src/.config" "$out/"
mv "$out/.config" "$out/config"
ln -f "$src/vmlinux" "$out/vmlinux"
trap - ERR
touch "$out/done"
log "built in $(($(date +%s) - start)) s"
report
