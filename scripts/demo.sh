#!/bin/bash
# sstpshim in one minute, on loopback and without root: an echo server listens on an alternate
# port, nothing listens on the SSTP port, and an ordinary client that connects to the SSTP port
# still reaches the server, because the shim falls back from `direct` to `direct443`.
#
#   scripts/demo.sh [BUILD_DIR]      (what `make demo` runs; BUILD_DIR defaults to build)
#
# Prints which transport won, what was tried before it and the round-trip time; exits non-zero
# when any step failed.
set -euo pipefail

BUILD=${1:-build}
SHIM="$BUILD/libsstpshim.so"
SERVER="$BUILD/examples/echo_server"
CLIENT="$BUILD/examples/client_blocking"
TMP=$(mktemp -d /tmp/sstpshim-demo.XXXXXX)
SERVER_PID=""

cleanup() {
	exec 3<&- 2>/dev/null || true
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

die() {
	echo "demo failed: $*" >&2
	exit 1
}

# Whether something accepts TCP connections on 127.0.0.1:$1.
listening() { (exec 9<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Starts the echo server on an ephemeral port and reads its "listening on ADDR:PORT" line from a
# FIFO: the read returns as soon as the line is written, or at EOF if the server dies first.
start_server() {
	local line
	mkfifo "$TMP/server.out"
	"$SERVER" -l 127.0.0.1 -p 0 > "$TMP/server.out" 2> "$TMP/server.err" &
	SERVER_PID=$!
	exec 3< "$TMP/server.out"
	read -r -t 10 line <&3 || die "the echo server did not start: $(cat "$TMP/server.err")"
	[[ "$line" =~ ^listening\ on\ 127\.0\.0\.1:([0-9]+)$ ]] ||
		die "unexpected line from the echo server: $line"
	ALT_PORT=${BASH_REMATCH[1]}
}

# The port the client connects to: 2492 unless something listens there (then `direct` would
# reach that service instead of falling back), in which case any port nothing listens on,
# intercepted through SSTPSHIM_PORTS.
choose_port() {
	local candidate tries
	PORT=2492
	listening "$PORT" || return 0
	echo "  note             something listens on 127.0.0.1:2492; intercepting another port instead"
	for tries in $(seq 1 50); do
		candidate=$(( 20000 + RANDOM % 30000 ))
		if [ "$candidate" != "$ALT_PORT" ] && ! listening "$candidate"; then
			PORT=$candidate
			export SSTPSHIM_PORTS=$PORT
			return 0
		fi
	done
	die "found no free port to intercept after $tries tries"
}

# Turns the shim's "tried a (why, t ms), b (why, t ms)" into one "a: why (t ms)" line each.
print_tried() {
	local tried=$1
	if [ -z "$tried" ]; then
		echo "  tried before     nothing: the first transport won"
		return
	fi
	printf '%s\n' "$tried" | sed 's/), /)\n/g' |
		sed -E 's/^([^ ]+) \((.*), ([0-9.]+ ms)\)$/\1: \2 (\3)/' |
		sed '1s/^/  tried before     /; 2,$s/^/                   /'
}

# Reads the shim's tunnel line and reports it; fails unless direct443 carried the connection.
report() {
	local line winner rest tried=""
	line=$(grep -m1 -E ': tunnel [^ ]+: (established via|failed after) ' "$TMP/shim.log" || true)
	[ -n "$line" ] || die "the shim logged no tunnel (was the connection intercepted?)$(
		printf '\n'; cat "$TMP/shim.log" "$TMP/client.err" 2>/dev/null)"
	rest=${line#*: tunnel }
	rest=${rest#*: }
	[[ "$rest" == *"; tried "* ]] && tried=${rest#*; tried }
	if [[ "$rest" == "failed after "* ]]; then
		echo "  tunnel           ${rest%%; tried *}"
		print_tried "$tried"
		die "no transport reached the echo server"
	fi
	winner=${rest#established via }
	echo "  transport won    ${winner%%; tried *}"
	print_tried "$tried"
	if [ -s "$TMP/client.out" ]; then
		echo "  round trip       $(sed 's/^round trip: //' "$TMP/client.out")"
	fi
	echo "  shim log line    $line"
	[[ "$winner" == "direct443 "* ]] || die "expected direct443 to win, got ${winner%% *}"
}

for f in "$SHIM" "$SERVER" "$CLIENT"; do
	[ -e "$f" ] || { echo "demo: $f is missing; run make first" >&2; exit 2; }
done

# The scenario is fixed: settings from the caller's environment would change its outcome.
for var in $(compgen -e); do
	if [[ "$var" == SSTPSHIM_* ]]; then unset "$var"; fi
done
echo "sstpshim demo"
start_server
choose_port
echo "  echo server      127.0.0.1:$ALT_PORT (the alternate port, SSTPSHIM_ALT_PORT)"
echo "  client connects  127.0.0.1:$PORT (nothing listens there)"

rc=0
timeout 60 env LD_PRELOAD="$SHIM" SSTPSHIM_ALT_PORT="$ALT_PORT" SSTPSHIM_CONNECT_TIMEOUT=10 \
	SSTPSHIM_LOG=info SSTPSHIM_LOG_FILE="$TMP/shim.log" \
	"$CLIENT" -p "$PORT" > "$TMP/client.out" 2> "$TMP/client.err" || rc=$?
touch "$TMP/shim.log"
[ "$rc" != 124 ] || die "the client did not finish within 60 s"
report
[ "$rc" = 0 ] || die "the client exited with status $rc: $(cat "$TMP/client.err")"
echo "demo passed: an unmodified client reached the server through the shim's direct443 fallback"
