#!/bin/bash
# Build the guest initramfs: a newc cpio (gzip-compressed when the kernel
# config fragment enables CONFIG_RD_GZIP) holding busybox, its applet links,
# /dev /proc /sys /tmp, /dev/console and an /init.
# Usage: build-initramfs.sh [--init FILE] [--add SRC:DEST]...
#   --init FILE   use FILE as /init instead of scripts/guest/init.sh
#   --add SRC:DEST  put host file SRC at DEST (absolute) in the image; a
#                 directory SRC is copied recursively. Modes follow SRC.
# Prints the path of the cpio on the last line of stdout.
#
# The archive is written by the kernel's usr/gen_init_cpio from a file list,
# so device nodes and root ownership need no privileges, and all mtimes are
# fixed: the same inputs give the same bytes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KSRC_TARBALL=${KSRC_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
KSRC_PKG=linux-source-6.1
CPIO_MTIME=946684800   # 2000-01-01, any fixed value will do

init=$GUEST_DIR/init.sh
adds=()
while [ $# -gt 0 ]; do
    case $1 in
    --init) [ $# -ge 2 ] || die "--init needs a FILE"; init=$2; shift 2 ;;
    --init=*) init=${1#--init=}; shift ;;
    --add) [ $# -ge 2 ] || die "--add needs SRC:DEST"; adds+=("$2"); shift 2 ;;
    --add=*) adds+=("${1#--add=}"); shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
    esac
done
[ -f "$init" ] || die "--init $init: no such file"
for a in "${adds[@]}"; do
    case $a in *:/*) ;; *) die "--add $a: expected SRC:/ABSOLUTE/DEST" ;; esac
    src=${a%:*}
    [ -e "$src" ] || die "--add $a: $src does not exist"
done

need cc gzip
busybox=$("$GUEST_DIR/build-busybox.sh" | tail -n1)
links=$(dirname "$busybox")/busybox.links
[ -f "$links" ] || die "$links missing"

# gen_init_cpio: one C file from the kernel tree, built for the host once
# per linux-source version.
pkg_version=$(dpkg-query -W -f '${Version}' "$KSRC_PKG" 2>/dev/null) ||
    die "package $KSRC_PKG is not installed"
tooldir=$MINIVIRT_CACHE/tools-$KSRC_PKG-$pkg_version
gen=$tooldir/gen_init_cpio
if [ ! -x "$gen" ]; then
    with_lock tools
    if [ ! -x "$gen" ]; then
        mkdir -p "$tooldir"
        tree=$MINIVIRT_CACHE/$KSRC_PKG-$pkg_version   # build-kernel.sh's copy
        if [ -f "$tree/.extracted" ]; then
            cp "$tree/linux-source-6.1/usr/gen_init_cpio.c" "$tooldir/"
        else
            log "extracting usr/gen_init_cpio.c from $KSRC_TARBALL"
            tar -xJOf "$KSRC_TARBALL" linux-source-6.1/usr/gen_init_cpio.c \
                > "$tooldir/gen_init_cpio.c"
        fi
        cc -O2 -o "$gen.new" "$tooldir/gen_init_cpio.c"
        mv "$gen.new" "$gen"
    fi
    exec 9>&-
fi

compress=none
if grep -qx 'CONFIG_RD_GZIP=y' "$GUEST_DIR/kernel.config"; then
    compress=gzip
fi

# Everything that shapes the bytes goes into the hash.
hash_args=("file:$0" "file:$init" "file:$busybox" "file:$links"
           "str:$KSRC_PKG $pkg_version" "str:$compress")
for a in "${adds[@]}"; do
    src=${a%:*}
    hash_args+=("str:add ${a##*:}")
    if [ -d "$src" ]; then
        while IFS= read -r f; do
            hash_args+=("str:${f#"$src"} $(stat -c %a "$f")" "file:$f")
        done < <(find "$src" -type f | LC_ALL=C sort)
    else
        hash_args+=("str:$(stat -c %a "$src")" "file:$src")
    fi
done
hash=$(hash_inputs "${hash_args[@]}")
ext=cpio; [ "$compress" = gzip ] && ext=cpio.gz
out=$MINIVIRT_CACHE/initramfs-$hash/initramfs.$ext
reuse_or_lock "initramfs-$hash" "$out"

work=$(dirname "$out").tmp
rm -rf "$work"
mkdir -p "$work"
list=$work/files.list
declare -A have_dir=()
emit_dir() {  # emit_dir /abs/dir [mode]: the dir and all its parents
    local d=$1 mode=${2:-0755}
    [ "$d" = / ] && return 0
    [ -n "${have_dir[$d]:-}" ] && return 0
    emit_dir "$(dirname "$d")"
    have_dir[$d]=1
    echo "dir $d $mode 0 0" >> "$list"
}
check_name() {
    case $1 in *[[:space:]]*) die "path with white space not supported: '$1'" ;; esac
}
emit_file() {  # emit_file HOSTPATH /abs/dest [mode]
    check_name "$1"; check_name "$2"
    emit_dir "$(dirname "$2")"
    local mode=${3:-0644}
    [ -x "$1" ] && mode=0755
    echo "file $2 $(realpath "$1") $mode 0 0" >> "$list"
}

: > "$list"
for d in /bin /sbin /usr/bin /usr/sbin /etc /root /proc /sys /dev /dev/pts /mnt; do
    emit_dir "$d"
done
emit_dir /tmp 1777
echo "nod /dev/console 0600 0 0 c 5 1" >> "$list"
echo "nod /dev/null 0666 0 0 c 1 3" >> "$list"
emit_file "$busybox" /bin/busybox
while IFS= read -r l; do
    case $l in
    ''|/bin/busybox|/linuxrc) continue ;;
    /*) emit_dir "$(dirname "$l")"; echo "slink $l /bin/busybox 0777 0 0" >> "$list" ;;
    esac
done < "$links"
emit_file "$init" /init 0755   # executable whatever its mode on the host
for a in "${adds[@]}"; do
    src=${a%:*}
    dest=${a##*:}
    if [ -d "$src" ]; then
        while IFS= read -r f; do
            emit_file "$f" "$dest${f#"$src"}"
        done < <(find "$src" -type f | LC_ALL=C sort)
    else
        emit_file "$src" "$dest"
    fi
done

"$gen" -t "$CPIO_MTIME" "$list" > "$work/initramfs.cpio"
if [ "$compress" = gzip ]; then
    gzip -9n "$work/initramfs.cpio"
fi
nentries=$(grep -c . "$list")
rm -rf "$(dirname "$out")"
mv "$work" "$(dirname "$out")"
log "$nentries entries, $(stat -c %s "$out") bytes"
echo "$out"
