# Group "data": bytes both ways through each chardev backend, with the
# SHA-256 computed on both sides. Stream backends move minivirt.stream bytes
# (64M by default), UDP minivirt.dgram (it has no flow control), host input
# through a mux minivirt.muxin (a mux is built for consoles: QEMU's hands
# its front end one byte at a time, ~7 KiB/s into this guest). Port
# org.minivirt.data.BACKEND is on the backend of that name (runner.py).

stream=$(size "$(arg minivirt.stream || echo 64M)")
dgram=$(size "$(arg minivirt.dgram || echo 256K)")
muxin=$(size "$(arg minivirt.muxin || echo 64K)")
pace=
seed=1

# g2h LABEL PORT BYTES: the guest writes, the host reads
g2h() {
    label=$1 port=org.minivirt.data.$2 n=$3
    name="data/$label/guest-to-host: $(mib "$n"), SHA-256 equal"
    seed=$((seed + 1))
    sha256= bytes= secs= h_sha256= h_bytes= h_error=
    hostv recv "$port" "$n"
    # A write blocks while the port's host side is down; say so, not hang.
    if ! out=$(vport poll "$port" --want nohup --timeout 5000); then
        not_ok "$name"
        tap_diag "the host side of $port never connected: $out"
        return
    fi
    out=$(vport write "$port" "$n" --seed "$seed")
    eval "$out"
    hostv result "$port"
    report "$sha256" "$h_sha256" "$h_bytes" "host: $REPLY"
}

# report GUEST_SHA HOST_SHA BYTES HOST_TEXT: the point for $name, $n, $out
report() {
    if [ -n "$1" ] && [ "$1" = "$2" ] && [ "$3" = "$n" ] && [ -z "$h_error" ]; then
        ok "$name ($(rate "$n" "$secs"))"
    else
        not_ok "$name"
        tap_diag "guest: $out" "$4"
    fi
}

# h2g LABEL PORT BYTES [--follow]: the host writes, the guest reads
h2g() {
    label=$1 port=org.minivirt.data.$2 n=$3 follow=$4
    name="data/$label/host-to-guest: $(mib "$n"), SHA-256 equal"
    sha256= bytes= secs= h_sha256= h_bytes= h_error=
    seed=$((seed + 1))
    hostv send "$port" "$n" $((seed + 100)) $pace
    want=$h_sha256
    out=$(vport read "$port" "$n" --timeout "${h2g_timeout:-30000}" $follow)
    eval "$out"
    hostv result "$port"
    report "$sha256" "$want" "$bytes" "host: want $want; $REPLY"
}

for b in unix-server unix-client tcp-server pipe pty; do
    g2h "$b" "$b" "$stream"
    h2g "$b" "$b" "$stream"
done
g2h file file "$stream"
# UDP has no connection: its host side may never read as connected, so the
# reader does not take read() = 0 for the end.
g2h udp udp "$dgram"
h2g_timeout=10000 h2g udp udp "$dgram" --follow

# mux: one socket chardev (mux=on) behind two ports. Every front end may
# write; input goes to the one with the focus, and Ctrl-A c moves the focus.
# Which port starts with it is the emulator's choice. The runner doubles
# Ctrl-A in the data, so a binary stream gets through.
g2h mux-a mux-a "$stream"
g2h mux-b mux-b "$stream"
focus=
hostv send org.minivirt.data.mux-a 64 99
for p in mux-a mux-b; do
    out=$(vport read org.minivirt.data.$p 64 --timeout 3000) && { focus=$p; break; }
done
hostv result org.minivirt.data.mux-a
if [ -n "$focus" ]; then
    ok "data/mux: host input reaches exactly one front end (focus on $focus)"
    other=mux-a; [ "$focus" = mux-a ] && other=mux-b
    # Typed input: 64 bytes every 50 ms, as a person or a script types.
    pace="64 50"
    h2g "mux-typed (focus $focus)" "$focus" 1024
    hostv mux-focus
    h2g "mux-typed after Ctrl-A c (focus $other)" "$other" 1024
    pace=
    h2g mux-bulk "$other" "$muxin"
else
    not_ok "data/mux: host input reaches exactly one front end"
fi
