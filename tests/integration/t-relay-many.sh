#!/bin/bash
# 1000 virtual connections open at once through one relay (3000 sockets on its side), each
# carrying its own bytes; the relay's memory per idle virtual connection is printed (goal: under
# 16 KiB), and every descriptor is released after. A second thousand, once the first is gone,
# finds the memory the first left: the relay's size at its peak grows by less than 1 MiB.
. "$(dirname "$0")/lib.sh"

ulimit -n 8192 2>/dev/null || true
[ "$(ulimit -n)" -ge 4096 ] || { echo "skip: cannot raise the descriptor limit"; exit 0; }
start_echo_relay --log info
relay_fds=$(fd_count "$RELAY_PID")
relay_probe many 1000 "$RELAY_PID"
kib=$(sed -n 's/.*connections: \([0-9.]*\) KiB each$/\1/p' "$WORK/probe.many.out")
[ -n "$kib" ] && awk -v k="$kib" 'BEGIN { exit !(k < 16) }' ||
	fail "relay memory per idle virtual connection: ${kib:-?} KiB, goal under 16"
relay_probe good
assert_fds_back "$RELAY_PID" "$relay_fds"
pass "1000 concurrent virtual connections, ${kib} KiB of relay memory each"

peak1=$(sed -n 's/.* -> \([0-9]*\) KiB with .*/\1/p' "$WORK/probe.many.out")
relay_probe many 1000 "$RELAY_PID"
peak2=$(sed -n 's/.* -> \([0-9]*\) KiB with .*/\1/p' "$WORK/probe.many.out")
[ -n "$peak1" ] && [ -n "$peak2" ] && [ "$peak2" -le $((peak1 + 1024)) ] ||
	fail "the relay grew from ${peak1:-?} KiB to ${peak2:-?} KiB at its second thousand"
assert_fds_back "$RELAY_PID" "$relay_fds"
pass "a second thousand: the relay's peak ${peak1} -> ${peak2} KiB (memory reused, not leaked)"
