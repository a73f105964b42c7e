# Shared helpers for the integration scenarios; sourced by each tests/integration/t-*.sh.
# A scenario runs with `set -euo pipefail` in a fresh scratch directory ($WORK) that is removed,
# with every process it started, when it exits.
set -euo pipefail
: "${BUILD:?run through tests/integration/run-all.sh}"
SHIM="$BUILD/libsstpshim.so"
WORK=$(mktemp -d /tmp/sstpshim-test.XXXXXX)
PIDS=()

lib_cleanup() {
	local pid
	for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
	for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
	rm -rf "$WORK"
}
trap lib_cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# Runs "$@" in the background, remembering its pid for cleanup; sets $LAST_PID.
spawn() { "$@" & LAST_PID=$!; PIDS+=("$LAST_PID"); }

# Sets REFUSED_PORT to a TCP port on 127.0.0.1 that nothing listens on, held bound (not
# listening) by a sleeper so that nothing else takes it while the test runs: connect() to it is
# refused, reliably. Call it plainly, not inside $(...), so the sleeper is cleaned up.
refused_port() {
	local file
	file=$(mktemp "$WORK/refused.XXXXXX")
	python3 -c '
import signal, socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
signal.pause()' > "$file" 2> /dev/null &
	PIDS+=("$!")
	wait_line "$file" '^[0-9]'
	read -r REFUSED_PORT < "$file"
}

# Waits until a process writes a line matching $2 into file $1, reading as it grows (no sleeps:
# `tail -f` blocks on the file, `grep -m1` returns at the first match). Fails after $3 s.
wait_line() {
	local file=$1 pattern=$2 limit=${3:-20}
	timeout "$limit" grep -m1 -q -- "$pattern" <(tail -n +1 -F "$file" 2>/dev/null) ||
		fail "no line matching '$pattern' in $file within $limit s"
}

# Open descriptors of a process, excluding the standard three.
fd_count() { ls "/proc/$1/fd" | awk '$1 > 2' | wc -l; }

sha() { sha256sum "$1" | cut -d' ' -f1; }

# Writes $2 MiB of random bytes to file $1.
random_file() { head -c "$(( $2 * 1024 * 1024 ))" /dev/urandom > "$1"; }

# Runs "$@" with the shim preloaded and the given environment (callers export SSTPSHIM_*).
shimmed() { LD_PRELOAD="$SHIM${LD_PRELOAD:+:$LD_PRELOAD}" "$@"; }

# --- programs ---
# Helpers for the scenarios that run unmodified programs (the examples, Python, socat, curl)
# through the shim's direct443 fallback: nothing listens on the intercepted port, so `direct` is
# refused, and the server listens on an ephemeral port that the shim is given as its alternate.

PROGRAMS_MIB=100   # bytes carried each way, in MiB
PROGRAMS_LIMIT=120 # seconds a client may run before it counts as hung (a run takes a few)

# Holds a refused port (refused_port) as the intercepted destination: sets REFUSED_PORT and
# exports SSTPSHIM_PORTS.
hold_refused_port() {
	refused_port
	export SSTPSHIM_PORTS=$REFUSED_PORT
}

# Starts server "$@" (after a name, $1) with stdout in $WORK/NAME.out and stderr in
# $WORK/NAME.err, waits for its "listening on ADDR:PORT" line and sets SERVER_PORT.
start_listening_server() {
	local name=$1
	shift
	spawn "$@" > "$WORK/$name.out" 2> "$WORK/$name.err"
	wait_line "$WORK/$name.out" '^listening on .*:[0-9][0-9]*$'
	SERVER_PORT=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$WORK/$name.out" | head -n1)
	[ -n "$SERVER_PORT" ] || fail "$name printed no port"
}

# Runs client "$@" (after a name, $1, and a stdin file, $2) under the shim, as `shimmed` does,
# with stdout in $WORK/NAME.stdout, stderr in $WORK/NAME.stderr and the shim's log in
# $WORK/NAME.log. Fails unless it exits 0 within PROGRAMS_LIMIT s and the log shows its tunnel to
# 127.0.0.1:REFUSED_PORT established via direct443.
run_via_direct443() {
	local name=$1 input=$2 rc=0
	shift 2
	timeout "$PROGRAMS_LIMIT" env LD_PRELOAD="$SHIM${LD_PRELOAD:+:$LD_PRELOAD}" \
		SSTPSHIM_LOG_FILE="$WORK/$name.log" "$@" \
		< "$input" > "$WORK/$name.stdout" 2> "$WORK/$name.stderr" || rc=$?
	[ "$rc" != 124 ] || fail "$name did not finish within $PROGRAMS_LIMIT s"
	[ "$rc" = 0 ] || fail "$name exited with status $rc: $(head -c 600 "$WORK/$name.stderr")"
	grep -q -- "tunnel 127.0.0.1:$REFUSED_PORT: established via direct443" "$WORK/$name.log" ||
		fail "$name: the shim log does not show direct443: $(cat "$WORK/$name.log" 2>&1)"
}

