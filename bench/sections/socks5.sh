# Sourced by bench/run.sh.
# The socks5 transport through dante (danted, no authentication, on a free port of 127.0.0.1)
# against proxychains4 through the same dante in the same run. "with shim" is sstp-bench under the
# shim with only the socks5 transport; "without" is the same sstp-bench under `proxychains4 -q -f
# CONF`, whose only proxy is that dante. So the ratios compare two ways of sending an unmodified
# program through a SOCKS5 proxy, not the shim against raw TCP. Connect is the time to establish
# a tunnel: socket() + connect() + close(), connect() returning once the proxy's CONNECT reply is
# in.

SOCKS5_DANTE_PORT=
SOCKS5_PROXYCHAINS_CONF=

# Starts danted and writes the proxychains4 configuration for it.
socks5_start_dante() {
	local conf="$WORK/socks5-dante.conf" log="$WORK/socks5-dante.log"
	SOCKS5_DANTE_PORT=$(python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat > "$conf" <<-CONF
		logoutput: $log
		internal: 127.0.0.1 port = $SOCKS5_DANTE_PORT
		external: 127.0.0.1
		socksmethod: none
		clientmethod: none
		user.privileged: root
		user.unprivileged: nobody
		client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }
		socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }
	CONF
	spawn danted -f "$conf" -p "$WORK/socks5-dante.pid" > "$WORK/socks5-dante.out" 2>&1
	timeout 10 grep -m1 -q 'Dante/server.* running' <(tail -n +1 -F "$log" 2> /dev/null) ||
		die "danted did not start: $(cat "$WORK/socks5-dante.out" "$log" 2> /dev/null)"
	SOCKS5_PROXYCHAINS_CONF="$WORK/socks5-proxychains.conf"
	printf '%s\n' strict_chain quiet_mode "[ProxyList]" "socks5 127.0.0.1 $SOCKS5_DANTE_PORT" \
		> "$SOCKS5_PROXYCHAINS_CONF"
	WITHOUT=(proxychains4 -q -f "$SOCKS5_PROXYCHAINS_CONF")
}

section_socks5() {
	local log="$WORK/socks5.log"
	socks5_start_dante
	SHIM_ENV=("SSTPSHIM_PORTS=$SERVER_PORT" SSTPSHIM_TRANSPORTS=socks5 SSTPSHIM_LOG=info
		  "SSTPSHIM_LOG_FILE=$log" "SSTPSHIM_SOCKS_PROXY=socks5://127.0.0.1:$SOCKS5_DANTE_PORT")
	measure socks5-up throughput -p "$SERVER_PORT" -m "$MIB" --dir up
	measure socks5-down throughput -p "$SERVER_PORT" -m "$MIB" --dir down
	measure socks5-rtt rtt -p "$SERVER_PORT" -n "$RTT_COUNT" -s "$RTT_SIZE"
	expect_tunnels "$log" socks5 $((3 * ROUNDS))
	# The connect runs log nothing: a log line per tunnel would be timed too.
	SHIM_ENV=("SSTPSHIM_PORTS=$SERVER_PORT" SSTPSHIM_TRANSPORTS=socks5
		  "SSTPSHIM_SOCKS_PROXY=socks5://127.0.0.1:$SOCKS5_DANTE_PORT")
	measure socks5-connect connect -p "$SERVER_PORT" -n "$CONNECT_COUNT"
	echo "socks5 through dante; \"without\" is proxychains4 through the same dante:"
	compare "socks5: throughput up, MB/s" socks5-up MB/s ">=" 1.00
	compare "socks5: throughput down, MB/s" socks5-down MB/s ">=" 1.00
	compare "socks5: rtt $RTT_SIZE B median, us" socks5-rtt median
	compare "socks5: rtt $RTT_SIZE B p99, us" socks5-rtt p99
	compare "socks5: connect median, us" socks5-connect median "<=" 0.50
	compare "socks5: connect mean, us" socks5-connect mean
}
