# Group "reconnect": client chardevs with reconnect=1 to a host peer that is
# killed (SIGKILL) in the middle of a transfer and started again 1.5 s later.
# The SHA-256 of all the data must match: nothing lost, nothing duplicated.
n=$(size "$(arg minivirt.stream || echo 64M)")
cut=$((n / 4))

# host to guest: the first peer sends [0, cut) and dies at once, with part
# of it still in flight; the second sends [cut, n).
h_sha256= h_connected=0 h_first=0 h_reconnected=0
hostv h2g-prepare $n $cut
want=$h_sha256
vport read org.minivirt.rc.h2g $n --follow --timeout 20000 > /tmp/rc.out 2>&1 &
pid=$!
hostv h2g-cut
wait $pid
sha256= bytes= eofs=
eval "$(cat /tmp/rc.out)"
name="reconnect/host-to-guest: peer killed after $(mib $cut) of $(mib $n), back 1.5 s later; SHA-256 equal"
if [ -n "$want" ] && [ "$sha256" = "$want" ]; then ok "$name"
else not_ok "$name"; tap_diag "guest: $(cat /tmp/rc.out)" "host: $REPLY"; fi
tap_diag "the guest reader saw ${eofs:-?} EOF(s) (read() = 0) while the host was away"

# guest to host: the writer stops at cut until the first peer has read it
# all, the peer is killed, and the writer goes on at once, into a chardev
# whose peer has just died; the second peer reads the rest.
hostv g2h-prepare $n $cut
out=$(vport write org.minivirt.rc.g2h $n --pause-at $cut g2h-cut --seed 3)
sha256=
eval "$out"
h_sha256= h_bytes=
hostv g2h-result
name="reconnect/guest-to-host: peer killed after $(mib $cut) of $(mib $n), back 1.5 s later; SHA-256 equal"
if [ -n "$sha256" ] && [ "$sha256" = "$h_sha256" ] && [ "$h_bytes" = "$n" ]; then ok "$name"
else not_ok "$name"; tap_diag "guest: $out" "host: $REPLY (lost $((n - ${h_bytes:-0})) bytes)"; fi
