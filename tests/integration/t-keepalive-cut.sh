#!/bin/bash
# The POST session breaks at every stage of a request (3.3.7.1): before its head, in the middle of
# the head, of the body, after the body (the relay has delivered the chunk, its response is lost)
# and in the middle of the response. The client re-opens the POST session and resends the chunk
# at the same X-Sstp-Offset; the relay drops what it already delivered. The echo comes back
# byte for byte, so nothing was lost or delivered twice.
. "$(dirname "$0")/ka_lib.sh"

MIB=20
hold_refused_port
random_file "$WORK/sent" "$MIB"
start_echo_relay
relay_fds=$(fd_count "$RELAY_PID")
ka_start_printing_port cutter python3 "$(dirname "$0")/ka_cutter.py" "$RELAY_PORT" \
	"5:before-head,40:mid-head,80:mid-body,120:after-body,160:mid-response,200:after-body"
export SSTPSHIM_TRANSPORTS=keepalive SSTPSHIM_LOG=debug

ka_socat socat "$WORK/sent" "$KA_PORT"
assert_same_sha "$WORK/sent" "$WORK/socat.stdout" "keepalive with POST sessions cut: $MIB MiB echoed"
ka_assert_relay_counted $((MIB * 1024 * 1024))
for stage in before-head mid-head mid-body after-body mid-response; do
	grep -q " $stage " "$WORK/cutter.out" || fail "the cutter never cut at $stage: $(cat "$WORK/cutter.out")"
done
lost=$(grep -c 'POST session lost with a request outstanding' "$WORK/socat.log" || true)
[ "$lost" -ge 6 ] || fail "the client saw $lost POST sessions lost, 6 were cut"
# after-body (twice) and mid-response: the relay had the whole chunk; mid-body: part of it
resent=$(grep -c 'resent chunk at' "$WORK/relay.log" || true)
[ "$resent" -ge 4 ] || fail "the relay dropped an already delivered prefix $resent times, expected 4"
assert_fds_back "$RELAY_PID" "$relay_fds"
pass "keepalive: POST cut before/mid head, mid body, after body, mid response: $MIB MiB intact, $resent resent prefixes dropped"
