#!/bin/bash
# Build (or fetch from the cache) everything a guest boot needs.
# Usage: build-all.sh [build-initramfs.sh options...]
# Prints, as the last two lines of stdout:
#   KERNEL=/path/to/Image
#   INITRD=/path/to/initramfs.cpio.gz
# so a caller can `eval "$(scripts/guest/build-all.sh | tail -n2)"`.
set -euo pipefail
here=$(dirname "$0")

kernel=$("$here/build-kernel.sh" | tail -n1)
"$here/build-busybox.sh" > /dev/null
initrd=$("$here/build-initramfs.sh" "$@" | tail -n1)
[ -f "$kernel" ] || { echo "build-all.sh: no kernel at '$kernel'" >&2; exit 1; }
[ -f "$initrd" ] || { echo "build-all.sh: no initrd at '$initrd'" >&2; exit 1; }
echo "KERNEL=$kernel"
echo "INITRD=$initrd"
