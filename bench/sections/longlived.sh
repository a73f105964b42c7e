# Sourced by bench/run.sh.
# The longlived transport: the connection to the server port is intercepted and carried as a
# LongLived virtual connection (a POST body up, a GET response down, MS-GRVHENC 3.1) through an
# sstp-relay on 127.0.0.1 to the same server; "without" is raw TCP to the server.
# Starts "$@" (named $1 in $WORK) in the background and sets LISTEN_PORT and LISTEN_PID from the
# "listening on 127.0.0.1:PORT" line it prints first. Not through spawn: the fifo must be opened
# by the child, not by us.
start_listening() {
	local name=$1 out="$WORK/$1.out" line="" fd
	shift
	mkfifo "$out"
	"$@" > "$out" 2> "$WORK/$name.err" &
	LISTEN_PID=$!
	PIDS+=("$LISTEN_PID")
	exec {fd}< "$out"
	read -r -t 10 -u "$fd" line || true
	exec {fd}<&-
	[[ "$line" == "listening on 127.0.0.1:"* ]] || die "$name did not start: $(cat "$WORK/$name.err")"
	LISTEN_PORT=${line##*:}
}

section_longlived() {
	local log="$WORK/longlived.log" relay_port
	[ -x "$BUILD/sstp-relay" ] || die "no $BUILD/sstp-relay (make builds it)"
	start_listening relay "$BUILD/sstp-relay" --listen 127.0.0.1:0 \
		--backend "127.0.0.1:$SERVER_PORT" --log warn
	relay_port=$LISTEN_PORT
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
	longlived_via_squid "$relay_port"
	longlived_relay_memory
}

# The same virtual connections through squid as the client's HTTP proxy (absolute URIs with ID=,
# MS-GRVHENC 3.1.4.1.2; squid streams both sessions), against raw TCP. LL_SQUID_MIB (default 16)
# per run: squid 5.7 has been seen dropping both sessions of one fast upload past ~35 MB
# (tests/integration/t-longlived-squid.sh). GNU httptunnel is not measured through squid: it
# stalls there.
longlived_via_squid() {
	local relay_port=$1 log="$WORK/longlived-squid.log" mib=${LL_SQUID_MIB:-16}
	[ -n "${CONNECT_SQUID_PORT:-}" ] || connect_start_squid
	SHIM_ENV=("SSTPSHIM_PORTS=$SERVER_PORT" SSTPSHIM_TRANSPORTS=longlived
		  "SSTPSHIM_HTTP_PORT=$relay_port" "SSTPSHIM_HTTP_PROXY=http://127.0.0.1:$CONNECT_SQUID_PORT"
		  SSTPSHIM_LOG=info "SSTPSHIM_LOG_FILE=$log")
	measure longlived-squid-up throughput -p "$SERVER_PORT" -m "$mib" --dir up
	measure longlived-squid-down throughput -p "$SERVER_PORT" -m "$mib" --dir down
	measure longlived-squid-rtt rtt -p "$SERVER_PORT" -n "$RTT_COUNT" -s "$RTT_SIZE"
	expect_tunnels "$log" longlived $((3 * ROUNDS))
	grep -q "HTTP proxy: http://127.0.0.1:$CONNECT_SQUID_PORT" "$log" ||
		die "longlived via squid: the shim did not take the proxy: $(tail -2 "$log")"
	compare "longlived via squid: up, MB/s" longlived-squid-up MB/s
	compare "longlived via squid: down, MB/s" longlived-squid-down MB/s
	compare "longlived via squid: rtt median, us" longlived-squid-rtt median
}

# The relay's resident memory per idle virtual connection (goal: under 16 KiB): LL_IDLE_VCS
# (default 1000) virtual connections opened through a relay in front of an echo server by
# tests/integration/relay_probe.py's "many" scenario, which reads the relay's VmRSS before and
# after opening them (then checks that each carries its bytes).
longlived_relay_memory() {
	local n=${LL_IDLE_VCS:-1000} out kib
	start_listening echo "$BUILD/examples/echo_server" -l 127.0.0.1 -p 0
	start_listening relay-idle "$BUILD/sstp-relay" --listen 127.0.0.1:0 \
		--backend "127.0.0.1:$LISTEN_PORT" --log warn
	out=$( (ulimit -n 8192 2> /dev/null || true
		python3 "$(dirname "${BASH_SOURCE[0]}")/../../tests/integration/relay_probe.py" \
			many "$LISTEN_PORT" "$n" "$LISTEN_PID") 2>&1) || die "relay memory: $out"
	kib=$(sed -n 's/.*connections: \([0-9.]*\) KiB each$/\1/p' <<< "$out")
	[ -n "$kib" ] || die "relay memory: no figure in: $out"
	awk -v l="longlived: relay KiB per idle VC ($n)" -v k="$kib" 'BEGIN {
		printf "%-38s %10.2f %10s %7s  %-8s %s\n", l, k, "-", "-", "< 16", (k < 16 ? "met" : "MISSED") }'
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
