#!/bin/bash
# Content-length accounting (MS-GRVHENC 3.1.4.3): with SSTPSHIM_LONGLIVED_LIMIT=100000 the
# client's POST body may carry 100000 octets; a connection that sends more ends, and the
# application's next connect() gets a new virtual connection (a new GUID) that works.
. "$(dirname "$0")/lib.sh"

hold_refused_port
start_echo_relay
export SSTPSHIM_TRANSPORTS=longlived SSTPSHIM_LONGLIVED_LIMIT=100000
run_via_longlived limit /dev/null python3 "$LLAPP" limit "$REFUSED_PORT" 300000
[ "$(grep -c 'established via longlived' "$WORK/limit.log")" = 2 ] ||
	fail "expected two tunnels: $(cat "$WORK/limit.log")"
[ "$(grep -o 'vc [a-z0-9]*: GET session' "$WORK/relay.log" | sort -u | wc -l)" = 2 ] ||
	fail "the relay did not see two virtual connections: $(grep 'GET session' "$WORK/relay.log")"
pass "a connection past the content length ends; the next one is a new virtual connection"
