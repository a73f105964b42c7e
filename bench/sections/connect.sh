# Sourced by bench/run.sh.
# The connect transport (HTTP CONNECT through squid) against proxychains4 through the same squid,
# in the same run: "with shim" is sstp-bench under the shim with SSTPSHIM_TRANSPORTS=connect,
# "without" is the same sstp-bench under `proxychains4 -q -f CONF`, whose one proxy is that
# squid. So the ratios compare two ways of getting an unmodified program through an HTTP proxy,
# not the shim against a direct connection. Rows: throughput up and down, round-trip time, and
# the time connect() takes to return a tunnel (socket() + connect() + close()), over many and for
# the first of a process (the median over the rounds of one connection each); a last row gives
# the scale of the shim's own part of that time: the direct transport against a plain connect().
#
# Settings: CONNECT_PROXY_COUNT (default 200) connections per connect run (each one is a tunnel
# through squid); SQUID (default squid) and PROXYCHAINS (default proxychains4) the programs.

CONNECT_PROXY_COUNT=${CONNECT_PROXY_COUNT:-200}

# Starts squid on a free port of 127.0.0.1 allowing CONNECT to the bench server's port, with no
# cache and no access log (a log line per tunnel would be squid's cost, not ours); sets
# CONNECT_SQUID_PORT once squid accepts connections. Its files are in $WORK/squid.
connect_start_squid() {
	local dir="$WORK/squid" fifo line="" fd
	command -v "${SQUID:-squid}" > /dev/null || die "no squid (apt-get install squid)"
	mkdir -p "$dir"
	chmod 0755 "$WORK"
	chown proxy "$dir" 2> /dev/null || chmod 0777 "$dir"
	CONNECT_SQUID_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat > "$dir/squid.conf" <<-EOF
		http_port 127.0.0.1:$CONNECT_SQUID_PORT
		pid_filename $dir/squid.pid
		cache_log $dir/cache.log
		access_log none
		coredump_dir $dir
		cache deny all
		cache_mem 4 MB
		pinger_enable off
		shutdown_lifetime 0 seconds
		cache_effective_user proxy
		acl bench_port port $SERVER_PORT
		http_access deny CONNECT !bench_port
		http_access allow localhost
		http_access deny all
	EOF
	# squid -d1 says "Accepting HTTP Socket connections" on stderr once it listens; a fifo
	# lets the read return at that line
	fifo="$dir/stderr"
	mkfifo "$fifo"
	"${SQUID:-squid}" -N -d1 -f "$dir/squid.conf" 2> "$fifo" > /dev/null &
	PIDS+=("$!")
	exec {fd}< "$fifo"
	while read -r -t 20 -u "$fd" line; do
		[[ "$line" != *"Accepting HTTP Socket connections"* ]] || break
	done
	# keep draining squid's stderr so that it never blocks on a full pipe
	cat <&"$fd" > "$dir/stderr.log" &
	PIDS+=("$!")
	exec {fd}<&-
	[[ "$line" == *"Accepting HTTP Socket connections"* ]] ||
		die "squid did not start: $(tail -5 "$dir/cache.log" 2> /dev/null)"
}

section_connect() {
	local log="$WORK/connect.log"
	command -v "${PROXYCHAINS:-proxychains4}" > /dev/null ||
		die "no proxychains4 (apt-get install proxychains4)"
	connect_start_squid
	printf 'strict_chain\ntcp_read_time_out 15000\ntcp_connect_time_out 8000\n[ProxyList]\nhttp 127.0.0.1 %s\n' \
		"$CONNECT_SQUID_PORT" > "$WORK/proxychains.conf"
	WITHOUT=("${PROXYCHAINS:-proxychains4}" -q -f "$WORK/proxychains.conf")
	# the shim intercepts the server's port and asks squid for the same port (the alternate)
	SHIM_ENV=("SSTPSHIM_PORTS=$SERVER_PORT" "SSTPSHIM_ALT_PORT=$SERVER_PORT" SSTPSHIM_TRANSPORTS=connect
		  "SSTPSHIM_HTTP_PROXY=http://127.0.0.1:$CONNECT_SQUID_PORT" SSTPSHIM_LOG=info
		  "SSTPSHIM_LOG_FILE=$log")
	measure connect-up throughput -p "$SERVER_PORT" -m "$MIB" --dir up
	measure connect-down throughput -p "$SERVER_PORT" -m "$MIB" --dir down
	measure connect-rtt rtt -p "$SERVER_PORT" -n "$RTT_COUNT" -s "$RTT_SIZE"
	measure connect-open connect -p "$SERVER_PORT" -n "$CONNECT_PROXY_COUNT"
	# a program's first connect() also starts the engine thread (never before: issue 2)
	measure connect-first connect -p "$SERVER_PORT" -n 1
	expect_tunnels "$log" connect $((ROUNDS * (4 + CONNECT_PROXY_COUNT)))
	# for scale: what the shim's interception alone adds to connect(), with the direct transport
	# and no proxy, against a plain connect()
	WITHOUT=()
	SHIM_ENV=("SSTPSHIM_PORTS=$SERVER_PORT" SSTPSHIM_TRANSPORTS=direct SSTPSHIM_LOG=info
		  "SSTPSHIM_LOG_FILE=$WORK/connect-direct.log")
	measure connect-direct connect -p "$SERVER_PORT" -n "$CONNECT_PROXY_COUNT"
	expect_tunnels "$WORK/connect-direct.log" direct $((ROUNDS * CONNECT_PROXY_COUNT))
	compare "connect/squid: throughput up, MB/s" connect-up MB/s ">=" 1.00
	compare "connect/squid: throughput down, MB/s" connect-down MB/s ">=" 1.00
	compare "connect/squid: rtt $RTT_SIZE B median, us" connect-rtt median
	compare "connect/squid: rtt $RTT_SIZE B p99, us" connect-rtt p99
	compare "connect/squid: connect median, us" connect-open median "<=" 0.50
	compare "connect/squid: connect mean, us" connect-open mean
	compare "connect/squid: first connect, us" connect-first median
	compare "direct (scale): connect median, us" connect-direct median
}
