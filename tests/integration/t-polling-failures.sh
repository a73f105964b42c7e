#!/bin/bash
# The polling transport when something between the application and its server fails; the
# application must see an error, never hang:
#  - an HTTP proxy (scripted, poll_proxy.py) that answers the probe with garbage, with a 502
#    page, or closes: the transport fails and so does the application's connect();
#  - the same proxy forwarding the first requests, then misbehaving mid-stream;
#  - the relay killed mid-stream, with and without --poll-hold;
#  - a backend that never answers the relay's connection (its SYNs dropped): connect() fails
#    within the transport timeout, and the relay lets go of everything it opened.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/poll_lib.sh"

here=$(cd "$(dirname "$0")" && pwd)
random_file "$WORK/sent" "$POLL_MIB"

# Fails unless client NAME saw an error and did not hang. An error is a non-zero exit, or one
# on stderr: client_blocking exits 0 when its read sees the end before its writing thread has
# reported the reset (the kernel reports a socket's error once, to whichever call comes first).
expect_error() {
	local name=$1 what=$2
	[ "$POLL_RC" != 124 ] || fail "$name: hung ($what)"
	[ "$POLL_RC" != 0 ] || [ -s "$WORK/$name.stderr" ] ||
		fail "$name: exited 0 and reported nothing ($what)"
	cmp -s "$WORK/sent" "$WORK/$name.stdout" && fail "$name: everything arrived ($what)"
	pass "$name: the application saw an error, status $POLL_RC: $(head -c 80 "$WORK/$name.stderr") ($what)"
}

poll_start_echo_relay --poll-hold 25
for mode in garbage 502 close; do
	for n in 1 40; do
		start_listening_server "proxy-$mode-$n" python3 "$here/poll_proxy.py" "$mode" "$n"
		SSTPSHIM_HTTP_PROXY="http://127.0.0.1:$SERVER_PORT" NO_PROXY= no_proxy= \
			poll_client "proxy-$mode-$n" "$WORK/sent" "$BUILD/examples/client_blocking" \
			--stdio -p 2492
		expect_error "proxy-$mode-$n" "a proxy that answers request $n with $mode"
		if [ "$n" = 1 ]; then
			grep -q "tried polling (" "$WORK/proxy-$mode-$n.log" ||
				fail "no failed polling attempt in the log: $(tail -3 "$WORK/proxy-$mode-$n.log")"
		else
			grep -q "established via polling" "$WORK/proxy-$mode-$n.log" ||
				fail "the proxy did not forward: $(tail -3 "$WORK/proxy-$mode-$n.log")"
		fi
	done
done
kill "$POLL_RELAY_PID"

for hold in 0 25; do
	poll_start_echo_relay --poll-hold "$hold"
	( poll_client "killed-$hold" "$WORK/sent" "$BUILD/examples/client_blocking" --stdio -p 2492
	  echo "$POLL_RC" > "$WORK/killed-$hold.rc" ) &
	client=$!
	wait_line "$WORK/relay.log" "response 30, " 60
	kill -9 "$POLL_RELAY_PID"
	wait "$client"
	POLL_RC=$(cat "$WORK/killed-$hold.rc")
	expect_error "killed-$hold" "the relay killed mid-stream, --poll-hold $hold"
done

# A backend whose accept queue is full: the relay's connection to it never completes.
python3 -c '
import socket, signal
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)
print("listening on 127.0.0.1:%d" % s.getsockname()[1], flush=True)
held = []
for _ in range(3):
    c = socket.socket(); c.setblocking(False); c.connect_ex(s.getsockname()); held.append(c)
signal.pause()' > "$WORK/deaf.out" &
PIDS+=("$!")
wait_line "$WORK/deaf.out" '^listening on'
deaf=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$WORK/deaf.out")
poll_start_relay "$deaf" --establish-timeout 3
fds=$(fd_count "$POLL_RELAY_PID")
SSTPSHIM_TRANSPORT_TIMEOUT=2 poll_client deaf /dev/null "$BUILD/examples/client_blocking" \
	--stdio -p 2492
expect_error deaf "a backend that never answers"
grep -q "failed after .*tried polling (timed out" "$WORK/deaf.log" ||
	fail "the shim log does not show polling timing out: $(tail -3 "$WORK/deaf.log")"
wait_line "$WORK/relay.log" "ConnectionEstablishment timer expired"
poll_assert_relay_clean "$fds"
pass "deaf backend: the relay let go of the virtual connection"
