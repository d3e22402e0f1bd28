# Group "backpressure": the host reader stops for 5 s after 1 MiB. The guest
# writer must block, no data may be lost, and the emulator must not buffer
# the guest's data: its RSS grows by less than 1 MiB during the pause.
n=$((16 * 1048576))
sha256= maxstall= h_sha256= h_bytes= h_rss_growth_kib=
hostv bp-start $n 1048576 5
out=$(vport write org.minivirt.bp $n --seed 9)
eval "$out"
hostv bp-result
if [ -n "$sha256" ] && [ "$sha256" = "$h_sha256" ] && [ "$h_bytes" = "$n" ]; then
    ok "backpressure/no loss: 16 MiB through a 5 s reader pause, SHA-256 equal"
else
    not_ok "backpressure/no loss: 16 MiB through a 5 s reader pause, SHA-256 equal"
    tap_diag "guest: $out" "host: $REPLY"
fi
if awk -v s="${maxstall:-0}" 'BEGIN { exit !(s >= 3) }'; then
    ok "backpressure/the guest writer blocks during the pause (longest write() ${maxstall} s)"
else
    not_ok "backpressure/the guest writer blocks during the pause (longest write() ${maxstall:-?} s, want >= 3)"
fi
if [ -n "$h_rss_growth_kib" ] && [ "$h_rss_growth_kib" -ge 0 ] && [ "$h_rss_growth_kib" -lt 1024 ]; then
    ok "backpressure/emulator RSS grows < 1 MiB during the pause (+$h_rss_growth_kib KiB)"
else
    not_ok "backpressure/emulator RSS grows < 1 MiB during the pause (+${h_rss_growth_kib:-?} KiB)"
fi
