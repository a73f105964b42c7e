#!/bin/bash
# sstp-relay's Polling side against a scripted client (poll_probe.py): the handshake (probe
# answered 400 without a body, seq 0 with data answered 200 seq 0), a GUID it does not know
# answered 404 without creating anything, checksum and sequence errors closing the virtual
# connection (and a checksum sent signed or wider than 32 bits accepted), the resend of an
# abandoned held poll and the retransmission of a response the client never read, the ends of
# data both ways, expiry of an abandoned virtual connection, garbage. The relay must survive
# every scenario with no descriptor left open. Then SIGTERM: a held poll is answered when the
# relay drains, not when its hold runs out, and the relay exits 0.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/poll_lib.sh"

poll_start_echo_relay --poll-hold 5 --poll-expire 1
fds=$(fd_count "$POLL_RELAY_PID")
for sc in handshake unknown checksum sequence resend retransmit eof expire garbage; do
	rc=0
	timeout 60 python3 "$POLL_PROBE" "$sc" "$POLL_RELAY_PORT" "$WORK/relay.log" \
		> "$WORK/probe.$sc" 2>&1 || rc=$?
	[ "$rc" = 0 ] || fail "scenario $sc (status $rc): $(cat "$WORK/probe.$sc")
relay: $(tail -8 "$WORK/relay.log")"
	pass "relay: $sc"
done
poll_assert_relay_clean "$fds"
pass "relay: no descriptor left open"

# the drain against a relay whose hold (30 s) no signalling delay comes near
kill "$POLL_RELAY_PID"
wait "$POLL_RELAY_PID" 2> /dev/null || true
poll_start_echo_relay --poll-hold 30
relay_drain "$POLL_RELAY_PID" "$WORK/relay.log" python3 "$POLL_PROBE" drain "$POLL_RELAY_PORT"
pass "relay: SIGTERM answered the held poll as the relay drained, and the relay exited 0"
