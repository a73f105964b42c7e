#!/bin/bash
# Measures what sstpshim costs an application on loopback and prints one table (bench/README.md).
#
#   bench/run.sh BUILD_DIR
#
# Settings (environment): ROUNDS=5 MIB=256 RTT_COUNT=2000 RTT_SIZE=64 CONNECT_COUNT=1000 EXEC_COUNT=300
# LIMIT=120 (seconds one client may run) SECTIONS="direct passthrough ..." (which sections, in order)
# KEEP=1 (keep the directory of raw results and logs, and print where it is).
#
# Every measurement runs ROUNDS times on each side, with and without the shim, alternating which
# side goes first, and the table shows the median of each side. Goals are reported next to the
# ratios, never enforced: the exit status is non-zero only when a command failed.
#
# A section is a function section_NAME that sets SHIM_ENV (the SSTPSHIM_* settings both sides
# get), runs `measure` for each quantity and prints rows with `compare`. Sections that need their
# own servers start them with `spawn` or `start_bench_server`, which are cleaned up on exit.
set -euo pipefail

BUILD=$(cd "${1:-build}" && pwd)
BENCH="$BUILD/bench/sstp-bench"
SHIM="$BUILD/libsstpshim.so"
ROUNDS=${ROUNDS:-5}
MIB=${MIB:-256}
RTT_COUNT=${RTT_COUNT:-2000}
RTT_SIZE=${RTT_SIZE:-64}
CONNECT_COUNT=${CONNECT_COUNT:-1000}
EXEC_COUNT=${EXEC_COUNT:-300}
LIMIT=${LIMIT:-120}
SECTIONS_GIVEN=${SECTIONS:+yes}
SECTIONS=${SECTIONS:-direct passthrough exec connect socks5 longlived keepalive polling}

WORK=$(mktemp -d /tmp/sstpshim-bench.XXXXXX)
PIDS=()
SHIM_ENV=()
WITHOUT=()

