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

relay_drain "$RELAY_PID" "$WORK/relay.file.log" python3 "$RELAY_PROBE" drain "$RELAY_PORT"
pass "SIGTERM drained the relay, which exited 0"
