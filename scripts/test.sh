#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: install the packages,
# configure, build, run every meson test (unit, device, guest), and end with
# "N passed, N failed" counted over every TAP test point.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
BUILD=${BUILD:-build}
WERROR=false
[ "${CI:-}" = true ] && WERROR=true
if [ -d "$BUILD" ]; then
  meson setup --reconfigure "$BUILD" -Dwerror=$WERROR >/dev/null
else
  meson setup "$BUILD" -Dwerror=$WERROR >/dev/null
fi
ninja -C "$BUILD"

status=0
meson test -C "$BUILD" --print-errorlogs "$@" || status=$?
python3 scripts/count-results.py "$BUILD/meson-logs/testlog.json" || status=1
exit $status
