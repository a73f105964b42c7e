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

# --- socks ---
# Helpers for the socks5 scenarios (t-socks5-*.sh): real SOCKS5 servers (dante's danted,
# microsocks) and a scripted one (socks_server.py) on loopback, the echo server behind them, and
# unmodified clients run under the shim with only the transports a scenario names.

SOCKS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOCKS_USERS=() # throwaway system users, removed at exit
SOCKS_PY=/usr/bin/python3 # the system's: a version manager's shim in PATH costs a second a start

socks_cleanup() {
	local u
	for u in "${SOCKS_USERS[@]:-}"; do [ -z "$u" ] || userdel "$u" 2>/dev/null || true; done
	lib_cleanup
}
trap socks_cleanup EXIT

# Sets FREE_PORT to a TCP port of 127.0.0.1 that was free a moment ago, for servers that cannot
# pick their own and say which (danted, microsocks).
free_port() {
	FREE_PORT=$("$SOCKS_PY" -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
}

# Waits until something listens on 127.0.0.1:$1 (microsocks says nothing when it is ready).
# `ss` only reads the socket table: no connection disturbs the server.
wait_listening() {
	timeout 20 sh -c "until ss -Hltn 'sport = :$1' | grep -q .; do :; done" ||
		fail "nothing listens on port $1 within 20 s"
}

# start_dante NAME METHOD [WRAPPER...]: danted on a free port of 127.0.0.1 with `socksmethod:
# METHOD` (none, or username: system users and passwords), reaching out from 127.0.0.1 or ::1 as
# the destination needs (external.rotation: route), configuration and log in
# $WORK/NAME.*; waits for its "running" line and sets SOCKS_PORT. WRAPPER runs before danted
# (e.g. `unshare -m ...` for a view of /etc/hosts of its own); it must exec its arguments.
start_dante() {
	local name=$1 method=$2
	shift 2
	free_port
	SOCKS_PORT=$FREE_PORT
	cat > "$WORK/$name.conf" <<-CONF
		logoutput: $WORK/$name.log
		internal: 127.0.0.1 port = $SOCKS_PORT
		external: 127.0.0.1
		external: ::1
		external.rotation: route
		socksmethod: $method
		clientmethod: none
		user.privileged: root
		user.unprivileged: nobody
		client pass { from: 127.0.0.0/8 to: 0/0 }
		socks pass { from: 127.0.0.0/8 to: 0/0 }
	CONF
	spawn "$@" danted -f "$WORK/$name.conf" -p "$WORK/$name.pid" > "$WORK/$name.out" 2>&1
	wait_line "$WORK/$name.log" 'Dante/server.* running'
}

# start_microsocks NAME [ARGS...]: microsocks on a free port of 127.0.0.1; sets SOCKS_PORT.
start_microsocks() {
	local name=$1
	shift
	free_port
	SOCKS_PORT=$FREE_PORT
	spawn microsocks -i 127.0.0.1 -p "$SOCKS_PORT" "$@" > "$WORK/$name.out" 2>&1
	wait_listening "$SOCKS_PORT"
}

# Creates a throwaway system user with a random password for dante's username method (it checks
# system passwords); sets SOCKS_USER and SOCKS_PASS. The user is removed at exit.
socks_test_user() {
	SOCKS_USER="sstpsk$$"
	SOCKS_PASS="pw-$(head -c 9 /dev/urandom | base64 | tr '+/' '-_')"
	useradd -M -N -s /usr/sbin/nologin "$SOCKS_USER" || fail "cannot create user $SOCKS_USER"
	SOCKS_USERS+=("$SOCKS_USER")
	echo "$SOCKS_USER:$SOCKS_PASS" | chpasswd || fail "cannot set the password of $SOCKS_USER"
}

# Starts the echo server behind the proxies on an ephemeral port; sets ECHO_PORT and makes it the
# one port the shim intercepts.
start_socks_echo() {
	start_listening_server echo "$BUILD/examples/echo_server" -l 127.0.0.1 -p 0
	ECHO_PORT=$SERVER_PORT
	export SSTPSHIM_PORTS=$ECHO_PORT
}

# run_shimmed NAME INPUT CMD...: runs CMD under the shim with stdin from INPUT, stdout in
# $WORK/NAME.stdout, stderr in $WORK/NAME.stderr and the shim's log in $WORK/NAME.log; fails
# unless it exits 0 within PROGRAMS_LIMIT s.
run_shimmed() {
	local name=$1 input=$2 rc=0
	shift 2
	timeout "$PROGRAMS_LIMIT" env LD_PRELOAD="$SHIM${LD_PRELOAD:+:$LD_PRELOAD}" \
		SSTPSHIM_LOG_FILE="$WORK/$name.log" "$@" \
		< "$input" > "$WORK/$name.stdout" 2> "$WORK/$name.stderr" || rc=$?
	[ "$rc" != 124 ] || fail "$name did not finish within $PROGRAMS_LIMIT s"
	[ "$rc" = 0 ] || fail "$name exited with status $rc: $(head -c 600 "$WORK/$name.stderr")"
}

# Fails unless NAME's shim log ($WORK/NAME.log) has a line matching the extended regex $2.
assert_log() {
	grep -Eq -- "$2" "$WORK/$1.log" ||
		fail "$1: no line matching '$2' in the shim log: $(cat "$WORK/$1.log" 2>&1)"
}

# Fails unless NAME's stdout is exactly the text $2 (one line per argument after it).
assert_stdout() {
	local name=$1 want
	shift
	want=$(printf '%s\n' "$@")
	[ "$(cat "$WORK/$name.stdout")" = "$want" ] ||
		fail "$name printed '$(head -c 300 "$WORK/$name.stdout")', want '$want'"
}

# connect_errno NAME PORT [HOST]: a Python client's connect() to HOST:PORT under the shim; its
# stdout ($WORK/NAME.stdout) says "connected" or the errno's name.
connect_errno() {
	run_shimmed "$1" /dev/null "$SOCKS_PY" "$SOCKS_DIR/sockclient.py" "${3:-127.0.0.1}" "$2" errno
}

# assert_no_fd_leak NAME PORT: LEAK_ROUNDS tunnels to 127.0.0.1:PORT from one Python process under
# the shim, whatever their outcome, leave it with at most 2 more descriptors (sockclient.py leak;
# fewer is fine: the first round's sockets may still have been open when it counted).
assert_no_fd_leak() {
	local extra
	run_shimmed "$1" /dev/null "$SOCKS_PY" "$SOCKS_DIR/sockclient.py" 127.0.0.1 "$2" leak
	extra=$(sed -n 's/^fds +\{0,1\}\(-\{0,1\}[0-9][0-9]*\)$/\1/p' "$WORK/$1.stdout")
	[ -n "$extra" ] || fail "$1: no fd count: $(head -c 300 "$WORK/$1.stdout")"
	[ "$extra" -le 2 ] || fail "$1: $extra descriptors more after 50 tunnels"
}
