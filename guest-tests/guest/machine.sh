# Group "machine" (issue 3): the hart count the kernel sees, and which SBI
# it booted on. minivirt.harts=N is what -smp gave; minivirt.sbi=opensbi
# when -bios is Debian's OpenSBI fw_dynamic.bin.
harts=$(arg minivirt.harts || echo 1)
sbi=$(arg minivirt.sbi || echo default)
tag=machine/smp$harts
[ "$sbi" = default ] || tag=machine/$sbi

cpus() {
    n=$(grep -c '^processor' /proc/cpuinfo)
    echo "/proc/cpuinfo: $n processor(s); online: $(cat /sys/devices/system/cpu/online)"
    [ "$n" = "$harts" ]
}
check "$tag: /proc/cpuinfo lists $harts hart(s)" cpus

# Every hart runs code: pin a process to each one.
on_each() {
    bad=0
    for c in $(seq 0 $((harts - 1))); do
        out=$(taskset -c "$c" sh -c 'echo $((6 * 7))' 2>&1) || bad=1
        [ "$out" = 42 ] || { echo "hart $c: '$out'"; bad=1; }
    done
    return $bad
}
if command -v taskset > /dev/null; then
    check "$tag: a process runs on each hart (taskset)" on_each
fi

if [ "$sbi" = opensbi ]; then
    # OpenSBI's implementation ID is 1 (SBI spec, "SBI Implementation IDs").
    check "$tag: the kernel runs on OpenSBI (SBI implementation ID 0x1)" \
        sh -c 'dmesg | grep "SBI implementation ID=0x1 "'
fi
check "$tag: the kernel finds an SBI (v0.2 or later, with SRST for poweroff)" \
    sh -c 'dmesg | grep "SBI" && dmesg | grep -q "SBI SRST extension detected"'
