#!/bin/bash
# Through squid, as an HTTP proxy that denies CONNECT (so only the HTTP encapsulations pass),
# with the chain connect,longlived,keepalive,polling: CONNECT is refused (403), LongLived wins
# (squid streams), within the connect transport's time limit. http_proxy is set, the client
# sends absolute URIs with ID= on both sessions (MS-GRVHENC 3.1.4.1.2, 3.1.4.1.4), squid forwards
# them to the relay as HTTP/1.1 with Via and X-Forwarded-For, and the bytes go each way intact.
# The client closes without a half-close: squid (half_closed_clients off, its default) takes a
# FIN on the POST session for the client going away and drops what it still held of the upload
# and of the response. 20 MiB: with longer fast uploads (past ~35 MB) squid 5.7 sometimes drops
# both sessions mid-stream (it logs a client EOF the client never sent); not understood yet.
. "$(dirname "$0")/lib.sh"

command -v squid > /dev/null || { echo "skip: squid is not installed"; exit 0; }
hold_refused_port
start_echo_relay
start_squid_forward
TIMEOUT_S=10 # SSTPSHIM_TRANSPORT_TIMEOUT: per transport; longlived wins long before
export SSTPSHIM_TRANSPORTS=connect,longlived,keepalive,polling SSTPSHIM_TRANSPORT_TIMEOUT=$TIMEOUT_S \
	http_proxy="http://127.0.0.1:$SQUID_PORT" https_proxy="http://127.0.0.1:$SQUID_PORT"
unset no_proxy NO_PROXY HTTP_PROXY HTTPS_PROXY SSTPSHIM_HTTP_PROXY

PROGRAMS_MIB=20
run_via_longlived stream /dev/null python3 "$LLAPP" stream "$REFUSED_PORT" "$PROGRAMS_MIB"
grep -q "POST http://127.0.0.1:$RELAY_PORT/2.0/127.0.0.1/.*,ConnType=LongLived,ID=" \
	"$WORK/squid/access.log" || fail "squid saw no absolute POST URI: $(cat "$WORK/squid/access.log")"
line=$(grep 'established via longlived' "$WORK/stream.log")
grep -q 'tried connect (the proxy forbids this destination (403)' <<< "$line" ||
	fail "the log does not show CONNECT refused first: $line"
ms=$(sed -n 's/.*established via longlived in \([0-9]*\)\.[0-9]* ms.*/\1/p' <<< "$line")
[ -n "$ms" ] && [ "$ms" -lt $((TIMEOUT_S * 1000)) ] || fail "connect() took ${ms:-?} ms: $line"
pass "through squid (CONNECT denied): $PROGRAMS_MIB MiB each way intact via longlived, won in $ms ms after connect's 403"
