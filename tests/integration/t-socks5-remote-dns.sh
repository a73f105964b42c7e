#!/bin/bash
# SSTPSHIM_REMOTE_DNS=1 with a socks5h:// proxy: the application connects to a host name that only
# the proxy can resolve. dante runs in a mount namespace of its own in which /etc/hosts names
# the echo server (the real /etc/hosts is never touched); here the name does not resolve, so the
# shim hands the application a placeholder address and the socks5 transport sends the name as
# DOMAINNAME (ATYP 03) for dante to resolve.
. "$(dirname "$0")/lib.sh"

NAME=sstp-echo.remote-dns.invalid
! getent hosts "$NAME" > /dev/null || fail "$NAME resolves here; the test needs it not to"
unshare -m true 2> /dev/null || fail "cannot make a mount namespace (unshare -m)"

start_socks_echo
{ cat /etc/hosts; echo "127.0.0.1 $NAME"; } > "$WORK/hosts"
start_dante dante none unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$WORK/hosts"
export SSTPSHIM_TRANSPORTS=socks5 SSTPSHIM_REMOTE_DNS=1
random_file "$WORK/sent" 8

SSTPSHIM_SOCKS_PROXY="socks5h://127.0.0.1:$SOCKS_PORT" \
	run_shimmed named "$WORK/sent" "$SOCKS_PY" "$SOCKS_DIR/pyclient.py" "$NAME" "$ECHO_PORT"
assert_log named "tunnel 240\.[0-9.]+:$ECHO_PORT: established via socks5 in "
assert_same_sha "$WORK/sent" "$WORK/named.stdout" "python to $NAME through dante: 8 MiB echoed"
pass "remote DNS: a name only the proxy knows, through socks5h, carries 8 MiB each way"

