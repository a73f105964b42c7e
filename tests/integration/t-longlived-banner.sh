#!/bin/bash
# A server that speaks first (a banner on accept) behind the relay: the relay holds the banner
# until the client's first application bytes (GetSessionReady, MS-GRVHENC 3.2.1.1, 3.2.4.2), then
# the client gets the banner and its echo in order.
. "$(dirname "$0")/lib.sh"

hold_refused_port
start_listening_server banner python3 -c '
import socket, threading
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0)); srv.listen(16)
print("listening on 127.0.0.1:%d" % srv.getsockname()[1], flush=True)
def serve(c):
    c.sendall(b"220 banner\r\n")
    while True:
        d = c.recv(65536)
        if not d:
            break
        c.sendall(d)
    c.close()
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()'
start_relay "$SERVER_PORT"
export SSTPSHIM_TRANSPORTS=longlived
run_via_longlived banner /dev/null python3 "$LLAPP" banner "$REFUSED_PORT"
pass "server-first backend: nothing before the client's first bytes, then banner and echo"
