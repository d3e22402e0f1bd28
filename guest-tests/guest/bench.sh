# Group "bench": the guest half of scripts/bench/. The host names each step
# (h_cmd and its arguments); the guest runs it and answers with the result
# line of cpuloop or vport (shell assignments), until h_cmd=done.
while :; do
    h_cmd=done
    hostv bench-next || break
    case $h_cmd in
    cpu) out=$(cpuloop "$h_iters" "$h_mib") ;;
    g2h) out=$(vport write "$h_port" "$h_bytes" --nohash --chunk "$h_chunk") ;;
    h2g) out=$(vport read "$h_port" "$h_bytes" --nohash --chunk "$h_chunk" --timeout 60000) ;;
    echo) out=$(vport echo "$h_port" "$h_bytes" --chunk "$h_chunk") ;;
    *) break ;;
    esac
    host bench-result $out
done
