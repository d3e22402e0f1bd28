# Group "hotplug": the host adds 30 virtserialports one by one over QMP
# (chardev-add of a unix socket server, then device_add on bus vhp.0); the
# guest sees each appear in /sys/class/virtio-ports with its name, 4 KiB go
# each way through each with SHA-256 compared, then the host removes them
# all (device_del, DEVICE_DELETED, chardev-remove) and the guest sees them
# go. Three cycles; after each, the host checks over QMP that no id or
# chardev is left, that `info virtio-serial` lists the boot's ports only,
# and records the emulator's RSS and open fds (cycle 1 vs 3: no growth).
#
# Hot-added ports get no /dev/virtio-ports/NAME link here (no udev; init.sh
# makes them once), so the tests use /dev/vportXpY, found through sysfs.
PORTS=$(arg minivirt.hp.ports 2>/dev/null) || PORTS=30
BYTES=$(arg minivirt.hp.bytes 2>/dev/null) || BYTES=4096
APPEAR_TRIES=200            # x 0.05 s: 10 s for a port to appear or go

# These set variables rather than print, so that polling forks nothing but
# sleep (31 ports are scanned every 50 ms).
# hp_find NAME: hp_v= the vportXpY whose sysfs name is NAME.
hp_find() {
    hp_v=
    for _d in /sys/class/virtio-ports/vport*; do
        [ -r "$_d/name" ] || continue
        _n=
        read -r _n < "$_d/name" 2>/dev/null
        if [ "$_n" = "$1" ]; then hp_v=${_d##*/}; return 0; fi
    done
    return 1
}

# hp_wait NAME: wait for the port and its device node (hp_v=vportXpY).
hp_wait() {
    _i=0
    while [ $_i -lt $APPEAR_TRIES ]; do
        hp_find "$1" && [ -c "/dev/$hp_v" ] && return 0
        sleep 0.05
        _i=$((_i + 1))
    done
    return 1
}

# hp_left: hp_left= the hot-added ports still in sysfs (org.minivirt.hp.N).
hp_left() {
    hp_left=
    for _d in /sys/class/virtio-ports/vport*; do
        [ -r "$_d/name" ] || continue
        _n=
        read -r _n < "$_d/name" 2>/dev/null
        case $_n in
        org.minivirt.hp.[0-9]*) hp_left="${hp_left:+$hp_left }${_d##*/}=$_n" ;;
        esac
    done
}

# point OK NAME [DIAG]: ok/not_ok by a 0/1 flag, with a diagnostic on failure.
point() {
    if [ "$1" = 1 ]; then ok "$2"
    else not_ok "$2"; [ -z "$3" ] || tap_diag "$3"; fi
}

h_qmp=0 h_vser=0
hostv hp-begin
point "$h_qmp" "hotplug/qmp: the QMP monitor is up (-qmp unix socket)"
if [ "$h_qmp" != 1 ]; then return 0; fi
tap_diag "info virtio-serial at boot: $h_vser port(s)"

