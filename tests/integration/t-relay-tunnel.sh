#!/bin/bash
# --tunnel-listen carries raw bytes to the backend: the shim's direct443 transport pointed at it
# gets 100 MiB each way through, half-close included. Then tunnel_probe.py plays client and
# backend at once: either side's end carries through while the other direction goes on, a reset
# on either side closes the other at once, a backend that is down closes the client; the relay
# holds no more descriptors afterwards than before.
. "$(dirname "$0")/lib.sh"

TUNNEL_PROBE="$(dirname "$0")/tunnel_probe.py"

# Sets TUNNEL_PORT from the relay's "tunnel listening on" line in file $1.
tunnel_port_of() {
	wait_line "$1" '^tunnel listening on '
	TUNNEL_PORT=$(sed -n 's/^tunnel listening on .*:\([0-9][0-9]*\)$/\1/p' "$1")
}

hold_refused_port
random_file "$WORK/sent" "$PROGRAMS_MIB"
start_listening_server echo "$BUILD/examples/echo_server" -l 127.0.0.1 -p 0
start_relay "$SERVER_PORT" --tunnel-listen 127.0.0.1:0
tunnel_port_of "$WORK/relay.out"
export SSTPSHIM_TRANSPORTS=direct443 SSTPSHIM_ALT_PORT=$TUNNEL_PORT
run_via_direct443 socat "$WORK/sent" \
	socat -b 65536 -t $((PROGRAMS_LIMIT * 10)) STDIO "TCP:127.0.0.1:$REFUSED_PORT"
assert_same_sha "$WORK/sent" "$WORK/socat.stdout" "socat: $PROGRAMS_MIB MiB through the relay's tunnel"
pass "tunnel listener: $PROGRAMS_MIB MiB each way intact"

# The probe listens on the backend port itself, one connection per scenario.
free_port
spawn "$BUILD/sstp-relay" --listen 127.0.0.1:0 --tunnel-listen 127.0.0.1:0 \
	--backend "127.0.0.1:$FREE_PORT" --log debug > "$WORK/probe-relay.out" 2> "$WORK/probe-relay.log"
probe_relay=$LAST_PID
tunnel_port_of "$WORK/probe-relay.out"
relay_fds=$(fd_count "$probe_relay")
for sc in down_first up_first backend_reset client_reset backend_down; do
	timeout 60 "$SOCKS_PY" "$TUNNEL_PROBE" "$sc" "$TUNNEL_PORT" "$FREE_PORT" \
		> "$WORK/tunnel.$sc.out" 2>&1 ||
		fail "tunnel scenario $sc: $(head -c 600 "$WORK/tunnel.$sc.out")
relay log: $(tail -8 "$WORK/probe-relay.log")"
	kill -0 "$probe_relay" 2>/dev/null || fail "sstp-relay died: $(tail -20 "$WORK/probe-relay.log")"
	assert_fds_back "$probe_relay" "$relay_fds"
	pass "tunnel: $sc"
done
grep -q "tunnel .*: closed, both directions finished; 4194304 octets up, 4194304 down" \
	"$WORK/probe-relay.log" || fail "no tunnel closed after both ends: $(tail -5 "$WORK/probe-relay.log")"
