#!/bin/bash
# The connect transport against a scripted proxy that misbehaves (badproxy.py): a reply that is
# not HTTP, a head that never ends, a close in the middle of the status line each fail the
# transport with the documented errno; a 200 followed in the same write by a server-first banner
# hands the banner to the application intact (nothing after the head is swallowed).
. "$(dirname "$0")/lib.sh"

hold_refused_port
export SSTPSHIM_TRANSPORTS=connect

# expect MODE ERRNO_TEXT WHY: the client's connect() fails with ERRNO_TEXT, the log shows WHY.
expect() {
	local mode=$1 text=$2 why=$3
	start_badproxy "$mode"
	SSTPSHIM_HTTP_PROXY="http://127.0.0.1:$BADPROXY_PORT" run_shimmed_rc "$mode" /dev/null \
		"$BUILD/examples/client_blocking" -p "$REFUSED_PORT" -n 1
	[ "$RC" = 2 ] && grep -q "$text" "$WORK/$mode.stderr" ||
		fail "$mode: client exited with $RC, want 2 and '$text': $(cat "$WORK/$mode.stderr")"
	assert_log_file "$WORK/$mode.log" "tried connect \($why" "$mode"
	pass "$mode: '$text', the log says: $why"
}

expect garbage "Protocol error" "the proxy's reply is not HTTP"
expect endless "Protocol error" "the proxy's reply head is over the size cap"
expect close "Connection reset by peer" "the proxy closed the connection before its reply"

head -c 300000 /dev/urandom > "$WORK/banner"
start_badproxy banner "$WORK/banner"
SSTPSHIM_HTTP_PROXY="http://127.0.0.1:$BADPROXY_PORT" run_shimmed_rc banner /dev/null \
	python3 "$(dirname "$0")/pyclient.py" 127.0.0.1 "$REFUSED_PORT"
[ "$RC" = 0 ] || fail "banner: client exited with $RC: $(cat "$WORK/banner.stderr")"
assert_same_sha "$WORK/banner" "$WORK/banner.stdout" "the banner sent with the 200"
assert_log_file "$WORK/banner.log" "established via connect in " "banner"
pass "200 and a 300000-byte server banner in one write: the banner reaches the application intact"
