#!/bin/bash
# Build the riscv64 guest kernel Image from Debian's linux-source-6.1.
# Usage: build-kernel.sh
# Prints the path of the Image on the last line of stdout.
# Config: tinyconfig + kernel.config (every fragment line is verified).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KSRC_TARBALL=${KSRC_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
KSRC_PKG=linux-source-6.1
FRAGMENT=$GUEST_DIR/kernel.config
MAKE_ARGS=(ARCH=riscv "CROSS_COMPILE=$CROSS_COMPILE")

need "${CROSS_COMPILE}gcc" make tar xz flex bison bc
[ -r "$KSRC_TARBALL" ] || die "$KSRC_TARBALL missing (apt-get install $KSRC_PKG)"
pkg_version=$(dpkg-query -W -f '${Version}' "$KSRC_PKG" 2>/dev/null) ||
    die "package $KSRC_PKG is not installed"

hash=$(hash_inputs "file:$0" "file:$FRAGMENT" "str:$KSRC_PKG $pkg_version" \
                   "str:$(cross_gcc_version)")
out=$MINIVIRT_CACHE/kernel-$hash
reuse_or_lock "kernel-$hash" "$out/Image"

# One extracted tree per source package version, shared by all configs;
# builds are out of tree (O=), so the tree stays pristine.
srcroot=$MINIVIRT_CACHE/$KSRC_PKG-$pkg_version
src=$srcroot/linux-source-6.1
if [ ! -f "$srcroot/.extracted" ]; then
    log "extracting $KSRC_TARBALL into $srcroot"
    rm -rf "$srcroot"
    mkdir -p "$srcroot"
    tar -xJf "$KSRC_TARBALL" -C "$srcroot"
    touch "$srcroot/.extracted"
fi

work=$out.tmp
mkdir -p "$work/build"
build=$work/build
start=$(date +%s)

log "configuring in $build"
make -C "$src" O="$build" "${MAKE_ARGS[@]}" tinyconfig >&2
ARCH=riscv CROSS_COMPILE=$CROSS_COMPILE \
    "$src/scripts/kconfig/merge_config.sh" -m -O "$build" \
    "$build/.config" "$FRAGMENT" >&2
make -C "$src" O="$build" "${MAKE_ARGS[@]}" olddefconfig >&2

# Verify: every fragment line must survive Kconfig's dependency solver.
missing=()
while IFS= read -r line; do
    case $line in
    CONFIG_*=*)
        grep -qxF -- "$line" "$build/.config" ||
            missing+=("$line (have: $(grep -E "^(# )?${line%%=*}[= ]" \
                      "$build/.config" || echo absent))")
        ;;
    "# CONFIG_"*" is not set")
        sym=${line#\# }; sym=${sym%% *}
        if grep -qE "^$sym=" "$build/.config"; then
            missing+=("$line (have: $(grep -E "^$sym=" "$build/.config"))")
        fi
        ;;
    esac
done < "$FRAGMENT"
uarts=$(sed -n 's/^CONFIG_SERIAL_8250_NR_UARTS=//p' "$build/.config")
[ "${uarts:-0}" -ge 1 ] || missing+=("CONFIG_SERIAL_8250_NR_UARTS>=1 (have: ${uarts:-absent})")
if [ ${#missing[@]} -gt 0 ]; then
    log "kernel config is missing requested options:"
    printf '  %s\n' "${missing[@]}" >&2
    die "fix scripts/guest/kernel.config (or its dependencies)"
fi
log "config verified: all $(grep -c '^CONFIG_\|^# CONFIG_.* is not set' "$FRAGMENT") fragment lines hold"

log "building Image with -j$JOBS"
make -C "$src" O="$build" "${MAKE_ARGS[@]}" -j"$JOBS" Image >&2

cp "$build/arch/riscv/boot/Image" "$work/Image"
cp "$build/.config" "$work/config"
# Keep the big object tree out of the cache once the Image exists.
rm -rf "$build"
rm -rf "$out"
mv "$work" "$out"
log "built $(stat -c %s "$out/Image") bytes in $(( $(date +%s) - start ))s"
echo "$out/Image"
