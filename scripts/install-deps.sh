#!/usr/bin/env bash
# Install the Debian 12 packages minivirt needs to build, test, build its
# guest and run its benchmarks.  Skips apt entirely when all are present.
set -euo pipefail

PKGS=(
  # build
  build-essential meson ninja-build pkg-config libglib2.0-dev libfdt-dev
  libjson-glib-dev
  # guest: cross toolchain, kernel and userspace sources, initramfs tools
  gcc-riscv64-linux-gnu libc6-dev-riscv64-cross linux-source-6.1
  bc flex bison libssl-dev libelf-dev cpio xz-utils dpkg-dev
  # tests and peers
  valgrind socat telnet python3 qemu-system-misc opensbi
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}" >&2
$SUDO apt-get update -q >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
