# Sourced by bench/run.sh.
# The longlived transport: the connection to the server port is intercepted and carried as a
# LongLived virtual connection (a POST body up, a GET response down, MS-GRVHENC 3.1) through an
# sstp-relay on 127.0.0.1 to the same server; "without" is raw TCP to the server.
section_longlived() {
	local log="$WORK/longlived.log" relay_out="$WORK/relay.out" line="" fd relay_port
	[ -x "$BUILD/sstp-relay" ] || die "no $BUILD/sstp-relay (make builds it)"
	mkfifo "$relay_out"
	# Started here rather than with spawn: the fifo must be opened by the child, not by us.
	"$BUILD/sstp-relay" --listen 127.0.0.1:0 --backend "127.0.0.1:$SERVER_PORT" --log warn \
		> "$relay_out" 2> "$WORK/relay.err" &
	PIDS+=("$!")
	exec {fd}< "$relay_out"
	read -r -t 10 -u "$fd" line || true
	exec {fd}<&-
	[[ "$line" == "listening on 127.0.0.1:"* ]] ||
		die "sstp-relay did not start: $(cat "$WORK/relay.err")"
	relay_port=${line##*:}
	SHIM_ENV=("SSTPSHIM_PORTS=$SERVER_PORT" SSTPSHIM_TRANSPORTS=longlived
		  "SSTPSHIM_HTTP_PORT=$relay_port" SSTPSHIM_LOG=info "SSTPSHIM_LOG_FILE=$log")
	measure longlived-up throughput -p "$SERVER_PORT" -m "$MIB" --dir up
	measure longlived-down throughput -p "$SERVER_PORT" -m "$MIB" --dir down
	measure longlived-rtt rtt -p "$SERVER_PORT" -n "$RTT_COUNT" -s "$RTT_SIZE"
	expect_tunnels "$log" longlived $((3 * ROUNDS))
	compare "longlived: throughput up, MB/s" longlived-up MB/s ">=" 0.50
	compare "longlived: throughput down, MB/s" longlived-down MB/s ">=" 0.50
	compare "longlived: rtt $RTT_SIZE B median, us" longlived-rtt median
	compare "longlived: rtt $RTT_SIZE B p99, us" longlived-rtt p99
	longlived_vs_httptunnel
}

# Polls the socket table (without connecting) until something listens on port $1.
wait_listening() {
	timeout 10 bash -c "until ss -ltnH | grep -q ':$1 '; do sleep 0.05; done" ||
		die "nothing listens on port $1"
}

# One row comparing the shimmed side of NAME_A with the raw side of NAME_B (a ratio across two
# measurements): compare_across LABEL NAME_A NAME_B KEY.
compare_across() {
	local label=$1 a b
	a=$(median "$WORK/$2.shim" "$4")
	b=$(median "$WORK/$3.raw" "$4")
	awk -v l="$label" -v s="$a" -v r="$b" 'BEGIN {
		printf "%-38s %10.2f %10.2f %7.3f  %-8s %s\n", l, s, r, (r > 0 ? s / r : 0), "-", "-" }'
}

# GNU httptunnel (hts/htc) carrying the same kind of connection over HTTP between the same
# client and server, for comparison: in these rows "with shim" is longlived (the measurements
# above) and "without" is httptunnel.
longlived_vs_httptunnel() {
	local hts_port htc_port
	command -v hts > /dev/null && command -v htc > /dev/null || {
		echo "httptunnel: hts/htc not installed, skipped"
		return 0
	}
	hts_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	htc_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	spawn hts -w -F "127.0.0.1:$SERVER_PORT" "127.0.0.1:$hts_port"
	wait_listening "$hts_port"
	spawn htc -w -F "$htc_port" "127.0.0.1:$hts_port"
	wait_listening "$htc_port"
	SHIM_ENV=() # the port is not intercepted: both sides go through httptunnel
	measure httptunnel-up throughput -p "$htc_port" -m "$MIB" --dir up
	measure httptunnel-down throughput -p "$htc_port" -m "$MIB" --dir down
	measure httptunnel-rtt rtt -p "$htc_port" -n "$RTT_COUNT" -s "$RTT_SIZE"
	compare_across "longlived vs httptunnel: up, MB/s" longlived-up httptunnel-up MB/s
	compare_across "longlived vs httptunnel: down, MB/s" longlived-down httptunnel-down MB/s
	compare_across "longlived vs httptunnel: rtt median, us" longlived-rtt httptunnel-rtt median
}
