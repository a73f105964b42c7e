#!/bin/bash
# Wrong credentials for squid's Basic authentication, and none at all: the connect transport
# fails (the application's connect() gets EACCES), the log says why, and no log line holds a
# credential.
. "$(dirname "$0")/lib.sh"

start_echo_behind_proxy
start_squid squid "$SERVER_PORT" basic
export SSTPSHIM_TRANSPORTS=connect
bad=Wr0ngPassw0rd

SSTPSHIM_HTTP_PROXY="http://$PROXY_USER:$bad@127.0.0.1:$SQUID_PORT" run_shimmed wrong /dev/null \
	"$BUILD/examples/client_blocking" -p "$REFUSED_PORT" -n 1
[ "$RC" = 2 ] && grep -q "Permission denied" "$WORK/wrong.stderr" ||
	fail "wrong password: client exited with $RC: $(cat "$WORK/wrong.stderr")"
assert_log "$WORK/wrong.log" "tried connect \(the proxy refused the credentials \(wrong user or password\)" \
	"wrong password"
assert_nowhere "$bad"
assert_nowhere "$(printf '%s:%s' "$PROXY_USER" "$bad" | base64)"
pass "wrong password: EACCES, the log says the proxy refused the credentials, none logged"

SSTPSHIM_HTTP_PROXY="http://127.0.0.1:$SQUID_PORT" run_shimmed nouser /dev/null \
	"$BUILD/examples/client_blocking" -p "$REFUSED_PORT" -n 1
[ "$RC" = 2 ] && grep -q "Permission denied" "$WORK/nouser.stderr" ||
	fail "no credentials: client exited with $RC: $(cat "$WORK/nouser.stderr")"
assert_log "$WORK/nouser.log" "tried connect \(the proxy requires authentication and its URL has no user" \
	"no credentials"
pass "no credentials: EACCES, the log says the proxy URL has no user"
