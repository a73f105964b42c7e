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
# pick their own and say which (danted, microsocks, squid).
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
# the shim, whatever their outcome, leave it with at most 8 more descriptors (sockclient.py leak;
# fewer is fine: the first round's sockets may still have been open when it counted). The engine
# may still be closing the last tunnel when the count is taken, and a spliced tunnel holds six
# descriptors (two sockets, two pipes); a leak of one per tunnel would show 50.
assert_no_fd_leak() {
	local extra
	run_shimmed "$1" /dev/null "$SOCKS_PY" "$SOCKS_DIR/sockclient.py" 127.0.0.1 "$2" leak
	extra=$(sed -n 's/^fds +\{0,1\}\(-\{0,1\}[0-9][0-9]*\)$/\1/p' "$WORK/$1.stdout")
	[ -n "$extra" ] || fail "$1: no fd count: $(head -c 300 "$WORK/$1.stdout")"
	[ "$extra" -le 8 ] || fail "$1: $extra descriptors more after 50 tunnels"
}

# --- proxies ---
# Helpers for the scenarios that reach the echo server through an HTTP proxy on loopback with the
# connect transport: a real squid (http://www.squid-cache.org, Debian's `squid`) configured per
# scenario, or the scripted misbehaving proxy tests/integration/badproxy.py.

SQUID_HELPERS=/usr/lib/squid
PROXY_USER=alice       # the one account of the proxies that ask for credentials
PROXY_PASSWORD=s3cret

# The squid.conf lines that make squid ask for credentials of kind $1 (none, basic, digest, ntlm)
# kept in directory $2.
squid_auth_conf() {
	local kind=$1 dir=$2
	case "$kind" in
	none) return 0 ;;
	basic)
		printf '%s:%s\n' "$PROXY_USER" "$(openssl passwd -apr1 "$PROXY_PASSWORD")" > "$dir/passwd"
		echo "auth_param basic program $SQUID_HELPERS/basic_ncsa_auth $dir/passwd" ;;
	digest)
		printf '%s:%s\n' "$PROXY_USER" "$PROXY_PASSWORD" > "$dir/passwd"
		echo "auth_param digest program $SQUID_HELPERS/digest_file_auth $dir/passwd"
		echo "auth_param digest realm sstpshim-test" ;;
	ntlm)
		# ntlm_fake_auth runs the NTLM message flow and accepts whoever completes it
		echo "auth_param ntlm program $SQUID_HELPERS/ntlm_fake_auth"
		echo "auth_param ntlm keep_alive on" ;;
	*) fail "squid_auth_conf: unknown kind $kind" ;;
	esac
	chmod 0644 "$dir/passwd" 2>/dev/null || true
	echo "acl authed proxy_auth REQUIRED"
	echo "http_access deny !authed"
}

# start_squid NAME DEST_PORT [AUTH [deny]]: starts squid on 127.0.0.1 (port in SQUID_PORT) that
# allows CONNECT only to DEST_PORT (squid's default allows only 443), after credentials of kind
# AUTH (squid_auth_conf; default none), or refuses every CONNECT (403) when $4 is "deny". No
# cache; its files in $WORK/NAME (access.log, cache.log). Returns once squid accepts connections
# (its "Accepting HTTP Socket connections" line on stderr); sets SQUID_DIR and SQUID_PID. squid
# cannot take port 0, so the free port it is given may be taken by then: it then says FATAL and
# exits, and is started again on another port.
start_squid() {
	local name=$1 dest_port=$2 auth=${3:-none} deny=${4:-} attempt
	local ready="Accepting HTTP Socket connections at .*local=127.0.0.1:"
	SQUID_DIR="$WORK/$name"
	mkdir -p "$SQUID_DIR"
	# squid drops root for cache_effective_user, which must reach and write its directory
	chmod 0755 "$WORK"
	chown proxy "$SQUID_DIR" 2>/dev/null || chmod 0777 "$SQUID_DIR"
	for attempt in 1 2 3; do
		free_port
		SQUID_PORT=$FREE_PORT
		squid_conf "$dest_port" "$auth" "$deny" > "$SQUID_DIR/squid.conf"
		spawn squid -N -d1 -f "$SQUID_DIR/squid.conf" > "$SQUID_DIR/stdout" 2> "$SQUID_DIR/stderr"
		SQUID_PID=$LAST_PID
		wait_line "$SQUID_DIR/stderr" "$ready$SQUID_PORT \\|FATAL"
		grep -q -- "$ready$SQUID_PORT " "$SQUID_DIR/stderr" && return 0
		wait "$SQUID_PID" 2>/dev/null || true
		mv "$SQUID_DIR/stderr" "$SQUID_DIR/stderr.$attempt"
	done
	fail "squid did not start: $(tail -3 "$SQUID_DIR/stderr.3")"
}

# squid.conf for start_squid (its arguments after NAME), on stdout.
squid_conf() {
	local dest_port=$1 auth=$2 deny=$3
	echo "http_port 127.0.0.1:$SQUID_PORT"
	echo "pid_filename $SQUID_DIR/squid.pid"
	echo "cache_log $SQUID_DIR/cache.log"
	echo "access_log stdio:$SQUID_DIR/access.log"
	echo "coredump_dir $SQUID_DIR"
	echo "cache deny all"
	echo "cache_mem 4 MB"
	echo "pinger_enable off"
	echo "shutdown_lifetime 0 seconds"
	echo "cache_effective_user proxy"
	echo "acl test_port port $dest_port"
	echo "http_access deny CONNECT !test_port"
	[ "$deny" != deny ] || echo "http_access deny CONNECT"
	squid_auth_conf "$auth" "$SQUID_DIR"
	echo "http_access allow localhost"
	echo "http_access deny all"
}

