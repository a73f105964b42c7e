# Sourced by bench/run.sh.
# The keepalive transport (MS-GRVHENC 3.3) through sstp-relay: every 32768 octets are one HTTP
# request/response exchange on loopback, one outstanding per direction, against raw TCP to the
# same server. Besides the ratios, the absolute throughput is compared with the goal of 200 MB/s.
section_keepalive() {
	local log="$WORK/keepalive.log" relay_out="$WORK/keepalive-relay.out" relay_port
	spawn "$BUILD/sstp-relay" --listen 127.0.0.1:0 --backend "127.0.0.1:$SERVER_PORT" --log warn \
		> "$relay_out" 2> "$WORK/keepalive-relay.err"
	relay_port=$(timeout 10 grep -m1 -o '[0-9]*$' <(tail -n +1 -F "$relay_out" 2> /dev/null)) ||
		die "sstp-relay did not start: $(cat "$WORK/keepalive-relay.err")"
	SHIM_ENV=("SSTPSHIM_PORTS=$SERVER_PORT" SSTPSHIM_TRANSPORTS=keepalive
		  "SSTPSHIM_HTTP_PORT=$relay_port" SSTPSHIM_LOG=info "SSTPSHIM_LOG_FILE=$log")
	measure keepalive-up throughput -p "$SERVER_PORT" -m "$MIB" --dir up
	measure keepalive-down throughput -p "$SERVER_PORT" -m "$MIB" --dir down
	measure keepalive-rtt rtt -p "$SERVER_PORT" -n "$RTT_COUNT" -s "$RTT_SIZE"
	expect_tunnels "$log" keepalive $((3 * ROUNDS))
	compare "keepalive: throughput up, MB/s" keepalive-up MB/s
	compare "keepalive: throughput down, MB/s" keepalive-down MB/s
	keepalive_absolute "keepalive: up >= 200 MB/s" keepalive-up 200
	keepalive_absolute "keepalive: down >= 200 MB/s" keepalive-down 200
	compare "keepalive: rtt $RTT_SIZE B median, us" keepalive-rtt median
	compare "keepalive: rtt $RTT_SIZE B p99, us" keepalive-rtt p99
}

# keepalive_absolute LABEL NAME GOAL: a row for the median MB/s with the shim against an absolute
# goal (the ratio column is left empty).
keepalive_absolute() {
	local shim
	shim=$(median "$WORK/$2.shim" MB/s)
	awk -v l="$1" -v s="$shim" -v g="$3" 'BEGIN {
		verdict = (s >= g) ? "met" : "MISSED"
		printf "%-38s %10.2f %10s %7s  %-8s %s\n", l, s, "-", "-", ">= " g, verdict }'
}
