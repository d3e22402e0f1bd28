#!/bin/bash
# Put a cached guest image into the build tree (called by meson).
# Usage: guest-image.sh kernel OUTPUT
#        guest-image.sh initramfs OUTPUT INIT FILE...
# kernel: scripts/guest/build-kernel.sh's Image. initramfs: build-initramfs.sh
# with INIT as /init and each FILE at /tests/BASENAME. Both scripts cache by
# a hash of their inputs, so a warm run only hashes; OUTPUT is rewritten only
# when it changes, so nothing downstream reruns for nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kind=$1 out=$2
shift 2
case $kind in
kernel)
    src=$("$root/scripts/guest/build-kernel.sh" | tail -n1) ;;
initramfs)
    init=$1
    shift
    adds=()
    for f in "$@"; do
        adds+=(--add "$(realpath "$f"):/tests/$(basename "$f")")
    done
    src=$("$root/scripts/guest/build-initramfs.sh" --init "$init" "${adds[@]}" | tail -n1) ;;
*)
    echo "guest-image.sh: unknown kind '$kind'" >&2
    exit 2 ;;
esac
[ -f "$src" ] || { echo "guest-image.sh: no $kind at '$src'" >&2; exit 1; }
if ! cmp -s "$src" "$out"; then
    cp "$src" "$out.tmp"
    mv "$out.tmp" "$out"
fi
