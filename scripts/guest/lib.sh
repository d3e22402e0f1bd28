# shellcheck shell=bash
# Shared helpers for the scripts in scripts/guest/. Source it; do not run it.
#
# Conventions every build script follows:
#   - logs go to stderr, the result path is the last line on stdout;
#   - results live under $MINIVIRT_CACHE, in a directory named after a hash
#     of everything that went into them, so a warm cache skips the build;
#   - a directory is published (renamed into place) only once complete, so
#     an interrupted build never looks like a finished one.

GUEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034  # used by the scripts that source this
SCRIPTS_DIR=$(dirname "$GUEST_DIR")
MINIVIRT_CACHE=${MINIVIRT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/minivirt}
CROSS_COMPILE=${CROSS_COMPILE:-riscv64-linux-gnu-}
JOBS=${JOBS:-2}

log() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
die() { log "error: $*"; exit 1; }

need() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || die "missing tool '$t'"
    done
}

# hash_inputs ITEM...: sha256 over files (by content) and literal strings.
# Each item is "file:PATH" or "str:TEXT"; the order matters.
hash_inputs() {
    local item
    for item in "$@"; do
        case $item in
        file:*) printf 'file %s\n' "$(basename "${item#file:}")"
                sha256sum < "${item#file:}" ;;
        str:*)  printf 'str %s\n' "${item#str:}" ;;
        *)      die "hash_inputs: bad item '$item'" ;;
        esac
    done | sha256sum | cut -c1-16
}

# with_lock NAME: serialise concurrent builds of the same cache entry.
# Holds fd 9 open for the rest of the script.
with_lock() {
    mkdir -p "$MINIVIRT_CACHE/locks"
    exec 9>"$MINIVIRT_CACHE/locks/$1.lock"
    flock 9
}

cross_gcc_version() {
    "${CROSS_COMPILE}gcc" --version | head -n1
}

# cross_libc_version: the riscv64 libc headers/archives the builds link with.
cross_libc_version() {
    dpkg-query -W -f '${Version}' libc6-dev-riscv64-cross 2>/dev/null || echo unknown
}

# reuse_or_lock NAME MARKER [RESULT]: if MARKER (a file of a finished build)
# exists, print RESULT (default MARKER) and exit 0. Otherwise take NAME's
# lock and check again, since a concurrent run may have just finished;
# return with the lock held when the caller has to build.
reuse_or_lock() {
    local name=$1 marker=$2 result=${3:-$2}
    if [ -e "$marker" ]; then
        log "cached: $result"
        echo "$result"
        exit 0
    fi
    with_lock "$name"
    if [ -e "$marker" ]; then
        log "built by a concurrent run: $result"
        echo "$result"
        exit 0
    fi
}
