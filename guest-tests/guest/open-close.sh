# Group "open-close": the host connects and disconnects (a unix socket the
# emulator serves) and the guest sees it through poll(), read() and write();
# the guest opens and closes the port and the host sees it (QMP
# VSERPORT_CHANGE, QEMU's way of telling a management layer).
P=org.minivirt.oc.srv

# expect NAME WANT CMD...: a point that passes when CMD's output sets
# result=WANT (trywrite, eof) or exits 0 for poll.
expect() {
    _name=$1 _want=$2
    shift 2
    result= revents=
    _out=$("$@")
    _st=$?
    eval "$_out"
    if { [ -n "$_want" ] && [ "$result" = "$_want" ]; } ||
       { [ -z "$_want" ] && [ $_st -eq 0 ]; }; then
        ok "$_name"
    else
        not_ok "$_name"
        tap_diag "$* -> $_out (exit $_st)"
    fi
}

expect "open-close/host absent: poll() reports POLLHUP" "" \
    vport poll $P --want hup --timeout 3000
expect "open-close/host absent: read() returns 0 (EOF)" eof vport eof $P
expect "open-close/host absent: a non-blocking write() fails with EAGAIN" eagain \
    vport trywrite $P --nonblock
expect "open-close/host absent: a blocking write() blocks (1 s)" blocked \
    vport trywrite $P --timeout 1000

hostv connect $P
expect "open-close/host connects: POLLHUP clears and POLLOUT is set within 5 s" "" \
    vport poll $P --want out,nohup --timeout 5000

sha256= h_sha256=
hostv recv $P 4096
eval "$(vport write $P 4096)"
hostv result $P
if [ -n "$sha256" ] && [ "$sha256" = "$h_sha256" ]; then ok "open-close/host connected: 4 KiB reach it intact"
else not_ok "open-close/host connected: 4 KiB reach it intact"; tap_diag "$REPLY"; fi

hostv disconnect $P
expect "open-close/host disconnects: poll() reports POLLHUP within 5 s" "" \
    vport poll $P --want hup --timeout 5000

# A blocking write while the host is away waits, and completes once it is back.
vport write $P 65536 --seed 5 > /tmp/bw.out &
pid=$!
sleep 1
if kill -0 $pid 2>/dev/null; then blocked=1; else blocked=0; fi
sha256= h_sha256=
hostv recv $P 65536
wait $pid
eval "$(cat /tmp/bw.out)"
hostv result $P
if [ "$blocked" = 1 ] && [ -n "$sha256" ] && [ "$sha256" = "$h_sha256" ]; then
    ok "open-close/a write blocked while the host is away completes when it connects, 64 KiB intact"
else
    not_ok "open-close/a write blocked while the host is away completes when it connects, 64 KiB intact"
    tap_diag "blocked after 1 s: $blocked; guest: $(cat /tmp/bw.out); host: $REPLY"
fi

# Host data sent while no guest process has the port open waits for one.
hostv send $P 65536 21
want=$h_sha256
sleep 1
sha256=
eval "$(vport read $P 65536 --timeout 10000)"
hostv result $P
if [ "$sha256" = "$want" ]; then
    ok "open-close/host data sent while the guest has the port closed arrives when it opens"
else
    not_ok "open-close/host data sent while the guest has the port closed arrives when it opens"
    tap_diag "guest sha256 '$sha256' want '$want'; $REPLY"
fi

# The guest opens and closes; the host is told (QMP event with the port id).
h_qmp=0 h_event=0
hostv events-clear
if [ "$h_qmp" = 1 ]; then
    exec 4<>/dev/virtio-ports/$P
    hostv event ocport open
    if [ "$h_event" = 1 ]; then ok "open-close/guest opens: the host gets VSERPORT_CHANGE open=true"
    else not_ok "open-close/guest opens: the host gets VSERPORT_CHANGE open=true"; fi
    hostv events-clear
    exec 4>&-
    h_event=0
    hostv event ocport closed
    if [ "$h_event" = 1 ]; then ok "open-close/guest closes: the host gets VSERPORT_CHANGE open=false"
    else not_ok "open-close/guest closes: the host gets VSERPORT_CHANGE open=false"; fi
else
    not_ok "open-close/guest open and close reach the host: no QMP monitor (-qmp)"
fi
