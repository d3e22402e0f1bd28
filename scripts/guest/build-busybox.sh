#!/bin/bash
# Build a static riscv64 busybox from Debian's busybox orig tarball.
# Usage: build-busybox.sh
# Prints the path of the busybox binary on the last line of stdout; the
# applet list (one /path per line) sits next to it as busybox.links.
# Config: defconfig, then STATIC on and the applets listed in
# DISABLE below off (they do not build against the cross libc/headers).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Applets/features that fail with glibc 2.36 + linux 6.1 headers:
# tc needs the CBQ definitions removed from the uapi headers.
DISABLE=(CONFIG_TC)

need "${CROSS_COMPILE}gcc" make tar bzip2 file
tarball=$("$GUEST_DIR/fetch-source.sh" busybox | tail -n1)
hash=$(hash_inputs "file:$0" "file:$tarball" "str:$(cross_gcc_version)" \
                   "str:libc6-dev-riscv64-cross $(cross_libc_version)")
out=$MINIVIRT_CACHE/busybox-$hash
reuse_or_lock "busybox-$hash" "$out/busybox"

work=$out.tmp
rm -rf "$work"
mkdir -p "$work"
start=$(date +%s)
log "extracting $tarball"
tar -xjf "$tarball" -C "$work"
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'busybox-*')
[ -n "$src" ] || die "no busybox-* directory in $tarball"

mk=(make -C "$src" "CROSS_COMPILE=$CROSS_COMPILE")
"${mk[@]}" defconfig >&2
cfg=$src/.config
set_sym() {  # set_sym SYM y|n
    sed -i -E "/^(# )?$1[= ]/d" "$cfg"
    if [ "$2" = y ]; then echo "$1=y"; else echo "# $1 is not set"; fi >> "$cfg"
}
set_sym CONFIG_STATIC y
for sym in "${DISABLE[@]}"; do
    set_sym "$sym" n
done
# Resolve the edits; any new question takes its default.
"${mk[@]}" oldconfig < /dev/null >&2
grep -qx 'CONFIG_STATIC=y' "$cfg" || die "CONFIG_STATIC=y did not stick"
for sym in "${DISABLE[@]}"; do
    if grep -q "^$sym=y" "$cfg"; then die "$sym is still on"; fi
done

log "building with -j$JOBS"
"${mk[@]}" -j"$JOBS" busybox busybox.links >&2

info=$(file -b "$src/busybox")
log "busybox: $info"
case $info in
*RISC-V*statically\ linked*) ;;
*) die "busybox is not a static RISC-V binary: $info" ;;
esac

mkdir -p "$work/out"
cp "$src/busybox" "$src/busybox.links" "$work/out/"
cp "$cfg" "$work/out/config"
rm -rf "$out"
mv "$work/out" "$out"
rm -rf "$work"
log "built $(stat -c %s "$out/busybox") bytes in $(( $(date +%s) - start ))s"
echo "$out/busybox"
