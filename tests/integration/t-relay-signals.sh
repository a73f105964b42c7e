#!/bin/bash
# SIGHUP reopens the log file; SIGTERM drains: the established virtual connection carries on,
# new connections are refused, half-open ones closed, and the relay exits 0 after the last one.
. "$(dirname "$0")/lib.sh"

start_listening_server echo "$BUILD/examples/echo_server" -l 127.0.0.1 -p 0
start_relay "$SERVER_PORT" --log-file "$WORK/relay.file.log" --log info
wait_line "$WORK/relay.file.log" 'listening on'
mv "$WORK/relay.file.log" "$WORK/relay.file.log.1"
kill -HUP "$RELAY_PID"
wait_line "$WORK/relay.file.log" 'SIGHUP: log reopened'
pass "SIGHUP reopened the log file"

mkfifo "$WORK/go"
exec {go}<> "$WORK/go" # read-write: opening it never blocks, and the probe's read waits for our line
spawn python3 "$RELAY_PROBE" drain "$RELAY_PORT" < "$WORK/go" > "$WORK/drain.out" 2>&1
probe=$LAST_PID
wait_line "$WORK/drain.out" '^ready'
kill -TERM "$RELAY_PID"
wait_line "$WORK/relay.file.log" 'signal 15: draining'
echo go >&"$go"
wait "$probe" || fail "drain scenario: $(cat "$WORK/drain.out")"
rc=0
timeout 10 tail --pid="$RELAY_PID" -f /dev/null || rc=$?
[ "$rc" = 0 ] || fail "the relay did not exit after draining"
wait "$RELAY_PID" || fail "the relay exited with status $?"
grep -q "drained: no connection left" "$WORK/relay.file.log" || fail "no drain message logged"
pass "SIGTERM drained the relay, which exited 0"
