#!/bin/bash
# keepalive through an HTTP forward proxy (3.3.4.1.2, 3.3.4.1.4, 3.3.5.3.2): squid gets absolute
# URIs with a fresh ID= per request and Proxy-Connection: Keep-Alive, and the stream arrives
# intact. A proxy that wants authentication (407) when its URL has no user fails the transport
# at once, the log saying why (t-keepalive-proxyauth.sh answers it).
. "$(dirname "$0")/ka_lib.sh"

MIB=10
hold_refused_port
random_file "$WORK/sent" "$MIB"
start_echo_relay
ka_start_squid
export SSTPSHIM_TRANSPORTS=keepalive SSTPSHIM_LOG=info SSTPSHIM_HTTP_PROXY="http://127.0.0.1:$KA_SQUID_PORT"

ka_socat squid "$WORK/sent" "$RELAY_PORT"
assert_same_sha "$WORK/sent" "$WORK/squid.stdout" "keepalive through squid: $MIB MiB echoed"
ka_assert_relay_counted $((MIB * 1024 * 1024))
grep -q "POST http://127.0.0.1:$RELAY_PORT/2.0/127.0.0.1/[a-z0-9]*,ConnType=KeepAlive,ID=" \
	"$WORK/squid/access.log" || fail "squid did not see absolute POST URIs with ID="
ids=$(grep -o 'ID=[a-z0-9]*' "$WORK/squid/access.log" | sort | uniq -d | wc -l)
[ "$ids" = 0 ] || fail "$ids Request IDs were used twice"
pass "keepalive through squid: $MIB MiB each way intact, a fresh Request ID per request"

# A proxy that answers every request with 407.
cat > "$WORK/p407.py" <<'PY'
import socket, threading
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(16)
print("listening on 127.0.0.1:%d" % l.getsockname()[1], flush=True)
def serve(c):
    data = b""
    while b"\r\n\r\n" not in data:
        d = c.recv(4096)
        if not d:
            break
        data += d
    c.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
              b"Proxy-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\n\r\n")
    c.close()
while True:
    threading.Thread(target=serve, args=(l.accept()[0],), daemon=True).start()
PY
ka_start_printing_port p407 python3 "$WORK/p407.py"
rc=0
SSTPSHIM_HTTP_PROXY="http://127.0.0.1:$KA_PORT" SSTPSHIM_LOG_FILE="$WORK/p407.log" timeout 20 \
	env LD_PRELOAD="$SHIM" socat -t 1 STDIO "TCP:127.0.0.1:$REFUSED_PORT" < /dev/null \
	> /dev/null 2> "$WORK/p407.err" || rc=$?
[ "$rc" != 124 ] || fail "connect() hung behind a 407"
[ "$rc" != 0 ] || fail "socat connected through a proxy that wants authentication"
grep -q 'keepalive (.*authentication' "$WORK/p407.log" ||
	fail "the log does not say why keepalive failed: $(cat "$WORK/p407.log")"
pass "keepalive: a 407 fails the transport: $(grep -o 'keepalive ([^)]*)' "$WORK/p407.log" | head -1)"
