# Sourced by bench/run.sh.
# The engine's direct transport: the connection to the server port is intercepted and dialled
# by the engine thread. A blocking connect() then gets the engine's socket itself (shim/handoff.c),
# so those rows measure what a tunnel costs once established: nothing, if all is well. A
# non-blocking connect() (--nonblock, the way event-driven programs connect) keeps the socketpair,
# and the engine pumps every byte: the "pumped" rows measure that path.
section_direct() {
	local log="$WORK/direct.log"
	SHIM_ENV=("SSTPSHIM_PORTS=$SERVER_PORT" SSTPSHIM_TRANSPORTS=direct SSTPSHIM_LOG=info
		  "SSTPSHIM_LOG_FILE=$log")
	measure direct-up throughput -p "$SERVER_PORT" -m "$MIB" --dir up
	measure direct-down throughput -p "$SERVER_PORT" -m "$MIB" --dir down
	measure direct-rtt rtt -p "$SERVER_PORT" -n "$RTT_COUNT" -s "$RTT_SIZE"
	measure pumped-up throughput -p "$SERVER_PORT" -m "$MIB" --dir up --nonblock
	measure pumped-down throughput -p "$SERVER_PORT" -m "$MIB" --dir down --nonblock
	measure pumped-rtt rtt -p "$SERVER_PORT" -n "$RTT_COUNT" -s "$RTT_SIZE" --nonblock
	expect_tunnels "$log" direct $((6 * ROUNDS))
	compare "direct: throughput up, MB/s" direct-up MB/s
	compare "direct: throughput down, MB/s" direct-down MB/s
	compare "direct: rtt $RTT_SIZE B median, us" direct-rtt median
	compare "direct: rtt $RTT_SIZE B p99, us" direct-rtt p99
	compare "direct, pumped: throughput up, MB/s" pumped-up MB/s ">=" 0.70
	compare "direct, pumped: throughput down, MB/s" pumped-down MB/s ">=" 0.70
	compare "direct, pumped: rtt $RTT_SIZE B median, us" pumped-rtt median
	compare "direct, pumped: rtt $RTT_SIZE B p99, us" pumped-rtt p99
}