# Fails if file $1 (what $2 names) is not empty.
assert_empty() { [ ! -s "$1" ] || fail "$2 is not empty: $(head -c 600 "$1")"; }

# Fails unless files $1 (sent) and $2 (arrived) have the same SHA-256; $3 names the transfer.
assert_same_sha() {
	local sent arrived
	sent=$(sha "$1")
	arrived=$(sha "$2")
	[ "$sent" = "$arrived" ] ||
		fail "$3: sent $(stat -c %s "$1") bytes sha256 $sent, arrived $(stat -c %s "$2") bytes sha256 $arrived"
}

# One echo round trip through direct443: starts a fresh echo_server on an ephemeral port, runs
# client "$@" (after a name, $1, and a stdin file, $2) under the shim towards the refused port,
# and checks that the client got back exactly what it sent and wrote nothing to stderr.
echo_via_direct443() {
	local name=$1 input=$2
	shift 2
	start_listening_server "$name-server" "$BUILD/examples/echo_server" -l 127.0.0.1 -p 0
	export SSTPSHIM_ALT_PORT=$SERVER_PORT
	run_via_direct443 "$name" "$input" "$@"
	assert_empty "$WORK/$name.stderr" "$name stderr"
	assert_same_sha "$input" "$WORK/$name.stdout" "$name: $(( $(stat -c %s "$input") >> 20 )) MiB echoed"
}

# --- probes ---
# Helpers for the scenarios that run the shim's behaviour probes (tests/probes/*.c, built to
# $BUILD/probes/NAME). A probe sets up its own servers and shim settings, checks itself and
# exits 0 silently; its failures name the file:line and the errno seen.

PROBE_LIMIT=60   # seconds one probe scenario may run before it counts as hung (most take < 2)
PROBE_FAILURES=0 # scenarios failed so far in this script

# Runs probe $1 with scenario $2 under the shim, with none of the caller's SSTPSHIM_* variables
# (so the shim's defaults apply, quiet among them), stdout and stderr captured in $WORK. Prints
# `ok: $1 $2: $3` when it exits 0 within PROBE_LIMIT s having written nothing; otherwise a FAIL
# line with the probe's messages, counted in PROBE_FAILURES (probe_done fails the script), so
# that every scenario of a script runs.
probe_run() {
	local probe=$1 scenario=$2 what=$3 bin="$BUILD/probes/$1" rc=0 why=""
	local out="$WORK/$1.$2.stdout" err="$WORK/$1.$2.stderr"
	[ -x "$bin" ] || fail "$bin is not built (make $bin)"
	(
		unset "${!SSTPSHIM_@}"
		shimmed timeout -k 5 "$PROBE_LIMIT" "$bin" "$scenario"
	) > "$out" 2> "$err" || rc=$?
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		why="did not finish within $PROBE_LIMIT s"
	elif [ "$rc" != 0 ]; then
		why="exited with status $rc"
	elif [ -s "$out" ] || [ -s "$err" ]; then
		why="printed something (the shim must be silent by default)"
	fi
	if [ -z "$why" ]; then
		pass "$probe $scenario: $what"
		return 0
	fi
	PROBE_FAILURES=$((PROBE_FAILURES + 1))
	echo "FAIL: $probe $scenario ($what) $why" >&2
	head -c 600 "$out" | sed 's/^/    stdout: /' >&2
	head -c 3000 "$err" | sed 's/^/    stderr: /' >&2
	return 0
}

# Ends a script of probe_run calls: fails if any of them failed.
probe_done() {
	[ "$PROBE_FAILURES" = 0 ] || fail "$PROBE_FAILURES probe scenario(s) failed (see above)"
}

# --- relay ---
# Helpers for the scenarios of sstp-relay and the longlived transport: an echo server as the
# backend, the relay in front of it on an ephemeral port, and clients under the shim pointed at the
# relay through SSTPSHIM_HTTP_PORT (the intercepted host is 127.0.0.1, where the relay listens).

RELAY_PROBE="$(dirname "${BASH_SOURCE[0]}")/relay_probe.py"
LLAPP="$(dirname "${BASH_SOURCE[0]}")/llapp.py"

# Starts sstp-relay with options "$@" in front of backend port $1, listening on an ephemeral
# port of 127.0.0.1: sets RELAY_PORT and RELAY_PID; stdout in $WORK/relay.out, its log (debug) in
# $WORK/relay.log.
start_relay() {
	local backend=$1
	shift
	spawn "$BUILD/sstp-relay" --listen 127.0.0.1:0 --backend "127.0.0.1:$backend" --log debug \
		"$@" > "$WORK/relay.out" 2> "$WORK/relay.log"
	RELAY_PID=$LAST_PID
	wait_line "$WORK/relay.out" '^listening on .*:[0-9][0-9]*$'
	RELAY_PORT=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$WORK/relay.out" | head -n1)
	[ -n "$RELAY_PORT" ] || fail "sstp-relay printed no port"
}

# Starts an echo server and a relay (options "$@") in front of it: sets ECHO_PORT too.
start_echo_relay() {
	start_listening_server echo "$BUILD/examples/echo_server" -l 127.0.0.1 -p 0
	ECHO_PORT=$SERVER_PORT
	start_relay "$ECHO_PORT" "$@"
}

