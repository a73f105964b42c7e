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

# A TCP port on 127.0.0.1 that nothing listens on, held bound (not listening) by a sleeper so
# that nothing else takes it while the test runs: connect() to it is refused, reliably.
refused_port() {
	python3 - <<'PY' > "$WORK/refused.port" &
import socket, sys, os
s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
sys.stdout.close(); os.close(1)
import signal; signal.pause()
PY
	PIDS+=("$!")
	local port=""
	while [ -z "$port" ]; do read -r port < "$WORK/refused.port" || true; done
	echo "$port"
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
