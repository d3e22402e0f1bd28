# lib.sh: TAP and host-sync helpers for the guest test groups (busybox sh).
# Sourced by /init, which has opened the TAP port (or the console) as fd 3.
#
#   ok NAME / not_ok NAME     one TAP point (numbered here; the host runner
#                             renumbers them when it merges its own)
#   check NAME CMD...         a point that passes when CMD exits 0; CMD's
#                             output becomes `# ` diagnostics
#   tap_run CMD...            relay a program's unnumbered `ok - NAME` lines
#   tap_diag TEXT             `# TEXT` (multi-line allowed)
#   host VERB ARGS...         ask the host runner to act; its reply (shell
#                             assignments, `h_*=...`) lands in $REPLY
#   hostv VERB ARGS...        the same, then evaluates the reply
#   mib BYTES                 BYTES as a human-readable size
#   rate BYTES SECS           throughput, `12.3 MiB/s` or `4.5 KiB/s`
tap_n=0
tap_failed=0

tap_line() { printf '%s\n' "$*" >&3; }
tap_diag() { printf '%s\n' "$*" | sed 's/^/# /' >&3; }
ok() { tap_n=$((tap_n + 1)); tap_line "ok $tap_n - $*"; }
not_ok() {
    tap_n=$((tap_n + 1))
    tap_failed=$((tap_failed + 1))
    tap_line "not ok $tap_n - $*"
}

check() {
    _name=$1
    shift
    if _out=$("$@" 2>&1); then ok "$_name"; else not_ok "$_name"; fi
    [ -z "$_out" ] || tap_diag "$_out"
    return 0
}

tap_run() {
    "$@" > /tmp/tap_run.out 2>&1
    while IFS= read -r _l; do
        case $_l in
        "ok - "*) ok "${_l#ok - }" ;;
        "not ok - "*) not_ok "${_l#not ok - }" ;;
        "# "*) tap_line "$_l" ;;
        *) tap_diag "$_l" ;;
        esac
    done < /tmp/tap_run.out
    rm -f /tmp/tap_run.out
}

tap_done() { tap_line "1..$tap_n"; }

# The runner answers every `# sync ...` line with one `ack REPLY` line.
host() {
    printf '# sync %s\n' "$*" >&3
    while IFS= read -r _l <&3; do
        case $_l in
        "ack "*) REPLY=${_l#ack }; return 0 ;;
        ack) REPLY=; return 0 ;;
        esac
    done
    REPLY="h_error=no-reply"
    return 1
}

hostv() {
    host "$@" || return 1
    eval "$REPLY"
}

mib() {
    if [ $(($1 % 1048576)) -eq 0 ]; then echo "$(($1 / 1048576)) MiB"
    elif [ $(($1 % 1024)) -eq 0 ]; then echo "$(($1 / 1024)) KiB"
    else echo "$1 bytes"; fi
}

rate() {
    awk -v b="$1" -v s="$2" 'BEGIN {
        r = s > 0 ? b / s : 0
        if (s <= 0) print "inf"
        else if (r < 1048576) printf "%.1f KiB/s\n", r / 1024
        else printf "%.1f MiB/s\n", r / 1048576 }'
}

# size TEXT: 64M / 256K / 1234 in bytes
size() {
    case $1 in
    *M) echo $((${1%M} * 1048576)) ;;
    *K) echo $((${1%K} * 1024)) ;;
    *) echo "$1" ;;
    esac
}