for cycle in 1 2 3; do
    C="hotplug/cycle-$cycle"
    add_bad= appear_bad= h2g_bad= g2h_bad=
    t0=$(cut -d' ' -f1 /proc/uptime)
    n=1
    while [ $n -le $PORTS ]; do
        name=org.minivirt.hp.$n
        h_added=0 h_why=
        hostv hp-add $cycle $n
        if [ "$h_added" != 1 ]; then
            add_bad="$add_bad hp$n($h_why)"
            n=$((n + 1))
            continue
        fi
        if hp_wait $name; then
            v=$hp_v
        else
            appear_bad="$appear_bad $name"
            n=$((n + 1))
            continue
        fi
        # host to guest, then guest to host (the host reads all along)
        h_sha256= sha256=
        hostv hp-xfer $n
        want=$h_sha256
        eval "$(vport read /dev/$v $BYTES --timeout 10000)"
        [ -n "$sha256" ] && [ "$sha256" = "$want" ] ||
            h2g_bad="$h2g_bad $name($v:got=${sha256:-none})"
        sha256= h_sha256= h_bytes= h_error=
        eval "$(vport write /dev/$v $BYTES --seed $((2000 + n)))"
        hostv hp-result $n
        [ -n "$sha256" ] && [ "$sha256" = "$h_sha256" ] ||
            g2h_bad="$g2h_bad $name($v:host=${h_bytes:-0}B${h_error:+,$h_error})"
        n=$((n + 1))
    done
    t1=$(cut -d' ' -f1 /proc/uptime)
    skipped="$add_bad$appear_bad"
    point $([ -z "$add_bad" ] && echo 1 || echo 0) \
        "$C/add: chardev-add (unix socket server) and device_add virtserialport succeed for hp1..hp$PORTS" \
        "failed:$add_bad"
    point $([ -z "$add_bad$appear_bad" ] && echo 1 || echo 0) \
        "$C/appear: each port shows up in /sys/class/virtio-ports as org.minivirt.hp.N, with its /dev node, within 10 s" \
        "missing:$appear_bad${add_bad:+; not added:$add_bad}"
    point $([ -z "$add_bad$appear_bad$h2g_bad" ] && echo 1 || echo 0) \
        "$C/host-to-guest: $(mib $BYTES) through each of the $PORTS ports, SHA-256 equal" \
        "bad:$h2g_bad${skipped:+; not added or not seen:$skipped}"
    point $([ -z "$add_bad$appear_bad$g2h_bad" ] && echo 1 || echo 0) \
        "$C/guest-to-host: $(mib $BYTES) through each of the $PORTS ports, SHA-256 equal" \
        "bad:$g2h_bad${skipped:+; not added or not seen:$skipped}"
    tap_diag "cycle $cycle: $PORTS ports added and used in $(awk -v a=$t0 -v b=$t1 'BEGIN { printf "%.1f", b - a }') s (guest clock)"

    h_refused=0 h_why=
    hostv hp-busy
    point "$h_refused" "$C/busy-chardev: chardev-remove of hpc1, in use by port hp1, is refused" \
        "reply: $h_why"

    h_del_errors=x h_not_deleted=x
    hostv hp-del
    point $([ -z "$h_del_errors$h_not_deleted" ] && echo 1 || echo 0) \
        "$C/device_del: accepted for each port, and DEVICE_DELETED comes for each" \
        "errors: $h_del_errors; no event: $h_not_deleted"
    i=0
    hp_left
    while [ -n "$hp_left" ] && [ $i -lt $APPEAR_TRIES ]; do
        sleep 0.05
        hp_left
        i=$((i + 1))
    done
    point $([ -z "$hp_left" ] && echo 1 || echo 0) \
        "$C/vanish: no org.minivirt.hp.N port is left in /sys/class/virtio-ports within 10 s" \
        "left: $hp_left"

    h_remove_errors=x
    hostv hp-remove
    point $([ -z "$h_remove_errors" ] && echo 1 || echo 0) \
        "$C/chardev-remove: succeeds for each of the $PORTS chardevs" \
        "errors: $h_remove_errors"

    h_ids_left=x h_chr_left=x h_qom_ok=0 h_qchr_ok=0 h_vser_same=0 h_vser= h_why=
    hostv hp-left $cycle
    point $([ "$h_qom_ok" = 1 ] && [ -z "$h_ids_left" ] && echo 1 || echo 0) \
        "$C/no-ids-left: qom-list /machine/peripheral has no hpN" \
        "left: $h_ids_left $h_why"
    point $([ "$h_qchr_ok" = 1 ] && [ -z "$h_chr_left" ] && echo 1 || echo 0) \
        "$C/no-chardevs-left: query-chardev has no hpcN" \
        "left: $h_chr_left"
    point "$h_vser_same" \
        "$C/info-virtio-serial: lists the boot's ports only, as before cycle 1" \
        "$h_vser"
    tap_diag "cycle $cycle: emulator VmRSS $h_rss_kib KiB ($h_own_kib KiB outside guest RAM), $h_fds open fds"
done

h_rss_growth_kib=x h_own_growth_kib=x h_fd_growth=x h_bound_kib=0 h_own_bound_kib=0
hostv hp-growth 1 3
ok_rss=0 ok_own=0
[ "$h_rss_growth_kib" -lt "$h_bound_kib" ] 2>/dev/null && ok_rss=1
[ "$h_own_growth_kib" -lt "$h_own_bound_kib" ] 2>/dev/null && ok_own=1
point $ok_rss \
    "hotplug/no-leak/rss: emulator VmRSS grows less than $((h_bound_kib / 1024)) MiB from cycle 1 to cycle 3 ($h_rss_growth_kib KiB)" \
    "growth: $h_rss_growth_kib KiB"
point $ok_own \
    "hotplug/no-leak/own-memory: emulator VmRSS outside guest RAM grows less than $h_own_bound_kib KiB from cycle 1 to cycle 3 ($h_own_growth_kib KiB)" \
    "growth: $h_own_growth_kib KiB"
point $([ "$h_fd_growth" = 0 ] && echo 1 || echo 0) \
    "hotplug/no-leak/fds: the emulator has as many open fds after cycle 3 as after cycle 1 (growth $h_fd_growth)" \
    "growth: $h_fd_growth"
