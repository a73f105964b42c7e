# Helpers of the Polling scenarios (t-polling-*.sh), sourced after lib.sh: an echo server as the
# backend, sstp-relay in front of it on an ephemeral port of 127.0.0.1, and unmodified clients
# under the shim with SSTPSHIM_TRANSPORTS=polling pointed at the relay through
# SSTPSHIM_HTTP_PORT (the intercepted host, 127.0.0.1, is where the relay listens).

POLL_PROBE="$(dirname "${BASH_SOURCE[0]}")/poll_probe.py"
POLL_MIB=${POLL_MIB:-20} # bytes carried each way, in MiB
POLL_LIMIT=120           # seconds a client may run before it counts as hung

# Starts sstp-relay with options "$@" in front of backend port $1: sets POLL_RELAY_PORT and
# POLL_RELAY_PID; its stdout in $WORK/relay.out, its debug log in $WORK/relay.log.
poll_start_relay() {
	start_relay "$@"
	POLL_RELAY_PID=$RELAY_PID
	POLL_RELAY_PORT=$RELAY_PORT
}

# Starts an echo server and a relay (options "$@") in front of it: sets POLL_ECHO_PORT too.
poll_start_echo_relay() {
	start_listening_server pecho "$BUILD/examples/echo_server" -l 127.0.0.1 -p 0
	POLL_ECHO_PORT=$SERVER_PORT
	poll_start_relay "$POLL_ECHO_PORT" "$@"
}

# Runs client "$@" (after a name, $1, and a stdin file, $2) under the shim with the polling
# transport alone (POLL_TRANSPORTS overrides the chain), towards port 2492 of 127.0.0.1, the
# relay at $POLL_RELAY_PORT. Sets POLL_RC to its exit status (124: it hung); output in
# $WORK/NAME.*.
poll_client() {
	local name=$1 input=$2
	shift 2
	POLL_RC=0
	timeout "$POLL_LIMIT" env LD_PRELOAD="$SHIM" SSTPSHIM_PORTS=2492 \
		SSTPSHIM_TRANSPORTS="${POLL_TRANSPORTS:-polling}" SSTPSHIM_HTTP_PORT="$POLL_RELAY_PORT" \
		SSTPSHIM_LOG=debug SSTPSHIM_LOG_FILE="$WORK/$name.log" "$@" \
		< "$input" > "$WORK/$name.stdout" 2> "$WORK/$name.stderr" || POLL_RC=$?
}

# poll_client, then fails unless the client exited 0 having echoed exactly what it sent, through
# a tunnel established via polling.
poll_echo() {
	local name=$1 input=$2
	poll_client "$@"
	[ "$POLL_RC" != 124 ] || fail "$name did not finish within $POLL_LIMIT s"
	[ "$POLL_RC" = 0 ] || fail "$name exited with status $POLL_RC: $(head -c 600 "$WORK/$name.stderr")
shim: $(tail -5 "$WORK/$name.log")"
	grep -q "established via polling" "$WORK/$name.log" ||
		fail "$name: the shim log does not show polling: $(tail -5 "$WORK/$name.log")"
	assert_same_sha "$input" "$WORK/$name.stdout" "$name: $(( $(stat -c %s "$input") >> 20 )) MiB echoed"
}

# Fails unless the relay still runs and has no client connection or backend connection left
# (descriptors back to $1, counted before the scenario), within 10 s.
poll_assert_relay_clean() {
	local want=$1
	kill -0 "$POLL_RELAY_PID" 2>/dev/null || fail "sstp-relay died: $(tail -20 "$WORK/relay.log")"
	assert_fds_back "$POLL_RELAY_PID" "$want"
}
