#!/bin/bash
# The relay dies (SIGKILL) in the middle of a KeepAlive stream: the application gets an error on
# its socket within a bounded time, never a hang and never a clean end of stream.
. "$(dirname "$0")/ka_lib.sh"

hold_refused_port
start_echo_relay
export SSTPSHIM_TRANSPORTS=keepalive SSTPSHIM_LOG=debug

# The client echoes 1 MiB to show the tunnel works, says "up", then keeps sending and reading
# until its socket fails (exit 0), ends cleanly (exit 3) or the limit kills it (124).
cat > "$WORK/client.py" <<'PY'
import os, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
block = os.urandom(1 << 20)
s.sendall(block)
got = b""
while len(got) < len(block):
    d = s.recv(1 << 20)
    if not d:
        sys.exit(2)
    got += d
assert got == block
print("up", flush=True)
try:
    while True:
        s.sendall(block[:65536])
        if not s.recv(1 << 20):
            print("clean end of stream", flush=True)
            sys.exit(3)
except OSError as err:
    print("error", err.errno, err, flush=True)
    sys.exit(0)
PY
rc=0
timeout 30 env LD_PRELOAD="$SHIM" SSTPSHIM_HTTP_PORT="$RELAY_PORT" \
	SSTPSHIM_LOG_FILE="$WORK/client.log" python3 "$WORK/client.py" "$REFUSED_PORT" \
	> "$WORK/client.out" 2> "$WORK/client.err" &
client=$!
wait_line "$WORK/client.out" '^up$'
kill -KILL "$RELAY_PID"
wait "$client" || rc=$?
[ "$rc" != 124 ] || fail "the application hung after the relay died"
[ "$rc" = 0 ] || fail "the application exited $rc: $(cat "$WORK/client.out" "$WORK/client.err")"
grep -q 'established via keepalive' "$WORK/client.log" || fail "keepalive did not carry it"
pass "keepalive: relay killed mid-stream, the application got $(grep '^error' "$WORK/client.out")"
