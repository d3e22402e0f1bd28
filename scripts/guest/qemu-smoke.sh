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
t0=$(now)
coproc EMU_PROC { exec timeout "$TIMEOUT" "$EMU" "${args[@]}" 2>&1; }
emu_out=${EMU_PROC[0]}
emu_in=${EMU_PROC[1]}
: > "$LOG"

up=""
while IFS= read -r line <&"$emu_out"; do
    printf '%s\n' "$line" >> "$LOG"
    case $line in
    *"$MARK"*)
        up=$(elapsed "$t0")
        log "userspace up after ${up}s"
        for c in "${cmds[@]}" "poweroff -f"; do
            printf '%s\n' "$c" >&"$emu_in"
        done
        break ;;
    esac
done
# Collect the rest until the emulator exits.
while IFS= read -r line <&"$emu_out"; do
    printf '%s\n' "$line" >> "$LOG"
done
rc=0
wait "$EMU_PROC_PID" || rc=$?
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
