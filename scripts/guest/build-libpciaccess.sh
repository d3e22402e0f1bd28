#!/bin/bash
# Cross-build libpciaccess (Debian's orig tarball) as a static riscv64 library.
# Usage: build-libpciaccess.sh
# Prints an install prefix on the last line of stdout; it holds
# lib/libpciaccess.a, include/pciaccess.h and lib/pkgconfig/pciaccess.pc.
# Built with meson and scripts/riscv64-cross.txt; zlib support is disabled.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

CROSS_FILE=$SCRIPTS_DIR/riscv64-cross.txt
need "${CROSS_COMPILE}gcc" meson ninja tar gzip
tarball=$("$GUEST_DIR/fetch-source.sh" libpciaccess | tail -n1)
hash=$(hash_inputs "file:$0" "file:$CROSS_FILE" "file:$tarball" \
                   "str:$(cross_gcc_version)" "str:$(meson --version)" \
                   "str:libc6-dev-riscv64-cross $(cross_libc_version)")
out=$MINIVIRT_CACHE/libpciaccess-$hash
reuse_or_lock "libpciaccess-$hash" "$out/lib/libpciaccess.a" "$out"

work=$out.tmp
rm -rf "$work"
mkdir -p "$work"
start=$(date +%s)
tar -xzf "$tarball" -C "$work"
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'libpciaccess-*')
[ -n "$src" ] || die "no libpciaccess-* directory in $tarball"

# Upstream hard-codes shared_library(); let default_library pick static.
sed -i 's/=[[:space:]]*shared_library(/= library(/' "$src/src/meson.build"
grep -q '= library(' "$src/src/meson.build" ||
    die "could not switch libpciaccess to library(); meson.build changed?"

# Configure for the final prefix (so pciaccess.pc is right), stage with
# DESTDIR, then publish the staged tree.
prefix=$work/dest$out
meson setup --cross-file "$CROSS_FILE" \
    --prefix "$out" --libdir lib \
    -Ddefault_library=static -Dzlib=disabled \
    "$work/build" "$src" >&2
ninja -C "$work/build" -j"$JOBS" >&2
meson install -C "$work/build" --no-rebuild --destdir "$work/dest" >&2

[ -f "$prefix/lib/libpciaccess.a" ] || die "install produced no lib/libpciaccess.a"
[ -f "$prefix/include/pciaccess.h" ] || die "install produced no include/pciaccess.h"

# Prove the archive is usable: a static riscv64 program must link against it.
cat > "$work/probe.c" <<'C'
#include <pciaccess.h>
int main(void) { return pci_system_init() == 0 ? 0 : 1; }
C
"${CROSS_COMPILE}gcc" -static -I"$prefix/include" -o "$work/probe" \
    "$work/probe.c" -L"$prefix/lib" -lpciaccess ||
    die "a static riscv64 program does not link against libpciaccess.a"

rm -rf "$out"
mv "$prefix" "$out"
rm -rf "$work"
log "built in $(( $(date +%s) - start ))s"
echo "$out"
