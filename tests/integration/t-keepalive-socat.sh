#!/bin/bash
# socat as the unmodified client, with SSTPSHIM_TRANSPORTS=keepalive straight to the relay: the
# echo server behind the relay sends back exactly the 100 MiB it got, and socat exits on the
# echoed end of stream, which only the X-Sstp-End exchange carries (see t-programs-socat.sh for
# why -t cannot end it instead). The relay counts the same octets each way.
. "$(dirname "$0")/ka_lib.sh"

hold_refused_port
random_file "$WORK/sent" "$PROGRAMS_MIB"
start_echo_relay
relay_fds=$(fd_count "$RELAY_PID")
export SSTPSHIM_TRANSPORTS=keepalive SSTPSHIM_LOG=info

ka_socat socat "$WORK/sent" "$RELAY_PORT"
assert_empty "$WORK/socat.stderr" "socat stderr"
assert_same_sha "$WORK/sent" "$WORK/socat.stdout" "keepalive: $PROGRAMS_MIB MiB echoed"
ka_assert_relay_counted $((PROGRAMS_MIB * 1024 * 1024))
# 3.3.4.7.1: no request body over 32768 octets, so at least size/32768 POSTs
posts=$(grep -c 'POST from' "$WORK/relay.log")
[ "$posts" -ge $((PROGRAMS_MIB * 32)) ] || fail "only $posts POSTs for $PROGRAMS_MIB MiB"
# the client closed its sessions: the relay closes every connection of the virtual connection
assert_fds_back "$RELAY_PID" "$relay_fds"
pass "keepalive: $PROGRAMS_MIB MiB each way intact in $posts POSTs, exit on the echoed EOF"
