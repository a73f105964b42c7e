#!/bin/bash
# socat as the unmodified client reaches the echo server through the shim's direct443 fallback
# and gets back exactly the 100 MiB it sent. socat connects blocking and the tunnel's stream is a
# plain socket, so the engine hands that socket over (shim/handoff.c) and no byte passes through
# it; its debug log says so.
#
# At the end of stdin socat shuts down the socket's write side and then waits at most -t seconds
# for the socket's EOF; it exits as soon as that EOF arrives. The -t given here is far longer than
# the run's time limit, so the test passes only if the echo server's EOF comes back through the
# tunnel: had socat waited for -t to expire, the limit would have killed it first and failed it.
. "$(dirname "$0")/lib.sh"

hold_refused_port
random_file "$WORK/sent" "$PROGRAMS_MIB"

export SSTPSHIM_LOG=debug
echo_via_direct443 socat "$WORK/sent" \
	socat -b 65536 -t $((PROGRAMS_LIMIT * 10)) STDIO "TCP:127.0.0.1:$REFUSED_PORT"
pass "socat: $PROGRAMS_MIB MiB each way intact via direct443, exit on the echoed EOF"
grep -q "socket handed to the application" "$WORK/socat.log" ||
	fail "socat: the engine did not hand the socket over: $(tail -3 "$WORK/socat.log")"
pass "socat: the connected socket was handed to socat"
