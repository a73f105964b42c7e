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
	compare "longlived: throughput up, MB/s" longlived-up MB/s ">=" 0.30
	compare "longlived: throughput down, MB/s" longlived-down MB/s ">=" 0.30
	compare "longlived: rtt $RTT_SIZE B median, us" longlived-rtt median
	compare "longlived: rtt $RTT_SIZE B p99, us" longlived-rtt p99
}
