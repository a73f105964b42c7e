#!/bin/bash
# --tunnel-listen carries raw bytes to the backend: the shim's direct443 transport pointed at it
# gets 100 MiB each way through, half-close included.
. "$(dirname "$0")/lib.sh"

hold_refused_port
random_file "$WORK/sent" "$PROGRAMS_MIB"
start_listening_server echo "$BUILD/examples/echo_server" -l 127.0.0.1 -p 0
start_relay "$SERVER_PORT" --tunnel-listen 127.0.0.1:0
wait_line "$WORK/relay.out" '^tunnel listening on '
tunnel_port=$(sed -n 's/^tunnel listening on .*:\([0-9][0-9]*\)$/\1/p' "$WORK/relay.out")
export SSTPSHIM_TRANSPORTS=direct443 SSTPSHIM_ALT_PORT=$tunnel_port
run_via_direct443 socat "$WORK/sent" \
	socat -b 65536 -t $((PROGRAMS_LIMIT * 10)) STDIO "TCP:127.0.0.1:$REFUSED_PORT"
assert_same_sha "$WORK/sent" "$WORK/socat.stdout" "socat: $PROGRAMS_MIB MiB through the relay's tunnel"
pass "tunnel listener: $PROGRAMS_MIB MiB each way intact"
