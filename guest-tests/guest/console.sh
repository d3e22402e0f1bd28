# Group "console": a busybox shell on hvc0 (the virtconsole, port 0 of
# virtio-serial, booted with console=hvc0) and one on ttyS0 (the ns16550a);
# the host runner types commands into each and reads what comes back.

for t in hvc0 ttyS0; do
    # A session leader's first open of a tty makes it the controlling tty.
    [ -c "/dev/$t" ] && setsid sh -c "exec sh -i </dev/$t >/dev/$t 2>&1" &
done

check "console/hvc0 is a virtio console tty (/sys/class/tty/hvc0)" \
    test -e /sys/class/tty/hvc0
check "console/the kernel console is hvc0 (/proc/consoles)" \
    grep -q '^hvc0' /proc/consoles
# Kernel messages on either console (e.g. "random: crng init done") would
# land in the middle of the shell's output; keep only emergencies (a panic).
dmesg -n 1
sleep 1

for t in hvc0 ttyS0; do
    h_echo=0 h_seq=0 h_bootlog=0 h_init=0
    hostv console "$t"
    if [ "$h_echo" = 1 ]; then ok "console/$t: a typed command runs, its output comes back"
    else not_ok "console/$t: a typed command runs, its output comes back"; fi
    if [ "$h_seq" = 1 ]; then ok "console/$t: 3000 lines of output arrive complete and in order"
    else not_ok "console/$t: 3000 lines of output arrive complete and in order"; fi
    if [ "$t" = hvc0 ]; then
        if [ "$h_bootlog" = 1 ] && [ "$h_init" = 1 ]; then
            ok "console/hvc0: the kernel log and /init's output arrive on it"
        else
            not_ok "console/hvc0: the kernel log and /init's output arrive on it"
            tap_diag "boot log seen: $h_bootlog, init line seen: $h_init"
        fi
    fi
done
