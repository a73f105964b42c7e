#!/bin/bash
# An unmodified Python client reaches the echo server through a real squid with the connect
# transport alone (HTTP CONNECT to the alternate port, no credentials) and gets back exactly the
# 100 MiB it sent; squid's log shows the tunnel, so the bytes did go through the proxy.
# (echoclient.py, not socat: squid drops the rest of the echo when the client half-closes.)
. "$(dirname "$0")/lib.sh"

start_echo_behind_proxy
start_squid squid "$SERVER_PORT"
random_file "$WORK/sent" "$PROGRAMS_MIB"
export SSTPSHIM_TRANSPORTS=connect SSTPSHIM_HTTP_PROXY="http://127.0.0.1:$SQUID_PORT"

run_shimmed_rc py "$WORK/sent" \
	python3 "$(dirname "$0")/echoclient.py" 127.0.0.1 "$REFUSED_PORT"
[ "$RC" = 0 ] || fail "the client exited with status $RC: $(head -c 600 "$WORK/py.stderr")"
assert_empty "$WORK/py.stderr" "the client's stderr"
assert_same_sha "$WORK/sent" "$WORK/py.stdout" "$PROGRAMS_MIB MiB echoed through squid"
assert_log_file "$WORK/py.log" "tunnel 127.0.0.1:$REFUSED_PORT: established via connect in " \
	"the shim log"
# squid writes its access log line when the tunnel ends; stopping it flushes the log
stop_squid
assert_log_file "$SQUID_DIR/access.log" "TCP_TUNNEL/200 .*CONNECT 127.0.0.1:$SERVER_PORT " "squid's log"
pass "python3: $PROGRAMS_MIB MiB each way intact through squid CONNECT"
