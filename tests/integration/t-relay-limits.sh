#!/bin/bash
# --max-connections: beyond it the relay stops accepting until a connection closes, then serves
# the next. And a proxy that demands authentication (407) while its URL has no user fails the
# longlived transport at once: the application's connect() gets EACCES.
. "$(dirname "$0")/lib.sh"

start_echo_relay --max-connections 3
relay_probe max 3

hold_refused_port
start_listening_server proxy407 python3 -c '
import socket, threading
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0)); srv.listen(16)
print("listening on 127.0.0.1:%d" % srv.getsockname()[1], flush=True)
def serve(c):
    head = b""
    while b"\r\n\r\n" not in head:
        d = c.recv(4096)
        if not d:
            return
        head += d
    c.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
              b"Proxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n")
    c.close()
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()'
unset no_proxy NO_PROXY HTTP_PROXY SSTPSHIM_HTTP_PROXY
rc=0
timeout 30 env LD_PRELOAD="$SHIM" SSTPSHIM_TRANSPORTS=longlived SSTPSHIM_HTTP_PORT="$RELAY_PORT" \
	http_proxy="http://127.0.0.1:$SERVER_PORT" SSTPSHIM_LOG_FILE="$WORK/407.log" \
	"$BUILD/examples/client_blocking" -p "$REFUSED_PORT" -n 1 > /dev/null 2> "$WORK/407.err" || rc=$?
[ "$rc" = 2 ] && grep -q "Permission denied" "$WORK/407.err" ||
	fail "connect() through a 407 proxy (status $rc): $(cat "$WORK/407.err" "$WORK/407.log")"
grep -q "longlived (the proxy requires authentication and its URL has no user" "$WORK/407.log" ||
	fail "the shim log does not say why: $(cat "$WORK/407.log")"
pass "a proxy answering 407 to a URL without a user fails longlived with EACCES and says why"
