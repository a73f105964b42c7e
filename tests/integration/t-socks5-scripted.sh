#!/bin/bash
# A scripted SOCKS5 server (socks_server.py) that misbehaves: the server's first bytes in the
# same write as the CONNECT reply reach the application intact, whatever the BND.ADDR type; a
# malformed reply, a reply code, or a proxy that closes mid-handshake fail the socks5 transport
# with the errno the application sees and a reason in the log; with another transport listed, the
# chain goes on to it; no tunnel leaves a descriptor behind.
. "$(dirname "$0")/lib.sh"

MODES="ok-v4 ok-v6 ok-name bad-version bad-atyp close-greeting close-connect
       rep-01 rep-02 rep-03 rep-04 rep-05 rep-06 rep-07 rep-08 rep-42"
declare -A SCRIPT_PORT

# Every mode's server starts at once, and then each is waited for: the waits overlap.
for mode in $MODES; do
	spawn "$SOCKS_PY" "$SOCKS_DIR/socks_server.py" "$mode" > "$WORK/script-$mode.out" \
		2> "$WORK/script-$mode.err"
done
for mode in $MODES; do
	wait_line "$WORK/script-$mode.out" '^listening on .*:[0-9][0-9]*$'
	SCRIPT_PORT[$mode]=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$WORK/script-$mode.out")
done

# use_script MODE: the shim's SOCKS proxy is the scripted server in MODE.
use_script() { export SSTPSHIM_SOCKS_PROXY="socks5://127.0.0.1:${SCRIPT_PORT[$1]}"; }

start_socks_echo
export SSTPSHIM_TRANSPORTS=socks5

for mode in ok-v4 ok-v6 ok-name; do
	use_script "$mode"
	run_shimmed "$mode" /dev/null "$SOCKS_PY" "$SOCKS_DIR/sockclient.py" 127.0.0.1 "$ECHO_PORT" greet
	assert_stdout "$mode" HELLO-FROM-SERVER ping
	assert_log "$mode" "established via socks5 in "
	pass "scripted $mode: server bytes in the reply's write reach the application first, then the echo"
done

# mode, the errno the application gets (Python names EOPNOTSUPP ENOTSUP: the same number on
# Linux), the reason the log gives
while read -r mode want why; do
	use_script "$mode"
	connect_errno "$mode" "$ECHO_PORT"
	assert_stdout "$mode" "$want"
	assert_log "$mode" "tried socks5 \($why, "
	pass "scripted $mode: $want, logged as '$why'"
done <<-CASES
	bad-version EPROTO method reply: VER is not 5
	bad-atyp EPROTO CONNECT reply: unknown ATYP
	close-greeting ECONNRESET the SOCKS5 proxy closed the connection mid-handshake
	close-connect ECONNRESET the SOCKS5 proxy closed the connection mid-handshake
	rep-01 ECONNREFUSED SOCKS5 CONNECT failed: general SOCKS server failure
	rep-02 EACCES SOCKS5 CONNECT failed: connection not allowed by ruleset
	rep-03 ENETUNREACH SOCKS5 CONNECT failed: network unreachable
	rep-04 EHOSTUNREACH SOCKS5 CONNECT failed: host unreachable
	rep-05 ECONNREFUSED SOCKS5 CONNECT failed: connection refused
	rep-06 ETIMEDOUT SOCKS5 CONNECT failed: TTL expired
	rep-07 ENOTSUP SOCKS5 CONNECT failed: command not supported
	rep-08 EAFNOSUPPORT SOCKS5 CONNECT failed: address type not supported
	rep-42 EPROTO SOCKS5 CONNECT failed: unassigned reply code
CASES

# The chain goes on: the echo server is also the alternate port of direct443.
use_script bad-atyp
SSTPSHIM_TRANSPORTS=socks5,direct443 SSTPSHIM_ALT_PORT=$ECHO_PORT \
	connect_errno moveon "$ECHO_PORT"
assert_stdout moveon connected
assert_log moveon "established via direct443 in .*; tried socks5 \(CONNECT reply: unknown ATYP, "
pass "scripted: after a malformed reply the chain goes on to direct443"

# Neither failed nor established tunnels leave descriptors behind.
for mode in ok-v4 bad-atyp close-connect rep-05; do
	use_script "$mode"
	assert_no_fd_leak "leak-$mode" "$ECHO_PORT"
	pass "scripted $mode: no descriptor left behind after 50 tunnels"
done
