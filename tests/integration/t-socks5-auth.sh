#!/bin/bash
# User name and password (RFC 1929) with dante, which checks them against the system's users (a
# throwaway one is made for the test): the right ones carry the stream; wrong ones, or none at
# all, fail the socks5 transport with EACCES and a log line that says why (never the password),
# and a chain that lists another transport goes on to it.
. "$(dirname "$0")/lib.sh"

start_socks_echo
socks_test_user
start_dante dante username
export SSTPSHIM_TRANSPORTS=socks5
random_file "$WORK/sent" 8

SSTPSHIM_SOCKS_PROXY="socks5://$SOCKS_USER:$SOCKS_PASS@127.0.0.1:$SOCKS_PORT" \
	run_shimmed right "$WORK/sent" "$SOCKS_PY" "$SOCKS_DIR/pyclient.py" 127.0.0.1 "$ECHO_PORT"
assert_log right "tunnel 127.0.0.1:$ECHO_PORT: established via socks5 in "
assert_same_sha "$WORK/sent" "$WORK/right.stdout" "python through dante with a user: 8 MiB echoed"
pass "dante, username: the right password carries 8 MiB each way"

SSTPSHIM_SOCKS_PROXY="socks5://$SOCKS_USER:wrong-$SOCKS_PASS@127.0.0.1:$SOCKS_PORT" \
	connect_errno wrong "$ECHO_PORT"
assert_stdout wrong EACCES
assert_log wrong "tried socks5 \(the SOCKS5 proxy rejected the user name or password, "
pass "dante, username: a wrong password is EACCES, logged as rejected"

SSTPSHIM_SOCKS_PROXY="socks5://127.0.0.1:$SOCKS_PORT" connect_errno nouser "$ECHO_PORT"
assert_stdout nouser EACCES
assert_log nouser \
	"tried socks5 \(the SOCKS5 proxy requires authentication, the proxy URL has no user, "
pass "dante, username: no user in the URL is EACCES, logged as such"

SSTPSHIM_TRANSPORTS=socks5,direct \
	SSTPSHIM_SOCKS_PROXY="socks5://$SOCKS_USER:wrong-$SOCKS_PASS@127.0.0.1:$SOCKS_PORT" \
	connect_errno moveon "$ECHO_PORT"
assert_stdout moveon connected
assert_log moveon "established via direct in .*; tried socks5 \(the SOCKS5 proxy rejected"
pass "dante, username: after a wrong password the chain goes on to direct"

for log in "$WORK"/*.log; do
	! grep -qF -- "$SOCKS_PASS" "$log" || fail "$log holds the password"
done
pass "dante, username: no password in any log"