# Stops the squid of the last start_squid and waits for it, so that its logs are complete.
stop_squid() {
	kill "$SQUID_PID" 2>/dev/null || true
	wait "$SQUID_PID" 2>/dev/null || true
}

# Starts the echo server on an ephemeral port as the alternate port (SSTPSHIM_ALT_PORT, the
# port of the CONNECT request) and holds a refused port as the intercepted one.
start_echo_behind_proxy() {
	hold_refused_port
	start_listening_server echo "$BUILD/examples/echo_server" -l 127.0.0.1 -p 0
	export SSTPSHIM_ALT_PORT=$SERVER_PORT
}

# run_shimmed_rc NAME STDIN CMD...: runs CMD under the shim with its log at debug in $WORK/NAME.log,
# stdout and stderr in $WORK/NAME.{stdout,stderr}; sets RC to its exit status (124: it hung
# past PROGRAMS_LIMIT s). Never fails by itself.
run_shimmed_rc() {
	local name=$1 input=$2
	shift 2
	RC=0
	timeout "$PROGRAMS_LIMIT" env LD_PRELOAD="$SHIM${LD_PRELOAD:+:$LD_PRELOAD}" \
		SSTPSHIM_LOG=debug SSTPSHIM_LOG_FILE="$WORK/$name.log" "$@" \
		< "$input" > "$WORK/$name.stdout" 2> "$WORK/$name.stderr" || RC=$?
	[ "$RC" != 124 ] || fail "$name did not finish within $PROGRAMS_LIMIT s"
}

# Fails unless log $1 has a line matching $2 (grep -E); $3 says what it shows.
assert_log_file() {
	grep -Eq -- "$2" "$1" || fail "$3: no line matching '$2' in $(basename "$1"): $(tail -5 "$1")"
}

# Fails if any file under $WORK but the proxies' password files (logs, outputs, squid.conf)
# holds the text $1 (a credential).
assert_nowhere() {
	! grep -rqF --exclude=passwd -- "$1" "$WORK" ||
		fail "a credential appears in $(grep -rlF --exclude=passwd -- "$1" "$WORK" | head -3)"
}

# Fails if PROXY_PASSWORD, or the wrong password $1, appears under $WORK as it is or in the Basic
# credentials of PROXY_USER; passes saying so.
assert_no_proxy_credentials() {
	local pw
	for pw in "$PROXY_PASSWORD" "$1"; do
		assert_nowhere "$pw"
		assert_nowhere "$(printf '%s:%s' "$PROXY_USER" "$pw" | base64)"
	done
	pass "no credential in any log or output"
}

# Starts tests/integration/badproxy.py in mode $1 (more arguments after it) and waits until it
# accepts connections; sets BADPROXY_PORT.
start_badproxy() {
	local mode=$1
	shift
	spawn python3 "$(dirname "${BASH_SOURCE[0]}")/badproxy.py" "$mode" "$@" \
		> "$WORK/badproxy.$mode.out" 2> "$WORK/badproxy.$mode.err"
	wait_line "$WORK/badproxy.$mode.out" '^listening on 127.0.0.1:[0-9]*$'
	BADPROXY_PORT=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$WORK/badproxy.$mode.out")
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

# relay_drain PID LOG PROBE...: SIGTERM to the relay PID (logging to LOG) while probe command
# PROBE... holds its connections: the probe prints "ready", the relay is signalled, and once it
# logs that it drains the probe is told "go" on its stdin and checks what it sees. Fails unless
# the probe passes and the relay then exits 0 within 10 s, saying it drained.
relay_drain() {
	local pid=$1 log=$2 rc=0 go probe
	shift 2
	mkfifo "$WORK/go"
	exec {go}<> "$WORK/go" # read-write: opening it never blocks; the probe's read waits for our line
	spawn "$@" < "$WORK/go" > "$WORK/drain.out" 2>&1
	probe=$LAST_PID
	wait_line "$WORK/drain.out" '^ready'
	kill -TERM "$pid"
	wait_line "$log" 'signal 15: draining'
	echo go >&"$go"
	wait "$probe" || fail "drain: $(head -c 600 "$WORK/drain.out")
relay: $(tail -8 "$log")"
	exec {go}>&-
	timeout 10 tail --pid="$pid" -f /dev/null || rc=$?
	[ "$rc" = 0 ] || fail "the relay did not exit after draining: $(tail -5 "$log")"
	wait "$pid" || fail "the relay exited with status $?"
	grep -q "drained: no connection left" "$log" || fail "no drain message logged"
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
# start_squid_forward [AUTH]: starts squid on 127.0.0.1 as a forward proxy that denies CONNECT
# and caches nothing, after credentials of kind AUTH (squid_auth_conf; default none): sets
# SQUID_PORT and SQUID_PID (stop_squid); its logs in $WORK/squid/.
start_squid_forward() {
	local dir="$WORK/squid" auth=${1:-none}
	free_port
	SQUID_PORT=$FREE_PORT
	mkdir -p "$dir" && chmod 0777 "$dir" "$WORK"
	cat > "$dir/squid.conf" <<-CONF
	http_port 127.0.0.1:$SQUID_PORT
	acl CONNECT method CONNECT
	http_access deny CONNECT
	$(squid_auth_conf "$auth" "$dir")
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
	SQUID_PID=$LAST_PID
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