# Fails unless the relay is still running.
assert_relay_alive() {
	kill -0 "$RELAY_PID" 2>/dev/null || fail "sstp-relay died: $(tail -20 "$WORK/relay.log")"
}

# Runs relay_probe.py scenario $1 against the relay (more arguments passed on), then checks that
# the relay is still running.
relay_probe() {
	local sc=$1 rc=0
	shift
	timeout 120 python3 "$RELAY_PROBE" "$sc" "$RELAY_PORT" "$@" > "$WORK/probe.$sc.out" 2>&1 || rc=$?
	[ "$rc" = 0 ] || fail "relay scenario $sc (status $rc): $(head -c 600 "$WORK/probe.$sc.out")
relay log: $(tail -8 "$WORK/relay.log")"
	[ -s "$WORK/probe.$sc.out" ] && cat "$WORK/probe.$sc.out"
	assert_relay_alive
	pass "relay: $sc"
}

# Waits (up to 10 s, polling) until process $1 has $2 descriptors open again: what it opened for
# the connections of a scenario is closed once they are.
assert_fds_back() {
	local pid=$1 want=$2
	timeout 10 bash -c "until [ \$(ls /proc/$pid/fd | awk '\$1 > 2' | wc -l) -le $want ]; do sleep 0.05; done" ||
		fail "process $pid has $(fd_count "$pid") descriptors open, $want before: a leak"
}

# Runs client "$@" (after a name, $1, and a stdin file, $2) under the shim towards
# 127.0.0.1:REFUSED_PORT with the relay as its LongLived server, as run_via_direct443 does; fails
# unless it exits 0 within PROGRAMS_LIMIT s and the shim's log shows longlived winning.
run_via_longlived() {
	local name=$1 input=$2 rc=0
	shift 2
	timeout "$PROGRAMS_LIMIT" env LD_PRELOAD="$SHIM${LD_PRELOAD:+:$LD_PRELOAD}" \
		SSTPSHIM_HTTP_PORT="$RELAY_PORT" SSTPSHIM_LOG_FILE="$WORK/$name.log" "$@" \
		< "$input" > "$WORK/$name.stdout" 2> "$WORK/$name.stderr" || rc=$?
	[ "$rc" != 124 ] || fail "$name did not finish within $PROGRAMS_LIMIT s"
	[ "$rc" = 0 ] || fail "$name exited with status $rc: $(head -c 600 "$WORK/$name.stderr")
shim log: $(tail -5 "$WORK/$name.log" 2>&1)"
	grep -q -- "tunnel 127.0.0.1:$REFUSED_PORT: established via longlived" "$WORK/$name.log" ||
		fail "$name: the shim log does not show longlived: $(cat "$WORK/$name.log" 2>&1)"
}

# Sets FREE_PORT to a port of 127.0.0.1 that was free a moment ago, for programs that cannot
# pick their own (squid, haproxy).
free_port() {
	FREE_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
}

# Starts squid on 127.0.0.1 as a forward proxy that denies CONNECT and caches nothing: sets
# SQUID_PORT; its logs in $WORK/squid/.
start_squid() {
	local dir="$WORK/squid"
	free_port
	SQUID_PORT=$FREE_PORT
	mkdir -p "$dir" && chmod 0777 "$dir" "$WORK"
	cat > "$dir/squid.conf" <<-CONF
	http_port 127.0.0.1:$SQUID_PORT
	acl CONNECT method CONNECT
	http_access deny CONNECT
	http_access allow all
	cache deny all
	access_log stdio:$dir/access.log
	cache_log $dir/cache.log
	pid_filename $dir/squid.pid
	coredump_dir $dir
	cache_effective_user proxy
	shutdown_lifetime 0 seconds
	CONF
	spawn squid -N -f "$dir/squid.conf" > "$dir/squid.out" 2>&1
	wait_line "$dir/cache.log" 'Accepting HTTP Socket connections' 30
}

# Starts haproxy in HTTP mode on 127.0.0.1 in front of port $1: sets HAPROXY_PORT.
start_haproxy() {
	local dir="$WORK/haproxy"
	free_port
	HAPROXY_PORT=$FREE_PORT
	mkdir -p "$dir"
	cat > "$dir/haproxy.cfg" <<-CONF
	global
	    maxconn 1000
	defaults
	    mode http
	    option forwardfor
	    timeout connect 5s
	    timeout client 5m
	    timeout server 5m
	frontend relay_front
	    bind 127.0.0.1:$HAPROXY_PORT
	    default_backend relay_back
	backend relay_back
	    server relay 127.0.0.1:$1
	CONF
	spawn haproxy -db -f "$dir/haproxy.cfg" > "$dir/haproxy.out" 2>&1
	timeout 10 bash -c "until echo > /dev/tcp/127.0.0.1/$HAPROXY_PORT; do sleep 0.05; done" 2> /dev/null ||
		fail "haproxy did not start listening"
}
