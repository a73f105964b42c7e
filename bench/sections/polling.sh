# Sourced by bench/run.sh.
# The polling transport through sstp-relay in front of the bench server, with long polling (the
# relay's default --poll-hold, 25 s) and with the spec's immediate answers (--poll-hold 0):
# throughput and round trips, then the latency of a small message, each direction on its own,
# after the connection has been idle POLL_IDLE seconds (default 60; bench/idle_latency.py,
# POLL_IDLE_COUNT connections at once, default 5). Goals, on loopback, with the hold: at least
# 50 MB/s each way, and a median latency under 10 ms each way after idle. Without the hold the
# spec's back-off decides (Min-Poll-Interval 5 s doubling to 120 s): its rtt is not measured
# (each round trip waits for a poll) and its idle latency from the server is seconds.
POLL_IDLE=${POLL_IDLE:-60}
POLL_IDLE_COUNT=${POLL_IDLE_COUNT:-5}

# Starts a program that prints "listening on ADDR:PORT" ("$@", output in file $1) and sets
# $POLL_PORT once it has.
poll_bench_start() {
	local out=$1
	shift
	spawn "$@" > "$out" 2> "$out.err"
	timeout 10 grep -m1 -q '^listening on' <(tail -n +1 -F "$out" 2>/dev/null) ||
		die "$1 did not start: $(cat "$out.err")"
	POLL_PORT=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$out" | head -n1)
}

# One table row with a goal on the value itself, not the ratio: LABEL SHIM RAW OP GOAL.
poll_goal_row() {
	local label=$1 shim=$2 raw=$3 op=$4 goal=$5
	awk -v l="$label" -v s="$shim" -v r="$raw" -v op="$op" -v g="$goal" 'BEGIN {
		verdict = "MISSED"
		if ((op == ">=" && s >= g) || (op == "<" && s < g)) verdict = "met"
		ratio = 0
		if (r > 0) ratio = s / r
		printf "%-38s %10.2f %10.2f %7.3f  %-8s %s\n", l, s, r, ratio, op " " g, verdict }'
}

# Idle latency on one side ($1: shim or raw) into $WORK/$2.
poll_idle_run() {
	local side=$1 out=$2 preload=(-u LD_PRELOAD)
	[ "$side" = shim ] && preload=("LD_PRELOAD=$SHIM")
	timeout $((POLL_IDLE * 4 + 120)) env "${preload[@]}" "${SHIM_ENV[@]}" \
		"SSTPSHIM_PORTS=$IDLE_PORT" python3 "$(dirname "$0")/idle_latency.py" client \
		-p "$IDLE_PORT" -i "$POLL_IDLE" -n "$POLL_IDLE_COUNT" > "$WORK/$out" \
		2> "$WORK/$out.err" || die "idle_latency ($side) failed: $(tail -3 "$WORK/$out.err")"
}

section_polling() {
	local log="$WORK/polling.log" hold name s r relay
	poll_bench_start "$WORK/idle.out" python3 "$(dirname "$0")/idle_latency.py" server
	IDLE_PORT=$POLL_PORT
	for hold in 25 0; do
		name=polling-hold$hold
		poll_bench_start "$WORK/$name.relay" "$BUILD/sstp-relay" --listen 127.0.0.1:0 \
			--backend "127.0.0.1:$SERVER_PORT" --log warn \
			--poll-hold "$hold"
		relay=$LAST_PID
		SHIM_ENV=("SSTPSHIM_PORTS=$SERVER_PORT" SSTPSHIM_TRANSPORTS=polling
			  "SSTPSHIM_HTTP_PORT=$POLL_PORT" SSTPSHIM_LOG=info "SSTPSHIM_LOG_FILE=$log")
		measure "$name-up" throughput -p "$SERVER_PORT" -m "$MIB" --dir up
		measure "$name-down" throughput -p "$SERVER_PORT" -m "$MIB" --dir down
		for dir in up down; do
			s=$(median "$WORK/$name-$dir.shim" MB/s)
			r=$(median "$WORK/$name-$dir.raw" MB/s)
			if [ "$hold" != 0 ]; then
				poll_goal_row "polling hold $hold: throughput $dir, MB/s" "$s" "$r" ">=" 50
			else
				poll_goal_row "polling hold 0: throughput $dir, MB/s" "$s" "$r" ">=" 0
			fi
		done
		if [ "$hold" != 0 ]; then
			measure "$name-rtt" rtt -p "$SERVER_PORT" -n "$RTT_COUNT" -s "$RTT_SIZE"
			compare "polling hold $hold: rtt $RTT_SIZE B median, us" "$name-rtt" median
			compare "polling hold $hold: rtt $RTT_SIZE B p99, us" "$name-rtt" p99
		fi
		# A relay has one backend: another one in front of the idle latency server.
		kill "$relay" 2>/dev/null || true
		poll_bench_start "$WORK/$name.idle-relay" "$BUILD/sstp-relay" --listen 127.0.0.1:0 \
			--backend "127.0.0.1:$IDLE_PORT" --log warn --poll-hold "$hold"
		relay=$LAST_PID
		SHIM_ENV=(SSTPSHIM_TRANSPORTS=polling "SSTPSHIM_HTTP_PORT=$POLL_PORT" SSTPSHIM_LOG=info
			  "SSTPSHIM_LOG_FILE=$log")
		poll_idle_run shim "$name-idle.shim"
		poll_idle_run raw "$name-idle.raw"
		for dir in down up; do
			s=$(median "$WORK/$name-idle.shim" "${dir}_ms")
			r=$(median "$WORK/$name-idle.raw" "${dir}_ms")
			if [ "$hold" != 0 ]; then
				poll_goal_row "polling hold $hold: ${POLL_IDLE}s idle, $dir ms" "$s" "$r" "<" 10
			else
				poll_goal_row "polling hold 0: ${POLL_IDLE}s idle, $dir ms" "$s" "$r" ">=" 0
			fi
		done
		kill "$relay" 2>/dev/null || true
	done
	expect_tunnels "$log" polling $((5 * ROUNDS + 2 * POLL_IDLE_COUNT))
}
