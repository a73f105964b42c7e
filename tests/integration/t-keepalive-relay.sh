#!/bin/bash
# sstp-relay's KeepAlive server against requests written by hand (ka_probe.py): the handshake,
# chunks resent at an earlier X-Sstp-Offset delivered once, bodies without the field delivered as
# the spec says, the end marker both ways, and protocol errors answered 400 with the virtual
# connection closed. The relay survives all of it and leaks no descriptor. Then SIGTERM: a
# half-open virtual connection is closed, the established one carries on until its client
# leaves, and the relay exits 0.
. "$(dirname "$0")/ka_lib.sh"

start_echo_relay
relay_fds=$(fd_count "$RELAY_PID")
timeout 60 python3 "$KA_DIR/ka_probe.py" "$RELAY_PORT" > "$WORK/probe.out" 2>&1 ||
	fail "$(head -c 600 "$WORK/probe.out")
relay log: $(tail -8 "$WORK/relay.log")"
kill -0 "$RELAY_PID" || fail "the relay died: $(tail -8 "$WORK/relay.log")"
assert_fds_back "$RELAY_PID" "$relay_fds"
pass "relay keepalive: handshake, offsets, end marker, protocol errors"

relay_drain "$RELAY_PID" "$WORK/relay.log" python3 "$KA_DIR/ka_probe.py" "$RELAY_PORT" drain
pass "relay keepalive: SIGTERM closed the half-open virtual connection, the established one carried on, exit 0"
