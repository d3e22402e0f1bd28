#!/bin/sh
# Default /init of the minivirt guest initramfs (busybox sh).
# Mounts the pseudo filesystems, announces itself, runs an interactive shell
# with job control on the console, and powers the machine off when that
# shell exits. Test initramfs images replace this with build-initramfs.sh --init.
export PATH=/sbin:/usr/sbin:/bin:/usr/bin HOME=/root TERM="${TERM:-vt100}"

mount -t proc proc /proc
mount -t sysfs sysfs /sys
# CONFIG_DEVTMPFS_MOUNT does not apply to an initramfs root.
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs -o mode=1777 tmpfs /tmp 2>/dev/null
hostname minivirt

# No udev here: name the virtio-serial ports as udev's rules would.
mkdir -p /dev/virtio-ports
for d in /sys/class/virtio-ports/*; do
    [ -r "$d/name" ] || continue
    name=$(cat "$d/name")
    [ -n "$name" ] && ln -sf "../${d##*/}" "/dev/virtio-ports/$name"
done

echo "minivirt-guest: userspace up"

# cttyhack finds the real console (ttyS0, hvc0, ...) and makes it the
# controlling tty of a new session, so the shell gets job control.
# busybox poweroff/reboot ask PID 1 with SIGUSR2/SIGTERM; the shell runs in
# the background so that `wait` returns to take the signal at once.
trap 'sync; poweroff -f' USR2
trap 'sync; reboot -f' TERM
setsid cttyhack sh -l &
wait $!

echo "minivirt-guest: shell exited, powering off"
sync
poweroff -f
echo "minivirt-guest: poweroff failed" >&2
exec sleep 2147483647
