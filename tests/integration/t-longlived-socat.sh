#!/bin/bash
# socat, unmodified, under the shim with only the longlived transport: its 100 MiB go up POST
# bodies and come back down a GET response through sstp-relay and an echo server, intact; socat
# exits on the echoed EOF (the half-close travels both ways). The relay closes everything after.
# Both sides splice the sessions once the handshake is through (bench/README.md).
. "$(dirname "$0")/lib.sh"

hold_refused_port
random_file "$WORK/sent" "$PROGRAMS_MIB"
start_echo_relay
relay_fds=$(fd_count "$RELAY_PID")
export SSTPSHIM_TRANSPORTS=longlived SSTPSHIM_LOG=debug

run_via_longlived socat "$WORK/sent" \
	socat -b 65536 -t $((PROGRAMS_LIMIT * 10)) STDIO "TCP:127.0.0.1:$REFUSED_PORT"
assert_empty "$WORK/socat.stderr" "socat stderr"
assert_same_sha "$WORK/sent" "$WORK/socat.stdout" "socat: $PROGRAMS_MIB MiB echoed via longlived"
grep -q "closed, both directions finished; $((PROGRAMS_MIB * 1048576 + 22)) octets up" \
	"$WORK/relay.log" || fail "the relay did not count the bytes: $(tail -3 "$WORK/relay.log")"
grep -q "splicing between fds [0-9]* and [0-9]* up, [0-9]* down" "$WORK/socat.log" ||
	fail "the engine did not splice the sessions: $(grep -i splic "$WORK/socat.log")"
grep -q "vc [^ ]*: splicing$" "$WORK/relay.log" ||
	fail "the relay did not splice the virtual connection: $(tail -3 "$WORK/relay.log")"
assert_fds_back "$RELAY_PID" "$relay_fds"
pass "socat: $PROGRAMS_MIB MiB each way intact via longlived, exit on the echoed EOF"
