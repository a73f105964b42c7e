#!/bin/bash
# dante's danted without authentication as the SOCKS5 proxy: socat, unmodified, sends 100 MiB to
# the echo server through the shim's socks5 transport and gets back exactly what it sent, ending
# on the echoed EOF (see t-programs-socat.sh), and 1 MiB to an IPv6 destination; a destination
# dante cannot reach, a proxy that is not there and a destination NO_PROXY exempts each give the
# application's connect() its errno and the shim's log its reason.
. "$(dirname "$0")/lib.sh"

start_socks_echo
start_dante dante none
export SSTPSHIM_TRANSPORTS=socks5 SSTPSHIM_SOCKS_PROXY="socks5://127.0.0.1:$SOCKS_PORT"
random_file "$WORK/sent" "$PROGRAMS_MIB"

run_shimmed socat "$WORK/sent" \
	socat -b 65536 -t $((PROGRAMS_LIMIT * 10)) STDIO "TCP:127.0.0.1:$ECHO_PORT"
assert_log socat "tunnel 127.0.0.1:$ECHO_PORT: established via socks5 in "
assert_empty "$WORK/socat.stderr" "socat stderr"
assert_same_sha "$WORK/sent" "$WORK/socat.stdout" "socat through dante: $PROGRAMS_MIB MiB echoed"
pass "dante: $PROGRAMS_MIB MiB each way intact through socks5, exit on the echoed EOF"

# An IPv6 destination goes as ATYP 04 (RFC 1928 4); dante reaches it from ::1.
start_listening_server echo6 "$BUILD/examples/echo_server" -l ::1 -p 0
random_file "$WORK/sent6" 1
SSTPSHIM_PORTS=$SERVER_PORT run_shimmed socat6 "$WORK/sent6" \
	socat -b 65536 -t $((PROGRAMS_LIMIT * 10)) STDIO "TCP6:[::1]:$SERVER_PORT"
assert_log socat6 "tunnel \[::1\]:$SERVER_PORT: established via socks5 in "
assert_same_sha "$WORK/sent6" "$WORK/socat6.stdout" "socat to [::1] through dante: 1 MiB echoed"
pass "dante: an IPv6 destination, 1 MiB each way intact through socks5"

# Nothing listens on the refused port: dante's own connect() is refused and it answers REP 05.
refused_port
export SSTPSHIM_PORTS=$REFUSED_PORT
connect_errno refused "$REFUSED_PORT"
assert_stdout refused ECONNREFUSED
assert_log refused "tried socks5 \(SOCKS5 CONNECT failed: connection refused, "
pass "dante: a destination the proxy finds refused is ECONNREFUSED on connect()"

# The proxy itself is not there: the same errno, but the log says it was the proxy.
SSTPSHIM_SOCKS_PROXY="socks5://127.0.0.1:$REFUSED_PORT" connect_errno noproxy "$REFUSED_PORT"
assert_stdout noproxy ECONNREFUSED
assert_log noproxy "tried socks5 \(the SOCKS5 proxy refused the connection, "
pass "dante: a proxy that is not there is ECONNREFUSED, logged as the proxy's"

# NO_PROXY exempts the destination: socks5 is skipped, not tried, and nothing else is listed.
NO_PROXY=127.0.0.1 connect_errno exempt "$REFUSED_PORT"
assert_stdout exempt ENETUNREACH
assert_log exempt "tried socks5 \(NO_PROXY exempts the destination, "
pass "dante: NO_PROXY skips socks5"
