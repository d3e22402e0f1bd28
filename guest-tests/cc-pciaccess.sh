#!/bin/bash
# Compile a static riscv64 program against the cached libpciaccess.
# Usage: cc-pciaccess.sh CC OUTPUT SOURCE... (called by meson)
# scripts/guest/build-libpciaccess.sh builds the library on first use and
# prints its install prefix; later calls only hash their inputs.
set -euo pipefail
cc=$1 out=$2
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
prefix=$("$root/scripts/guest/build-libpciaccess.sh" | tail -n1)
exec "$cc" -static -O2 -Wall -Wextra -I"$prefix/include" -o "$out" "$@" \
    -L"$prefix/lib" -lpciaccess
