#!/bin/bash
# nginx closing its client connections after every response (keepalive_timeout 0, so each
# response says "Connection: close"): KeepAlive needs its GET session to stay connected (3.3.7:
# a lost GET session ends the virtual connection), so the keepalive transport gives up at the
# handshake with a reason in the log, and the chain's next transport, polling (a new connection
# per request by design), carries the stream intact through the same nginx and relay.
. "$(dirname "$0")/ka_lib.sh"

MIB=5
hold_refused_port
random_file "$WORK/sent" "$MIB"
start_echo_relay
ka_start_nginx "keepalive_timeout 0;"
export SSTPSHIM_TRANSPORTS=keepalive,polling SSTPSHIM_LOG=debug KA_WINNER=polling

ka_socat socat "$WORK/sent" "$KA_NGINX_PORT"
assert_same_sha "$WORK/sent" "$WORK/socat.stdout" "polling through nginx closing: $MIB MiB echoed"
grep -q "established via polling in .*tried keepalive (the GET session is closed after each response" \
	"$WORK/socat.log" ||
	fail "keepalive did not give way to polling: $(grep 'established\|failed' "$WORK/socat.log" | head -3)"
pass "nginx with Connection: close: keepalive refused the closing GET session, polling carried $MIB MiB"
