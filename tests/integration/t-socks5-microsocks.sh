#!/bin/bash
# microsocks as the SOCKS5 proxy, without and with a user: a Python client, unmodified, exchanges
# 4 MiB with the echo server through the shim's socks5 transport, piece by piece and without a
# half-close (microsocks ends both directions at the first EOF and can stall on a full-duplex
# bulk transfer: see sockclient.py). A wrong password fails the transport with EACCES.
. "$(dirname "$0")/lib.sh"

start_socks_echo
export SSTPSHIM_TRANSPORTS=socks5
random_file "$WORK/sent" 4

start_microsocks plain
SSTPSHIM_SOCKS_PROXY="socks5://127.0.0.1:$SOCKS_PORT" \
	run_shimmed plain "$WORK/sent" "$SOCKS_PY" "$SOCKS_DIR/sockclient.py" 127.0.0.1 "$ECHO_PORT" \
	exchange
assert_log plain "tunnel 127.0.0.1:$ECHO_PORT: established via socks5 in "
assert_same_sha "$WORK/sent" "$WORK/plain.stdout" "python through microsocks: 4 MiB echoed"
pass "microsocks: 4 MiB each way intact through socks5"

start_microsocks auth -u sstp-user -P "s3cret:with@odd%chars"
SSTPSHIM_SOCKS_PROXY="socks5h://sstp-user:s3cret%3Awith%40odd%25chars@127.0.0.1:$SOCKS_PORT" \
	run_shimmed right "$WORK/sent" "$SOCKS_PY" "$SOCKS_DIR/sockclient.py" 127.0.0.1 "$ECHO_PORT" \
	exchange
assert_log right "tunnel 127.0.0.1:$ECHO_PORT: established via socks5 in "
assert_same_sha "$WORK/sent" "$WORK/right.stdout" \
	"python through microsocks with a user: 4 MiB echoed"
pass "microsocks, user/password: a percent-encoded password carries 4 MiB each way"

SSTPSHIM_SOCKS_PROXY="socks5://sstp-user:wrong@127.0.0.1:$SOCKS_PORT" \
	connect_errno wrong "$ECHO_PORT"
assert_stdout wrong EACCES
assert_log wrong "tried socks5 \(the SOCKS5 proxy rejected the user name or password, "
pass "microsocks, user/password: a wrong password is EACCES, logged as rejected"
