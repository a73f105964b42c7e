#!/bin/bash
# sstp-relay against clients that misbehave (MS-GRVHENC 3.2.5, 3.2.6): a GET or a POST whose
# other half never comes (the ConnectionEstablishment timer closes it), a duplicate GUID, garbage,
# wrong versions and types, oversized heads, slowloris clients (the head deadline answers 408),
# application data out of turn, content lengths passed, another Relay-Server-Name, absolute URIs
# and CONNECT naming another host (the relay goes to its backend only). After each,
# the relay is alive and serves a good client, and at the end it holds no more descriptors than
# before.
. "$(dirname "$0")/lib.sh"

start_echo_relay --establish-timeout 0.5 --header-timeout 1 --name RELAY.test
relay_fds=$(fd_count "$RELAY_PID")

for scenario in good get_only post_only duplicate garbage oversized slowloris name limit \
	not_a_proxy good; do
	relay_probe "$scenario"
done
assert_fds_back "$RELAY_PID" "$relay_fds"
grep -q "ConnectionEstablishment timer expired" "$WORK/relay.log" || fail "no timer expiry logged"
pass "the relay survived every bad client and kept serving good ones"
