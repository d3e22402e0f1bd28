#!/usr/bin/env bash
# The demo on a fresh Debian 12 machine: install the packages, build
# minivirt and the guest (cached after the first run), and boot Linux with
# a busybox shell on hvc0 -- the virtconsole of a virtio-serial-pci device
# on this terminal -- plus a virtserialport named org.minivirt.demo on a
# unix socket.  `poweroff` (or exit) in the guest returns here.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
BUILD=${BUILD:-build}
[ -d "$BUILD" ] || meson setup "$BUILD" >/dev/null
ninja -C "$BUILD" machine/minivirt >&2
eval "$(scripts/guest/build-all.sh | tail -n2)"

SOCK=${MINIVIRT_DEMO_SOCK:-${XDG_RUNTIME_DIR:-/tmp}/minivirt-demo.sock}
cat >&2 <<HINT
minivirt demo: a shell on hvc0. From another terminal, talk to the guest's
port with: socat - UNIX-CONNECT:$SOCK  (in the guest: cat /dev/virtio-ports/org.minivirt.demo).
Type 'poweroff' in the guest to exit.
HINT
exec "$BUILD/machine/minivirt" -m 256M \
    -kernel "$KERNEL" -initrd "$INITRD" -append "console=hvc0 quiet" \
    -device virtio-serial-pci,id=vser0,max_ports=8 \
    -chardev stdio,id=con0,signal=off \
    -device virtconsole,chardev=con0,bus=vser0.0 \
    -chardev "socket,id=demo,path=$SOCK,server=on,wait=off" \
    -device virtserialport,chardev=demo,name=org.minivirt.demo,bus=vser0.0