cleanup() {
	local pid
	for pid in "${PIDS[@]:-}"; do [ -z "$pid" ] || kill "$pid" 2>/dev/null || true; done
	for pid in "${PIDS[@]:-}"; do [ -z "$pid" ] || wait "$pid" 2>/dev/null || true; done
	if [ -n "${KEEP:-}" ]; then echo "bench: results kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

die() { echo "bench: $*" >&2; exit 1; }

# Runs "$@" in the background, remembering its pid for cleanup; sets $LAST_PID.
spawn() { "$@" & LAST_PID=$!; PIDS+=("$LAST_PID"); }

# Starts an sstp-bench server on a free port and sets $SERVER_PORT once it accepts connections.
# Its "listening on" line comes through a fifo: the read returns as soon as it is written.
start_bench_server() {
	local fifo="$WORK/server.$1.out" line="" fd
	mkfifo "$fifo"
	"$BENCH" server > "$fifo" 2> "$WORK/server.$1.err" &
	PIDS+=("$!")
	exec {fd}< "$fifo"
	read -r -t 10 -u "$fd" line || true
	exec {fd}<&-
	[[ "$line" == "listening on 127.0.0.1:"* ]] ||
		die "sstp-bench server did not start: $(cat "$WORK/server.$1.err")"
	SERVER_PORT=${line##*:}
}

# Runs one client on one side (shim: preloaded; raw: nothing preloaded, run under the command
# in WITHOUT, e.g. proxychains4, when a section sets it), appending its output line to $2. Both
# sides get the same SHIM_ENV, so the preload (and WITHOUT) is the only difference.
run_client() {
	local side=$1 out=$2 rc=0
	local -a wrap=(env -u LD_PRELOAD "${SHIM_ENV[@]}" "${WITHOUT[@]}")
	shift 2
	[ "$side" = shim ] && wrap=(env "LD_PRELOAD=$SHIM" "${SHIM_ENV[@]}")
	timeout "$LIMIT" "${wrap[@]}" "$BENCH" "$@" >> "$out" 2> "$WORK/client.err" || rc=$?
	[ "$rc" = 0 ] ||
		die "sstp-bench $* failed ($side side, exit $rc$([ "$rc" = 124 ] && echo ", timed out")):" \
			"$(tail -5 "$WORK/client.err")"
}

# measure NAME ARGS...: runs `sstp-bench ARGS` ROUNDS times per side, alternating which side goes
# first, so that drift in machine load reaches both sides alike. Results in $WORK/NAME.{shim,raw}.
measure() {
	local name=$1 r side
	local -a order
	shift
	: > "$WORK/$name.shim"
	: > "$WORK/$name.raw"
	for ((r = 1; r <= ROUNDS; r++)); do
		if ((r % 2)); then order=(raw shim); else order=(shim raw); fi
		for side in "${order[@]}"; do run_client "$side" "$WORK/$name.$side" "$@"; done
	done
}

# Median over the lines of file $1 of the number that follows the word $2.
median() {
	awk -v key="$2" '{ for (i = 1; i < NF; i++) if ($i == key) print $(i + 1) }' "$1" | sort -g |
		awk '{ v[NR] = $1 }
		     END { if (NR == 0) exit 1
			   if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }' ||
		die "no '$2' value in the output of $(basename "$1"): $(head -1 "$1")"
}

header() {
	echo "sstpshim benchmark: loopback, $(nproc) CPUs, kernel $(uname -r)"
	echo "  rounds per measurement: $ROUNDS per side, alternating sides; median of each side;"
	echo "  ratio = with shim / without; MB = 10^6 bytes; us = microseconds"
	echo
	printf '%-38s %10s %10s %7s  %-8s %s\n' measurement "with shim" without ratio goal result
}

# compare LABEL NAME KEY [OP GOAL]: one table row from NAME's results; OP is >= or <= and applies
# to the ratio. A missed goal is printed, not fatal.
compare() {
	local label=$1 name=$2 key=$3 op=${4:-} goal=${5:-}
	local shim raw
	shim=$(median "$WORK/$name.shim" "$key")
	raw=$(median "$WORK/$name.raw" "$key")
	awk -v l="$label" -v s="$shim" -v r="$raw" -v op="$op" -v g="$goal" 'BEGIN {
		ratio = r > 0 ? s / r : 0; gtext = "-"; verdict = "-"
		if (op == ">=") { gtext = op " " g; verdict = ratio >= g ? "met" : "MISSED" }
		if (op == "<=") { gtext = op " " g; verdict = ratio <= g ? "met" : "MISSED" }
		printf "%-38s %10.2f %10.2f %7.3f  %-8s %s\n", l, s, r, ratio, gtext, verdict }'
}

# Fails unless log $1 shows $3 tunnels established via transport $2: otherwise the "with shim"
# side did not measure the shim at all.
expect_tunnels() {
	local log=$1 transport=$2 want=$3 got
	got=$(grep -c "established via $transport in " "$log" 2>/dev/null || true)
	[ "$got" = "$want" ] ||
		die "expected $want tunnels via $transport, the shim logged ${got:-0}:" \
			"$(tail -3 "$log" 2>/dev/null)"
}

# Each section lives in bench/sections/NAME.sh and defines section_NAME.
for f in "$(dirname "$0")"/sections/*.sh; do
	# shellcheck source=/dev/null
	. "$f"
done

main() {
	local section v
	[ -x "$BENCH" ] || die "no $BENCH (make bench builds it)"
	[ -f "$SHIM" ] || die "no $SHIM (make builds it)"
	# Settings of the caller's shell must not change what either side measures.
	for v in ${!SSTPSHIM_@}; do unset "$v"; done
	start_bench_server main
	header
	for section in $SECTIONS; do
		# The default list names every transport; sections not written yet are skipped there.
		if ! declare -F "section_$section" > /dev/null; then
			[ -z "$SECTIONS_GIVEN" ] || die "no section '$section'"
			continue
		fi
		WITHOUT=()
		"section_$section"
	done
}

main
