#!/bin/bash
# Through squid as the HTTP proxy (CONNECT denied): every Polling request goes to squid with an
# absolute URI (MS-GRVHENC 3.5.4.1.2), squid forwards it to the relay as HTTP/1.1 with its own
# fields and passes the relay's 400 to the probe, the 200s and our end-of-data field back;
# POLL_MIB MiB go each way intact, with long polling (squid's read_timeout, 15 min, is far above
# the hold).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/poll_lib.sh"

command -v squid > /dev/null || { echo "skip: squid is not installed"; exit 0; }
random_file "$WORK/sent" "$POLL_MIB"
poll_start_echo_relay --poll-hold 25
start_squid_forward
unset no_proxy NO_PROXY HTTP_PROXY SSTPSHIM_HTTP_PROXY
http_proxy="http://127.0.0.1:$SQUID_PORT" poll_echo squid "$WORK/sent" \
	"$BUILD/examples/client_blocking" --stdio -p 2492
grep -q "POST http://127.0.0.1:$POLL_RELAY_PORT" "$WORK/squid/access.log" ||
	fail "squid saw no absolute POST URI: $(head -3 "$WORK/squid/access.log")"
grep -q "(proxy)" "$WORK/squid.log" || fail "the shim did not go through the proxy"
pass "through squid: $POLL_MIB MiB each way intact via polling"
