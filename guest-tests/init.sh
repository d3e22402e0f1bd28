#!/bin/sh
# /init of the guest-test initramfs (busybox sh).
#
# Kernel command line:
#   minivirt.test=GROUP   run /tests/GROUP.sh (see guest-tests/guest/)
#   minivirt.tap=NAME     print TAP on /dev/virtio-ports/NAME (waits for it);
#                         without it, or if it never shows up, on the console
#
# Mounts the pseudo filesystems, makes the /dev/virtio-ports/NAME links that
# udev would make, opens the TAP port once as fd 3 (a virtio port admits one
# opener at a time; every test program inherits the fd), runs the group and
# powers off. A group may end the boot its own way (the panic test does).
export PATH=/tests:/sbin:/usr/sbin:/bin:/usr/bin HOME=/root

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs -o mode=1777 tmpfs /tmp 2>/dev/null
hostname minivirt

# vport_links: /dev/virtio-ports/NAME -> ../vportXpN for every named port.
# Port names arrive in PORT_NAME control messages, possibly after init has
# started, so tests call this again before looking a name up.
vport_links() {
    mkdir -p /dev/virtio-ports
    for d in /sys/class/virtio-ports/vport*; do
        [ -r "$d/name" ] || continue
        n=$(cat "$d/name")
        [ -n "$n" ] && [ ! -e "/dev/virtio-ports/$n" ] &&
            ln -sf "../${d##*/}" "/dev/virtio-ports/$n"
    done
    return 0
}

arg() {  # arg KEY: the value of KEY=VALUE on the kernel command line
    for w in $(cat /proc/cmdline); do
        case $w in "$1="*) echo "${w#*=}"; return 0 ;; esac
    done
    return 1
}

echo "minivirt-guest: userspace up"
group=$(arg minivirt.test) || group=none
tap=$(arg minivirt.tap) || tap=
vport_links

if [ -n "$tap" ]; then
    i=0
    while [ ! -e "/dev/virtio-ports/$tap" ] && [ $i -lt 100 ]; do
        sleep 0.1
        vport_links
        i=$((i + 1))
    done
fi
if [ -n "$tap" ] && [ -e "/dev/virtio-ports/$tap" ]; then
    exec 3<>"/dev/virtio-ports/$tap"
else
    [ -n "$tap" ] && echo "minivirt-guest: no port $tap, TAP on the console"
    exec 3<>/dev/console
fi
export MINIVIRT_TAP_FD=3

. /tests/lib.sh
if [ -f "/tests/$group.sh" ]; then
    tap_diag "group $group: $(uname -r), $(grep -c ^processor /proc/cpuinfo) hart(s)"
    . "/tests/$group.sh"
    tap_done
else
    tap_line "Bail out! no test group '$group' (minivirt.test=)"
fi

exec 3>&-
sync
poweroff -f
echo "minivirt-guest: poweroff failed" >&2
exec sleep 2147483647
