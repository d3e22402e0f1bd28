# Group "enumeration": port names and numbers as sysfs and /dev show them,
# for devices with 1, 2 and 31 ports (max_ports=32), and the PCI probe.
# The runner's devices: vone (transitional, 1 port), vtwo (modern only,
# disable-legacy=on, 2 ports), vmax (max_ports=32, org.minivirt.max.N on
# nr=N for N = 1..31, given out of order), plus the TAP port's device.

vport_links
ports=$(vport list)
tap_diag "$ports"

# dev_of NAME: the vportX of the port called NAME
dev_of() { echo "$ports" | awk -v n="name=$1" '$4 == n { sub(/p[0-9]+$/, "", $1); print $1 }'; }
nr_of() { echo "$ports" | awk -v n="name=$1" '$4 == n { sub(/nr=/, "", $3); print $3 }'; }
count_on() { echo "$ports" | grep -c "^$1p"; }

one_port() {
    d=$(dev_of org.minivirt.one)
    [ -n "$d" ] || { echo "no port named org.minivirt.one"; return 1; }
    [ "$(count_on "$d")" = 1 ] || { echo "$d has $(count_on "$d") ports"; return 1; }
    [ "$(nr_of org.minivirt.one)" = 1 ] || { echo "nr $(nr_of org.minivirt.one), want 1"; return 1; }
}

two_ports() {
    d=$(dev_of org.minivirt.two.1)
    [ -n "$d" ] && [ "$d" = "$(dev_of org.minivirt.two.2)" ] ||
        { echo "two.1 on '$d', two.2 on '$(dev_of org.minivirt.two.2)'"; return 1; }
    [ "$(count_on "$d")" = 2 ] || { echo "$d has $(count_on "$d") ports"; return 1; }
    [ "$(nr_of org.minivirt.two.1)" = 1 ] && [ "$(nr_of org.minivirt.two.2)" = 2 ] ||
        { echo "nrs $(nr_of org.minivirt.two.1) $(nr_of org.minivirt.two.2), want 1 2"; return 1; }
}

max_ports() {
    d=$(dev_of org.minivirt.max.1)
    [ -n "$d" ] || { echo "no port named org.minivirt.max.1"; return 1; }
    bad=0
    for n in $(seq 1 31); do
        if [ "$(dev_of org.minivirt.max.$n)" != "$d" ] ||
           [ "$(nr_of org.minivirt.max.$n)" != "$n" ]; then
            echo "org.minivirt.max.$n: dev '$(dev_of org.minivirt.max.$n)' nr '$(nr_of org.minivirt.max.$n)'"
            bad=1
        fi
    done
    [ "$(count_on "$d")" = 31 ] || { echo "$d has $(count_on "$d") ports"; bad=1; }
    return $bad
}

dev_links() {
    bad=0 n=0
    for s in /sys/class/virtio-ports/vport*; do
        name=$(cat "$s/name")
        [ -n "$name" ] || continue
        n=$((n + 1))
        l=/dev/virtio-ports/$name
        want=$(cat "$s/dev")                       # MAJ:MIN from sysfs
        got=$(stat -L -c '%t:%T' "$l" 2>/dev/null)  # hex
        got=$(printf '%d:%d' "0x${got%:*}" "0x${got#*:}" 2>/dev/null)
        if [ "$(readlink "$l")" != "../${s##*/}" ] || [ "$got" != "$want" ]; then
            echo "$l -> $(readlink "$l") ($got), want ../${s##*/} ($want)"
            bad=1
        fi
    done
    echo "$n named ports"
    [ "$n" = 35 ] || { echo "want 35 (1 + 2 + 31 + the TAP port)"; bad=1; }
    return $bad
}

check "enumeration/1 port: org.minivirt.one alone on its device, nr 1" one_port
check "enumeration/2 ports: org.minivirt.two.1 and .2 on one device, nr 1 and 2" two_ports
check "enumeration/31 ports on max_ports=32: org.minivirt.max.N on nr N" max_ports
check "enumeration/dev links: /dev/virtio-ports/NAME is its port's node, for all 35" dev_links
tap_run pciprobe --count 4 --modern 1
