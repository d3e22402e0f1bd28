#!/bin/bash
# Boot the guest on an emulator and drive its shell without a terminal.
# Usage: qemu-smoke.sh [-e EMULATOR] [-c 'guest cmd']... [-t TIMEOUT] [-- EXTRA EMULATOR ARGS]
#   KERNEL / INITRD come from the environment, else from build-all.sh.
#   APPEND (default console=ttyS0) is the kernel command line.
#   Default commands: `echo hello`, `cat /proc/cpuinfo`, then always `poweroff -f`.
# Waits for `minivirt-guest: userspace up`, types the commands, and expects
# the emulator to exit 0 after poweroff. Prints timings to stderr and
# PASS/FAIL as the last line of stdout; the console log goes to $LOG
# (default a temp file, path printed on failure).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

EMU=qemu-system-riscv64
TIMEOUT=120
cmds=()
while [ $# -gt 0 ]; do
    case $1 in
    -e) EMU=$2; shift 2 ;;
    -c) cmds+=("$2"); shift 2 ;;
    -t) TIMEOUT=$2; shift 2 ;;
    --) shift; break ;;
    *) die "unknown argument '$1'" ;;
    esac
done
extra=("$@")
[ ${#cmds[@]} -gt 0 ] || cmds=("echo hello" "cat /proc/cpuinfo")

if [ -z "${KERNEL:-}" ] || [ -z "${INITRD:-}" ]; then
    eval "$("$GUEST_DIR/build-all.sh" | tail -n2)"
fi
APPEND=${APPEND:-console=ttyS0}
LOG=${LOG:-$(mktemp /tmp/minivirt-smoke.XXXXXX.log)}
MARK='minivirt-guest: userspace up'

now() { date +%s.%N; }
elapsed() { printf '%.2f' "$(echo "$(now) - $1" | bc)"; }

args=(-M virt -m 256M -nographic -kernel "$KERNEL" -initrd "$INITRD"
      -append "$APPEND" "${extra[@]}")
log "$EMU ${args[*]}"
# The emulator reads its stdin from a FIFO that stays open while we type,
# and writes the console to $LOG, which is polled for the marker.
fifo=$(mktemp -u /tmp/minivirt-smoke.XXXXXX.fifo)
mkfifo "$fifo"
trap 'rm -f "$fifo"' EXIT
t0=$(now)
timeout "$TIMEOUT" "$EMU" "${args[@]}" < "$fifo" > "$LOG" 2>&1 &
emu_pid=$!
exec 8> "$fifo"

up=""
while kill -0 "$emu_pid" 2>/dev/null; do
    if grep -qF "$MARK" "$LOG"; then
        up=$(elapsed "$t0")
        log "userspace up after ${up}s"
        for c in "${cmds[@]}" "poweroff -f"; do
            printf '%s\n' "$c" >&8
        done
        break
    fi
    sleep 0.05
done
rc=0
wait "$emu_pid" || rc=$?
exec 8>&-
total=$(elapsed "$t0")
tr -d '\r' < "$LOG" > "$LOG.tmp" && mv "$LOG.tmp" "$LOG"

fail=()
[ -n "$up" ] || fail+=("never saw '$MARK'")
[ "$rc" -eq 0 ] || fail+=("emulator exit status $rc (124 = timeout)")
for c in "${cmds[@]}"; do
    grep -qF -- "$c" "$LOG" || fail+=("command '$c' not echoed")
done
if [ "${cmds[0]}" = "echo hello" ] && ! grep -qx 'hello' "$LOG"; then
    fail+=("no 'hello' output line")
fi
log "total ${total}s (boot to userspace ${up:-never}s), exit $rc"
if [ ${#fail[@]} -gt 0 ]; then
    printf '  %s\n' "${fail[@]}" >&2
    log "console log: $LOG"
    echo FAIL
    exit 1
fi
echo PASS
