#!/bin/bash
# A proxy that refuses the tunnel (squid answering 403 to every CONNECT): with connect first and
# direct443 after it, the chain moves on and the echo works through direct443, the log saying
# why connect failed; with connect alone, the application's connect() fails with ECONNREFUSED
# (MS-GRVHENC 3.7.5.1.4: fatal status). A proxy that is not listening gives the dial's errno.
. "$(dirname "$0")/lib.sh"

start_echo_behind_proxy
start_squid squid "$SERVER_PORT" none deny
export SSTPSHIM_HTTP_PROXY="http://127.0.0.1:$SQUID_PORT"
printf 'one line\n' > "$WORK/line"

SSTPSHIM_TRANSPORTS=connect,direct443 run_shimmed_rc fallthrough "$WORK/line" \
	"$BUILD/examples/client_blocking" -p "$REFUSED_PORT" --stdio
[ "$RC" = 0 ] || fail "client via direct443 exited with $RC: $(cat "$WORK/fallthrough.stderr")"
assert_same_sha "$WORK/line" "$WORK/fallthrough.stdout" "the echo via direct443"
assert_log_file "$WORK/fallthrough.log" "established via direct443 in .*; tried connect \(the proxy forbids this destination \(403\)" \
	"the fall-through"
pass "403 from squid: the chain falls through to direct443"

SSTPSHIM_TRANSPORTS=connect run_shimmed_rc alone /dev/null \
	"$BUILD/examples/client_blocking" -p "$REFUSED_PORT" -n 1
[ "$RC" = 2 ] || fail "client exited with $RC, want 2 (connect failed): $(cat "$WORK/alone.stderr")"
grep -q "Connection refused" "$WORK/alone.stderr" ||
	fail "the client did not see ECONNREFUSED: $(cat "$WORK/alone.stderr")"
pass "403 from squid with connect alone: the application gets ECONNREFUSED"

export SSTPSHIM_HTTP_PROXY="http://127.0.0.1:$REFUSED_PORT"
SSTPSHIM_TRANSPORTS=connect run_shimmed_rc noproxy /dev/null \
	"$BUILD/examples/client_blocking" -p "$REFUSED_PORT" -n 1
[ "$RC" = 2 ] && grep -q "Connection refused" "$WORK/noproxy.stderr" ||
	fail "client exited with $RC: $(cat "$WORK/noproxy.stderr")"
assert_log_file "$WORK/noproxy.log" "tried connect \(the proxy refused the TCP connection" "the log"
pass "proxy not listening: ECONNREFUSED, and the log says it was the proxy"
