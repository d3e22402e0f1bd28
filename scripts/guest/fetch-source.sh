#!/bin/bash
# Download a Debian source package's upstream tarball into the cache.
# Usage: fetch-source.sh PKG[=VERSION]
# Prints the path of PKG's .orig.tar.* on the last line of stdout.
#
# The deb-src entry is derived at run time from the system's deb822 sources
# ($APT_SOURCES, default /etc/apt/sources.list.d/debian.sources) by turning
# `Types: deb` into `Types: deb-src`; no archive host name lives in the repo.
# apt runs with private lists, cache and sources, so the system's apt state
# is never touched.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: $0 PKG[=VERSION]"
spec=$1
pkg=${spec%%=*}
case $pkg in
''|*[!a-z0-9.+-]*) die "bad package name '$pkg'" ;;
esac

APT_SOURCES=${APT_SOURCES:-/etc/apt/sources.list.d/debian.sources}
need apt-get
[ -r "$APT_SOURCES" ] || die "cannot read $APT_SOURCES"

find_orig() {
    # The main upstream tarball, not orig-COMPONENT ones, nor signatures.
    [ -d "$1" ] || return 0
    find "$1" -maxdepth 1 -type f -name "${pkg}_*.orig.tar.*" \
         ! -name '*.asc' ! -name '*.orig-*' | sort | tail -n1
}

dest=$MINIVIRT_CACHE/sources/$(printf '%s' "$spec" | tr '=:' '__')
orig=$(find_orig "$dest")
if [ -n "$orig" ]; then
    log "cached: $orig"
    echo "$orig"
    exit 0
fi

aptdir=$MINIVIRT_CACHE/apt
with_lock apt
mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" \
         "$aptdir/sources.list.d" "$dest"

# deb822: a stanza may list several types; only whole `Types: deb` lines
# are rewritten, anything else is kept as the system has it.
derived=$aptdir/sources.list.d/minivirt-src.sources
sed -E 's/^Types:[[:space:]]*deb[[:space:]]*$/Types: deb-src/' \
    "$APT_SOURCES" > "$derived.new"
grep -q '^Types:.*deb-src' "$derived.new" ||
    die "no deb-src entry could be derived from $APT_SOURCES"
if ! cmp -s "$derived.new" "$derived"; then
    mv "$derived.new" "$derived"
    rm -f "$aptdir/lists/"*_Sources* "$aptdir/.updated"
else
    rm -f "$derived.new"
fi

apt_opts=(
    -o "Dir::State::Lists=$aptdir/lists"
    -o "Dir::Etc::SourceList=/dev/null"
    -o "Dir::Etc::SourceParts=$aptdir/sources.list.d"
    -o "Dir::Cache=$aptdir/cache"
    -o "Dir::Cache::pkgcache="
    -o "Dir::Cache::srcpkgcache="
    # The cache lives under $HOME, which the _apt sandbox user cannot enter.
    -o "APT::Sandbox::User=root"
)

if [ ! -f "$aptdir/.updated" ]; then
    log "apt-get update (private state in $aptdir)"
    apt-get "${apt_opts[@]}" update >&2
    touch "$aptdir/.updated"
fi

log "apt-get source --download-only $spec into $dest"
rc=0
(cd "$dest" && apt-get "${apt_opts[@]}" source --download-only "$spec") >&2 || rc=$?
orig=$(find_orig "$dest")
if [ -z "$orig" ]; then
    die "apt-get source $spec (exit $rc) left no ${pkg}_*.orig.tar.* in $dest"
fi
if [ $rc -ne 0 ]; then
    # Known on this archive snapshot: some .diff.gz / signatures answer 404
    # while the upstream tarball arrives; we build from the tarball only.
    log "apt-get exited $rc, but the upstream tarball is here; continuing"
fi
echo "$orig"
