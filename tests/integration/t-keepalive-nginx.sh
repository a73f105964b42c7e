#!/bin/bash
# nginx as a reverse proxy in front of the relay, with its upstream defaults: HTTP/1.0 and a new
# upstream connection for every request, request bodies buffered before they are forwarded.
# 1. keepalive through it carries 20 MiB each way intact; the relay sees the requests of one
#    virtual connection arrive on many connections, and pairs them by GUID.
# 2. The chain `longlived,keepalive`: nginx holds LongLived's POST (its body is 2147479552
#    octets long and nginx waits for all of it) so the echo never comes back; longlived fails at
#    its timeout and keepalive wins. connect() -> established stays within the two timeouts.
. "$(dirname "$0")/ka_lib.sh"

MIB=20
TIMEOUT_S=3 # SSTPSHIM_TRANSPORT_TIMEOUT: per transport
hold_refused_port
random_file "$WORK/sent" "$MIB"
start_echo_relay
ka_start_nginx "client_max_body_size 0;" "proxy_request_buffering on;"

export SSTPSHIM_TRANSPORTS=keepalive SSTPSHIM_LOG=debug
ka_socat socat "$WORK/sent" "$KA_NGINX_PORT"
assert_same_sha "$WORK/sent" "$WORK/socat.stdout" "keepalive through nginx: $MIB MiB echoed"
ka_assert_relay_counted $((MIB * 1024 * 1024))
peers=$(sed -n 's/.*ka [a-z0-9]*: \(GET\|POST\) from \(127.0.0.1:[0-9]*\).*/\2/p' "$WORK/relay.log" | sort -u | wc -l)
[ "$peers" -ge 100 ] || fail "the relay saw the requests on only $peers connections"
grep -q 'ConnType=KeepAlive' "$WORK/nginx/access.log" || fail "nginx did not log the requests"
pass "keepalive through nginx: $MIB MiB each way intact, requests on $peers upstream connections"

export SSTPSHIM_TRANSPORTS=longlived,keepalive SSTPSHIM_TRANSPORT_TIMEOUT=$TIMEOUT_S SSTPSHIM_LOG=info
echo "ping through nginx" > "$WORK/small"
ka_socat chain "$WORK/small" "$KA_NGINX_PORT"
assert_same_sha "$WORK/small" "$WORK/chain.stdout" "the chain through nginx"
line=$(grep 'established via keepalive' "$WORK/chain.log")
grep -q 'tried longlived (timed out' <<< "$line" || fail "the log does not show longlived timing out: $line"
ms=$(sed -n 's/.*established via keepalive in \([0-9]*\)\.[0-9]* ms.*/\1/p' <<< "$line")
[ -n "$ms" ] || fail "no connect time in: $line"
# longlived can only fail at its timeout here (nginx waits for the rest of its body), and
# keepalive's handshake is two round trips: within the sum of the two timeouts
[ "$ms" -ge $((TIMEOUT_S * 1000)) ] || fail "keepalive won after $ms ms, before longlived could time out: $line"
[ "$ms" -lt $((2 * TIMEOUT_S * 1000)) ] || fail "connect() took $ms ms: $line"
pass "longlived,keepalive through nginx: keepalive won in $ms ms (longlived timed out at ${TIMEOUT_S}000 ms)"
