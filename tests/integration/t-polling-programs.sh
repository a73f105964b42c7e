#!/bin/bash
# The example clients, unmodified, under the shim with SSTPSHIM_TRANSPORTS=polling, straight to
# sstp-relay in front of an echo server: POLL_MIB MiB (100 here) each way must come back intact
# (SHA-256), with the spec's immediate answers (--poll-hold 0) and with long polling (the
# default hold), and the relay must be left with no connection open. socat bound to 127.0.0.2
# (bind=): every poll reaches the relay from that address.
. "$(dirname "$0")/lib.sh"
POLL_MIB=${POLL_MIB:-100}
. "$(dirname "$0")/poll_lib.sh"

random_file "$WORK/sent" "$POLL_MIB"
for hold in 0 25; do
	poll_start_echo_relay --poll-hold "$hold"
	fds=$(fd_count "$POLL_RELAY_PID")
	for client in client_blocking client_epoll; do
		poll_echo "$client-$hold" "$WORK/sent" "$BUILD/examples/$client" --stdio -p 2492
		pass "$client, --poll-hold $hold: $POLL_MIB MiB each way intact via polling"
	done
	poll_assert_relay_clean "$fds"
	grep -q "pvc .*closed, both directions finished" "$WORK/relay.log" ||
		fail "the relay did not see both directions finish: $(tail -5 "$WORK/relay.log")"
	pass "--poll-hold $hold: the relay closed every connection"
	kill "$POLL_RELAY_PID"
done

poll_start_echo_relay
random_file "$WORK/small" 1
poll_echo socat-bound "$WORK/small" socat -b 65536 -t 30 STDIO "TCP:127.0.0.1:2492,bind=127.0.0.2"
froms=$(sed -n 's/.*pvc [^ ]*: probe from \([0-9.]*\):[0-9]*$/\1/p' "$WORK/relay.log" | sort -u)
[ "$froms" = 127.0.0.2 ] || fail "socat bound to 127.0.0.2: the relay's probe came from '$froms'"
pass "socat bound to 127.0.0.2: 1 MiB echoed via polling, from 127.0.0.2"
