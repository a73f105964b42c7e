#!/bin/bash
# haproxy in HTTP mode in front of the relay (a reverse proxy the client takes for the relay):
# it parses both requests, adds X-Forwarded-For, and must stream the POST body and the GET
# response without waiting for their 2147479552 octets. 100 MiB each way intact. The client
# closes without a half-close: haproxy aborts a request whose body the client ends early, and
# drops what it still held of it (LongLived cannot say "end of stream" otherwise).
. "$(dirname "$0")/lib.sh"

command -v haproxy > /dev/null || { echo "skip: haproxy is not installed"; exit 0; }
hold_refused_port
start_echo_relay
start_haproxy "$RELAY_PORT"
export SSTPSHIM_TRANSPORTS=longlived
relay_port=$RELAY_PORT
RELAY_PORT=$HAPROXY_PORT
run_via_longlived stream /dev/null python3 "$LLAPP" stream "$REFUSED_PORT" "$PROGRAMS_MIB"
RELAY_PORT=$relay_port
grep -q "vc .*closed" "$WORK/relay.log" || fail "the relay did not see the end"
pass "through haproxy (mode http): $PROGRAMS_MIB MiB each way intact via longlived"
