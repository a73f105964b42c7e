#!/bin/bash
# The backend is down or hangs up: the client is told at once, never left hanging. Raw clients
# get a 500 on the GET session; an application under the shim sees connect() refused; a backend
# that accepts and closes ends the application's stream with EOF.
. "$(dirname "$0")/lib.sh"

hold_refused_port
intercepted=$REFUSED_PORT
refused_port
start_relay "$REFUSED_PORT"
relay_probe backend_down
REFUSED_PORT=$intercepted
export SSTPSHIM_TRANSPORTS=longlived SSTPSHIM_HTTP_PORT=$RELAY_PORT
timeout 30 env LD_PRELOAD="$SHIM" python3 "$LLAPP" refused "$REFUSED_PORT" ||
	fail "connect() through a relay whose backend is down did not fail with ECONNREFUSED"
pass "backend down: connect() refused"

start_listening_server closer python3 -c '
import socket
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(16)
print("listening on 127.0.0.1:%d" % srv.getsockname()[1], flush=True)
while True:
    c, _ = srv.accept(); c.close()'
kill "$RELAY_PID"
start_relay "$SERVER_PORT"
export SSTPSHIM_HTTP_PORT=$RELAY_PORT
out=$(timeout 30 env LD_PRELOAD="$SHIM" socat -t 60 STDIO "TCP:127.0.0.1:$REFUSED_PORT" < /dev/null) ||
	fail "socat through a backend that hangs up: status $?"
[ -z "$out" ] || fail "unexpected bytes: $out"
pass "backend hangs up: the application sees EOF"
