#!/bin/bash
# The errno of an unreachable destination reaches the application unchanged, from a blocking
# connect() and from SO_ERROR after a non-blocking one, as without the shim. Runs in a network
# namespace of its own (only loopback up) so that "no route" and an "unreachable" route are real
# kernel answers: 10.1.0.0/16 has no route (ENETUNREACH), 10.9.0.0/16 an unreachable route
# (EHOSTUNREACH). Both direct and direct443 fail alike, and the chain reports the last failure.
. "$(dirname "$0")/lib.sh"

here=$(cd "$(dirname "$0")" && pwd)
netns_run() {
	unshare -n bash -c 'ip link set lo up && ip route add unreachable 10.9.0.0/16 && "$@"' \
		netns "$@"
}
expect_errno() {
	local host=$1 want=$2 out="$WORK/$1.out" log="$WORK/$1.log"
	SSTPSHIM_TRANSPORTS=direct,direct443 SSTPSHIM_LOG=info SSTPSHIM_LOG_FILE="$log" \
		netns_run env LD_PRELOAD="$SHIM" python3 "$here/errno_probe.py" "$host" 2492 \
		> "$out" 2> "$WORK/$1.err" || fail "errno_probe $host: $(cat "$WORK/$1.err")"
	assert_empty "$WORK/$1.err" "errno_probe $host stderr"
	[ "$(cat "$out")" = "blocking $want
nonblocking $want" ] || fail "$host: expected $want both ways, got: $(cat "$out")"
	grep -q "tunnel $host:2492: failed after .*tried direct (.*), direct443 (" "$log" ||
		fail "$host: no failure line naming both transports in the log: $(cat "$log")"
	pass "$host: $want from connect() and from SO_ERROR, both transports logged"
}

# Without the shim, the kernel gives these very errnos (so the test measures the shim).
netns_run python3 "$here/errno_probe.py" 10.1.2.3 2492 | grep -x "blocking ENETUNREACH" > /dev/null ||
	fail "the namespace does not give ENETUNREACH without the shim"
expect_errno 10.1.2.3 ENETUNREACH
expect_errno 10.9.1.1 EHOSTUNREACH
