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
