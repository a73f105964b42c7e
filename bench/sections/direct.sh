# Sourced by bench/run.sh.
# The engine's direct transport: the connection to the server port is intercepted and carried
# through the socketpair and the engine thread to the same destination.
section_direct() {
	local log="$WORK/direct.log"
	SHIM_ENV=("SSTPSHIM_PORTS=$SERVER_PORT" SSTPSHIM_TRANSPORTS=direct SSTPSHIM_LOG=info
		  "SSTPSHIM_LOG_FILE=$log")
	measure direct-up throughput -p "$SERVER_PORT" -m "$MIB" --dir up
	measure direct-down throughput -p "$SERVER_PORT" -m "$MIB" --dir down
	measure direct-rtt rtt -p "$SERVER_PORT" -n "$RTT_COUNT" -s "$RTT_SIZE"
	expect_tunnels "$log" direct $((3 * ROUNDS))
	compare "direct: throughput up, MB/s" direct-up MB/s ">=" 0.70
	compare "direct: throughput down, MB/s" direct-down MB/s ">=" 0.70
	compare "direct: rtt $RTT_SIZE B median, us" direct-rtt median
	compare "direct: rtt $RTT_SIZE B p99, us" direct-rtt p99
}
