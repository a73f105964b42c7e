#!/bin/bash
# Descriptors: the relay raises its soft descriptor limit so that --max-connections fit. When even
# the hard limit is short, an accept() failing with EMFILE pauses accepting (a log line a second
# at most) instead of waking the loop again at once, for ever; accepting resumes once connections
# close.
. "$(dirname "$0")/lib.sh"

ulimit -Sn 256
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] || [ "$hard" -ge 2400 ] || { echo "skip: hard descriptor limit $hard"; exit 0; }
start_echo_relay --max-connections 1000
soft=$(awk '/^Max open files/ { print $4 }' "/proc/$RELAY_PID/limits")
[ "$soft" -ge 1064 ] || fail "soft descriptor limit $soft with --max-connections 1000"
grep -q "descriptor limit raised from 256 to $soft (--max-connections 1000)" "$WORK/relay.log" ||
	fail "the relay does not log the raise: $(head -5 "$WORK/relay.log")"
pass "soft descriptor limit raised from 256 to $soft for --max-connections 1000"

prlimit --pid "$RELAY_PID" --nofile=40:40 || fail "prlimit"
python3 - "$RELAY_PORT" <<'PY' || fail "could not hold connections to the relay"
import socket, sys, time
held = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(60)]
time.sleep(2)  # the load lasts this long: the relay is out of descriptors meanwhile
for s in held:
    s.close()
PY
lines=$(grep -c "accept: Too many open files" "$WORK/relay.log")
[ "$lines" -ge 1 ] && [ "$lines" -le 5 ] ||
	fail "$lines accept failures logged in 2 s out of descriptors (want 1 to 5: a line a second)"
relay_probe good
pass "out of descriptors for 2 s: $lines log lines, then serving again"
