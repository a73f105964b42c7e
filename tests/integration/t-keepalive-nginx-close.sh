#!/bin/bash
# nginx closing its client connections after every response (keepalive_timeout 0, so each
# response says "Connection: close"): the client sends each request of both sessions on a new
# connection, as HTTP requires, and the stream still arrives intact. The GET session is never
# re-opened after a disconnect (3.3.4.6), but a connection its last response closed is not one.
. "$(dirname "$0")/ka_lib.sh"

MIB=5
hold_refused_port
random_file "$WORK/sent" "$MIB"
ka_start_echo_relay
ka_start_nginx "keepalive_timeout 0;"
export SSTPSHIM_TRANSPORTS=keepalive SSTPSHIM_LOG=debug

ka_socat socat "$WORK/sent" "$KA_NGINX_PORT"
assert_same_sha "$WORK/sent" "$WORK/socat.stdout" "keepalive through nginx closing: $MIB MiB echoed"
ka_assert_relay_counted $((MIB * 1024 * 1024))
gets=$(grep -c 'keepalive GET session closed -> connecting' "$WORK/socat.log" || true)
posts=$(grep -c 'keepalive POST session closed -> connecting' "$WORK/socat.log" || true)
[ "$gets" -ge $((MIB * 32)) ] || fail "only $gets GET connections for $MIB MiB"
[ "$posts" -ge $((MIB * 32)) ] || fail "only $posts POST connections for $MIB MiB"
pass "keepalive through nginx with Connection: close: $MIB MiB intact over $gets GET and $posts POST connections"
